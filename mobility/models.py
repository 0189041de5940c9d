"""Plateformes de mobilité: calls for projects, applications, projects and their activity reports.

Six state machines, each a :class:`cnml.workflows.Workflow` whose moves are transitions
(``obj.<verb>(user, comment=...)``, ``obj.can_<verb>(user)``, ``obj.<verb>.refusals(user)``),
applied on the locked row and logged in the audit trail:

- a call for projects: ``brouillon`` → ``publie``;
- a request to join a carrier: ``en_attente`` → ``acceptee`` | ``refusee`` | ``retiree``;
- an application: ``brouillon`` → ``deposee`` → ``retenue`` | ``refusee``;
- a project: ``retenu`` → ``formation_action`` → ``montage`` → ``lancement`` →
  ``en_fonctionnement``, or ``arrete`` (with a reason) from any stage;
- an amendment to a budget: ``demande`` → ``approuve`` | ``refuse``;
- an activity report: ``brouillon`` → ``soumis`` → ``approuve`` (or back to ``brouillon``).

Who may make a move is decided in :mod:`mobility.permissions`, named here by its dotted path
(the models do not import their guards); the guards here add the rules on the data (a call
must be open, a formation-action must have met...). A refused move raises
:class:`cnml.workflows.TransitionRefused` with the reasons, in French.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.models import Region, Structure, StructureKind
from cnml.uploads import UploadRecord, UploadValidator, get_private_storage
from cnml.workflows import TransitionRefused, Workflow
from mobility.regions import DEPARTEMENTS

NOT_NEGATIVE = "La valeur ne peut pas être négative."
ROLE_REFUSAL = "Votre rôle ne vous permet pas cette action sur ce dossier."


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(NOT_NEGATIVE, code="negative")


def validate_departements(value: str) -> None:
    """A comma-separated list of département codes: « 30, 34 » or « 2A, 971 »."""
    unknown = [code for code in split_departements(value) if code not in DEPARTEMENTS]
    if unknown:
        raise ValidationError(
            "Code(s) de département inconnu(s) : %(codes)s. Exemple attendu : 30, 34, 2A, 974.",
            code="unknown_departement",
            params={"codes": ", ".join(unknown)},
        )


def split_departements(value: str) -> list[str]:
    parts = [part.strip().upper() for part in (value or "").replace(";", ",").split(",")]
    return [f"0{part}" if part.isdigit() and len(part) == 1 else part for part in parts if part]


# ---------------------------------------------------------------------------
# Catalogues, editable in the admin


class Service(models.Model):
    """A mobility service a platform offers (car-pooling, rental, associative garage...)."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120, unique=True)
    unit = models.CharField(
        "unité de mesure",
        max_length=60,
        help_text="Unité dans laquelle les bilans comptent ce service : « journées de location », « trajets »…",
    )
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    active = models.BooleanField("proposé aux candidats", default=True)

    class Meta:
        verbose_name = "service de mobilité"
        verbose_name_plural = "services de mobilité"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label_with_unit(self) -> str:
        return f"{self.name} (en {self.unit})"


