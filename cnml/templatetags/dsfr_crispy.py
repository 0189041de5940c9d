"""Template helpers of the "dsfr_crispy" crispy-forms template pack (cnml/templates/dsfr_crispy/).

The templates branch on :func:`dsfr_kind` and render widgets with :func:`dsfr_widget`, which
adds the DSFR class of the widget. Everything else (``required``, ``aria-invalid``,
``aria-describedby`` pointing at ``<id>_helptext`` and ``<id>_error``) is Django's own
``BoundField`` logic: the templates only give those ids to the hint and to the error messages.
"""

from __future__ import annotations

import re

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Widget class added by the pack, by kind of field (see dsfr_kind).
WIDGET_CLASSES = {
    "input": "fr-input",
    "password": "fr-password__input fr-input",
    "select": "fr-select",
    "upload": "fr-upload",
}

# Wrapper classes by kind of field; the first one takes the --error and --disabled modifiers.
GROUP_CLASSES = {
    "choices": ["fr-fieldset"],
    "checkbox": ["fr-checkbox-group", "fr-mb-3w"],
    "input": ["fr-input-group"],
    "password": ["fr-input-group", "fr-password"],
    "select": ["fr-select-group"],
    "upload": ["fr-upload-group", "fr-mb-3w"],
}

# HTML date and time inputs only accept ISO values: a localised value (31/12/2024) shows as empty.
ISO_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M", "time": "%H:%M"}

# Classes crispy-forms gives its buttons for Bootstrap; dropped by the pack.
BOOTSTRAP_BUTTON_CLASSES = {"btn", "btn-primary", "btn-secondary", "btn-inverse", "hidden"}
BUTTON_CLASSES = {
    "submit": "fr-btn",
    "button": "fr-btn fr-btn--secondary",
    "reset": "fr-btn fr-btn--tertiary",
}


@register.filter
def dsfr_kind(field: BoundField) -> str:
    """What DSFR component renders the field.

    One of ``hidden``, ``choices`` (radio buttons or checkboxes in a fieldset), ``checkbox``,
    ``select``, ``upload``, ``password`` or ``input`` (text, e-mail, number, date, textarea...).
    """
    widget = field.field.widget
    if field.is_hidden:
        return "hidden"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is a RadioSelect
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "upload"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


@register.filter
def dsfr_group_class(field: BoundField) -> str:
    """Classes of the element wrapping the field: DSFR group, with its error or disabled state."""
    classes = list(GROUP_CLASSES[dsfr_kind(field)])
    if field.errors:
        classes.append(f"{classes[0]}--error")
    if field.field.disabled and classes[0] != "fr-fieldset":
        classes.append(f"{classes[0]}--disabled")
    return " ".join(classes)


def _file_input_only(widget: forms.ClearableFileInput) -> forms.FileInput:
    """The bare ``<input type="file">`` of a clearable widget: the template shows the current file."""
    plain = forms.FileInput()
    plain.attrs = dict(widget.attrs)
    plain.allow_multiple_selected = widget.allow_multiple_selected
    plain.is_required = widget.is_required
    return plain


@register.simple_tag
def dsfr_widget(field: BoundField) -> SafeString:
    """Render the field's widget with its DSFR class, keeping the classes set on the widget."""
    widget = field.field.widget
    kind = dsfr_kind(field)
    classes = widget.attrs.get("class", "").split()
    for css_class in WIDGET_CLASSES.get(kind, "").split():
        if css_class not in classes:
            classes.append(css_class)
    attrs = {"class": " ".join(classes)} if classes else {}
    iso_format = ISO_FORMATS.get(getattr(widget, "input_type", ""))
    if iso_format and hasattr(widget, "format"):
        widget.format = iso_format
    if isinstance(widget, forms.ClearableFileInput):
        return field.as_widget(widget=_file_input_only(widget), attrs=attrs)
    return field.as_widget(attrs=attrs)


@register.filter
def dsfr_current_file(field: BoundField):
    """The file already saved for a clearable file field (it has a URL), else None."""
    value = field.value()
    if isinstance(field.field.widget, forms.ClearableFileInput) and field.field.widget.is_initial(value):
        return value
    return None


@register.filter
def dsfr_has_required_fields(form) -> bool:
    """Whether a visible field of the form is required (the form then says so above its fields)."""
    return any(field.field.required for field in form.visible_fields())


@register.filter
def dsfr_button_class(input_object) -> str:
    """DSFR classes of a crispy Submit, Button or Reset: its kind's classes plus its own css_class."""
    own = [name for name in input_object.field_classes.split() if name not in BOOTSTRAP_BUTTON_CLASSES]
    return " ".join([BUTTON_CLASSES.get(input_object.input_type, "fr-btn"), *own])


@register.filter
def dsfr_strict_button_attrs(flat_attrs: str) -> SafeString:
    """The attributes of a crispy StrictButton, its Bootstrap ``btn`` class turned into ``fr-btn``."""
    return mark_safe(re.sub(r'class="btn(?=[ "])', 'class="fr-btn', str(flat_attrs)))  # flatatt escaped the values


BLOCK_TAGS = ("<ul", "<ol", "<p", "<div", "<table")


@register.filter
def dsfr_block_help(field: BoundField) -> bool:
    """True when the help text holds block markup (Django's password rules are a list).

    A list cannot sit inside a <label> and would become the field's spoken name:
    such help goes below the input, still linked by aria-describedby.
    """
    help_text = str(field.help_text or "")
    return any(tag in help_text for tag in BLOCK_TAGS)
