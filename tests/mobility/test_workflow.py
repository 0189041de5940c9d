"""From the call to the project: apply, submit, review, select or decline; the plan carried over."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import Region, Role
from mobility.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    CarrierKind,
    FundingStatus,
    Project,
    Stage,
)
from tests.clock import frozen
from tests.mobility.factories import CallFactory, application_post_data, make_application, text

pytestmark = [pytest.mark.django_db, frozen]


def test_conseiller_applies_for_their_mission_locale_and_submits(
    client_for, users, network, call, cat, django_capture_on_commit_callbacks
):
    conseiller = users[Role.CONSEILLER]
    data = application_post_data(cat=cat, structure=network.ml_a1, partners=[str(network.ml_b1.pk)])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(conseiller).post(f"/mobilite/appels/{call.year}/candidater/", data)

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mobilite/candidatures/{application.pk}/"
    assert application.status == ApplicationStatus.DEPOSEE
    assert application.submitted_at is not None
    assert application.carrier.structure == network.ml_a1
    assert application.carrier.kind == CarrierKind.MISSION_LOCALE
    assert application.carrier.region == network.region_a
    assert list(application.partners.all()) == [network.ml_b1]
    # A structure's conseillers and directors act for it by structure: applying adds no member.
    assert not application.carrier.members.exists()
    assert [need.label for need in application.needs.all()] == ["Aller travailler"]
    assert [step.label for step in application.steps.all()] == ["Acheter les scooters"]
    assert application.fundings.get().amount == Decimal("30000")
    assert set(application.services_to_develop.values_list("code", flat=True)) == {"location", "garage-associatif"}
    log = transitions_of(application).get()
    assert (log.from_state, log.to_state, log.actor) == ("brouillon", "deposee", conseiller)
    # The applicant and the contact are told, by a Celery task run on commit.
    assert len(mail.outbox) == 2
    assert {message.to[0] for message in mail.outbox} == {conseiller.email, "claire.dupont@porteur.example.fr"}
    assert "Candidature déposée" in mail.outbox[0].subject


def test_an_outside_organisation_becomes_a_carrier_in_its_2011_region(client_for, users, call, cat):
    data = application_post_data(cat=cat, action="enregistrer")

    response = client_for(users[Role.CONSEILLER]).post(f"/mobilite/appels/{call.year}/candidater/", data)

    application = Application.objects.get()
    assert response.status_code == 302
    assert application.status == ApplicationStatus.BROUILLON
    carrier = application.carrier
    assert (carrier.name, carrier.kind, carrier.structure) == ("Maison de l'emploi du Bassin", "maison_emploi", None)
    # The region row did not exist in the test network: it is created with its real name.
    assert carrier.region == Region.objects.get(code="91")
    assert carrier.region.name == "Languedoc-Roussillon"


def test_a_draft_may_stay_incomplete_but_submission_says_what_is_missing(client_for, users, network, call, cat):
    conseiller = users[Role.CONSEILLER]
    data = {
        "title": "Projet à peine commencé",
        "carrier_choice": "reseau",
        "carrier_structure": str(network.ml_a1.pk),
        "enregistrer": "1",
    }
    for prefix in ("needs", "steps", "fundings", "governance"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    client = client_for(conseiller)

    response = client.post(f"/mobilite/appels/{call.year}/candidater/", data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert application.is_draft

    response = client.post(f"/mobilite/candidatures/{application.pk}/deposer/", follow=True)

    application.refresh_from_db()
    assert application.is_draft
    content = text(response)
    assert "Territoire : indiquez au moins un département." in content
    assert "Services : choisissez au moins un service à développer." in content
    assert "Financement : ajoutez au moins une ligne au plan de financement." in content


def test_submitting_from_the_form_keeps_the_draft_when_a_line_is_missing(client_for, users, network, call, cat):
    data = application_post_data(cat=cat, structure=network.ml_a1)
    data.update({"fundings-TOTAL_FORMS": "0"})

    response = client_for(users[Role.CONSEILLER]).post(f"/mobilite/appels/{call.year}/candidater/", data)

    application = Application.objects.get()
    assert response.status_code == 200
    assert application.is_draft
    assert application.needs.count() == 1
    content = text(response)
    assert "Brouillon enregistré, mais la candidature ne peut pas encore être déposée" in content
    assert "Financement : ajoutez au moins une ligne au plan de financement." in content
    assert 'value="Plateforme mobilité du bassin"' in content


def test_a_closed_call_refuses_applications(client_for, users, network, cat):
    closed = CallFactory(
        year=2032,
        opens_on=timezone.localdate() - timedelta(days=60),
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    client = client_for(users[Role.CONSEILLER])

    response = client.get(f"/mobilite/appels/{closed.year}/candidater/", follow=True)
    assert "n'accepte pas de candidature aujourd'hui" in text(response)

    draft = make_application(call=closed, user=users[Role.CONSEILLER], carrier=_carrier(network), cat=cat)
    assert not draft.can_submit(users[Role.CONSEILLER])
    assert any("n'accepte pas de candidature" in reason for reason in draft.submit.refusals(users[Role.CONSEILLER]))


def _carrier(network):
    from mobility.models import Carrier

    return Carrier.objects.create(structure=network.ml_a1, name="x", region=network.region_a)


def _submitted(users, network, call, cat) -> Application:
    application = make_application(call=call, user=users[Role.CONSEILLER], carrier=_carrier(network), cat=cat)
    application.submit(users[Role.CONSEILLER])
    return application


def _score(client, application, *, scores=(4, 3), comment="Projet solide."):
    data = {
        f"score_{criterion.pk}": str(score)
        for criterion, score in zip(application.call.criteria.all(), scores, strict=True)
    }
    data["comment"] = comment
    return client.post(f"/mobilite/candidatures/{application.pk}/evaluer/", data)


def test_selected_application_becomes_a_project_with_its_plan_carried_over(
    client_for, users, network, call, cat, django_capture_on_commit_callbacks
):
    application = _submitted(users, network, call, cat)
    application.partners.add(network.ml_b1)
    relecteur = users[Role.RELECTEUR_CNML]
    client = client_for(relecteur)
    assert _score(client, application).status_code == 302
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/mobilite/candidatures/{application.pk}/decider/", {"decision": "retenir", "comment": "Bravo."}
        )

    project = Project.objects.get()
    assert response["Location"] == f"/mobilite/projets/{project.pk}/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETENUE
    assert application.decision_comment == "Bravo."
    assert (project.stage, project.call, project.carrier, project.region) == (
        Stage.RETENU,
        call,
        application.carrier,
        network.region_a,
    )
    assert list(project.partners.all()) == [network.ml_b1]
    # Needs → targets.
    assert [(t.label, t.public, t.target_people) for t in project.targets.all()] == [
        ("Aller en formation", "Jeunes de 16 à 25 ans", 80),
        ("Passer le permis", "Demandeurs d'emploi", None),
    ]
    # Services to develop → services to launch; existing services stay existing.
    assert set(project.services_to_launch.values_list("code", flat=True)) == {"location", "garage-associatif"}
    assert list(project.existing_services.values_list("code", flat=True)) == ["covoiturage"]
    # Operating plan timetable → milestones, with their due dates, not yet done.
    steps = list(application.steps.order_by("due_on"))
    assert [(m.label, m.due_on, m.done_on) for m in project.milestones.all()] == [
        (step.label, step.due_on, None) for step in steps
    ]
    # Financing plan → budget lines: planned amounts, actuals to follow, status kept.
    assert sorted(
        (line.funder.name, line.label, line.planned_amount, line.actual_amount, line.status)
        for line in project.budget_lines.all()
    ) == [
        ("Conseil régional", "Véhicules", Decimal("25000.50"), Decimal(0), FundingStatus.SOLLICITE),
        ("État", "Fonctionnement", Decimal("40000"), Decimal(0), FundingStatus.ACQUIS),
    ]
    log = transitions_of(application).last()
    assert (log.from_state, log.to_state, log.actor, log.comment) == ("deposee", "retenue", relecteur, "Bravo.")
    # The carrier is told by e-mail (applicant and contact).
    assert len(mail.outbox) == 2
    assert all("est retenu" in message.subject for message in mail.outbox)
    assert "les besoins de votre candidature y sont devenus ses objectifs" in mail.outbox[0].body


def test_a_decision_needs_a_review_first(client_for, users, network, call, cat):
    application = _submitted(users, network, call, cat)

    response = client_for(users[Role.RELECTEUR_CNML]).post(
        f"/mobilite/candidatures/{application.pk}/decider/", {"decision": "retenir"}, follow=True
    )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPOSEE
    assert not Project.objects.exists()
    assert "Évaluez d'abord la candidature" in text(response)


def test_declining_needs_a_reason_and_tells_the_carrier(
    client_for, users, network, call, cat, django_capture_on_commit_callbacks
):
    application = _submitted(users, network, call, cat)
    client = client_for(users[Role.ADMINISTRATEUR])
    _score(client, application, scores=(1, 2), comment="Modèle économique fragile.")

    response = client.post(f"/mobilite/candidatures/{application.pk}/decider/", {"decision": "refuser"}, follow=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPOSEE
    assert "Indiquez au porteur le motif de la décision." in text(response)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/mobilite/candidatures/{application.pk}/decider/",
            {"decision": "refuser", "comment": "Financement non assuré."},
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSEE
    assert not Project.objects.exists()
    assert "n'est pas retenue" in mail.outbox[0].subject
    assert "Financement non assuré." in mail.outbox[0].body


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_only_cnml_roles_review_and_decide(client_for, users, network, call, cat, role):
    application = _submitted(users, network, call, cat)
    client = client_for(users[role])

    assert _score(client, application).status_code == 403
    response = client.post(f"/mobilite/candidatures/{application.pk}/decider/", {"decision": "retenir"})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPOSEE
    assert not application.reviews.exists()


def test_review_scores_average_on_the_application_page(client_for, users, network, call, cat):
    application = _submitted(users, network, call, cat)
    _score(client_for(users[Role.RELECTEUR_CNML]), application, scores=(4, 2))
    _score(client_for(users[Role.ADMINISTRATEUR]), application, scores=(3, 5))

    content = text(client_for(users[Role.RELECTEUR_CNML]).get(f"/mobilite/candidatures/{application.pk}/"))

    assert application.reviews.count() == 2
    assert "3,5 / 5" in content  # (4 + 3) / 2 on the first criterion
    assert "7,0 / 10" in content  # (6 + 8) / 2 overall


def test_cnml_creates_then_publishes_a_call_which_gets_a_public_page(client_for, users, cat):
    relecteur = users[Role.RELECTEUR_CNML]
    client = client_for(relecteur)
    data = {
        "theme": "mobilite",
        "year": "2033",
        "title": "Appel à projets 2033",
        "text": "Des plateformes pour les territoires ruraux.",
        "opens_on": "2033-04-01",
        "closes_on": "2033-06-30",
        "eligibility_criteria": "Missions locales.",
        "formation_action_places": "9",
        "funders": [str(cat["macif"].pk)],
        "criteres-TOTAL_FORMS": "1",
        "criteres-INITIAL_FORMS": "0",
        "criteres-0-label": "Réponse à un besoin social",
        "criteres-0-max_score": "5",
        "rubriques-TOTAL_FORMS": "0",
        "rubriques-INITIAL_FORMS": "0",
    }

    response = client.post("/mobilite/appels/nouveau/", data)

    new_call = Call.objects.get(year=2033)
    assert response["Location"] == "/mobilite/appels/2033/"
    assert new_call.status == CallStatus.BROUILLON
    assert list(new_call.funders.all()) == [cat["macif"]]
    assert client_for(None).get("/mobilite/appels/2033/").status_code == 404

    response = client.post("/mobilite/appels/2033/publier/")

    new_call.refresh_from_db()
    assert new_call.status == CallStatus.PUBLIE
    assert transitions_of(new_call).get().to_state == "publie"
    public = client_for(None).get("/mobilite/appels/2033/")
    assert public.status_code == 200
    content = text(public)
    assert "Appel à projets 2033" in content
    assert "Réponse à un besoin social" in content
    assert "Fondation MACIF" in content


def test_a_call_cannot_be_published_without_criteria(users):
    call = CallFactory(year=2034, status=CallStatus.BROUILLON, criteria=[])

    assert call.publish.refusals(users[Role.RELECTEUR_CNML]) == [
        "Ajoutez au moins un critère de sélection avant de publier l'appel."
    ]


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_only_cnml_roles_create_and_publish_calls(client_for, users, role):
    draft = CallFactory(year=2035, status=CallStatus.BROUILLON)
    client = client_for(users[role])

    assert client.get("/mobilite/appels/nouveau/").status_code == 403
    # A draft call is invisible to them: 404, not 403.
    assert client.post("/mobilite/appels/2035/publier/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == CallStatus.BROUILLON
