"""The demo: the 2011 call and the projects of the newsletter, idempotent."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.template.loader import render_to_string

from cnml.demo import demo_load_network
from cnml.models import User
from mobility.models import (
    ActivityReport,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    CallTheme,
    Carrier,
    CarrierKind,
    FareSupport,
    Funder,
    Project,
    ReportStatus,
    Service,
    Stage,
)
from mobility.reports import annual_report_context

pytestmark = pytest.mark.django_db

NEWSLETTER_CARRIERS = {
    "Maison de l'emploi Nîmes Métropole",
    "Mission locale de Lure, Luxeuil-les-Bains et Champagny",
    "Mission locale du bassin d'emploi de Vesoul",
    "Maison de l'emploi de Corbeil-Essonnes Evry",
    "Conseil général de Charente-Maritime",
    "Association régionale des missions locales de la Réunion",
    "Maison de l'emploi Saumur Loire Vallées d'Anjou",
    "Maison de l'emploi de Redon",
    "Maison de l'emploi et de la formation du Pays Thur Doller",
    "Mission locale de Moulins",
}


def load(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load_network(stdout=io.StringIO())
    out = io.StringIO()
    apps.get_app_config("mobility").load_demo(stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in apps.get_app_config("mobility").get_models()}


def test_the_demo_loads_the_2011_call_and_the_projects_of_the_newsletter(settings):
    output = load(settings)

    call = Call.objects.get(theme=CallTheme.MOBILITE, year=2011)
    assert call.status == CallStatus.PUBLIE
    assert call.opens_on.month == 4  # « un appel à projets diffusé en avril »
    assert [funder.name for funder in call.funders.all()] == ["Fondation MACIF"]
    assert "Appels à projets\u00a0: plateformes de mobilité 2011, 10\u00a0projets retenus." in output
    assert "Appels à projets\u00a0: 10\u00a0projets ajoutés cette fois." in output
    assert {project.carrier.name for project in call.projects.all()} == NEWSLETTER_CARRIERS
    partners = {
        project.carrier.name: sorted(partner.name for partner in project.partners.all())
        for project in call.projects.all()
        if project.partners.exists()
    }
    assert partners == {
        "Mission locale de Lure, Luxeuil-les-Bains et Champagny": ["Mission locale du bassin d'emploi de Vesoul"],
        "Mission locale du bassin d'emploi de Vesoul": ["Mission locale de Lure, Luxeuil-les-Bains et Champagny"],
        "Maison de l'emploi Saumur Loire Vallées d'Anjou": ["Mission locale du Saumurois"],
    }
    # Ten projects, nine formation-actions by a FARE expert, thanks to the Fondation MACIF.
    supports = FareSupport.objects.filter(project__call=call)
    assert supports.count() == 10
    assert supports.filter(formation_action=True, funded_by_macif=True).count() == 9
    # « quatre sont portés par les missions locales »: Lure, Vesoul and Moulins, and La Réunion's through the
    # regional association of its missions locales; Saumur's is the maison de l'emploi's, the ML its partner.
    report = annual_report_context(User.objects.get(email="relecteur@demo.cnml.fr"), call)
    assert report["mission_locale_count"] == 4
    assert "et 4 sont portés par une mission locale" in render_to_string(
        "mobility/includes/report_summary.html", report
    )
    assert call.formation_action_places_left == 0


def test_the_demo_projects_are_at_various_stages_some_with_reports(settings):
    load(settings)

    stages = set(Project.objects.values_list("stage", flat=True))
    assert {Stage.RETENU, Stage.FORMATION_ACTION, Stage.MONTAGE, Stage.LANCEMENT, Stage.EN_FONCTIONNEMENT} <= stages
    assert ActivityReport.objects.filter(status=ReportStatus.APPROUVE).exists()
    assert ActivityReport.objects.filter(status=ReportStatus.SOUMIS).exists()
    for report in ActivityReport.objects.all():
        report.full_clean()  # the demo figures are consistent
    # Every project came from a selected application, its plan carried over.
    for project in Project.objects.all():
        assert project.application.status == "retenue"
        assert project.targets.count() == project.application.needs.count()
        assert project.budget_lines.count() == project.application.fundings.count()


def test_the_demo_uses_the_2011_regions_with_their_real_names(settings):
    load(settings)

    regions = {carrier.name: (carrier.region.code, carrier.region.name) for carrier in Carrier.objects.all()}
    assert regions["Maison de l'emploi Nîmes Métropole"] == ("91", "Languedoc-Roussillon")
    assert regions["Association régionale des missions locales de la Réunion"] == ("04", "La Réunion")
    assert regions["Maison de l'emploi et de la formation du Pays Thur Doller"] == ("42", "Alsace")
    assert regions["Maison de l'emploi de Redon"] == ("53", "Bretagne")
    assert regions["Maison de l'emploi de Corbeil-Essonnes Evry"][0] == "11"
    lure = Carrier.objects.get(name__startswith="Mission locale de Lure")
    assert lure.structure is not None and lure.in_network


def test_the_services_and_funders_are_there_after_migrate_without_the_demo():
    names = set(Service.objects.values_list("name", flat=True))
    assert {
        "Site de covoiturage",
        "Location de véhicules",
        "Autopartage",
        "Garage associatif",
        "Auto-école associative",
    } <= names
    assert all(Service.objects.values_list("unit", flat=True))
    assert {"Fondation MACIF", "FPSPP"} <= set(Funder.objects.values_list("name", flat=True))


def test_loading_the_catalogues_again_keeps_what_an_administrator_changed(settings):
    Service.objects.filter(code="location").update(name="Location solidaire de véhicules", active=False)

    load(settings)

    location = Service.objects.get(code="location")
    assert (location.name, location.active) == ("Location solidaire de véhicules", False)


def test_the_demo_is_idempotent(settings):
    load(settings)
    first = counts()

    output = load(settings)

    assert counts() == first
    assert Application.objects.filter(call__theme=CallTheme.MOBILITE).count() == 10
    assert Application.objects.filter(call__theme=CallTheme.ALTERNANCE).count() == 1
    assert "Appels à projets\u00a0: aucun projet ajouté cette fois." in output
    assert "Appels à projets\u00a0: alternance 2011, 1\u00a0projet retenu." in output


def test_the_demo_has_the_fpspp_alternance_call_with_a_mission_locale_s_project_followed(settings):
    load(settings)

    call = Call.objects.get(theme=CallTheme.ALTERNANCE)
    assert (call.year, call.status, call.envelope) == (2011, CallStatus.PUBLIE, Decimal(12_000_000))
    assert [funder.name for funder in call.funders.all()] == ["FPSPP"]
    assert call.formation_action_places == 0
    assert call.sections.filter(required=True).count() == 3
    application = call.applications.get()
    assert application.carrier.kind == CarrierKind.MISSION_LOCALE
    assert application.status == ApplicationStatus.RETENUE
    assert application.missing_for_submission() == []  # complete, as if submitted through the pages
    assert application.reviews.exists()
    project = application.project
    assert project.stage == Stage.EN_FONCTIONNEMENT
    assert not FareSupport.objects.filter(project=project).exists()
    assert call.granted_amount == Decimal(180_000)
    assert call.envelope_left == Decimal(11_820_000)
