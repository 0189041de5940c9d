"""Mobility objects by id: one access helper per model (``mobility.permissions.get_<model>_for``).

Each returns the object to whoever may reach it; a missing id, an object out of the user's scope and
a malformed id all answer the same 404, so that existence does not leak.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404

from cnml.models import Role
from mobility import permissions, services
from mobility.models import CallStatus, ProjectDocument
from tests.factories import UserFactory
from tests.mobility.conftest import THIS_YEAR
from tests.mobility.factories import CallFactory, make_application, make_project, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(network, role_groups):
    """A conseiller of ML B2: nothing of ML A1's carrier is theirs (ML B1, not B2, is the project's partner)."""
    return UserFactory(email="inconnu@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b2)


def assert_404_for(get, *args) -> None:
    with pytest.raises(Http404):
        get(*args)


def test_a_call_by_year_is_found_when_visible_and_is_a_404_otherwise(users, call, stranger):
    draft = CallFactory(year=THIS_YEAR + 1, status=CallStatus.BROUILLON)

    assert permissions.get_call_for(stranger, call.year) == call
    assert permissions.get_call_for(users[Role.RELECTEUR_CNML], draft.year) == draft
    assert_404_for(permissions.get_call_for, stranger, draft.year)  # in preparation: the CNML's only
    assert_404_for(permissions.get_call_for, stranger, 1999)
    assert_404_for(permissions.get_call_for, stranger, "deux-mille")


def test_an_application_is_found_for_its_carrier_and_the_cnml_and_is_a_404_otherwise(
    users, call, cat, carrier_a1, stranger
):
    application = make_application(call=call, user=users[Role.CONSEILLER], carrier=carrier_a1, cat=cat)

    assert permissions.get_application_for(users[Role.DIRECTEUR], application.pk) == application
    assert permissions.get_application_for(users[Role.RELECTEUR_CNML], application.pk) == application
    assert_404_for(permissions.get_application_for, stranger, application.pk)
    assert_404_for(permissions.get_application_for, users[Role.DIRECTEUR], application.pk + 1000)
    assert_404_for(permissions.get_application_for, users[Role.DIRECTEUR], "abc")


def test_a_project_is_found_for_its_readers_and_edited_by_its_carrier(users, project, outsider, stranger):
    assert permissions.get_project_for(outsider, project.pk) == project  # ML B1 is its partner: a reader
    assert permissions.get_editable_project_for(users[Role.CONSEILLER], project.pk) == project
    with pytest.raises(PermissionDenied):
        permissions.get_editable_project_for(outsider, project.pk)  # a reader does not edit: 403
    for get in (permissions.get_project_for, permissions.get_editable_project_for):
        assert_404_for(get, stranger, project.pk)
        assert_404_for(get, users[Role.CONSEILLER], project.pk + 1000)
        assert_404_for(get, users[Role.CONSEILLER], "abc")


def test_a_document_is_found_only_through_a_project_the_user_reads(
    users, network, call, cat, project, outsider, stranger
):
    document = ProjectDocument.objects.create(
        project=project,
        title="Convention",
        name="convention.pdf",
        file=ContentFile(b"%PDF-1.4\n", name="convention.pdf"),
    )
    other = make_project(call=call, user=users[Role.DIRECTEUR], carrier=project.carrier, cat=cat, title="Autre")

    assert permissions.get_document_for(outsider, project.pk, document.pk) == document
    assert_404_for(permissions.get_document_for, stranger, project.pk, document.pk)
    assert_404_for(permissions.get_document_for, users[Role.CONSEILLER], other.pk, document.pk)  # not its project
    assert_404_for(permissions.get_document_for, users[Role.CONSEILLER], project.pk, document.pk + 1000)
    assert_404_for(permissions.get_document_for, users[Role.CONSEILLER], project.pk, "abc")


def test_a_report_is_found_through_its_project_and_a_draft_only_for_its_carrier(users, project, outsider, stranger):
    draft = make_report(project)
    submitted = make_report(project, period="S2", status="soumis")

    assert permissions.get_report_for(users[Role.CONSEILLER], project.pk, draft.pk) == draft
    assert permissions.get_report_for(outsider, project.pk, submitted.pk) == submitted
    assert_404_for(permissions.get_report_for, outsider, project.pk, draft.pk)  # a partner reads no draft
    assert_404_for(permissions.get_report_for, stranger, project.pk, submitted.pk)
    assert_404_for(permissions.get_report_for, users[Role.CONSEILLER], project.pk + 1000, draft.pk)
    assert_404_for(permissions.get_report_for, users[Role.CONSEILLER], project.pk, "abc")


def test_a_budget_amendment_is_found_through_its_project_and_is_a_404_otherwise(users, project, outsider, stranger):
    line = project.budget_lines.get(label="Fonctionnement")
    amendment = services.budget_amendment_request(
        project=project, actor=users[Role.CONSEILLER], reason="Plus.", changes=[(line, None, "", Decimal("60000"))]
    )

    assert permissions.get_budget_amendment_for(users[Role.RELECTEUR_CNML], project.pk, amendment.pk) == amendment
    assert permissions.get_budget_amendment_for(outsider, project.pk, amendment.pk) == amendment
    assert_404_for(permissions.get_budget_amendment_for, stranger, project.pk, amendment.pk)
    assert_404_for(permissions.get_budget_amendment_for, users[Role.RELECTEUR_CNML], project.pk + 1000, amendment.pk)
    assert_404_for(permissions.get_budget_amendment_for, users[Role.RELECTEUR_CNML], project.pk, amendment.pk + 1)
    assert_404_for(permissions.get_budget_amendment_for, users[Role.RELECTEUR_CNML], project.pk, "abc")


def test_a_membership_request_is_found_for_its_requester_deciders_and_is_a_404_otherwise(
    users, network, outside_carrier, member, stranger
):
    applicant = UserFactory(email="candidat@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b1)
    request = services.membership_request_open(carrier=outside_carrier, user=applicant, actor=applicant)

    for user in (applicant, member, users[Role.RELECTEUR_CNML]):
        assert permissions.get_membership_request_for(user, request.pk) == request
    assert_404_for(permissions.get_membership_request_for, stranger, request.pk)
    assert_404_for(permissions.get_membership_request_for, member, request.pk + 1000)
    assert_404_for(permissions.get_membership_request_for, member, "abc")


def test_the_pages_answer_the_same_404_for_a_missing_and_an_out_of_scope_object(client_for, project, stranger):
    report = make_report(project, status="soumis")
    client = client_for(stranger)

    for url in (
        f"/mobilite/projets/{project.pk}/",
        f"/mobilite/projets/{project.pk + 1000}/",
        f"/mobilite/candidatures/{project.application.pk}/",
        f"/mobilite/projets/{project.pk}/bilans/{report.pk}/",
    ):
        assert client.get(url).status_code == 404, url
