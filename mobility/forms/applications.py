"""Forms of an application (its own fields axis by axis, its tables), of a review and of the decision."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset
from django import forms

from cnml.models import Region, Structure, StructureKind
from cnml.permissions import actionable_structures
from mobility.forms.common import UNKNOWN_CHOICE, DateInput, section_helper, services_field, table_formset
from mobility.models import (
    EXTERNAL_CARRIER_KINDS,
    STRUCTURE_CARRIER_KINDS,
    Application,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStep,
    GovernancePartner,
)
from mobility.regions import REGIONS_2011

__all__ = [
    "APPLICATION_FORMSETS",
    "ApplicationForm",
    "CARRIER_IN_NETWORK",
    "CARRIER_OUTSIDE",
    "DecisionForm",
    "FundingFormSet",
    "GovernanceFormSet",
    "NeedFormSet",
    "ReviewForm",
    "SUBMISSION_REQUIRED",
    "StepFormSet",
    "application_formsets",
    "application_helpers",
    "region_choices",
]


CARRIER_IN_NETWORK = "reseau"
CARRIER_OUTSIDE = "autre"
# Fields an application needs before it is submitted (a draft may leave them empty).
CONTACT_REQUIRED = ["contact_name", "contact_email"]
# The four axes: the mobility platforms' application only.
AXIS_FIELDS = [
    "departements",
    "communes",
    "territory_type",
    "public_needs",
    "existing_services",
    "existing_services_details",
    "services_to_develop",
    "staff_description",
    "staff_fte",
    "vehicles_description",
    "vehicle_count",
    "premises_description",
    "governance_description",
]
SUBMISSION_REQUIRED = [
    "contact_name",
    "contact_email",
    "departements",
    "territory_type",
    "public_needs",
    "services_to_develop",
    "staff_description",
    "premises_description",
]


def region_choices() -> list[tuple[str, str]]:
    names = dict(REGIONS_2011)
    names.update(dict(Region.objects.values_list("code", "name")))
    return [("", "Choisissez une région")] + sorted(names.items(), key=lambda item: item[1])


def application_helpers() -> dict[str, FormHelper]:
    """The application form's sections, axis by axis: each page draws them around its tables."""
    return {
        "carrier": section_helper(
            "title",
            Fieldset(
                "Porteur du projet",
                "carrier_choice",
                "carrier_structure",
                "carrier_name",
                "carrier_kind",
                "carrier_region",
            ),
            Fieldset("Contact", "contact_name", "contact_email", "contact_phone"),
            "partners",
            required_notice=False,
        ),
        "territory": section_helper(
            "departements",
            "communes",
            "territory_type",
            "public_needs",
            required_notice=False,
            form_show_errors=False,
        ),
        "services": section_helper(
            "existing_services",
            "existing_services_details",
            "services_to_develop",
            required_notice=False,
            form_show_errors=False,
        ),
        "operation": section_helper(
            "staff_description",
            "staff_fte",
            "vehicles_description",
            "vehicle_count",
            "premises_description",
            required_notice=False,
            form_show_errors=False,
        ),
        "governance": section_helper("governance_description", required_notice=False, form_show_errors=False),
    }


