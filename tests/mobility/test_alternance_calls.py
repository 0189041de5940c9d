"""Calls for projects of another theme than mobility: the FPSPP's alternance call.

One model of calls, applications and selection: an alternance call has its theme, its budget
envelope and funders, its criteria and its form's sections; an application from a mission locale
answers the sections and asks the call for an amount; it is scored and selected by the same
workflow, becomes a project followed on a short path (retenu → lancement → en fonctionnement),
and its budget counts against the envelope.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse

from cnml.models import Role
from cnml.workflows import TransitionRefused
from mobility import selectors, services
from mobility.models import (
    Application,
    ApplicationAnswer,
    ApplicationStatus,
    Call,
    CallStatus,
    CallTheme,
    Carrier,
    Stage,
)
from tests.factories import UserFactory
from tests.mobility.conftest import THIS_YEAR
from tests.mobility.factories import (
    AlternanceCallFactory,
    CallFactory,
    formset_data,
    make_alternance_application,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alternance_call(db):
    return AlternanceCallFactory(year=THIS_YEAR)


@pytest.fixture
def fpspp(alternance_call):
    return alternance_call.funders.get()


@pytest.fixture
def application(users, carrier_a1, alternance_call):
    """A complete draft of mission locale A1, 180 000 € asked of the FPSPP."""
    return make_alternance_application(call=alternance_call, user=users[Role.CONSEILLER], carrier=carrier_a1)


def submitted(application, users):
    services.application_submit(application=application, actor=application.created_by)
    application.refresh_from_db()
    return application


def selected(application, users):
    """Submitted by its author, scored by a CNML reviewer, selected: the project it became."""
    submitted(application, users)
    cnml = users[Role.RELECTEUR_CNML]
    scores = {criterion.pk: 4 for criterion in application.call.criteria.all()}
    services.review_save(application=application, reviewer=cnml, scores=scores, comment="Solide.")
    return services.application_select(application=application, actor=cnml, comment="Bravo.")


# The model ------------------------------------------------------------------------------------


def test_existing_calls_are_mobility_calls_and_one_year_holds_one_call_per_theme(alternance_call):
    mobility = CallFactory(year=THIS_YEAR)

    assert mobility.theme == CallTheme.MOBILITE
    assert alternance_call.year == mobility.year
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.create(
            theme=CallTheme.ALTERNANCE,
            year=THIS_YEAR,
            title="Doublon",
            text="x",
            opens_on=alternance_call.opens_on,
            closes_on=alternance_call.closes_on,
            eligibility_criteria="x",
        )


def test_formation_action_places_are_for_mobility_calls_only(alternance_call):
    alternance_call.formation_action_places = 2

    with pytest.raises(ValidationError) as error:
        alternance_call.full_clean()
    assert "formation_action_places" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        alternance_call.save()


def test_addresses_of_mobility_calls_are_unchanged_and_other_themes_carry_their_theme(alternance_call):
    mobility = CallFactory(year=2031)

    assert mobility.get_absolute_url() == "/mobilite/appels/2031/"
    assert reverse("mobility:call_report_pdf", args=[mobility.theme, 2031]) == "/mobilite/appels/2031/bilan.pdf"
    assert alternance_call.get_absolute_url() == f"/mobilite/appels/alternance/{THIS_YEAR}/"
    assert (
        reverse("mobility:application_create", args=[alternance_call.theme, THIS_YEAR])
        == f"/mobilite/appels/alternance/{THIS_YEAR}/candidater/"
    )


# Submission rules -----------------------------------------------------------------------------


def test_an_alternance_application_needs_its_required_sections_and_the_amount_asked_of_the_call(
    users, carrier_a1, alternance_call
):
    draft = make_alternance_application(
        call=alternance_call, user=users[Role.CONSEILLER], carrier=carrier_a1, complete=False, contact_name=""
    )

    missing = draft.missing_for_submission()

    assert missing == [
        "Contact\u00a0: indiquez la personne à contacter.",
        "Le public\u00a0: répondez à cette rubrique.",
        "L'accompagnement vers l'alternance\u00a0: répondez à cette rubrique.",
        "Financement\u00a0: indiquez au plan de financement le montant demandé à l'appel (FPSPP).",
    ]
    # The four axes of the mobility platforms are not asked.
    assert not any(reason.startswith(("Territoire", "Services", "Gouvernance")) for reason in missing)
    with pytest.raises(TransitionRefused) as error:
        services.application_submit(application=draft, actor=users[Role.CONSEILLER])
    assert "Le public\u00a0: répondez à cette rubrique." in error.value.reasons


def test_a_complete_alternance_application_is_submitted_and_its_answers_freeze(
    users, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(application, users)

    assert application.status == ApplicationStatus.DEPOSEE
    assert application.missing_for_submission() == []
    assert application.requested_amount == Decimal(180_000)
    answer = application.answers.first()
    answer.text = "Réécrit après le dépôt."
    with pytest.raises(ValidationError):
        answer.save()
    with pytest.raises(ValidationError):
        ApplicationAnswer.objects.create(
            application=application, section=application.call.sections.last(), text="Ajout tardif."
        )
    assert "candidature" in mail.outbox[-1].body
    assert f"l'appel à projets Alternance {THIS_YEAR}" in mail.outbox[-1].body


def test_an_answer_belongs_to_a_section_of_the_application_s_own_call(users, application):
    other = AlternanceCallFactory(year=THIS_YEAR + 1)
    answer = ApplicationAnswer(application=application, section=other.sections.first(), text="x")

    with pytest.raises(ValidationError) as error:
        answer.full_clean()
    assert "section" in error.value.message_dict


# Selection and follow-up ----------------------------------------------------------------------


def test_a_selected_alternance_application_becomes_a_project_on_the_short_path(
    users, application, django_capture_on_commit_callbacks
):
    cnml = users[Role.RELECTEUR_CNML]

    with django_capture_on_commit_callbacks(execute=True):
        project = selected(application, users)

    assert project.call == application.call
    assert project.stage_line == [Stage.RETENU, Stage.LANCEMENT, Stage.EN_FONCTIONNEMENT]
    assert sorted(project.budget_lines.values_list("planned_amount", flat=True)) == [40_000, 180_000]
    assert "Le projet est ouvert dans le back-office" in mail.outbox[-1].body
    assert mail.outbox[-1].subject.startswith("Votre projet est retenu à l'appel Alternance")
    # No FARE formation-action nor montage for this theme.
    assert project.start_formation_action.refusals(cnml) == [
        "Un projet de l'appel Alternance ne passe ni par la formation-action ni par le montage."
    ]
    assert project.start_montage.refusals(cnml)
    # The carrier cannot launch it; the CNML does, then the carrier declares it in operation.
    assert not project.can_start(users[Role.DIRECTEUR])
    services.project_move(project=project, verb="start", actor=cnml)
    assert project.stage == Stage.LANCEMENT
    services.project_move(project=project, verb="put_in_operation", actor=users[Role.DIRECTEUR])
    assert project.stage == Stage.EN_FONCTIONNEMENT
    services.project_move(project=project, verb="stop", actor=cnml, comment="Fin du financement.")
    assert project.stage == Stage.ARRETE


def test_a_mobility_project_keeps_its_fare_path(users, project):
    cnml = users[Role.RELECTEUR_CNML]

    assert project.stage_line[1] == Stage.FORMATION_ACTION
    assert project.start.refusals(cnml) == [
        "Un projet de plateforme passe par la formation-action ou le montage avant son lancement."
    ]
    with pytest.raises(TransitionRefused):
        services.project_move(project=project, verb="start", actor=cnml)


def test_the_envelope_counts_what_the_call_s_funders_grant_to_selected_projects(users, application, network):
    call = application.call
    assert call.granted_amount == 0
    assert call.envelope_left == Decimal(12_000_000)

    selected(application, users)
    second_carrier = Carrier.objects.create(structure=network.ml_a2, name="ML A2", region=network.region_a)
    other = make_alternance_application(
        call=call, user=users[Role.RELECTEUR_CNML], carrier=second_carrier, requested=Decimal("250000.50")
    )
    selected(other, users)

    # The co-financing of the conseil régional is not the envelope's.
    assert call.granted_amount == Decimal("430000.50")
    assert selectors.call_envelope(call) == {
        "caption": f"Enveloppe de l'appel Alternance {THIS_YEAR}, accordé et reste, en euros",
        "envelope": Decimal(12_000_000),
        "granted": Decimal("430000.50"),
        "left": Decimal("11569999.50"),
        "over": Decimal(0),
    }


def test_a_project_is_granted_its_lines_from_its_own_call_s_funders_only(client_for, users, application):
    project = selected(application, users)
    # The co-financer funds another call: its line in this project is still not this call's grant.
    regional = project.budget_lines.exclude(funder__in=application.call.funders.all()).get().funder
    CallFactory(year=THIS_YEAR + 1).funders.add(regional)

    assert selectors.granted_to(project) == Decimal(180_000)
    assert application.call.granted_amount == Decimal(180_000)
    page = text(client_for(users[Role.RELECTEUR_CNML]).get(project.get_absolute_url()))
    assert "à ce projet\u00a0: 180\u202f000\u00a0€, sur une enveloppe de 12\u202f000\u202f000\u00a0€" in page


def test_what_an_application_asks_is_read_from_its_prefetched_plan_and_call_funders(
    application, django_assert_num_queries
):
    prefetch_related_objects([application], "fundings", "call__funders")

    with django_assert_num_queries(0):
        assert application.requested_amount == Decimal(180_000)
        assert application.fundings_from_call()[0].label == "Montant demandé à l'appel"


def test_a_mobility_call_without_envelope_shows_none(call):
    assert selectors.call_envelope(call) is None


# Pages ----------------------------------------------------------------------------------------


def test_the_calls_list_shows_each_call_with_its_theme(client_for, alternance_call, call):
    content = text(client_for(None).get("/mobilite/"))

    assert "Plateformes de mobilité" in content
    assert "Alternance" in content
    assert alternance_call.get_absolute_url() in content
    assert f'href="/mobilite/appels/{call.year}/"' in content


def test_the_call_page_shows_the_envelope_granted_and_left_in_french_figures(client_for, users, application):
    selected(application, users)

    content = text(client_for(None).get(application.call.get_absolute_url()))

    assert "Enveloppe\u00a0: 12\u202f000\u202f000\u00a0€" in content
    assert "11\u202f820\u202f000" in content  # left
    assert "180\u202f000" in content  # granted
    assert "formation-action" not in content
    assert "Le public" in content  # its sections


def test_the_application_form_asks_the_call_s_sections_not_the_four_axes(client_for, users, alternance_call):
    content = text(client_for(users[Role.CONSEILLER]).get(f"/mobilite/appels/alternance/{THIS_YEAR}/candidater/"))

    assert "L'accompagnement vers l'alternance" in content
    assert "Territoire et besoins du public" not in content
    assert 'name="fundings-TOTAL_FORMS"' in content
    assert 'name="needs-TOTAL_FORMS"' not in content


def test_a_mission_locale_applies_through_the_form_and_submits(client_for, users, network, alternance_call, fpspp):
    sections = list(alternance_call.sections.all())
    data = {
        "title": "Passerelles vers l'alternance",
        "contact_name": "Claire Dupont",
        "contact_email": "claire.dupont@ml.example.fr",
        "carrier_choice": "reseau",
        "carrier_structure": str(network.ml_a1.pk),
        f"section_{sections[0].pk}": "Trois cents jeunes.",
        f"section_{sections[1].pk}": "Un référent pendant le contrat.",
        "deposer": "1",
        **formset_data("fundings", [{"funder": str(fpspp.pk), "amount": "180000", "status": "sollicite"}]),
    }

    response = client_for(users[Role.CONSEILLER]).post(f"/mobilite/appels/alternance/{THIS_YEAR}/candidater/", data)

    application = Application.objects.get()
    assert response.status_code == 302, text(response)
    assert application.status == ApplicationStatus.DEPOSEE
    assert application.call == alternance_call
    assert dict(application.answers.values_list("section__title", "text")) == {
        "Le public": "Trois cents jeunes.",
        "L'accompagnement vers l'alternance": "Un référent pendant le contrat.",
        "Les résultats attendus": "",
    }
    page = text(client_for(users[Role.CONSEILLER]).get(application.get_absolute_url()))
    assert "Un référent pendant le contrat." in page
    assert "Montant demandé à l'appel (FPSPP)\u00a0: 180\u202f000 €" in page or "180\u202f000" in page


def test_the_alternance_call_report_and_its_pdf_show_the_envelope(client_for, users, application):
    selected(application, users)
    client = client_for(users[Role.RELECTEUR_CNML])

    page = text(client.get(f"/mobilite/appels/alternance/{THIS_YEAR}/bilan/"))
    pdf = client.get(f"/mobilite/appels/alternance/{THIS_YEAR}/bilan.pdf")

    assert "Accordé aux projets retenus" in page
    assert "11\u202f820\u202f000" in page
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"] == f'attachment; filename="appel-alternance-{THIS_YEAR}.pdf"'


def test_the_project_page_offers_the_short_path_only(client_for, users, application):
    project = selected(application, users)

    content = text(client_for(users[Role.RELECTEUR_CNML]).get(project.get_absolute_url()))

    assert "Lancer le projet" in content
    assert "Démarrer la formation-action" not in content
    assert "Passer au montage" not in content


def test_the_short_path_words_the_operation_for_a_project(client_for, users, application):
    project = selected(application, users)
    services.project_move(project=project, verb="start", actor=users[Role.RELECTEUR_CNML])

    content = text(client_for(users[Role.DIRECTEUR]).get(project.get_absolute_url()))

    assert "Déclarer le projet en fonctionnement" in content
    assert "Déclarer la plateforme en fonctionnement" not in content


# Scope: 404 out of scope, for every role ---------------------------------------------------------


@pytest.fixture
def alternance_world(users, application, outsider, member, role_groups):
    draft_call = AlternanceCallFactory(year=2041, status=CallStatus.BROUILLON)
    project = selected(
        make_alternance_application(
            call=application.call,
            user=users[Role.DIRECTEUR],
            carrier=application.carrier,
            title="Projet suivi",
        ),
        users,
    )
    actors = {
        "anonyme": None,
        "conseiller": users[Role.CONSEILLER],
        "directeur": users[Role.DIRECTEUR],
        "animateur": users[Role.ANIMATEUR_REGIONAL],
        "relecteur": users[Role.RELECTEUR_CNML],
        "administrateur": users[Role.ADMINISTRATEUR],
        "ailleurs": outsider,  # a conseiller of region B
        "voisin": member,  # a conseiller of ML A2, member of another carrier
        "partenaire_pe": UserFactory(role=Role.PARTENAIRE, structure=None),
    }
    return actors, {"draft_call": draft_call, "draft": application, "project": project}


CNML = {"relecteur", "administrateur"}
CARRIER = {"conseiller", "directeur"}
# page -> (url, who gets 200, who reads the object but may not do this: 403); every other signed-in
# role 404 (the anonymous visitor: sent to log in, or 404).
SCOPED = {
    "appel alternance en préparation": ("/mobilite/appels/alternance/2041/", CNML, set()),
    "modifier l'appel alternance": ("/mobilite/appels/alternance/2041/modifier/", CNML, set()),
    "bilan de l'appel alternance en préparation": ("/mobilite/appels/alternance/2041/bilan/", CNML, set()),
    "candidature alternance en brouillon": ("/mobilite/candidatures/{draft.pk}/", CARRIER | CNML, set()),
    "projet alternance": ("/mobilite/projets/{project.pk}/", CARRIER | CNML | {"animateur"}, set()),
    "budget du projet alternance": ("/mobilite/projets/{project.pk}/budget/", CARRIER | CNML, {"animateur"}),
}


@pytest.mark.parametrize("page", list(SCOPED))
def test_alternance_pages_answer_404_out_of_scope_for_every_role(client_for, alternance_world, page):
    actors, objects = alternance_world
    template, allowed, forbidden = SCOPED[page]
    url = template.format(**objects)

    answers = {actor: client_for(user).get(url).status_code for actor, user in actors.items() if user}

    wanted = {actor: 200 if actor in allowed else 403 if actor in forbidden else 404 for actor in answers}
    assert answers == wanted, url
    assert client_for(None).get(url).status_code in (302, 404)


def test_an_alternance_project_has_no_fare_support_page(client_for, users, application):
    project = selected(application, users)

    response = client_for(users[Role.RELECTEUR_CNML]).get(f"/mobilite/projets/{project.pk}/accompagnement/")

    assert response.status_code == 404


def test_the_project_list_filters_by_theme(client_for, users, application, project):
    alternance = selected(application, users)
    client = client_for(users[Role.RELECTEUR_CNML])

    only_alternance = text(client.get("/mobilite/projets/?theme=alternance"))
    only_mobility = text(client.get("/mobilite/projets/?theme=mobilite"))

    assert alternance.get_absolute_url() in only_alternance
    assert project.get_absolute_url() not in only_alternance
    assert project.get_absolute_url() in only_mobility
    assert alternance.get_absolute_url() not in only_mobility


def test_the_decision_tells_what_selecting_takes_from_the_envelope_and_warns_beyond_it(
    client_for, users, application, alternance_call
):
    submitted(application, users)
    scores = {criterion.pk: 4 for criterion in alternance_call.criteria.all()}
    services.review_save(application=application, reviewer=users[Role.RELECTEUR_CNML], scores=scores, comment="")
    reviewer = client_for(users[Role.RELECTEUR_CNML])

    page = text(reviewer.get(application.get_absolute_url()))
    assert "Retenir ce projet lui accorderait 180\u202f000\u00a0€ de l'enveloppe de l'appel" in page
    assert "dont il reste 12\u202f000\u202f000\u00a0€." in page
    assert "dépassée" not in page

    alternance_call.envelope = Decimal(100_000)
    alternance_call.save(update_fields=["envelope"])
    page = text(reviewer.get(application.get_absolute_url()))
    assert "l'enveloppe serait dépassée de 80\u202f000\u00a0€" in page
    assert "La décision reste possible" in page

    project = services.application_select(application=application, actor=users[Role.RELECTEUR_CNML])
    page = text(reviewer.get(project.get_absolute_url()))
    assert "sur une enveloppe de 100\u202f000\u00a0€ dépassée de 80\u202f000\u00a0€." in page


def test_the_envelope_is_not_told_to_who_does_not_decide(client_for, users, application):
    submitted(application, users)
    page = text(client_for(users[Role.CONSEILLER]).get(application.get_absolute_url()))
    assert "Retenir ce projet" not in page
