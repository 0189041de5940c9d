"""The "dsfr_crispy" template pack renders crispy forms in DSFR markup, accessible (RGAA) and without Bootstrap."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from crispy_forms.bootstrap import FormActions, InlineRadios, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import (
    HTML,
    Button,
    ButtonHolder,
    Column,
    Div,
    Field,
    Fieldset,
    Hidden,
    Layout,
    Reset,
    Row,
    Submit,
)
from crispy_forms.utils import render_crispy_form
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from tests.factories import UserFactory

REGIONS = [("", "Choisir une région"), ("ara", "Auvergne-Rhône-Alpes"), ("bre", "Bretagne")]
THEMES = [("emploi", "Emploi"), ("logement", "Logement"), ("sante", "Santé")]
PUBLICS = [
    ("mineurs", "Mineurs"),
    ("qpv", "Résidents des quartiers prioritaires"),
    ("neet", "Ni en emploi ni en formation"),
]
KINDS = [("ml", "Mission locale"), ("paio", "PAIO"), ("antenne", "Antenne")]


class StoredFile:
    """A file already saved (what a model's FileField gives a ClearableFileInput)."""

    url = "/media/rapports/rapport-2024.pdf"

    def __str__(self) -> str:
        return "rapport-2024.pdf"


class EveryWidgetForm(forms.Form):
    """One field per widget the pack supports, laid out with the crispy layout objects."""

    name = forms.CharField(label="Nom de la structure", help_text="Tel qu'inscrit au répertoire.", max_length=100)
    email = forms.EmailField(label="Adresse e-mail de contact")
    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput)
    headcount = forms.IntegerField(label="Effectif", min_value=0)
    opened_on = forms.DateField(label="Date d'ouverture", widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    region = forms.ChoiceField(label="Région", choices=REGIONS)
    themes = forms.MultipleChoiceField(label="Thèmes", choices=THEMES, widget=forms.SelectMultiple)
    publics = forms.MultipleChoiceField(
        label="Publics accompagnés", choices=PUBLICS, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label="Type de structure", choices=KINDS, widget=forms.RadioSelect)
    charter = forms.BooleanField(label="J'accepte la charte du réseau")
    report = forms.FileField(label="Rapport d'activité", required=False, help_text="Format PDF, 5 Mo au plus.")
    logo = forms.FileField(label="Logo", widget=forms.FileInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_id = "structure-form"
        self.helper.layout = Layout(
            Fieldset(
                "Identité de la structure",
                "name",
                "email",
                "password",
                Row(Column("headcount"), Column("opened_on")),
            ),
            Fieldset("Activité", "description", "region", "themes", "publics", "kind"),
            Div("report", "logo", css_class="fr-mb-2w"),
            HTML('<p class="fr-text--sm">Les pièces jointes sont facultatives.</p>'),
            "charter",
            FormActions(Submit("save", "Enregistrer"), Button("preview", "Aperçu"), Reset("reset", "Effacer")),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "Doublon":
            raise ValidationError("Une structure porte déjà ce nom.")
        return cleaned


INVALID_DATA = {
    "name": "Doublon",
    "email": "pas-une-adresse",
    "password": "secret-tape",
    "headcount": "-3",
    "opened_on": "2024-02-30",
    "description": "Accueil des jeunes de 16 à 25 ans.",
    "region": "",
    "themes": ["logement", "sante"],
    "kind": "paio",
}


# --- A small HTML reader for the assertions ---------------------------------------------------


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.attrs = attrs
        self.text = ""
        self.ancestors: list[Element] = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class Page(HTMLParser):
    """The elements of an HTML fragment, in document order, each with its ancestors and text."""

    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        element.ancestors = list(self._open)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def by_id(self, element_id: str) -> Element:
        found = [element for element in self.elements if element.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} éléments d'id {element_id!r}"
        return found[0]

    def with_class(self, css_class: str) -> list[Element]:
        return [element for element in self.elements if css_class in element.classes]

    def field(self, name: str) -> Element:
        found = [e for e in self.elements if e.tag in ("input", "select", "textarea") and e.attrs.get("name") == name]
        assert len(found) == 1, f"{len(found)} champs nommés {name!r}"
        return found[0]

    def label_for(self, element_id: str) -> Element:
        found = [
            element for element in self.elements if element.tag == "label" and element.attrs.get("for") == element_id
        ]
        assert len(found) == 1, f"{len(found)} libellés pour {element_id!r}"
        return found[0]

    def all_classes(self) -> set[str]:
        return {css_class for element in self.elements for css_class in element.classes}


def group_of(page: Page, element: Element, css_class: str) -> Element:
    """The closest ancestor of ``element`` that has ``css_class``."""
    for ancestor in reversed(element.ancestors):
        if css_class in ancestor.classes:
            return ancestor
    raise AssertionError(f"{element!r} n'est dans aucun élément de classe {css_class}")


def text(element: Element) -> str:
    return " ".join(element.text.split())


def render(form: forms.Form) -> Page:
    return Page(render_crispy_form(form, context={"csrf_token": "jeton-de-test"}))


def assert_no_bootstrap(page: Page) -> None:
    classes = page.all_classes()
    bootstrap = {"btn", "btn-primary", "btn-secondary", "form-control", "form-select", "form-group", "form-check"}
    assert not classes & bootstrap, classes & bootstrap
    assert not [name for name in classes if re.match(r"(col|row|mb|mt|is)-", name) or name == "row"]
    # DSFR's classes, and the project's own (cnml-, static/cnml/cnml.css: e.g. a table's scroll hint).
    assert not [name for name in classes if not name.startswith(("fr-", "cnml-"))], "classe hors DSFR"


# --- The widgets, unbound ---------------------------------------------------------------------


def test_text_inputs_are_dsfr_input_groups_with_labels_for_their_ids():
    page = render(EveryWidgetForm())
    for name, input_type in [
        ("name", "text"),
        ("email", "email"),
        ("password", "password"),
        ("headcount", "number"),
        ("opened_on", "date"),
    ]:
        field = page.field(name)
        assert field.attrs["type"] == input_type
        assert "fr-input" in field.classes
        assert page.label_for(field.attrs["id"]).classes == ["fr-label"]
        assert "fr-input-group" in group_of(page, field, "fr-input-group").classes
    description = page.field("description")
    assert description.tag == "textarea" and "fr-input" in description.classes
    assert "Description" in text(page.label_for("id_description"))


def test_selects_are_dsfr_select_groups():
    page = render(EveryWidgetForm())
    region, themes = page.field("region"), page.field("themes")
    assert region.tag == themes.tag == "select"
    assert "fr-select" in region.classes and "fr-select" in themes.classes
    assert "multiple" in themes.attrs and "multiple" not in region.attrs
    assert group_of(page, region, "fr-select-group")
    assert text(page.label_for("id_themes")) == "Thèmes"


def test_single_checkbox_is_a_dsfr_checkbox_group_input_then_label():
    page = render(EveryWidgetForm())
    checkbox = page.field("charter")
    assert checkbox.attrs["type"] == "checkbox"
    group = group_of(page, checkbox, "fr-checkbox-group")
    label = page.label_for("id_charter")
    assert group in label.ancestors
    assert page.elements.index(checkbox) < page.elements.index(label)


@pytest.mark.parametrize(
    ("name", "input_type", "group_class", "legend", "choices"),
    [
        ("publics", "checkbox", "fr-checkbox-group", "Publics accompagnés", PUBLICS),
        ("kind", "radio", "fr-radio-group", "Type de structure", KINDS),
    ],
)
def test_choice_lists_are_dsfr_fieldsets_with_a_legend_and_one_labelled_input_per_choice(
    name, input_type, group_class, legend, choices
):
    page = render(EveryWidgetForm())
    fieldset = page.by_id(f"id_{name}_fieldset")
    assert fieldset.tag == "fieldset" and "fr-fieldset" in fieldset.classes
    legends = [e for e in page.elements if e.tag == "legend" and fieldset in e.ancestors]
    assert "fr-fieldset__legend" in legends[0].classes
    assert text(legends[0]).startswith(legend)
    inputs = [e for e in page.elements if e.tag == "input" and e.attrs.get("name") == name]
    assert [i.attrs["value"] for i in inputs] == [value for value, _ in choices]
    for index, (option, (_, label)) in enumerate(zip(inputs, choices, strict=True)):
        assert option.attrs["type"] == input_type
        assert option.attrs["id"] == f"id_{name}_{index}"
        assert fieldset in option.ancestors
        assert group_of(page, option, group_class)
        assert group_of(page, option, "fr-fieldset__element")
        assert text(page.label_for(option.attrs["id"])) == label


def test_file_inputs_are_dsfr_upload_groups():
    page = render(EveryWidgetForm())
    for name in ("report", "logo"):
        upload = page.field(name)
        assert upload.attrs["type"] == "file" and "fr-upload" in upload.classes
        assert group_of(page, upload, "fr-upload-group")
        assert page.label_for(upload.attrs["id"])
    assert 'enctype="multipart/form-data"' in page.html


def test_clearable_file_input_shows_the_current_file_and_a_labelled_clear_checkbox_in_french():
    page = render(EveryWidgetForm(initial={"report": StoredFile()}))
    link = next(e for e in page.elements if e.tag == "a" and e.attrs.get("href") == StoredFile.url)
    assert text(link) == "rapport-2024.pdf"
    clear = page.field("report-clear")
    assert clear.attrs["type"] == "checkbox"
    assert text(page.label_for(clear.attrs["id"])) == "Supprimer le fichier actuel"
    assert "Currently" not in page.html and "Clear" not in page.html
    assert [e for e in page.elements if e.tag == "input" and e.attrs.get("type") == "file"]  # still one to upload


def test_help_text_is_a_dsfr_hint_inside_the_label_and_describes_the_input():
    page = render(EveryWidgetForm())
    hint = page.by_id("id_name_helptext")
    assert "fr-hint-text" in hint.classes
    assert text(hint) == "Tel qu'inscrit au répertoire."
    assert page.label_for("id_name") in hint.ancestors
    assert page.field("name").attrs["aria-describedby"] == "id_name_helptext"
    assert page.field("report").attrs["aria-describedby"] == "id_report_helptext"


def test_required_fields_are_announced_and_optional_ones_marked_facultatif():
    page = render(EveryWidgetForm())
    notice = page.with_class("fr-hint-text")[0]
    assert text(notice) == "Sauf mention contraire, tous les champs sont obligatoires."
    assert "required" in page.field("name").attrs
    assert "(facultatif)" not in text(page.label_for("id_name"))
    assert text(page.label_for("id_description")) == "Description (facultatif)"
    assert "required" not in page.field("description").attrs
    assert "(facultatif)" in text(page.label_for("id_logo"))


def test_no_required_notice_when_every_field_is_optional():
    class SearchForm(forms.Form):
        query = forms.CharField(label="Rechercher", required=False)

    page = render(SearchForm())
    assert "obligatoires" not in page.html
    assert text(page.label_for("id_query")) == "Rechercher (facultatif)"


def test_helper_options_remove_the_notice_and_hide_labels_for_screen_readers_only():
    form = EveryWidgetForm()
    form.helper.required_notice = False
    form.helper.form_show_labels = False
    form.helper.layout = Layout(Field("email", wrapper_class="fr-col-6", css_class="cnml-email"), "kind")
    page = render(form)
    assert "obligatoires" not in page.html
    label = page.label_for("id_email")
    assert "fr-sr-only" in label.classes and text(label) == "Adresse e-mail de contact"
    assert "fr-col-6" in page.by_id("id_email_group").classes
    assert page.field("email").classes == ["cnml-email", "fr-input"]
    legend = page.by_id("id_kind_legend")
    assert "fr-sr-only" in legend.classes


def test_layout_objects_render_as_dsfr_fieldsets_grid_and_button_group():
    page = render(EveryWidgetForm())
    form = page.elements[0]
    assert form.tag == "form" and form.attrs["id"] == "structure-form" and form.attrs["method"] == "post"
    legends = [text(e) for e in page.elements if e.tag == "legend" and "fr-fieldset__legend--regular" not in e.classes]
    assert legends == ["Identité de la structure", "Activité"]
    identity = next(e for e in page.with_class("fr-fieldset") if e.tag == "fieldset")
    assert identity in page.field("name").ancestors
    row = page.with_class("fr-grid-row")[0]
    assert row in page.field("headcount").ancestors and row in page.field("opened_on").ancestors
    assert len(page.with_class("fr-col-md")) == 2
    assert "Les pièces jointes sont facultatives." in page.html
    buttons = {e.attrs["name"]: e for e in page.elements if e.tag == "button"}
    assert buttons["save"].attrs["type"] == "submit" and buttons["save"].classes == ["fr-btn"]
    assert buttons["preview"].attrs["type"] == "button"
    assert buttons["preview"].classes == ["fr-btn", "fr-btn--secondary"]
    assert buttons["reset"].attrs["type"] == "reset" and "fr-btn--tertiary" in buttons["reset"].classes
    assert text(buttons["save"]) == "Enregistrer"
    assert all(group_of(page, button, "fr-btns-group") for button in buttons.values())
    assert_no_bootstrap(page)


def test_button_holder_strict_button_inline_radios_and_added_inputs():
    class SmallForm(forms.Form):
        kind = forms.ChoiceField(label="Type", choices=KINDS, widget=forms.RadioSelect)

    form = SmallForm()
    form.helper = FormHelper()
    form.helper.layout = Layout(
        InlineRadios("kind"),
        ButtonHolder(StrictButton("Continuer", type="submit", css_class="fr-btn--secondary")),
    )
    form.helper.add_input(Submit("send", "Envoyer"))
    form.helper.add_input(Hidden("step", "2"))
    page = render(form)
    assert len(page.with_class("fr-fieldset__element--inline")) == len(KINDS)
    strict = next(e for e in page.elements if e.tag == "button" and "Continuer" in text(e))
    assert strict.classes == ["fr-btn", "fr-btn--secondary"] and strict.attrs["type"] == "submit"
    assert len(page.with_class("fr-btns-group")) == 2
    assert page.field("step").attrs == {"type": "hidden", "name": "step", "value": "2"}
    assert_no_bootstrap(page)


def test_no_inline_style_nor_script_in_the_markup():
    html = render(EveryWidgetForm(INVALID_DATA)).html + render(EveryWidgetForm()).html
    assert "style=" not in html
    assert "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)


# --- Bound with errors ------------------------------------------------------------------------


def bound_form() -> EveryWidgetForm:
    form = EveryWidgetForm(INVALID_DATA, {"logo": SimpleUploadedFile("logo.png", b"png")})
    assert not form.is_valid()
    return form


def test_field_errors_are_dsfr_messages_linked_to_the_input_by_aria_describedby():
    form = bound_form()
    page = render(form)
    for name in ("email", "headcount", "opened_on", "region", "charter"):
        field = page.field(name)
        assert field.attrs["aria-invalid"] == "true"
        described_by = field.attrs["aria-describedby"].split()
        assert f"id_{name}_error" in described_by
        for element_id in described_by:
            page.by_id(element_id)  # every id it points at exists, once
        messages = page.by_id(f"id_{name}_error")
        assert "fr-messages-group" in messages.classes
        assert text(messages) == " ".join(form.errors[name])
        assert [e for e in page.with_class("fr-message--error") if messages in e.ancestors]
    assert page.field("name").attrs["aria-describedby"] == "id_name_helptext"  # no error on it


def test_error_states_use_the_dsfr_group_modifiers():
    page = render(bound_form())
    assert "fr-input-group--error" in page.by_id("id_email_group").classes
    assert "fr-input-group--error" in page.by_id("id_headcount_group").classes
    assert "fr-input-group--error" not in page.by_id("id_password_group").classes
    assert "fr-select-group--error" in page.by_id("id_region_group").classes
    assert "fr-checkbox-group--error" in page.by_id("id_charter_group").classes
    assert "fr-input-group--error" not in page.by_id("id_name_group").classes
    assert "fr-select-group--error" not in page.by_id("id_themes_group").classes


def test_choice_list_errors_are_linked_to_their_fieldset():
    form = bound_form()
    page = render(form)
    fieldset = page.by_id("id_publics_fieldset")
    assert "fr-fieldset--error" in fieldset.classes
    assert fieldset.attrs["aria-describedby"] == "id_publics_error"
    messages = page.by_id("id_publics_error")
    assert fieldset in messages.ancestors
    assert text(messages) == "Ce champ est obligatoire."
    assert all(e.attrs.get("aria-invalid") == "true" for e in page.elements if e.attrs.get("name") == "publics")
    assert "fr-fieldset--error" not in page.by_id("id_kind_fieldset").classes


def test_file_error_is_shown_in_the_upload_group():
    class UploadForm(forms.Form):
        report = forms.FileField(label="Rapport", widget=forms.FileInput)

    form = UploadForm({}, {})
    page = render(form)
    assert "fr-upload-group--error" in page.by_id("id_report_group").classes
    assert "id_report_error" in page.field("report").attrs["aria-describedby"].split()
    assert text(page.by_id("id_report_error")) == "Ce champ est obligatoire."


def test_form_errors_are_a_dsfr_error_alert_in_french():
    page = render(bound_form())
    alert = page.with_class("fr-alert")[0]
    assert {"fr-alert", "fr-alert--error"} <= set(alert.classes)
    assert text(alert) == "Une structure porte déjà ce nom."
    assert page.elements.index(alert) < page.elements.index(page.field("name"))
    assert "Saisissez une adresse de courriel valide." in page.html  # Django's own messages, in French


def test_form_error_title_makes_a_titled_alert():
    form = bound_form()
    form.helper.form_error_title = "Le formulaire contient des erreurs"
    page = render(form)
    title = page.with_class("fr-alert__title")[0]
    assert text(title) == "Le formulaire contient des erreurs"
    assert "fr-alert--sm" not in page.with_class("fr-alert")[0].classes


def test_typed_values_are_kept_after_a_failed_submit():
    page = render(bound_form())
    assert page.field("name").attrs["value"] == "Doublon"
    assert page.field("email").attrs["value"] == "pas-une-adresse"
    assert page.field("headcount").attrs["value"] == "-3"
    assert page.field("opened_on").attrs["value"] == "2024-02-30"
    assert text(page.field("description")) == "Accueil des jeunes de 16 à 25 ans."
    themes = page.field("themes")
    selected = [e.attrs["value"] for e in page.elements if themes in e.ancestors and "selected" in e.attrs]
    assert selected == ["logement", "sante"]
    checked = [e.attrs["value"] for e in page.elements if e.attrs.get("name") == "kind" and "checked" in e.attrs]
    assert checked == ["paio"]
    assert "value" not in page.field("password").attrs  # a password is never sent back


def test_a_valid_date_is_shown_in_iso_format_for_the_date_input():
    page = render(EveryWidgetForm(initial={"opened_on": date(2021, 9, 1)}))
    assert page.field("opened_on").attrs["value"] == "2021-09-01"


def test_bound_form_has_no_bootstrap_class():
    assert_no_bootstrap(render(bound_form()))


# --- The other entry points -------------------------------------------------------------------


def test_crispy_tag_and_filters_use_the_pack():
    form = bound_form()
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    assert 'class="fr-input-group fr-input-group--error"' in html
    filtered = Page(Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form})))
    assert "fr-select" in filtered.field("region").classes
    assert not [e for e in filtered.elements if e.tag == "form"]
    field = Page(
        Template("{% load crispy_forms_tags %}{{ form.email|as_crispy_field }}").render(Context({"form": form}))
    )
    assert "fr-input-group--error" in field.by_id("id_email_group").classes
    errors = Template("{% load crispy_forms_filters %}{{ form|as_crispy_errors }}").render(Context({"form": form}))
    assert "fr-alert--error" in errors and "Une structure porte déjà ce nom." in errors


