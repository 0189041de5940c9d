"""The admin's search ignores accents and case, on SQLite and on PostgreSQL (cnml/adminsearch.py).

Run on both: ``DATABASE_URL=postgres://… pytest tests/cnml/test_admin_search.py`` (``.ci/run``'s
second phase) reads the rows through PostgreSQL's unaccent extension, the default through the Python
function registered on SQLite.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from cnml.adminsearch import FrenchSearchMixin, accent_free_lookup, unaccent
from cnml.models import Region, Role, Structure
from practices.models import Fiche, Status
from tests.factories import MissionLocaleFactory, RegionFactory
from tests.practices.factories import make_fiche

pytestmark = pytest.mark.django_db


def changelist(client, model, term: str) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return response.content.decode()


def found(content: str) -> int:
    """The number of results the changelist announces (« 2 résultats (3 au total) »)."""
    match = re.search(r"(\d+)\s+résultats?\s+\(", content)
    return int(match.group(1)) if match else 0


def test_every_admin_that_searches_searches_without_accents_nor_case():
    without = [
        f"{model._meta.label} ({type(model_admin).__name__})"
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields and not isinstance(model_admin, FrenchSearchMixin)
    ]
    assert not without, f"recherche sensible aux accents : {without}"


def test_the_text_fields_are_read_unaccented_and_other_fields_as_they_are():
    assert accent_free_lookup(Structure, "name") == "name__unaccent__icontains"
    assert accent_free_lookup(Structure, "region__name") == "region__name__unaccent__icontains"
    assert accent_free_lookup(Structure, "^code") == "code__unaccent__istartswith"
    assert accent_free_lookup(Structure, "=code") == "code__unaccent__iexact"
    assert accent_free_lookup(Structure, "pk") == "pk"  # a number
    assert accent_free_lookup(Structure, "name__exact") == "name__exact"  # written by hand


def test_unaccent_strips_accents_and_spells_out_ligatures_as_postgresql_does():
    assert unaccent("Côte d’Azur, Œuvre, École, Nîmes, Ç") == "Cote d'Azur, OEuvre, Ecole, Nimes, C"


def test_the_database_compares_without_accents_nor_case():
    region = RegionFactory(name="Provence-Alpes-Côte d'Azur")
    RegionFactory(name="Bretagne")

    assert list(Region.objects.filter(name__unaccent__icontains="COTE D'AZUR")) == [region]
    assert list(Region.objects.filter(name__unaccent__icontains=unaccent("CÔTE"))) == [region]


def test_the_structure_and_region_lists_find_cote_d_azur_and_ecole_typed_plainly(client_for, users):
    region = RegionFactory(name="Provence-Alpes-Côte d'Azur")
    MissionLocaleFactory(name="École de la deuxième chance de Nîmes", region=region)
    MissionLocaleFactory(name="Mission locale de Brest")
    client = client_for(users[Role.ADMINISTRATEUR])

    assert found(changelist(client, Region, "cote d azur")) == 1
    assert "Provence-Alpes-Côte d&#x27;Azur" in changelist(client, Region, "cote d azur")
    ecole = changelist(client, Structure, "ecole nimes")
    assert found(ecole) == 1 and "École de la deuxième chance de Nîmes" in ecole
    # The region is a field people know: its structures come up by its name.
    assert found(changelist(client, Structure, "COTE")) == 1


def test_fiches_are_found_by_title_structure_region_and_author_without_accents(client_for, users, network):
    author = users[Role.DIRECTEUR]
    author.last_name = "Lefèvre"
    author.save(update_fields=["last_name"])
    make_fiche(Status.PUBLIEE, author=author, structure=network.ml_a1, title="Réussir l'entrée en apprentissage")
    make_fiche(Status.PUBLIEE, structure=network.ml_b1, title="Un autre sujet")
    client = client_for(users[Role.RELECTEUR_CNML])

    for term in ("reussir l'entree", "LEFEVRE", network.region_a.name.upper(), unaccent(network.ml_a1.name).lower()):
        content = changelist(client, Fiche, term)
        assert found(content) == 1, term
        assert "Réussir l&#x27;entrée en apprentissage" in content, term


def test_a_library_s_admin_searches_the_same_way(client_for, users):
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(name="Relance des fiches en retard d'échéance", task="x.y", interval=every_hour)

    content = changelist(client_for(users[Role.ADMINISTRATEUR]), PeriodicTask, "echeance")

    assert found(content) == 1 and "Relance des fiches en retard d&#x27;échéance" in content
