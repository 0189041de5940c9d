"""Account forms, rendered with crispy-forms through the project's DSFR template pack."""

from __future__ import annotations

from crispy_forms.bootstrap import FormActions
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.template.loader import render_to_string

from cnml import emails
from cnml.clientip import client_ip
from cnml.password_reset import password_reset_admit


def fields_only_helper(*layout, form=None, **attributes) -> FormHelper:
    """A crispy helper rendering fields only, for a page that writes the <form> tag, its CSRF token and its
    buttons. ``layout``: what to render (else ``form``'s fields, in order); ``attributes``: the helper's
    others (``required_notice``, ``template``…)."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    for name, value in attributes.items():
        setattr(helper, name, value)
    return helper


class CrispyFormMixin:
    """Gives a form a crispy helper with its fields in order and one submit button."""

    submit_label = "Valider"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.layout = Layout(*self.fields.keys(), FormActions(Submit("submit", self.submit_label)))


class LoginForm(CrispyFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Se connecter"
    username = auth_forms.UsernameField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Les deux champs tiennent compte des majuscules.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "Mot de passe"


class PasswordResetForm(CrispyFormMixin, auth_forms.PasswordResetForm):
    """Django's reset form, throttled (``cnml.password_reset``) and sent through ``cnml.emails``."""

    submit_label = "Recevoir le lien de réinitialisation"
    # Who asks, as the throttle counts it; set by save(), which has the request.
    client_address = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse e-mail"
        self.fields["email"].help_text = "L'adresse de votre compte. Format attendu : nom@domaine.fr"

    def save(self, *args, request=None, **kwargs) -> None:
        self.client_address = client_ip(request) if request is not None else ""
        super().save(*args, request=request, **kwargs)

    def get_users(self, email: str) -> list:
        # Beyond the throttle no account is returned: the view answers as for an unknown address.
        return password_reset_admit(users=super().get_users(email), address=self.client_address)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ) -> None:
        # Django would send here, inside the request; a worker sends it once the request is done.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        # quiet: a "delayed e-mail" notice would tell whether the account exists.
        emails.notify(recipients=[to_email], subject=subject, template=email_template_name, context=context, quiet=True)


class SetPasswordForm(CrispyFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Enregistrer le mot de passe"


class PasswordChangeForm(CrispyFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Changer le mot de passe"