class Funder(models.Model):
    """A funder of calls and platforms (Fondation MACIF, FPSPP, conseil régional...)."""

    name = models.CharField("nom", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "financeur"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------
# Calls for projects


class CallStatus(models.TextChoices):
    BROUILLON = "brouillon", "En préparation"
    PUBLIE = "publie", "Publié"


class Call(models.Model):
    """A call for projects of the CNML, one a year; public once published."""

    year = models.PositiveSmallIntegerField(
        "année",
        unique=True,
        validators=[
            MinValueValidator(2000, "L'année doit être comprise entre 2000 et 2100."),
            MaxValueValidator(2100, "L'année doit être comprise entre 2000 et 2100."),
        ],
    )
    title = models.CharField("titre", max_length=200)
    text = models.TextField("texte de l'appel")
    opens_on = models.DateField("ouverture des candidatures")
    closes_on = models.DateField("clôture des candidatures")
    eligibility_criteria = models.TextField("critères d'éligibilité")
    formation_action_places = models.PositiveSmallIntegerField(
        "places de formation-action",
        help_text="Nombre de projets qui peuvent bénéficier d'une formation-action par un expert de la FARE.",
    )
    funders = models.ManyToManyField(Funder, verbose_name="financeurs", blank=True, related_name="calls")
    status = models.CharField("statut", max_length=20, choices=CallStatus.choices, default=CallStatus.BROUILLON)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    created_by = recorded_by("créé par")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="mobility_call_dates_in_order", condition=Q(closes_on__gte=models.F("opens_on"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("mobility:call_detail", args=[self.year])

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "La date de clôture doit suivre la date d'ouverture."})

    @property
    def is_published(self) -> bool:
        return self.status == CallStatus.PUBLIE

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_published and self.opens_on <= today <= self.closes_on

    @property
    def formation_action_places_taken(self) -> int:
        return FareSupport.objects.filter(project__call=self, formation_action=True).count()

    @property
    def formation_action_places_left(self) -> int:
        return max(self.formation_action_places - self.formation_action_places_taken, 0)

    # Workflow (who may move it: mobility.permissions) ---------------------

    workflow = Workflow(
        field="status", states=CallStatus, refused_by_role=ROLE_REFUSAL, wrong_state="Cet appel est déjà publié."
    )

    def _has_criteria(self, user) -> list[str]:
        if self.criteria.exists():
            return []
        return ["Ajoutez au moins un critère de sélection avant de publier l'appel."]

    @workflow.transition(
        source=[CallStatus.BROUILLON],
        target=CallStatus.PUBLIE,
        permission="mobility.permissions.cnml_decides",
        guard=_has_criteria,
        label="Publier l'appel",
    )
    def publish(self, user, **_) -> None:
        """brouillon → publie: the call is public, applications open on its dates."""
        self.published_at = timezone.now()


class SelectionCriterion(models.Model):
    """A criterion reviewers score each application against, from 0 to ``max_score``."""

    call = models.ForeignKey(Call, verbose_name="appel", on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=200)
    description = models.TextField("précisions", blank=True)
    max_score = models.PositiveSmallIntegerField(
        "note maximale",
        default=5,
        validators=[
            MinValueValidator(1, "La note maximale est au moins 1."),
            MaxValueValidator(20, "La note maximale est au plus 20."),
        ],
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de sélection"
        verbose_name_plural = "critères de sélection"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


# ---------------------------------------------------------------------------
# Carriers


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


def _record_decision(request, user, comment: str) -> None:
    """Who decided a request (to join a carrier, to amend a budget), when, and what they said."""
    request.decided_by = user if getattr(user, "is_authenticated", False) else None
    request.decided_at = timezone.now()
    request.decision_comment = comment


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
        wrong_state="Cette demande a déjà été traitée : {state}.",
    )

    @workflow.transition(
        source=[MembershipStatus.EN_ATTENTE],
        target=MembershipStatus.ACCEPTEE,
        permission="mobility.permissions.decides_membership_request",
        label="Accepter le rattachement",
    )
    def approve(self, user, *, comment: str) -> None:
        """en_attente → acceptee: the user joins the carrier's members, in the same transaction."""
        _record_decision(self, user, comment)
        self.carrier.members.add(self.user)

    @workflow.transition(
        source=[MembershipStatus.EN_ATTENTE],
        target=MembershipStatus.REFUSEE,
        permission="mobility.permissions.decides_membership_request",
        label="Refuser le rattachement",
    )
    def refuse(self, user, *, comment: str) -> None:
        """en_attente → refusee: nobody joins; the requester's applications for the carrier stay unsubmittable."""
        _record_decision(self, user, comment)

    @workflow.transition(
        source=[MembershipStatus.EN_ATTENTE],
        target=MembershipStatus.RETIREE,
        permission="mobility.permissions.withdraws_membership_request",
        label="Retirer la demande",
    )
    def withdraw(self, user, *, comment: str) -> None:
        """en_attente → retiree: the request is moot (the draft that opened it named another carrier)."""
        _record_decision(self, user, comment)


# ---------------------------------------------------------------------------
# Applications


class ApplicationStatus(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    RETENUE = "retenue", "Retenue"
    REFUSEE = "refusee", "Non retenue"


class TerritoryType(models.TextChoices):
    RURAL = "rural", "Rural"
    URBAIN = "urbain", "Urbain"
    MIXTE = "mixte", "Rural et urbain"


class FundingStatus(models.TextChoices):
    ACQUIS = "acquis", "Acquis"
    SOLLICITE = "sollicite", "Sollicité"


class Application(models.Model):
    """An application to a call, following the four axes of the formation-action."""

    call = models.ForeignKey(Call, verbose_name="appel", on_delete=models.PROTECT, related_name="applications")
    carrier = models.ForeignKey(Carrier, verbose_name="porteur", on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déposée par", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "statut", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.BROUILLON
    )
    title = models.CharField("intitulé du projet", max_length=200)
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)
    contact_email = models.EmailField("adresse e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=30, blank=True)
    partners = models.ManyToManyField(
        Structure,
        verbose_name="missions locales partenaires",
        blank=True,
        related_name="mobility_partner_applications",
    )
    # Axis 1: territory and needs of the public.
    departements = models.CharField("départements", max_length=200, blank=True, validators=[validate_departements])
    communes = models.TextField("communes ou intercommunalités", blank=True)
    territory_type = models.CharField("type de territoire", max_length=10, choices=TerritoryType.choices, blank=True)
    public_needs = models.TextField("besoins de mobilité du public", blank=True)
    # Axis 2: services.
    existing_services = models.ManyToManyField(
        Service, verbose_name="services existants sur le territoire", blank=True, related_name="+"
    )
    existing_services_details = models.TextField("qui les propose", blank=True)
    services_to_develop = models.ManyToManyField(
        Service, verbose_name="services à développer", blank=True, related_name="+"
    )
    # Axis 3: operating plan (its timetable is the ApplicationStep rows).
    staff_description = models.TextField("personnel", blank=True)
    staff_fte = models.DecimalField(
        "personnel en équivalents temps plein",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[not_negative],
    )
    vehicles_description = models.TextField("véhicules", blank=True)
    vehicle_count = models.PositiveSmallIntegerField("nombre de véhicules", null=True, blank=True)
    premises_description = models.TextField("locaux", blank=True)
    # Axis 4: financing (ApplicationFunding rows) and governance.
    governance_description = models.TextField("gouvernance", blank=True)

    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    decided_at = models.DateTimeField("décision le", null=True, blank=True)
    decision_comment = models.TextField("motif de la décision", blank=True)

    class Meta:
        verbose_name = "candidature"
        ordering = ["-created_at"]
        constraints = [
            # The rule the submit button once skipped, held by the database for every path.
            models.CheckConstraint(
                name="mobility_submitted_application_has_contact",
                condition=Q(status="brouillon") | (~Q(contact_name="") & ~Q(contact_email="")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.carrier}"

    def save(self, *args, **kwargs) -> None:
        # The last line of defence, for code that skips clean(): its own fields, without a query.
        if not self.is_draft:
            missing = self.missing_fields()
            if missing:
                raise ValidationError(missing)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("mobility:application_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.BROUILLON

    @property
    def funding_total(self) -> Decimal:
        return sum((line.amount for line in self.fundings.all()), Decimal(0))

    def missing_contact(self) -> list[str]:
        missing = []
        if not self.contact_name.strip():
            missing.append("Contact : indiquez la personne à contacter.")
        if not self.contact_email.strip():
            missing.append("Contact : indiquez l'adresse e-mail de contact.")
        return missing

    def missing_fields(self) -> list[str]:
        """What the application's own fields lack (no query): checked at every save once submitted."""
        missing = self.missing_contact()
        if not self.departements:
            missing.append("Territoire : indiquez au moins un département.")
        if not self.territory_type:
            missing.append("Territoire : précisez s'il est rural, urbain ou les deux.")
        if not self.public_needs.strip():
            missing.append("Besoins : décrivez les besoins de mobilité du public.")
        if not self.staff_description.strip():
            missing.append("Fonctionnement : décrivez le personnel de la plateforme.")
        if not self.premises_description.strip():
            missing.append("Fonctionnement : décrivez les locaux.")
        return missing

    def missing_for_submission(self) -> list[str]:
        """What the application still lacks before it can be submitted, in French.

        The one list of the submission rules: the submit guard, the application page, the
        model's ``clean`` and ``save`` (once submitted) all read it, so no path skips one.
        """
        missing = self.missing_fields()
        if not self.needs.exists():
            missing.append("Besoins : ajoutez au moins un besoin du public (il deviendra un objectif du projet).")
        if not self.services_to_develop.exists():
            missing.append("Services : choisissez au moins un service à développer.")
        if not self.steps.exists():
            missing.append("Fonctionnement : ajoutez au moins une étape au calendrier.")
        if not self.fundings.exists():
            missing.append("Financement : ajoutez au moins une ligne au plan de financement.")
        if not self.governance_partners.exists() and not self.governance_description.strip():
            missing.append("Gouvernance : citez les partenaires et leur rôle.")
        return missing

    def clean(self) -> None:
        # A submitted application stays complete, whichever form edits it.
        if self.pk and not self.is_draft:
            missing = self.missing_for_submission()
            if missing:
                raise ValidationError(missing)

    # Workflow (who may move it: mobility.permissions) ---------------------

    def _wrong_state_for_decision(self) -> str:
        if self.status in (ApplicationStatus.RETENUE, ApplicationStatus.REFUSEE):
            return f"Cette candidature a déjà fait l'objet d'une décision : {self.get_status_display().lower()}."
        return "Seule une candidature déposée peut être retenue ou non retenue."

    workflow = Workflow(field="status", states=ApplicationStatus, refused_by_role=ROLE_REFUSAL)

    def _submission_refusals(self, user) -> list[str]:
        """What keeps the user from submitting now: their carrier, the call's dates, the missing parts."""
        reasons = self._carrier_refusals(user)
        if not self.call.is_open():
            reasons.append(
                f"L'appel {self.call.year} n'accepte pas de candidature aujourd'hui "
                f"(ouvert du {self.call.opens_on:%d/%m/%Y} au {self.call.closes_on:%d/%m/%Y})."
            )
        return reasons + self.missing_for_submission()

    def _carrier_refusals(self, user) -> list[str]:
        """An outside organisation's application is submitted by its members only.

        Whoever typed the name of an existing organisation waits for a member or the CNML
        to approve their membership request; a network structure's users act by structure.
        """
        carrier = self.carrier
        if carrier.in_network or carrier.members.filter(pk=user.pk).exists():
            return []
        last = carrier.membership_requests.filter(user=user).order_by("-requested_at", "-pk").first()
        if last is not None and last.status == MembershipStatus.REFUSEE:
            return [
                f"Votre demande de rattachement à « {carrier.name} » a été refusée : "
                "choisissez un autre porteur, ou adressez-vous au CNML."
            ]
        return [
            f"Votre rattachement à « {carrier.name} » attend l'accord d'un de ses membres ou du CNML : "
            "vous pourrez déposer la candidature ensuite."
        ]

    def _decision_refusals(self, user) -> list[str]:
        if not self.reviews.exists():
            return ["Évaluez d'abord la candidature au regard des critères de l'appel."]
        return self.missing_fields()

    @workflow.transition(
        source=[ApplicationStatus.BROUILLON],
        target=ApplicationStatus.DEPOSEE,
        permission="mobility.permissions.acts_for_application",
        guard=_submission_refusals,
        wrong_state="Cette candidature a déjà été déposée.",
        label="Déposer la candidature",
    )
    def submit(self, user, **_) -> None:
        """brouillon → deposee: frozen from now on, under review after the call closes."""
        self.submitted_at = timezone.now()

    @workflow.transition(
        source=[ApplicationStatus.DEPOSEE],
        target=ApplicationStatus.RETENUE,
        permission="mobility.permissions.cnml_decides",
        guard=_decision_refusals,
        wrong_state=_wrong_state_for_decision,
        label="Retenir la candidature",
    )
    def select(self, user, *, comment: str) -> None:
        """deposee → retenue (:func:`mobility.services.application_select` then builds the project)."""
        self.decided_at = timezone.now()
        self.decision_comment = comment

    @workflow.transition(
        source=[ApplicationStatus.DEPOSEE],
        target=ApplicationStatus.REFUSEE,
        permission="mobility.permissions.cnml_decides",
        guard=_decision_refusals,
        wrong_state=_wrong_state_for_decision,
        comment_required="Indiquez au porteur le motif de la décision.",
        label="Ne pas retenir la candidature",
    )
    def decline(self, user, *, comment: str) -> None:
        """deposee → refusee, with the reason told to the carrier."""
        self.decided_at = timezone.now()
        self.decision_comment = comment


FROZEN_APPLICATION = "La candidature est déposée : son contenu ne se modifie plus."


class ApplicationPart(models.Model):
    """A row of an application's axes (need, step, funding, governance partner): frozen once submitted.

    Its financing plan becomes the project's approved budget: after submission nobody rewrites it,
    neither in the pages nor in the admin nor in code (``save`` and ``delete`` refuse).
    """

    application: Application

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self) -> None:
        if (
            self.application_id
            and not Application.objects.filter(pk=self.application_id, status=ApplicationStatus.BROUILLON).exists()
        ):
            raise ValidationError(FROZEN_APPLICATION, code="frozen")


class ApplicationNeed(ApplicationPart):
    """A need of the public; it becomes a target of the project."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="needs")
    label = models.CharField("besoin", max_length=200)
    public = models.CharField("public concerné", max_length=200, blank=True)
    people_count = models.PositiveIntegerField("personnes concernées (estimation)", null=True, blank=True)

    class Meta:
        verbose_name = "besoin du public"
        verbose_name_plural = "besoins du public"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


class ApplicationStep(ApplicationPart):
    """A step of the operating plan's timetable; it becomes a milestone of the project."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    label = models.CharField("étape", max_length=200)
    starts_on = models.DateField("début", null=True, blank=True)
    due_on = models.DateField("échéance")

    class Meta:
        verbose_name = "étape du calendrier"
        verbose_name_plural = "étapes du calendrier"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "L'échéance ne peut pas précéder le début de l'étape."})


class ApplicationFunding(ApplicationPart):
    """A line of the financing plan; it becomes a budget line of the project."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="fundings")
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("objet", max_length=200, blank=True)
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2, validators=[not_negative])
    status = models.CharField("statut", max_length=10, choices=FundingStatus.choices, default=FundingStatus.SOLLICITE)

    class Meta:
        verbose_name = "ligne du plan de financement"
        verbose_name_plural = "plan de financement"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.funder} : {self.amount} €"


class GovernancePartner(ApplicationPart):
    """A partner of the platform's governance and its role."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="governance_partners")
    organisation = models.CharField("partenaire", max_length=200)
    role = models.CharField("rôle", max_length=300)

    class Meta:
        verbose_name = "partenaire de la gouvernance"
        verbose_name_plural = "partenaires de la gouvernance"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.organisation


class Review(models.Model):
    """One CNML reviewer's scores of an application against the call's criteria."""

    application = models.ForeignKey(
        Application, verbose_name="candidature", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="évaluateur", on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField("commentaire")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "évaluation"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="mobility_one_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"Évaluation de {self.reviewer}"

    @property
    def total(self) -> int:
        return sum(score.score for score in self.scores.all())

    @property
    def maximum(self) -> int:
        return sum(score.criterion.max_score for score in self.scores.all())


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        SelectionCriterion, verbose_name="critère", on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField("note")

    class Meta:
        verbose_name = "note"
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="mobility_one_score_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion} : {self.score}/{self.criterion.max_score}"

    def clean(self) -> None:
        if self.score is not None and self.score > self.criterion.max_score:
            raise ValidationError({"score": f"La note ne peut pas dépasser {self.criterion.max_score}."})


# ---------------------------------------------------------------------------
# Projects


class Stage(models.TextChoices):
    RETENU = "retenu", "Retenu"
    FORMATION_ACTION = "formation_action", "Formation-action"
    MONTAGE = "montage", "Montage"
    LANCEMENT = "lancement", "Lancement"
    EN_FONCTIONNEMENT = "en_fonctionnement", "En fonctionnement"
    ARRETE = "arrete", "Arrêté"


# The stages in their order (the stop is off the line).
STAGE_LINE = [Stage.RETENU, Stage.FORMATION_ACTION, Stage.MONTAGE, Stage.LANCEMENT, Stage.EN_FONCTIONNEMENT]


class Project(models.Model):
    """A platform project, born from a selected application, followed until it operates."""

    application = models.OneToOneField(
        Application, verbose_name="candidature", on_delete=models.PROTECT, related_name="project"
    )
    call = models.ForeignKey(Call, verbose_name="appel", on_delete=models.PROTECT, related_name="projects")
    carrier = models.ForeignKey(Carrier, verbose_name="porteur", on_delete=models.PROTECT, related_name="projects")
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("intitulé", max_length=200)
    partners = models.ManyToManyField(
        Structure, verbose_name="missions locales partenaires", blank=True, related_name="mobility_partner_projects"
    )
    existing_services = models.ManyToManyField(
        Service, verbose_name="services existants sur le territoire", blank=True, related_name="+"
    )
    services_to_launch = models.ManyToManyField(
        Service, verbose_name="services à lancer", blank=True, related_name="projects"
    )
    stage = models.CharField("étape", max_length=20, choices=Stage.choices, default=Stage.RETENU)
    stage_changed_at = models.DateTimeField("étape depuis le", default=timezone.now)
    stop_reason = models.TextField("motif de l'arrêt", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "projet de plateforme"
        verbose_name_plural = "projets de plateforme"
        ordering = ["call__year", "carrier__name"]
        constraints = [
            models.CheckConstraint(
                name="mobility_stopped_project_has_reason", condition=~Q(stage="arrete") | ~Q(stop_reason="")
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mobility:project_detail", args=[self.pk])

    @property
    def stage_index(self) -> int:
        """1-based position on the line of stages (the stop keeps the last stage reached)."""
        if self.stage in STAGE_LINE:
            return STAGE_LINE.index(self.stage) + 1
        return 0

    @property
    def fare_formation_action(self) -> bool:
        support = getattr(self, "fare_support", None)
        return bool(support and support.formation_action)

    # Workflow (who may move it: mobility.permissions) ---------------------

    def _wrong_stage(self) -> str:
        return f"Le projet est à l'étape « {self.get_stage_display()} » : cette action n'est pas possible."

    workflow = Workflow(field="stage", states=Stage, refused_by_role=ROLE_REFUSAL, wrong_state=_wrong_stage)

    def _formation_action_refusals(self, user) -> list[str]:
        support = getattr(self, "fare_support", None)
        if not support or not support.formation_action:
            return ["Enregistrez d'abord l'accompagnement de la FARE avec une formation-action."]
        if not support.expert_name.strip():
            return ["Désignez l'expert de la FARE qui conduit la formation-action."]
        return []

    def _montage_refusals(self, user) -> list[str]:
        if self.stage == Stage.RETENU and self.fare_formation_action:
            return ["Ce projet bénéficie d'une formation-action : démarrez-la avant le montage."]
        if self.stage == Stage.FORMATION_ACTION and not self.sessions.filter(attendees_count__isnull=False).exists():
            return ["Enregistrez au moins une séance de formation-action tenue, avec sa participation."]
        return []

    def _launch_refusals(self, user) -> list[str]:
        reasons = []
        if not self.budget_lines.exists():
            reasons.append("Le budget du projet est vide : ajoutez ses lignes par un avenant avant le lancement.")
        if not self.services_to_launch.exists():
            reasons.append("Choisissez au moins un service à lancer.")
        return reasons

    def _operation_refusals(self, user) -> list[str]:
        if not self.milestones.filter(done_on__isnull=False).exists():
            return ["Aucun jalon n'est encore réalisé : datez ceux qui le sont."]
        return []

    @workflow.transition(
        source=[Stage.RETENU],
        target=Stage.FORMATION_ACTION,
        permission="mobility.permissions.cnml_decides",
        guard=_formation_action_refusals,
        label="Démarrer la formation-action",
    )
    def start_formation_action(self, user, **_) -> None:
        self.stage_changed_at = timezone.now()

    @workflow.transition(
        source=[Stage.RETENU, Stage.FORMATION_ACTION],
        target=Stage.MONTAGE,
        permission="mobility.permissions.cnml_decides",
        guard=_montage_refusals,
        label="Passer au montage",
    )
    def start_montage(self, user, **_) -> None:
        self.stage_changed_at = timezone.now()

    @workflow.transition(
        source=[Stage.MONTAGE],
        target=Stage.LANCEMENT,
        permission="mobility.permissions.can_edit_project",
        guard=_launch_refusals,
        label="Lancer la plateforme",
    )
    def launch(self, user, **_) -> None:
        self.stage_changed_at = timezone.now()

    @workflow.transition(
        source=[Stage.LANCEMENT],
        target=Stage.EN_FONCTIONNEMENT,
        permission="mobility.permissions.can_edit_project",
        guard=_operation_refusals,
        label="Déclarer la plateforme en fonctionnement",
    )
    def put_in_operation(self, user, **_) -> None:
        self.stage_changed_at = timezone.now()

    @workflow.transition(
        source=STAGE_LINE,
        target=Stage.ARRETE,
        permission="mobility.permissions.cnml_decides",
        comment_required="Indiquez le motif de l'arrêt du projet.",
        label="Arrêter le projet",
    )
    def stop(self, user, *, comment: str) -> None:
        """Any stage → arrete, with its reason (kept on the project and in the log)."""
        self.stage_changed_at = timezone.now()
        self.stop_reason = comment


class FareSupport(models.Model):
    """The support of the FARE federation: an expert, and a formation-action or not."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="fare_support")
    expert_name = models.CharField("expert de la FARE", max_length=150, blank=True)
    expert_email = models.EmailField("adresse e-mail de l'expert", blank=True)
    formation_action = models.BooleanField("formation-action", default=True)
    funded_by_macif = models.BooleanField("financée par la Fondation MACIF", default=False)
    notes = models.TextField("notes", blank=True)

    class Meta:
        verbose_name = "accompagnement de la FARE"
        verbose_name_plural = "accompagnements de la FARE"

    def __str__(self) -> str:
        return f"Accompagnement FARE de {self.project}"


class FormationSession(models.Model):
    """A session of the formation-action; attendance is recorded once it has taken place."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("date")
    topic = models.CharField("thème", max_length=200)
    duration_hours = models.DecimalField(
        "durée (heures)", max_digits=4, decimal_places=1, null=True, blank=True, validators=[not_negative]
    )
    attendees_count = models.PositiveSmallIntegerField(
        "participants", null=True, blank=True, help_text="Vide tant que la séance n'a pas eu lieu."
    )
    attendees = models.TextField("participants présents", blank=True)

    class Meta:
        verbose_name = "séance de formation-action"
        verbose_name_plural = "séances de formation-action"
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d/%m/%Y})"


class Target(models.Model):
    """An objective of the project, born from a need of the public."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    label = models.CharField("objectif", max_length=200)
    public = models.CharField("public visé", max_length=200, blank=True)
    target_people = models.PositiveIntegerField("personnes à accompagner", null=True, blank=True)

    class Meta:
        verbose_name = "objectif"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


class Milestone(models.Model):
    """A milestone of the project, born from the timetable of its operating plan."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    label = models.CharField("jalon", max_length=200)
    due_on = models.DateField("échéance")
    done_on = models.DateField("réalisé le", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": "La date de réalisation ne peut pas être dans le futur."})

    @property
    def is_late(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


APPROVED_ONLY = "Le prévu approuvé ne change que par un avenant approuvé par le CNML."


class BudgetLine(models.Model):
    """A line of the budget, planned against actual, by funder.

    The planned amount is the approved one (the project exists because its application was
    selected): it changes only when a CNML role approves a :class:`BudgetAmendment`, which
    writes it with :meth:`BudgetAmendment.approve`. ``clean``, ``save`` and ``delete`` refuse
    any other change; the actual amount stays the carrier's to follow.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("objet", max_length=200, blank=True)
    planned_amount = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2, validators=[not_negative])
    actual_amount = models.DecimalField(
        "réalisé (€)", max_digits=12, decimal_places=2, default=Decimal(0), validators=[not_negative]
    )
    status = models.CharField("statut", max_length=10, choices=FundingStatus.choices, default=FundingStatus.SOLLICITE)

    class Meta:
        verbose_name = "ligne de budget"
        verbose_name_plural = "lignes de budget"
        ordering = ["funder__order", "funder__name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="mobility_budget_amounts_not_negative",
                condition=Q(planned_amount__gte=0) & Q(actual_amount__gte=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder} : {self.planned_amount} €"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "planned_amount" in update_fields:
            stored = self._stored_planned()
            if stored is not None and stored != self.planned_amount:
                raise ValidationError({"planned_amount": APPROVED_ONLY}, code="approved")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_planned():
            raise ValidationError(
                "Une ligne du budget approuvé ne se supprime pas : un avenant peut ramener son prévu à 0.",
                code="approved",
            )
        return super().delete(*args, **kwargs)

    def _stored_planned(self) -> Decimal | None:
        if self._state.adding or self.pk is None:
            return None
        return BudgetLine.objects.filter(pk=self.pk).values_list("planned_amount", flat=True).first()

    def clean(self) -> None:
        stored = self._stored_planned()
        if self.planned_amount is None:
            return
        if stored is None and self.project_id and self.planned_amount != 0:
            raise ValidationError({"planned_amount": APPROVED_ONLY}, code="approved")
        if stored is not None and stored != self.planned_amount:
            raise ValidationError({"planned_amount": APPROVED_ONLY}, code="approved")


class AmendmentStatus(models.TextChoices):
    DEMANDE = "demande", "Demandé"
    APPROUVE = "approuve", "Approuvé"
    REFUSE = "refuse", "Refusé"


class BudgetAmendment(models.Model):
    """An amendment (« avenant ») to the approved budget of a project: new planned amounts and a reason.

    Requested by the carrier (or a CNML role), approved or refused by a CNML role other than its
    requester; the approval applies the amounts in its transaction. One waits at a time per project.
    """

    project = models.ForeignKey(
        Project, verbose_name="projet", on_delete=models.CASCADE, related_name="budget_amendments"
    )
    reason = models.TextField("motif")
    status = models.CharField("statut", max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.DEMANDE)
    requested_by = recorded_by("demandé par")
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    decided_by = recorded_by("décidé par")
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decision_comment = models.TextField("commentaire du CNML", blank=True)

    class Meta:
        verbose_name = "avenant au budget"
        verbose_name_plural = "avenants au budget"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="demande"), name="mobility_one_pending_amendment_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"Avenant au budget de {self.project} ({self.requested_at:%d/%m/%Y})"

    # Workflow (who may move it: mobility.permissions) ---------------------

    workflow = Workflow(
        field="status",
        states=AmendmentStatus,
        refused_by_role=ROLE_REFUSAL,
        wrong_state="Cet avenant a déjà été {state}.",
    )

    def _not_its_requester(self, user) -> list[str]:
        if user.pk == self.requested_by_id:
            return ["Un autre membre du CNML décide d'un avenant que vous avez demandé."]
        return []

    @workflow.transition(
        source=[AmendmentStatus.DEMANDE],
        target=AmendmentStatus.APPROUVE,
        permission="mobility.permissions.decides_amendment",
        guard=_not_its_requester,
        label="Approuver l'avenant",
    )
    def approve(self, user, *, comment: str) -> None:
        """demande → approuve, then write the new planned amounts on the locked budget lines.

        Refused when a line's planned amount changed since the request (it would be overwritten).
        """
        lines = list(self.lines.select_related("funder"))
        current = dict(
            BudgetLine.objects.select_for_update()
            .filter(pk__in=[line.budget_line_id for line in lines if line.budget_line_id])
            .values_list("pk", "planned_amount")
        )
        changed = [
            f"Le prévu de « {line.funder} {line.label} » a changé depuis la demande "
            f"({line.planned_before} € alors, {current.get(line.budget_line_id)} € aujourd'hui) : "
            "refusez cet avenant, le porteur en demandera un autre."
            for line in lines
            if line.budget_line_id and current.get(line.budget_line_id) != line.planned_before
        ]
        if changed:
            raise TransitionRefused(changed)
        _record_decision(self, user, comment)
        for line in lines:
            if line.budget_line_id:
                # The one writer of an approved amount (BudgetLine.save refuses to change it).
                BudgetLine.objects.filter(pk=line.budget_line_id).update(planned_amount=line.planned_after)
            else:
                created = BudgetLine.objects.create(
                    project_id=self.project_id, funder=line.funder, label=line.label, planned_amount=line.planned_after
                )
                line.budget_line = created
                line.save(update_fields=["budget_line"])

    @workflow.transition(
        source=[AmendmentStatus.DEMANDE],
        target=AmendmentStatus.REFUSE,
        permission="mobility.permissions.decides_amendment",
        guard=_not_its_requester,
        comment_required="Indiquez au porteur le motif du refus.",
        label="Refuser l'avenant",
    )
    def refuse(self, user, *, comment: str) -> None:
        """demande → refuse, with the reason told to the carrier; the budget stays as approved."""
        _record_decision(self, user, comment)


class BudgetAmendmentLine(models.Model):
    """One line of an amendment: a budget line's planned amount before and after (a new line has none)."""

    amendment = models.ForeignKey(BudgetAmendment, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name="ligne de budget",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amendment_lines",
        help_text="Vide pour une ligne que l'avenant ajoute (jusqu'à son approbation).",
    )
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("objet", max_length=200, blank=True)
    planned_before = models.DecimalField("prévu avant (€)", max_digits=12, decimal_places=2)
    planned_after = models.DecimalField("prévu après (€)", max_digits=12, decimal_places=2, validators=[not_negative])

    class Meta:
        verbose_name = "ligne d'avenant"
        verbose_name_plural = "lignes d'avenant"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="mobility_amendment_amounts_not_negative",
                condition=Q(planned_before__gte=0) & Q(planned_after__gte=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.label} : {self.planned_before} → {self.planned_after} €"

    @property
    def change(self) -> Decimal:
        return self.planned_after - self.planned_before


class DocumentKind(models.TextChoices):
    CONVENTION = "convention", "Convention"
    COMPTE_RENDU = "compte_rendu", "Compte rendu"
    BILAN = "bilan", "Bilan"
    BUDGET = "budget", "Budget"
    AUTRE = "autre", "Autre"


DOCUMENT_KINDS = ("pdf", "odt", "docx", "xlsx", "ods", "png", "jpeg")


def document_path(document: ProjectDocument, filename: str) -> str:
    return f"mobilite/projets/{document.project_id}/{filename}"


class ProjectDocument(UploadRecord):
    """A document of the project: private, served only after a permission check."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type", max_length=20, choices=DocumentKind.choices, default=DocumentKind.AUTRE)
    title = models.CharField("titre", max_length=200)
    file = models.FileField(
        "fichier",
        storage=get_private_storage,
        upload_to=document_path,
        validators=[UploadValidator(kinds=DOCUMENT_KINDS)],
        max_length=300,
    )

    class Meta:
        verbose_name = "document"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mobility:document_download", args=[self.project_id, self.pk])


# ---------------------------------------------------------------------------
# Activity reports


class ReportPeriod(models.TextChoices):
    S1 = "S1", "1er semestre"
    S2 = "S2", "2d semestre"
    ANNEE = "A", "Année"


class ReportStatus(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMIS = "soumis", "Soumis"
    APPROUVE = "approuve", "Approuvé"


# Indicator fields of a report, in the order they are shown and exported, with their groups.
REFERRER_FIELDS = ["people_mission_locale", "people_pole_emploi", "people_conseil_general", "people_other"]
SEX_FIELDS = ["women", "men"]
AGE_FIELDS = ["age_under_18", "age_18_25", "age_26_44", "age_45_plus"]
OUTCOME_FIELDS = [
    "mobility_diagnostics",
    "highway_code_passed",
    "licences_obtained",
    "employment_3_months",
    "training_3_months",
    "employment_6_months",
    "training_6_months",
]
COUNT_FIELDS = REFERRER_FIELDS + SEX_FIELDS + AGE_FIELDS + OUTCOME_FIELDS


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class ActivityReport(models.Model):
    """A periodic activity report of a project (a semester or a year), approved by the CNML."""

    project = models.ForeignKey(Project, verbose_name="projet", on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField("année")
    period = models.CharField("période", max_length=2, choices=ReportPeriod.choices)
    status = models.CharField("statut", max_length=20, choices=ReportStatus.choices, default=ReportStatus.BROUILLON)

    people_mission_locale = _count("orientées par une mission locale")
    people_pole_emploi = _count("orientées par Pôle emploi")
    people_conseil_general = _count("orientées par le conseil général")
    people_other = _count("orientées par un autre prescripteur")
    women = _count("femmes")
    men = _count("hommes")
    age_under_18 = _count("moins de 18 ans")
    age_18_25 = _count("18 à 25 ans")
    age_26_44 = _count("26 à 44 ans")
    age_45_plus = _count("45 ans et plus")
    mobility_diagnostics = _count("diagnostics mobilité réalisés")
    highway_code_passed = _count("examens du code de la route réussis")
    licences_obtained = _count("permis de conduire obtenus")
    employment_3_months = _count("en emploi à 3 mois")
    training_3_months = _count("en formation à 3 mois")
    employment_6_months = _count("en emploi à 6 mois")
    training_6_months = _count("en formation à 6 mois")
    total_cost = models.DecimalField(
        "coût total de la période (€)", max_digits=12, decimal_places=2, default=Decimal(0), validators=[not_negative]
    )
    comment = models.TextField("faits marquants", blank=True)

    created_by = recorded_by("rédigé par")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    approved_at = models.DateTimeField("approuvé le", null=True, blank=True)
    review_comment = models.TextField("commentaire du CNML", blank=True)

    class Meta:
        verbose_name = "bilan d'activité"
        verbose_name_plural = "bilans d'activité"
        ordering = ["project", "year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "period"], name="mobility_one_report_per_period")
        ]

    def __str__(self) -> str:
        return f"Bilan {self.period_label} — {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("mobility:report_detail", args=[self.project_id, self.pk])

    @property
    def period_label(self) -> str:
        if self.period == ReportPeriod.ANNEE:
            return f"de l'année {self.year}"
        return f"du {self.get_period_display()} {self.year}"

    @property
    def people_total(self) -> int:
        return sum(getattr(self, name) for name in REFERRER_FIELDS)

    @property
    def cost_per_person(self) -> Decimal | None:
        total = self.people_total
        return (self.total_cost / total) if total else None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        total = self.people_total
        if sum(getattr(self, name) or 0 for name in SEX_FIELDS) != total:
            errors.setdefault("men", []).append(
                f"Femmes et hommes doivent faire le total des personnes accompagnées ({total})."
            )
        if sum(getattr(self, name) or 0 for name in AGE_FIELDS) != total:
            errors.setdefault("age_45_plus", []).append(
                f"Les tranches d'âge doivent faire le total des personnes accompagnées ({total})."
            )
        for months in (3, 6):
            exits = (getattr(self, f"employment_{months}_months") or 0) + (
                getattr(self, f"training_{months}_months") or 0
            )
            if exits > total:
                errors.setdefault(f"training_{months}_months", []).append(
                    f"Les sorties à {months} mois (emploi et formation) dépassent les {total} personnes accompagnées."
                )
        if self.year and self.project_id:
            if self.year < self.project.call.year:
                errors.setdefault("year", []).append(
                    f"Le projet est né de l'appel {self.project.call.year} : pas de bilan avant cette année."
                )
            if self.year > timezone.localdate().year:
                errors.setdefault("year", []).append("On ne peut pas rédiger le bilan d'une année à venir.")
            siblings = ActivityReport.objects.filter(project_id=self.project_id, year=self.year).exclude(pk=self.pk)
            if self.period == ReportPeriod.ANNEE and siblings.exists():
                errors.setdefault("period", []).append(
                    f"Des bilans semestriels existent déjà pour {self.year} : complétez-les plutôt qu'un bilan annuel."
                )
            elif self.period != ReportPeriod.ANNEE and siblings.filter(period=ReportPeriod.ANNEE).exists():
                errors.setdefault("period", []).append(f"Un bilan annuel existe déjà pour {self.year}.")
        if errors:
            raise ValidationError(errors)

    # Workflow (who may move it: mobility.permissions) ---------------------

    def _wrong_state_for_review(self) -> str:
        if self.status == ReportStatus.APPROUVE:
            return "Ce bilan a déjà été approuvé."
        return "Seul un bilan soumis peut être approuvé ou renvoyé."

    workflow = Workflow(field="status", states=ReportStatus, refused_by_role=ROLE_REFUSAL)

    def _submission_refusals(self, user) -> list[str]:
        if self.people_total == 0:
            return ["Le bilan ne compte encore aucune personne accompagnée."]
        try:
            self.full_clean()
        except ValidationError as error:
            return [message for messages in error.message_dict.values() for message in messages]
        return []

    @workflow.transition(
        source=[ReportStatus.BROUILLON],
        target=ReportStatus.SOUMIS,
        permission="mobility.permissions.acts_for_report",
        guard=_submission_refusals,
        wrong_state="Ce bilan a déjà été soumis.",
        label="Soumettre au CNML",
    )
    def submit(self, user, **_) -> None:
        self.submitted_at = timezone.now()

    @workflow.transition(
        source=[ReportStatus.SOUMIS],
        target=ReportStatus.APPROUVE,
        permission="mobility.permissions.cnml_decides",
        wrong_state=_wrong_state_for_review,
        label="Approuver le bilan",
    )
    def approve(self, user, *, comment: str) -> None:
        """soumis → approuve: its figures count in the totals of the call, the region and the nation."""
        self.approved_at = timezone.now()
        if comment:
            self.review_comment = comment

    @workflow.transition(
        source=[ReportStatus.SOUMIS],
        target=ReportStatus.BROUILLON,
        permission="mobility.permissions.cnml_decides",
        wrong_state=_wrong_state_for_review,
        comment_required="Expliquez au porteur ce qu'il doit corriger.",
        label="Renvoyer au porteur",
    )
    def send_back(self, user, *, comment: str) -> None:
        """soumis → brouillon: back to the carrier, with what to correct."""
        self.review_comment = comment


class ServiceDelivery(models.Model):
    """How much of one service a report's period delivered, in the service's own unit."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="deliveries")
    service = models.ForeignKey(Service, verbose_name="service", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField("quantité", max_digits=10, decimal_places=1, validators=[not_negative])

    class Meta:
        verbose_name = "service rendu"
        verbose_name_plural = "services rendus"
        ordering = ["service__order", "service__name"]
        constraints = [models.UniqueConstraint(fields=["report", "service"], name="mobility_one_delivery_per_service")]

    def __str__(self) -> str:
        return f"{self.service} : {self.quantity} {self.service.unit}"
