"""The product's own source files, read as text by the tests that guard "one way to do it".

``lines_matching`` lists every line of the product (not the migrations, not the one module that
may do the thing) that does by hand what one module of the core does: the spreadsheet writer
(tests/test_every_export.py), the absolute links (tests/test_every_printed_address.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings

PROJECT_APPS = ("cnml", "dashboard", "practices", "surveys", "mobility", "alternance")


def product_files(
    *, suffixes: tuple[str, ...] = (".py",), templates: bool = False, but: Iterable[Path] = ()
) -> Iterator[Path]:
    """The product's files with these suffixes, migrations left out, and the files ``but`` too;
    with ``templates``, the project's template folders also."""
    left_out = {path.resolve() for path in but}
    roots = [Path(apps.get_app_config(app).path) for app in PROJECT_APPS]
    if templates:
        roots += [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts and path.resolve() not in left_out:
                yield path


def lines_matching(paths: Iterable[Path], pattern: re.Pattern) -> list[str]:
    """``file:line: text`` of each line of ``paths`` where ``pattern`` is found."""
    return [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
