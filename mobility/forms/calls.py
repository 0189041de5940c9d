"""Forms of a call for projects and its selection criteria."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from mobility.forms.common import DateInput, TableFormSet, section_helper
from mobility.models import Call, SelectionCriterion

__all__ = ["CallForm", "CriteriaFormSet", "CriterionForm", "CriterionFormSet"]


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "year",
            "title",
            "text",
            "opens_on",
            "closes_on",
            "eligibility_criteria",
            "formation_action_places",
            "funders",
        ]
        widgets = {
            "opens_on": DateInput,
            "closes_on": DateInput,
            "funders": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 6}),
            "eligibility_criteria": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"year": {"unique": "Un appel existe déjà pour cette année."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = section_helper(*self.fields)

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "La date de clôture doit suivre la date d'ouverture.")
        return cleaned


class CriterionForm(forms.ModelForm):
    class Meta:
        model = SelectionCriterion
        fields = ["label", "description", "max_score"]
        widgets = {"description": forms.TextInput}


class CriteriaFormSet(TableFormSet):
    caption = "Critères de sélection"

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("Indiquez au moins un critère de sélection.")


CriterionFormSet = inlineformset_factory(
    Call, SelectionCriterion, form=CriterionForm, formset=CriteriaFormSet, extra=3, can_delete=True
)
