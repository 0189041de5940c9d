"""Who becomes a member of a carrier, and how: never by typing an existing carrier's name.

An organisation outside the network has no accounts of its own: its users are the members
of its carrier record. Applying with « un autre organisme » whose name and region match an
existing carrier opens a membership request (« demande de rattachement ») that a current
member or a CNML role accepts or refuses; until then the applicant reaches their own
application only, as its author, and nothing else of the carrier.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused
from mobility import services
from mobility.models import (
    Application,
    ApplicationStatus,
    Carrier,
    CarrierKind,
    CarrierMembershipRequest,
    MembershipStatus,
    ProjectDocument,
)
from tests.factories import UserFactory
from tests.mobility.factories import admin_form_data, application_post_data, make_application, make_project, text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUESTS_URL = "/mobilite/porteurs/demandes/"


@pytest.fixture
def applicant(network, role_groups):
    """A conseiller of ML B2, who has nothing to do with the maison de l'emploi Alpha."""
    return UserFactory(email="candidat@ailleurs.example.fr", role=Role.CONSEILLER, structure=network.ml_b2)


@pytest.fixture
def carrier_world(network, users, member, outside_carrier, call, cat):
    """The maison de l'emploi Alpha: a project with a private document, and another application."""
    project = make_project(call=call, user=member, carrier=outside_carrier, cat=cat, title="Garage solidaire Alpha")
    document = ProjectDocument(project=project, title="Convention privée", name="convention.pdf", uploaded_by=member)
    document.file.save("convention.pdf", ContentFile(PDF))
    other = make_application(call=call, user=member, carrier=outside_carrier, cat=cat, title="Autre candidature")
    return {"project": project, "document": document, "other": other}


def apply_as_outside(client, call, cat, *, name: str, region: str, kind=CarrierKind.AUTRE, action="enregistrer"):
    data = application_post_data(cat=cat, action=action, title="Plateforme de l'intrus")
    data.update(carrier_choice="autre", carrier_name=name, carrier_kind=kind, carrier_region=region)
    return client.post(f"/mobilite/appels/{call.year}/candidater/", data)


