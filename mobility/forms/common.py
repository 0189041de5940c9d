"""What the mobility forms share: the date input, the crispy helpers (a section of fields, a DSFR
table for a formset), the catalogue's services, the comment of a decision."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from cnml.forms import fields_only_helper
from mobility.models import Service

__all__ = [
    "CatalogueServiceChoiceField",
    "CommentForm",
    "DateInput",
    "TableFormSet",
    "UNKNOWN_CHOICE",
    "UNKNOWN_SERVICE",
    "section_helper",
    "services_field",
    "table_formset",
    "table_helper",
]


UNKNOWN_SERVICE = "Service inconnu du catalogue : « %(value)s »."
UNKNOWN_CHOICE = "Choix inconnu : « %(value)s »."


class DateInput(forms.DateInput):
    input_type = "date"


def section_helper(*fields, legend: str | None = None, **attributes) -> FormHelper:
    """A helper rendering some fields of a form, without <form> tag (the page holds it)."""
    layout = [Fieldset(legend, *fields)] if legend else fields
    return fields_only_helper(*layout, **attributes)


def table_helper(caption: str) -> FormHelper:
    return fields_only_helper(template="dsfr_crispy/table_inline_formset.html", table_caption=caption)


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


def table_formset(
    parent,
    model,
    fields,
    *,
    caption: str,
    extra: int = 2,
    widgets=None,
    form=forms.ModelForm,
    formset=TableFormSet,
    **kwargs,
):
    """The inline formset of ``model``'s rows of ``parent`` as a table; ``formset``: a TableFormSet with its own checks."""
    base = type(f"{model.__name__}TableFormSet", (formset,), {"caption": caption})
    return inlineformset_factory(
        parent, model, form=form, formset=base, fields=fields, extra=extra, can_delete=True, widgets=widgets, **kwargs
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, required: bool = False, label: str = "Commentaire", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = required
        self.fields["comment"].label = label
        self.helper = section_helper("comment", required_notice=False)
