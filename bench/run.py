"""``make bench``: every benchmark of the project, one after the other, on PostgreSQL.

    .venv/bin/python bench/run.py                  # national scale (1 400 000 young people)
    .venv/bin/python bench/run.py --young 200000   # a quicker dashboard run
    .venv/bin/python bench/run.py --only dashboard

Runs ``bench/dashboard.py`` (tableau de bord: import, recompute, pages) and,
when it is there, ``bench/surveys.py`` (enquêtes). Each one writes its section
of ``docs/performance.md``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--young", type=int, help="jeunes de l'extraction du tableau de bord (1 400 000)")
    parser.add_argument("--only", choices=["dashboard", "sqlite", "surveys"], help="une seule mesure")
    options, extra = parser.parse_known_args()

    runs = []
    if options.only in (None, "dashboard"):
        arguments = [sys.executable, str(BENCH / "dashboard.py"), "--write-docs", *extra]
        if options.young:
            arguments += ["--young", str(options.young)]
        runs.append(("Tableau de bord", arguments))
    if options.only in (None, "sqlite"):  # the embedded default: a demo-size extract on SQLite
        runs.append(("Tableau de bord sur SQLite", [sys.executable, str(BENCH / "import_sqlite.py"), "--write-docs"]))
    surveys = BENCH / "surveys.py"
    if options.only in (None, "surveys") and surveys.exists():
        runs.append(("Enquêtes", [sys.executable, str(surveys)]))

    failures = []
    for label, arguments in runs:
        print(f"=== {label} : {' '.join(arguments[1:])}", flush=True)
        if subprocess.run(arguments, cwd=BENCH.parent).returncode != 0:
            failures.append(label)
    if failures:
        print(f"Échec : {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
