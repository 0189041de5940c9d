"""Aggregation of a campaign's answers into stored, protected results (:class:`~surveys.models.ResultNode`).

1. The tree of groups: nation (national campaigns) → region → mission locale →
   antenne; each distribution point is a leaf (a mission locale's own point
   becomes a « siège » leaf when its antennes also have points).
2. One pass over the answers adds each to its leaf's :class:`Accumulator`;
   groups are sums of their children. (A variant of the pass in SQL was removed:
   it took more CPU in all than this one, docs/performance.md, « Agrégation ».)
3. Small-cell protection (:mod:`surveys.suppression`) decides, for the group
   and for every figure's own count, what may be shown; hidden siblings that
   may be shown together become a remainder node (« autres antennes »).
4. The figures of every shown group are computed and stored; hidden groups are
   stored without figures. Pages, charts and exports only read these rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Value
from django.utils import timezone

from cnml.models import Structure, StructureKind
from surveys.accumulator import Accumulator, Plan, Summary
from surveys.models import Campaign, CampaignScope, NodeLevel, Response, ResultNode
from surveys.scoring import compute_figures
from surveys.spec import current_version
from surveys.suppression import THRESHOLD, remainder_groups, suppress

# Answers fetched per round trip while they stream (a server-side cursor on PostgreSQL): a SERVQUAL
# answer is about 700 bytes of JSON, so the bench's 100 000 answers come in 20 fetches of 3,5 MB.
ANSWERS_PER_FETCH = 5000
# Result rows per INSERT: a SERVQUAL group's figures are about 43 kB of JSON (bench/surveys.py,
# 06/12/2026), so one statement stays near 4 MB; the bench's national campaign (156 groups) takes 2.
RESULT_ROWS_PER_INSERT = 100

REMAINDER_LABELS = {
    NodeLevel.REGION: "Autres régions (regroupées)",
    NodeLevel.ML: "Autres missions locales (regroupées)",
    NodeLevel.ANTENNE: "Autres antennes (regroupées)",
}


@dataclass
class Node:
    key: str
    level: str
    label: str
    structure: Structure | None = None
    region_id: int | None = None
    children: list[str] = field(default_factory=list)
    parent: str | None = None
    acc: Accumulator = field(default_factory=Accumulator)


@dataclass
class AggregationReport:
    responses: int
    nodes: int
    hidden: int
    seconds: float


def _json(figures: dict) -> Value:
    """The figures as one SQL value: a multi-row INSERT then binds each as a string, instead of
    PostgreSQL's UNNEST of arrays, whose client-side quoting of large JSON documents is slow."""
    return Value(figures, output_field=models.JSONField())


def build_tree(campaign: Campaign) -> tuple[str, dict[str, Node], dict[int, str]]:
    """(root key, nodes by key, leaf key by distribution point id)."""
    nodes: dict[str, Node] = {}

    def add(node: Node, parent: str | None) -> Node:
        if node.key not in nodes:
            nodes[node.key] = node
            node.parent = parent
            if parent:
                nodes[parent].children.append(node.key)
        return nodes[node.key]

    if campaign.scope == CampaignScope.NATION:
        root = add(Node("nation", NodeLevel.NATION, "Ensemble du réseau"), None).key
    else:
        region = campaign.region
        root = add(Node(f"region-{region.code}", NodeLevel.REGION, region.name, region_id=region.pk), None).key

    points = list(campaign.points.select_related("structure__region", "structure__parent__region"))
    points.sort(key=lambda point: point.structure.code)
    ml_codes_with_antennes = {
        point.structure.parent.code for point in points if point.structure.kind == StructureKind.ANTENNE
    }
    leaves: dict[int, str] = {}
    for point in points:
        structure = point.structure
        ml = structure.parent if structure.kind == StructureKind.ANTENNE else structure
        parent = root
        if campaign.scope == CampaignScope.NATION:
            region = ml.region
            parent = add(Node(f"region-{region.code}", NodeLevel.REGION, region.name, region_id=region.pk), root).key
        ml_node = add(Node(f"structure-{ml.code}", NodeLevel.ML, ml.name, structure=ml, region_id=ml.region_id), parent)
        if structure.kind == StructureKind.ANTENNE:
            leaf = add(
                Node(
                    f"structure-{structure.code}",
                    NodeLevel.ANTENNE,
                    structure.name,
                    structure=structure,
                    region_id=structure.region_id,
                ),
                ml_node.key,
            )
        elif ml.code in ml_codes_with_antennes:
            leaf = add(
                Node(
                    f"siege-{ml.code}",
                    NodeLevel.ANTENNE,
                    f"{ml.name} (siège)",
                    structure=ml,
                    region_id=ml.region_id,
                ),
                ml_node.key,
            )
        else:
            leaf = ml_node
        leaves[point.pk] = leaf.key
    return root, nodes, leaves


def _order(root: str, nodes: dict[str, Node]) -> list[str]:
    ordered, stack = [], [root]
    while stack:
        key = stack.pop()
        ordered.append(key)
        stack.extend(reversed(nodes[key].children))
    return ordered


def add_answers(campaign: Campaign, plan: Plan, point_acc: dict[int, Accumulator]) -> int:
    """The pass over the answers: each one added to its distribution point's accumulator; returns their number."""
    responses = 0
    for point_id, answers in (
        Response.objects.filter(campaign=campaign)
        .values_list("point_id", "answers")
        .iterator(chunk_size=ANSWERS_PER_FETCH)
    ):
        acc = point_acc.get(point_id)
        if acc is not None:
            acc.add(plan, answers)
            responses += 1
    return responses


