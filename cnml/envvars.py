"""Reading the environment's variables for the settings, each failure a French message naming the
variable: the start stops there rather than running with a value nobody meant (docs/environment.md)."""

from __future__ import annotations

import ipaddress

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def env_value(name: str, cast, default):
    """Read one variable; turn a parsing failure into a message naming it."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Variable d'environnement {name} invalide : {exc}") from exc


TRUE_WORDS = {"true", "1", "yes", "on", "oui", "vrai"}
FALSE_WORDS = {"false", "0", "no", "off", "non", "faux"}


def strict_bool(name: str, default: bool) -> bool:
    """Like ``env.bool`` but refuses a word it does not know, rather than reading it as false.

    ``env.bool`` turns any unknown value ("ture", "enabled") into False, which
    would silently switch off AXES_ENABLED or SECURE_SSL_REDIRECT.
    """
    raw = env.str(name, default=None)
    word = (raw or "").strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"« {raw} » n'est pas un booléen (attendu : true ou false)")


def ip_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks (CIDR); one that is neither stops the start, named."""
    entries = [entry.strip() for entry in env.list(name, default=[]) if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"Variable d'environnement {name} invalide : « {entry} » n'est ni une adresse IP ni un réseau "
                "(attendu : des adresses séparées par des virgules, par exemple 10.0.0.1,10.0.1.0/24)."
            ) from None
    return entries


def bounded_int(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """An integer variable within bounds; outside them, the start stops with a message naming it."""
    value = env_value(name, env.int, default)
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"entre {minimum} et {maximum}" if maximum is not None else f"au moins {minimum}"
        raise ImproperlyConfigured(f"Variable d'environnement {name} invalide : {value} (attendu : {bounds}).")
    return value
