"""The context every page of one scope starts from, the dashboard's (:mod:`dashboard.views`) and the ANI's
(:mod:`dashboard.ani.views`). Not in :mod:`dashboard.pages`: it lists the page's exports, and
:mod:`dashboard.exports` builds on the pages."""

from __future__ import annotations

from dashboard import exports, pages
from dashboard.pages import LabelledScope, Reading


def scope_context(reading: Reading, scopes: list[LabelledScope], page_url: str, *, table=pages.scope_table) -> dict:
    """The table (``table``: the indicators', or the ANI's) and the charts of the first scope, compared with
    the others; the page's exports once the table has figures."""
    context = {"reading": reading, "scope_label": scopes[0].label, "table": None, "chart_scopes": scopes}
    if reading.snapshot is None or reading.period is None:
        return context
    context["table"] = table(reading.snapshot, scopes[0].scope, reading.period)
    if context["table"] is not None:
        context["exports"] = exports.export_links(page_url, reading)
    return context
