from django import template

from cnml import formatting

register = template.Library()


@register.filter
def fr_number(value, decimals: int = 0) -> str:
    return formatting.format_number(value, int(decimals))


@register.filter
def fr_percent(value, decimals: int = 1) -> str:
    return formatting.format_percent(value, int(decimals))


@register.filter
def fr_list(items, empty: str = "") -> str:
    """The items as a French list, « A, B, C »: each item's ``name`` (its text when it has none), or
    ``empty`` when there is none: ``{{ project.partners.all|fr_list:"aucune" }}``."""
    return ", ".join(str(getattr(item, "name", item)) for item in items) or empty
