"""The dashboard's demo: the sample extract imported and computed as « données de démonstration », idempotent.

The CNML never validates the demo's invented figures; the public page shows them, said to be
demonstration data, while no real figures are published.
"""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from cnml.demo import demo_load_network
from dashboard.demo import DEMO_EXTRACTED_ON, demo_load_dashboard, sample_path
from dashboard.models import ExtractImport, ImportStatus, IndicatorValue, Snapshot
from tests.dashboard.conftest import SAMPLE_COUNTS
from tests.dashboard.test_pages import row_text, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_network(db):
    demo_load_network(stdout=io.StringIO())


def test_demo_imports_the_sample_and_computes_it_as_demo_data_never_validated(demo_network, client):
    out = io.StringIO()
    snapshot = demo_load_dashboard(stdout=out)

    extract_import = ExtractImport.objects.get()
    assert extract_import.status == ImportStatus.SUCCEEDED
    assert extract_import.path == str(sample_path())
    assert extract_import.extracted_on == DEMO_EXTRACTED_ON
    assert extract_import.provisional
    assert extract_import.created_by.email == "relecteur@demo.cnml.fr"
    assert extract_import.row_counts == SAMPLE_COUNTS
    assert extract_import.demo and snapshot.data_demo
    assert not snapshot.is_validated and snapshot.validated_by is None and snapshot.validated_at is None
    assert snapshot.periods[0] == "2009-T1" and snapshot.periods[-1] == "2011-T4"
    assert "données de démonstration" in out.getvalue()
    assert "validé" not in out.getvalue()

    # The public page shows the sample's figures: 2011 against 2010, whole years.
    national = IndicatorValue.objects.get(
        snapshot=snapshot, scope_kind="national", period="2011-T4", indicator="jeunes_accueillis"
    )
    response = client.get("/tableau-de-bord/")
    assert row_text(response, "Jeunes accueillis").split(" ")[1] == str(int(national.value))
    text = text_of(response)
    assert "Données de démonstration" in text
    assert "données de démonstration, inventées" in text
    assert "Chiffres validés par le CNML" not in text and "validé par le CNML" not in text


def test_demo_run_twice_imports_and_computes_nothing_more(demo_network):
    first = demo_load_dashboard(stdout=io.StringIO())
    out = io.StringIO()
    second = demo_load_dashboard(stdout=out)

    assert second.pk == first.pk
    assert ExtractImport.objects.count() == 1
    assert Snapshot.objects.count() == 1
    assert out.getvalue() == ""


def test_demo_imports_again_when_another_extract_replaced_the_sample(demo_network):
    first = demo_load_dashboard(stdout=io.StringIO())
    ExtractImport.objects.create(
        status=ImportStatus.SUCCEEDED, path="/ailleurs", extracted_on=DEMO_EXTRACTED_ON, finished_at=timezone.now()
    )

    second = demo_load_dashboard(stdout=io.StringIO())

    assert second.pk != first.pk
    assert ExtractImport.objects.filter(path=str(sample_path()), status=ImportStatus.SUCCEEDED).count() == 2
    assert second.data_demo and not second.is_validated


def test_demo_without_the_sample_says_so_and_loads_nothing(demo_network, settings, tmp_path):
    settings.DEMO_DATA_DIR = tmp_path
    out = io.StringIO()

    assert demo_load_dashboard(stdout=out) is None
    assert "absente" in out.getvalue()
    assert not ExtractImport.objects.exists()
