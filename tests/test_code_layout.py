"""Files and functions a reader can hold (issue 16): no module over 500 lines and no function over 60,
outside migrations, in the apps and the benchmarks. A longer one is split by what it does (phases,
entities), not cut at the line count: see how `dashboard/importer/` or `mobility/models/` are split."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from tests.sources import product_files

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60


def python_files() -> list[Path]:
    bench = sorted((Path(settings.BASE_DIR) / "bench").rglob("*.py"))
    return [*product_files(), *bench]


def function_lengths(path: Path):
    """(name, first line, length) of each function, its decorators counted."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            yield node.name, first, node.end_lineno - first + 1


def where(path: Path) -> Path:
    return path.relative_to(settings.BASE_DIR)


def test_no_module_is_over_500_lines():
    too_long = [
        f"{where(path)}: {count} lines"
        for path in python_files()
        if (count := len(path.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert not too_long, "\n".join(too_long)


def test_no_function_is_over_60_lines():
    too_long = [
        f"{where(path)}:{first} {name}: {length} lines"
        for path in python_files()
        for name, first, length in function_lengths(path)
        if length > MAX_FUNCTION_LINES
    ]
    assert not too_long, "\n".join(too_long)


def test_the_walk_reads_every_app_and_the_benchmarks():
    read = {where(path).parts[0] for path in python_files()}
    assert {"cnml", "dashboard", "practices", "surveys", "mobility", "alternance", "bench"} <= read
