"""Account forms, rendered with crispy-forms through the project's DSFR template pack."""

from __future__ import annotations

from crispy_forms.bootstrap import FormActions
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms


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
    submit_label = "Recevoir le lien de réinitialisation"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse e-mail"
        self.fields["email"].help_text = "L'adresse de votre compte. Format attendu : nom@domaine.fr"


class SetPasswordForm(CrispyFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Enregistrer le mot de passe"


class PasswordChangeForm(CrispyFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Changer le mot de passe"
