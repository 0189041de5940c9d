"""Fiches de bonnes pratiques: the model fiche of the partenariat renforcé, as fields, and its workflow.

A fiche is written by the staff of a structure (conseillers and directors, see
:mod:`practices.permissions`), submitted, reviewed by the regional animator of its
region or by the CNML pool, then published in the public catalogue:

    brouillon → soumise → en_relecture → a_completer → soumise … → publiee | refusee
    publiee → archivee

Each move is a transition of :class:`cnml.workflows.Workflow` (``fiche.publish(user,
comment=...)``, ``fiche.can_publish(user)``): who may make it is decided by
:mod:`practices.permissions`, the move is applied on the locked row and logged in the
shared audit trail. A submission keeps a snapshot of the content (:class:`FicheVersion`),
so reviewers see what changed between two submissions. Notifications are sent by
:mod:`practices.services`, which calls these transitions.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.formatting import format_size
from cnml.models import Committee, Region, Role, Structure
from cnml.permissions import active_users
from cnml.uploads import UploadRecord, UploadValidator, get_private_storage, random_name
from cnml.workflows import Workflow
from practices.choices import (
    EDITABLE_STATES,
    REFUSED,
    REVIEW_STATES,
    PartnerKind,
    Queue,
    Scale,
    Status,
)
from practices.content import LONG_TEXTS
from practices.recensements import Recensement, RecensementStatus
from practices.versions import fiche_content

ATTACHMENT_KINDS = ("pdf", "odt", "docx", "png", "jpeg")
ATTACHMENT_VALIDATOR = UploadValidator(kinds=ATTACHMENT_KINDS)
MAX_ATTACHMENTS = 10
# Days a reviewer has to decide on a submitted fiche.
REVIEW_DELAY_DAYS = 15


class Theme(models.Model):
    """A theme of the catalogue (cotraitance, mobilité…); the list is edited in the admin."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField("identifiant", max_length=100, unique=True, help_text="Utilisé dans les adresses.")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    active = models.BooleanField(
        "proposé aux rédacteurs", default=True, help_text="Un thème retiré reste sur les fiches qui le portent."
    )

    class Meta:
        verbose_name = "thème"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


def _long_text(label: str, help_text: str = "") -> models.TextField:
    return models.TextField(label, blank=True, help_text=help_text)


