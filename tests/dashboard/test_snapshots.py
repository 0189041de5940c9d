"""Snapshots of the dashboard's public national page, a structure page and their exports (syrupy).

A silent change of what these show (a row, a figure's format, a column of an export) fails here with
a diff. If the change is wanted, update and review the stored snapshots (``__snapshots__/``)::

    .venv/bin/pytest tests/dashboard/test_snapshots.py --snapshot-update

See tests/snapshots.py for what is kept and masked (and docs/tests.md).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from cnml.models import Role
from tests.clock import NOW
from tests.dashboard.test_pages import figures, published  # noqa: F401 - fixtures
from tests.snapshots import csv_rows, main_html, xlsx_rows

# The clock stands still: the pages print when their figures were computed and validated.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
# The charts (a drawing and a table of every period each) are guarded by test_pages_charts.py.
CHARTS = (".dashboard-chart",)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def named_users(users):
    """The users' last names appear on pages (who validated): fixed, not the factory's sequence."""
    for user in users.values():
        user.last_name = "Martin"
        user.save(update_fields=["last_name"])
    return users


def test_the_public_national_page(client, named_users, published, snapshot):  # noqa: F811
    response = client.get("/tableau-de-bord/")

    assert response.status_code == 200
    assert main_html(response, collapse=CHARTS) == snapshot


def test_a_structure_page(client_for, named_users, published, snapshot):  # noqa: F811
    response = client_for(named_users[Role.DIRECTEUR]).get("/tableau-de-bord/structures/MLA1/")

    assert response.status_code == 200
    assert main_html(response, collapse=CHARTS) == snapshot


def test_the_national_exports(client, named_users, published, snapshot):  # noqa: F811
    assert csv_rows(client.get("/tableau-de-bord/export.csv")) == snapshot(name="csv")
    assert xlsx_rows(client.get("/tableau-de-bord/export.xlsx")) == snapshot(name="xlsx")


def test_a_region_exports_its_structures(client_for, named_users, published, snapshot):  # noqa: F811
    client = client_for(named_users[Role.ANIMATEUR_REGIONAL])

    assert csv_rows(client.get("/tableau-de-bord/regions/901/export.csv?tableau=structures")) == snapshot
