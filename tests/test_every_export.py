"""Every spreadsheet the product writes neutralises the formulas users type.

The walk finds its targets itself, so that a new export cannot slip past it:

- every URL whose name or route speaks of export, CSV or XLSX (feature apps and admin);
- every registered model admin with an import-export export, in each of its formats,
  from its export page and from its « exporter la sélection » action;
- every management command of the project whose name speaks of export, in its spreadsheet format.

Each target must have a row in the tables below, or the walk fails naming it. Text typed by users
(region, structure, carrier names, a fiche's title, a partner's name...) is seeded with formulas;
every export is fetched as a user who may, and every cell of every sheet is read back: no cell is a
formula, a CSV cell that starts like one carries the apostrophe that spreadsheet software shows as
text, an XLSX cell holds the user's very characters as text.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command, get_commands, load_command_class
from django.test import Client, RequestFactory
from django.urls import reverse
from import_export.admin import ExportActionMixin
from import_export.forms import SelectableFieldsExportForm
from import_export.mixins import BaseExportMixin

from cnml import spreadsheets
from cnml.models import Region, Role, Structure
from dashboard import exports as dashboard_exports
from dashboard import selectors as dashboard_selectors
from dashboard import views as dashboard_views
from mobility.models import Call
from practices.models import Fiche, Recensement, Status
from surveys.aggregation import aggregate_campaign
from surveys.models import Campaign, CampaignStatus
from tests.dashboard.test_pages import empty_cache, figures, published  # noqa: F401 - fixtures
from tests.mobility.conftest import call, cat  # noqa: F401 - fixtures
from tests.mobility.factories import CarrierFactory, make_project
from tests.practices.factories import PartnerFactory, make_fiche
from tests.routes import url_patterns
from tests.sources import PROJECT_APPS, lines_matching, product_files
from tests.surveys.conftest import answer, fresh_spec_cache, instruments, make_campaign  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x","y")'
HOSTILE = (LINK, "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number is a number, not a formula: "-6,5" stays as it is.
NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPREADSHEET_WORDS = re.compile(r"export|csv|xlsx", re.IGNORECASE)


# --- What the walk reads back ---------------------------------------------------------------------


def csv_cells(content: bytes, delimiter: str) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def assert_csv_neutralised(content: bytes, delimiter: str, where: str) -> None:
    cells = csv_cells(content, delimiter)
    unsafe = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)]
    assert not unsafe, f"{where}: cellules lues comme des formules {unsafe[:5]!r}"
    kept = [seed for seed in HOSTILE if f"'{seed}" in cells]
    assert kept, f"{where}: aucun texte piégé retrouvé, neutralisé par une apostrophe"


def assert_xlsx_neutralised(content: bytes, where: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(content))
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: formule en {sheet.title}!{cell.coordinate} : {cell.value!r}"
                if not isinstance(cell.value, str):
                    continue
                if cell.value.startswith(FORMULA_STARTS):
                    assert cell.data_type == "s" and cell.quotePrefix, (
                        f"{where}: {sheet.title}!{cell.coordinate} {cell.value!r} n'est pas marqué comme texte"
                    )
                if cell.quotePrefix:
                    seen.append(cell.value)
    # XML turns a carriage return into a line feed: the user's characters otherwise.
    kept = [seed for seed in HOSTILE if seed in seen or seed.replace("\r", "\n") in seen]
    assert kept, f"{where}: aucun texte piégé retrouvé tel que saisi"


def assert_neutralised(response, *, delimiter: str, where: str) -> None:
    assert response.status_code == 200, f"{where}: {response.status_code}"
    content_type = response["Content-Type"].split(";")[0]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type == "text/csv":
        # Every CSV the product hands out opens in French spreadsheet software: a BOM, then « ; ».
        assert content.startswith(b"\xef\xbb\xbf"), f"{where}: CSV sans BOM"
        assert_csv_neutralised(content, delimiter, where)
    elif content_type == XLSX_TYPE:
        assert_xlsx_neutralised(content, where)
    else:
        pytest.fail(f"{where}: format {content_type} inconnu de cette marche (et du rédacteur de tableurs ?)")


# --- The world, seeded with formulas ------------------------------------------------------------


@dataclass
class World:
    users: dict
    campaign: Campaign
    call: Call
    fiche: Fiche


@pytest.fixture
def world(network, users, published, make_campaign, answer, call, cat) -> World:  # noqa: F811
    """Every user-typed text an export carries holds a formula; results computed after the renaming."""
    names = {
        network.region_a: LINK,
        network.region_b: "@SUM(A1)",
        network.ml_a1: "+1+1",
        network.ml_a2: "-2+3",
        network.ml_b1: "\tTAB",
        network.antenne_a1: "\rCR",
    }
    for place, name in names.items():
        place.name = name
        place.save(update_fields=["name"])

    campaign = make_campaign(structures=[network.antenne_a1, network.antenne_a2], status=CampaignStatus.CLOSED)
    answer(campaign, network.antenne_a1, 30)
    answer(campaign, network.antenne_a2, 40)
    aggregate_campaign(campaign)

    carrier = CarrierFactory(name=LINK, region=network.region_a)  # an applicant typed its name
    project = make_project(call=call, user=users[Role.DIRECTEUR], carrier=carrier, cat=cat)
    project.partners.add(network.ml_b1)

    fiche = make_fiche(Status.PUBLIEE, structure=network.ml_a1, title=LINK)
    PartnerFactory(fiche=fiche, name="@SUM(A1)")
    return World(users=users, campaign=campaign, call=call, fiche=fiche)


# --- The exports of the feature apps, by URL name -----------------------------------------------


@dataclass
class UrlExport:
    """Who fetches it, with which URL arguments and queries; ``formats`` fills a ``fmt`` argument."""

    role: str | None
    kwargs: Callable[[World], dict] = lambda world: {}
    queries: tuple[dict, ...] = ({},)
    formats: tuple[str, ...] = ()
    delimiter: str = ";"
    prepare: Callable | None = None


def national_label(monkeypatch) -> None:
    # The national table carries no typed text: its label stands in, to see that its cells go through the writer.
    monkeypatch.setattr(dashboard_views, "NATIONAL_LABEL", "-2+3")


def ani_national_label(monkeypatch) -> None:
    # The ANI page of the nation carries no typed text either: its label stands in.
    from dashboard.ani import views as ani_views

    monkeypatch.setattr(ani_views, "NATIONAL_LABEL", "-2+3")


def hostile_objective(monkeypatch) -> None:
    # An objective's source is typed by a CNML role (and region A is named with a formula).
    from dashboard.models.objectives import Objective

    region = Region.objects.get(code="901")
    Objective.objects.create(
        indicator="alternance", year=2011, scope_kind="region", region=region, target=5, source="@SUM(A1)"
    )


def recensement_of(fiche: Fiche) -> dict:
    """A recensement answered by the published fiche (its title, structure and region hold formulas)."""
    recensement = Recensement.objects.create(
        title="=HYPERLINK(1)",
        instructions="-",
        opens_on=datetime.date(2011, 1, 1),
        closes_on=datetime.date(2011, 12, 31),
    )
    Fiche.objects.filter(pk=fiche.pk).update(recensement=recensement)
    return {"pk": recensement.pk}


def alternance_follow_up(world: World) -> dict:
    """An agreement declined in region A (named with a formula) and by ML B1, a commitment typed with one."""
    from alternance.models import Agreement, Commitment, CommitmentResult, LocalDeclination

    agreement = Agreement.objects.create(title="=HYPERLINK(1)", kind="convention_nationale")
    commitment = Commitment.objects.create(agreement=agreement, kind="autre", description="@SUM(A1)", target=10)
    ml_b1 = Structure.objects.get(code="MLB1")
    for declination in (
        LocalDeclination.objects.create(agreement=agreement, region_id=ml_b1.region_id, declined_on="2011-10-03"),
        LocalDeclination.objects.create(
            agreement=agreement, region_id=ml_b1.region_id, structure=ml_b1, declined_on="2011-10-03"
        ),
        LocalDeclination.objects.create(
            agreement=agreement, region=Region.objects.get(code="901"), declined_on="2011-10-03"
        ),
    ):
        CommitmentResult.objects.create(declination=declination, commitment=commitment, year=2012, achieved=3)
    return {"pk": agreement.pk}


def failed_import() -> dict:
    """A failed import whose kept errors carry values typed in the warehouse's files."""
    from dashboard.models import ExtractImport

    failed = ExtractImport.objects.create(
        status="echoue", error_details=[["jeunes.csv", 2, "sexe", "=HYPERLINK(1)", "+1+1"]]
    )
    return {"pk": failed.pk}


