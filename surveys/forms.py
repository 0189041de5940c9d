"""Forms of the surveys back-office, rendered with crispy-forms through the DSFR pack."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.db.models import Case, IntegerField, When
from django.db.models.functions import Coalesce

from cnml.models import Structure, StructureKind
from surveys import permissions
from surveys.models import Campaign, CampaignStatus, Questionnaire
from surveys.services import MAX_CODES_PER_BATCH


class ParticipantsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, structure: Structure) -> str:
        if structure.kind == StructureKind.ANTENNE:
            return f"↳ {structure.name} ({structure.code})"
        return f"{structure.name} ({structure.code})"


class CampaignForm(forms.ModelForm):
    participants = ParticipantsField(
        label="Structures participantes",
        queryset=Structure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Chaque structure cochée reçoit son lien, son QR code et son affiche : une mission locale pour son "
            "siège, chaque antenne pour elle-même. Sans rien cocher : toutes les missions locales et antennes "
            "du périmètre."
        ),
    )

    class Meta:
        model = Campaign
        fields = ["title", "questionnaire", "audience", "region", "opens_on", "closes_on", "target", "access_mode"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "title": "Par exemple « Enquête de satisfaction des jeunes 2012 ».",
            "target": "Nombre de réponses visé pour toute la campagne, réparti entre les points de diffusion.",
            "opens_on": "Format attendu : JJ/MM/AAAA.",
            "closes_on": "La campagne se clôt automatiquement après cette date et ses résultats sont calculés.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = permissions.creatable_regions(user)
        self.fields["region"].queryset = regions
        self.fields["questionnaire"].queryset = Questionnaire.objects.order_by("title")
        if permissions.can_create_national_campaigns(user):
            self.fields["region"].required = False
            self.fields["region"].empty_label = "Tout le réseau (campagne nationale)"
            self.fields["region"].help_text = "Vide : une campagne nationale."
        else:
            self.fields["region"].required = True
            self.fields["region"].empty_label = None
        structures = Structure.objects.local().active()
        if not permissions.can_create_national_campaigns(user):
            structures = structures.filter(region__in=regions)
        self.fields["participants"].queryset = _tree_order(structures)
        if self.instance.pk:
            self.initial.setdefault("participants", list(self.instance.participants.values_list("pk", flat=True)))
            if self.instance.status != CampaignStatus.DRAFT:
                # Once open, answers refer to its questionnaire and perimeter: they no longer change.
                for name in ("questionnaire", "audience", "region", "access_mode"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Ne peut plus changer une fois la campagne ouverte."
        self.helper = FormHelper(self)
        self.helper.layout = Layout(
            Fieldset("La campagne", "title", "questionnaire", "audience", "access_mode"),
            Fieldset("Périmètre", "region", "participants"),
            Fieldset("Calendrier et objectif", "opens_on", "closes_on", "target"),
            Submit("submit", "Enregistrer la campagne"),
        )

    def clean(self):
        # The campaign's own rules (dates, audience, what an open campaign keeps) are the model's
        # (Campaign.clean), checked by ModelForm after this method, field by field.
        data = super().clean()
        region = data.get("region")
        participants = data.get("participants") or []
        outside = [s for s in participants if region is not None and s.region_id != region.pk]
        if outside:
            self.add_error(
                "participants",
                "Ces structures n'appartiennent pas à la région choisie : " + ", ".join(s.code for s in outside) + ".",
            )
        return data

    def participants_or_scope(self) -> list[Structure]:
        """The chosen structures, or every local structure of the perimeter when none is chosen."""
        chosen = list(self.cleaned_data.get("participants") or [])
        if chosen:
            return chosen
        structures = Structure.objects.local().active()
        region = self.cleaned_data.get("region") or self.instance.region
        if region is not None:
            structures = structures.filter(region=region)
        return list(structures)


def _tree_order(structures):
    """Missions locales each followed by their antennes, region by region."""
    return structures.order_by(
        "region__code",
        Coalesce("parent__code", "code"),
        Case(When(kind=StructureKind.ANTENNE, then=1), default=0, output_field=IntegerField()),
        "code",
    )


class AccessCodesForm(forms.Form):
    count = forms.IntegerField(
        label="Nombre de codes",
        min_value=1,
        max_value=MAX_CODES_PER_BATCH,
        initial=50,
        help_text="Un code par ticket ; chaque code ne permet de répondre qu'une fois.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.layout = Layout("count", Submit("submit", "Créer un lot de codes"))


class WithdrawPublicationForm(forms.Form):
    """Why published results are taken back from the public (kept in the publication's history)."""

    comment = forms.CharField(
        label="Motif du retrait",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il figure dans l'historique de la publication.",
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.layout = Layout("comment", Submit("submit", "Retirer la publication"))
