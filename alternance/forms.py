"""Forms of the alternance app, rendered with crispy-forms through the project's DSFR pack."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from alternance.models import FIRST_YEAR, LAST_YEAR, AgreementDocument, Commitment
from cnml.formatting import format_number
from cnml.forms import fields_only_helper
from cnml.uploads import DOCUMENT_KINDS, upload_help


class FieldsOnlyMixin:
    """A form whose page writes the <form> tag and the buttons: crispy renders its fields only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_only_helper(form=self)


class MoveForm(FieldsOnlyMixin, forms.Form):
    """The comment of an agreement's move; the buttons (one per allowed move) are the page's."""

    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour terminer un accord.",
    )
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)


def commitment_field_name(commitment: Commitment) -> str:
    return f"engagement_{commitment.pk}"


class ResultsForm(forms.Form):
    """A declination's results for one year: one number per commitment of its agreement."""

    year = forms.IntegerField(label="Année", min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, *args, commitments: list[Commitment], **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        names = []
        for commitment in commitments:
            name = commitment_field_name(commitment)
            target = f" — objectif : {format_number(commitment.target)}" if commitment.target is not None else ""
            self.fields[name] = forms.IntegerField(
                label=str(commitment),
                help_text=f"Nombre réalisé dans l'année{target}.",
                min_value=0,
                required=False,
            )
            names.append(name)
        self.helper = FormHelper(self)
        self.helper.layout = Layout(
            Fieldset("Année", "year"),
            Fieldset("Réalisé pour chaque engagement", *names),
        )
        self.helper.add_input(Submit("save", "Enregistrer les résultats"))

    def achieved(self) -> dict[Commitment, int | None]:
        return {commitment: self.cleaned_data.get(commitment_field_name(commitment)) for commitment in self.commitments}


class DocumentForm(FieldsOnlyMixin, forms.ModelForm):
    """A document of an agreement: its nature, a title, the file (type checked by content)."""

    class Meta:
        model = AgreementDocument
        fields = ["kind", "title", "file"]
        help_texts = {
            "kind": (
                "Le texte signé et les annexes d'un accord signé ou renouvelé sont publics\u202f; "
                "les documents de travail restent réservés au CNML et aux régions qui déclinent l'accord."
            ),
            "file": upload_help(DOCUMENT_KINDS),
        }