DASHBOARD_FORMATS = ("csv", "xlsx")  # and "pdf", which holds no cell
URL_EXPORTS: dict[str, UrlExport] = {
    "dashboard:national_export": UrlExport(None, formats=DASHBOARD_FORMATS, prepare=national_label),
    "dashboard:regions_export": UrlExport(Role.RELECTEUR_CNML, formats=DASHBOARD_FORMATS),
    "dashboard:region_export": UrlExport(
        Role.ANIMATEUR_REGIONAL,
        kwargs=lambda world: {"code": "901"},
        queries=({}, {"tableau": "structures"}),
        formats=DASHBOARD_FORMATS,
    ),
    "dashboard:structure_export": UrlExport(
        Role.DIRECTEUR, kwargs=lambda world: {"code": "MLA1"}, formats=DASHBOARD_FORMATS
    ),
    "dashboard:objectives_export": UrlExport(Role.RELECTEUR_CNML, formats=DASHBOARD_FORMATS, prepare=hostile_objective),
    "dashboard:ani_national_export": UrlExport(None, formats=DASHBOARD_FORMATS, prepare=ani_national_label),
    "dashboard:ani_region_export": UrlExport(
        Role.ANIMATEUR_REGIONAL, kwargs=lambda world: {"code": "901"}, formats=DASHBOARD_FORMATS
    ),
    "dashboard:ani_structure_export": UrlExport(
        Role.DIRECTEUR, kwargs=lambda world: {"code": "MLA1"}, formats=DASHBOARD_FORMATS
    ),
    "surveys:results_csv": UrlExport(Role.ANIMATEUR_REGIONAL, kwargs=lambda world: {"pk": world.campaign.pk}),
    "surveys:results_xlsx": UrlExport(Role.ANIMATEUR_REGIONAL, kwargs=lambda world: {"pk": world.campaign.pk}),
    "mobility:call_report_xlsx": UrlExport(
        Role.RELECTEUR_CNML, kwargs=lambda world: {"theme": world.call.theme, "year": world.call.year}
    ),
    "practices:recensement_xlsx": UrlExport(Role.RELECTEUR_CNML, kwargs=lambda world: recensement_of(world.fiche)),
    "alternance:follow_up_xlsx": UrlExport(Role.RELECTEUR_CNML, kwargs=alternance_follow_up),
    # An admin page of its own (not django-import-export): the errors of an import, values from the extract.
    "admin:dashboard_extractimport_errors_csv": UrlExport(Role.RELECTEUR_CNML, kwargs=lambda world: failed_import()),
}


