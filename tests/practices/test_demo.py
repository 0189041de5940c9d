"""The demo data of the practices app (``python manage.py demo``)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps

from cnml.audit import transitions_of
from cnml.demo import demo_load_network
from practices.demo import EXAMPLE_TITLE
from practices.models import Fiche, PartnerKind, Queue, Status
from practices.selectors import CatalogueFilters, catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load_network(stdout=io.StringIO())
    apps.get_app_config("practices").load_demo(stdout=io.StringIO())


def test_newsletter_example_is_published_in_nord_pas_de_calais(demo):
    fiche = Fiche.objects.get(title=EXAMPLE_TITLE)

    assert fiche.status == Status.PUBLIEE
    assert (fiche.structure.code, fiche.region.code) == ("ML31001", "31")
    assert fiche.queue == Queue.CNML  # region 31 has no regional animator in the demo
    assert {partner.kind for partner in fiche.partners.all()} == {
        PartnerKind.POLE_EMPLOI,
        PartnerKind.ANIMATION_REGIONALE,
    }
    assert "sandrine.nowak@pole-emploi.fr" in {contact.email for contact in fiche.contacts.all()}
    assert {theme.slug for theme in fiche.themes.all()} >= {"cotraitance", "outils-partages"}
    assert [t.to_state for t in transitions_of(fiche)] == ["soumise", "en_relecture", "publiee"]
    assert fiche.versions.count() == 1
    assert [f.title for f in catalogue(CatalogueFilters(query="partenariat renforce"))] == [EXAMPLE_TITLE]


def test_every_other_state_exists_across_two_structures_of_paca(demo):
    others = Fiche.objects.exclude(title=EXAMPLE_TITLE).filter(committee__isnull=True)

    assert {fiche.structure.code for fiche in others} == {"ML93001", "ML93002"}
    assert set(others.values_list("status", flat=True)) == set(Status.values)
    assert set(others.exclude(status=Status.BROUILLON).values_list("queue", flat=True)) == {Queue.REGIONAL}
    assert Fiche.objects.overdue().exists()
    demo_author = others.filter(structure__code="ML93001").first().created_by
    assert demo_author.email == "conseiller@demo.cnml.fr"


def test_demo_is_idempotent(demo):
    before = Fiche.objects.count()
    out = io.StringIO()

    apps.get_app_config("practices").load_demo(stdout=out)

    assert Fiche.objects.count() == before
    assert "0 fiche(s) de démonstration créée(s)" in out.getvalue()


def test_the_demo_committee_of_paca_has_a_draft_seen_by_its_members_only(demo):
    from cnml.models import User
    from practices import permissions
    from practices.demo import COMMITTEE_DRAFT_TITLE

    fiche = Fiche.objects.get(title=COMMITTEE_DRAFT_TITLE)
    readers = {
        user.email for user in User.objects.filter(email__endswith="@demo.cnml.fr") if permissions.can_read(user, fiche)
    }

    assert (fiche.status, fiche.structure, fiche.region.code) == (Status.BROUILLON, None, "93")
    assert {structure.code for structure in fiche.committee.structures.all()} == {"ML93001"}
    assert readers == {"conseiller@demo.cnml.fr", "partenaire@demo.cnml.fr"}
