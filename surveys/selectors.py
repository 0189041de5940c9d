"""Reads of the surveys app: campaign lists, collection follow-up, results prepared for display.

Results come from the stored :class:`~surveys.models.ResultNode` rows only;
the same view-models feed the pages, the charts and the PDF reports, and
:func:`export_rows` feeds CSV and XLSX — so a hidden figure is hidden
everywhere alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cnml.formatting import french_spacing
from cnml.models import Role, User
from cnml.permissions import active_users
from surveys import permissions
from surveys.charts import bar_chart
from surveys.models import (
    AnalysisRole,
    Campaign,
    CampaignStatus,
    DistributionPoint,
    NodeLevel,
    Response,
    ResultNode,
    StaffInvitation,
)

HEADLINE_LABELS = {
    AnalysisRole.ACCUEIL: "Très satisfaits de l'accueil",
    AnalysisRole.DELAI: "Reçus immédiatement à leur arrivée",
    AnalysisRole.RECOMMANDE: "Recommanderaient la mission locale",
}
HIDDEN = "masqué"
# Who a survey of professionals invites: the staff of missions locales, not animators nor the CNML.
STAFF_ROLES = (Role.CONSEILLER, Role.DIRECTEUR)


# --- Campaigns -----------------------------------------------------------------------------------


def campaigns_by_status(user) -> list[tuple[str, list[Campaign]]]:
    campaigns = list(
        permissions.readable_campaigns(user)
        .select_related("questionnaire", "region")
        .annotate(answers=Count("responses", distinct=True))
        .order_by("-opens_on", "title")
    )
    groups = []
    for status, label in (
        (CampaignStatus.OPEN, "Campagnes ouvertes"),
        (CampaignStatus.DRAFT, "Brouillons"),
        (CampaignStatus.CLOSED, "Campagnes closes"),
    ):
        members = [campaign for campaign in campaigns if campaign.status == status]
        if members:
            groups.append((label, members))
    return groups


def staff_to_invite(campaign: Campaign) -> QuerySet[User]:
    """Active staff of the campaign's participating structures (those with a point) not yet invited."""
    invited = StaffInvitation.objects.filter(campaign=campaign).values("user_id")
    return (
        active_users(*STAFF_ROLES)
        .filter(structure__survey_points__campaign=campaign, email__gt="")
        .exclude(pk__in=invited)
        .order_by("pk")
    )


@dataclass
class PointProgress:
    point: DistributionPoint
    answers: int
    target: int
    codes: int
    codes_used: int

    @property
    def rate(self) -> float | None:
        return 100 * self.answers / self.target if self.target else None

    @property
    def rate_capped(self) -> int:
        return min(100, round(self.rate or 0))


def points_progress(campaign: Campaign, points: QuerySet[DistributionPoint]) -> list[PointProgress]:
    """Answers per distribution point against its target (live counts while the campaign runs)."""
    all_points = campaign.points.count() or 1
    share = math.ceil(campaign.target / all_points)
    rows = []
    annotated = points.annotate(
        answers=Count("responses", distinct=True),
        codes=Count("access_codes", distinct=True),
        codes_used=Count("access_codes", filter=Q(access_codes__used_at__isnull=False), distinct=True),
    ).order_by("structure__code")
    for point in annotated:
        rows.append(
            PointProgress(
                point=point,
                answers=point.answers,
                target=point.target or share,
                codes=point.codes,
                codes_used=point.codes_used,
            )
        )
    return rows


# --- Results -------------------------------------------------------------------------------------


def top_node_for(user, campaign: Campaign) -> ResultNode | None:
    return permissions.readable_nodes(user, campaign).order_by("position").first()


def _questions(spec: dict | None) -> list[dict]:
    if not spec:
        return []
    return [question for section in spec["sections"] for question in section["questions"]]


def _fig(node: ResultNode | None) -> dict:
    return node.figures if node is not None and not node.suppressed else {}