def test_applicant_cannot_join_existing_carrier_by_typing_its_name(
    client_for, applicant, outside_carrier, carrier_world, network, call, cat
):
    client = client_for(applicant)
    project, document, other = carrier_world["project"], carrier_world["document"], carrier_world["other"]
    assert client.get(f"/mobilite/projets/{project.pk}/").status_code == 404

    response = apply_as_outside(
        client, call, cat, name="  maison de l'emploi ALPHA ", region=network.region_a.code, kind=CarrierKind.AUTRE
    )

    assert response.status_code == 302
    outside_carrier.refresh_from_db()
    assert applicant not in outside_carrier.members.all()
    assert outside_carrier.kind == CarrierKind.MAISON_EMPLOI
    assert outside_carrier.name == "Maison de l'emploi Alpha"
    for url in [
        f"/mobilite/projets/{project.pk}/",
        f"/mobilite/projets/{project.pk}/budget/",
        f"/mobilite/projets/{project.pk}/documents/{document.pk}/",
        f"/mobilite/candidatures/{other.pk}/",
        f"/mobilite/candidatures/{other.pk}/modifier/",
        f"/mobilite/candidatures/{project.application.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    projects_page = text(client.get("/mobilite/projets/"))
    assert "Garage solidaire Alpha" not in projects_page
    assert "Autre candidature" not in text(client.get("/mobilite/candidatures/"))
    # Their own application stays theirs, as its author.
    own = Application.objects.get(created_by=applicant)
    assert client.get(f"/mobilite/candidatures/{own.pk}/").status_code == 200
    assert client.get(f"/mobilite/candidatures/{own.pk}/modifier/").status_code == 200


def test_typing_an_existing_carrier_opens_a_request_told_to_its_members_and_the_cnml(
    client_for, users, applicant, member, outside_carrier, network, call, cat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        apply_as_outside(
            client_for(applicant), call, cat, name="Maison de l'emploi Alpha", region=network.region_a.code
        )

    application = Application.objects.get(created_by=applicant)
    assert application.carrier == outside_carrier
    request = CarrierMembershipRequest.objects.get()
    assert (request.carrier, request.user, request.application, request.status) == (
        outside_carrier,
        applicant,
        application,
        MembershipStatus.EN_ATTENTE,
    )
    assert transitions_of(request).get().to_state == MembershipStatus.EN_ATTENTE
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {member.email, users[Role.RELECTEUR_CNML].email}
    message = mail.outbox[0]
    assert "Demande de rattachement" in message.subject
    assert applicant.email in message.body
    assert REQUESTS_URL in message.body


def test_the_applicant_cannot_submit_for_a_carrier_that_has_not_accepted_them(
    client_for, applicant, outside_carrier, network, call, cat
):
    client = client_for(applicant)

    response = apply_as_outside(
        client, call, cat, name="Maison de l'emploi Alpha", region=network.region_a.code, action="deposer"
    )

    application = Application.objects.get(created_by=applicant)
    assert response.status_code == 200
    assert application.is_draft
    refusal = "Votre rattachement à « Maison de l'emploi Alpha » attend l'accord d'un de ses membres ou du CNML"
    assert refusal in text(response)
    # Nor through the other routes: the submit button of the application page, the service.
    response = client.post(f"/mobilite/candidatures/{application.pk}/deposer/", follow=True)
    assert refusal in text(response)
    with pytest.raises(TransitionRefused):
        services.application_submit(application=application, actor=applicant)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.BROUILLON


def _pending_request(client_for, applicant, network, call, cat) -> CarrierMembershipRequest:
    apply_as_outside(client_for(applicant), call, cat, name="Maison de l'emploi Alpha", region=network.region_a.code)
    return CarrierMembershipRequest.objects.get(user=applicant)


def test_a_member_accepts_the_request_and_the_applicant_then_reaches_the_carrier(
    client_for,
    applicant,
    member,
    outside_carrier,
    carrier_world,
    network,
    call,
    cat,
    django_capture_on_commit_callbacks,
):
    request = _pending_request(client_for, applicant, network, call, cat)
    client = client_for(member)
    page = text(client.get(REQUESTS_URL))
    assert "Maison de l'emploi Alpha" in page
    assert applicant.email in page
    assert "Demandes de rattachement à décider : 1" in text(client.get("/mobilite/"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{REQUESTS_URL}{request.pk}/accepter/", {"comment": "Notre nouvelle collègue."}, follow=True
        )

    assert "Demande acceptée" in text(response)
    request.refresh_from_db()
    assert request.status == MembershipStatus.ACCEPTEE
    assert (request.decided_by, request.decision_comment) == (member, "Notre nouvelle collègue.")
    assert applicant in outside_carrier.members.all()
    log = transitions_of(request).last()
    assert (log.from_state, log.to_state, log.actor) == ("en_attente", "acceptee", member)
    assert [message.to for message in mail.outbox] == [[applicant.email]]
    assert client_for(applicant).get(f"/mobilite/projets/{carrier_world['project'].pk}/").status_code == 200


def test_the_cnml_refuses_a_request_and_the_applicant_stays_out(
    client_for, users, applicant, outside_carrier, carrier_world, network, call, cat, django_capture_on_commit_callbacks
):
    request = _pending_request(client_for, applicant, network, call, cat)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(users[Role.RELECTEUR_CNML]).post(
            f"{REQUESTS_URL}{request.pk}/refuser/", {"comment": "Inconnu de la maison de l'emploi."}
        )

    request.refresh_from_db()
    assert request.status == MembershipStatus.REFUSEE
    assert applicant not in outside_carrier.members.all()
    assert client_for(applicant).get(f"/mobilite/projets/{carrier_world['project'].pk}/").status_code == 404
    assert "Inconnu de la maison de l'emploi." in mail.outbox[0].body
    assert mail.outbox[0].to == [applicant.email]


def test_only_the_members_and_the_cnml_decide_a_request(
    client_for, users, applicant, outsider, outside_carrier, network, call, cat
):
    request = _pending_request(client_for, applicant, network, call, cat)
    url = f"{REQUESTS_URL}{request.pk}/accepter/"

    # The applicant sees their own request, but may not accept it.
    assert "En attente" in text(client_for(applicant).get(REQUESTS_URL))
    assert client_for(applicant).post(url).status_code == 403
    for stranger in (outsider, users[Role.CONSEILLER], users[Role.DIRECTEUR], users[Role.ANIMATEUR_REGIONAL]):
        assert client_for(stranger).post(url).status_code == 404, stranger
        assert applicant.email not in text(client_for(stranger).get(REQUESTS_URL)), stranger
    assert client_for(None).post(url).status_code == 302  # to the login page
    request.refresh_from_db()
    assert request.status == MembershipStatus.EN_ATTENTE
    assert applicant not in outside_carrier.members.all()


def test_a_request_decided_twice_gives_one_decision_and_a_clear_message(
    client_for, users, applicant, member, outside_carrier, network, call, cat, monkeypatch
):
    request = _pending_request(client_for, applicant, network, call, cat)
    stale = CarrierMembershipRequest.objects.get(pk=request.pk)
    services.membership_request_refuse(request=request, actor=users[Role.RELECTEUR_CNML], comment="Non.")

    with pytest.raises(TransitionRefused) as refused:
        services.membership_request_approve(request=stale, actor=member)
    assert refused.value.reasons == ["Cette demande a déjà été traitée : refusée."]

    # The page read the request before the other decision was committed.
    from mobility import permissions

    monkeypatch.setattr(permissions, "get_membership_request_for", lambda user, pk: stale)
    response = client_for(member).post(f"{REQUESTS_URL}{request.pk}/accepter/", follow=True)
    assert response.status_code == 200
    assert "Cette demande a déjà été traitée : refusée." in text(response)
    request.refresh_from_db()
    assert request.status == MembershipStatus.REFUSEE
    assert not request.carrier.members.filter(pk=applicant.pk).exists()


def test_typing_the_name_again_does_not_open_a_second_request(
    client_for, applicant, outside_carrier, network, call, cat
):
    client = client_for(applicant)
    for _ in range(2):
        apply_as_outside(client, call, cat, name="Maison de l'emploi Alpha", region=network.region_a.code)

    assert Application.objects.filter(created_by=applicant).count() == 2
    assert CarrierMembershipRequest.objects.filter(user=applicant).count() == 1


def test_after_a_refusal_saving_the_draft_again_asks_nothing_and_submission_stays_refused(
    client_for, users, applicant, outside_carrier, network, call, cat
):
    request = _pending_request(client_for, applicant, network, call, cat)
    services.membership_request_refuse(request=request, actor=users[Role.RELECTEUR_CNML], comment="Inconnu.")
    data = application_post_data(cat=cat, action="deposer", title="Plateforme de l'intrus")
    data.update(carrier_choice="autre", carrier_name=outside_carrier.name, carrier_kind=CarrierKind.AUTRE)
    data.update(carrier_region=network.region_a.code)
    data.update({f"{prefix}-TOTAL_FORMS": "0" for prefix in ("needs", "steps", "fundings", "governance")})

    response = client_for(applicant).post(f"/mobilite/candidatures/{request.application.pk}/modifier/", data)

    assert response.status_code == 200
    assert "Votre demande de rattachement à « Maison de l'emploi Alpha » a été refusée" in text(response)
    assert CarrierMembershipRequest.objects.filter(user=applicant).count() == 1
    assert Application.objects.get(pk=request.application.pk).is_draft


def test_moving_the_draft_to_another_organisation_withdraws_its_request(
    client_for, applicant, outside_carrier, network, call, cat
):
    client = client_for(applicant)
    request = _pending_request(client_for, applicant, network, call, cat)
    application = request.application
    data = application_post_data(cat=cat, action="enregistrer", title="Plateforme de l'intrus")
    data.update(
        carrier_choice="autre",
        carrier_name="Garage solidaire Bêta",
        carrier_kind=CarrierKind.ASSOCIATION,
        carrier_region=network.region_b.code,
    )
    data.update({f"{prefix}-TOTAL_FORMS": "0" for prefix in ("needs", "steps", "fundings", "governance")})

    response = client.post(f"/mobilite/candidatures/{application.pk}/modifier/", data)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == MembershipStatus.RETIREE
    application.refresh_from_db()
    assert application.carrier.name == "Garage solidaire Bêta"
    assert list(application.carrier.members.all()) == [applicant]


def test_a_new_outside_organisation_makes_the_applicant_its_only_member(client_for, applicant, call, cat):
    apply_as_outside(
        client_for(applicant), call, cat, name="Association Roule Bêta", region="91", kind=CarrierKind.ASSOCIATION
    )

    carrier = Carrier.objects.get(name="Association Roule Bêta")
    assert list(carrier.members.all()) == [applicant]
    assert carrier.kind == CarrierKind.ASSOCIATION
    assert not CarrierMembershipRequest.objects.exists()


def test_applying_for_a_network_structure_adds_no_member(client_for, users, network, call, cat, carrier_a1):
    data = application_post_data(cat=cat, structure=network.ml_a1, action="enregistrer")

    client_for(users[Role.CONSEILLER]).post(f"/mobilite/appels/{call.year}/candidater/", data)

    # The structure's conseillers and directors are its users, members or not: rights follow the structure.
    assert Application.objects.get().carrier == carrier_a1
    assert not carrier_a1.members.exists()
    assert not CarrierMembershipRequest.objects.exists()


def test_an_animator_applying_for_a_mission_locale_gains_no_right_on_its_projects(
    client_for, users, network, project, call, cat
):
    animator = users[Role.ANIMATEUR_REGIONAL]
    client = client_for(animator)
    assert client.get(f"/mobilite/projets/{project.pk}/budget/").status_code == 403

    data = application_post_data(cat=cat, structure=network.ml_a1, action="enregistrer")
    assert client.post(f"/mobilite/appels/{call.year}/candidater/", data).status_code == 302

    assert animator not in project.carrier.members.all()
    # Still a reader of the projects of their region, not an editor.
    assert client.get(f"/mobilite/projets/{project.pk}/budget/").status_code == 403
    assert client.get(f"/mobilite/projets/{project.pk}/").status_code == 200


# The admin ----------------------------------------------------------------------------------


def test_the_carrier_admin_adds_no_member_directly(client_for, users, applicant, outside_carrier):
    client = client_for(users[Role.ADMINISTRATEUR])
    url = reverse("admin:mobility_carrier_change", args=[outside_carrier.pk])
    data = admin_form_data(client.get(url))
    assert "members" not in data
    data.update(name="Maison de l'emploi Alpha (Nîmes)", members=[str(applicant.pk)])

    response = client.post(url, data)

    assert response.status_code == 302
    outside_carrier.refresh_from_db()
    assert outside_carrier.name == "Maison de l'emploi Alpha (Nîmes)"
    assert applicant not in outside_carrier.members.all()


def test_the_cnml_opens_then_accepts_a_request_in_the_admin(
    client_for, users, applicant, member, outside_carrier, django_capture_on_commit_callbacks
):
    client = client_for(users[Role.RELECTEUR_CNML])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:mobility_carriermembershiprequest_add"),
            {"carrier": str(outside_carrier.pk), "user": str(applicant.pk), "reason": "Successeur de la directrice."},
        )
    assert response.status_code == 302
    request = CarrierMembershipRequest.objects.get()
    assert (request.status, request.requested_by) == (MembershipStatus.EN_ATTENTE, users[Role.RELECTEUR_CNML])
    assert applicant not in outside_carrier.members.all()
    assert member.email in {address for message in mail.outbox for address in message.to}

    response = client.post(
        reverse("admin:mobility_carriermembershiprequest_changelist"),
        {"action": "approve_requests", "_selected_action": [str(request.pk)]},
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (MembershipStatus.ACCEPTEE, users[Role.RELECTEUR_CNML])
    assert applicant in outside_carrier.members.all()


def test_the_admin_removes_a_member(client_for, users, member, outside_carrier):
    client = client_for(users[Role.RELECTEUR_CNML])
    url = reverse("admin:mobility_carrier_change", args=[outside_carrier.pk])
    data = admin_form_data(client.get(url))
    prefix = next(name for name in data if name.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    assert data[f"{prefix}-TOTAL_FORMS"] == "1"
    data[f"{prefix}-0-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302
    assert not outside_carrier.members.exists()
