"""``{% absolute_url 'name' arg key=value %}`` (or ``… as link``): ``cnml.links.absolute_url`` in templates,
for e-mails and PDFs, which are rendered without a request."""

from __future__ import annotations

from django import template

from cnml import links

register = template.Library()


@register.simple_tag
def absolute_url(target, *args, **kwargs) -> str:
    return links.absolute_url(target, *args, **kwargs)
