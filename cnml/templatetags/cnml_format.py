from django import template

from cnml import formatting

register = template.Library()


@register.filter
def fr_number(value, decimals: int = 0) -> str:
    return formatting.format_number(value, int(decimals))


@register.filter
def fr_percent(value, decimals: int = 1) -> str:
    return formatting.format_percent(value, int(decimals))
