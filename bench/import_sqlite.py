"""Benchmark of the embedded default: an extract imported on SQLite, the public page read meanwhile.

One command (nothing but the project's virtualenv is needed)::

    .venv/bin/python bench/import_sqlite.py                 # 20 000 young people (a demo-size extract)
    .venv/bin/python bench/import_sqlite.py --young 50000 --write-docs

In a throw-away SQLite file (WAL, as ``cnml/settings.py`` opens it), with the tasks in process
(no Redis, as ``make run``):

1. writes a synthetic extract with ``make_extract.py --young N --regions R`` into
   ``bench/data/`` (git-ignored; reused by the next run with the same arguments);
2. ``manage.py import_extract PATH --as-of 2011-12-31`` — the import, then the recompute in the
   same process, as an operator runs it — timed, with the import's phases from its log line;
3. validates the snapshot, then imports the same extract again with ``--no-recompute`` while a
   second process reads the public national page in a loop: the import's time, and the page's
   answers meanwhile (count, errors such as « database is locked », p50 / p95 / max).

It prints the figures and, with ``--write-docs``, writes them in ``docs/performance.md``,
section "Tableau de bord sur SQLite". Options: ``--help``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard_report import fr

# The PostgreSQL bench's tools: its paths and log, its extract generator (bench/data/), its children's
# environment (production settings, plain static files, tasks in process, no Redis), its log parser.
from dashboard import AS_OF, DOCS, IMPORT_DONE, MANAGE, PYTHON, ROOT, _logged_seconds, bench_environment, generate, log

SECTION = "## Tableau de bord sur SQLite (installation embarquée)"
PUBLIC_PAGE = "/tableau-de-bord/"

# Run in a child process beside the import: the public page read until the stop file appears.
READER = """
import json, os, sys, time
import django
django.setup()
from django.test import Client
stop = sys.argv[1]
client = Client()
answers, errors, samples = 0, {}, []
while not os.path.exists(stop):
    started = time.perf_counter()
    try:
        status = str(client.get(sys.argv[2]).status_code)
    except Exception as exc:  # the test client raises what the server would answer 500 for
        status = type(exc).__name__ + ": " + str(exc)[:80]
    samples.append((time.perf_counter() - started) * 1000)
    answers += 1
    if status != "200":
        errors[status] = errors.get(status, 0) + 1
    time.sleep(0.05)
samples.sort()
print(json.dumps({"answers": answers, "errors": errors, "p50_ms": samples[len(samples) // 2],
                  "p95_ms": samples[int(len(samples) * 0.95)], "max_ms": samples[-1]}))
"""

VALIDATE = """
import django
django.setup()
from cnml.models import Role, Structure, StructureKind, User
from dashboard.models import Snapshot
from dashboard.publication import snapshot_validate
cnml, _ = Structure.objects.get_or_create(code="CNML", defaults={"name": "CNML", "kind": StructureKind.CNML})
reviewer, _ = User.objects.get_or_create(email="relecteur@bench.invalid", defaults={"role": Role.RELECTEUR_CNML, "structure": cnml})
snapshot_validate(snapshot_id=Snapshot.objects.latest_computed().pk, user=reviewer)
"""


def run(arguments: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(arguments, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit(f"Échec de {' '.join(arguments[1:3])} (code {done.returncode}).")
    return elapsed, done.stdout + done.stderr


def phases(output: str) -> str:
    found = re.findall(r'Import \d+ : ([^"\n]*)', output)
    return found[-1].strip() if found else ""


def measure(young: int, regions: int, seed: int) -> dict:
    folder, _ = generate(young, regions, seed)
    with tempfile.TemporaryDirectory(prefix="cnml-bench-sqlite-") as directory:
        env = bench_environment(f"sqlite:///{Path(directory) / 'db.sqlite3'}", Path(directory))
        log("Base SQLite neuve : migrations…")
        run([PYTHON, MANAGE, "migrate", "-v", "0"], env)
        log("Import puis recalcul (manage.py import_extract)…")
        full_wall, full_output = run([PYTHON, MANAGE, "import_extract", str(folder), "--as-of", AS_OF], env)
        run([PYTHON, "-c", VALIDATE], env)
        log("Second import, la page publique lue pendant ce temps…")
        stop = Path(directory) / "stop"
        reader = subprocess.Popen(
            [PYTHON, "-c", READER, str(stop), PUBLIC_PAGE], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        time.sleep(3)  # the reader's Django is up and reading before the import starts
        wall, output = run([PYTHON, MANAGE, "import_extract", str(folder), "--as-of", AS_OF, "--no-recompute"], env)
        stop.write_text("")
        page = json.loads(reader.communicate(timeout=120)[0].strip().splitlines()[-1])
    return {
        "young": young,
        "regions": regions,
        "rows": {path.name: sum(1 for _ in path.open()) - 1 for path in sorted(folder.glob("*.csv"))},
        "full_wall_s": full_wall,
        "full_import_s": _logged_seconds(full_output, IMPORT_DONE),
        "import_wall_s": wall,
        "import_s": _logged_seconds(output, IMPORT_DONE),
        "phases": phases(output),
        "page": page,
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "date": f"{datetime.date.today():%d/%m/%Y}",
    }


def report(results: dict) -> str:
    page = results["page"]
    errors = ", ".join(f"{count} × {status}" for status, count in page["errors"].items()) or "aucune"
    rows = ", ".join(f"{name} {fr(count)}" for name, count in results["rows"].items())
    return "\n".join(
        [
            SECTION,
            "",
            f"Mesuré par `bench/import_sqlite.py` le {results['date']} ({results['cpus']} cœurs partagés, "
            f"charge {fr(results['load'], 1)} au départ), extraction de `make_extract.py --young "
            f"{results['young']} --regions {results['regions']}` ({rows} lignes).",
            "",
            "| mesure | durée |",
            "|---|---|",
            f"| import seul (`--no-recompute`, enregistrement de l'import) | {fr(results['import_s'], 1)} s |",
            f"| import seul, processus entier (démarrage de Django compris) | {fr(results['import_wall_s'], 1)} s |",
            f"| import puis recalcul (`import_extract`, processus entier) | {fr(results['full_wall_s'], 1)} s |",
            "",
            f"Phases de l'import : {results['phases']}.",
            "",
            f"Page publique nationale lue pendant le second import : {fr(page['answers'])} réponses, "
            f"erreurs : {errors} ; p50 {fr(page['p50_ms'])} ms, p95 {fr(page['p95_ms'])} ms, "
            f"max {fr(page['max_ms'])} ms.",
        ]
    )


def write_docs(section: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^### Avant|^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    log(f"Chiffres écrits dans {DOCS.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--young", type=int, default=20_000, help="jeunes de l'extraction (20 000)")
    parser.add_argument("--regions", type=int, default=3, help="régions (3)")
    parser.add_argument("--seed", type=int, default=1, help="graine de make_extract.py (1)")
    parser.add_argument("--write-docs", action="store_true", help="écrire les chiffres dans docs/performance.md")
    options = parser.parse_args()
    results = measure(options.young, options.regions, options.seed)
    section = report(results)
    print(section)
    if options.write_docs:
        write_docs(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
