"""DSFR markup that every app repeats, written once."""

import hashlib
import re

from django import template
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

_CAPTION = re.compile(r"<caption(?P<attrs>[^>]*)>(?P<text>.*?)</caption>", re.DOTALL)
_ID = re.compile(r'\bid="(?P<id>[^"]+)"')

SCROLL_HINT = "Faites défiler le tableau horizontalement pour voir toutes ses colonnes."


def _table_id(context, content: str) -> str:
    """An id for the table's caption and hint, unique in the page and the same at every rendering.

    Counted per request (two tables with the same caption get two ids); without a request (a test
    rendering a template alone), taken from the table's text.
    """
    request = context.get("request") if context is not None else None
    if request is not None:
        number = getattr(request, "_cnml_tables", 0) + 1
        request._cnml_tables = number
        return f"cnml-tableau-{number}"
    return "cnml-tableau-" + hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()[:8]


def _named_by_caption(content: str, table_id: str) -> tuple[str, str]:
    """The table with an id on its caption, and that id ("" without a caption): the scroll region's name."""
    match = _CAPTION.search(content)
    if match is None or not strip_tags(match["text"]).strip():
        return content, ""
    found = _ID.search(match["attrs"])
    if found:
        return content, found["id"]
    caption_id = f"{table_id}-titre"
    tagged = f'<caption id="{caption_id}"{match["attrs"]}>{match["text"]}</caption>'
    return content[: match.start()] + tagged + content[match.end() :], caption_id


def table_markup(context, content: str, classes: str = "", id: str = "") -> str:
    """The DSFR wrappers around a table whose container is a labelled, focusable scroll region.

    On a narrow screen a table wider than the screen scrolls inside its container (never the page):
    the container is then a region named by the table's caption that the keyboard can reach and
    scroll, and a hint says so (``static/cnml/tables.js`` shows it only when the table overflows;
    without JavaScript, on narrow screens). ``context`` (a template's, or None from Python code)
    numbers the tables of a request.
    """
    table_id = _table_id(context, content)
    content, caption_id = _named_by_caption(content, table_id)
    hint_id = f"{table_id}-defilement"
    name = format_html('aria-labelledby="{}"', caption_id) if caption_id else format_html('aria-label="{}"', "Tableau")
    return format_html(
        '<div class="{}"{}><p class="cnml-table-hint fr-text--sm fr-mb-1w" id="{}">'
        '<span class="fr-icon-arrow-left-right-line fr-icon--sm" aria-hidden="true"></span> {}</p>'
        '<div class="fr-table__wrapper"><div class="fr-table__container" role="region" tabindex="0" {} '
        'aria-describedby="{}"><div class="fr-table__content">{}</div></div></div></div>',
        f"fr-table {classes}".strip(),
        format_html(' id="{}"', id) if id else "",
        hint_id,
        SCROLL_HINT,
        name,
        hint_id,
        # The block's output, already escaped by the template (a SafeString before the caption's id).
        mark_safe(content),
    )


@register.simple_block_tag(takes_context=True)
def fr_table(context, content: str, classes: str = "", id: str = "") -> str:
    """A DSFR table: its four wrappers around the ``<table>`` of the block.

    ``{% fr_table "fr-table--no-caption" %}<table>…</table>{% endfr_table %}``;
    ``classes`` are added to ``fr-table``, ``id`` goes on the outer element. See ``table_markup``
    for what a phone sees.
    """
    return table_markup(context, content, classes=classes, id=id)


@register.simple_block_tag(takes_context=True)
def fr_data_table(
    context,
    content: str,
    *columns: str,
    caption: str,
    classes: str = "",
    id: str = "",
    numeric: str = "",
    numeric_class: str = "",
) -> str:
    """A whole DSFR table whose block is its body's rows: wrappers, caption, head and ``<tbody>``.

    ``{% fr_data_table "Jalon" "Échéance" caption="Jalons" %}{% for … %}<tr>…</tr>{% endfor %}``
    ``{% endfr_data_table %}``; ``columns``, ``numeric`` and ``numeric_class`` as in ``fr_thead``,
    ``classes`` and ``id`` as in ``fr_table``.
    """
    head = fr_thead(*columns, numeric=numeric, numeric_class=numeric_class)
    table = format_html("<table><caption>{}</caption>{}<tbody>{}</tbody></table>", caption, head, content)
    return table_markup(context, table, classes=classes, id=id)


@register.simple_tag
def fr_thead(*labels: str, numeric: str = "", numeric_class: str = "", scope: str = "col") -> str:
    """A table's head: one row of column headers, ``<th scope="col">`` each.

    ``{% fr_thead "Financeur" "Prévu (€)" "Statut" numeric="2" numeric_class="mobility-number" %}``:
    ``numeric`` lists the 1-based positions (space-separated) of the columns of figures, whose
    header carries ``numeric_class`` (each app aligns its figures with its own class). An empty
    label leaves its column out: a column shown only with its data (``data.parent.label``).
    """
    figures = {int(position) for position in numeric.split()}
    cells = format_html_join(
        "",
        "<th{}{}>{}</th>",
        (
            (
                format_html(' scope="{}"', scope) if scope else "",
                format_html(' class="{}"', numeric_class) if position in figures else "",
                label,
            )
            for position, label in enumerate(labels, start=1)
            if label not in ("", None)
        ),
    )
    return format_html("<thead><tr>{}</tr></thead>", cells)