class FicheQuerySet(models.QuerySet):
    def published(self) -> FicheQuerySet:
        return self.filter(status=Status.PUBLIEE)

    def with_overdue(self) -> FicheQuerySet:
        """Annotate ``overdue``: waiting for a reviewer past its due date."""
        today = timezone.localdate()
        return self.annotate(
            overdue=models.Case(
                models.When(status__in=REVIEW_STATES, review_due_on__lt=today, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

    def overdue(self) -> FicheQuerySet:
        return self.filter(status__in=REVIEW_STATES, review_due_on__lt=timezone.localdate())

    def queue_order(self) -> FicheQuerySet:
        """Overdue first, then by due date, then by submission."""
        return self.with_overdue().order_by(
            "-overdue", models.F("review_due_on").asc(nulls_last=True), "submitted_at", "pk"
        )


class Fiche(models.Model):
    """A fiche de bonne pratique, as the model fiche of the partenariat renforcé describes it."""

    title = models.CharField("titre", max_length=200)
    # A fiche is carried by a structure or by a comité de pilotage, never both (see Meta).
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure porteuse",
        on_delete=models.PROTECT,
        related_name="fiches",
        null=True,
        blank=True,
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name="comité de pilotage porteur",
        on_delete=models.PROTECT,
        related_name="fiches",
        null=True,
        blank=True,
    )
    other_structures = models.ManyToManyField(
        Structure,
        verbose_name="autres structures impliquées",
        blank=True,
        related_name="fiches_involved",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        related_name="fiches",
        help_text="Celle de la structure ou du comité porteur.",
    )
    recensement = models.ForeignKey(
        Recensement,
        verbose_name="recensement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fiches",
        help_text="Le recensement du CNML auquel la fiche répond, s'il y en a un.",
    )
    scale = models.CharField("échelle", max_length=20, choices=Scale.choices, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name="thèmes", blank=True, related_name="fiches")

    context = _long_text(LONG_TEXTS["context"], "D'où est partie l'action : le constat, le besoin, le territoire.")
    objectives = _long_text(LONG_TEXTS["objectives"])
    public_concerned = _long_text(LONG_TEXTS["public_concerned"], "Les jeunes, les professionnels… concernés.")
    description = _long_text(LONG_TEXTS["description"], "Le déroulement de l'action, ses étapes, ses outils.")
    means = _long_text(LONG_TEXTS["means"], "Les personnes mobilisées, le budget et ses financeurs.")
    results = _long_text(LONG_TEXTS["results"], "Les chiffres et les résultats qualitatifs.")
    success_factors = _long_text(LONG_TEXTS["success_factors"])
    difficulties = _long_text(LONG_TEXTS["difficulties"])
    transferability = _long_text(
        LONG_TEXTS["transferability"], "Ce qu'il faut réunir pour reproduire l'action ailleurs."
    )
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True, help_text="Vide si l'action se poursuit.")

    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.BROUILLON, db_index=True)
    queue = models.CharField("file de relecture", max_length=20, choices=Queue.choices, blank=True)
    review_due_on = models.DateField("relecture attendue le", null=True, blank=True)
    reviewer = recorded_by("relecteur")
    created_by = recorded_by("créée par")
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="rédacteurs",
        blank=True,
        related_name="contributed_fiches",
        help_text="Les personnes qui ont rédigé la fiche ; elles reçoivent les décisions.",
    )
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="co-auteurs",
        blank=True,
        related_name="coauthored_fiches",
        help_text="Des personnes de la même structure ou du même comité, invitées par un auteur ; elles modifient la fiche.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    # Incremented at each save by an author: two colleagues editing at once do not
    # overwrite each other silently (see forms.FicheForm).
    revision = models.PositiveIntegerField("révision", default=0, editable=False)
    # Accent-stripped, lower-cased text of the fiche (see practices.search).
    search_text = models.TextField("texte indexé", blank=True, editable=False)

    objects = FicheQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche de bonne pratique"
        verbose_name_plural = "fiches de bonnes pratiques"
        ordering = ["-published_at", "-updated_at", "-pk"]
        permissions = [("review_fiche", "Peut relire les fiches (prendre en relecture, publier, refuser)")]
        indexes = [models.Index(fields=["status", "review_due_on"])]
        constraints = [
            models.CheckConstraint(
                name="fiche_dates_in_order",
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="fiche_structure_or_committee",
                condition=models.Q(structure__isnull=False, committee__isnull=True)
                | models.Q(structure__isnull=True, committee__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", args=[self.pk])

    @property
    def carrier(self):
        """The porteur: the structure or the comité de pilotage the fiche is written for."""
        return self.committee if self.committee_id else self.structure

    @property
    def carrier_kind(self) -> str:
        """« Comité de pilotage », or the kind of the structure (« Mission locale »…)."""
        return "Comité de pilotage" if self.committee_id else self.structure.get_kind_display()

    @property
    def carrier_label(self) -> str:
        carrier = self.carrier
        return carrier.name if carrier is not None else ""

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "La date de fin doit suivre la date de début."})

    # --- State helpers -------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLIEE

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATES

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in REVIEW_STATES
            and self.review_due_on is not None
            and self.review_due_on < timezone.localdate()
        )

    def missing_for_submission(self) -> dict[str, str]:
        """Fields to fill before the fiche can be submitted: field name -> message."""
        missing = {}
        for name, label in SUBMISSION_REQUIRED.items():
            value = getattr(self, name)
            if not (value.strip() if isinstance(value, str) else value):
                missing[name] = f"Requis pour soumettre la fiche : {label[0].lower()}{label[1:]}."
        if self.pk is None or not self.themes.exists():
            missing["themes"] = "Requis pour soumettre la fiche : au moins un thème."
        if self.pk is None or not self.contacts.exists():
            missing["contacts"] = "Requis pour soumettre la fiche : au moins un contact."
        # A closed recensement takes no new fiche; one it already received may come back completed.
        if self.recensement_id and self.submitted_at is None and self.recensement.status == RecensementStatus.CLOSED:
            missing["recensement"] = (
                f"Le recensement « {self.recensement} » est clos : il ne reçoit plus de fiches. "
                "Retirez-le de la fiche pour la soumettre."
            )
        return missing

    # --- Workflow (who may move it: practices.permissions) --------------

    workflow = Workflow(
        field="status",
        states=Status,
        refused_by_role=REFUSED,
        wrong_state=REFUSED,
        overtaken=(
            "Une autre décision vient d'être prise sur cette fiche : elle est maintenant « {state} ». "
            "Votre demande « {label} » n'a pas été appliquée."
        ),
    )

    @workflow.transition(
        source=EDITABLE_STATES,
        target=Status.SOUMISE,
        permission="practices.permissions.is_author_of",
        label="Soumettre la fiche",
        action="soumettre",
    )
    def submit(self, user, **_) -> None:
        """brouillon or a_completer → soumise: snapshot, route to a queue, set the due date."""
        missing = self.missing_for_submission()
        if missing:
            raise ValidationError(list(missing.values()))
        now = timezone.now()
        self.queue = Queue.REGIONAL if self.regional_reviewers().exists() else Queue.CNML
        self.submitted_at = now
        self.review_due_on = timezone.localdate(now) + datetime.timedelta(days=REVIEW_DELAY_DAYS)
        self.reviewer = None
        FicheVersion.snapshot(self, actor=user)

    @workflow.transition(
        source=[Status.SOUMISE],
        target=Status.EN_RELECTURE,
        permission="practices.permissions.is_reviewer_of",
        label="Prendre en relecture",
    )
    def take_in_review(self, user, **_) -> None:
        """soumise → en_relecture, by a reviewer of the fiche."""
        self.reviewer = user

    @workflow.transition(
        source=[Status.EN_RELECTURE],
        target=Status.A_COMPLETER,
        permission="practices.permissions.is_reviewer_of",
        label="Demander des compléments",
        comment_required="Indiquez aux rédacteurs ce qu'il faut compléter.",
    )
    def request_changes(self, user, **_) -> None:
        """en_relecture → a_completer: back to the authors with the reviewer's comment."""
        self.review_due_on = None

    @workflow.transition(
        source=[Status.EN_RELECTURE],
        target=Status.PUBLIEE,
        permission="practices.permissions.is_reviewer_of",
        label="Publier",
    )
    def publish(self, user, **_) -> None:
        """en_relecture → publiee: the fiche enters the public catalogue."""
        self.published_at = timezone.now()
        self.review_due_on = None

    @workflow.transition(
        source=[Status.EN_RELECTURE],
        target=Status.REFUSEE,
        permission="practices.permissions.is_reviewer_of",
        label="Refuser",
        comment_required="Indiquez la raison du refus.",
    )
    def reject(self, user, **_) -> None:
        """en_relecture → refusee, with the reason."""
        self.review_due_on = None

    @workflow.transition(
        source=[Status.PUBLIEE],
        target=Status.ARCHIVEE,
        permission="practices.permissions.may_archive",
        label="Archiver",
    )
    def archive(self, user, **_) -> None:
        """publiee → archivee: the fiche leaves the catalogue."""

    def regional_reviewers(self):
        """Active regional animators of the fiche's region: the regional queue exists when there is one."""
        return active_users(Role.ANIMATEUR_REGIONAL, regions=[self.region_id])

    def queue_reviewers(self):
        """Who reviews the fiche: its region's animators in the regional queue, else the CNML reviewers."""
        if self.queue == Queue.REGIONAL:
            return self.regional_reviewers()
        return active_users(Role.RELECTEUR_CNML)

    def author_recipients(self) -> list[str]:
        """E-mail addresses of the fiche's authors (creator, contributors and co-authors still active)."""
        users = [*self.contributors.filter(is_active=True), *self.coauthors.filter(is_active=True)]
        if self.created_by_id and self.created_by.is_active:
            users.append(self.created_by)
        return sorted({user.email for user in users})


