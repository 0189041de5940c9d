"""Forms of a call for projects, its selection criteria and the sections of its application form."""

from __future__ import annotations

from django import forms

from mobility.forms.common import DateInput, TableFormSet, section_helper, table_formset
from mobility.models import Call, CallSection, SelectionCriterion

__all__ = ["CallForm", "CriterionFormSet", "SectionFormSet"]


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "theme",
            "year",
            "title",
            "text",
            "opens_on",
            "closes_on",
            "eligibility_criteria",
            "formation_action_places",
            "envelope",
            "funders",
        ]
        widgets = {
            "opens_on": DateInput,
            "closes_on": DateInput,
            "funders": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 6}),
            "eligibility_criteria": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"envelope": "En euros, par exemple 12000000."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = section_helper(*self.fields)

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "La date de clôture doit suivre la date d'ouverture.")
        return cleaned


class AtLeastOneCriterion(TableFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("Indiquez au moins un critère de sélection.")


CriterionFormSet = table_formset(
    Call,
    SelectionCriterion,
    ["label", "description", "max_score"],
    caption="Critères de sélection",
    extra=3,
    widgets={"description": forms.TextInput},
    formset=AtLeastOneCriterion,
)
SectionFormSet = table_formset(
    Call,
    CallSection,
    ["title", "guidance", "required"],
    caption="Rubriques du dossier de candidature",
    extra=3,
    widgets={"guidance": forms.TextInput},
)
