"""Forms of an activity report and the services its period delivered."""

from __future__ import annotations

from crispy_forms.layout import Fieldset
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from mobility.forms.common import UNKNOWN_CHOICE, CatalogueServiceChoiceField, TableFormSet, section_helper
from mobility.models import (
    AGE_FIELDS,
    OUTCOME_FIELDS,
    REFERRER_FIELDS,
    SEX_FIELDS,
    ActivityReport,
    Project,
    ReportPeriod,
    Service,
    ServiceDelivery,
)

__all__ = ["DeliveryForm", "DeliveryFormSet", "DeliveryFormSetBase", "ReportForm"]


class ReportForm(forms.ModelForm):
    class Meta:
        model = ActivityReport
        fields = [
            "year",
            "period",
            *REFERRER_FIELDS,
            *SEX_FIELDS,
            *AGE_FIELDS,
            *OUTCOME_FIELDS,
            "total_cost",
            "comment",
        ]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["period"].choices = ReportPeriod.choices
        self.fields["period"].error_messages["invalid_choice"] = UNKNOWN_CHOICE
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)
        else:
            # The period of a report is fixed once created.
            self.fields["year"].disabled = True
            self.fields["period"].disabled = True
        self.helper = section_helper(
            Fieldset("Période", "year", "period"),
            Fieldset("Personnes accompagnées selon le prescripteur", *REFERRER_FIELDS),
            Fieldset("Selon le sexe", *SEX_FIELDS),
            Fieldset("Selon l'âge", *AGE_FIELDS),
            Fieldset("Diagnostics, code, permis et sorties", *OUTCOME_FIELDS),
            Fieldset("Coût et faits marquants", "total_cost", "comment"),
        )


class DeliveryForm(forms.ModelForm):
    service = CatalogueServiceChoiceField(label="Service", queryset=Service.objects.all())

    class Meta:
        model = ServiceDelivery
        fields = ["service", "quantity"]


class DeliveryFormSetBase(TableFormSet):
    caption = "Services rendus pendant la période, chacun dans son unité"

    def clean(self):
        # Before Django's own check of duplicates, to name the service in the message.
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            service = form.cleaned_data.get("service")
            if service is not None and service in seen:
                form.add_error("service", f"« {service} » figure déjà dans le bilan.")
            seen.add(service)
        super().clean()


DeliveryFormSet = inlineformset_factory(
    ActivityReport,
    ServiceDelivery,
    form=DeliveryForm,
    formset=DeliveryFormSetBase,
    extra=2,
    can_delete=True,
)
