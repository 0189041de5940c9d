"""Project stages: retenu → formation_action → montage → lancement → en_fonctionnement, or arrete.

Each transition is guarded (by role, then by the data) and logged.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused
from mobility.models import FareSupport, FormationSession, Stage
from tests.clock import frozen
from tests.factories import UserFactory
from tests.mobility.factories import CarrierFactory, make_project, text

pytestmark = [pytest.mark.django_db, frozen]


def move(client, project, slug, **data):
    return client.post(f"/mobilite/projets/{project.pk}/etape/{slug}/", data, follow=True)


def stage_of(project) -> str:
    project.refresh_from_db()
    return project.stage


def add_fare(project, *, expert="Expert FARE", formation_action=True):
    return FareSupport.objects.create(
        project=project, expert_name=expert, formation_action=formation_action, funded_by_macif=True
    )


def test_the_whole_line_of_stages_with_each_guard_and_log(client_for, users, project):
    cnml = client_for(users[Role.RELECTEUR_CNML])
    carrier = client_for(users[Role.CONSEILLER])  # of ML A1, the carrier structure: not even a member

    response = move(cnml, project, "formation-action")
    assert stage_of(project) == Stage.RETENU
    assert "Enregistrez d'abord l'accompagnement de la FARE avec une formation-action." in text(response)

    add_fare(project)
    move(cnml, project, "formation-action")
    assert stage_of(project) == Stage.FORMATION_ACTION

    response = move(cnml, project, "montage")
    assert stage_of(project) == Stage.FORMATION_ACTION
    assert "Enregistrez au moins une séance de formation-action tenue" in text(response)

    FormationSession.objects.create(
        project=project, held_on=timezone.localdate() - timedelta(days=3), topic="Territoire", attendees_count=7
    )
    move(cnml, project, "montage")
    assert stage_of(project) == Stage.MONTAGE

    move(carrier, project, "lancement")
    assert stage_of(project) == Stage.LANCEMENT

    response = move(carrier, project, "fonctionnement")
    assert stage_of(project) == Stage.LANCEMENT
    assert "Aucun jalon n'est encore réalisé" in text(response)

    milestone = project.milestones.first()
    milestone.done_on = timezone.localdate()
    milestone.save()
    response = move(carrier, project, "fonctionnement", comment="Ouverte au public.")
    assert stage_of(project) == Stage.EN_FONCTIONNEMENT
    assert "Le projet est à l'étape « En fonctionnement »." in text(response)

    logs = [(log.from_state, log.to_state, log.actor) for log in transitions_of(project)]
    assert logs == [
        ("retenu", "formation_action", users[Role.RELECTEUR_CNML]),
        ("formation_action", "montage", users[Role.RELECTEUR_CNML]),
        ("montage", "lancement", users[Role.CONSEILLER]),
        ("lancement", "en_fonctionnement", users[Role.CONSEILLER]),
    ]
    assert transitions_of(project).last().comment == "Ouverte au public."


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_only_cnml_roles_start_the_formation_action_and_the_montage(client_for, users, project, role):
    add_fare(project)
    client = client_for(users[role])

    assert client.post(f"/mobilite/projets/{project.pk}/etape/formation-action/").status_code == 403
    assert stage_of(project) == Stage.RETENU
    assert project.start_formation_action.refusals(users[role]) == [
        "Votre rôle ne vous permet pas cette action sur ce dossier."
    ]
    assert project.can_start_formation_action(users[Role.RELECTEUR_CNML])
    assert not transitions_of(project).exists()


def test_a_regional_animator_and_a_partner_read_the_project_but_cannot_launch_it(client_for, users, outsider, project):
    project.stage = Stage.MONTAGE
    project.save()

    for user in (users[Role.ANIMATEUR_REGIONAL], outsider):  # outsider: conseiller of ML B1, the partner
        client = client_for(user)
        assert client.get(f"/mobilite/projets/{project.pk}/").status_code == 200
        assert client.post(f"/mobilite/projets/{project.pk}/etape/lancement/").status_code == 403
    assert stage_of(project) == Stage.MONTAGE


def test_a_user_outside_the_project_gets_404_for_its_transitions(client_for, network, project, role_groups):
    colleague = UserFactory(role=Role.CONSEILLER, structure=network.ml_a2)
    project.stage = Stage.MONTAGE
    project.save()

    assert client_for(colleague).post(f"/mobilite/projets/{project.pk}/etape/lancement/").status_code == 404
    assert stage_of(project) == Stage.MONTAGE


def test_the_member_of_an_outside_carrier_moves_its_project(client_for, users, call, cat, outside_carrier, member):
    project = make_project(call=call, user=member, carrier=outside_carrier, cat=cat)
    project.stage = Stage.MONTAGE
    project.save()

    move(client_for(member), project, "lancement")

    assert stage_of(project) == Stage.LANCEMENT
    # A conseiller of the same mission locale as the member, not a member, cannot.
    neighbour = users[Role.CONSEILLER]
    assert client_for(neighbour).post(f"/mobilite/projets/{project.pk}/etape/fonctionnement/").status_code == 404


def test_a_project_without_formation_action_goes_straight_to_the_montage(client_for, users, project):
    cnml = client_for(users[Role.RELECTEUR_CNML])
    add_fare(project, formation_action=False)

    response = move(cnml, project, "formation-action")
    assert stage_of(project) == Stage.RETENU
    assert "avec une formation-action" in text(response)

    move(cnml, project, "montage")
    assert stage_of(project) == Stage.MONTAGE


def test_a_planned_formation_action_comes_before_the_montage(users, project):
    add_fare(project)

    with pytest.raises(TransitionRefused) as refused:
        project.start_montage(users[Role.RELECTEUR_CNML])

    assert refused.value.reasons == ["Ce projet bénéficie d'une formation-action : démarrez-la avant le montage."]
    assert stage_of(project) == Stage.RETENU


def test_launching_needs_a_budget_and_a_service(users, project):
    project.stage = Stage.MONTAGE
    project.save()
    project.budget_lines.all().delete()
    project.services_to_launch.clear()

    with pytest.raises(TransitionRefused) as refused:
        project.launch(users[Role.CONSEILLER])

    assert refused.value.reasons == [
        "Le budget du projet est vide : ajoutez ses lignes par un avenant avant le lancement.",
        "Choisissez au moins un service à lancer.",
    ]


def test_stopping_needs_a_reason_and_a_cnml_role(client_for, users, project):
    cnml = client_for(users[Role.ADMINISTRATEUR])

    response = move(cnml, project, "arret", reason="  ")
    assert stage_of(project) == Stage.RETENU
    assert "Indiquez le motif de l'arrêt du projet." in text(response)

    assert (
        client_for(users[Role.DIRECTEUR])
        .post(f"/mobilite/projets/{project.pk}/etape/arret/", {"reason": "On arrête."})
        .status_code
        == 403
    )
    assert stage_of(project) == Stage.RETENU

    move(cnml, project, "arret", reason="Financements non obtenus.")
    assert stage_of(project) == Stage.ARRETE
    assert project.stop_reason == "Financements non obtenus."
    log = transitions_of(project).get()
    assert (log.from_state, log.to_state, log.comment) == ("retenu", "arrete", "Financements non obtenus.")
    # A stopped project goes nowhere.
    assert not project.can_stop(users[Role.ADMINISTRATEUR])
    move(cnml, project, "montage")
    assert stage_of(project) == Stage.ARRETE


def test_an_unknown_step_is_a_404(client_for, users, project):
    assert (
        client_for(users[Role.RELECTEUR_CNML]).post(f"/mobilite/projets/{project.pk}/etape/envol/").status_code == 404
    )


def test_the_project_page_offers_only_the_transitions_the_user_may_make(client_for, users, project):
    add_fare(project)

    cnml_page = text(client_for(users[Role.RELECTEUR_CNML]).get(f"/mobilite/projets/{project.pk}/"))
    carrier_page = text(client_for(users[Role.CONSEILLER]).get(f"/mobilite/projets/{project.pk}/"))

    assert "Démarrer la formation-action" in cnml_page
    assert "Arrêter le projet" in cnml_page
    assert "Démarrer la formation-action" not in carrier_page
    assert "Arrêter le projet" not in carrier_page


def test_formation_action_places_of_the_call_are_limited(client_for, users, network, call, cat, project):
    call.formation_action_places = 1
    call.save()
    other = make_project(
        call=call, user=users[Role.DIRECTEUR], carrier=CarrierFactory(region=network.region_a), cat=cat
    )
    add_fare(other)
    data = {
        "expert_name": "Expert FARE",
        "formation_action": "on",
        "funded_by_macif": "on",
        "seances-TOTAL_FORMS": "0",
        "seances-INITIAL_FORMS": "0",
    }

    response = client_for(users[Role.RELECTEUR_CNML]).post(f"/mobilite/projets/{project.pk}/accompagnement/", data)

    assert response.status_code == 200
    assert f"Les 1 places de formation-action de l'appel {call.year} sont toutes attribuées." in text(response)
    assert not FareSupport.objects.filter(project=project).exists()
    # Without the formation-action, the FARE support is recorded.
    data.pop("formation_action")
    client_for(users[Role.RELECTEUR_CNML]).post(f"/mobilite/projets/{project.pk}/accompagnement/", data)
    assert FareSupport.objects.get(project=project).formation_action is False


def test_cnml_records_fare_sessions_with_their_attendance(client_for, users, project):
    held_on = timezone.localdate() - timedelta(days=2)
    data = {
        "expert_name": "Expert FARE",
        "formation_action": "on",
        "funded_by_macif": "on",
        "seances-TOTAL_FORMS": "2",
        "seances-INITIAL_FORMS": "0",
        "seances-0-held_on": held_on.isoformat(),
        "seances-0-topic": "Besoins des publics",
        "seances-0-duration_hours": "6",
        "seances-0-attendees_count": "9",
        "seances-0-attendees": "Porteur, ML",
        "seances-1-held_on": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "seances-1-topic": "Financement",
    }

    response = client_for(users[Role.RELECTEUR_CNML]).post(f"/mobilite/projets/{project.pk}/accompagnement/", data)

    assert response.status_code == 302
    support = FareSupport.objects.get(project=project)
    assert (support.expert_name, support.formation_action, support.funded_by_macif) == ("Expert FARE", True, True)
    assert [(s.topic, s.attendees_count) for s in project.sessions.all()] == [
        ("Besoins des publics", 9),
        ("Financement", None),
    ]
    assert client_for(users[Role.DIRECTEUR]).get(f"/mobilite/projets/{project.pk}/accompagnement/").status_code == 403