def test_formsets_render_each_form_and_the_table_layout():
    class LineForm(forms.Form):
        label = forms.CharField(label="Intitulé")
        amount = forms.IntegerField(label="Montant", required=False)

    formset_class = forms.formset_factory(LineForm, extra=2)
    formset = formset_class()
    helper = FormHelper()
    helper.add_input(Submit("save", "Enregistrer"))
    page = Page(render_crispy_form(formset, helper))
    assert page.field("form-TOTAL_FORMS").attrs["type"] == "hidden"
    assert page.label_for("id_form-1-label")
    helper.template = "dsfr_crispy/table_inline_formset.html"
    helper.table_caption = "Lignes du budget"
    table = Page(render_crispy_form(formset_class(), helper))
    assert [text(e) for e in table.elements if e.tag == "th"] == ["Intitulé", "Montant (facultatif)"]
    assert text(next(e for e in table.elements if e.tag == "caption")) == "Lignes du budget"
    label = table.label_for("id_form-0-amount")
    assert "fr-sr-only" in label.classes  # the header shows it, the label stays for assistive technologies
    assert_no_bootstrap(table)


# --- The login page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders_its_form_with_the_pack(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = Page(response.content.decode())
    email = page.field("username")
    assert email.attrs["type"] == "email" and "fr-input" in email.classes
    assert text(page.label_for(email.attrs["id"])) == "Adresse e-mail"
    password = page.field("password")
    assert "fr-password__input" in password.attrs["class"]
    assert text(page.label_for(password.attrs["id"])) == "Mot de passe"
    submit = next(e for e in page.elements if e.tag == "button" and text(e) == "Se connecter")
    assert submit.attrs["type"] == "submit" and submit.classes == ["fr-btn"]
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.django_db
def test_login_with_a_wrong_password_shows_the_dsfr_form_error_and_keeps_the_email(client):
    user = UserFactory(email="camille@exemple.cnml.fr")
    response = client.post(reverse("login"), {"username": user.email, "password": "mauvais-mot-de-passe"})
    assert response.status_code == 200
    page = Page(response.content.decode())
    alert = next(e for e in page.with_class("fr-alert--error"))
    assert "fr-alert" in alert.classes
    assert text(alert) == ("Adresse e-mail ou mot de passe incorrect. Les deux champs tiennent compte des majuscules.")
    assert [e.attrs["method"] for e in alert.ancestors if e.tag == "form"] == ["post"]
    assert page.field("username").attrs["value"] == user.email
    assert "value" not in page.field("password").attrs


@pytest.mark.django_db
def test_login_with_an_empty_password_links_the_error_to_the_field(client):
    response = client.post(reverse("login"), {"username": "camille@exemple.cnml.fr", "password": ""})
    page = Page(response.content.decode())
    password = page.field("password")
    assert password.attrs["aria-describedby"] == "id_password_error"
    assert text(page.by_id("id_password_error")) == "Ce champ est obligatoire."
    assert "fr-input-group--error" in page.by_id("id_password_group").classes
