"""Factories of the dashboard's facts: imports, young people, contacts, situations, enrolments.

Usage::

    from tests.dashboard.factories import ContactFactory, EnrolmentFactory, YoungPersonFactory, make_import

    make_import(extracted_on=date(2011, 10, 15))          # the facts' import record (succeeded)
    young = YoungPersonFactory(structure=ml, first_reception_on=date(2011, 1, 1))
    ContactFactory(young_person=young, contact_on=date(2011, 3, 31))
    SituationFactory(young_person=young, kind="EMPLOI", contract="CDD", start_on=date(2011, 4, 1))
    EnrolmentFactory(young_person=young, entry_on=..., exit_on=..., exit_reason="EMPLOI")   # CIVIS by default
"""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from dashboard.models import (
    Contact,
    ContactType,
    Enrolment,
    ExtractImport,
    ImportStatus,
    Programme,
    Situation,
    SituationType,
    YoungPerson,
)
from tests.factories import MissionLocaleFactory


class ExtractImportFactory(DjangoModelFactory):
    """A succeeded import of provisional data extracted on 15 October 2011."""

    class Meta:
        model = ExtractImport

    source_label = "Parcours 3, entrepôt national"
    extracted_on = date(2011, 10, 15)
    provisional = True
    status = ImportStatus.SUCCEEDED
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


def make_import(**kwargs) -> ExtractImport:
    return ExtractImportFactory(**kwargs)


class YoungPersonFactory(DjangoModelFactory):
    class Meta:
        model = YoungPerson

    id_jeune = factory.Sequence(lambda n: f"J{n:08d}")
    structure = factory.SubFactory(MissionLocaleFactory)
    birth_month = date(1992, 5, 1)
    sex = "F"
    training_level = "V"
    first_reception_on = date(2008, 6, 1)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    young_person = factory.SubFactory(YoungPersonFactory)
    contact_on = date(2011, 2, 1)
    kind = ContactType.ENTRETIEN_INDIVIDUEL


class SituationFactory(DjangoModelFactory):
    """An employment (CDD) by default."""

    class Meta:
        model = Situation

    young_person = factory.SubFactory(YoungPersonFactory)
    kind = SituationType.EMPLOI
    contract = factory.LazyAttribute(lambda situation: "CDD" if situation.kind == SituationType.EMPLOI else "")
    start_on = date(2011, 2, 1)
    end_on = None


class EnrolmentFactory(DjangoModelFactory):
    """A CIVIS enrolment, still running by default."""

    class Meta:
        model = Enrolment

    young_person = factory.SubFactory(YoungPersonFactory)
    programme = Programme.CIVIS
    entry_on = date(2011, 2, 1)
    exit_on = None
    exit_reason = ""


def welcome(structure, day: date, *, trained: bool = False) -> None:
    """A young person of ``structure`` with a contact on ``day``, and in training from that day when ``trained``."""
    young = YoungPersonFactory(structure=structure)
    ContactFactory(young_person=young, contact_on=day)
    if trained:
        SituationFactory(young_person=young, kind="FORMATION", start_on=day)