def spreadsheet_urls() -> dict[str, str]:
    """Every named URL whose name or route speaks of export, CSV or XLSX."""
    return {
        name: route
        for name, route in url_patterns()
        if name and (SPREADSHEET_WORDS.search(name) or SPREADSHEET_WORDS.search(route))
    }


# --- The admin exports ----------------------------------------------------------------------------

# Who exports each model in the admin (its export permission is "view").
ADMIN_EXPORTS: dict[type, str] = {
    Region: Role.ADMINISTRATEUR,
    Structure: Role.ADMINISTRATEUR,
    Fiche: Role.RELECTEUR_CNML,
}


def export_admins() -> dict[type, BaseExportMixin]:
    return {
        model: model_admin
        for model in apps.get_models()
        if admin.site.is_registered(model)
        and isinstance(model_admin := admin.site.get_model_admin(model), BaseExportMixin)
    }


def admin_export_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def every_field(model_admin, user) -> dict:
    request = request_as(user)
    data = {"resource": "0"}
    resource = model_admin.get_export_resource_classes(request)[0]
    for name in resource(**model_admin.get_export_resource_kwargs(request)).get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource, name)] = "on"
    return data


# --- The management commands ------------------------------------------------------------------------


def hostile_indicator_label(monkeypatch) -> None:
    # The indicators' labels are the registry's, not typed: one stands in, to see the command write through the writer.
    real = dashboard_selectors.export_rows

    def rows(*args, **kwargs):
        first, *others = real(*args, **kwargs)
        return [{**first, "label": LINK}, *others]

    monkeypatch.setattr(dashboard_selectors, "export_rows", rows)


@dataclass
class CommandExport:
    args: tuple[str, ...]
    spreadsheet_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    other_formats: tuple[str, ...] = ()
    prepare: Callable | None = None


COMMAND_EXPORTS: dict[str, CommandExport] = {
    "export_indicators": CommandExport(
        args=("--period", "2011-T3"),
        spreadsheet_formats={"csv": ("--format", "csv")},
        other_formats=("json",),
        prepare=hostile_indicator_label,
    ),
}


def project_export_commands() -> dict[str, str]:
    """The management commands of the project's own apps whose name speaks of export."""
    return {name: app for name, app in get_commands().items() if app in PROJECT_APPS and SPREADSHEET_WORDS.search(name)}


def command_format_choices(name: str) -> set[str]:
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
    for action in parser._actions:
        if "--format" in action.option_strings:
            return set(action.choices)
    return set()


# --- Code that would write a spreadsheet by itself ------------------------------------------------------

WRITER = Path(spreadsheets.__file__).resolve()
HAND_WRITTEN = re.compile(
    r"csv\.(?:writer|DictWriter)\("  # the csv module's writers
    r"|\.export\(\s*[\"'](?:csv|tsv|xlsx|xls|ods)"  # tablib's
    r"|\bexport_(?:set|book)\("
    r"|\bWorkbook\(|xlsxwriter|odfpy|pyexcel"
    r"|\bexport_formats\s*="  # an admin's own formats instead of EXPORT_FORMATS
)


