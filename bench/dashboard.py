"""Benchmark of the tableau de bord at national scale, on PostgreSQL.

One command (PostgreSQL must be running; nothing else is needed)::

    .venv/bin/python bench/dashboard.py                 # 1 400 000 young people, 26 regions
    .venv/bin/python bench/dashboard.py --young 200000  # a quicker run

What it does, in a throw-away PostgreSQL database (``cnml_bench_dashboard`` by default,
dropped and created again at the start):

1. writes a synthetic extract with ``shared/tools/make_extract.py --young N
   --regions R`` into ``bench/data/`` (git-ignored; kept and reused by the next
   run with the same arguments);
2. the floor: a raw ``COPY`` of the five files into plain tables of text
   columns, no checks, no indexes; three times, the median kept;
3. the full ``manage.py import_extract`` in a child process, which imports then
   recomputes (as an operator runs it: without Redis, the recompute task runs in
   the same process once the import has committed), timed, with its peak memory
   (the child's maximum resident set size, from ``os.wait4``); the import's and
   the recompute's shares come from their log lines;
4. ``manage.py recompute_indicators --sync`` again, alone in its own process
   (the admin's and the command's path), timed the same way, for reference;
5. the national (anonymous), regional (animator) and structure (director)
   pages, rendered ``--requests`` times each with Django's test client in this
   process against the validated snapshot: server time p50 / p95 and SQL
   queries per page, with production settings (DEBUG off).

Targets (issue "Tableau de bord", Performance): import + recompute ≤ 4 × the
raw COPY; each page p95 ≤ 50 ms with ≤ 10 queries; import peak memory ≤ 300 MB.
It prints the figures and, with ``--write-docs`` (what ``make bench`` does),
writes them in ``docs/performance.md``, section "Tableau de bord", with the
machine they come from. Options: ``--help``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
DATA_DIR = ROOT / "bench" / "data"
DOCS = ROOT / "docs" / "performance.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cnml_bench_dashboard"
FILES = ("structures", "jeunes", "contacts", "situations", "dispositifs")
AS_OF = "2011-12-31"  # make_extract.py writes 2009-2011
SECTION = "## Tableau de bord"

FLOOR_RUNS = 3
TARGET_RATIO = 4.0
TARGET_P95_MS = 50.0
TARGET_QUERIES = 10
TARGET_MEMORY_MB = 300.0

SETTINGS_MODULE = "bench_dashboard_settings"
SETTINGS_SOURCE = '''"""Settings of bench/dashboard.py: production settings, plain static storage (no collectstatic)."""
from cnml.settings import *  # noqa: F401,F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
'''


def fr(value: float, decimals: int = 0) -> str:
    """French number: 1 400 000 ; 4,7."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def log(message: str) -> None:
    # UTC: once Django is set up in this process (the pages), the local time zone is its TIME_ZONE.
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


# --- Machine -------------------------------------------------------------------------------


def machine(database_url: str) -> dict:
    import psycopg

    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    with psycopg.connect(_conninfo(database_url, "postgres"), autocommit=True) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "postgresql": version,
        "python": platform.python_version(),
        "load": os.getloadavg()[0],
    }


# --- Database ------------------------------------------------------------------------------


def _conninfo(url: str, dbname: str | None = None) -> str:
    base, _, name = url.rpartition("/")
    return f"{base}/{dbname or name}"


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rpartition("/")[2].split("?")[0]
    with psycopg.connect(_conninfo(url, "postgres"), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Extract -------------------------------------------------------------------------------


def make_extract_tool() -> Path:
    shared = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")).resolve()
    for candidate in (
        shared.parent / "tools" / "make_extract.py",
        ROOT.parent / "shared" / "tools" / "make_extract.py",
    ):
        if candidate.exists():
            return candidate
    raise SystemExit("shared/tools/make_extract.py introuvable (voir SHARED_DATA_DIR).")


def generate(young: int, regions: int, seed: int) -> tuple[Path, float | None]:
    """The extract's folder, written unless a complete one with the same arguments is there."""
    folder = DATA_DIR / f"extract-{young}-{regions}-{seed}"
    marker = folder / ".complet"
    if marker.exists():
        log(f"Extraction déjà générée : {folder}")
        return folder, None
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    log(f"Génération de l'extraction ({fr(young)} jeunes, {regions} régions) dans {folder}…")
    started = time.monotonic()
    subprocess.run(
        [
            PYTHON,
            str(make_extract_tool()),
            str(folder),
            "--young",
            str(young),
            "--regions",
            str(regions),
            "--seed",
            str(seed),
        ],
        check=True,
    )
    marker.write_text("ok\n")
    return folder, time.monotonic() - started


def line_counts(folder: Path) -> dict[str, int]:
    counts = {}
    for name in FILES:
        with open(folder / f"{name}.csv", "rb") as file:
            counts[name] = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b"")) - 1
    return counts


