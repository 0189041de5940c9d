"""Pages of a long list, shown with the DSFR pagination (``cnml/includes/pagination.html``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, items: Sequence, *, per_page: int) -> dict:
    """The requested page (``?page=``; out of range gives the last) and the numbers to link to.

    Returns the context the include expects: ``page`` and ``page_range``.
    """
    page: Page = Paginator(items, per_page).get_page(request.GET.get("page"))
    return {"page": page, "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)}
