"""Models every app shares: the network (regions, structures) and its users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Region(models.Model):
    """A region of France as INSEE coded them in 2011 (e.g. 93, Provence-Alpes-Côte d'Azur)."""

    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StructureKind(models.TextChoices):
    CNML = "CNML", "Conseil national des missions locales"
    ARML = "ARML", "Association régionale des missions locales"
    ML = "ML", "Mission locale"
    PAIO = "PAIO", "Permanence d'accueil, d'information et d'orientation"
    ANTENNE = "ANTENNE", "Antenne"


class StructureQuerySet(models.QuerySet):
    def active(self) -> StructureQuerySet:
        return self.filter(active=True)

    def local(self) -> StructureQuerySet:
        """Structures that receive young people: missions locales, PAIO and antennes."""
        return self.filter(kind__in=[StructureKind.ML, StructureKind.PAIO, StructureKind.ANTENNE])


class Structure(models.Model):
    """A structure of the network. An antenne belongs to a mission locale or a PAIO."""

    code = models.CharField("code", max_length=20, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=10, choices=StructureKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        related_name="structures",
        null=True,
        blank=True,
        help_text="Vide pour une structure nationale (CNML).",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="structure de rattachement",
        on_delete=models.PROTECT,
        related_name="antennes",
        null=True,
        blank=True,
    )
    active = models.BooleanField("active", default=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="structure_antenne_has_parent",
                condition=~models.Q(kind="ANTENNE") | models.Q(parent__isnull=False),
            ),
            models.CheckConstraint(
                name="structure_only_antenne_has_parent",
                condition=models.Q(kind="ANTENNE") | models.Q(parent__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.kind == StructureKind.ANTENNE:
            if self.parent_id is None:
                raise ValidationError({"parent": "Une antenne doit être rattachée à une mission locale ou une PAIO."})
            if self.parent.kind not in (StructureKind.ML, StructureKind.PAIO):
                raise ValidationError({"parent": "Une antenne se rattache à une mission locale ou une PAIO."})
        elif self.parent_id is not None:
            raise ValidationError({"parent": "Seule une antenne a une structure de rattachement."})
        if self.kind != StructureKind.CNML and self.region_id is None:
            raise ValidationError({"region": "Cette structure doit appartenir à une région."})

    @property
    def is_national(self) -> bool:
        return self.kind == StructureKind.CNML


class Role(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller ou conseillère"
    DIRECTEUR = "directeur", "Directeur ou directrice de structure"
    ANIMATEUR_REGIONAL = "animateur_regional", "Animateur ou animatrice régionale"
    RELECTEUR_CNML = "relecteur_cnml", "Relecteur ou relectrice CNML"
    ADMINISTRATEUR = "administrateur", "Administrateur ou administratrice"
    # Pôle emploi agents and other partners: their account belongs to comités de pilotage, not to a structure.
    PARTENAIRE = "partenaire", "Partenaire d'un comité de pilotage"


# Roles that act for the whole network and reach the Django admin.
NATIONAL_ROLES = frozenset({Role.RELECTEUR_CNML, Role.ADMINISTRATEUR})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_superuser"] = True
        extra.setdefault("role", Role.ADMINISTRATEUR)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        # Log-in by e-mail is case-insensitive.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the back-office: attached to one structure, with one role."""

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.CONSEILLER)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "accès à l'administration",
        default=False,
        help_text="Déduit du rôle : relecteurs CNML et administrateurs.",
        editable=False,
    )
    date_joined = models.DateTimeField("date d'inscription", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.role == Role.PARTENAIRE:
            if self.structure_id is not None:
                raise ValidationError(
                    {
                        "structure": "Un partenaire n'appartient à aucune structure : il est membre de comités de pilotage."
                    }
                )
        elif self.role != Role.ADMINISTRATEUR and not self.is_superuser and self.structure_id is None:
            raise ValidationError({"structure": "Chaque utilisateur est rattaché à une structure."})
        if self.role == Role.ANIMATEUR_REGIONAL and self.structure_id and self.structure.region_id is None:
            raise ValidationError({"structure": "Un animateur régional est rattaché à une structure d'une région."})

    def save(self, *args, **kwargs) -> None:
        # Log-in ignores case: store one spelling so two accounts can't differ by case only.
        self.email = self.email.strip().lower()
        # Admin access follows the role, so it can never drift from it.
        self.is_staff = self.role in NATIONAL_ROLES or self.is_superuser
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        # Only a save that may change the role moves the user between groups: not a log-in's last_login.
        if update_fields is None or "role" in update_fields:
            self.sync_role_group()

    def sync_role_group(self) -> None:
        """Make the user a member of exactly their role's group (see cnml.roles)."""
        role_names = set(Role.values)
        wanted, _ = Group.objects.get_or_create(name=self.role)
        stale = self.groups.filter(name__in=role_names - {self.role})
        if stale.exists():
            self.groups.remove(*stale)
        self.groups.add(wanted)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES or self.is_superuser

    @property
    def region(self) -> Region | None:
        return self.structure.region if self.structure_id else None

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTENAIRE


class CommitteeLevel(models.TextChoices):
    REGIONAL = "regional", "Régional"
    LOCAL = "local", "Local"


class Committee(models.Model):
    """A comité de pilotage: missions locales, Pôle emploi and other partners steering an action together.

    Its members are people (ML staff, regional animators, partner accounts); only administrators
    grant membership, in the admin. Apps decide what membership allows (e.g. practices: writing
    the committee's fiches).
    """

    name = models.CharField("nom", max_length=200)
    level = models.CharField("niveau", max_length=10, choices=CommitteeLevel.choices)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="committees")
    territory = models.CharField(
        "territoire", max_length=200, blank=True, help_text="Pour un comité local : le bassin, le département…"
    )
    structures = models.ManyToManyField(
        Structure, verbose_name="structures membres", blank=True, related_name="committees"
    )
    members = models.ManyToManyField(
        "User",
        verbose_name="membres",
        blank=True,
        related_name="committees",
        help_text="Les personnes qui rédigent pour le comité ; seuls les administrateurs les désignent.",
    )
    active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "comité de pilotage"
        verbose_name_plural = "comités de pilotage"
        ordering = ["region__name", "name"]

    def __str__(self) -> str:
        return self.name


class WorkerProbe(models.Model):
    """A row written by a Celery worker, proving a task went through the broker.

    The health page and the CI's end-to-end test enqueue ``cnml.tasks.probe_worker``
    and wait for ``completed_at`` to be set.
    """

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    completed_at = models.DateTimeField("traité le", null=True, blank=True)
    worker_hostname = models.CharField("worker", max_length=200, blank=True)

    class Meta:
        verbose_name = "sonde de worker"
        verbose_name_plural = "sondes de worker"

    def __str__(self) -> str:
        return f"Sonde n° {self.pk}"


class PasswordResetRequest(models.Model):
    """One password-reset request, counted by the throttle (``cnml.password_reset``).

    Kept in the database rather than the cache so that the throttle still holds while
    Redis is down; deleted once past the throttle's window (``cnml.tasks.purge_expired``).
    The client's address is stored as a keyed hash, never as such.
    """

    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    address_key = models.CharField("empreinte de l'adresse", max_length=64)
    user = models.ForeignKey(
        User, verbose_name="compte", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sent = models.BooleanField("courriel envoyé", default=False)

    class Meta:
        verbose_name = "demande de réinitialisation de mot de passe"
        verbose_name_plural = "demandes de réinitialisation de mot de passe"
        indexes = [
            models.Index(fields=["address_key", "requested_at"], name="cnml_reset_address_idx"),
            models.Index(fields=["user", "requested_at"], name="cnml_reset_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Demande n° {self.pk}"


class OutboxMessage(models.Model):
    """Work a write owes (an e-mail, a computation), recorded in the write's own transaction.

    See ``cnml.outbox``: the row is handed to the broker once committed, published again
    while it is not done, and run at most once to completion by a worker.
    """

    task = models.CharField("tâche", max_length=200)
    kwargs = models.JSONField("arguments", default=dict, blank=True)
    # Work owed once whatever the number of requests for it (e.g. the recompute after one import).
    key = models.CharField("clé d'unicité", max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("enregistré le", default=timezone.now)
    due_at = models.DateTimeField("à confier au broker à partir du", default=timezone.now)
    dispatched_at = models.DateTimeField("confié au broker le", null=True, blank=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    done_at = models.DateTimeField("fait le", null=True, blank=True)
    failed_at = models.DateTimeField("abandonné le", null=True, blank=True)
    attempts = models.PositiveIntegerField("exécutions", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    # The request that owed the work: its run is logged under the same id (cnml/requestid.py).
    request_id = models.CharField("identifiant de la requête", max_length=64, blank=True)

    class Meta:
        verbose_name = "travail différé"
        verbose_name_plural = "travaux différés"
        indexes = [
            models.Index(
                fields=["due_at"],
                name="cnml_outbox_pending_idx",
                condition=models.Q(done_at__isnull=True, failed_at__isnull=True),
            ),
            models.Index(fields=["done_at"], name="cnml_outbox_done_idx", condition=models.Q(done_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.task} n° {self.pk}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of each Celery worker (by host name), read by ``/sante/``."""

    hostname = models.CharField("worker", max_length=200, unique=True)
    seen_at = models.DateTimeField("dernier signe de vie")

    class Meta:
        verbose_name = "signe de vie de worker"
        verbose_name_plural = "signes de vie des workers"

    def __str__(self) -> str:
        return self.hostname


# Registered here so that Django finds the shared audit model in the cnml app.
from cnml.audit import TransitionLog  # noqa: E402, F401
