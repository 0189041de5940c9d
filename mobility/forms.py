"""Forms of the mobility app, rendered with crispy-forms through the DSFR template pack.

Formsets are drawn as DSFR tables (the pack's ``dsfr_crispy/table_inline_formset.html``). Every
page with a form re-renders it bound after an error, so nothing typed is lost.
"""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from cnml.models import Region, Structure, StructureKind
from cnml.permissions import actionable_structures
from mobility.models import (
    AGE_FIELDS,
    EXTERNAL_CARRIER_KINDS,
    OUTCOME_FIELDS,
    REFERRER_FIELDS,
    SEX_FIELDS,
    STRUCTURE_CARRIER_KINDS,
    ActivityReport,
    Application,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStep,
    BudgetLine,
    Call,
    CarrierKind,
    FareSupport,
    FormationSession,
    Funder,
    GovernancePartner,
    Milestone,
    Project,
    ProjectDocument,
    ReportPeriod,
    SelectionCriterion,
    Service,
    ServiceDelivery,
    Target,
    not_negative,
)
from mobility.regions import REGIONS_2011

UNKNOWN_SERVICE = "Service inconnu du catalogue : « %(value)s »."
UNKNOWN_CHOICE = "Choix inconnu : « %(value)s »."


class DateInput(forms.DateInput):
    input_type = "date"


def section_helper(*fields, legend: str | None = None, **attributes) -> FormHelper:
    """A helper rendering some fields of a form, without <form> tag (the page holds it)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(Fieldset(legend, *fields)) if legend else Layout(*fields)
    for name, value in attributes.items():
        setattr(helper, name, value)
    return helper


def table_helper(caption: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.template = "dsfr_crispy/table_inline_formset.html"
    helper.table_caption = caption
    return helper


def services_field(label: str, *, required: bool = False) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Service.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=required,
        error_messages={"invalid_choice": UNKNOWN_SERVICE, "invalid_pk_value": UNKNOWN_SERVICE},
    )


class CatalogueServiceChoiceField(forms.ModelChoiceField):
    """A service of the catalogue, shown with the unit its quantity is counted in."""

    default_error_messages = {"invalid_choice": "Service inconnu du catalogue."}

    def label_from_instance(self, obj: Service) -> str:
        return obj.label_with_unit


class TableFormSet(BaseInlineFormSet):
    """An inline formset with a DSFR table helper; ``caption`` names the table."""

    caption = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = table_helper(self.caption)


def table_formset(parent, model, fields, *, caption: str, extra: int = 2, widgets=None, form=forms.ModelForm, **kwargs):
    base = type(f"{model.__name__}TableFormSet", (TableFormSet,), {"caption": caption})
    return inlineformset_factory(
        parent, model, form=form, formset=base, fields=fields, extra=extra, can_delete=True, widgets=widgets, **kwargs
    )


# Calls ----------------------------------------------------------------------


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


# Applications ---------------------------------------------------------------

CARRIER_IN_NETWORK = "reseau"
CARRIER_OUTSIDE = "autre"
# Fields an application needs before it is submitted (a draft may leave them empty).
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
        fields = [
            "title",
            "contact_name",
            "contact_email",
            "contact_phone",
            "partners",
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
            "departements": "Codes séparés par des virgules, par exemple : 30, 34.",
            "partners": "Les missions locales du réseau associées au projet. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
            "staff_fte": "En équivalents temps plein, par exemple 1,5.",
        }

    def __init__(self, *args, user, mode: str = "draft", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.mode = mode
        self.fields["carrier_structure"].queryset = (
            actionable_structures(user).filter(kind__in=list(STRUCTURE_CARRIER_KINDS)).select_related("region")
        )
        self.fields["carrier_region"].choices = region_choices()
        self.fields["partners"].queryset = Structure.objects.filter(kind=StructureKind.ML, active=True).order_by("name")
        self.fields["partners"].error_messages["invalid_choice"] = "Mission locale inconnue du réseau : « %(value)s »."
        self.fields["existing_services"] = services_field("Services existants sur le territoire")
        self.fields["existing_services"].help_text = "Ceux que d'autres proposent déjà."
        self.fields["services_to_develop"] = services_field("Services à développer")
        self.fields["services_to_develop"].help_text = "Ils deviendront les services à lancer du projet."
        self.fields["territory_type"].choices = [("", "Choisissez")] + list(self.fields["territory_type"].choices)[1:]
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
        for name in SUBMISSION_REQUIRED:
            self.fields[name].required = mode == "submit"
        self.helpers = {
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

    def show_submission_requirements(self) -> None:
        """After validating a draft, show again which fields submission requires."""
        for name in SUBMISSION_REQUIRED:
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


class StepForm(forms.ModelForm):
    class Meta:
        model = ApplicationStep
        fields = ["label", "starts_on", "due_on"]
        widgets = {"starts_on": DateInput, "due_on": DateInput}


StepFormSet = table_formset(
    Application, ApplicationStep, ["label", "starts_on", "due_on"], caption="Calendrier de mise en œuvre", form=StepForm
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


def application_formsets(data=None, *, instance: Application | None = None) -> dict:
    instance = instance or Application()
    return {prefix: formset(data, instance=instance, prefix=prefix) for prefix, formset in APPLICATION_FORMSETS.items()}


class ReviewForm(forms.Form):
    """One reviewer's scores, one field per criterion of the call, and a comment."""

    comment = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = {}
        for criterion in self.criteria:
            message = f"La note de « {criterion.label} » va de 0 à {criterion.max_score}."
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


# Projects -------------------------------------------------------------------


class ProjectServicesForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["services_to_launch"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services_to_launch"] = services_field("Services à lancer")
        self.helper = section_helper("services_to_launch", required_notice=False)


TargetFormSet = table_formset(Project, Target, ["label", "public", "target_people"], caption="Objectifs", extra=1)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["label", "due_on", "done_on"]
        widgets = {"due_on": DateInput, "done_on": DateInput}


MilestoneFormSet = table_formset(
    Project, Milestone, ["label", "due_on", "done_on"], caption="Jalons", form=MilestoneForm, extra=1
)


class BudgetLineForm(forms.ModelForm):
    """The carrier follows the actual amount and the funding status; the approved line is shown, not edited.

    Disabled fields ignore what is posted for them: the planned amount changes by an amendment only.
    """

    class Meta:
        model = BudgetLine
        fields = ["funder", "label", "planned_amount", "actual_amount", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("funder", "label", "planned_amount"):
            self.fields[name].disabled = True
        self.fields["planned_amount"].label = "Prévu approuvé (€)"


class BudgetTableFormSet(TableFormSet):
    caption = "Lignes du budget approuvé"

    def total_form_count(self) -> int:
        # The existing lines only, whatever the request says: a line of planned money comes with
        # an approved amendment (rows added to the request are not even read).
        return self.initial_form_count()


BudgetFormSet = inlineformset_factory(
    Project,
    BudgetLine,
    form=BudgetLineForm,
    formset=BudgetTableFormSet,
    extra=0,
    can_delete=False,
    edit_only=True,
)


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label="Motif de l'avenant",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui change dans le projet et pourquoi le budget doit suivre.",
        error_messages={"required": "Expliquez pourquoi le budget doit changer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = section_helper("reason", required_notice=False)


class AmendmentLineForm(forms.Form):
    """A line of the approved budget and its new planned amount; the last row adds a line."""

    funder = forms.ModelChoiceField(
        label="Financeur",
        queryset=Funder.objects.all(),
        required=False,
        error_messages={"invalid_choice": "Financeur inconnu."},
    )
    label = forms.CharField(label="Objet", max_length=200, required=False)
    planned_before = forms.DecimalField(label="Prévu approuvé (€)", required=False, disabled=True)
    planned_after = forms.DecimalField(
        label="Nouveau prévu (€)", max_digits=12, decimal_places=2, required=False, validators=[not_negative]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line: BudgetLine | None = self.initial.get("line")
        if self.line is not None:
            # What was approved is shown, never taken from the request.
            self.fields["funder"].disabled = True
            self.fields["label"].disabled = True

    def clean(self):
        cleaned = super().clean()
        after = cleaned.get("planned_after")
        if self.line is not None:
            if after is None and "planned_after" not in self.errors:
                self.add_error("planned_after", "Indiquez le nouveau prévu (ou laissez le prévu approuvé).")
        elif after is not None or cleaned.get("funder") or cleaned.get("label"):
            if not cleaned.get("funder"):
                self.add_error("funder", "Choisissez le financeur de la nouvelle ligne.")
            if after is None and "planned_after" not in self.errors:
                self.add_error("planned_after", "Indiquez le montant prévu de la nouvelle ligne.")
            elif after is not None and after <= 0:
                self.add_error("planned_after", "Le montant d'une nouvelle ligne doit être positif.")
        return cleaned

    def change(self) -> tuple[BudgetLine | None, Funder | None, str, Decimal] | None:
        """(budget line, funder, label, new planned amount) when this row changes the budget."""
        after = self.cleaned_data.get("planned_after")
        if after is None:
            return None
        if self.line is not None:
            return None if after == self.line.planned_amount else (self.line, None, "", after)
        return (None, self.cleaned_data["funder"], self.cleaned_data.get("label", ""), after)


class BaseAmendmentLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, lines: list[BudgetLine], **kwargs):
        initial = [
            {
                "line": line,
                "funder": line.funder_id,
                "label": line.label,
                "planned_before": line.planned_amount,
                "planned_after": line.planned_amount,
            }
            for line in lines
        ]
        super().__init__(*args, initial=initial, **kwargs)
        self.helper = table_helper("Lignes du budget : le prévu approuvé et le nouveau prévu demandé")

    def changes(self) -> list[tuple[BudgetLine | None, Funder | None, str, Decimal]]:
        return [change for form in self.forms if getattr(form, "cleaned_data", None) and (change := form.change())]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.changes():
            raise forms.ValidationError("Aucun montant ne change : modifiez au moins une ligne, ou ajoutez-en une.")


AmendmentLineFormSet = forms.formset_factory(AmendmentLineForm, formset=BaseAmendmentLineFormSet, extra=1)


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
        help_texts = {"file": "PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG ; 10 Mo au plus."}

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
    year = forms.TypedChoiceField(label="Appel", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes")] + [
            (code, name) for code, name in Region.objects.order_by("name").values_list("code", "name")
        ]
        self.fields["service"].choices = [("", "Tous")] + list(Service.objects.values_list("code", "name"))
        self.fields["year"].choices = [("", "Tous")] + [
            (year, str(year)) for year in Call.objects.order_by("-year").values_list("year", flat=True)
        ]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = UNKNOWN_CHOICE
        self.helper = section_helper(Row(*[Column(name) for name in self.fields]), required_notice=False)


# Reports --------------------------------------------------------------------


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
                form.add_error("service", f"« {service} » figure déjà dans le bilan.")
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


class CommentForm(forms.Form):
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, required: bool = False, label: str = "Commentaire", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = required
        self.fields["comment"].label = label
        self.helper = section_helper("comment", required_notice=False)
