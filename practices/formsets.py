"""The fiche form's partners and contacts: one inline formset each, rendered in the fiche form's page."""

from __future__ import annotations

import re

from crispy_forms.layout import Column, Field, Row
from django import forms
from django.core.exceptions import ValidationError

from cnml.forms import fields_only_helper
from practices.models import Contact, Fiche, Partner, PartnerKind

PHONE = re.compile(r"^\+?[0-9 .()-]{6,25}$")


class PartnerForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = Partner
        fields = ["kind", "name", "role"]
        widgets = {"role": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"role": "Ce que le partenaire apporte à l'action."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choisir un type de partenaire"), *PartnerKind.choices]
        self.fields["name"].label = "Nom du partenaire"
        fields = [Row(Column("kind"), Column("name")), "role"]
        if self.instance.pk:
            fields.append(Field("DELETE"))
        self.helper = fields_only_helper(*fields, "id", required_notice=False)


class ContactForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = Contact
        fields = ["name", "function", "email", "phone"]
        labels = {"name": "Prénom et nom"}
        help_texts = {
            "email": "Format attendu : nom@domaine.fr",
            "phone": "Par exemple : 03 20 00 00 00",
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [Row(Column("name"), Column("function")), Row(Column("email"), Column("phone"))]
        if self.instance.pk:
            fields.append(Field("DELETE"))
        self.helper = fields_only_helper(*fields, "id", required_notice=False)

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not PHONE.match(phone):
            raise ValidationError("Numéro de téléphone invalide. Par exemple : 03 20 00 00 00.")
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("email", "Indiquez une adresse e-mail ou un téléphone pour ce contact.")
        return cleaned


class BaseInlineFormSet(forms.BaseInlineFormSet):
    deletion_label = "Retirer"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.deletion_label


class PartnerFormSetBase(BaseInlineFormSet):
    deletion_label = "Retirer ce partenaire"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Two empty rows for a first partner and a second one; one once some exist.
        self.extra = 1 if self.instance.pk and self.get_queryset().exists() else 2


class ContactFormSetBase(BaseInlineFormSet):
    deletion_label = "Retirer ce contact"


PartnerFormSet = forms.inlineformset_factory(
    Fiche,
    Partner,
    form=PartnerForm,
    formset=PartnerFormSetBase,
    extra=2,
    max_num=20,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)
ContactFormSet = forms.inlineformset_factory(
    Fiche,
    Contact,
    form=ContactForm,
    formset=ContactFormSetBase,
    extra=1,
    max_num=10,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)
