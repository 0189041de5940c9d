"""Factories of the practices app: themes, fiches (complete, in any state), partners, contacts."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from practices.models import (
    REVIEW_DELAY_DAYS,
    Contact,
    Fiche,
    FicheVersion,
    Partner,
    PartnerKind,
    Queue,
    Scale,
    Status,
    Theme,
)
from practices.search import fiche_search_text
from tests.factories import StructureFactory


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    position = factory.Sequence(lambda n: n)


class FicheFactory(DjangoModelFactory):
    """A complete fiche (ready to submit) of a mission locale, in draft; see :func:`make_fiche`."""

    class Meta:
        model = Fiche
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Une bonne pratique n° {n}")
    structure = factory.SubFactory(StructureFactory)
    region = factory.SelfAttribute("structure.region")
    scale = Scale.LOCAL
    context = "Un constat partagé par les conseillers."
    objectives = "- Accompagner les jeunes\n- Mobiliser les partenaires"
    public_concerned = "Les jeunes de 16 à 25 ans."
    description = "L'action se déroule en trois étapes."
    means = "Un conseiller à mi-temps."
    results = "40 jeunes accompagnés."
    start_date = datetime.date(2011, 9, 1)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(
                extracted if extracted is not None else [ThemeFactory(slug="cotraitance", name="Cotraitance")]
            )

    @factory.post_generation
    def contacts(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Contact.objects.create(fiche=self, name="Camille Martin", function="Conseillère", email="camille@ml.fr")

    @factory.post_generation
    def refresh_search(self, create, extracted, **kwargs):
        if create:
            Fiche.objects.filter(pk=self.pk).update(search_text=fiche_search_text(self))
            self.search_text = fiche_search_text(self)


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    fiche = factory.SubFactory(FicheFactory)
    kind = PartnerKind.POLE_EMPLOI
    name = factory.Sequence(lambda n: f"Agence Pôle emploi n° {n}")
    role = "Anime les sessions."


def make_fiche(status: str = Status.BROUILLON, *, author=None, **kwargs) -> Fiche:
    """A complete fiche put directly in ``status`` (with the submission's snapshot and due date).

    For testing the workflow itself, drive the fiche with the services instead.
    """
    fiche = FicheFactory(created_by=author, **kwargs)
    if author is not None:
        fiche.contributors.add(author)
    if status == Status.BROUILLON:
        return fiche
    now = timezone.now()
    fiche.queue = Queue.REGIONAL if fiche.regional_reviewers().exists() else Queue.CNML
    fiche.submitted_at = now
    if status in (Status.SOUMISE, Status.EN_RELECTURE):
        fiche.review_due_on = timezone.localdate() + datetime.timedelta(days=REVIEW_DELAY_DAYS)
    if status in (Status.PUBLIEE, Status.ARCHIVEE):
        fiche.published_at = now
    fiche.status = status
    fiche.save()
    FicheVersion.snapshot(fiche, actor=author)
    return fiche
