"""``manage.py demo`` on a fresh clone: everything it loads ships inside the project, nothing beside it.

The folder ``../shared`` the project once read its sample extract from is made unreadable for the
test (every open and stat under it fails, as on a machine that has only the clone), then the demo
runs, loads, and says what it loaded.
"""

from __future__ import annotations

import builtins
import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from cnml.demo import sample_extract_dir
from dashboard.models import ExtractImport, Snapshot
from practices.models import Fiche

pytestmark = pytest.mark.django_db

OUTSIDE = (Path(settings.BASE_DIR).resolve().parent / "shared").resolve()


def _outside(path) -> bool:
    if isinstance(path, int):  # a file descriptor
        return False
    # No resolve(): it would stat, and the stat below is guarded by this very function.
    return Path(os.path.abspath(os.fsdecode(path))).is_relative_to(OUTSIDE)


@pytest.fixture
def no_shared_folder(monkeypatch, settings):
    """A machine with the project's clone only: ``../shared`` cannot be read, nor even seen."""
    real_open, real_stat = builtins.open, os.stat
    touched: list[str] = []

    def guarded_open(file, *args, **kwargs):
        if _outside(file):
            touched.append(str(file))
            raise FileNotFoundError(2, "absent d'un clone neuf", str(file))
        return real_open(file, *args, **kwargs)

    def guarded_stat(path, *args, **kwargs):
        if _outside(path):
            touched.append(str(path))
            raise FileNotFoundError(2, "absent d'un clone neuf", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "stat", guarded_stat)
    monkeypatch.delenv("SHARED_DATA_DIR", raising=False)
    settings.DEBUG = True
    return touched


def test_the_sample_ships_inside_the_project_and_is_small():
    sample = sample_extract_dir()

    assert sample.is_relative_to(Path(settings.BASE_DIR).resolve())
    files = sorted(path.name for path in sample.iterdir())
    assert files == ["contacts.csv", "dispositifs.csv", "jeunes.csv", "situations.csv", "structures.csv"]
    assert sum(path.stat().st_size for path in sample.iterdir()) < 1024 * 1024


def test_demo_loads_without_the_shared_folder_and_says_what_it_loaded(no_shared_folder):
    out = io.StringIO()

    call_command("demo", stdout=out)

    output = out.getvalue()
    assert no_shared_folder == [], f"la démo a cherché hors du projet : {no_shared_folder}"
    assert f"Extraction d'exemple (fictive, livrée avec le projet) : {sample_extract_dir()}" in output
    assert "Réseau : les structures de structures.csv, 15 créée(s)" in output
    assert "jeunes.csv : 400" in output and "contacts.csv : 1978" in output
    assert "montrés comme données de démonstration, sans validation du CNML" in output
    assert f"Bonnes pratiques : {Fiche.objects.count()} fiche(s) de démonstration créée(s)." in output
    assert "Appels à projets\u00a0: plateformes de mobilité 2011" in output
    assert "Enquêtes :" in output
    assert "conseiller@demo.cnml.fr" in output

    extract_import = ExtractImport.objects.get()
    assert extract_import.demo and extract_import.path == str(sample_extract_dir())
    snapshot = Snapshot.objects.get(extract_import=extract_import)
    assert snapshot.value_count > 0 and not snapshot.is_validated
