"""``python manage.py recompute_indicators``."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from dashboard.models import Snapshot, SnapshotStatus
from dashboard.selectors import latest_computed_snapshot
from tests.dashboard.factories import ContactFactory, YoungPersonFactory, make_import

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recompute_indicators", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("args", [(), ("--sync",)])
def test_command_recomputes_and_prints_the_result(network, args):
    make_import(extracted_on=date(2011, 10, 15), provisional=True)
    ContactFactory(young_person=YoungPersonFactory(structure=network.ml_a1), contact_on=date(2011, 2, 3))

    output = run(*args)

    snapshot = latest_computed_snapshot()
    assert snapshot is not None
    assert f"Calcul n° {snapshot.pk} terminé" in output
    assert "périodes 2011-T1 à 2011-T3" in output
    assert "(données provisoires d'octobre 2011)" in output


def test_command_fails_clearly_without_a_successful_import(db):
    with pytest.raises(CommandError, match="Aucun import réussi"):
        run("--sync")
    assert Snapshot.objects.get().status == SnapshotStatus.FAILED


def test_command_refuses_a_failed_import(db):
    failed = make_import(status="echoue")
    with pytest.raises(CommandError, match=f"L'import n° {failed.pk} a échoué"):
        run("--sync", "--import", str(failed.pk))
