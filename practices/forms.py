"""Forms of the practices app, rendered with crispy-forms through the DSFR pack ("dsfr_crispy").

The fiche form is saved as a draft with only a title: the other parts of the model
fiche are required to *submit* it (:data:`practices.models.SUBMISSION_REQUIRED`). Their
labels say so (no "facultatif"), the draft does not enforce them, the submission does
(:meth:`practices.models.Fiche.missing_for_submission`).
"""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict

from cnml.forms import fields_only_helper
from cnml.models import Committee, Structure, StructureKind, User
from cnml.uploads import accept_attribute, upload_help
from practices import permissions
from practices.content import LIGHT_FORMATTING_HELP
from practices.models import (
    ATTACHMENT_KINDS,
    ATTACHMENT_VALIDATOR,
    LONG_TEXTS,
    MAX_ATTACHMENTS,
    SUBMISSION_REQUIRED,
    Attachment,
    Fiche,
    PartnerKind,
    Scale,
    Status,
    Theme,
)
from practices.richtext import clean_rich_text

FILES_NOT_KEPT = (
    "Les fichiers que vous aviez choisis n'ont pas été enregistrés, car le formulaire contient des erreurs : "
    "votre navigateur ne peut pas les conserver. Choisissez-les à nouveau avant d'enregistrer."
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one checked by content and size."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [ATTACHMENT_VALIDATOR])
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned, errors = [], []
        for item in files:
            try:
                cleaned.append(super().clean(item, initial))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class FicheForm(forms.ModelForm):
    """The model fiche in sections; partners and contacts are formsets beside it."""

    use_required_attribute = False

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    scale = forms.ChoiceField(label="Échelle de l'action", choices=Scale.choices, widget=forms.RadioSelect)
    new_attachments = MultipleFileField(
        label="Ajouter des pièces jointes",
        required=False,
        help_text=upload_help(ATTACHMENT_KINDS, several=True),
        widget=MultipleFileInput(attrs={"accept": accept_attribute(ATTACHMENT_KINDS)}),
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label="Pièces jointes à retirer",
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Fiche
        fields = [
            "title",
            "recensement",
            "structure",
            "committee",
            "scale",
            "themes",
            "other_structures",
            "coauthors",
            "start_date",
            "end_date",
            *LONG_TEXTS,
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "other_structures": forms.CheckboxSelectMultiple,
            "coauthors": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            **{name: forms.Textarea(attrs={"rows": 6}) for name in LONG_TEXTS},
        }
        labels = {
            "title": "Titre de la fiche",
            "structure": "Structure porteuse",
            "committee": "Pour un comité de pilotage",
            "coauthors": "Co-auteurs",
        }
        help_texts = {
            "title": "Par exemple : « Les outils partagés de la cotraitance et du partenariat renforcé ».",
            "other_structures": "Les autres missions locales ou PAIO de la région qui portent l'action avec vous.",
            "committee": "Une fiche est rédigée pour votre structure ou pour un comité de pilotage dont vous êtes membre.",
            "coauthors": "Ils modifient la fiche avec vous. Seules les personnes de la même structure ou du même "
            "comité peuvent être invitées.",
            "start_date": "Format attendu : JJ/MM/AAAA.",
            "end_date": "Format attendu : JJ/MM/AAAA. Laissez vide si l'action se poursuit.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        fiche = self.instance
        self.fields["title"].widget.attrs["maxlength"] = 200

        self._init_carrier(user, fiche)
        self.initial["revision"] = fiche.revision

        recensements = permissions.accepting_recensements(user, fiche)
        if recensements.exists():
            self.fields["recensement"].queryset = recensements
            self.fields["recensement"].empty_label = "Aucun : la fiche ne répond à aucun recensement"
        else:
            del self.fields["recensement"]
        self._saved_recensement_id = fiche.recensement_id if fiche.pk else None
        self._init_template(fiche)

        chosen_themes = list(fiche.themes.values_list("pk", flat=True)) if fiche.pk else []
        self.fields["themes"].queryset = Theme.objects.filter(Q(active=True) | Q(pk__in=chosen_themes))
        self.fields["themes"].label = "Thèmes"

        region_id = fiche.region_id or (
            user.structure.region_id
            if user.structure_id
            else permissions.author_committees(user).values_list("region_id", flat=True).first()
        )
        chosen_structures = list(fiche.other_structures.values_list("pk", flat=True)) if fiche.pk else []
        own = permissions.author_structures(user).values("pk")
        self.fields["other_structures"].queryset = Structure.objects.filter(
            Q(region_id=region_id, kind__in=[StructureKind.ML, StructureKind.PAIO], active=True) & ~Q(pk__in=own)
            | Q(pk__in=chosen_structures)
        ).order_by("name")

        if fiche.pk and fiche.attachments.exists():
            self.fields["remove_attachments"].queryset = fiche.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: f"{a.name} ({a.size_label})"
        else:
            del self.fields["remove_attachments"]

        # A draft needs its title only; the labels keep saying what submitting needs.
        self._mark_submission_fields(required=not self.is_bound)
        self._build_helpers()

    def _init_template(self, fiche: Fiche) -> None:
        """The recensement's fiche template: its guidance under the rubrics, its starters in a new fiche."""
        self.fiche_template = fiche.recensement.fiche_template if fiche.recensement_id else None
        if self.fiche_template is None:
            return
        for name in LONG_TEXTS:
            self.fields[name].help_text = self.fiche_template.guidance(name) or self.fields[name].help_text
        if not fiche.pk:
            for name, starter in self.fiche_template.starters().items():
                self.initial[name] = self.initial.get(name) or starter

    def _clean_recensement(self, cleaned) -> None:
        """A recensement chosen anew must ask the porteur chosen; a starter left as it was is no content."""
        chosen = cleaned.get("recensement") if "recensement" in self.fields else self.instance.recensement
        if chosen is None:
            return
        for name in LONG_TEXTS:
            if name in cleaned and chosen.fiche_template.untouched(name, cleaned[name]):
                cleaned[name] = ""
        carrier = {"structure": cleaned.get("structure"), "committee": cleaned.get("committee")}
        anew = chosen.pk != self._saved_recensement_id and any(carrier.values())
        if anew and not permissions.recensement_accepts(chosen, **carrier):
            self.add_error(
                "recensement",
                f"Le recensement « {chosen} » ne sollicite pas "
                f"{'ce comité' if carrier['committee'] else 'cette structure'} : choisissez-en un autre, ou aucun.",
            )

    def _init_carrier(self, user, fiche: Fiche) -> None:
        """The porteur: one of the user's structures, or one of their committees (the current one kept)."""
        structures = permissions.author_structures(user).order_by("code")
        committees = permissions.author_committees(user).order_by("name")
        if fiche.pk and not permissions.writes_for_carrier_of(user, fiche):
            # A co-author edits the fiche but does not move it to another porteur.
            structures = Structure.objects.filter(pk=fiche.structure_id)
            committees = Committee.objects.filter(pk=fiche.committee_id)
        elif fiche.pk:
            structures = Structure.objects.filter(Q(pk__in=structures.values("pk")) | Q(pk=fiche.structure_id))
            committees = Committee.objects.filter(Q(pk__in=committees.values("pk")) | Q(pk=fiche.committee_id))
        if structures.exists():
            self.fields["structure"].queryset = structures
            self.fields["structure"].empty_label = None
            # Always posted (no empty choice); a committee chosen beside it wins (_clean_carrier).
            self.fields["structure"].required = True
            if structures.count() <= 1 and not committees.exists():
                self.fields["structure"].widget = forms.HiddenInput()
            if not fiche.pk and user.structure_id:
                self.initial.setdefault("structure", user.structure_id)
        else:
            del self.fields["structure"]
        if committees.exists():
            self.fields["committee"].queryset = committees
            self.fields["committee"].empty_label = "Aucun : pour ma structure" if "structure" in self.fields else None
            if "structure" not in self.fields:
                # A partner (or a co-author) writes for a committee only.
                self.fields["committee"].required = True
                self.fields["committee"].label = "Comité de pilotage porteur"
                self.fields["committee"].help_text = "La fiche est rédigée pour ce comité et vue de ses seuls membres."
        else:
            del self.fields["committee"]
        if fiche.pk and permissions.is_author_of(user, fiche):
            chosen = fiche.coauthors.values("pk")
            self.fields["coauthors"].queryset = User.objects.filter(
                Q(pk__in=permissions.coauthor_candidates(user, fiche).values("pk")) | Q(pk__in=chosen)
            ).order_by("last_name", "first_name", "email")
        else:
            # Co-authors are chosen among the people of the porteur, known once the fiche is saved.
            del self.fields["coauthors"]

    def _clean_carrier(self, cleaned) -> None:
        # Choosing a committee wins over the structure the list starts on: the fiche is one or the other.
        if cleaned.get("committee"):
            cleaned["structure"] = self.instance.structure = None
        elif cleaned.get("structure"):
            cleaned["committee"] = self.instance.committee = None
        else:
            target = "committee" if "committee" in self.fields else "structure"
            self.add_error(target, "Choisissez la structure ou le comité de pilotage pour lequel la fiche est rédigée.")
            return
        if cleaned.get("coauthors"):
            probe = Fiche(pk=self.instance.pk, structure=cleaned.get("structure"), committee=cleaned.get("committee"))
            allowed = set(permissions.coauthor_candidates(self.user, probe).values_list("pk", flat=True))
            allowed |= set(self.instance.coauthors.values_list("pk", flat=True))
            if any(person.pk not in allowed for person in cleaned["coauthors"]):
                self.add_error("coauthors", "Les co-auteurs sont des personnes de la même structure ou du même comité.")

    def _mark_submission_fields(self, *, required: bool) -> None:
        for name in [*SUBMISSION_REQUIRED, "themes"]:
            if name != "title" and name in self.fields:
                self.fields[name].required = required
        self.fields["title"].required = True

    def full_clean(self):
        super().full_clean()
        self._mark_submission_fields(required=True)

    def _build_helpers(self) -> None:
        attachments = ["remove_attachments"] if "remove_attachments" in self.fields else []
        self.helper_identity = fields_only_helper(
            Fieldset(
                "La fiche",
                "revision",
                "title",
                *(["recensement"] if "recensement" in self.fields else []),
                *[name for name in ("structure", "committee") if name in self.fields],
                InlineRadios("scale"),
                "themes",
                "other_structures",
                *(["coauthors"] if "coauthors" in self.fields else []),
                Row(Column("start_date"), Column("end_date")),
                css_id="section-fiche",
                css_class="practices-form-section",
            ),
            required_notice=False,
        )
        self.helper_texts = fields_only_helper(
            Fieldset(
                "Contexte et objectifs",
                HTML(f'<p class="fr-hint-text" id="aide-mise-en-forme">{LIGHT_FORMATTING_HELP}</p>'),
                "context",
                "objectives",
                "public_concerned",
                css_id="section-contexte",
                css_class="practices-form-section",
            ),
            Fieldset(
                "L'action",
                "description",
                "means",
                css_id="section-action",
                css_class="practices-form-section",
            ),
            Fieldset(
                "Résultats et enseignements",
                "results",
                "success_factors",
                "difficulties",
                "transferability",
                css_id="section-resultats",
                css_class="practices-form-section",
            ),
            required_notice=False,
        )
        self.helper_files = fields_only_helper(
            Fieldset(
                "Pièces jointes",
                *attachments,
                "new_attachments",
                css_id="section-pieces-jointes",
                css_class="practices-form-section",
            ),
            required_notice=False,
        )

    def clean_title(self):
        # Kept as typed (escaped wherever it is shown); one line, single spaces.
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        cleaned = super().clean()
        for name in LONG_TEXTS:
            if name in cleaned:
                cleaned[name] = clean_rich_text(cleaned[name])
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin doit suivre la date de début.")
        self._clean_carrier(cleaned)
        self._clean_recensement(cleaned)
        if cleaned.get("structure") and cleaned.get("other_structures") is not None:
            cleaned["other_structures"] = [s for s in cleaned["other_structures"] if s.pk != cleaned["structure"].pk]
        kept = self.instance.attachments.count() if self.instance.pk else 0
        kept -= len(cleaned.get("remove_attachments") or [])
        if kept + len(cleaned.get("new_attachments") or []) > MAX_ATTACHMENTS:
            self.add_error("new_attachments", f"Une fiche compte au plus {MAX_ATTACHMENTS} pièces jointes.")
        return cleaned

    def flag_missing(self, missing: dict[str, str]) -> None:
        """Show, on an unbound form, what the fiche lacks to be submitted."""
        self.cleaned_data = {}
        self._errors = ErrorDict()
        for name, message in missing.items():
            if name in self.fields:
                self._errors[name] = self.error_class([message])


class MoveForm(forms.Form):
    """The comment of a move of the fiche's workflow (``action``: a ``services.Action``), required when the move
    wants one (requesting changes, rejecting): the site's form and the admin's confirmation."""

    comment = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    # The status the fiche was shown in: a decision taken meanwhile by someone else is told as such.
    seen_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["comment"].label = action.comment_label
        self.fields["comment"].required = action.comment_required

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if self.action.comment_required and not comment:
            raise ValidationError("Ce champ est obligatoire.", code="required")
        return comment


class TransitionForm(MoveForm):
    """A move from the fiche's page."""

    use_required_attribute = False

    def __init__(self, *args, action, submit_label: str | None = None, **kwargs):
        super().__init__(*args, action=action, **kwargs)
        if action.notify == "authors":
            self.fields["comment"].help_text = "Ce commentaire figure dans le courriel envoyé aux rédacteurs."
        elif action.notify == "reviewers":
            self.fields["comment"].help_text = "Ce message figure dans le courriel envoyé aux relecteurs."
        self.helper = FormHelper()
        self.helper.required_notice = False
        self.helper.layout = Layout("seen_status", "comment")
        self.helper.add_input(Submit("confirm", submit_label or action.label))


class CatalogueForm(forms.Form):
    """The catalogue's search and filters (a GET form; rendered by hand as a DSFR search bar)."""

    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    theme = forms.ModelChoiceField(label="Thème", queryset=Theme.objects.all(), to_field_name="slug", required=False)
    region = forms.ModelChoiceField(label="Région", queryset=None, to_field_name="code", required=False)
    partner = forms.ChoiceField(label="Partenaire", choices=PartnerKind.choices, required=False)
    year = forms.TypedChoiceField(label="Année de publication", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = choices["themes"]
        self.fields["theme"].empty_label = "Tous les thèmes"
        self.fields["region"].queryset = choices["regions"]
        self.fields["region"].empty_label = "Toutes les régions"
        self.fields["partner"].choices = [("", "Tous les partenaires"), *choices["partners"]]
        self.fields["year"].choices = [("", "Toutes les années"), *[(year, str(year)) for year in choices["years"]]]
