"""Forms of a project: services and targets, milestones, the FARE support and its sessions, the
stop, documents, and the filters of the project list."""

from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone

from cnml.models import Region
from cnml.uploads import upload_help
from mobility.forms.common import UNKNOWN_CHOICE, DateInput, section_helper, services_field, table_formset
from mobility.models import (
    DOCUMENT_KINDS,
    Call,
    CallTheme,
    CarrierKind,
    FareSupport,
    FormationSession,
    Milestone,
    Project,
    ProjectDocument,
    Service,
    Target,
)

__all__ = [
    "DocumentForm",
    "FareSupportForm",
    "MilestoneFormSet",
    "ProjectFilterForm",
    "ProjectServicesForm",
    "SessionForm",
    "SessionFormSet",
    "StopForm",
    "TargetFormSet",
]


class ProjectServicesForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["services_to_launch"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services_to_launch"] = services_field("Services à lancer")
        self.helper = section_helper("services_to_launch", required_notice=False)


TargetFormSet = table_formset(Project, Target, ["label", "public", "target_people"], caption="Objectifs", extra=1)


MilestoneFormSet = table_formset(
    Project,
    Milestone,
    ["label", "due_on", "done_on"],
    caption="Jalons",
    widgets={"due_on": DateInput, "done_on": DateInput},
    extra=1,
)


class FareSupportForm(forms.ModelForm):
    class Meta:
        model = FareSupport
        fields = ["expert_name", "expert_email", "formation_action", "funded_by_macif", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.helper = section_helper(*self.fields, required_notice=False)

    def clean(self):
        cleaned = super().clean()
        wants_place = cleaned.get("formation_action") and not (self.instance.pk and self.instance.formation_action)
        if wants_place and self.project.call.formation_action_places_left == 0:
            self.add_error(
                "formation_action",
                f"Les {self.project.call.formation_action_places} places de formation-action de l'appel "
                f"{self.project.call.year} sont toutes attribuées.",
            )
        return cleaned


class SessionForm(forms.ModelForm):
    class Meta:
        model = FormationSession
        fields = ["held_on", "topic", "duration_hours", "attendees_count", "attendees"]
        widgets = {"held_on": DateInput, "attendees": forms.TextInput}

    def clean(self):
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        if held_on and cleaned.get("attendees_count") is not None and held_on > timezone.localdate():
            self.add_error("attendees_count", "La participation ne se note qu'une fois la séance tenue.")
        return cleaned


SessionFormSet = table_formset(
    Project,
    FormationSession,
    ["held_on", "topic", "duration_hours", "attendees_count", "attendees"],
    caption="Séances de formation-action",
    form=SessionForm,
    extra=1,
)


class StopForm(forms.Form):
    reason = forms.CharField(
        label="Motif de l'arrêt",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de l'arrêt du projet."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = section_helper("reason", required_notice=False)


class DocumentForm(forms.ModelForm):
    class Meta:
        model = ProjectDocument
        fields = ["kind", "title", "file"]
        help_texts = {"file": upload_help(DOCUMENT_KINDS)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = section_helper(*self.fields)


class ProjectFilterForm(forms.Form):
    """The filters of the project list (GET)."""

    region = forms.ChoiceField(label="Région", required=False)
    carrier_kind = forms.ChoiceField(
        label="Type de porteur", required=False, choices=[("", "Tous")] + list(CarrierKind.choices)
    )
    service = forms.ChoiceField(label="Service", required=False)
    theme = forms.ChoiceField(label="Thème", required=False, choices=[("", "Tous")] + list(CallTheme.choices))
    year = forms.TypedChoiceField(label="Appel", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes")] + [
            (code, name) for code, name in Region.objects.order_by("name").values_list("code", "name")
        ]
        self.fields["service"].choices = [("", "Tous")] + list(Service.objects.values_list("code", "name"))
        self.fields["year"].choices = [("", "Tous")] + [
            (year, str(year)) for year in Call.objects.order_by("-year").values_list("year", flat=True).distinct()
        ]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = UNKNOWN_CHOICE
        self.helper = section_helper(Row(*[Column(name) for name in self.fields]), required_notice=False)
