"""Reads of the mobility app: lists with the user's scope, budgets, indicator roll-ups.

Indicators come from **approved** reports only, of mobility platforms only (the reporting of that
theme). They roll up from each project to its call, its region and the nation (every project the
reader may see).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, QuerySet, Sum

from cnml.models import Region
from cnml.querysets import filter_given
from mobility import permissions
from mobility.models import (
    AGE_FIELDS,
    COUNT_FIELDS,
    OUTCOME_FIELDS,
    REFERRER_FIELDS,
    SEX_FIELDS,
    STAGE_LINE,
    ActivityReport,
    ApplicationStatus,
    BudgetLine,
    Call,
    CallTheme,
    Project,
    ReportStatus,
    Service,
    ServiceDelivery,
    Stage,
)

INDICATOR_GROUPS = [
    ("Personnes accompagnées selon le prescripteur", REFERRER_FIELDS),
    ("Selon le sexe", SEX_FIELDS),
    ("Selon l'âge", AGE_FIELDS),
    ("Diagnostics, code, permis et sorties", OUTCOME_FIELDS),
]


def indicator_label(name: str) -> str:
    return ActivityReport._meta.get_field(name).verbose_name


@dataclass
class IndicatorTotals:
    """Sums of the indicators of a set of reports."""

    reports: int = 0
    values: dict[str, int] = field(default_factory=dict)
    total_cost: Decimal = Decimal(0)
    # (service, quantity) in each service's own unit.
    services: list[tuple[Service, Decimal]] = field(default_factory=list)

    @property
    def people_total(self) -> int:
        return sum(self.values.get(name, 0) for name in REFERRER_FIELDS)

    @property
    def cost_per_person(self) -> Decimal | None:
        return (self.total_cost / self.people_total) if self.people_total else None

    def __getattr__(self, name: str) -> int:
        # totals.licences_obtained... (templates resolve attributes, not keys, on this object)
        if name in COUNT_FIELDS:
            return self.values.get(name, 0)
        raise AttributeError(name)

    def groups(self) -> list[tuple[str, list[tuple[str, str, int]]]]:
        """[(group title, [(field, label, value), ...]), ...] for tables."""
        return [
            (title, [(name, indicator_label(name), self.values.get(name, 0)) for name in names])
            for title, names in INDICATOR_GROUPS
        ]


def _sums() -> dict:
    return {**{name: Sum(name) for name in COUNT_FIELDS}, "cost": Sum("total_cost"), "count": Count("pk")}


def _totals(sums: dict, services: list[tuple[Service, Decimal]]) -> IndicatorTotals:
    return IndicatorTotals(
        reports=sums["count"] or 0,
        values={name: sums[name] or 0 for name in COUNT_FIELDS},
        total_cost=sums["cost"] or Decimal(0),
        services=services,
    )


def indicator_totals(reports: QuerySet[ActivityReport]) -> IndicatorTotals:
    deliveries = (
        ServiceDelivery.objects.filter(report__in=reports)
        .values("service")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    by_service = {row["service"]: row["quantity"] for row in deliveries}
    services = [(service, by_service[service.pk]) for service in Service.objects.filter(pk__in=by_service)]
    return _totals(reports.aggregate(**_sums()), services)


def indicator_totals_by(reports: QuerySet[ActivityReport], key: str) -> dict:
    """:func:`indicator_totals` for each value of ``key`` (a report's field or lookup), in three queries
    whatever the number of values (one set of queries per region or year was an N+1).

    A value without reports has no entry: ``.get(value) or empty_totals()``.
    """
    deliveries = (
        ServiceDelivery.objects.filter(report__in=reports)
        .values(group=F(f"report__{key}"), service_pk=F("service"))
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    quantities: dict = {}
    for row in deliveries:
        quantities.setdefault(row["group"], {})[row["service_pk"]] = row["quantity"]
    services = list(Service.objects.filter(pk__in={pk for by_service in quantities.values() for pk in by_service}))
    totals = {}
    for row in reports.values(key).annotate(**_sums()).order_by():
        by_service = quantities.get(row[key], {})
        totals[row[key]] = _totals(
            row, [(service, by_service[service.pk]) for service in services if service.pk in by_service]
        )
    return totals


def empty_totals() -> IndicatorTotals:
    return IndicatorTotals(values=dict.fromkeys(COUNT_FIELDS, 0))


def approved_reports(user, *, call: Call | None = None) -> QuerySet[ActivityReport]:
    projects = permissions.visible_projects(user)
    if call is not None:
        projects = projects.filter(call=call)
    return approved_reports_of(projects)


def approved_reports_of(projects: QuerySet[Project]) -> QuerySet[ActivityReport]:
    """The approved reports of ``projects``: mobility platforms' only, whose indicators they are
    (a project of another theme has no activity report, mobility.permissions.visible_reports)."""
    return ActivityReport.objects.filter(
        status=ReportStatus.APPROUVE, project__in=projects.values("pk"), project__call__theme=CallTheme.MOBILITE
    )


@dataclass
class RegionRollup:
    region: Region
    projects: int
    totals: IndicatorTotals


def rollup_by_region(projects: QuerySet[Project]) -> list[RegionRollup]:
    """Indicators of the approved reports of ``projects``, region by region."""
    projects = Project.objects.filter(pk__in=projects.values("pk"))
    counts = dict(projects.values_list("region").annotate(n=Count("pk")).order_by())
    totals = indicator_totals_by(approved_reports_of(projects), "project__region")
    return [
        RegionRollup(region=region, projects=counts[region.pk], totals=totals.get(region.pk) or empty_totals())
        for region in Region.objects.filter(pk__in=counts).order_by("name")
    ]


def public_call_rollup(call: Call) -> IndicatorTotals:
    """The call's aggregated results, published on its public page (no project detail)."""
    return indicator_totals(approved_reports_of(call.projects.all()))


def yearly_rollup(reports: QuerySet[ActivityReport]) -> list[tuple[int, IndicatorTotals]]:
    totals = indicator_totals_by(reports, "year")
    return sorted(totals.items())


# Projects -------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFilters:
    region: str = ""
    carrier_kind: str = ""
    service: str = ""
    theme: str = ""
    year: int | None = None


def projects_for(user, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    projects = permissions.visible_projects(user).select_related("call", "carrier", "region")
    filters = filters or ProjectFilters()
    projects = filter_given(
        projects,
        region__code=filters.region,
        carrier__kind=filters.carrier_kind,
        services_to_launch__code=filters.service,
        call__theme=filters.theme,
        call__year=filters.year,
    )
    return projects.prefetch_related("services_to_launch", "partners").order_by("call__year", "carrier__name")


def projects_by_region_code(projects: QuerySet[Project]) -> dict[str, int]:
    return dict(projects.values_list("region__code").annotate(n=Count("pk", distinct=True)).order_by())


def stage_board(user) -> list[tuple[str, str, list[Project]]]:
    """[(stage value, stage label, projects), ...] along the line of stages, then the stopped ones."""
    projects = permissions.visible_projects(user).select_related("call", "carrier", "region").order_by("carrier__name")
    by_stage: OrderedDict[str, list[Project]] = OrderedDict((stage, []) for stage in [*STAGE_LINE, Stage.ARRETE])
    for project in projects:
        by_stage[project.stage].append(project)
    return [(stage, Stage(stage).label, items) for stage, items in by_stage.items()]


# Budget ---------------------------------------------------------------------


@dataclass
class BudgetRow:
    funder: str
    planned: Decimal
    actual: Decimal

    @property
    def rate(self) -> Decimal | None:
        return (self.actual * 100 / self.planned) if self.planned else None

    @property
    def gap(self) -> Decimal:
        return self.actual - self.planned


def budget_by_funder(lines: QuerySet[BudgetLine]) -> tuple[list[BudgetRow], BudgetRow]:
    rows = [
        BudgetRow(funder=row["funder__name"], planned=row["planned"] or Decimal(0), actual=row["actual"] or Decimal(0))
        for row in lines.values("funder__name", "funder__order")
        .annotate(planned=Sum("planned_amount"), actual=Sum("actual_amount"))
        .order_by("funder__order", "funder__name")
    ]
    total = BudgetRow(
        funder="Total",
        planned=sum((row.planned for row in rows), Decimal(0)),
        actual=sum((row.actual for row in rows), Decimal(0)),
    )
    return rows, total


def budget_amendments(project: Project) -> list:
    """The amendments of a project's budget, latest first, with their lines (before → after) and deciders."""
    return list(
        project.budget_amendments.select_related("requested_by", "decided_by").prefetch_related("lines__funder")
    )


# Applications ---------------------------------------------------------------


def applications_for(user, *, call: Call | None = None, status: str = "") -> QuerySet:
    applications = permissions.visible_applications(user).select_related("call", "carrier__region", "created_by")
    applications = filter_given(applications, call=call, status=status)
    return applications.prefetch_related(Prefetch("reviews")).order_by("-call__year", "carrier__name")


def review_summary(application) -> dict:
    """Average score per criterion and overall, over the reviews of an application."""
    reviews = list(application.reviews.prefetch_related("scores__criterion").select_related("reviewer"))
    criteria = list(application.call.criteria.all())
    per_criterion = []
    for criterion in criteria:
        scores = [s.score for review in reviews for s in review.scores.all() if s.criterion_id == criterion.pk]
        average = Decimal(sum(scores)) / len(scores) if scores else None
        per_criterion.append((criterion, average))
    totals = [review.total for review in reviews]
    return {
        "reviews": reviews,
        "per_criterion": per_criterion,
        "average_total": (Decimal(sum(totals)) / len(totals)) if totals else None,
        "maximum": sum(criterion.max_score for criterion in criteria),
    }


def submitted_count(call: Call) -> int:
    return call.applications.exclude(status=ApplicationStatus.BROUILLON).count()


def own_applications(user) -> QuerySet:
    """The applications a user made or that their carriers made."""
    from django.db.models import Q

    return (
        permissions.visible_applications(user)
        .filter(Q(created_by=user) | Q(carrier__in=permissions.carriers_of(user)))
        .select_related("call", "carrier__region")
        .order_by("-call__year", "carrier__name")
    )


def call_envelope(call) -> dict | None:
    """The call's budget envelope against what its funders grant to the selected projects, or None
    when the call has no envelope (the mobility calls before 2012)."""
    if call.envelope is None:
        return None
    granted = call.granted_amount
    return {
        "caption": f"Enveloppe de l'{call.label}, accordé et reste, en euros",
        "envelope": call.envelope,
        "granted": granted,
        "left": call.envelope - granted,
        "over": max(granted - call.envelope, Decimal(0)),
    }


def envelope_if_selected(application) -> dict | None:
    """What selecting ``application`` would take from its call's envelope (what it asks of the call's
    funders), what is left of it, and by how much it would be overspent; None without an envelope.
    Selecting beyond the envelope stays the CNML's decision: this tells it before it decides."""
    call = application.call
    if call.envelope is None:
        return None
    asked = application.requested_amount
    left = call.envelope_left
    return {"asked": asked, "left": left, "over": max(asked - max(left, Decimal(0)), Decimal(0))}


def granted_to(project) -> Decimal:
    """What the project's call's funders grant it: its budget lines' planned amounts from them."""
    return project.budget_lines.granted_amount()
