"""Forms of a project's budget: the actual amounts of the approved lines, and an amendment
(« avenant ») with its new planned amounts."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory

from mobility.forms.common import TableFormSet, section_helper, table_helper
from mobility.models import BudgetLine, Funder, Project, not_negative

__all__ = [
    "AmendmentForm",
    "AmendmentLineForm",
    "AmendmentLineFormSet",
    "BaseAmendmentLineFormSet",
    "BudgetFormSet",
    "BudgetLineForm",
    "BudgetTableFormSet",
]


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
        self.helper = table_helper("Lignes du budget : le prévu approuvé et le nouveau prévu demandé")

    def changes(self) -> list[tuple[BudgetLine | None, Funder | None, str, Decimal]]:
        return [change for form in self.forms if getattr(form, "cleaned_data", None) and (change := form.change())]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.changes():
            raise forms.ValidationError("Aucun montant ne change : modifiez au moins une ligne, ou ajoutez-en une.")


AmendmentLineFormSet = forms.formset_factory(AmendmentLineForm, formset=BaseAmendmentLineFormSet, extra=1)
