"""Indicator snapshots (written by the recompute, :mod:`dashboard.recompute`).

A snapshot is one complete computation of every indicator, for every period,
scope (nation, region, structure) of the facts in place. Its values are written
in the same transaction that marks it computed: readers, which take the latest
*computed* snapshot, switch from one set of figures to the next atomically. A
snapshot left "computing" (its process was killed) has no values and is
ignored; the next recompute marks it failed.

A computed snapshot is provisional until a CNML reviewer validates it for
publication (``calcule`` → ``valide``, the :meth:`Snapshot.validate` transition of
:mod:`cnml.workflows`, logged in the audit trail); the public pages show the latest
validated snapshot only. Computing, failing and computed are the recompute's own
bookkeeping (:mod:`dashboard.recompute`), not decisions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import models
from django.db.models import F
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.models import NATIONAL_ROLES
from cnml.workflows import Workflow
from dashboard.models.facts import ExtractImport
from dashboard.periods import of_month_year

__all__ = ["PEERS_SCOPE", "IndicatorValue", "ScopeKind", "Snapshot", "SnapshotStatus"]

EXPLOITATION = "Exploitation CNML-COPEXEN"
# Said plainly by every page, export and PDF made from the demo's invented extract.
DEMO_DATA = "données de démonstration"


class SnapshotStatus(models.TextChoices):
    COMPUTING = "en_cours", "Calcul en cours"
    COMPUTED = "calcule", "Calculé"
    VALIDATED = "valide", "Validé"
    FAILED = "echoue", "Échoué"


# Snapshots whose figures are complete: provisional (computed) or published (validated).
COMPLETE_STATES = (SnapshotStatus.COMPUTED, SnapshotStatus.VALIDATED)


# Newest first: the extract's date, then when it was computed.
PUBLICATION_ORDER = (F("extracted_on").desc(nulls_last=True), F("computed_at").desc(nulls_last=True), "-pk")


class SnapshotQuerySet(models.QuerySet):
    def computed(self) -> SnapshotQuerySet:
        """Snapshots whose figures are complete, validated or not."""
        return self.filter(status__in=COMPLETE_STATES)

    def validated(self) -> SnapshotQuerySet:
        return self.filter(status=SnapshotStatus.VALIDATED)

    def latest_computed(self) -> Snapshot | None:
        """The figures signed-in readers see: the most recently computed snapshot."""
        return self.computed().order_by("-computed_at", "-pk").first()

    def latest_validated(self) -> Snapshot | None:
        """The published figures: among validated snapshots, the latest extract's, most recently computed.

        The same order as :meth:`Snapshot.publication_refusal`, which refuses to validate a
        snapshot that would come before the published one.
        """
        return self.validated().order_by(*PUBLICATION_ORDER).first()

    def latest_public(self) -> Snapshot | None:
        """What the public sees: the published figures, else the demo's (never validated, shown as such).

        A demonstration install has no validated figures: its public page shows the demo's
        invented ones under a « données de démonstration » banner rather than nothing.
        """
        return self.latest_validated() or self.computed().filter(data_demo=True).order_by("-computed_at", "-pk").first()


class Snapshot(models.Model):
    status = models.CharField("état", max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.COMPUTING)
    created_at = models.DateTimeField("commencé le", auto_now_add=True)
    computed_at = models.DateTimeField("calculé le", null=True, blank=True)
    failed_at = models.DateTimeField("échoué le", null=True, blank=True)
    error = models.TextField("erreur", blank=True)

    # Provenance, copied from the import whose facts were computed, so that the
    # published line never changes even if the import record goes.
    extract_import = models.ForeignKey(
        ExtractImport,
        verbose_name="import",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
    )
    source_label = models.CharField("source", max_length=200, blank=True)
    extracted_on = models.DateField("date d'extraction", null=True, blank=True)
    data_provisional = models.BooleanField("données provisoires", default=False)
    # Copied from the import: the demo's invented figures (never validated, shown as such).
    data_demo = models.BooleanField("données de démonstration", default=False)

    periods = models.JSONField("périodes", default=list, blank=True)
    # The indicator codes this snapshot was computed with (a snapshot keeps them when the
    # registry grows), and those among them the extract could not give (« non disponible »).
    indicators = models.JSONField("indicateurs calculés", default=list, blank=True)
    unavailable = models.JSONField("indicateurs non disponibles", default=list, blank=True)
    value_count = models.PositiveIntegerField("nombre de valeurs", default=0)
    # Structures of similar size, per year (see dashboard.recompute.peers): the size bands and
    # their members; the bands' references are values of scope kind PEERS.
    peer_groups = models.JSONField("groupes de structures de taille comparable", default=dict, blank=True)

    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = recorded_by("validé par")

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "calcul des indicateurs"
        verbose_name_plural = "calculs des indicateurs"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "computed_at"])]

    def __str__(self) -> str:
        if self.extracted_on:
            return f"Calcul n° {self.pk} (extraction du {self.extracted_on:%d/%m/%Y})"
        return f"Calcul n° {self.pk}"

    @property
    def is_computed(self) -> bool:
        """Its figures are complete (validated or not)."""
        return self.status in COMPLETE_STATES

    @property
    def is_validated(self) -> bool:
        return self.status == SnapshotStatus.VALIDATED

    @property
    def duration(self):
        if self.computed_at and self.created_at:
            return self.computed_at - self.created_at
        return None

    @property
    def provenance(self) -> str:
        """The line printed under every figure, as the newsletter prints it.

        "Source : Parcours 3, entrepôt national (données provisoires d'octobre 2011).
        Exploitation CNML-COPEXEN" — "provisoires" only when the import said the
        warehouse's data were provisional. Whether the CNML has validated the
        figures is a separate matter, flagged by the pages (:attr:`is_validated`).
        """
        if self.data_demo:
            extracted = f" (extraction fictive {of_month_year(self.extracted_on)})" if self.extracted_on else ""
            return (
                f"Source : {DEMO_DATA}, inventées pour essayer le tableau de bord{extracted} : "
                "elles ne décrivent aucune mission locale réelle."
            )
        source = self.source_label or "Parcours 3, entrepôt national"
        if self.extracted_on is None:
            return f"Source : {source}. {EXPLOITATION}"
        data = "données provisoires" if self.data_provisional else "données"
        return f"Source : {source} ({data} {of_month_year(self.extracted_on)}). {EXPLOITATION}"

    @staticmethod
    def user_may_validate(user) -> bool:
        """Only CNML roles (relecteur CNML, administrateur) validate figures for publication."""
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and user.is_active
            and (getattr(user, "role", None) in NATIONAL_ROLES or user.is_superuser)
        )

    def _publication_key(self) -> tuple:
        return (self.extracted_on or date.min, self.computed_at or datetime.min.replace(tzinfo=UTC))

    def publication_refusal(self, published: Snapshot | None) -> str | None:
        """Why this snapshot cannot be validated over ``published`` (the latest validated one), in French.

        None when it can: computed, not validated yet, and not older than the published
        figures — an older extract, or an older computation of the same extract, would
        otherwise replace newer figures (or be validated without ever being shown).
        """
        if not self.is_computed:
            return f"Le calcul n° {self.pk} n'est pas terminé : il ne peut pas être validé."
        if self.is_validated:
            return f"Le calcul n° {self.pk} est déjà validé."
        if self.data_demo:
            return (
                f"Le calcul n° {self.pk} porte sur des {DEMO_DATA} (inventées) : "
                "le CNML ne les valide pas, elles sont montrées comme telles."
            )
        if published is None or published.pk == self.pk or self._publication_key() >= published._publication_key():
            return None
        if self.extracted_on != published.extracted_on:
            extracted = (
                f"l'extraction du {self.extracted_on:%d/%m/%Y}" if self.extracted_on else "une extraction sans date"
            )
            return (
                f"Le calcul n° {self.pk} porte sur {extracted}, antérieure à celle des chiffres "
                f"publiés (calcul n° {published.pk}, extraction du {published.extracted_on:%d/%m/%Y}) : "
                "il ne peut pas les remplacer."
            )
        return (
            f"Le calcul n° {self.pk} est antérieur au calcul n° {published.pk} déjà publié pour la même extraction : "
            "validez le calcul le plus récent."
        )

    # Workflow ------------------------------------------------------------------

    workflow = Workflow(
        field="status",
        states=SnapshotStatus,
        refused_by_role="Seuls les relecteurs CNML et les administrateurs valident les chiffres.",
        wrong_state=lambda snapshot: snapshot.publication_refusal(None),
    )

    def _not_older_than_published(self, user) -> list[str]:
        refusal = self.publication_refusal(Snapshot.objects.latest_validated())
        return [refusal] if refusal else []

    @workflow.transition(
        source=[SnapshotStatus.COMPUTED],
        target=SnapshotStatus.VALIDATED,
        permission=lambda user, snapshot: snapshot.user_may_validate(user),
        guard=_not_older_than_published,
        label="Valider pour publication",
        action="valider",
    )
    def validate(self, user, **_) -> None:
        """calcule → valide: the figures are published, with who validated them and when.

        Serialised with every other validation by :func:`dashboard.publication.snapshot_validate`,
        which locks the computed snapshots first: the guard compares with what is published then.
        """
        self.validated_at = timezone.now()
        self.validated_by = user


class ScopeKind(models.TextChoices):
    NATIONAL = "national", "France entière"
    REGION = "region", "Région"
    STRUCTURE = "structure", "Structure"


# The values of a group of structures of similar size (code "<year>-<band>", see
# dashboard.recompute.peers): a scope of the values only, never of an objective or a page.
PEERS_SCOPE = "pairs"
VALUE_SCOPE_CHOICES = [*ScopeKind.choices, (PEERS_SCOPE, "Structures de taille comparable")]


# What a recompute stores of each value, in its order (the row lists of dashboard/recompute/values.py),
# and what the pages read back.
VALUE_FIELDS = (
    "scope_kind",
    "scope_code",
    "period",
    "indicator",
    "value",
    "numerator",
    "denominator",
    "rank",
    "rank_count",
    "rank_ex_aequo",
)


class IndicatorValue(models.Model):
    """One figure: an indicator, for a period, for a scope, in a snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values")
    scope_kind = models.CharField("périmètre", max_length=10, choices=VALUE_SCOPE_CHOICES)
    # Region code, structure code, a peer group's code, or "" for the nation.
    scope_code = models.CharField("code du périmètre", max_length=20, blank=True)
    period = models.CharField("période", max_length=7)
    indicator = models.CharField("indicateur", max_length=60)
    # A count, or a rate in % (None when its denominator is 0).
    value = models.FloatField("valeur", null=True, blank=True)
    # Rates only: the counts they are made of.
    numerator = models.BigIntegerField("numérateur", null=True, blank=True)
    denominator = models.BigIntegerField("dénominateur", null=True, blank=True)
    # Rates of structures only: position among all structures (1 = best), out of rank_count.
    rank = models.PositiveIntegerField("rang", null=True, blank=True)
    rank_count = models.PositiveIntegerField("nombre de structures classées", null=True, blank=True)
    # Another structure has the same value, hence the same rank: « 2e ex aequo ».
    rank_ex_aequo = models.BooleanField("ex aequo", default=False, db_default=False)

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "scope_kind", "scope_code", "period", "indicator"],
                name="indicatorvalue_unique_per_snapshot",
            )
        ]
        indexes = [models.Index(fields=["snapshot", "indicator", "period", "scope_kind"])]

    def __str__(self) -> str:
        scope = self.scope_code or "national"
        return f"{self.indicator} {self.period} {scope} = {self.value}"

    @property
    def quartile(self) -> int | None:
        """1 for the best quarter of structures, 4 for the last."""
        return quartile(self.rank, self.rank_count)


def quartile(rank: int | None, rank_count: int | None) -> int | None:
    """The quartile of a rank among ``rank_count`` structures: 1 for the best quarter, 4 for the last; None unranked."""
    if not rank or not rank_count:
        return None
    # By percentile rank, so that the best is always in the 1st quartile and the last in the 4th.
    if rank_count == 1:
        return 1
    return min(4, 4 * (rank - 1) // (rank_count - 1) + 1)