SUBMISSION_REQUIRED = {
    "title": "Titre",
    "scale": "Échelle",
    "context": LONG_TEXTS["context"],
    "objectives": LONG_TEXTS["objectives"],
    "public_concerned": LONG_TEXTS["public_concerned"],
    "description": LONG_TEXTS["description"],
    "results": LONG_TEXTS["results"],
    "start_date": "Date de début",
}


class Partner(models.Model):
    """A partner of the action and its role in it."""

    fiche = models.ForeignKey(Fiche, verbose_name="fiche", on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField("type de partenaire", max_length=30, choices=PartnerKind.choices)
    name = models.CharField("nom", max_length=200, help_text="Par exemple : agence Pôle emploi de Lille Centre.")
    role = models.TextField("rôle dans l'action", blank=True)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person to contact about the action."""

    fiche = models.ForeignKey(Fiche, verbose_name="fiche", on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("nom", max_length=150)
    function = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("adresse e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "contact"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: Attachment, filename: str) -> str:
    """In the fiche's folder (a module-level function: the migrations name it)."""
    return random_name(f"practices/{instance.fiche_id}", filename)


class Attachment(UploadRecord):
    """A file joined to a fiche, stored privately and served through a view that checks access."""

    fiche = models.ForeignKey(Fiche, verbose_name="fiche", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        "fichier",
        upload_to=attachment_path,
        storage=get_private_storage,
        max_length=255,
        validators=[ATTACHMENT_VALIDATOR],
    )
    name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveIntegerField("taille (octets)", default=0)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("practices:attachment", args=[self.fiche_id, self.pk])

    @property
    @admin.display(description="taille")
    def size_label(self) -> str:
        return format_size(self.size)


class FicheVersion(models.Model):
    """The content of a fiche as it was submitted (one per submission)."""

    fiche = models.ForeignKey(Fiche, verbose_name="fiche", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("numéro")
    created_at = models.DateTimeField("soumise le", default=timezone.now)
    created_by = recorded_by("soumise par")
    content = models.JSONField("contenu", default=dict)

    class Meta:
        verbose_name = "version soumise"
        verbose_name_plural = "versions soumises"
        ordering = ["fiche", "number"]
        constraints = [models.UniqueConstraint(fields=["fiche", "number"], name="fiche_version_number_unique")]

    def __str__(self) -> str:
        return f"Version {self.number}"

    @classmethod
    def snapshot(cls, fiche: Fiche, *, actor=None) -> FicheVersion:
        last = fiche.versions.order_by("-number").values_list("number", flat=True).first() or 0
        return cls.objects.create(
            fiche=fiche,
            number=last + 1,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            content=fiche_content(fiche),
        )
