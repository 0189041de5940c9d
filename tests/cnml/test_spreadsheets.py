"""The one writer of spreadsheets (``cnml.spreadsheets``): users' text never runs as a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.apps import apps
from django.contrib import admin
from django.utils.text import format_lazy
from import_export import fields, resources, widgets
from import_export.mixins import BaseExportMixin

from cnml import spreadsheets
from cnml.models import Region, Role

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=", "-"]


def dataset(*rows, headers=("Nom", "Valeur"), title="Feuille") -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=list(headers), title=title)


def read_csv(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))


def cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


# --- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_puts_an_apostrophe_before_text_that_would_run_as_a_formula(text):
    rows = read_csv(spreadsheets.csv_text(dataset([text, 1])))

    assert rows[1] == [f"'{text}", "1"]


def test_csv_leaves_numbers_alone_negative_ones_included_with_french_decimal_commas():
    rows = read_csv(spreadsheets.csv_text(dataset([-6.5, -3], [Decimal("-1.25"), None], ["-6,5", "+33"])))

    assert rows[1:] == [["-6,5", "-3"], ["-1,25", ""], ["-6,5", "+33"]]


def test_csv_leaves_text_alone_when_it_does_not_start_like_a_formula():
    rows = read_csv(spreadsheets.csv_text(dataset(["Saint-Denis", "a=b"], ["Mission locale « Est »", "1 + 1"])))

    assert rows[1:] == [["Saint-Denis", "a=b"], ["Mission locale « Est »", "1 + 1"]]


def test_csv_neutralises_lazy_text_too():
    rows = read_csv(spreadsheets.csv_text(dataset([format_lazy("={}", "1+1"), 2])))

    assert rows[1] == ["'=1+1", "2"]


def test_csv_keeps_the_french_conventions_of_the_pages():
    text = spreadsheets.csv_text(dataset(["Région Sud", 4.7], ["Nord;Est", 12]))

    assert text == '\ufeffNom;Valeur\r\nRégion Sud;4,7\r\n"Nord;Est";12\r\n'


def test_csv_of_a_machine_interface_keeps_points_commas_and_line_feeds_as_asked():
    stream = io.StringIO()
    spreadsheets.write_csv(
        stream,
        [["=1+1", 25.0, -33.3]],
        headers=["label", "value", "evolution"],
        decimal_comma=False,
        lineterminator="\n",
    )

    assert stream.getvalue() == "label;value;evolution\n'=1+1;25.0;-33.3\n"


def test_csv_response_is_an_attachment_in_utf8():
    response = spreadsheets.csv_response(dataset(["@SUM(A1)", 1]), filename="liste.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="liste.csv"'
    assert read_csv(response.content.decode("utf-8"))[1] == ["'@SUM(A1)", "1"]


# --- XLSX -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_stores_text_that_looks_like_a_formula_as_text_with_the_users_characters(text):
    content = spreadsheets.xlsx_bytes(dataset([text, 1]))

    cell = next(cell for cell in cells(content) if cell.row == 2 and cell.column == 1)
    assert cell.data_type == "s"
    assert cell.quotePrefix  # Excel's « typed with an apostrophe »: it stays text when edited
    assert cell.value == text.replace("\r", "\n")  # XML reads a carriage return as a line feed
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[ >]", sheet), "aucune formule dans le fichier"


def test_xlsx_of_a_databook_has_no_formula_in_any_sheet_and_keeps_their_titles():
    book = tablib.Databook([dataset(["=1+1", 1], title="Projets"), dataset(["@A1", 2], title="Régions")])

    content = spreadsheets.xlsx_bytes(book)

    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["Projets", "Régions"]
    assert all(cell.data_type != "f" for cell in cells(content))
    assert {cell.value for cell in cells(content) if cell.quotePrefix} == {"=1+1", "@A1"}


def test_xlsx_keeps_numbers_as_numbers_negative_ones_included():
    content = spreadsheets.xlsx_bytes(dataset([-6.5, Decimal("-1.25")], [-3, None]))

    values = [(cell.value, cell.data_type) for cell in cells(content) if cell.row > 1 and cell.value is not None]
    assert values == [(-6.5, "n"), (-1.25, "n"), (-3, "n")]


def test_xlsx_keeps_an_error_code_typed_by_a_user_as_text():
    content = spreadsheets.xlsx_bytes(dataset(["#N/A", 1]))

    cell = next(cell for cell in cells(content) if cell.value == "#N/A")
    assert cell.data_type == "s"


def test_xlsx_response_is_an_attachment():
    response = spreadsheets.xlsx_response(dataset(["x", 1]), filename="bilan.xlsx")

    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="bilan.xlsx"'


# --- The admin (django-import-export) -------------------------------------------------------------


def test_every_admin_export_writes_through_the_writer():
    exporting = [
        model_admin
        for model in apps.get_models()
        if admin.site.is_registered(model)
        and isinstance(model_admin := admin.site.get_model_admin(model), BaseExportMixin)
    ]

    assert exporting
    for model_admin in exporting:
        assert model_admin.get_export_formats() == spreadsheets.ADMIN_EXPORT_FORMATS, type(model_admin).__name__


def test_admin_xlsx_refuses_a_control_character_with_a_french_message_the_admin_shows():
    with pytest.raises(ValueError, match="caractère de contrôle"):
        spreadsheets.AdminXLSX().export_data(dataset(["Nom\x01", 1]))


class NumberedRegionResource(resources.ModelResource):
    """A resource with a typed widget, as any resource may have: its numbers must stay numbers."""

    numero = fields.Field(attribute="pk", column_name="numero", widget=widgets.IntegerWidget())

    class Meta:
        model = Region
        fields = ("numero", "name")


def test_admin_xlsx_keeps_the_numbers_of_typed_widgets_as_numbers(users, network, client_for, monkeypatch):
    region_admin = admin.site.get_model_admin(Region)
    monkeypatch.setattr(region_admin, "get_export_resource_classes", lambda request: [NumberedRegionResource])
    index = spreadsheets.ADMIN_EXPORT_FORMATS.index(spreadsheets.AdminXLSX)
    data = {
        "format": str(index),
        "resource": "0",
        "numberedregionresource_numero": "on",
        "numberedregionresource_name": "on",
    }

    response = client_for(users[Role.ADMINISTRATEUR]).post("/admin/cnml/region/export/", data)

    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header == ("numero", "name")
    assert (network.region_a.pk, "Région Alpha") in rows  # an integer, not "1"
