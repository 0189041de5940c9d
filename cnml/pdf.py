"""PDF documents rendered from HTML templates with WeasyPrint.

PDF templates extend ``pdf/base.html`` and its print stylesheet
(``static/cnml/print.css``), not the DSFR's screen CSS (WeasyPrint cannot parse
all of it). Static files are read from disk through the finders, never fetched
over the network. Pages are A4; a document with wide tables (the dashboards, the
call report) sets ``{% block body_class %}pdf-landscape{% endblock %}`` to be printed
across the page. Every PDF must fit its page: ``tests/test_every_pdf_fits.py``.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _static_fetcher():
    """A fetcher reading /static/ URLs from disk and refusing anything remote."""
    from weasyprint.urls import URLFetcher

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if "/static/" in url and not url.startswith("data:"):
                relative = url.split("/static/", 1)[1].split("?", 1)[0].split("#", 1)[0]
                path = finders.find(relative)
                if path:
                    return super().fetch(f"file://{path}", headers)
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"Ressource refusée dans un PDF : {url}")

    return StaticFetcher(allowed_protocols=("file", "data"))


def render_pdf(template: str, context: dict, *, request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="file:///", url_fetcher=_static_fetcher()).write_pdf()


def pdf_response(template: str, context: dict, *, filename: str, request: HttpRequest | None = None) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
