"""Activity reports: written by the carrier, submitted, approved by the CNML; totals rolled up."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from cnml.audit import transitions_of
from cnml.models import Role
from mobility import selectors
from mobility.models import ActivityReport, ReportPeriod, ReportStatus
from tests.factories import ArmlFactory, MissionLocaleFactory, RegionFactory, UserFactory
from tests.mobility.conftest import THIS_YEAR
from tests.mobility.factories import (
    CallFactory,
    CarrierFactory,
    formset_data,
    make_project,
    make_report,
    report_numbers,
    text,
)

pytestmark = pytest.mark.django_db


def call_totals(user, call):
    """What the call's report page adds up: the approved reports of the projects the user sees."""
    return selectors.indicator_totals(selectors.approved_reports(user, call=call))


def national_totals(user):
    return selectors.indicator_totals(selectors.approved_reports(user))


def report_post(cat, *, year=THIS_YEAR, period="S1", deliveries=None, **overrides) -> dict:
    data = {key: str(value) for key, value in report_numbers(20, **overrides).items()}
    data.update(year=str(year), period=period, comment="Premier semestre.")
    rows = [{"service": str(service.pk), "quantity": str(quantity)} for service, quantity in (deliveries or [])]
    data.update(formset_data("services", rows))
    return data


def test_carrier_writes_and_submits_a_report_then_the_cnml_approves_it(
    client_for, users, project, cat, django_capture_on_commit_callbacks
):
    carrier = client_for(users[Role.CONSEILLER])
    response = carrier.post(
        f"/mobilite/projets/{project.pk}/bilans/nouveau/",
        report_post(cat, deliveries=[(cat["location"], "120"), (cat["garage"], "14")]),
    )
    report = ActivityReport.objects.get()
    assert response["Location"] == f"/mobilite/projets/{project.pk}/bilans/{report.pk}/"
    assert report.people_total == 20
    assert report.cost_per_person == Decimal(500)
    assert {(d.service.code, d.quantity) for d in report.deliveries.all()} == {
        ("location", Decimal(120)),
        ("garage-associatif", Decimal(14)),
    }

    carrier.post(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/soumettre/")
    report.refresh_from_db()
    assert report.status == ReportStatus.SOUMIS
    # Not counted until approved.
    assert call_totals(users[Role.RELECTEUR_CNML], project.call).reports == 0

    with django_capture_on_commit_callbacks(execute=True):
        client_for(users[Role.RELECTEUR_CNML]).post(
            f"/mobilite/projets/{project.pk}/bilans/{report.pk}/approuver/", {"comment": "Merci."}
        )

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROUVE
    assert report.approved_at is not None
    assert [(log.from_state, log.to_state) for log in transitions_of(report)] == [
        ("brouillon", "soumis"),
        ("soumis", "approuve"),
    ]
    totals = call_totals(users[Role.RELECTEUR_CNML], project.call)
    assert (totals.reports, totals.people_total, totals.licences_obtained) == (1, 20, 3)
    assert {(service.code, quantity) for service, quantity in totals.services} == {
        ("garage-associatif", Decimal(14)),
        ("location", Decimal(120)),
    }
    assert "approuvé" in mail.outbox[0].subject
    assert "Merci." in mail.outbox[0].body


def test_the_carrier_cannot_approve_its_own_report(client_for, users, project):
    report = make_report(project, status=ReportStatus.SOUMIS)

    response = client_for(users[Role.DIRECTEUR]).post(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/approuver/")

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SOUMIS


def test_sending_back_needs_a_comment_and_reopens_the_draft(client_for, users, project):
    report = make_report(project, status=ReportStatus.SOUMIS)
    cnml = client_for(users[Role.RELECTEUR_CNML])

    response = cnml.post(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/renvoyer/", {"comment": ""}, follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SOUMIS
    assert "Expliquez au porteur ce qu'il doit corriger." in text(response)

    cnml.post(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/renvoyer/", {"comment": "Âges à revoir."})
    report.refresh_from_db()
    assert report.status == ReportStatus.BROUILLON
    assert report.review_comment == "Âges à revoir."
    assert (
        client_for(users[Role.CONSEILLER])
        .get(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/modifier/")
        .status_code
        == 200
    )


def test_a_submitted_report_is_no_longer_editable(client_for, users, project):
    report = make_report(project, status=ReportStatus.SOUMIS)

    assert (
        client_for(users[Role.CONSEILLER])
        .get(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/modifier/")
        .status_code
        == 403
    )


def test_an_empty_report_cannot_be_submitted(users, project):
    report = ActivityReport.objects.create(project=project, year=THIS_YEAR, period=ReportPeriod.S1)

    assert report.submit.refusals(users[Role.CONSEILLER]) == ["Le bilan ne compte encore aucune personne accompagnée."]


def test_inconsistent_figures_get_french_errors_and_keep_what_was_typed(client_for, users, project, cat):
    data = report_post(cat, women=3, men=4, age_45_plus=50, employment_6_months=19, training_6_months=5)

    response = client_for(users[Role.CONSEILLER]).post(f"/mobilite/projets/{project.pk}/bilans/nouveau/", data)

    assert response.status_code == 200
    content = text(response)
    assert "Femmes et hommes doivent faire le total des personnes accompagnées (20)." in content
    assert "Les tranches d'âge doivent faire le total des personnes accompagnées (20)." in content
    assert "Les sorties à 6 mois (emploi et formation) dépassent les 20 personnes accompagnées." in content
    assert 'name="age_45_plus" value="50"' in content
    assert not ActivityReport.objects.exists()


def test_semester_and_annual_reports_of_a_year_do_not_mix(client_for, users, project, cat):
    make_report(project, year=THIS_YEAR, period=ReportPeriod.ANNEE)

    response = client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/bilans/nouveau/", report_post(cat, period="S2")
    )

    assert f"Un bilan annuel existe déjà pour {THIS_YEAR}." in text(response)
    assert project.reports.count() == 1


def test_a_report_before_the_call_year_is_refused(client_for, users, project, cat):
    response = client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/bilans/nouveau/", report_post(cat, year=THIS_YEAR - 1)
    )

    assert f"Le projet est né de l'appel {THIS_YEAR} : pas de bilan avant cette année." in text(response)


def test_a_report_of_a_year_to_come_is_refused(client_for, users, project, cat):
    response = client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/bilans/nouveau/", report_post(cat, year=THIS_YEAR + 1)
    )

    assert "On ne peut pas rédiger le bilan d'une année à venir." in text(response)


def test_a_service_appears_once_per_report(client_for, users, project, cat):
    data = report_post(cat, deliveries=[(cat["location"], "10"), (cat["location"], "5")])

    response = client_for(users[Role.CONSEILLER]).post(f"/mobilite/projets/{project.pk}/bilans/nouveau/", data)

    assert "« Location de véhicules » figure déjà dans le bilan." in text(response)


@pytest.fixture
def two_regions(network, users, cat, role_groups):
    """Approved, submitted and draft reports of projects in regions A and B, for two calls."""
    call_1 = CallFactory(year=2031)
    call_2 = CallFactory(year=2032)
    author = users[Role.DIRECTEUR]
    a1 = make_project(call=call_1, user=author, carrier=CarrierFactory(region=network.region_a), cat=cat)
    a2 = make_project(call=call_2, user=author, carrier=CarrierFactory(region=network.region_a), cat=cat)
    b1 = make_project(call=call_1, user=author, carrier=CarrierFactory(region=network.region_b), cat=cat)
    make_report(
        a1,
        year=2031,
        period=ReportPeriod.S1,
        status=ReportStatus.APPROUVE,
        people=20,
        deliveries={cat["location"]: 100},
    )
    make_report(
        a1, year=2031, period=ReportPeriod.S2, status=ReportStatus.APPROUVE, people=30, deliveries={cat["location"]: 50}
    )
    make_report(a2, year=2032, period=ReportPeriod.ANNEE, status=ReportStatus.APPROUVE, people=40)
    make_report(b1, year=2031, period=ReportPeriod.ANNEE, status=ReportStatus.APPROUVE, people=10)
    make_report(b1, year=2032, period=ReportPeriod.S1, status=ReportStatus.SOUMIS, people=99)
    make_report(a2, year=2033, period=ReportPeriod.S1, status=ReportStatus.BROUILLON, people=77)
    return {"call_1": call_1, "call_2": call_2, "a1": a1, "a2": a2, "b1": b1}


def test_approved_totals_roll_up_to_the_call_the_region_and_the_nation(users, network, two_regions):
    cnml = users[Role.RELECTEUR_CNML]

    assert call_totals(cnml, two_regions["call_1"]).people_total == 20 + 30 + 10
    assert call_totals(cnml, two_regions["call_2"]).people_total == 40
    national = national_totals(cnml)
    assert (national.reports, national.people_total) == (4, 100)
    assert national.total_cost == Decimal(100 * 500)
    assert national.cost_per_person == Decimal(500)
    assert national.licences_obtained == 4 * 3
    assert {(service.code, quantity) for service, quantity in national.services} == {("location", Decimal(150))}

    by_region = {rollup.region.code: rollup for rollup in selectors.rollup_by_region(selectors.projects_for(cnml))}
    assert by_region["901"].projects == 2
    assert by_region["901"].totals.people_total == 20 + 30 + 40
    assert by_region["902"].projects == 1
    assert by_region["902"].totals.people_total == 10
    assert sum(r.totals.people_total for r in by_region.values()) == national.people_total


def test_a_regional_animator_sees_the_totals_of_their_region_only(users, two_regions):
    animateur = users[Role.ANIMATEUR_REGIONAL]  # region A

    assert national_totals(animateur).people_total == 20 + 30 + 40
    assert call_totals(animateur, two_regions["call_1"]).people_total == 50
    assert [r.region.code for r in selectors.rollup_by_region(selectors.projects_for(animateur))] == ["901"]


def test_the_project_list_shows_the_totals_by_region_and_for_the_nation(client_for, users, two_regions):
    content = text(client_for(users[Role.RELECTEUR_CNML]).get("/mobilite/projets/"))

    assert "Projets de plateforme de mobilité et indicateurs des bilans approuvés, par région" in content
    assert "France entière" in content
    assert ">100<" in content.replace(" ", "")  # people supported, nationwide


def test_the_public_call_page_shows_aggregated_results_of_approved_reports(client_for, two_regions):
    content = text(client_for(None).get("/mobilite/appels/2031/"))

    assert "D'après les 3 bilans d'activité approuvés : 60 personnes accompagnées" in re.sub(
        r"[ \t\r\n\f]+", " ", content
    )


def test_the_annual_report_page_sums_the_call(client_for, users, two_regions):
    response = client_for(users[Role.RELECTEUR_CNML]).get("/mobilite/appels/2031/bilan/")

    content = re.sub(r"[ \t\r\n\f]+", " ", text(response))
    assert "Les projets de plateforme soutenus en 2031" in content
    assert "2\u00a0projets de plateforme territoriale retenus à l'appel à projets 2031." in content
    assert "Total de l'appel" in content


def test_partner_and_animator_do_not_see_draft_reports(client_for, users, outsider, project):
    draft = make_report(project)
    submitted = make_report(project, period=ReportPeriod.S2, status=ReportStatus.SOUMIS)

    for reader in (users[Role.ANIMATEUR_REGIONAL], outsider):
        client = client_for(reader)
        assert client.get(f"/mobilite/projets/{project.pk}/bilans/{draft.pk}/").status_code == 404
        assert client.get(f"/mobilite/projets/{project.pk}/bilans/{submitted.pk}/").status_code == 200
    assert (
        client_for(users[Role.CONSEILLER]).get(f"/mobilite/projets/{project.pk}/bilans/{draft.pk}/").status_code == 200
    )


def test_an_animator_of_another_region_sees_nothing(client_for, network, project, role_groups):
    region_c = RegionFactory(code="903", name="Région Gamma")
    animateur_c = UserFactory(role=Role.ANIMATEUR_REGIONAL, structure=ArmlFactory(region=region_c))
    MissionLocaleFactory(region=region_c)
    report = make_report(project, status=ReportStatus.APPROUVE)

    client = client_for(animateur_c)
    assert client.get(f"/mobilite/projets/{project.pk}/bilans/{report.pk}/").status_code == 404
    assert national_totals(animateur_c).reports == 0


def test_the_call_page_says_none_for_no_application_and_the_first_of_the_month_as_premier(client_for, db):
    CallFactory(year=2032, opens_on=date(2032, 4, 1), closes_on=date(2032, 6, 30), formation_action_places=1)

    content = text(client_for(None).get("/mobilite/appels/2032/"))

    assert "Candidatures du 1er avril 2032 au 30 juin 2032." in content
    assert "Aucune candidature déposée" in content and "0 candidature" not in content
    assert "1\u00a0place de formation-action par un expert de la FARE" in content
