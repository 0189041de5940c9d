"""Questionnaires as data: sections, questions, choices, the immutable versions answers point to,
and the lock that keeps a questionnaire with answers from changing anything but its wording."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Audience(models.TextChoices):
    JEUNES = "jeunes", "Jeunes"
    ENTREPRISES = "entreprises", "Entreprises"
    # Staff of the participating structures, invited by e-mail (surveys.invitations).
    PROFESSIONNELS = "professionnels", "Professionnels des missions locales"


class Instrument(models.TextChoices):
    SERVQUAL = "servqual", "SERVQUAL"
    OQM = "oqm", "Outil québécois de mesure (OQM)"
    PHARES = "phares", "Questions phares"
    EMPLOYEURS = "employeurs", "Employeurs"
    PROFESSIONNELS = "professionnels", "Professionnels"
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
    ACCUEIL = "accueil", "Chiffre clé : satisfaction de l'accueil"
    DELAI = "delai", "Chiffre clé : délai de réception"
    CONNU = "connu", "Chiffre clé : comment la mission locale a été connue"
    RECOMMANDE = "recommande", "Chiffre clé : recommandation"
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
        return self.campaigns.filter(responses__isnull=False).exists()

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
        "dimension", max_length=60, blank=True, help_text="Par exemple « Fiabilité » (SERVQUAL) ou « Délais » (OQM)."
    )
    servqual_role = models.CharField(
        "rôle SERVQUAL", max_length=1, choices=ServqualRole.choices, default=ServqualRole.NONE, blank=True
    )
    servqual_item = models.PositiveSmallIntegerField(
        "item SERVQUAL",
        null=True,
        blank=True,
        help_text="Numéro de l'énoncé (1 à 22) : apparie l'attente (E) et la perception (P).",
    )
    analysis_role = models.CharField(
        "rôle dans les résultats", max_length=30, choices=AnalysisRole.choices, default=AnalysisRole.NONE, blank=True
    )
    min_label = models.CharField("libellé de l'extrémité basse", max_length=80, blank=True)
    max_label = models.CharField("libellé de l'extrémité haute", max_length=80, blank=True)
    allow_not_applicable = models.BooleanField("« Ne s'applique pas » proposé", default=False)
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
        help_text="Pour un chiffre clé : la part des répondants ayant choisi cette réponse (« Très satisfait(e) »).",
    )
    dimension = models.CharField(
        "dimension", max_length=60, blank=True, help_text="Pour une répartition de points : la dimension pondérée."
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
            "Ce questionnaire a déjà des réponses : on ne peut plus en retirer d'élément. Copiez-le pour le modifier."
        )
    changed = structural_changes(obj)
    if changed:
        labels = ", ".join(str(type(obj)._meta.get_field(name.removesuffix("_id")).verbose_name) for name in changed)
        raise QuestionnaireLocked(
            f"Ce questionnaire a déjà des réponses : « {labels} » ne peut plus changer. Copiez-le pour le modifier."
        )
