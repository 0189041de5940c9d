"""Sign-in through ProConnect (OpenID Connect), beside the e-mail and password.

ProConnect only says who the person is: a person signs in if an active account with that e-mail
already exists, and keeps the role the back-office gave it. No account and no right is ever
created or changed here (``OIDC_CREATE_USER = False``, nothing written but Django's last log-in).

The e-mail is trusted as ProConnect sends it: ProConnect's documented claims do not include
``email_verified`` (its identity providers give the professional address from their directory). A
provider that does send ``email_verified`` and says false is refused (docs/security.md).

Signing out also ends the ProConnect session: ``cnml.views.LogoutView`` sends the browser to the
provider's end of session with ``id_token_hint`` (``logout_redirect``), which comes back to
``ProConnectLoggedOutView`` with the state it was given.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cnml.links import absolute_url
from cnml.models import User

logger = logging.getLogger(__name__)

# Why a person ProConnect vouches for is not signed in: logged by key, told in French on the login page.
REFUSALS = {
    "no_email": "ProConnect n'a pas transmis votre adresse e-mail : la connexion est impossible.",
    "unverified": (
        "Votre adresse e-mail n'est pas vérifiée par votre fournisseur d'identité : "
        "connectez-vous avec votre adresse e-mail et votre mot de passe."
    ),
    "no_account": (
        "Aucun compte du back-office n'est ouvert à l'adresse {email}. "
        "Demandez à l'administrateur de votre structure ou à votre animateur régional de vous en ouvrir un."
    ),
    "inactive": "Le compte ouvert à l'adresse {email} est désactivé. Adressez-vous à l'administrateur du service.",
}
FAILED = "La connexion avec ProConnect n'a pas abouti. Réessayez, ou connectez-vous avec votre mot de passe."
UNAVAILABLE = "ProConnect ne répond pas pour le moment. Réessayez plus tard, ou connectez-vous avec votre mot de passe."
LOGGED_OUT = "Vous êtes déconnecté du back-office et de ProConnect."

LOGOUT_STATE = "proconnect_logout_state"


def refuse(request: HttpRequest, message: str) -> None:
    """Keep why the sign-in was refused, for the callback to tell on the login page."""
    request.proconnect_refusal = message


def callback_url() -> str:
    """The return address registered with ProConnect, built by cnml.links like every address that
    leaves the service (mozilla-django-oidc would build it on the request's Host)."""
    return absolute_url("proconnect_callback")


class ProConnectBackend(OIDCAuthenticationBackend):
    """The account of an e-mail ProConnect vouches for, if it exists and is active; never a new one."""

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce: a password log-in never reaches the token endpoint,
        # even with ?code=…&state=… in its address.
        if not settings.PROCONNECT_ENABLED or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload):
        # The token request repeats the authorization's redirect_uri, which must match it exactly.
        return super().get_token({**payload, "redirect_uri": callback_url()})

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        user, refusal = self.matching_user(claims)
        if refusal:
            email = str(claims.get("email") or "").strip()
            refuse(self.request, REFUSALS[refusal].format(email=email))
            # The address's domain only: which organisation tries, without personal data in the logs.
            logger.info("ProConnect sign-in refused (%s): %s", email.rpartition("@")[2] or "-", refusal)
            return None
        return user

    def matching_user(self, claims: dict) -> tuple[User | None, str | None]:
        """The account to sign in, or why there is none (a key of REFUSALS)."""
        email = str(claims.get("email") or "").strip()
        if not email:
            return None, "no_email"
        if "email_verified" in claims and claims["email_verified"] is not True:
            return None, "unverified"
        # E-mails are stored lowered and unique (cnml.models.User): at most one match.
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            return None, "no_account"
        if not user.is_active:
            return None, "inactive"
        return user, None

    def get_user(self, user_id):
        # Django's check of is_active on every request (mozilla-django-oidc's own get_user skips it):
        # an account deactivated in the back-office is signed out at once.
        return ModelBackend.get_user(self, user_id)


class ProConnectEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.PROCONNECT_ENABLED:
            raise Http404("ProConnect n'est pas configuré.")
        return super().dispatch(request, *args, **kwargs)


class ProConnectLoginView(ProConnectEnabledMixin, OIDCAuthenticationRequestView):
    """The ProConnect button: to the provider's authorization endpoint with a fresh state and nonce."""

    def get_extra_params(self, request: HttpRequest) -> dict:
        # Applied over the parameters the library computed: the return address from cnml.links.
        return {"redirect_uri": callback_url()}


class ProConnectCallbackView(ProConnectEnabledMixin, OIDCAuthenticationCallbackView):
    """Back from ProConnect: signed in, or on the login page with the reason in French."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation) as exc:
            # The provider down or answering wrongly, a replayed or foreign state: never a 500.
            logger.warning("ProConnect sign-in failed: %s", exc)
            refuse(request, UNAVAILABLE if isinstance(exc, requests.RequestException) else FAILED)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, getattr(self.request, "proconnect_refusal", FAILED))
        return redirect("login")


def logout_redirect(request: HttpRequest) -> tuple[str, str] | None:
    """The provider's end of session for a person signed in through ProConnect, with its state.

    Called before Django's log-out empties the session, which holds the ID token.
    """
    id_token = request.session.get("oidc_id_token")
    if not settings.PROCONNECT_ENABLED or not id_token:
        return None
    state = get_random_string(32)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": absolute_url("proconnect_logged_out"),
        }
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}", state


class ProConnectLoggedOutView(View):
    """Where ProConnect sends the browser back after its end of session."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        expected = request.session.pop(LOGOUT_STATE, None)
        # Only a return from the sign-out this browser asked for says so; any other lands home quietly.
        if expected and request.GET.get("state") == expected:
            messages.success(request, LOGGED_OUT)
        return HttpResponseRedirect(reverse(settings.LOGOUT_REDIRECT_URL))
