"""The admin of the mobility app: catalogues kept by the CNML, workflow states read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cnml.models import Role
from mobility.models import Service

pytestmark = pytest.mark.django_db

MODELS = ["service", "funder", "call", "carrier", "application", "review", "project", "activityreport"]


@pytest.mark.parametrize("role", [Role.RELECTEUR_CNML, Role.ADMINISTRATEUR])
def test_cnml_roles_open_every_mobility_list_in_the_admin(client_for, users, project, role):
    client = client_for(users[role])

    for model in MODELS:
        assert client.get(reverse(f"admin:mobility_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:mobility_project_change", args=[project.pk])).status_code == 200


def test_a_reviewer_keeps_the_services_catalogue_up_to_date(client_for, users):
    response = client_for(users[Role.RELECTEUR_CNML]).post(
        reverse("admin:mobility_service_add"),
        {"code": "velo", "name": "Location de vélos", "unit": "journées de location", "order": "3", "active": "on"},
    )

    assert response.status_code == 302
    assert Service.objects.get(code="velo").unit == "journées de location"


def test_a_reviewer_cannot_change_a_project_stage_in_the_admin(client_for, users, project):
    content = client_for(users[Role.ADMINISTRATEUR]).get(reverse("admin:mobility_project_change", args=[project.pk]))

    # The stage is shown, not editable: it moves only through its guarded transitions.
    assert 'name="stage"' not in content.content.decode()


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_other_roles_do_not_reach_the_admin(client_for, users, role):
    response = client_for(users[role]).get(reverse("admin:mobility_service_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