def _header(path: Path) -> list[str]:
    """The file's columns, as its header names them (an extract may carry more than the importer reads)."""
    with open(path, encoding="utf-8") as file:
        return file.readline().strip().split(";")


def raw_copy(url: str, folder: Path) -> float:
    """The floor: COPY the five files into plain tables of text columns."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for name in FILES:
            connection.execute(f"DROP TABLE IF EXISTS bench_raw_{name}")
            columns = ", ".join(f'"{column}" text' for column in _header(folder / f"{name}.csv"))
            connection.execute(f"CREATE TABLE bench_raw_{name} ({columns})")
        started = time.monotonic()
        for name in FILES:
            copy_sql = f"COPY bench_raw_{name} FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
            with (
                connection.cursor() as cursor,
                cursor.copy(copy_sql) as copy,
                open(folder / f"{name}.csv", "rb") as file,
            ):
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
        elapsed = time.monotonic() - started
        for name in FILES:
            connection.execute(f"DROP TABLE bench_raw_{name}")
    return elapsed


# --- Child processes -----------------------------------------------------------------------


@dataclass
class ChildRun:
    seconds: float
    peak_mb: float
    output: str


def run_child(arguments: list[str], env: dict) -> ChildRun:
    """Run a command, timed; its peak memory is its own maximum resident set size (os.wait4)."""
    with tempfile.TemporaryFile() as output:
        started = time.monotonic()
        process = subprocess.Popen(arguments, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if process.returncode != 0:
        print(text)
        raise SystemExit(f"Échec de {' '.join(arguments[1:3])} (code {process.returncode}).")
    return ChildRun(elapsed, usage.ru_maxrss / 1024, text)


# --- Pages ---------------------------------------------------------------------------------


@dataclass
class PageFigures:
    label: str
    path: str
    reader: str
    p50_ms: float = 0
    p95_ms: float = 0
    max_ms: float = 0
    cold_ms: float = 0
    queries: int = 0
    cold_queries: int = 0
    size_kb: float = 0
    samples: list[float] = field(default_factory=list, repr=False)


def measure_pages(requests: int) -> list[PageFigures]:
    """Validate the snapshot, then render each page ``requests`` times (after a warm-up)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cnml.models import Region, Role, Structure, StructureKind, User
    from dashboard.models import Snapshot
    from dashboard.publication import snapshot_validate

    cnml, _ = Structure.objects.get_or_create(
        code="CNML", defaults={"name": "Conseil national des missions locales", "kind": StructureKind.CNML}
    )
    reviewer, _ = User.objects.get_or_create(
        email="relecteur@bench.cnml.fr", defaults={"role": Role.RELECTEUR_CNML, "structure": cnml}
    )
    snapshot = Snapshot.objects.latest_computed()
    if snapshot is None:
        raise SystemExit("Aucun calcul des indicateurs à mesurer.")
    if not snapshot.is_validated:
        snapshot_validate(snapshot_id=snapshot.pk, user=reviewer)
    region = Region.objects.get(code="93")
    arml, _ = Structure.objects.get_or_create(
        code="ARML93",
        defaults={"name": "ARML Provence-Alpes-Côte d'Azur", "kind": StructureKind.ARML, "region": region},
    )
    structure = Structure.objects.filter(region=region, kind=StructureKind.ML).order_by("code").first()
    director, _ = User.objects.get_or_create(
        email="directeur@bench.cnml.fr", defaults={"role": Role.DIRECTEUR, "structure": structure}
    )
    animator, _ = User.objects.get_or_create(
        email="animateur@bench.cnml.fr", defaults={"role": Role.ANIMATEUR_REGIONAL, "structure": arml}
    )
    pages = [
        (PageFigures("Nationale", "/tableau-de-bord/", "public"), None),
        (PageFigures("Région", f"/tableau-de-bord/regions/{region.code}/", "animateur"), animator),
        (PageFigures("Structure", f"/tableau-de-bord/structures/{structure.code}/", "directeur"), director),
    ]
    for figures, user in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        for _ in range(3):  # warm-up: templates compiled, connection open
            response = client.get(figures.path)
            if response.status_code != 200:
                raise SystemExit(f"{figures.path} : statut {response.status_code}")
        # Cold: the page's charts are not in the cache yet (first reader of this snapshot and scope).
        cold = []
        for _ in range(5):
            cache.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                client.get(figures.path)
            cold.append((time.perf_counter() - started) * 1000)
            figures.cold_queries = len(queries.captured_queries)
        figures.cold_ms = statistics.median(cold)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(figures.path)
        figures.queries = len(queries.captured_queries)
        figures.size_kb = len(response.content) / 1024
        for _ in range(requests):
            started = time.perf_counter()
            client.get(figures.path)
            figures.samples.append((time.perf_counter() - started) * 1000)
        figures.p50_ms = statistics.median(figures.samples)
        figures.p95_ms = statistics.quantiles(figures.samples, n=20, method="inclusive")[18]
        figures.max_ms = max(figures.samples)
    return [figures for figures, _ in pages]


