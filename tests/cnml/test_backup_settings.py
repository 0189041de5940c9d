"""The backups' settings from the environment (docs/environment.md): read, and refused loudly when wrong;
the media commands are the core's, on the private uploads (cnml/backups.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.cnml.test_settings import settings_loaded

BASE_DIR = Path(__file__).resolve().parents[2]
READ = (
    "import json; from django.conf import settings as s; print(json.dumps({'dir': str(s.BACKUP_DIR), "
    "'storage': s.STORAGES['dbbackup']['OPTIONS']['location'], 'keep': s.DBBACKUP_CLEANUP_KEEP, "
    "'keep_media': s.DBBACKUP_CLEANUP_KEEP_MEDIA}))"
)


def settings_with(**variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnml.settings", "DEBUG": "true", **variables}
    code = f"import django; django.setup(); {READ}"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)


def loaded_with(**variables: str):
    """The settings of ``settings_with``'s environment, loaded in this process (a refusal costs no process)."""
    return settings_loaded({**os.environ, "DJANGO_SETTINGS_MODULE": "cnml.settings", "DEBUG": "true", **variables})


def test_the_backup_folder_and_retention_come_from_the_environment(tmp_path):
    result = settings_with(
        BACKUP_DIR=str(tmp_path / "sauvegardes"),
        BACKUP_KEEP="30",
        BACKUP_KEEP_MEDIA="7",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "dir": str(tmp_path / "sauvegardes"),
        "storage": str(tmp_path / "sauvegardes"),
        "keep": 30,
        "keep_media": 7,
    }


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BACKUP_KEEP", "0", "Variable d'environnement BACKUP_KEEP invalide : 0 (attendu : entre 1 et 366)."),
        ("BACKUP_KEEP_MEDIA", "sept", "Variable d'environnement BACKUP_KEEP_MEDIA invalide"),
        ("BACKUP_DIR", "sauvegardes", "Variable d'environnement BACKUP_DIR invalide : « sauvegardes »"),
        ("BACKUP_DIR", "{private}/sauvegardes", "hors de PRIVATE_MEDIA_ROOT et de MEDIA_ROOT"),
    ],
)
def test_a_wrong_backup_setting_stops_the_start_naming_it(tmp_path, variable, value, expected):
    private = tmp_path / "private"
    result = loaded_with(**{"PRIVATE_MEDIA_ROOT": str(private), variable: value.format(private=private)})

    assert result.returncode != 0
    assert expected in result.stderr


def test_media_backup_and_restore_are_the_cores_on_the_private_uploads():
    commands = get_commands()

    assert commands["mediabackup"] == commands["mediarestore"] == "cnml"
    assert commands["dbbackup"] == commands["dbrestore"] == "dbbackup"
