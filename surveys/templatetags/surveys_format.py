"""Template filters of the survey results: margins of error, gaps, hidden figures, the publication threshold."""

from django import template

from cnml.formatting import NBSP, format_number, format_percent
from surveys.suppression import THRESHOLD

register = template.Library()


@register.simple_tag
def publication_threshold() -> str:
    """The smallest group whose figures are shown: every sentence that names it reads the one constant.

    Text, not a number: an e-mail renders with autoescape off, which leaves a tag's value as it is.
    """
    return str(THRESHOLD)


@register.filter
def pct(value) -> str:
    """46.04 -> "46,0 %"; None (hidden or missing) -> "–"."""
    return format_percent(value, 1)


@register.filter
def margin(value, unit: str = "pt") -> str:
    """The 95 % margin of error: 4.37 -> "± 4,4 pt"; None -> ""."""
    if value is None:
        return ""
    suffix = f"{NBSP}{unit}" if unit else ""
    return f"±{NBSP}{format_number(value, 1)}{suffix}"


@register.filter
def margin2(value) -> str:
    """Margin of a mean or a gap, two decimals: 0.0597 -> "± 0,06"."""
    if value is None:
        return ""
    return f"±{NBSP}{format_number(value, 2)}"


@register.filter
def gap(value, decimals: int = 2) -> str:
    """SERVQUAL gaps: -0.354 -> "−0,35", 0.2 -> "+0,20"; None -> "–"."""
    if value is None:
        return "–"
    text = format_number(value, int(decimals))
    return text if text.startswith("−") or float(value) <= 0 else f"+{text}"


@register.filter
def score(value, decimals: int = 1) -> str:
    return format_number(value, int(decimals))
