"""Platform projects born from selected applications, followed stage by stage: the FARE support
and its formation-action sessions, targets, milestones and documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.models import Region, Structure
from cnml.uploads import DOCUMENT_KINDS, UploadRecord, UploadValidator, get_private_storage, random_name
from cnml.workflows import Workflow
from mobility.models.applications import Application
from mobility.models.calls import Call
from mobility.models.carriers import Carrier
from mobility.models.catalogues import Service
from mobility.models.common import ROLE_REFUSAL, not_negative

__all__ = [
    "DOCUMENT_KINDS",
    "DocumentKind",
    "FARE_PATH",
    "FareSupport",
    "FormationSession",
    "Milestone",
    "Project",
    "ProjectDocument",
    "SHORT_PATH",
    "SHORT_STAGE_LINE",
    "STAGE_LINE",
    "Stage",
    "StagePath",
    "Target",
    "document_path",
]


class Stage(models.TextChoices):
    RETENU = "retenu", "Retenu"
    FORMATION_ACTION = "formation_action", "Formation-action"
    MONTAGE = "montage", "Montage"
    LANCEMENT = "lancement", "Lancement"
    EN_FONCTIONNEMENT = "en_fonctionnement", "En fonctionnement"
    ARRETE = "arrete", "Arrêté"


# The stages in their order (the stop is off the line).
STAGE_LINE = [Stage.RETENU, Stage.FORMATION_ACTION, Stage.MONTAGE, Stage.LANCEMENT, Stage.EN_FONCTIONNEMENT]
# A project of another theme than mobility has no FARE formation-action nor montage.
SHORT_STAGE_LINE = [Stage.RETENU, Stage.LANCEMENT, Stage.EN_FONCTIONNEMENT]


@dataclass(frozen=True, eq=False)
class StagePath:
    """A way along the stages: its line, its moves (the stop, off the line, ends any path), the path's
    own wording of a move where the transition's label would not fit, and why the other path's moves
    are not its own (``{theme}``: the call's theme)."""

    stages: list[str]
    moves: tuple[str, ...]
    off_path: str
    labels: dict[str, str] = field(default_factory=dict)


# The one place saying which move belongs to which path: the guards and the project page ask it.
FARE_PATH = StagePath(
    stages=STAGE_LINE,
    moves=("start_formation_action", "start_montage", "launch", "put_in_operation"),
    off_path="Un projet de plateforme passe par la formation-action ou le montage avant son lancement.",
)
SHORT_PATH = StagePath(
    stages=SHORT_STAGE_LINE,
    moves=("start", "put_in_operation"),
    off_path="Un projet de l'appel {theme} ne passe ni par la formation-action ni par le montage.",
    labels={"put_in_operation": "Déclarer le projet en fonctionnement"},
)


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
    def is_mobility(self) -> bool:
        return self.call.is_mobility

    @property
    def path(self) -> StagePath:
        """The FARE path for a platform, the short one for a project of another theme."""
        return FARE_PATH if self.is_mobility else SHORT_PATH

    @property
    def stage_line(self) -> list[str]:
        """The stages this project goes through."""
        return self.path.stages

    @property
    def path_moves(self) -> dict[str, str]:
        """The moves along this project's path (the stop aside), in order: verb → its label on this path."""
        path = self.path
        return {verb: path.labels.get(verb, self.workflow.transitions[verb].label) for verb in path.moves}

    @property
    def stage_index(self) -> int:
        """1-based position on the line of stages (the stop keeps the last stage reached)."""
        line = self.stage_line
        if self.stage in line:
            return line.index(self.stage) + 1
        return 0

    @property
    def fare_formation_action(self) -> bool:
        support = getattr(self, "fare_support", None)
        return bool(support and support.formation_action)

    # Workflow (who may move it: mobility.permissions) ---------------------

    def _wrong_stage(self) -> str:
        return f"Le projet est à l'étape « {self.get_stage_display()} » : cette action n'est pas possible."

    workflow = Workflow(field="stage", states=Stage, refused_by_role=ROLE_REFUSAL, wrong_state=_wrong_stage)

    def _off_path(self, verb: str) -> list[str]:
        """Why ``verb`` is not a move of this project: it is the other path's."""
        path = self.path
        if verb in path.moves:
            return []
        return [path.off_path.format(theme=self.call.get_theme_display())]

    def _formation_action_refusals(self, user) -> list[str]:
        if off_path := self._off_path("start_formation_action"):
            return off_path
        support = getattr(self, "fare_support", None)
        if not support or not support.formation_action:
            return ["Enregistrez d'abord l'accompagnement de la FARE avec une formation-action."]
        if not support.expert_name.strip():
            return ["Désignez l'expert de la FARE qui conduit la formation-action."]
        return []

    def _montage_refusals(self, user) -> list[str]:
        if off_path := self._off_path("start_montage"):
            return off_path
        if self.stage == Stage.RETENU and self.fare_formation_action:
            return ["Ce projet bénéficie d'une formation-action : démarrez-la avant le montage."]
        if self.stage == Stage.FORMATION_ACTION and not self.sessions.filter(attendees_count__isnull=False).exists():
            return ["Enregistrez au moins une séance de formation-action tenue, avec sa participation."]
        return []

    def _launch_refusals(self, user) -> list[str]:
        if off_path := self._off_path("launch"):
            return off_path
        reasons = []
        if not self.budget_lines.exists():
            reasons.append("Le budget du projet est vide : ajoutez ses lignes par un avenant avant le lancement.")
        if not self.services_to_launch.exists():
            reasons.append("Choisissez au moins un service à lancer.")
        return reasons

    def _start_refusals(self, user) -> list[str]:
        """The short path's launch (other themes): from « retenu », once the budget is there."""
        if off_path := self._off_path("start"):
            return off_path
        if not self.budget_lines.exists():
            return ["Le budget du projet est vide : ajoutez ses lignes par un avenant avant le lancement."]
        return []

    def _operation_refusals(self, user) -> list[str]:
        if not self.is_mobility:
            return []
        if not self.milestones.filter(done_on__isnull=False).exists():
            return ["Aucun jalon n'est encore réalisé : datez ceux qui le sont."]
        return []

    def _date_the_stage(self, user, **_) -> None:
        """The body of every move along the stages: the project is at its new stage from now."""
        self.stage_changed_at = timezone.now()

    start_formation_action = workflow.transition(
        source=[Stage.RETENU],
        target=Stage.FORMATION_ACTION,
        permission="mobility.permissions.cnml_decides",
        guard=_formation_action_refusals,
        label="Démarrer la formation-action",
    )(_date_the_stage)

    start_montage = workflow.transition(
        source=[Stage.RETENU, Stage.FORMATION_ACTION],
        target=Stage.MONTAGE,
        permission="mobility.permissions.cnml_decides",
        guard=_montage_refusals,
        label="Passer au montage",
    )(_date_the_stage)

    launch = workflow.transition(
        source=[Stage.MONTAGE],
        target=Stage.LANCEMENT,
        permission="mobility.permissions.can_edit_project",
        guard=_launch_refusals,
        label="Lancer la plateforme",
    )(_date_the_stage)

    start = workflow.transition(
        source=[Stage.RETENU],
        target=Stage.LANCEMENT,
        permission="mobility.permissions.cnml_decides",
        guard=_start_refusals,
        label="Lancer le projet",
    )(_date_the_stage)

    put_in_operation = workflow.transition(
        source=[Stage.LANCEMENT],
        target=Stage.EN_FONCTIONNEMENT,
        permission="mobility.permissions.can_edit_project",
        guard=_operation_refusals,
        label="Déclarer la plateforme en fonctionnement",
    )(_date_the_stage)

    @workflow.transition(
        source=STAGE_LINE,
        target=Stage.ARRETE,
        permission="mobility.permissions.cnml_decides",
        comment_required="Indiquez le motif de l'arrêt du projet.",
        label="Arrêter le projet",
    )
    def stop(self, user, *, comment: str) -> None:
        """Any stage → arrete, with its reason (kept on the project and in the log)."""
        self._date_the_stage(user)
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


class DocumentKind(models.TextChoices):
    CONVENTION = "convention", "Convention"
    COMPTE_RENDU = "compte_rendu", "Compte rendu"
    BILAN = "bilan", "Bilan"
    BUDGET = "budget", "Budget"
    AUTRE = "autre", "Autre"


def document_path(document: ProjectDocument, filename: str) -> str:
    """In the project's folder (a module-level function: the migrations name it)."""
    return random_name(f"mobilite/projets/{document.project_id}", filename)


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
    name = models.CharField("nom du fichier", max_length=255)

    class Meta:
        verbose_name = "document"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mobility:document_download", args=[self.project_id, self.pk])
