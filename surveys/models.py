"""Models of the surveys app.

- A :class:`Questionnaire` is data (edited in the admin): sections, questions,
  choices. Once a campaign has answers, its questionnaire is *locked*: only its
  wording may change; anything that would break stored answers is refused
  (copy the questionnaire instead, admin action « Copier »).
- A :class:`Campaign` runs a questionnaire over a region (its participating
  missions locales and antennes) or the nation. Each participating antenne, or
  mission locale without participating antennes, gets a
  :class:`DistributionPoint`: a short public link ``/e/<code>/``. Its workflow
  (brouillon → ouverte → close) is declared with :mod:`cnml.workflows`: who may
  make each move is decided by :mod:`surveys.permissions`, the work a move owes
  (the results, on closing) by :mod:`surveys.services`.
- A :class:`Response` keeps no personal data: the campaign, the point of the
  link, the day, the answers by question code, and the
  :class:`QuestionnaireVersion` (an immutable copy of the questions' text,
  codes and choices) the respondent saw, so answers survive later edits.
- :class:`ResultNode` rows are the stored aggregates read by results pages and
  exports, with small-cell protection already applied.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.models import Region, Structure
from cnml.workflows import Workflow


class Audience(models.TextChoices):
    JEUNES = "jeunes", "Jeunes"
    ENTREPRISES = "entreprises", "Entreprises"


class Instrument(models.TextChoices):
    SERVQUAL = "servqual", "SERVQUAL"
    OQM = "oqm", "Outil québécois de mesure (OQM)"
    PHARES = "phares", "Questions phares"
    EMPLOYEURS = "employeurs", "Employeurs"
    LIBRE = "libre", "Questionnaire libre"


class QuestionKind(models.TextChoices):
    LIKERT5 = "likert5", "Échelle de 1 à 5"
    LIKERT7 = "likert7", "Échelle de 1 à 7"
    LIKERT10 = "likert10", "Échelle de 1 à 10"
    SINGLE = "single", "Choix unique"
    MULTIPLE = "multiple", "Choix multiple"
    YES_NO = "yes_no", "Oui / Non / Je ne sais pas"
    NUMBER = "number", "Nombre"
    TEXT = "text", "Texte libre"
    POINTS = "points", "Répartition de points entre dimensions"


LIKERT_BOUNDS = {QuestionKind.LIKERT5: (1, 5), QuestionKind.LIKERT7: (1, 7), QuestionKind.LIKERT10: (1, 10)}


class ServqualRole(models.TextChoices):
    NONE = "", "—"
    EXPECTATION = "E", "Attente (E)"
    PERCEPTION = "P", "Perception (P)"
    WEIGHTS = "W", "Pondération des dimensions (100 points)"


class AnalysisRole(models.TextChoices):
    """What a question stands for in the results (headline figures, OQM analysis)."""

    NONE = "", "—"
    ACCUEIL = "accueil", "Chiffre clé : satisfaction de l'accueil"
    DELAI = "delai", "Chiffre clé : délai de réception"
    CONNU = "connu", "Chiffre clé : comment la mission locale a été connue"
    RECOMMANDE = "recommande", "Chiffre clé : recommandation"
    SATISFACTION_GLOBALE = "satisfaction_globale", "Satisfaction globale"
    CONSEQUENCE = "consequence", "Conséquence (hors priorités)"
    COMMENTAIRE = "commentaire", "Commentaire libre"


class Questionnaire(models.Model):
    code = models.SlugField("code", max_length=60, unique=True)
    title = models.CharField("titre", max_length=200)
    audience = models.CharField("public", max_length=20, choices=Audience.choices, default=Audience.JEUNES)
    instrument = models.CharField("modèle", max_length=20, choices=Instrument.choices, default=Instrument.LIBRE)
    description = models.TextField(
        "introduction", blank=True, help_text="Texte montré aux répondants avant la première question."
    )
    revision = models.PositiveIntegerField(
        "révision", default=1, editable=False, help_text="Augmente à chaque modification."
    )
    copied_from = models.ForeignKey(
        "self", verbose_name="copie de", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "questionnaire"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The revision only moves through bump_revision (an UPDATE), never from a stale instance.
        if not self._state.adding and self.pk and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in ("revision", "created_at")
            ]
        super().save(*args, **kwargs)
        self.bump_revision()

    @property
    def is_locked(self) -> bool:
        """True once a campaign using it has answers: only the wording may change."""
        return Response.objects.filter(campaign__questionnaire=self).exists()

    def bump_revision(self) -> None:
        Questionnaire.objects.filter(pk=self.pk).update(revision=models.F("revision") + 1)


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="questionnaire", on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("titre", max_length=200)
    description = models.TextField("consigne", blank=True)

    class Meta:
        verbose_name = "section"
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.questionnaire} — {self.title}"

    def clean(self) -> None:
        check_not_breaking(self)


class Question(models.Model):
    section = models.ForeignKey(Section, verbose_name="section", on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    code = models.SlugField(
        "code",
        max_length=40,
        help_text="Identifiant stable de la question dans le questionnaire (les réponses y sont rattachées).",
    )
    text = models.TextField("libellé")
    help_text = models.CharField("aide", max_length=300, blank=True)
    kind = models.CharField("type", max_length=10, choices=QuestionKind.choices)
    required = models.BooleanField("obligatoire", default=True)
    dimension = models.CharField(
        "dimension", max_length=60, blank=True, help_text="Par exemple « Fiabilité » (SERVQUAL) ou « Délais » (OQM)."
    )
    servqual_role = models.CharField(
        "rôle SERVQUAL", max_length=1, choices=ServqualRole.choices, default=ServqualRole.NONE, blank=True
    )
    servqual_item = models.PositiveSmallIntegerField(
        "item SERVQUAL",
        null=True,
        blank=True,
        help_text="Numéro de l'énoncé (1 à 22) : apparie l'attente (E) et la perception (P).",
    )
    analysis_role = models.CharField(
        "rôle dans les résultats", max_length=30, choices=AnalysisRole.choices, default=AnalysisRole.NONE, blank=True
    )
    min_label = models.CharField("libellé de l'extrémité basse", max_length=80, blank=True)
    max_label = models.CharField("libellé de l'extrémité haute", max_length=80, blank=True)
    allow_not_applicable = models.BooleanField("« Ne s'applique pas » proposé", default=False)
    max_length = models.PositiveIntegerField("longueur maximale (texte)", default=1000)
    min_value = models.IntegerField("valeur minimale (nombre)", null=True, blank=True)
    max_value = models.IntegerField("valeur maximale (nombre)", null=True, blank=True)
    points_total = models.PositiveSmallIntegerField("total à répartir (points)", default=100)

    class Meta:
        verbose_name = "question"
        ordering = ["section__order", "section", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="question_code_unique_in_section"),
            models.CheckConstraint(
                name="question_servqual_item_with_role",
                condition=Q(servqual_item__isnull=True) | Q(servqual_role__in=["E", "P"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.text[:60]}"

    def clean(self) -> None:
        check_not_breaking(self)
        errors = {}
        if self.servqual_role in (ServqualRole.EXPECTATION, ServqualRole.PERCEPTION) and not self.servqual_item:
            errors["servqual_item"] = "Indiquez le numéro de l'énoncé SERVQUAL pour apparier attente et perception."
        if self.servqual_item and self.servqual_role not in (ServqualRole.EXPECTATION, ServqualRole.PERCEPTION):
            errors["servqual_role"] = "Un item SERVQUAL est une attente (E) ou une perception (P)."
        if self.servqual_role == ServqualRole.WEIGHTS and self.kind != QuestionKind.POINTS:
            errors["kind"] = "La pondération SERVQUAL est une répartition de points."
        if self.servqual_role in (ServqualRole.EXPECTATION, ServqualRole.PERCEPTION) and self.kind not in LIKERT_BOUNDS:
            errors["kind"] = "Un item SERVQUAL se mesure sur une échelle."
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = "La valeur maximale doit être supérieure à la valeur minimale."
        if self.section_id:
            clash = (
                Question.objects.filter(section__questionnaire_id=self.section.questionnaire_id, code=self.code)
                .exclude(pk=self.pk)
                .exists()
            )
            if clash:
                errors["code"] = "Ce code est déjà utilisé par une autre question du questionnaire."
        if errors:
            raise ValidationError(errors)


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name="question", on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    code = models.SlugField("code", max_length=40)
    label = models.CharField("libellé", max_length=200)
    is_key = models.BooleanField(
        "réponse mise en avant",
        default=False,
        help_text="Pour un chiffre clé : la part des répondants ayant choisi cette réponse (« Très satisfait(e) »).",
    )
    dimension = models.CharField(
        "dimension", max_length=60, blank=True, help_text="Pour une répartition de points : la dimension pondérée."
    )

    class Meta:
        verbose_name = "modalité"
        ordering = ["question", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="choice_code_unique_in_question")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        check_not_breaking(self)


class QuestionnaireVersion(models.Model):
    """An immutable copy of a questionnaire as respondents saw it (texts, codes, choices)."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="questionnaire", on_delete=models.PROTECT, related_name="versions"
    )
    revision = models.PositiveIntegerField("révision")
    digest = models.CharField("empreinte", max_length=64)
    spec = models.JSONField("contenu")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "version de questionnaire"
        verbose_name_plural = "versions de questionnaire"
        constraints = [models.UniqueConstraint(fields=["questionnaire", "digest"], name="questionnaire_version_unique")]

    def __str__(self) -> str:
        return f"{self.questionnaire} (révision {self.revision})"


