"""DSFR markup that every app repeats, written once."""

from django import template
from django.utils.html import format_html

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
