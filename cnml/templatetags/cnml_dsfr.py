"""DSFR markup that every app repeats, written once."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_block_tag
def fr_table(content: str, classes: str = "", id: str = "") -> str:
    """A DSFR table: its four wrappers around the ``<table>`` of the block.

    ``{% fr_table "fr-table--no-caption" %}<table>…</table>{% endfr_table %}``;
    ``classes`` are added to ``fr-table``, ``id`` goes on the outer element.
    """
    css = f"fr-table {classes}".strip()
    return format_html(
        '<div class="{}"{}><div class="fr-table__wrapper"><div class="fr-table__container">'
        '<div class="fr-table__content">{}</div></div></div></div>',
        css,
        format_html(' id="{}"', id) if id else "",
        content,
    )


@register.simple_block_tag
def fr_data_table(
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
    return fr_table(table, classes=classes, id=id)


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