class ApplicationForm(forms.ModelForm):
    """The application's own fields, drawn axis by axis (see the ``helpers``).

    ``mode``: ``"draft"`` lets the axes stay empty, ``"submit"`` requires them; either way
    the labels show what submission requires (no ``required`` attribute in the HTML, so
    a draft can be saved incomplete).
    """

    use_required_attribute = False

    carrier_choice = forms.ChoiceField(
        label="Le projet est porté par",
        choices=[(CARRIER_IN_NETWORK, "Une structure du réseau"), (CARRIER_OUTSIDE, "Un autre organisme")],
        widget=forms.RadioSelect,
        initial=CARRIER_IN_NETWORK,
    )
    carrier_structure = forms.ModelChoiceField(
        label="Structure du réseau",
        queryset=Structure.objects.none(),
        required=False,
        help_text="Une structure dont vous faites partie.",
        error_messages={"invalid_choice": "Cette structure ne fait pas partie de celles pour lesquelles vous agissez."},
    )
    carrier_name = forms.CharField(label="Nom de l'organisme", max_length=200, required=False)
    carrier_kind = forms.ChoiceField(
        label="Type d'organisme",
        choices=[("", "Choisissez un type")] + [(kind.value, kind.label) for kind in EXTERNAL_CARRIER_KINDS],
        required=False,
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    carrier_region = forms.ChoiceField(
        label="Région de l'organisme", choices=[], required=False, error_messages={"invalid_choice": UNKNOWN_CHOICE}
    )

    class Meta:
        model = Application
        fields = ["title", "contact_name", "contact_email", "contact_phone", "partners", *AXIS_FIELDS]
        widgets = {
            "partners": forms.SelectMultiple(attrs={"size": 6}),
            "communes": forms.Textarea(attrs={"rows": 2}),
            "public_needs": forms.Textarea(attrs={"rows": 4}),
            "existing_services_details": forms.Textarea(attrs={"rows": 2}),
            "staff_description": forms.Textarea(attrs={"rows": 2}),
            "vehicles_description": forms.Textarea(attrs={"rows": 2}),
            "premises_description": forms.Textarea(attrs={"rows": 2}),
            "governance_description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "departements": "Codes séparés par des virgules, par exemple : 30, 34.",
            "partners": "Les missions locales du réseau associées au projet. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
            "staff_fte": "En équivalents temps plein, par exemple 1,5.",
        }

    def __init__(self, *args, user, call=None, mode: str = "draft", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.mode = mode
        self.call = call or self.instance.call
        self._set_choices(user)
        self._set_carrier_initial(user)
        self.helpers = application_helpers()
        self.sections = []
        if not self.call.is_mobility:
            self._use_call_sections()
        for name in self.submission_required:
            self.fields[name].required = mode == "submit"

    def _use_call_sections(self) -> None:
        """Another theme than mobility: the call's sections instead of the four axes."""
        for name in AXIS_FIELDS:
            del self.fields[name]
        answers = {}
        if self.instance.pk:
            answers = {answer.section_id: answer.text for answer in self.instance.answers.all()}
        self.sections = list(self.call.sections.all())
        for section in self.sections:
            name = f"section_{section.pk}"
            self.fields[name] = forms.CharField(
                label=section.title,
                help_text=section.guidance,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=answers.get(section.pk, ""),
            )
        self.helpers["sections"] = section_helper(
            *[f"section_{section.pk}" for section in self.sections], required_notice=False
        )

    @property
    def submission_required(self) -> list[str]:
        if self.call.is_mobility:
            return SUBMISSION_REQUIRED
        return CONTACT_REQUIRED + [f"section_{section.pk}" for section in self.sections if section.required]

    def section_answers(self) -> dict:
        """{section: text} for the call's sections (empty for the mobility platforms)."""
        return {section: self.cleaned_data.get(f"section_{section.pk}", "").strip() for section in self.sections}

    def _set_choices(self, user) -> None:
        """The structures the user acts for, the regions, the network's missions locales, the catalogue."""
        self.fields["carrier_structure"].queryset = (
            actionable_structures(user).filter(kind__in=list(STRUCTURE_CARRIER_KINDS)).select_related("region")
        )
        self.fields["carrier_region"].choices = region_choices()
        self.fields["partners"].queryset = Structure.objects.filter(kind=StructureKind.ML, active=True).order_by("name")
        self.fields["partners"].error_messages["invalid_choice"] = "Mission locale inconnue du réseau : « %(value)s »."
        if not self.call.is_mobility:
            return
        self.fields["existing_services"] = services_field("Services existants sur le territoire")
        self.fields["existing_services"].help_text = "Ceux que d'autres proposent déjà."
        self.fields["services_to_develop"] = services_field("Services à développer")
        self.fields["services_to_develop"].help_text = "Ils deviendront les services à lancer du projet."
        self.fields["territory_type"].choices = [("", "Choisissez")] + list(self.fields["territory_type"].choices)[1:]

    def _set_carrier_initial(self, user) -> None:
        """The carrier fields start from the application's carrier, or from the user's own structure."""
        carrier = self.instance.carrier if self.instance.pk else None
        if carrier is not None:
            if carrier.structure_id:
                self.initial.setdefault("carrier_choice", CARRIER_IN_NETWORK)
                self.initial.setdefault("carrier_structure", carrier.structure_id)
            else:
                self.initial.setdefault("carrier_choice", CARRIER_OUTSIDE)
                self.initial.setdefault("carrier_name", carrier.name)
                self.initial.setdefault("carrier_kind", carrier.kind)
                self.initial.setdefault("carrier_region", carrier.region.code)
        elif user.structure_id and self.fields["carrier_structure"].queryset.filter(pk=user.structure_id).exists():
            self.initial.setdefault("carrier_structure", user.structure_id)

    def show_submission_requirements(self) -> None:
        """After validating a draft, show again which fields submission requires."""
        for name in self.submission_required:
            self.fields[name].required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("carrier_choice") == CARRIER_IN_NETWORK:
            if not cleaned.get("carrier_structure"):
                self.add_error("carrier_structure", "Choisissez la structure du réseau qui porte le projet.")
        elif cleaned.get("carrier_choice") == CARRIER_OUTSIDE:
            for name, message in [
                ("carrier_name", "Indiquez le nom de l'organisme qui porte le projet."),
                ("carrier_kind", "Indiquez le type de l'organisme."),
                ("carrier_region", "Indiquez la région de l'organisme."),
            ]:
                if not cleaned.get(name):
                    self.add_error(name, message)
        return cleaned


NeedFormSet = table_formset(
    Application, ApplicationNeed, ["label", "public", "people_count"], caption="Besoins du public"
)


StepFormSet = table_formset(
    Application,
    ApplicationStep,
    ["label", "starts_on", "due_on"],
    caption="Calendrier de mise en œuvre",
    widgets={"starts_on": DateInput, "due_on": DateInput},
)
FundingFormSet = table_formset(
    Application, ApplicationFunding, ["funder", "label", "amount", "status"], caption="Plan de financement"
)
GovernanceFormSet = table_formset(
    Application, GovernancePartner, ["organisation", "role"], caption="Partenaires de la gouvernance"
)

APPLICATION_FORMSETS = {
    "needs": NeedFormSet,
    "steps": StepFormSet,
    "fundings": FundingFormSet,
    "governance": GovernanceFormSet,
}


def application_formsets(data=None, *, instance: Application | None = None, call=None) -> dict:
    """The application's tables: the four axes' for the mobility platforms, the financing plan alone otherwise."""
    instance = instance or Application()
    call = call or instance.call
    kept = APPLICATION_FORMSETS if call.is_mobility else {"fundings": FundingFormSet}
    return {prefix: formset(data, instance=instance, prefix=prefix) for prefix, formset in kept.items()}


class ReviewForm(forms.Form):
    """One reviewer's scores, one field per criterion of the call, and a comment."""

    comment = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = {}
        for criterion in self.criteria:
            message = f"La note de « {criterion.label} » va de 0 à {criterion.max_score}."
            scores[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.label} (sur {criterion.max_score})",
                help_text=criterion.description,
                min_value=0,
                max_value=criterion.max_score,
                error_messages={"min_value": message, "max_value": message, "invalid": "Saisissez un nombre entier."},
            )
        self.fields = {**scores, "comment": self.fields["comment"]}
        self.helper = section_helper(*self.fields)

    def scores(self) -> dict[int, int]:
        return {criterion.pk: self.cleaned_data[f"score_{criterion.pk}"] for criterion in self.criteria}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("retenir", "Retenir la candidature"), ("refuser", "Ne pas retenir la candidature")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    comment = forms.CharField(
        label="Message au porteur",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Obligatoire si la candidature n'est pas retenue.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = section_helper(*self.fields)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuser" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Indiquez au porteur le motif de la décision.")
        return cleaned