class CampaignScope(models.TextChoices):
    REGION = "region", "Une région"
    NATION = "nation", "Tout le réseau"


class CampaignStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    OPEN = "ouverte", "Ouverte"
    CLOSED = "close", "Close"


class AccessMode(models.TextChoices):
    OPEN_LINK = "lien", "Lien ouvert (et codes à usage unique facultatifs)"
    CODES_ONLY = "codes", "Codes à usage unique seulement"


class Campaign(models.Model):
    title = models.CharField("titre", max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="questionnaire", on_delete=models.PROTECT, related_name="campaigns"
    )
    audience = models.CharField("public", max_length=20, choices=Audience.choices, default=Audience.JEUNES)
    scope = models.CharField("périmètre", max_length=10, choices=CampaignScope.choices, default=CampaignScope.REGION)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    participants = models.ManyToManyField(
        Structure,
        verbose_name="structures participantes",
        related_name="survey_campaigns",
        blank=True,
        help_text="Missions locales et antennes qui diffusent l'enquête.",
    )
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    target = models.PositiveIntegerField("objectif de réponses", help_text="Pour l'ensemble de la campagne.")
    access_mode = models.CharField("accès", max_length=10, choices=AccessMode.choices, default=AccessMode.OPEN_LINK)
    status = models.CharField("état", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = recorded_by("créée par")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    aggregated_at = models.DateTimeField("résultats calculés le", null=True, blank=True)
    aggregated_responses = models.PositiveIntegerField("réponses prises en compte", default=0)
    # The questionnaire spec the stored results were computed with (labels of pages and exports).
    results_spec = models.JSONField("questionnaire des résultats", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "campagne"
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                name="campaign_region_matches_scope",
                condition=(Q(scope="region") & Q(region__isnull=False)) | (Q(scope="nation") & Q(region__isnull=True)),
            ),
            models.CheckConstraint(name="campaign_dates_in_order", condition=Q(closes_on__gte=models.F("opens_on"))),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """The rules of a campaign, whoever saves it (its pages, the services, the admin).

        Dates in order; an open campaign closes today at the earliest (opening a draft whose
        closing date went by, or moving an open campaign's closing date into the past, is
        refused); the questionnaire suits the audience; once open, the questionnaire, audience,
        perimeter and access no longer change; a closed campaign no longer changes; the state
        only moves forward (draft → open → closed). The scope is set from the region.
        """
        stored = (
            Campaign.objects.filter(pk=self.pk).values("status", *FROZEN_ONCE_OPEN.values()).first()
            if self.pk is not None
            else None
        )
        if stored and stored["status"] == CampaignStatus.CLOSED:
            raise ValidationError("Une campagne close ne se modifie plus.")
        # The scope follows the region (the database checks they agree): a region, or the whole network.
        self.scope = CampaignScope.REGION if self.region_id else CampaignScope.NATION
        errors: dict[str, str] = {}
        if stored and (stored["status"], self.status) not in ALLOWED_MOVES:
            errors["status"] = "Une campagne ouverte ne revient pas en brouillon."
        today = timezone.localdate()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = "La clôture doit suivre l'ouverture."
        elif self.status == CampaignStatus.OPEN and self.closes_on and self.closes_on < today:
            errors["closes_on"] = (
                f"La date de clôture ({self.closes_on:%d/%m/%Y}) est passée : une campagne ouverte se clôt "
                "aujourd'hui au plus tôt. Choisissez une date à venir, ou clôturez la campagne."
            )
        if self.questionnaire_id and self.audience and self.questionnaire.audience != self.audience:
            errors["questionnaire"] = (
                f"Ce questionnaire s'adresse au public « {self.questionnaire.get_audience_display()} »."
            )
        if stored and stored["status"] != CampaignStatus.DRAFT:
            for name, attname in FROZEN_ONCE_OPEN.items():
                if stored[attname] != getattr(self, attname):
                    errors.setdefault(name, "Ne peut plus changer une fois la campagne ouverte.")
        if errors:
            raise ValidationError(errors)

    def rules_broken_as(self, status: str) -> list[str]:
        """What :meth:`clean` would refuse if the campaign were in ``status`` now (French sentences)."""
        current = self.status
        self.status = status
        try:
            self.clean()
        except ValidationError as error:
            return error.messages
        finally:
            self.status = current
        return []

    # --- Workflow (who may move it: surveys.permissions; what a move owes: surveys.services) ------

    workflow = Workflow(field="status", states=CampaignStatus)

    def _ready_to_open(self, user) -> list[str]:
        if not self.points.exists():
            return ["Choisissez au moins une structure participante avant d'ouvrir la campagne."]
        if not Question.objects.filter(section__questionnaire_id=self.questionnaire_id).exists():
            return ["Le questionnaire de cette campagne n'a aucune question."]
        broken = self.rules_broken_as(CampaignStatus.OPEN)  # e.g. its closing date went by
        return ["La campagne ne peut pas être ouverte. " + " ".join(broken)] if broken else []

    @workflow.transition(
        source=[CampaignStatus.DRAFT],
        target=CampaignStatus.OPEN,
        permission="surveys.permissions.can_manage_campaign",
        guard=_ready_to_open,
        label="Ouvrir la campagne",
        action="ouvrir",
        wrong_state="Seule une campagne en brouillon peut être ouverte.",
    )
    def open(self, user, **_) -> None:
        """brouillon → ouverte: its links accept answers between its dates."""

    @workflow.transition(
        source=[CampaignStatus.OPEN],
        target=CampaignStatus.CLOSED,
        permission="surveys.permissions.can_manage_campaign",
        label="Clore la campagne",
        action="clore",
        wrong_state="Seule une campagne ouverte peut être close.",
        by_system=True,
    )
    def close(self, user, **_) -> None:
        """ouverte → close, by whoever runs it or by the hourly pass past its closing date."""

    def is_accepting_answers(self, today) -> bool:
        return self.status == CampaignStatus.OPEN and self.opens_on <= today <= self.closes_on

    @property
    def scope_label(self) -> str:
        return self.region.name if self.region_id else "Tout le réseau"


# What no longer changes once a campaign is open (answers refer to them): field name -> column.
FROZEN_ONCE_OPEN = {
    "questionnaire": "questionnaire_id",
    "audience": "audience",
    "region": "region_id",
    "access_mode": "access_mode",
}
# (stored status, new status) a save may make: staying, or a move of the workflow (only forward).
ALLOWED_MOVES = {(status, status) for status in CampaignStatus} | {
    (source, transition.target) for transition in Campaign.workflow.transitions.values() for source in transition.source
}


class DistributionPoint(models.Model):
    """Where a campaign is distributed: one antenne (or mission locale), one short public link."""

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="points")
    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="survey_points"
    )
    code = models.CharField("code du lien", max_length=12, unique=True)
    target = models.PositiveIntegerField(
        "objectif de réponses", null=True, blank=True, help_text="Vide : part égale de l'objectif de la campagne."
    )

    class Meta:
        verbose_name = "point de diffusion"
        verbose_name_plural = "points de diffusion"
        ordering = ["campaign", "structure__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "structure"], name="point_unique_per_structure")]

    def __str__(self) -> str:
        return f"{self.structure.name} ({self.code})"


class AccessCode(models.Model):
    """A single-use code printed on a slip: it answers the campaign once, for its point."""

    point = models.ForeignKey(
        DistributionPoint, verbose_name="point de diffusion", on_delete=models.CASCADE, related_name="access_codes"
    )
    code = models.CharField("code", max_length=12, unique=True)
    batch = models.PositiveSmallIntegerField("lot", default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code à usage unique"
        verbose_name_plural = "codes à usage unique"
        ordering = ["point", "batch", "code"]

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    """One anonymous answer: no IP, no identifier beyond the campaign and the point of the link."""

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="responses")
    point = models.ForeignKey(
        DistributionPoint, verbose_name="point de diffusion", on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name="version du questionnaire", on_delete=models.PROTECT, related_name="+"
    )
    # The day only: a time of day could single out a visitor of a small antenne.
    submitted_on = models.DateField("date de réponse")
    # question code -> value (int, choice code, list of codes, text, {choice code: points}, "na").
    answers = models.JSONField("réponses")

    class Meta:
        verbose_name = "réponse"
        indexes = [models.Index(fields=["campaign", "point"])]

    def __str__(self) -> str:
        return f"Réponse n° {self.pk}"


class NodeLevel(models.TextChoices):
    NATION = "nation", "Ensemble du réseau"
    REGION = "region", "Région"
    ML = "ml", "Mission locale"
    ANTENNE = "antenne", "Antenne"
    OTHERS = "autres", "Regroupement"


class ResultNode(models.Model):
    """Stored aggregates of one group of a campaign, small-cell protection applied.

    ``figures`` is what pages, charts and exports show; for a hidden group it is
    empty and ``n`` is null, so no reader can show what must not be shown.
    """

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField("clé", max_length=40)
    level = models.CharField("niveau", max_length=10, choices=NodeLevel.choices)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    label = models.CharField("libellé", max_length=250)
    position = models.PositiveIntegerField("ordre", default=0)
    suppressed = models.BooleanField("masqué", default=False)
    n = models.PositiveIntegerField("nombre de réponses", null=True, blank=True)
    figures = models.JSONField("chiffres", default=dict)

    class Meta:
        verbose_name = "résultat agrégé"
        verbose_name_plural = "résultats agrégés"
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="result_node_unique_key")]

    def __str__(self) -> str:
        return self.label


