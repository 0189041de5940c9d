"""What the public form reads of a short link: one hand-written SELECT, written once per process.

Every request of the public form starts by reading its link: the distribution point, its
campaign, its questionnaire's revision (for the compiled spec), its structure's name, and the
single-use code when the link is one. The ORM reads the same row with
``select_related(...).only(...)`` but compiles its joins again for every request: with it,
``bench/surveys.py`` measured 3,8 to 4,7 ms of gunicorn CPU per answer instead of 2,9 to 3,7 ms
(6 December 2026; 0,6 to 1,5 ms more, 20 to 50 %), which would leave the 300 answers per second
target just met or missed (``docs/performance.md``, « Lecture du lien »). So :func:`read_link` is the one raw-SQL fast path
of the app. It uses public API only: the models' ``_meta`` for table and column names,
``Field.to_python`` for the values, and ``Model.from_db`` (Django's documented hook for
instances built from database values), so that fields it does not read stay deferred, as with
``only()``. ``tests/surveys/test_link_reader.py`` checks that it reads what the ORM reads, field
by field, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from cnml.models import Structure
from surveys.models import AccessCode, Campaign, DistributionPoint, Questionnaire

# (model, fields read), in the order of the instances returned; the relation fields join them.
LINK_READ: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
    (DistributionPoint, ("id", "code", "campaign", "structure")),
    (Campaign, ("id", "title", "status", "opens_on", "closes_on", "access_mode", "questionnaire")),
    (Questionnaire, ("id", "revision")),
    (Structure, ("id", "name")),
)
ACCESS_CODE_READ: tuple[type[Model], tuple[str, ...]] = (AccessCode, ("id", "code", "used_at", "point"))

Layout = list[tuple[type[Model], list[Field]]]
_statements: dict[bool, tuple[str, Layout]] = {}


def _quote(name: str) -> str:
    # SQLite and PostgreSQL (the two backends of the project) both quote identifiers so.
    return f'"{name}"'


def _column(model: type[Model], name: str) -> str:
    return f"{_quote(model._meta.db_table)}.{_quote(model._meta.get_field(name).column)}"


def _statement(*, by_access_code: bool) -> tuple[str, Layout]:
    """(SQL, [(model, fields in the model's field order, as ``Model.from_db`` takes them)])."""
    if by_access_code in _statements:
        return _statements[by_access_code]
    groups = ((ACCESS_CODE_READ,) if by_access_code else ()) + LINK_READ
    columns, layout = [], []
    for model, names in groups:
        fields = [field for field in model._meta.concrete_fields if field.name in names]
        columns += [_column(model, field.name) for field in fields]
        layout.append((model, fields))
    point, campaign = DistributionPoint, Campaign
    joins = (
        f"JOIN {_quote(campaign._meta.db_table)} ON {_column(campaign, 'id')} = {_column(point, 'campaign')} "
        f"JOIN {_quote(Questionnaire._meta.db_table)} "
        f"ON {_column(Questionnaire, 'id')} = {_column(campaign, 'questionnaire')} "
        f"JOIN {_quote(Structure._meta.db_table)} ON {_column(Structure, 'id')} = {_column(point, 'structure')}"
    )
    if by_access_code:
        source = (
            f"{_quote(AccessCode._meta.db_table)} JOIN {_quote(point._meta.db_table)} "
            f"ON {_column(point, 'id')} = {_column(AccessCode, 'point')} {joins}"
        )
        where = f"{_column(AccessCode, 'code')} = %s"
    else:
        source = f"{_quote(point._meta.db_table)} {joins}"
        where = f"{_column(point, 'code')} = %s"
    _statements[by_access_code] = (f"SELECT {', '.join(columns)} FROM {source} WHERE {where}", layout)
    return _statements[by_access_code]


def _value(field: Field, value):
    value = field.to_python(value)
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # SQLite keeps UTC without an offset
    return value


def read_link(code: str, *, by_access_code: bool) -> tuple[DistributionPoint, AccessCode | None] | None:
    """The distribution point of a link, its campaign, questionnaire and structure attached (and the
    single-use code, when ``code`` is one), in one SELECT; None for an unknown code."""
    sql, layout = _statement(by_access_code=by_access_code)
    with connection.cursor() as cursor:
        cursor.execute(sql, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, position = [], 0
    for model, fields in layout:
        values = [_value(field, value) for field, value in zip(fields, row[position:], strict=False)]
        position += len(fields)
        instances.append(model.from_db(connection.alias, [field.attname for field in fields], values))
    access = instances.pop(0) if by_access_code else None
    point, campaign, questionnaire, structure = instances
    campaign.questionnaire = questionnaire
    point.campaign = campaign
    point.structure = structure
    if access is not None:
        access.point = point
    return point, access