def _headline(figures: dict, parent: dict) -> dict:
    headline, parent_headline = figures.get("headline", {}), parent.get("headline", {})
    cards = []
    for role, label in HEADLINE_LABELS.items():
        if role not in headline:
            continue
        value = headline.get(role)
        parent_value = parent_headline.get(role)
        cards.append(
            {
                "label": label,
                "pct": value["pct"] if value else None,
                "moe": value["moe"] if value else None,
                "n": value["n"] if value else None,
                "parent_pct": parent_value["pct"] if parent_value else None,
            }
        )
    heard = None
    if "connu" in headline:
        options = headline.get("connu")
        parent_options = {option["code"]: option for option in (parent_headline.get("connu") or [])}
        heard = {
            "hidden": options is None,
            "rows": [
                {
                    "label": french_spacing(option["label"]),
                    "count": option["count"],
                    "pct": option["pct"],
                    "moe": option["moe"],
                    "parent_pct": parent_options.get(option["code"], {}).get("pct"),
                }
                for option in options or []
            ],
        }
        if options:
            heard["chart"] = bar_chart(
                "Comment ils ont connu la mission locale",
                [(row["label"], row["pct"], row["parent_pct"]) for row in heard["rows"]],
            )
    return {"cards": cards, "heard": heard}


def _servqual(figures: dict, parent: dict, spec: dict | None) -> dict | None:
    servqual = figures.get("servqual")
    if servqual is None:
        return None
    parent_servqual = parent.get("servqual") or {}
    texts = {question["code"]: french_spacing(question["text"]) for question in _questions(spec)}
    parent_dimensions = {d["name"]: d for d in parent_servqual.get("dimensions", [])}
    parent_items = {i["item"]: i for i in parent_servqual.get("items", [])}
    dimensions = [d | {"parent_gap": parent_dimensions.get(d["name"], {}).get("gap")} for d in servqual["dimensions"]]
    items = [
        i
        | {"text": texts.get(i["code"], f"Item {i['item']}"), "parent_gap": parent_items.get(i["item"], {}).get("gap")}
        for i in servqual["items"]
    ]
    gaps = [abs(d["gap"]) for d in dimensions if d.get("gap") is not None] + [
        abs(d["parent_gap"]) for d in dimensions if d.get("parent_gap") is not None
    ]
    bound = max([2.0, *gaps])
    bound = math.ceil(bound)
    return {
        "dimensions": dimensions,
        "items": items,
        "overall": servqual.get("overall"),
        "weighted": servqual.get("weighted"),
        "parent_overall": (parent_servqual.get("overall") or {}).get("value"),
        "parent_weighted": (parent_servqual.get("weighted") or {}).get("value"),
        "chart": bar_chart(
            "Écart perception − attente par dimension",
            [(d["name"], d.get("gap"), d.get("parent_gap")) for d in dimensions],
            low=-bound,
            high=bound,
            percent=False,
            decimals=2,
        ),
    }


def _quality(figures: dict, parent: dict) -> dict | None:
    quality = figures.get("quality")
    if quality is None:
        return None
    parent_quality = parent.get("quality") or {}
    parent_dimensions = {d["name"]: d for d in parent_quality.get("dimensions", [])}
    dimensions = [
        d | {"parent_score": parent_dimensions.get(d["name"], {}).get("score"), "rank": None}
        for d in quality["dimensions"]
    ]
    for rank, name in enumerate(quality["priorities"], start=1):
        for d in dimensions:
            if d["name"] == name:
                d["rank"] = rank
    return {
        "dimensions": dimensions,
        "overall": quality.get("overall"),
        "parent_overall": parent_quality.get("overall"),
        "priorities": quality["priorities"],
        "chart": bar_chart(
            "Score par dimension (0 à 100)",
            [(d["name"], d.get("score"), d.get("parent_score")) for d in dimensions],
            percent=False,
        ),
    }


def _question_blocks(figures: dict, parent: dict, spec: dict | None) -> list[dict]:
    blocks = []
    questions, parent_questions = figures.get("questions", {}), parent.get("questions", {})
    for section in (spec or {}).get("sections", []):
        for question in section["questions"]:
            code = question["code"]
            if question["kind"] == "text" or code not in questions:
                continue
            value = questions.get(code)
            parent_value = parent_questions.get(code) or {}
            text = french_spacing(question["text"])
            block = {"code": code, "text": text, "section": french_spacing(section["title"]), "hidden": value is None}
            if value is not None:
                parent_rows = {row["code"]: row for row in parent_value.get("distribution", [])}
                rows = [
                    row
                    | {"label": french_spacing(row["label"]), "parent_pct": parent_rows.get(row["code"], {}).get("pct")}
                    for row in value.get("distribution", [])
                ]
                block |= {
                    "n": value["n"],
                    "na": value.get("na", 0),
                    "rows": rows,
                    "mean": value.get("mean"),
                    "mean_moe": value.get("mean_moe"),
                    "parent_mean": parent_value.get("mean"),
                    "points": value.get("points"),
                }
                if rows:
                    block["chart"] = bar_chart(text, [(row["label"], row["pct"], row["parent_pct"]) for row in rows])
            blocks.append(block)
    return blocks