# --- Locking and revisions ------------------------------------------------------------------------

# Fields whose change would break stored answers or their analysis once a questionnaire has answers.
# Wording (texts, help, scale labels, titles, order) stays editable.
STRUCTURAL_FIELDS = {
    Section: ("questionnaire_id",),
    Question: (
        "section_id",
        "code",
        "kind",
        "required",
        "dimension",
        "servqual_role",
        "servqual_item",
        "analysis_role",
        "allow_not_applicable",
        "min_value",
        "max_value",
        "points_total",
    ),
    Choice: ("question_id", "code", "is_key", "dimension"),
}


class QuestionnaireLocked(ValidationError):
    """A change that would break the answers already given: copy the questionnaire instead."""


def questionnaire_of(obj) -> Questionnaire | None:
    if isinstance(obj, Questionnaire):
        return obj
    if isinstance(obj, Section):
        return obj.questionnaire if obj.questionnaire_id else None
    if isinstance(obj, Question):
        return obj.section.questionnaire if obj.section_id else None
    if isinstance(obj, Choice):
        return obj.question.section.questionnaire if obj.question_id else None
    return None


def structural_changes(obj) -> list[str]:
    """Names of the structural fields of ``obj`` that differ from the database (all of them for a new object)."""
    fields = STRUCTURAL_FIELDS[type(obj)]
    if obj.pk is None:
        return list(fields)
    stored = type(obj).objects.filter(pk=obj.pk).values(*fields).first()
    if stored is None:
        return list(fields)
    return [name for name in fields if stored[name] != getattr(obj, name)]


def check_not_breaking(obj, *, deleting: bool = False) -> None:
    questionnaire = questionnaire_of(obj)
    if questionnaire is None or questionnaire.pk is None or not questionnaire.is_locked:
        return
    if deleting:
        raise QuestionnaireLocked(
            "Ce questionnaire a déjà des réponses : on ne peut plus en retirer d'élément. Copiez-le pour le modifier."
        )
    changed = structural_changes(obj)
    if changed:
        labels = ", ".join(str(type(obj)._meta.get_field(name.removesuffix("_id")).verbose_name) for name in changed)
        raise QuestionnaireLocked(
            f"Ce questionnaire a déjà des réponses : « {labels} » ne peut plus changer. Copiez-le pour le modifier."
        )
