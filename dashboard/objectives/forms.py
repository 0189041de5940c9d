"""The animator's split of its region's objective among the region's structures (crispy, DSFR pack)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

DEFAULT_SOURCE = "Répartition de l'objectif régional par l'animation régionale"


def field_name(structure) -> str:
    return f"structure_{structure.pk}"


class SplitForm(forms.Form):
    """One target per structure (empty: no objective for it), and where the split comes from."""

    source = forms.CharField(
        label="Source",
        max_length=300,
        initial=DEFAULT_SOURCE,
        help_text="Qui a décidé la répartition, par exemple une réunion des directeurs de la région.",
    )

    def __init__(self, *args, structures, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.structures = list(structures)
        names = []
        for structure in self.structures:
            name = field_name(structure)
            self.fields[name] = forms.IntegerField(
                label=structure.name,
                required=False,
                min_value=1,
                max_value=10_000_000,
                initial=current.get(structure.pk),
                help_text="Nombre de jeunes ; laissez vide pour ne pas fixer d'objectif à cette structure.",
            )
            names.append(name)
        self.helper = FormHelper(self)
        self.helper.layout = Layout(
            Fieldset("Objectif de chaque structure", *names),
            "source",
        )
        self.helper.add_input(Submit("enregistrer", "Enregistrer la répartition"))

    def targets(self) -> dict:
        """structure -> target (None: no objective), from the cleaned data."""
        return {structure: self.cleaned_data.get(field_name(structure)) for structure in self.structures}
