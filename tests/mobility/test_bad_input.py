"""Bad input gets clear French errors, next to the field, and everything typed stays in the form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cnml.models import Role
from mobility.models import Application, Call
from tests.clock import frozen
from tests.mobility.factories import application_post_data, formset_data, text

pytestmark = [pytest.mark.django_db, frozen]


def post_application(client_for, users, call, data):
    return client_for(users[Role.CONSEILLER]).post(f"/mobilite/appels/{call.year}/candidater/", data)


def call_form_data(year: int, **changes) -> dict:
    """The new call's form as a browser posts it, with one blank criterion row (its maximum score keeps
    its initial value); ``changes`` set the fields a test is about."""
    data = {
        "year": str(year),
        "title": "Appel",
        "text": "Texte.",
        "opens_on": f"{year}-04-01",
        "closes_on": f"{year}-06-01",
        "eligibility_criteria": "Tous.",
        "formation_action_places": "3",
        "criteres-TOTAL_FORMS": "1",
        "criteres-INITIAL_FORMS": "0",
        "criteres-0-max_score": "5",
    }
    return {**data, **changes}


def test_call_dates_out_of_order(client_for, users):
    data = call_form_data(
        2036,
        title="Appel mal daté",
        opens_on="2036-06-30",
        closes_on="2036-04-01",
        **{"criteres-0-label": "Besoin"},
    )

    response = client_for(users[Role.RELECTEUR_CNML]).post("/mobilite/appels/nouveau/", data)

    assert response.status_code == 200
    content = text(response)
    assert "La date de clôture doit suivre la date d'ouverture." in content
    assert 'value="Appel mal daté"' in content
    assert "L'appel n'est pas enregistré" in content
    assert not Call.objects.filter(year=2036).exists()


def test_a_call_needs_at_least_one_criterion(client_for, users):
    data = call_form_data(2037)

    response = client_for(users[Role.RELECTEUR_CNML]).post("/mobilite/appels/nouveau/", data)

    assert "Indiquez au moins un critère de sélection." in text(response)
    assert not Call.objects.filter(year=2037).exists()


def test_a_timetable_step_ending_before_it_starts(client_for, users, network, call, cat):
    today = timezone.localdate()
    data = application_post_data(cat=cat, structure=network.ml_a1)
    data.update(
        formset_data(
            "steps",
            [
                {
                    "label": "Étape à l'envers",
                    "starts_on": today.isoformat(),
                    "due_on": (today - timedelta(days=5)).isoformat(),
                }
            ],
        )
    )

    response = post_application(client_for, users, call, data)

    assert response.status_code == 200
    content = text(response)
    assert "L'échéance ne peut pas précéder le début de l'étape." in content
    assert "La candidature n'est pas enregistrée" in content
    assert 'value="Étape à l\'envers"' in content
    assert 'value="Plateforme mobilité du bassin"' in content
    assert not Application.objects.exists()


def test_a_negative_amount_in_the_financing_plan(client_for, users, network, call, cat):
    data = application_post_data(cat=cat, structure=network.ml_a1)
    data.update(formset_data("fundings", [{"funder": str(cat["etat"].pk), "amount": "-1200", "status": "acquis"}]))

    response = post_application(client_for, users, call, data)

    content = text(response)
    assert "La valeur ne peut pas être négative." in content
    assert 'value="-1200"' in content
    assert not Application.objects.exists()


def test_an_unknown_service(client_for, users, network, call, cat):
    data = application_post_data(
        cat=cat, structure=network.ml_a1, services_to_develop=[str(cat["location"].pk), "99999"]
    )

    response = post_application(client_for, users, call, data)

    assert "Service inconnu du catalogue : « 99999 »." in text(response)
    assert not Application.objects.exists()


def test_a_service_withdrawn_from_the_catalogue_is_unknown(client_for, users, network, call, cat):
    cat["garage"].active = False
    cat["garage"].save()
    data = application_post_data(cat=cat, structure=network.ml_a1)

    response = post_application(client_for, users, call, data)

    assert f"Service inconnu du catalogue : « {cat['garage'].pk} »." in text(response)


def test_an_unknown_departement(client_for, users, network, call, cat):
    data = application_post_data(cat=cat, structure=network.ml_a1, departements="30, 20, 999")

    response = post_application(client_for, users, call, data)

    assert "Code(s) de département inconnu(s) : 20, 999. Exemple attendu : 30, 34, 2A, 974." in text(response)


def test_a_structure_the_user_does_not_act_for(client_for, users, network, call, cat):
    data = application_post_data(cat=cat, structure=network.ml_b1)

    response = post_application(client_for, users, call, data)

    assert "Cette structure ne fait pas partie de celles pour lesquelles vous agissez." in text(response)


def test_an_outside_carrier_needs_its_name_kind_and_region(client_for, users, call, cat):
    data = application_post_data(cat=cat, carrier_name="", carrier_kind="", carrier_region="")

    content = text(post_application(client_for, users, call, data))

    assert "Indiquez le nom de l'organisme qui porte le projet." in content
    assert "Indiquez le type de l'organisme." in content
    assert "Indiquez la région de l'organisme." in content


def test_submitting_requires_the_axes_next_to_each_field(client_for, users, network, call, cat):
    data = application_post_data(cat=cat, structure=network.ml_a1, public_needs="", territory_type="")

    response = post_application(client_for, users, call, data)

    content = text(response)
    assert content.count("Ce champ est obligatoire.") == 2
    assert not Application.objects.exists()


def test_a_score_above_the_maximum(client_for, users, network, call, cat):
    from mobility.models import ApplicationStatus
    from tests.mobility.factories import make_application

    application = make_application(call=call, user=users[Role.CONSEILLER], carrier=_carrier(network), cat=cat)
    application.status = ApplicationStatus.DEPOSEE
    application.save()
    first, second = application.call.criteria.all()

    response = client_for(users[Role.RELECTEUR_CNML]).post(
        f"/mobilite/candidatures/{application.pk}/evaluer/",
        {f"score_{first.pk}": "7", f"score_{second.pk}": "-1", "comment": "Trop généreux."},
    )

    content = text(response)
    assert "La note de « Besoin social » va de 0 à 5." in content
    assert "La note de « Modèle économique » va de 0 à 5." in content
    assert "Trop généreux." in content
    assert not application.reviews.exists()


def _carrier(network):
    from mobility.models import Carrier

    return Carrier.objects.create(structure=network.ml_a1, name="ML", region=network.region_a)


def test_a_milestone_done_in_the_future(client_for, users, project):
    milestone = project.milestones.first()
    rows = [
        {
            "id": str(m.pk),
            "label": m.label,
            "due_on": m.due_on.isoformat(),
            "done_on": (timezone.localdate() + timedelta(days=3)).isoformat() if m == milestone else "",
        }
        for m in project.milestones.all()
    ]

    response = client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/jalons/", formset_data("jalons", rows, initial=len(rows))
    )

    assert "La date de réalisation ne peut pas être dans le futur." in text(response)
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_attendance_of_a_session_to_come(client_for, users, project):
    data = {
        "expert_name": "Expert",
        "formation_action": "on",
        "seances-TOTAL_FORMS": "1",
        "seances-INITIAL_FORMS": "0",
        "seances-0-held_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "seances-0-topic": "Plus tard",
        "seances-0-attendees_count": "5",
    }

    response = client_for(users[Role.RELECTEUR_CNML]).post(f"/mobilite/projets/{project.pk}/accompagnement/", data)

    assert "La participation ne se note qu'une fois la séance tenue." in text(response)
    assert not project.sessions.exists()


def test_unknown_choices_in_the_project_filters_are_ignored_with_a_message(client_for, users, project):
    response = client_for(users[Role.RELECTEUR_CNML]).get("/mobilite/projets/?service=teleportation&region=999")

    assert response.status_code == 200
    content = text(response)
    assert "Choix inconnu : « teleportation »." in content
    assert project.title in content
