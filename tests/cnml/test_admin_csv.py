"""The admin's CSV exports open in French spreadsheet software like the pages' (a BOM, « ; », decimal
commas), for each app that exports from the admin, and its imports read them back."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.urls import reverse
from import_export.mixins import BaseExportMixin

from cnml import spreadsheets
from cnml.models import Region, Role, Structure
from practices.models import Fiche, Status
from tests.practices.factories import make_fiche
from tests.test_every_export import every_field

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()
# Who may export each model (the walk of tests/test_every_export.py keeps the list complete).
EXPORTERS = {Region: Role.ADMINISTRATEUR, Structure: Role.ADMINISTRATEUR, Fiche: Role.RELECTEUR_CNML}


def test_the_admin_writes_and_reads_csv_the_french_way():
    data = tablib.Dataset(["Région Sud", 4.7, Decimal("-6.25"), 3], headers=["nom", "taux", "écart", "n"])

    text = spreadsheets.AdminCSV().export_data(data)

    assert text == "\ufeffnom;taux;écart;n\r\nRégion Sud;4,7;-6,25;3\r\n"
    back = spreadsheets.AdminCSV().create_dataset(text.encode())
    assert back.headers == ["nom", "taux", "écart", "n"]
    assert back[0] == ("Région Sud", "4,7", "-6,25", "3")


def test_a_comma_separated_file_from_elsewhere_is_still_read():
    back = spreadsheets.AdminCSV().create_dataset("code,name\r\n93,Provence-Alpes-Côte d'Azur\r\n")

    assert back.dict == [{"code": "93", "name": "Provence-Alpes-Côte d'Azur"}]


def test_every_app_exporting_from_the_admin_is_checked_here():
    exporting = {
        model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, BaseExportMixin)
    }
    assert exporting == set(EXPORTERS)


@pytest.mark.parametrize("model", sorted(EXPORTERS, key=lambda model: model._meta.label))
def test_each_admin_csv_export_has_a_bom_and_semicolons(model, network, users, client_for):
    make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Accès au logement ; premiers pas")
    user = users[EXPORTERS[model]]
    model_admin = admin.site.get_model_admin(model)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    csv_index = spreadsheets.ADMIN_EXPORT_FORMATS.index(spreadsheets.AdminCSV)

    response = client_for(user).post(url, {**every_field(model_admin, user), "format": str(csv_index)})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) >= 2 and len(rows[0]) > 1, rows[:2]
    assert {len(row) for row in rows} == {len(rows[0])}
    if model is Fiche:
        # A semicolon in a title is quoted, never a column more.
        assert any("Accès au logement ; premiers pas" in row for row in rows)


def test_the_admin_imports_back_the_structures_it_exported(network, users, client_for):
    client = client_for(users[Role.ADMINISTRATEUR])
    model_admin = admin.site.get_model_admin(Structure)
    csv_index = str(spreadsheets.ADMIN_EXPORT_FORMATS.index(spreadsheets.AdminCSV))
    exported = client.post(
        "/admin/cnml/structure/export/",
        {**every_field(model_admin, users[Role.ADMINISTRATEUR]), "format": csv_index},
    ).content
    renamed = exported.replace(b"Antenne Alpha 1", "Antenne Alpha 1 – Écully".encode())
    upload = io.BytesIO(renamed)
    upload.name = "structures.csv"

    page = client.post(
        "/admin/cnml/structure/import/", {"resource": "0", "format": csv_index, "import_file": upload}
    ).content.decode()

    # The preview before confirmation: every column read, the renaming seen as a change, no error.
    text = re.sub(r"[ \t\r\n\f]+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "erreur" not in text.lower(), text[-3000:]
    assert "Mettre à jour ANTA1 Antenne Alpha 1 – Écully ANTENNE 901 MLA1 True" in text
