"""The budget of a project: planned lines from the financing plan, followed against actuals by funder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cnml.models import Role
from mobility.models import BudgetLine, FundingStatus
from mobility.selectors import budget_by_funder
from tests.mobility.factories import FunderFactory, budget_page_post, text

pytestmark = pytest.mark.django_db


def budget_rows(project) -> list[tuple[str, Decimal, Decimal]]:
    rows, total = budget_by_funder(project.budget_lines.all())
    return [(row.funder, row.planned, row.actual) for row in rows] + [(total.funder, total.planned, total.actual)]


def test_planned_and_actual_roll_up_by_funder(project, cat):
    BudgetLine.objects.create(
        project=project,
        funder=cat["etat"],
        label="Investissement",
        planned_amount=Decimal("10000"),
        actual_amount=Decimal("12000"),
    )
    project.budget_lines.filter(label="Fonctionnement").update(actual_amount=Decimal("30000"))

    rows, total = budget_by_funder(project.budget_lines.all())

    assert [(row.funder, row.planned, row.actual) for row in rows] == [
        ("État", Decimal("50000"), Decimal("42000")),
        ("Conseil régional", Decimal("25000.50"), Decimal("0")),
    ]
    assert (total.planned, total.actual) == (Decimal("75000.50"), Decimal("42000"))
    assert rows[0].gap == Decimal("-8000")
    assert rows[0].rate == Decimal("84")
    assert rows[1].rate == Decimal("0")


def test_a_funder_without_planned_money_has_no_rate(project):
    funder = FunderFactory(name="Mécène")
    BudgetLine.objects.create(project=project, funder=funder, planned_amount=0, actual_amount=Decimal("500"))

    rows, _ = budget_by_funder(project.budget_lines.filter(funder=funder))

    assert rows[0].rate is None
    assert rows[0].gap == Decimal("500")


def test_the_carrier_follows_actuals_on_the_budget_page(client_for, users, project):
    response = client_for(users[Role.CONSEILLER]).post(
        f"/mobilite/projets/{project.pk}/budget/",
        budget_page_post(project, Fonctionnement={"actual_amount": "38000", "status": FundingStatus.ACQUIS}),
    )

    assert response.status_code == 302
    line = project.budget_lines.get(label="Fonctionnement")
    assert line.actual_amount == Decimal("38000")
    page = text(client_for(users[Role.CONSEILLER]).get(f"/mobilite/projets/{project.pk}/"))
    assert "Budget prévu et réalisé, par financeur" in page
    assert "40\u202f000" in page and "38\u202f000" in page
    assert "95,0\u00a0%" in page  # État: 38 000 of 40 000


def test_a_negative_amount_is_refused_in_french_and_the_typed_values_stay(client_for, users, project):
    response = client_for(users[Role.DIRECTEUR]).post(
        f"/mobilite/projets/{project.pk}/budget/",
        budget_page_post(project, Fonctionnement={"actual_amount": "-5"}, Véhicules={"actual_amount": "1234"}),
    )

    assert response.status_code == 200
    content = text(response)
    assert "La valeur ne peut pas être négative." in content
    # What the carrier follows is kept as typed (the approved line itself is not editable here).
    assert 'value="-5"' in content
    assert 'value="1234"' in content
    assert project.budget_lines.get(label="Fonctionnement").actual_amount == Decimal(0)


def test_the_database_refuses_negative_amounts_too(project, cat):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(project=project, funder=cat["etat"], planned_amount=Decimal("-1"))


@pytest.mark.parametrize("who", ["animateur", "partner"])
def test_readers_of_a_project_cannot_edit_its_budget(client_for, users, outsider, project, who):
    user = users[Role.ANIMATEUR_REGIONAL] if who == "animateur" else outsider

    response = client_for(user).post(
        f"/mobilite/projets/{project.pk}/budget/", budget_page_post(project, Fonctionnement={"actual_amount": "1"})
    )

    assert response.status_code == 403
    assert project.budget_lines.get(label="Fonctionnement").actual_amount == Decimal(0)
