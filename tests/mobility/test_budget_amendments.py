"""Approved budgets are not silently rewritten: after selection, planned amounts change only through an
amendment (« avenant ») that a CNML role approves, with its history (who, when, before, after, decision).

The carrier keeps following the actual amounts. Every path that could write a planned amount is
closed: the budget page, the admin, the model itself; the amendment applies its amounts in the
transaction of its approval.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused
from mobility import permissions, services
from mobility.models import AmendmentStatus, BudgetAmendment, BudgetLine
from tests.mobility.factories import (
    FunderFactory,
    admin_form_data,
    budget_lines_of,
    budget_page_post,
    formset_data,
    text,
)

pytestmark = pytest.mark.django_db

APPROVED_ONLY = "Le prévu approuvé ne change que par un avenant approuvé par le CNML."


def planned(project) -> dict[str, Decimal]:
    return {line.label: line.planned_amount for line in project.budget_lines.all()}


def amendment_post(project, reason="Deux véhicules de plus.", new=None, **amounts) -> dict:
    rows = [
        {"line": str(line.pk), "planned_after": str(amounts.get(line.label, line.planned_amount))}
        for line in budget_lines_of(project)
    ]
    rows.append(new or {"funder": "", "label": "", "planned_after": ""})
    data = formset_data("lignes", rows, initial=0)
    data["reason"] = reason
    return data


# Every path that used to rewrite the approved amounts -----------------------------------------------


def test_the_carrier_cannot_rewrite_an_approved_amount_on_the_budget_page(client_for, users, project, cat):
    client = client_for(users[Role.CONSEILLER])
    data = budget_page_post(project, Fonctionnement={"planned_amount": "180000", "actual_amount": "1000"})
    # Nor add a line of planned money, nor remove one.
    data.update(
        {
            "budget-TOTAL_FORMS": "3",
            "budget-2-funder": str(cat["macif"].pk),
            "budget-2-label": "Nouveau",
            "budget-2-planned_amount": "50000",
            "budget-2-actual_amount": "0",
            "budget-2-status": "acquis",
            "budget-1-DELETE": "on",
        }
    )

    response = client.post(f"/mobilite/projets/{project.pk}/budget/", data)

    assert response.status_code == 302
    assert planned(project) == {"Fonctionnement": Decimal("40000"), "Véhicules": Decimal("25000.50")}
    # The actual amount, the carrier's to follow, is saved.
    assert project.budget_lines.get(label="Fonctionnement").actual_amount == Decimal("1000")


def test_the_admin_cannot_rewrite_an_approved_amount(client_for, users, project, cat):
    client = client_for(users[Role.ADMINISTRATEUR])
    url = reverse("admin:mobility_project_change", args=[project.pk])
    page = client.get(url)
    data = admin_form_data(page)
    assert "budget_lines-0-actual_amount" in data
    assert "budget_lines-0-planned_amount" not in data
    lines = {data[f"budget_lines-{index}-id"]: index for index in range(2)}
    index = lines[str(project.budget_lines.get(label="Fonctionnement").pk)]
    data.update({f"budget_lines-{index}-planned_amount": "180000", f"budget_lines-{index}-actual_amount": "5000"})
    # Nor a new line, nor a deleted one.
    data.update(
        {
            "budget_lines-TOTAL_FORMS": "3",
            "budget_lines-2-funder": str(cat["macif"].pk),
            "budget_lines-2-planned_amount": "50000",
            f"budget_lines-{1 - index}-DELETE": "on",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert planned(project) == {"Fonctionnement": Decimal("40000"), "Véhicules": Decimal("25000.50")}
    assert project.budget_lines.get(label="Fonctionnement").actual_amount == Decimal("5000")


def test_code_cannot_rewrite_an_approved_amount(project, cat):
    line = project.budget_lines.get(label="Fonctionnement")
    line.planned_amount = Decimal("180000")

    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert APPROVED_ONLY in error.value.messages
    with pytest.raises(ValidationError):
        line.save()
    new_line = BudgetLine(project=project, funder=cat["macif"], planned_amount=Decimal("5000"))
    with pytest.raises(ValidationError):
        new_line.full_clean()
    line.refresh_from_db()
    with pytest.raises(ValidationError):
        line.delete()
    assert planned(project) == {"Fonctionnement": Decimal("40000"), "Véhicules": Decimal("25000.50")}
    # Following the actual amount stays open.
    line.actual_amount = Decimal("3000")
    line.save()


# The amendment ----------------------------------------------------------------------------------------


def test_the_carrier_requests_an_amendment_and_a_cnml_role_approves_it(
    client_for, users, project, cat, django_capture_on_commit_callbacks
):
    carrier = client_for(users[Role.CONSEILLER])
    assert carrier.get(f"/mobilite/projets/{project.pk}/budget/avenant/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = carrier.post(
            f"/mobilite/projets/{project.pk}/budget/avenant/",
            amendment_post(
                project,
                Fonctionnement="180000",
                new={"funder": str(cat["macif"].pk), "label": "Garage", "planned_after": "12000"},
            ),
        )

    assert response.status_code == 302
    amendment = BudgetAmendment.objects.get()
    assert (amendment.status, amendment.requested_by, amendment.reason) == (
        AmendmentStatus.DEMANDE,
        users[Role.CONSEILLER],
        "Deux véhicules de plus.",
    )
    assert sorted((line.label, line.planned_before, line.planned_after) for line in amendment.lines.all()) == [
        ("Fonctionnement", Decimal("40000"), Decimal("180000")),
        ("Garage", Decimal("0"), Decimal("12000")),
    ]
    # Nothing changes before the decision; the CNML reviewers are told.
    assert planned(project) == {"Fonctionnement": Decimal("40000"), "Véhicules": Decimal("25000.50")}
    assert [message.to for message in mail.outbox] == [[users[Role.RELECTEUR_CNML].email]]
    assert "Avenant au budget" in mail.outbox[0].subject
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(users[Role.RELECTEUR_CNML]).post(
            f"/mobilite/projets/{project.pk}/budget/avenants/{amendment.pk}/approuver/",
            {"comment": "Accordé."},
            follow=True,
        )

    assert "Avenant approuvé : le budget prévu du projet est mis à jour." in text(response)
    assert planned(project) == {
        "Fonctionnement": Decimal("180000"),
        "Véhicules": Decimal("25000.50"),
        "Garage": Decimal("12000"),
    }
    amendment.refresh_from_db()
    assert (amendment.status, amendment.decided_by, amendment.decision_comment) == (
        AmendmentStatus.APPROUVE,
        users[Role.RELECTEUR_CNML],
        "Accordé.",
    )
    assert [(log.from_state, log.to_state, log.actor) for log in transitions_of(amendment)] == [
        ("", "demande", users[Role.CONSEILLER]),
        ("demande", "approuve", users[Role.RELECTEUR_CNML]),
    ]
    # The carrier is told: who asked for it, the applicant and the contact.
    assert {address for message in mail.outbox for address in message.to} == {
        users[Role.CONSEILLER].email,
        users[Role.DIRECTEUR].email,
        "contact@porteur.example.fr",
    }
    assert "approuvé" in mail.outbox[0].subject
    # The project page shows the history: who, when, before, after, decision.
    page = text(client_for(users[Role.CONSEILLER]).get(f"/mobilite/projets/{project.pk}/"))
    assert "Avenants au budget" in page
    assert "40\u202f000 → 180\u202f000" in page
    assert "0 → 12\u202f000" in page
    assert "Deux véhicules de plus." in page
    assert str(users[Role.CONSEILLER]) in page
    assert str(users[Role.RELECTEUR_CNML]) in page
    assert "Accordé." in page


def test_a_cnml_role_refuses_an_amendment_with_a_reason(client_for, users, project):
    client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/budget/avenant/", amendment_post(project, Fonctionnement="180000")
    )
    amendment = BudgetAmendment.objects.get()
    client = client_for(users[Role.ADMINISTRATEUR])
    url = f"/mobilite/projets/{project.pk}/budget/avenants/{amendment.pk}/refuser/"

    response = client.post(url, {"comment": ""}, follow=True)
    assert "Indiquez au porteur le motif du refus." in text(response)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DEMANDE

    client.post(url, {"comment": "Hors du plafond de l'appel."})

    amendment.refresh_from_db()
    assert (amendment.status, amendment.decision_comment) == (AmendmentStatus.REFUSE, "Hors du plafond de l'appel.")
    assert planned(project)["Fonctionnement"] == Decimal("40000")
    assert "Hors du plafond de l'appel." in text(
        client_for(users[Role.CONSEILLER]).get(f"/mobilite/projets/{project.pk}/")
    )


def test_only_another_cnml_role_decides_an_amendment(client_for, users, outsider, member, project):
    client_for(users[Role.ADMINISTRATEUR]).post(
        f"/mobilite/projets/{project.pk}/budget/avenant/", amendment_post(project, Fonctionnement="180000")
    )
    amendment = BudgetAmendment.objects.get()
    url = f"/mobilite/projets/{project.pk}/budget/avenants/{amendment.pk}/approuver/"

    for user in (users[Role.CONSEILLER], users[Role.DIRECTEUR], users[Role.ANIMATEUR_REGIONAL], outsider):
        assert client_for(user).post(url).status_code == 403, user
    assert client_for(member).post(url).status_code == 404
    # The CNML role who asked for it does not approve it: another one does.
    response = client_for(users[Role.ADMINISTRATEUR]).post(url, follow=True)
    assert "Un autre membre du CNML décide d'un avenant que vous avez demandé." in text(response)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DEMANDE
    assert planned(project)["Fonctionnement"] == Decimal("40000")

    client_for(users[Role.RELECTEUR_CNML]).post(url)

    assert planned(project)["Fonctionnement"] == Decimal("180000")


def test_one_amendment_waits_at_a_time(client_for, users, project):
    client = client_for(users[Role.CONSEILLER])
    client.post(f"/mobilite/projets/{project.pk}/budget/avenant/", amendment_post(project, Fonctionnement="50000"))

    response = client.post(
        f"/mobilite/projets/{project.pk}/budget/avenant/", amendment_post(project, Fonctionnement="90000"), follow=True
    )

    assert "Un avenant attend déjà la décision du CNML" in text(response)
    assert BudgetAmendment.objects.count() == 1


def test_an_amendment_that_changes_nothing_or_lacks_a_reason_is_refused_in_french(client_for, users, project):
    client = client_for(users[Role.CONSEILLER])

    response = client.post(f"/mobilite/projets/{project.pk}/budget/avenant/", amendment_post(project, reason=""))

    assert response.status_code == 200
    content = text(response)
    assert "Aucun montant ne change : modifiez au moins une ligne, ou ajoutez-en une." in content
    assert "Expliquez pourquoi le budget doit changer." in content
    response = client.post(
        f"/mobilite/projets/{project.pk}/budget/avenant/", amendment_post(project, Fonctionnement="-10")
    )
    assert "La valeur ne peut pas être négative." in text(response)
    assert 'value="-10"' in text(response)
    assert not BudgetAmendment.objects.exists()


def test_readers_neither_request_nor_see_the_request_page(client_for, users, outsider, member, project):
    url = f"/mobilite/projets/{project.pk}/budget/avenant/"

    assert client_for(users[Role.ANIMATEUR_REGIONAL]).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 403  # partner: reads the project
    assert client_for(member).get(url).status_code == 404
    assert client_for(member).post(url, amendment_post(project, Fonctionnement="1")).status_code == 404
    assert not BudgetAmendment.objects.exists()


def test_a_stale_amendment_decided_twice_gives_one_decision_and_a_clear_message(
    client_for, users, project, monkeypatch
):
    amendment = services.budget_amendment_request(
        project=project,
        actor=users[Role.CONSEILLER],
        reason="Plus de moyens.",
        changes=[(project.budget_lines.get(label="Fonctionnement"), None, "", Decimal("60000"))],
    )
    stale = BudgetAmendment.objects.get(pk=amendment.pk)
    services.budget_amendment_approve(amendment=amendment, actor=users[Role.RELECTEUR_CNML])

    with pytest.raises(TransitionRefused) as refused:
        services.budget_amendment_refuse(amendment=stale, actor=users[Role.ADMINISTRATEUR], comment="Non.")
    assert refused.value.reasons == ["Cet avenant a déjà été approuvé."]

    monkeypatch.setattr(permissions, "get_budget_amendment_for", lambda user, project_pk, pk: stale)
    response = client_for(users[Role.ADMINISTRATEUR]).post(
        f"/mobilite/projets/{project.pk}/budget/avenants/{amendment.pk}/refuser/", {"comment": "Non."}, follow=True
    )
    assert "Cet avenant a déjà été approuvé." in text(response)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.APPROUVE
    assert planned(project)["Fonctionnement"] == Decimal("60000")


def test_an_amendment_whose_budget_changed_meanwhile_is_not_applied(users, project):
    line = project.budget_lines.get(label="Fonctionnement")
    amendment = services.budget_amendment_request(
        project=project, actor=users[Role.CONSEILLER], reason="Plus.", changes=[(line, None, "", Decimal("60000"))]
    )
    BudgetLine.objects.filter(pk=line.pk).update(planned_amount=Decimal("45000"))  # outside any rule

    with pytest.raises(TransitionRefused) as refused:
        services.budget_amendment_approve(amendment=amendment, actor=users[Role.RELECTEUR_CNML])

    assert "a changé depuis la demande" in refused.value.reasons[0]
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DEMANDE
    assert planned(project)["Fonctionnement"] == Decimal("45000")


def test_the_admin_lists_amendments_read_only(client_for, users, project):
    services.budget_amendment_request(
        project=project,
        actor=users[Role.CONSEILLER],
        reason="Plus.",
        changes=[(project.budget_lines.get(label="Fonctionnement"), None, "", Decimal("60000"))],
    )
    amendment = BudgetAmendment.objects.get()
    client = client_for(users[Role.ADMINISTRATEUR])

    assert client.get(reverse("admin:mobility_budgetamendment_changelist")).status_code == 200
    page = client.get(reverse("admin:mobility_budgetamendment_change", args=[amendment.pk])).content.decode()
    assert 'name="status"' not in page
    client.post(reverse("admin:mobility_budgetamendment_change", args=[amendment.pk]), {"status": "approuve"})
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DEMANDE
    assert planned(project)["Fonctionnement"] == Decimal("40000")


def test_a_new_funder_line_needs_its_funder(client_for, users, project):
    response = client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/budget/avenant/",
        amendment_post(project, new={"funder": "", "label": "Garage", "planned_after": "12000"}),
    )

    assert response.status_code == 200
    assert "Choisissez le financeur de la nouvelle ligne." in text(response)
    assert not BudgetAmendment.objects.exists()


def test_a_new_line_can_name_a_funder_the_project_did_not_have(client_for, users, project):
    funder = FunderFactory(name="Communauté de communes")

    client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/budget/avenant/",
        amendment_post(project, new={"funder": str(funder.pk), "label": "Navette", "planned_after": "8000"}),
    )

    line = BudgetAmendment.objects.get().lines.get()
    assert (line.funder, line.budget_line, line.planned_before, line.planned_after) == (
        funder,
        None,
        Decimal(0),
        Decimal("8000"),
    )
