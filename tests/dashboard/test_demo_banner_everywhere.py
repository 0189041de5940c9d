"""The demo's figures say they are demonstration data on every page of the tableau de bord, and in
every export (CSV, XLSX, PDF): each address of the ``dashboard`` URL conf is walked with the demo
loaded as ``manage.py demo`` leaves it (the sample shipped in the project, never validated)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from cnml.demo import demo_load_network
from cnml.models import User
from dashboard.demo import demo_load_dashboard
from dashboard.exports import FORMATS
from tests.dashboard.test_pages import text_of
from tests.routes import url_patterns

pytestmark = pytest.mark.django_db

# The sample's region and a mission locale of it (cnml/demo_data/extract-sample/structures.csv).
ARGUMENTS = {"code": {"region": "93", "structure": "ML93001"}}


def addresses() -> list[str]:
    """Every page and export of the dashboard's URL conf."""
    urls = []
    for name, route in url_patterns():
        if not (name or "").startswith("dashboard:"):
            continue
        kwargs = {}
        if "<str:code>" in route:
            kwargs["code"] = ARGUMENTS["code"]["structure" if "/structures/" in route else "region"]
        formats = FORMATS if "<export_format:fmt>" in route else [None]
        for fmt in formats:
            urls.append(reverse(name, kwargs=kwargs | ({"fmt": fmt} if fmt else {})))
    return urls


def said(response) -> str:
    """The text a reader of the response reads, whatever its format."""
    content_type = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body))
        return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    if content_type.startswith("text/csv"):
        return body.decode("utf-8-sig")
    response.content = body
    return text_of(response)


def test_every_dashboard_page_and_export_of_the_demo_says_demonstration_data(client):
    demo_load_network(stdout=io.StringIO())
    assert demo_load_dashboard(stdout=io.StringIO()) is not None
    client.force_login(User.objects.get(email="relecteur@demo.cnml.fr"))
    walked, silent = [], []
    for url in addresses():
        response = client.get(url)
        assert response.status_code == 200, f"{url} → {response.status_code}"
        walked.append(url)
        if "démonstration" not in " ".join(said(response).split()).lower():
            silent.append(url)

    assert len(walked) >= 20, walked
    assert silent == [], f"sans la mention « données de démonstration » : {silent}"
