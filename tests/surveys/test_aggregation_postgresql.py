"""The PostgreSQL pass of the aggregation gives the statistics of the Python pass (the reference)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection

from surveys.aggregation import python_pass
from surveys.aggregation_sql import fill_accumulators
from surveys.demo import generate_answers
from surveys.models import Response
from surveys.scoring import Accumulator, Plan, compute_figures
from surveys.spec import current_version

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Passe SQL propre à PostgreSQL : lancer avec DATABASE_URL sur PostgreSQL.")


def oqm_answers(spec, rng):
    answers = {}
    for section in spec["sections"]:
        for question in section["questions"]:
            kind, code = question["kind"], question["code"]
            if kind == "likert10":
                answers[code] = "na" if question["na"] and rng.random() < 0.1 else rng.randint(1, 10)
            elif kind in ("single",):
                answers[code] = rng.choice(question["choices"])["code"]
            elif kind == "yes_no":
                answers[code] = rng.choice(["oui", "non", "nsp"])
            elif kind == "multiple" and rng.random() < 0.8:
                answers[code] = [c["code"] for c in question["choices"] if rng.random() < 0.4] or ["autre"]
            elif kind == "text" and rng.random() < 0.3:
                answers[code] = "Un commentaire"
    return answers


def servqual_answers(spec, rng):
    answers = generate_answers(spec, rng)
    if rng.random() < 0.2:  # a few partial answers: the slow path
        answers.pop(f"p{rng.randint(1, 22):02d}", None)
    if rng.random() < 0.1:
        answers.pop("poids", None)
    return answers


def both_passes(campaign, plan):
    points = list(campaign.points.values_list("pk", flat=True))
    python = {pk: Accumulator() for pk in points}
    sql = {pk: Accumulator() for pk in points}
    assert python_pass(campaign, plan, python) == fill_accumulators(campaign.pk, plan, sql)
    return python, sql


@pytest.mark.parametrize(
    ("questionnaire", "make_answers"), [("servqual-jeunes", servqual_answers), ("oqm-jeunes", oqm_answers)]
)
def test_the_sql_pass_matches_the_python_pass(make_campaign, network, questionnaire, make_answers):
    campaign = make_campaign(questionnaire=questionnaire)
    version_id, spec = current_version(campaign.questionnaire)
    plan = Plan.from_spec(spec)
    rng = random.Random(5)
    for point in campaign.points.all():
        Response.objects.bulk_create(
            Response(
                campaign=campaign,
                point=point,
                version_id=version_id,
                submitted_on=date(2012, 1, 1),
                answers=make_answers(spec, rng),
            )
            for _ in range(60)
        )
    python, sql = both_passes(campaign, plan)
    for pk in python:
        expected = python[pk]
        got = sql[pk]
        units = set(expected.unit_counts(plan))
        assert got.unit_counts(plan) == expected.unit_counts(plan)
        assert _close(compute_figures(plan, got, units), compute_figures(plan, expected, units))


def _close(a, b) -> bool:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        return all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert len(a) == len(b)
        return all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-9)
        return True
    assert a == b
    return True
