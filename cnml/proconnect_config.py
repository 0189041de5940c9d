"""ProConnect's settings for mozilla-django-oidc, built from three environment variables.

Read by ``cnml/settings.py`` (so this module imports nothing of Django's models) and by the tests,
which point the same settings at an OpenID Connect provider started locally. ProConnect's
documentation gives fixed paths under ``https://<PROCONNECT_DOMAIN>/api/v2``: spelling them here
saves a network call to the discovery document at every start.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# ProConnect's « identité pivot »: e-mail, first names, usual name, the establishment's SIRET and
# the identity provider's id of the person. Only the e-mail is used to find the account.
SCOPES = "openid email given_name usual_name siret uid"

ENDPOINT_PATHS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "/token",
    "OIDC_OP_USER_ENDPOINT": "/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "/jwks",
    "OIDC_OP_LOGOUT_ENDPOINT": "/session/end",
}

VARIABLES = ("PROCONNECT_DOMAIN", "PROCONNECT_CLIENT_ID", "PROCONNECT_CLIENT_SECRET")

# A host name, with a port at most: « auth.proconnect.gouv.fr », never an address with a scheme or a path.
DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$")


def oidc_settings(*, issuer: str, client_id: str, client_secret: str) -> dict:
    """Every setting the sign-in needs, for a provider whose endpoints live under ``issuer``."""
    issuer = issuer.rstrip("/")
    parts = urlsplit(issuer)
    return {
        "PROCONNECT_ENABLED": True,
        # The provider's origin: the sign-out form's redirection goes there (CSP form-action).
        "PROCONNECT_ORIGIN": f"{parts.scheme}://{parts.netloc}",
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret,
        **{name: issuer + path for name, path in ENDPOINT_PATHS.items()},
    }


def disabled_settings() -> dict:
    """The same names with no provider: the button is hidden and the sign-in pages answer 404."""
    return {
        "PROCONNECT_ENABLED": False,
        "PROCONNECT_ORIGIN": "",
        "OIDC_RP_CLIENT_ID": "",
        "OIDC_RP_CLIENT_SECRET": "",
        **dict.fromkeys(ENDPOINT_PATHS, ""),
    }


def proconnect_settings(values: dict[str, str]) -> dict:
    """Settings from the three variables: all set, or none (ProConnect off); anything else stops the start."""
    values = {name: (values.get(name) or "").strip() for name in VARIABLES}
    missing = [name for name in VARIABLES if not values[name]]
    if len(missing) == len(VARIABLES):
        return disabled_settings()
    if missing:
        raise ImproperlyConfigured(
            "Connexion ProConnect à moitié configurée : définissez aussi "
            + ", ".join(missing)
            + " (ou aucune des trois variables PROCONNECT_*), voir docs/environment.md."
        )
    domain = values["PROCONNECT_DOMAIN"].lower()
    if not DOMAIN.match(domain):
        raise ImproperlyConfigured(
            f"Variable d'environnement PROCONNECT_DOMAIN invalide : « {values['PROCONNECT_DOMAIN']} » "
            "(attendu : un nom de domaine sans https:// ni chemin, par exemple auth.proconnect.gouv.fr)."
        )
    return oidc_settings(
        issuer=f"https://{domain}/api/v2",
        client_id=values["PROCONNECT_CLIENT_ID"],
        client_secret=values["PROCONNECT_CLIENT_SECRET"],
    )