def node_children(node: ResultNode) -> list[ResultNode]:
    return list(node.children.order_by("position"))


def _child_row(child: ResultNode) -> dict:
    figures = _fig(child)
    headline = figures.get("headline", {})
    accueil = headline.get(AnalysisRole.ACCUEIL)
    servqual = (figures.get("servqual") or {}).get("overall")
    quality = (figures.get("quality") or {}).get("overall")
    return {
        "node": child,
        "hidden": child.suppressed,
        "n": child.n,
        "accueil": accueil["pct"] if accueil else None,
        "servqual": servqual["value"] if servqual else None,
        "quality": quality["score"] if quality else None,
    }


def node_results(node: ResultNode, *, spec: dict | None) -> dict:
    """Everything a results page or PDF report shows for one group, compared with its parent."""
    parent = node.parent
    figures, parent_figures = _fig(node), _fig(parent)
    children = node_children(node)
    return {
        "node": node,
        "parent": parent,
        "parent_hidden": parent is not None and parent.suppressed,
        "headline": _headline(figures, parent_figures) if figures else None,
        "servqual": _servqual(figures, parent_figures, spec) if figures else None,
        "quality": _quality(figures, parent_figures) if figures else None,
        "questions": _question_blocks(figures, parent_figures, spec) if figures else [],
        "children": [_child_row(child) for child in children],
        "has_servqual_children": any(row["servqual"] is not None for row in map(_child_row, children)),
    }


def node_points(node: ResultNode) -> QuerySet[DistributionPoint]:
    """The distribution points whose answers make up a group."""
    points = DistributionPoint.objects.filter(campaign_id=node.campaign_id)
    if node.level == NodeLevel.NATION:
        return points
    if node.level == NodeLevel.REGION:
        return points.filter(structure__region_id=node.region_id)
    if node.key.startswith("siege-"):
        return points.filter(structure_id=node.structure_id)
    if node.level == NodeLevel.ML:
        return points.filter(Q(structure_id=node.structure_id) | Q(structure__parent_id=node.structure_id))
    if node.level == NodeLevel.ANTENNE:
        return points.filter(structure_id=node.structure_id)
    return points.none()


def node_comments(node: ResultNode, *, spec: dict | None) -> list[dict]:
    """Every free comment of a shown group, newest first (callers check permissions.can_read_comments).

    All of them: the page shows them a page at a time, the PDF report in full; none is dropped.
    """
    codes = [q["code"] for q in _questions(spec) if q["kind"] == "text"]
    if node.suppressed or not codes:
        return []
    comments = []
    responses = (
        Response.objects.filter(point__in=node_points(node))
        .order_by("-submitted_on", "-pk")
        .values_list("answers", flat=True)
    )
    for answers in responses.iterator(chunk_size=1000):
        for code in codes:
            text = answers.get(code)
            if text:
                comments.append({"code": code, "text": text})
    return comments


# --- Exports -------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "Niveau",
    "Code",
    "Groupe",
    "Groupe parent",
    "Réponses",
    "Indicateur",
    "Question",
    "Modalité",
    "Effectif",
    "Valeur",
    "Marge d'erreur à 95 %",
]


def _round(value, decimals=2):
    return None if value is None else round(value, decimals)


def _in_questionnaire_order(questions: dict, texts: dict) -> list[tuple[str, dict | None]]:
    """The stored figures of each question in the questionnaire's order (PostgreSQL's jsonb keeps its own)."""
    order = {code: index for index, code in enumerate(texts)}
    return sorted(questions.items(), key=lambda item: order.get(item[0], len(order)))