def aggregate_campaign(campaign: Campaign) -> AggregationReport:
    """Recompute and store the results of ``campaign`` (all its answers so far)."""
    started = time.perf_counter()
    _, spec = current_version(campaign.questionnaire)
    plan = Plan.from_spec(spec)
    root, nodes, leaves = build_tree(campaign)

    leaf_accs = {key: nodes[key].acc for key in set(leaves.values())}
    point_acc = {point_id: leaf_accs[key] for point_id, key in leaves.items()}
    responses = add_answers(campaign, plan, point_acc)

    ordered = _order(root, nodes)
    _sum_children(ordered, nodes)
    protection = _protect(root, nodes, plan)
    rows, parents_of_rows, hidden_total = _result_rows(campaign, plan, ordered, nodes, protection)
    _store(campaign, rows, parents_of_rows, responses=responses, spec=spec)
    return AggregationReport(
        responses=responses, nodes=len(rows), hidden=hidden_total, seconds=time.perf_counter() - started
    )


def _sum_children(ordered: list[str], nodes: dict[str, Node]) -> None:
    """Each group's accumulator becomes the sum of its children's."""
    for key in reversed(ordered):  # children before parents
        node = nodes[key]
        for child in node.children:
            node.acc.merge(nodes[child].acc)


@dataclass
class Protection:
    """What small-cell protection decided (:mod:`surveys.suppression`) for every group of the tree."""

    units: list[str]
    summaries: dict[str, Summary]
    group_counts: dict[str, int]
    hidden_group: set[str]
    hidden_by_unit: dict[str, set[str]]
    remainders: dict[str, list[str]]


def _protect(root: str, nodes: dict[str, Node], plan: Plan) -> Protection:
    """The hidden groups, the hidden figures of each unit (its own count), the remainders that may be shown."""
    children = {key: node.children for key, node in nodes.items()}
    summaries = {key: node.acc.summary(plan) for key, node in nodes.items()}
    unit_counts = {key: node.acc.unit_counts(plan, summaries[key]) for key, node in nodes.items()}
    units = list(unit_counts[root])
    group_counts = {key: counts["group"] for key, counts in unit_counts.items()}
    hidden_group = suppress(root, children, group_counts)
    hidden_by_unit = {"group": hidden_group}
    for unit in units:
        if unit != "group":
            counts = {key: unit_counts[key][unit] for key in nodes}
            hidden_by_unit[unit] = suppress(root, children, counts, already_hidden=hidden_group)
    return Protection(
        units=units,
        summaries=summaries,
        group_counts=group_counts,
        hidden_group=hidden_group,
        hidden_by_unit=hidden_by_unit,
        remainders=remainder_groups(root, children, group_counts, hidden_group),
    )


def _result_rows(
    campaign: Campaign, plan: Plan, ordered: list[str], nodes: dict[str, Node], protection: Protection
) -> tuple[list[ResultNode], list[str | None], int]:
    """(the result rows in display order, each row's parent key, the number of hidden groups)."""
    rows: list[ResultNode] = []
    parents_of_rows: list[str | None] = []
    hidden_total = 0
    for key in ordered:
        node = nodes[key]
        hidden = key in protection.hidden_group or protection.group_counts[key] == 0
        shown_units = {unit for unit in protection.units if key not in protection.hidden_by_unit[unit]}
        figures = {} if hidden else compute_figures(plan, node.acc, shown_units, protection.summaries[key])
        rows.append(
            ResultNode(
                campaign=campaign,
                key=key,
                level=node.level,
                structure=node.structure,
                region_id=node.region_id,
                label=node.label,
                position=len(rows) + 1,
                suppressed=hidden,
                n=None if hidden else protection.group_counts[key],
                figures=_json(figures),
            )
        )
        parents_of_rows.append(node.parent)
        hidden_total += hidden
        if key in protection.remainders:
            rows.append(_remainder_row(campaign, plan, node, nodes, protection, position=len(rows) + 1))
            parents_of_rows.append(key)
    return rows, parents_of_rows, hidden_total


def _remainder_row(
    campaign: Campaign, plan: Plan, node: Node, nodes: dict[str, Node], protection: Protection, *, position: int
) -> ResultNode:
    """The hidden children of ``node`` shown together (« autres antennes »), with the figures that may be shown."""
    members = protection.remainders[node.key]
    member_set = set(members)
    acc = Accumulator.combine(nodes[member].acc for member in members)
    summary = acc.summary(plan)
    counts = acc.unit_counts(plan, summary)
    shown = {
        unit
        for unit in protection.units
        if {child for child in node.children if child in protection.hidden_by_unit[unit]} == member_set
        and counts[unit] >= THRESHOLD
    }
    child_level = nodes[members[0]].level
    return ResultNode(
        campaign=campaign,
        key=f"autres-{node.key}",
        level=NodeLevel.OTHERS,
        label=REMAINDER_LABELS.get(child_level, "Autres (regroupés)"),
        position=position,
        suppressed=False,
        n=acc.n,
        figures=_json(compute_figures(plan, acc, shown, summary) | {"members": len(members)}),
    )


def _store(
    campaign: Campaign, rows: list[ResultNode], parents_of_rows: list[str | None], *, responses: int, spec: dict
) -> None:
    """Replace the campaign's stored results in one transaction, on its locked row."""
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).select_for_update().first()
        ResultNode.objects.filter(campaign=campaign).delete()
        created = ResultNode.objects.bulk_create(rows, batch_size=RESULT_ROWS_PER_INSERT)
        by_key = {row.key: row for row in created}
        for row, parent in zip(created, parents_of_rows, strict=True):
            if parent:
                row.parent = by_key[parent]
        ResultNode.objects.bulk_update([row for row in created if row.parent_id or row.parent], ["parent"])
        Campaign.objects.filter(pk=campaign.pk).update(
            aggregated_at=timezone.now(), aggregated_responses=responses, results_spec=spec
        )