# --- The walk -------------------------------------------------------------------------------------------


def test_the_walk_knows_every_export_of_the_product():
    urls = spreadsheet_urls()
    feature_urls = {name for name in urls if not name.startswith("admin:") or name in URL_EXPORTS}
    assert feature_urls <= set(URL_EXPORTS), f"exports sans ligne dans URL_EXPORTS : {feature_urls - set(URL_EXPORTS)}"
    assert set(URL_EXPORTS) <= feature_urls, "URL_EXPORTS nomme une URL qui n'existe plus"
    admin_urls = {name for name in urls if name.startswith("admin:") and name not in URL_EXPORTS}
    known_admin = {f"admin:{model._meta.app_label}_{model._meta.model_name}_export" for model in ADMIN_EXPORTS}
    assert admin_urls <= known_admin, f"exports d'admin sans ligne dans ADMIN_EXPORTS : {admin_urls - known_admin}"
    assert set(export_admins()) == set(ADMIN_EXPORTS), "ADMIN_EXPORTS ne suit pas les admins qui exportent"
    assert set(project_export_commands()) == set(COMMAND_EXPORTS), "COMMAND_EXPORTS ne suit pas les commandes"
    # The dashboard's fmt argument: the walk covers each spreadsheet format it accepts.
    assert set(dashboard_exports.FORMATS) == {*DASHBOARD_FORMATS, "pdf"}
    for name, export in COMMAND_EXPORTS.items():
        assert command_format_choices(name) == {*export.spreadsheet_formats, *export.other_formats}, name


def test_no_code_of_the_product_writes_a_spreadsheet_but_the_writer():
    found = lines_matching(product_files(but=[WRITER]), HAND_WRITTEN)
    assert not found, "à écrire avec cnml.spreadsheets :\n" + "\n".join(found)


@pytest.mark.parametrize("name", sorted(URL_EXPORTS))
def test_every_export_page_neutralises_formulas(name, world, client_for, monkeypatch):
    export = URL_EXPORTS[name]
    if export.prepare:
        export.prepare(monkeypatch)
    client = client_for(world.users[export.role] if export.role else None)
    for fmt in export.formats or (None,):
        kwargs = export.kwargs(world) | ({"fmt": fmt} if fmt else {})
        for query in export.queries:
            if query and fmt not in (None, "csv"):
                continue  # a query that picks one table of a CSV
            response = client.get(reverse(name, kwargs=kwargs), query)
            assert_neutralised(response, delimiter=export.delimiter, where=f"{name} {kwargs} {query}")


@pytest.mark.parametrize("model", sorted(ADMIN_EXPORTS, key=lambda model: model._meta.label))
def test_every_admin_export_neutralises_formulas_in_each_format(model, world, client_for):
    model_admin = export_admins()[model]
    user = world.users[ADMIN_EXPORTS[model]]
    client = client_for(user)
    formats = model_admin.get_export_formats()
    assert formats
    for index, file_format in enumerate(formats):
        data = {**every_field(model_admin, user), "format": str(index)}
        response = client.post(admin_export_url(model), data)
        assert_neutralised(response, delimiter=";", where=f"admin {model._meta.label} {file_format.__name__}")


@pytest.mark.parametrize(
    "model",
    sorted(
        (model for model, model_admin in export_admins().items() if isinstance(model_admin, ExportActionMixin)),
        key=lambda model: model._meta.label,
    ),
)
def test_the_export_action_of_the_admin_neutralises_formulas(model, world, client_for):
    model_admin = export_admins()[model]
    user = world.users[ADMIN_EXPORTS[model]]
    client: Client = client_for(user)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    pks = [str(pk) for pk in model_admin.get_queryset(request_as(user)).values_list("pk", flat=True)]
    assert pks

    form = client.post(changelist, {"action": "export_admin_action", "_selected_action": pks})
    assert form.status_code == 200 and b"export_items" in form.content

    for index, file_format in enumerate(model_admin.get_export_formats()):
        data = {**every_field(model_admin, user), "format": str(index), "export_items": pks}
        response = client.post(admin_export_url(model), data)
        assert_neutralised(response, delimiter=";", where=f"action {model._meta.label} {file_format.__name__}")


@pytest.mark.parametrize("name", sorted(COMMAND_EXPORTS))
def test_every_export_command_neutralises_formulas(name, world, monkeypatch):
    export = COMMAND_EXPORTS[name]
    if export.prepare:
        export.prepare(monkeypatch)
    for fmt, args in export.spreadsheet_formats.items():
        if fmt != "csv":
            pytest.fail(f"{name} {fmt}: format que cette marche ne sait pas encore lire")
        out = io.StringIO()
        call_command(name, *export.args, *args, stdout=out)
        assert_csv_neutralised(out.getvalue().encode(), ";", f"{name} {fmt}")
