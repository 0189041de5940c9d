"""Demo data of the alternance app (``python manage.py demo``), idempotent.

From the CNML newsletter (« Une charte de mobilisation : de la Charte pour l'accès aux contrats en
alternance aux conventions avec les branches professionnelles »):

- the charte de mobilisation pour l'accès aux contrats en alternance des jeunes accompagnés par les
  missions locales, signed on 28 September 2011 by Nadine Morano and Bernard Perrut, with the
  chambres consulaires and 23 branches and companies the newsletter does not name: the demo
  names no partner among its signatories; its commitments are the five areas the newsletter
  lists, and the objective of 50 000 young people of the missions locales in alternance set by
  the CNML's president;
- the national partnership conventions the CNML was preparing with the IUMM (as the newsletter
  spells the UIMM), the BTP travaux branch, ADECCO, the ANFA, the FAFIH, FEP FARE, the AFT
  (transports, logistique), Agefos-PME, OPCALIA and AGEFAFORIA, « en discussion » as the
  newsletter says; their commitments (job offers, information workshops on trades) come from the
  newsletter, without figures.

Illustrative, made up for the demonstration: each partner's kind and sector as the demo reads
them, the charte's declination in region 93 (Provence-Alpes-Côte d'Azur) by its animation
régionale on 15 November 2011, and its results for 2012.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from alternance.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Commitment,
    CommitmentKind,
    CommitmentResult,
    LocalDeclination,
    Partner,
    PartnerKind,
)
from cnml.audit import transitions_of
from cnml.models import Region

CHARTE = "Charte de mobilisation pour l'accès aux contrats en alternance"
CHARTE_SUMMARY = (
    "Signée le 28 septembre 2011 par Nadine Morano, ministre chargée de l'apprentissage et de la formation "
    "professionnelle, et Bernard Perrut, président du Conseil national des missions locales. Elle engage les "
    "missions locales, les chambres consulaires et les 23 branches et entreprises signataires."
)
CHARTE_COMMITMENTS = [
    (CommitmentKind.ATELIERS_METIERS, "Sensibilisation et information aux métiers", None),
    (CommitmentKind.AUTRE, "Suivi et sécurisation des parcours des jeunes", None),
    (CommitmentKind.AUTRE, "Information et soutien apportés aux entreprises", None),
    (CommitmentKind.OFFRES_EMPLOI, "Échange sur les opportunités et les offres de formation en alternance", None),
    (CommitmentKind.JEUNES_ACCOMPAGNES, "Jeunes des missions locales accédant à l'alternance", 50_000),
]
# name, kind, sector (the kinds and sectors are the demo's reading).
PARTNERS = [
    ("IUMM", PartnerKind.FEDERATION, "Métallurgie"),
    ("Branche des BTP travaux", PartnerKind.BRANCHE, "Bâtiment et travaux publics"),
    ("ADECCO", PartnerKind.ENTREPRISE, "Travail temporaire"),
    ("ANFA", PartnerKind.OPCA, "Services de l'automobile"),
    ("FAFIH", PartnerKind.OPCA, "Hôtellerie, restauration"),
    ("FEP FARE", PartnerKind.FEDERATION, "Propreté"),
    ("AFT", PartnerKind.BRANCHE, "Transports, logistique"),
    ("Agefos-PME", PartnerKind.OPCA, "Interprofessionnel"),
    ("OPCALIA", PartnerKind.OPCA, "Interprofessionnel"),
    ("AGEFAFORIA", PartnerKind.OPCA, "Industries alimentaires"),
]
CONVENTION_SUMMARY = (
    "Convention nationale de partenariat préparée par le CNML pour l'entrée en formation en alternance des "
    "jeunes de 16 à 25 ans accompagnés par les missions locales."
)
CONVENTION_COMMITMENTS = [
    (CommitmentKind.OFFRES_EMPLOI, "Informations sur les emplois à pourvoir"),
    (CommitmentKind.ATELIERS_METIERS, "Ateliers de présentation des métiers"),
]
# Illustrative: the charte's results in region 93 for 2012, by commitment description.
RESULTS_93 = {
    "Sensibilisation et information aux métiers": 24,
    "Échange sur les opportunités et les offres de formation en alternance": 310,
    "Jeunes des missions locales accédant à l'alternance": 1_250,
}


@transaction.atomic
def load_alternance_demo(*, stdout: TextIO) -> None:
    charte = _charte()
    for name, kind, sector in PARTNERS:
        partner, _ = Partner.objects.get_or_create(name=name, defaults={"kind": kind, "sector": sector})
        _convention(partner)
    _declination_93(charte)
    stdout.write(f"Alternance : {Agreement.objects.count()} accords, {Partner.objects.count()} partenaires.\n")


def _charte() -> Agreement:
    charte, created = Agreement.objects.get_or_create(
        title=CHARTE,
        defaults={"kind": AgreementKind.CHARTE, "summary": CHARTE_SUMMARY, "signed_on": date(2011, 9, 28)},
    )
    if created:
        for kind, description, target in CHARTE_COMMITMENTS:
            Commitment.objects.create(agreement=charte, kind=kind, description=description, target=target)
        Agreement.workflow.record_move(charte, AgreementStatus.SIGNEE, comment="Signée le 28 septembre 2011.")
        # The log's time is set on creation: put the signature on its real day.
        transitions_of(charte).update(at=timezone.make_aware(datetime(2011, 9, 28, 11, 0)))
    return charte


def _convention(partner: Partner) -> None:
    convention, created = Agreement.objects.get_or_create(
        title=f"Convention nationale de partenariat CNML – {partner.name}",
        defaults={"kind": AgreementKind.CONVENTION_NATIONALE, "summary": CONVENTION_SUMMARY},
    )
    if created:
        convention.signatories.add(partner)
        for kind, description in CONVENTION_COMMITMENTS:
            Commitment.objects.create(agreement=convention, kind=kind, description=description)


def _declination_93(charte: Agreement) -> None:
    region = Region.objects.get(code="93")
    declination, _ = LocalDeclination.objects.get_or_create(
        agreement=charte,
        region=region,
        structure=None,
        defaults={
            "declined_on": date(2011, 11, 15),
            "note": "Déclinaison régionale animée par l'ARML (exemple de démonstration).",
        },
    )
    for commitment in charte.commitments.filter(description__in=RESULTS_93):
        CommitmentResult.objects.get_or_create(
            declination=declination,
            commitment=commitment,
            year=2012,
            defaults={"achieved": RESULTS_93[commitment.description]},
        )