# --- Report --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "atteint" if ok else "**manqué**"


def report(results: dict) -> str:
    m = results["machine"]
    counts = results["rows"]
    copy, imp, rec = results["raw_copy_s"], results["import"], results["recompute"]
    total = results["import_and_recompute_s"]
    ratio = total / copy if copy else float("inf")
    alone = results["recompute_alone"]
    lines = [
        SECTION,
        "",
        f"Mesuré le {results['date']} avec `python bench/dashboard.py --young {results['young']} "
        f"--regions {results['regions']}` (`make bench`), sur PostgreSQL {m['postgresql']}.",
        "",
        f"Machine : {m['cpus']} cœurs ({m['cpu']}), {fr(m['memory_gb'], 1)} Go de mémoire, Python {m['python']} ; "
        f"charge moyenne au départ {fr(m['load'], 1)} (machine partagée : les temps varient d'une mesure à l'autre).",
        "",
        f"Extraction : {fr(counts['jeunes'])} jeunes, {fr(counts['contacts'])} contacts, "
        f"{fr(counts['situations'])} situations, {fr(counts['dispositifs'])} entrées en dispositif, "
        f"{fr(counts['structures'])} structures ({results['regions']} régions).",
        "",
        "| Mesure | Valeur | Objectif | |",
        "|---|---|---|---|",
        f"| `COPY` brut des 5 fichiers (plancher, médiane de "
        f"{' ; '.join(fr(t, 1) for t in results.get('raw_copy_runs_s', [copy]))} s) | {fr(copy, 1)} s | | |",
        f"| `import_extract` complet, import puis recalcul (processus entier) | {fr(total, 1)} s | | |",
        f"| dont l'import (journal de l'import) | {fr(imp['seconds'], 1)} s | | |",
        f"| dont le recalcul (journal du recalcul) | {fr(rec['seconds'], 1)} s | | |",
        f"| import + recalcul / `COPY` brut | {fr(ratio, 2)} × | ≤ {fr(TARGET_RATIO)} × | "
        f"{verdict(ratio <= TARGET_RATIO)} |",
        f"| mémoire maximale de l'import (et du recalcul qui le suit) | {fr(imp['peak_mb'])} Mo | "
        f"≤ {fr(TARGET_MEMORY_MB)} Mo | {verdict(imp['peak_mb'] <= TARGET_MEMORY_MB)} |",
        f"| recalcul relancé seul (`recompute_indicators --sync`, processus entier) | {fr(alone['seconds'], 1)} s, "
        f"{fr(alone['peak_mb'])} Mo au plus | | |",
    ]
    breakdown = (
        f"Import seul : {fr(imp['seconds'] / copy, 1)} × le `COPY` brut ; recalcul seul : "
        f"{fr(rec['seconds'] / copy, 1)} × ; démarrage du processus et reste : "
        f"{fr((total - imp['seconds'] - rec['seconds']) / copy, 1)} ×."
    )
    for page in results["pages"]:
        ok = page["p95_ms"] <= TARGET_P95_MS and page["queries"] <= TARGET_QUERIES
        lines.append(
            f"| page {page['label'].lower()} ({page['reader']}, `{page['path']}`) : p50 / p95, requêtes SQL | "
            f"{fr(page['p50_ms'], 1)} / {fr(page['p95_ms'], 1)} ms, {page['queries']} requêtes | "
            f"p95 ≤ {fr(TARGET_P95_MS)} ms, ≤ {TARGET_QUERIES} requêtes | {verdict(ok)} |"
        )
    for page in results["pages"]:
        lines.append(
            f"| page {page['label'].lower()}, graphiques pas encore en cache (médiane de 5) | "
            f"{fr(page['cold_ms'], 1)} ms, {page['cold_queries']} requêtes | | |"
        )
    lines += [
        "",
        f"Pages : {results['requests']} requêtes chacune après 3 d'échauffement, client de test de Django dans le "
        "processus (temps serveur, réseau exclu), réglages de production (DEBUG désactivé), calcul validé. "
        "Les graphiques d'un périmètre sont rendus une fois par calcul puis servis depuis le cache "
        "(un calcul ne change plus une fois terminé) : la ligne « pas encore en cache » donne le premier affichage. "
        "Import et recalcul : `import_extract` dans un processus enfant, qui recalcule après l'import "
        "(sans Redis, la tâche de recalcul s'exécute dans le même processus une fois l'import validé) ; "
        "mémoire = taille résidente maximale (`os.wait4`).",
    ]
    lines += ["", breakdown]
    if results.get("import_phases"):
        lines += ["", f"Phases de l'import (journal de l'importeur) : {results['import_phases']}."]
    if results.get("recompute_phases"):
        lines += ["", f"Phases du recalcul (journal) : {results['recompute_phases']}."]
    return "\n".join(lines) + "\n"