def export_rows(nodes: list[ResultNode], *, spec: dict | None) -> list[list]:
    """One row per figure of each group, in long format; hidden groups and figures say « masqué »."""
    texts = {question["code"]: question["text"] for question in _questions(spec)}
    rows = []
    for node in nodes:
        code = node.structure.code if node.structure_id else (node.region.code if node.region_id else "")
        base = [
            NodeLevel(node.level).label,
            code,
            node.label,
            node.parent.label if node.parent_id else "",
            HIDDEN if node.suppressed else node.n,
        ]
        if node.suppressed:
            rows.append([*base, "Tous les indicateurs", "", "", HIDDEN, HIDDEN, HIDDEN])
            continue
        figures = node.figures
        rows.append([*base, "Nombre de réponses", "", "", node.n, node.n, ""])
        rows += [[*base, *row] for row in _headline_rows(figures.get("headline", {}))]
        if figures.get("servqual"):
            rows += [[*base, *row] for row in _servqual_rows(figures["servqual"], texts)]
        if figures.get("quality"):
            rows += [[*base, *row] for row in _quality_rows(figures["quality"])]
        rows += [[*base, *row] for row in _question_rows(figures.get("questions", {}), texts)]
    return rows


# Each of the following gives the rows of one part of a group's figures, without the group's own columns:
# (indicator, question, modality, count, value, margin of error).
_HIDDEN_FIGURE = [HIDDEN, HIDDEN, HIDDEN]


def _figure_row(indicator: str, text: str, modality: str, figure: dict | None, key: str, decimals: int = 2) -> list:
    """The row of one figure (its count, its ``key`` value and its margin), or its hidden row when None."""
    if figure is None:
        return [indicator, text, modality, *_HIDDEN_FIGURE]
    return [indicator, text, modality, figure["n"], _round(figure[key], decimals), _round(figure["moe"], decimals)]


def _headline_rows(headline: dict) -> list[list]:
    return [
        _figure_row(label, "", "", headline[role], "pct", decimals=1)
        for role, label in HEADLINE_LABELS.items()
        if role in headline
    ]


def _servqual_rows(servqual: dict, texts: dict) -> list[list]:
    rows = []
    for item in servqual["items"]:
        indicator, text = f"SERVQUAL écart item {item['item']}", texts.get(item["code"], "")
        shown = item.get("gap") is not None
        rows.append(_figure_row(indicator, text, item["dimension"] if shown else "", item if shown else None, "gap"))
    for dimension in servqual["dimensions"]:
        shown = dimension.get("gap") is not None
        rows.append(_figure_row("SERVQUAL écart dimension", "", dimension["name"], dimension if shown else None, "gap"))
    for key, label in (("overall", "SERVQUAL score global"), ("weighted", "SERVQUAL score global pondéré")):
        rows.append(_figure_row(label, "", "", servqual.get(key), "value"))
    return rows


def _quality_rows(quality: dict) -> list[list]:
    rows = []
    for dimension in quality["dimensions"]:
        shown = dimension.get("score") is not None
        figure = dimension if shown else None
        rows.append(_figure_row("Score de dimension (0 à 100)", "", dimension["name"], figure, "score", decimals=1))
    overall = quality.get("overall")
    if overall:
        score, margin = _round(overall["score"], 1), _round(overall["score_moe"], 1)
        rows.append(["Satisfaction globale (0 à 100)", "", "", overall["n"], score, margin])
    for rank, name in enumerate(quality["priorities"], start=1):
        rows.append([f"Priorité d'amélioration n° {rank}", "", name, "", "", ""])
    return rows


def _question_rows(questions: dict, texts: dict) -> list[list]:
    rows = []
    for question_code, value in _in_questionnaire_order(questions, texts):
        text = texts.get(question_code, question_code)
        if value is None:
            rows.append(["Répartition", text, "", *_HIDDEN_FIGURE])
            continue
        for option in value.get("distribution", []):
            pct, margin = _round(option["pct"], 1), _round(option["moe"], 1)
            rows.append(["Répartition (%)", text, option["label"], option["count"], pct, margin])
        if value.get("mean") is not None:
            rows.append(["Moyenne", text, "", value["n"], _round(value["mean"]), _round(value.get("mean_moe"))])
        for part in value.get("points") or []:
            rows.append(["Points attribués (moyenne)", text, part["label"], value["n"], _round(part["mean"], 1), ""])
    return rows
