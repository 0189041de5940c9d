from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

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


@register.filter(expects_localtime=True)
def fr_date(value, style: str = "") -> str:
    """``{{ call.opens_on|fr_date }}`` « 1er avril 2026 »; ``|fr_date:"court"`` « 01/04/2026 » (tables)."""
    return formatting.format_date(value, short=style == "court")


@register.filter(expects_localtime=True)
def fr_datetime(value, style: str = "") -> str:
    """« 1er avril 2026 à 14:05 »; ``|fr_datetime:"court"`` « 01/04/2026 à 14:05 »."""
    return formatting.format_datetime(value, short=style == "court")


@register.filter
def fr_count(count, noun: str) -> str:
    """``{{ n|fr_count:"une candidature déposée" }}``: « aucune candidature déposée », « 1 candidature
    déposée », « 2 candidatures déposées »; an irregular plural after « | »: ``"un bénéficiaire|…"``."""
    singular, plural, feminine = formatting.count_spec(noun)
    return formatting.format_count(count, singular, plural, feminine=feminine)


@register.filter
def fr_rank(rank, ex_aequo=False) -> str:
    """``{{ line.rank|fr_rank:line.ex_aequo }}``: « 1er », « 2e », « 2e ex aequo »."""
    return formatting.format_rank(rank, ex_aequo=bool(ex_aequo))


@register.filter
def fr_spacing(text) -> str:
    """A text with the no-break spaces French puts before « : ; ! ? » (escaped first when it is not safe)."""
    # Escaping comes first and adds no space before a semicolon: the entities stay whole.
    return mark_safe(formatting.french_spacing(conditional_escape(text)))


@register.filter
def fr_plural(count, forms: str) -> str:
    """The word that agrees with ``count`` the French way, zero and one in the singular:
    ``{{ n|fr_plural:"bénéficie,bénéficient" }}``."""
    singular, _, plural = forms.partition(",")
    return plural if formatting.is_plural(count) else singular
