"""The public form's one raw-SQL read (surveys.link_reader) gives what the ORM gives, field by field.

Runs on the database of the run: SQLite by default, PostgreSQL with DATABASE_URL (.ci/run does both).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from surveys.link_reader import ACCESS_CODE_READ, LINK_READ, read_link
from surveys.models import AccessCode, AccessMode, DistributionPoint
from surveys.services import access_codes_generate
from tests.clock import frozen

pytestmark = [pytest.mark.django_db, frozen]

# Where each model read by read_link sits from the distribution point, for the ORM's lookups.
RELATION_TO_POINT = {
    "DistributionPoint": "",
    "Campaign": "campaign",
    "Questionnaire": "campaign__questionnaire",
    "Structure": "structure",
}


def _paths(prefix: str = "") -> list[str]:
    """The ORM's ``only()`` for the fields read_link reads."""
    paths = []
    for model, names in LINK_READ:
        relation = RELATION_TO_POINT[model.__name__]
        paths += [f"{prefix}{relation}__{name}" if relation else f"{prefix}{name}" for name in names]
    return paths


def orm_point(code: str) -> DistributionPoint:
    return (
        DistributionPoint.objects.select_related("campaign__questionnaire", "structure").only(*_paths()).get(code=code)
    )


def orm_access_code(code: str) -> AccessCode:
    return (
        AccessCode.objects.select_related("point__campaign__questionnaire", "point__structure")
        .only(*ACCESS_CODE_READ[1], *_paths("point__"))
        .get(code=code)
    )


def assert_same_reads(fast, orm) -> None:
    """Same class, same values (and value types) of every concrete field, same deferred fields."""
    assert type(fast) is type(orm)
    assert fast.get_deferred_fields() == orm.get_deferred_fields()
    for field in type(orm)._meta.concrete_fields:
        if field.attname in orm.get_deferred_fields():
            continue
        got, expected = getattr(fast, field.attname), getattr(orm, field.attname)
        assert (got, type(got)) == (expected, type(expected)), field.attname


def assert_same_link(point: DistributionPoint, reference: DistributionPoint) -> None:
    assert_same_reads(point, reference)
    assert_same_reads(point.campaign, reference.campaign)
    assert_same_reads(point.campaign.questionnaire, reference.campaign.questionnaire)
    assert_same_reads(point.structure, reference.structure)


def test_reading_a_distribution_point_link_gives_what_the_orm_gives(make_campaign, network):
    campaign = make_campaign(structures=[network.antenne_a1, network.antenne_a2, network.ml_b1])
    for point in campaign.points.all():
        found, access = read_link(point.code, by_access_code=False)
        assert access is None
        assert_same_link(found, orm_point(point.code))


def test_reading_a_single_use_code_gives_what_the_orm_gives_spent_or_not(make_campaign, network):
    campaign = make_campaign(access_mode=AccessMode.CODES_ONLY)
    point = campaign.points.get(structure=network.antenne_a1)
    fresh, spent = access_codes_generate(point=point, count=2)
    AccessCode.objects.filter(pk=spent.pk).update(used_at=timezone.now())

    for access_code in (fresh, spent):
        found_point, found = read_link(access_code.code, by_access_code=True)
        reference = orm_access_code(access_code.code)
        assert_same_reads(found, reference)
        assert found.point is found_point
        assert_same_link(found_point, reference.point)
    assert read_link(spent.code, by_access_code=True)[1].used_at == AccessCode.objects.get(pk=spent.pk).used_at


def test_an_unknown_code_reads_nothing(make_campaign):
    make_campaign()
    assert read_link("ZZZZZZ", by_access_code=False) is None
    assert read_link("ZZZZZZZZZZ", by_access_code=True) is None
