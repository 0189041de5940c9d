"""Core pages: home per role, legal pages, health, the operators' page, account pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cnml import forms, proconnect, registry
from cnml import operations as operations_report
from cnml.health import health_report

ROLE_INTRODUCTIONS = {
    "conseiller": "Vous accompagnez les jeunes de votre structure : partagez vos bonnes pratiques et suivez vos enquêtes.",
    "directeur": "Vous dirigez votre structure : suivez son tableau de bord et comparez-le aux références régionales et nationales.",
    "animateur_regional": "Vous animez le réseau de votre région : suivez ses structures, relisez les fiches et pilotez les enquêtes.",
    "relecteur_cnml": "Vous relisez pour le CNML : validez les chiffres, modérez les fiches et suivez les projets du réseau.",
    "administrateur": "Vous administrez le service : réseau, comptes, rôles et toutes les rubriques.",
    "partenaire": "Vous êtes membre d'un comité de pilotage : rédigez ses fiches de bonnes pratiques avec ses membres.",
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "links": registry.home_links(user),
        "introduction": ROLE_INTRODUCTIONS.get(getattr(user, "role", ""), ""),
        "sees_operations": operations_report.may_see(user),
    }
    return render(request, "cnml/home.html", context)


@require_GET
def static_page(request: HttpRequest, *, template: str, title: str) -> HttpResponse:
    return render(request, template, {"title": title})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report, healthy = health_report()
    # 503 lets a load balancer or a monitoring probe act without parsing JSON.
    return JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    """/exploitation/: the machinery's state for CNML administrators; 404 for anyone else."""
    if not operations_report.may_see(request.user):
        raise Http404
    return render(request, "cnml/exploitation.html", {"title": "Exploitation", **operations_report.report()})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", {"title": "Formulaire expiré"}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", {"title": "Requête invalide"}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"title": "Accès refusé"}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"title": "Page introuvable"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"title": "Erreur inattendue"}, status=500)


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}

    def get_context_data(self, **kwargs):
        # The ProConnect button only when ProConnect is configured (cnml/proconnect.py).
        return super().get_context_data(proconnect_enabled=settings.PROCONNECT_ENABLED, **kwargs)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Signed in through ProConnect: its session ends too, read before the log-out empties ours.
        provider = proconnect.logout_redirect(request)
        response = super().post(request, *args, **kwargs)
        if provider is None:
            return response
        url, state = provider
        request.session[proconnect.LOGOUT_STATE] = state
        return HttpResponseRedirect(url)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    extra_context = {"title": "Mot de passe oublié"}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    extra_context = {"title": "Courriel envoyé"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"title": "Nouveau mot de passe"}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    extra_context = {"title": "Mot de passe modifié"}


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("password_change_done")
    extra_context = {"title": "Changer de mot de passe"}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    extra_context = {"title": "Mot de passe changé"}
