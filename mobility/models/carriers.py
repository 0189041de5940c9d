"""Carriers of platforms (a structure of the network or an outside organisation) and the requests
to become a member of one (« demandes de rattachement »)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cnml.audit import recorded_by
from cnml.models import Region, Structure, StructureKind
from cnml.workflows import Workflow
from mobility.models.common import ROLE_REFUSAL, record_decision

__all__ = [
    "Carrier",
    "CarrierKind",
    "CarrierMembershipRequest",
    "EXTERNAL_CARRIER_KINDS",
    "MembershipStatus",
    "MISSION_LOCALE_NETWORK_KINDS",
    "STRUCTURE_CARRIER_KINDS",
]


class CarrierKind(models.TextChoices):
    MISSION_LOCALE = "mission_locale", "Mission locale"
    PAIO = "paio", "PAIO"
    ARML = "arml", "Association régionale des missions locales"
    MAISON_EMPLOI = "maison_emploi", "Maison de l'emploi"
    CONSEIL_GENERAL = "conseil_general", "Conseil général"
    ASSOCIATION = "association", "Association"
    COLLECTIVITE = "collectivite", "Autre collectivité territoriale"
    AUTRE = "autre", "Autre organisme"


STRUCTURE_CARRIER_KINDS = {
    StructureKind.ML: CarrierKind.MISSION_LOCALE,
    StructureKind.PAIO: CarrierKind.PAIO,
    StructureKind.ARML: CarrierKind.ARML,
}
# Carriers the newsletter counts as « portés par les missions locales »: a mission locale, a PAIO, or the
# missions locales of a region together in their association (ARML), as La Réunion's project is.
MISSION_LOCALE_NETWORK_KINDS = frozenset(STRUCTURE_CARRIER_KINDS.values())
# Kinds an organisation outside the network may declare.
EXTERNAL_CARRIER_KINDS = [
    CarrierKind.MAISON_EMPLOI,
    CarrierKind.CONSEIL_GENERAL,
    CarrierKind.ARML,
    CarrierKind.ASSOCIATION,
    CarrierKind.COLLECTIVITE,
    CarrierKind.AUTRE,
]


class Carrier(models.Model):
    """The organisation carrying a platform: a structure of the network or another organisation.

    Its users (see :mod:`mobility.permissions`): the ``members`` and, when the carrier is a
    structure of the network, the conseillers and directors of that structure. Whoever
    declares a new outside organisation when applying is its first member; anyone else
    joins through a :class:`CarrierMembershipRequest` that a member or a CNML role
    approves (``docs/permissions.md``).
    """

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type d'organisme", max_length=20, choices=CarrierKind.choices)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="+")
    structure = models.OneToOneField(
        Structure,
        verbose_name="structure du réseau",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mobility_carrier",
        help_text="Vide pour un organisme extérieur au réseau (maison de l'emploi, conseil général…).",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="membres",
        blank=True,
        related_name="mobility_carriers",
        help_text=(
            "Comptes qui suivent les dossiers de ce porteur. On y entre par une demande de rattachement "
            "acceptée par un membre ou le CNML."
        ),
    )

    class Meta:
        verbose_name = "porteur de projet"
        verbose_name_plural = "porteurs de projet"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A structure of the network carries its own name, kind and region.
        if self.structure_id:
            self.name = self.structure.name
            self.kind = STRUCTURE_CARRIER_KINDS.get(self.structure.kind, CarrierKind.AUTRE)
            self.region_id = self.structure.region_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.structure_id and self.structure.kind not in STRUCTURE_CARRIER_KINDS:
            raise ValidationError(
                {"structure": "Seule une mission locale, une PAIO ou une ARML peut porter un projet."}
            )

    @property
    def in_network(self) -> bool:
        return self.structure_id is not None


class MembershipStatus(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"
    RETIREE = "retiree", "Retirée"


class CarrierMembershipRequest(models.Model):
    """A request to become a member of a carrier (« demande de rattachement »).

    Opened when someone applies for an existing outside organisation they are not a member
    of (typing its name proves nothing), or by the CNML in the admin. A current member of
    the carrier or a CNML role approves or refuses it (:mod:`mobility.permissions`); only
    approval adds the member. Each move is a transition of its workflow, logged in the audit trail.
    """

    carrier = models.ForeignKey(
        Carrier, verbose_name="porteur", on_delete=models.CASCADE, related_name="membership_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte à rattacher",
        on_delete=models.CASCADE,
        related_name="mobility_membership_requests",
    )
    application = models.ForeignKey(
        "Application",
        verbose_name="candidature",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership_requests",
        help_text="La candidature qui a ouvert la demande, s'il y en a une.",
    )
    reason = models.TextField("motif", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.EN_ATTENTE
    )
    requested_by = recorded_by("demandée par")
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_by = recorded_by("décidée par")
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)

    class Meta:
        verbose_name = "demande de rattachement"
        verbose_name_plural = "demandes de rattachement"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "user"],
                condition=Q(status="en_attente"),
                name="mobility_one_pending_membership_request",
            )
        ]

    def __str__(self) -> str:
        return f"Rattachement de {self.user} à {self.carrier}"

    # Workflow (who may move it: mobility.permissions) ---------------------

    workflow = Workflow(
        field="status",
        states=MembershipStatus,
        refused_by_role=ROLE_REFUSAL,
        wrong_state="Cette demande a déjà été traitée : {state}.",
    )

    @workflow.transition(
        source=[MembershipStatus.EN_ATTENTE],
        target=MembershipStatus.ACCEPTEE,
        permission="mobility.permissions.decides_membership_request",
        label="Accepter le rattachement",
    )
    def approve(self, user, *, comment: str) -> None:
        """en_attente → acceptee: the user joins the carrier's members, in the same transaction."""
        record_decision(self, user, comment)
        self.carrier.members.add(self.user)

    @workflow.transition(
        source=[MembershipStatus.EN_ATTENTE],
        target=MembershipStatus.REFUSEE,
        permission="mobility.permissions.decides_membership_request",
        label="Refuser le rattachement",
    )
    def refuse(self, user, *, comment: str) -> None:
        """en_attente → refusee: nobody joins; the requester's applications for the carrier stay unsubmittable."""
        record_decision(self, user, comment)

    @workflow.transition(
        source=[MembershipStatus.EN_ATTENTE],
        target=MembershipStatus.RETIREE,
        permission="mobility.permissions.withdraws_membership_request",
        label="Retirer la demande",
    )
    def withdraw(self, user, *, comment: str) -> None:
        """en_attente → retiree: the request is moot (the draft that opened it named another carrier)."""
        record_decision(self, user, comment)
