"""Absolute addresses of the service: every link that leaves the browser (e-mails, PDFs, QR codes).

They are built here only, on ``settings.SITE_URL`` (the service's canonical address, required in
production), never on the request's Host header: a password-reset link built from a Host the
attacker chose would carry the token to the attacker's server. E-mails rendered by a worker and
PDFs have no request anyway. In templates: ``{% load cnml_links %}{% absolute_url 'name' arg %}``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


@runtime_checkable
class HasAddress(Protocol):
    def get_absolute_url(self) -> str: ...


def site_url() -> str:
    """``SITE_URL`` without its trailing slash; refuses to guess when it is missing."""
    base = (settings.SITE_URL or "").rstrip("/")
    if not base:
        raise ImproperlyConfigured("SITE_URL doit être défini : c'est l'adresse des liens envoyés et imprimés.")
    return base


def absolute_url(target: str | HasAddress, /, *args: Any, **kwargs: Any) -> str:
    """The address of ``target`` on ``SITE_URL``.

    ``target`` is a URL name (reversed with ``args`` or ``kwargs``), a path of this site
    (``"/e/"``, with its query or fragment), or an object with ``get_absolute_url()``.
    """
    if isinstance(target, HasAddress):
        path = target.get_absolute_url()
    elif target.startswith("/"):
        path = target
    elif "/" in target:  # not a URL name: an address elsewhere ("https://…")
        raise ValueError(f"Pas une adresse de ce site : {target!r}")
    else:
        return site_url() + reverse(target, args=args or None, kwargs=kwargs or None)
    if args or kwargs:
        raise ValueError("Une adresse déjà résolue ne prend pas d'arguments.")
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"Pas une adresse de ce site : {path!r}")
    return site_url() + path