def write_docs(section: str) -> None:
    """Replace the "Tableau de bord" section of docs/performance.md, keeping the others."""
    if DOCS.exists():
        text = DOCS.read_text(encoding="utf-8")
    else:
        text = "# Performances\n\nMesures de `make bench` (voir `bench/README.md`).\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    log(f"Chiffres écrits dans {DOCS.relative_to(ROOT)}")


# The import's duration (its record: start to commit) and the recompute's, from their log lines.
IMPORT_DONE = r"Import n° \d+ réussi en (?:(\d+) min )?([\d,]+) s"
RECOMPUTE_DONE = r"Recompute \d+: \d+ values, \d+ periods, ()([\d.]+) s"


def _logged_seconds(output: str, pattern: str) -> float:
    found = re.findall(pattern, output)
    if not found:
        raise SystemExit(f"Durée introuvable dans la sortie ({pattern}) :\n{output[-2000:]}")
    minutes, seconds = found[-1]
    return int(minutes or 0) * 60 + float(seconds.replace(",", "."))


def _phases(output: str, pattern: str) -> str:
    """The last log line's part matching ``pattern`` (its group 1)."""
    found = re.findall(pattern, output)
    return found[-1].strip() if found else ""


# --- Main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--young", type=int, default=1_400_000, help="jeunes de l'extraction (1 400 000)")
    parser.add_argument("--regions", type=int, default=26, help="régions (26)")
    parser.add_argument("--seed", type=int, default=1, help="graine de make_extract.py (1)")
    parser.add_argument("--requests", type=int, default=50, help="requêtes mesurées par page (50)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--write-docs", action="store_true", help="écrire les chiffres dans docs/performance.md")
    parser.add_argument("--json", type=Path, help="écrire aussi les chiffres bruts dans ce fichier JSON")
    parser.add_argument("--from-json", type=Path, help="ne rien mesurer : refaire le compte rendu de ce fichier JSON")
    options = parser.parse_args()
    if options.from_json:
        section = report(json.loads(options.from_json.read_text()))
        print(section)
        if options.write_docs:
            write_docs(section)
        return 0

    url = options.database_url
    results: dict = {
        "date": datetime.date.today().strftime("%d/%m/%Y"),
        "young": options.young,
        "regions": options.regions,
        "requests": options.requests,
        "machine": machine(url),
    }
    folder, generation = generate(options.young, options.regions, options.seed)
    results["generation_s"] = generation
    results["rows"] = line_counts(folder)
    log("Lignes : " + ", ".join(f"{name} {fr(count)}" for name, count in results["rows"].items()))

    settings_dir = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    (settings_dir / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([str(settings_dir), str(ROOT)]),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "https://bench.invalid",
        "LOG_LEVEL": "INFO",
    }
    env.pop("REDIS_URL", None)  # the recompute runs here, not in a worker
    env["TASKS_IN_PROCESS"] = "true"  # production settings refuse to start without Redis otherwise

    log(f"Base {url} recréée, migrations…")
    recreate_database(url)
    run_child([PYTHON, MANAGE, "migrate", "--noinput", "-v0"], env)

    log("COPY brut des 5 fichiers (plancher)…")
    # Three times, the median kept: one COPY varies by a second or so from run to run here.
    results["raw_copy_runs_s"] = [raw_copy(url, folder) for _ in range(FLOOR_RUNS)]
    results["raw_copy_s"] = statistics.median(results["raw_copy_runs_s"])
    log(f"  {fr(results['raw_copy_s'], 1)} s (médiane de {' ; '.join(fr(t, 1) for t in results['raw_copy_runs_s'])})")

    log("import_extract (import, puis recalcul)…")
    imported = run_child([PYTHON, MANAGE, "import_extract", str(folder), "--as-of", AS_OF, "--provisional"], env)
    results["import_and_recompute_s"] = imported.seconds
    results["import"] = {"seconds": _logged_seconds(imported.output, IMPORT_DONE), "peak_mb": imported.peak_mb}
    results["recompute"] = {"seconds": _logged_seconds(imported.output, RECOMPUTE_DONE)}
    results["import_phases"] = _phases(imported.output, r"dashboard\.importer\.core Import \d+ : (.*)")
    results["recompute_phases"] = _phases(imported.output, r"Recompute \d+ timings: (.*)")
    log(
        f"  {fr(imported.seconds, 1)} s (import {fr(results['import']['seconds'], 1)} s, recalcul "
        f"{fr(results['recompute']['seconds'], 1)} s), {fr(imported.peak_mb)} Mo au plus"
    )

    log("recompute_indicators --sync (seul)…")
    recomputed = run_child([PYTHON, MANAGE, "recompute_indicators", "--sync"], env)
    results["recompute_alone"] = {"seconds": recomputed.seconds, "peak_mb": recomputed.peak_mb}
    log(f"  {fr(recomputed.seconds, 1)} s, {fr(recomputed.peak_mb)} Mo au plus")

    log(f"Pages ({options.requests} requêtes chacune)…")
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")})
    os.environ.update({key: env[key] for key in ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SITE_URL")})
    os.environ["TASKS_IN_PROCESS"] = env["TASKS_IN_PROCESS"]
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path[:0] = [str(settings_dir), str(ROOT)]
    pages = measure_pages(options.requests)
    results["pages"] = [{k: v for k, v in asdict(page).items() if k != "samples"} for page in pages]

    section = report(results)
    print()
    print(section)
    if options.write_docs:
        write_docs(section)
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    ratio = results["import_and_recompute_s"] / results["raw_copy_s"]
    missed = (
        ratio > TARGET_RATIO
        or results["import"]["peak_mb"] > TARGET_MEMORY_MB
        or any(p["p95_ms"] > TARGET_P95_MS or p["queries"] > TARGET_QUERIES for p in results["pages"])
    )
    if missed:
        log("Au moins un objectif est manqué (voir le tableau).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
