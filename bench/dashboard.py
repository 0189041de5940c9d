"""Benchmark of the tableau de bord at national scale, on PostgreSQL.

One command (PostgreSQL must be running; nothing else is needed)::

    .venv/bin/python bench/dashboard.py                 # 1 400 000 young people, 26 regions
    .venv/bin/python bench/dashboard.py --young 200000  # a quicker run

What it does, in a throw-away PostgreSQL database (``cnml_bench_dashboard`` by default,
dropped and created again at the start):

1. writes a synthetic extract with ``bench/make_extract.py --young N
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
from dataclasses import asdict, dataclass
from pathlib import Path

from dashboard_pages import measure_pages
from dashboard_report import (
    SECTION,
    TARGET_MEMORY_MB,
    TARGET_P95_MS,
    TARGET_QUERIES,
    TARGET_RATIO,
    fr,
    report,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
DATA_DIR = ROOT / "bench" / "data"
DOCS = ROOT / "docs" / "performance.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cnml_bench_dashboard"
FILES = ("structures", "jeunes", "contacts", "situations", "dispositifs")
AS_OF = "2011-12-31"  # make_extract.py writes 2009-2011
FLOOR_RUNS = 3

SETTINGS_MODULE = "bench_dashboard_settings"
SETTINGS_SOURCE = '''"""Settings of bench/dashboard.py: production settings, plain static storage (no collectstatic)."""
from cnml.settings import *  # noqa: F401,F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
'''


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
    """The generator of synthetic extracts, shipped with the benchmarks (a fresh clone needs nothing else)."""
    return ROOT / "bench" / "make_extract.py"


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


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--young", type=int, default=1_400_000, help="jeunes de l'extraction (1 400 000)")
    parser.add_argument("--regions", type=int, default=26, help="régions (26)")
    parser.add_argument("--seed", type=int, default=1, help="graine de make_extract.py (1)")
    parser.add_argument("--requests", type=int, default=50, help="requêtes mesurées par page (50)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--write-docs", action="store_true", help="écrire les chiffres dans docs/performance.md")
    parser.add_argument("--json", type=Path, help="écrire aussi les chiffres bruts dans ce fichier JSON")
    parser.add_argument("--from-json", type=Path, help="ne rien mesurer : refaire le compte rendu de ce fichier JSON")
    return parser.parse_args()


def bench_environment(url: str, settings_dir: Path) -> dict[str, str]:
    """The environment of the child processes: production settings on the bench's database, no Redis."""
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
    return env


def measure_floor(url: str, folder: Path, results: dict) -> None:
    log("COPY brut des 5 fichiers (plancher)…")
    # Three times, the median kept: one COPY varies by a second or so from run to run here.
    results["raw_copy_runs_s"] = [raw_copy(url, folder) for _ in range(FLOOR_RUNS)]
    results["raw_copy_s"] = statistics.median(results["raw_copy_runs_s"])
    log(f"  {fr(results['raw_copy_s'], 1)} s (médiane de {' ; '.join(fr(t, 1) for t in results['raw_copy_runs_s'])})")


def measure_import(folder: Path, env: dict[str, str], results: dict) -> None:
    """``import_extract`` (import, then recompute) in a child process, then ``recompute_indicators`` alone."""
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


def measure_pages_here(requests: int, env: dict[str, str], settings_dir: Path, results: dict) -> None:
    """The pages, in this process, with the children's settings (quieter logs)."""
    log(f"Pages ({requests} requêtes chacune)…")
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")})
    os.environ.update({key: env[key] for key in ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SITE_URL")})
    os.environ["TASKS_IN_PROCESS"] = env["TASKS_IN_PROCESS"]
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path[:0] = [str(settings_dir), str(ROOT)]
    pages = measure_pages(requests)
    results["pages"] = [{k: v for k, v in asdict(page).items() if k != "samples"} for page in pages]


def missed_target(results: dict) -> bool:
    ratio = results["import_and_recompute_s"] / results["raw_copy_s"]
    return (
        ratio > TARGET_RATIO
        or results["import"]["peak_mb"] > TARGET_MEMORY_MB
        or any(p["p95_ms"] > TARGET_P95_MS or p["queries"] > TARGET_QUERIES for p in results["pages"])
    )


def main() -> int:
    options = parse_arguments()
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
    env = bench_environment(url, settings_dir)
    log(f"Base {url} recréée, migrations…")
    recreate_database(url)
    run_child([PYTHON, MANAGE, "migrate", "--noinput", "-v0"], env)
    measure_floor(url, folder, results)
    measure_import(folder, env, results)
    measure_pages_here(options.requests, env, settings_dir, results)

    section = report(results)
    print()
    print(section)
    if options.write_docs:
        write_docs(section)
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if missed_target(results):
        log("Au moins un objectif est manqué (voir le tableau).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
