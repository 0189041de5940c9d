"""Scores of a group of answers: distributions, headline figures, SERVQUAL gaps, OQM dimension scores.

Computed from the *additive* statistics of the group (:mod:`surveys.accumulator`:
counts, sums, sums of squares, cross-products), so that a mission locale is the
sum of its antennes, a region the sum of its missions locales, and a remainder
(« autres antennes ») the sum of its hidden members — each group read once.

Definitions (docs/surveys.md):

- SERVQUAL gap of an item = mean over respondents of P − E; dimension score =
  mean of its item gaps; overall score = mean of the dimension scores;
  weighted score = mean over respondents of Σ (points of the dimension / 100)
  × the respondent's gap for that dimension (Parasuraman, Zeithaml & Berry).
- OQM-style dimension score = mean over respondents of their mean answer in
  the dimension, rescaled to 0–100 ((x − min) / (max − min) × 100), « ne
  s'applique pas » left out; share of 8–10 answers; priority of a dimension =
  its importance (correlation of the respondent's dimension score with the
  overall satisfaction, negatives taken as 0) × its room for improvement
  (100 − score).
- Percentages carry their 95 % margin of error, 1.96 × √(p(1 − p) / n), in
  points; means carry 1.96 × s / √n.
"""

from __future__ import annotations

import math

from surveys.accumulator import SCALE_KINDS, Accumulator, Plan, Summary
from surveys.answering import YES_NO_CHOICES

__all__ = [
    "Accumulator",
    "Plan",
    "Summary",
    "compute_figures",
    "correlation",
    "mean_with_margin",
    "percent_with_margin",
    "question_figures",
]

Z95 = 1.96
HEADLINE_ROLES = ("accueil", "delai", "recommande")


def percent_with_margin(count: int, n: int) -> tuple[float | None, float | None]:
    if not n:
        return None, None
    p = count / n
    return 100 * p, 100 * Z95 * math.sqrt(p * (1 - p) / n)


def mean_with_margin(n: int, total: float, squares: float) -> tuple[float | None, float | None]:
    if not n:
        return None, None
    mean = total / n
    if n < 2:
        return mean, None
    variance = max(0.0, (squares - total * total / n) / (n - 1))
    return mean, Z95 * math.sqrt(variance) / math.sqrt(n)


def correlation(stats: list[float]) -> float | None:
    n, sx, sy, sxx, syy, sxy = stats
    if n < 3:
        return None
    cov = sxy - sx * sy / n
    vx = sxx - sx * sx / n
    vy = syy - sy * sy / n
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return cov / math.sqrt(vx * vy)


def question_figures(question: dict, stats: dict | None) -> dict:
    """Distribution of one question: each choice's count and percentage with its margin of error."""
    stats = stats or {"n": 0, "counts": {}, "s": 0.0, "ss": 0.0, "na": 0, "sums": {}}
    kind, n = question["kind"], stats["n"]
    figures: dict = {"n": n, "na": stats["na"]}
    if kind in SCALE_KINDS:
        low, high = question["scale"]
        options = [(str(value), str(value)) for value in range(low, high + 1)]
        if question["min_label"]:
            options[0] = (options[0][0], f"{low} — {question['min_label']}")
        if question["max_label"]:
            options[-1] = (options[-1][0], f"{high} — {question['max_label']}")
    elif kind == "yes_no":
        options = YES_NO_CHOICES
    elif kind in ("single", "multiple"):
        options = [(choice["code"], choice["label"]) for choice in question["choices"]]
    else:
        options = []
    if options:
        figures["distribution"] = []
        for code, label in options:
            count = stats["counts"].get(code, 0)
            pct, moe = percent_with_margin(count, n)
            figures["distribution"].append({"code": code, "label": label, "count": count, "pct": pct, "moe": moe})
    if kind in SCALE_KINDS or kind == "number":
        figures["mean"], figures["mean_moe"] = mean_with_margin(n, stats["s"], stats["ss"])
    if kind == "points":
        figures["points"] = [
            {
                "code": choice["code"],
                "label": choice["label"],
                "mean": stats["sums"].get(choice["code"], 0) / n if n else None,
            }
            for choice in question["choices"]
        ]
    return figures


def compute_figures(plan: Plan, accumulator: Accumulator, shown: set[str], summary: Summary | None = None) -> dict:
    """Every figure of a group; ``shown`` is the set of units (:meth:`Accumulator.unit_counts`) that may be shown.

    A unit not shown gives ``None``: nothing to display, in pages, charts or exports alike.
    """
    summary = summary or accumulator.summary(plan)
    result: dict = {"n": summary.n, "questions": {}}
    for question in plan.questions:
        code = question["code"]
        shown_question = f"q:{code}" in shown
        result["questions"][code] = question_figures(question, summary.questions.get(code)) if shown_question else None
    result["headline"] = _headline(plan, summary, result["questions"])
    if plan.has_servqual:
        result["servqual"] = _servqual_figures(plan, summary, shown)
    if plan.quality_dimensions:
        result["quality"] = _quality_figures(plan, summary, shown)
    return result


def _headline(plan: Plan, summary: Summary, questions: dict) -> dict:
    """The headline figures: share of the key answers of each headline role, and how the ML was known."""
    headline = {}
    for question in plan.questions:
        role = question["role"]
        figures = questions[question["code"]]
        if role in HEADLINE_ROLES and role not in headline:
            if figures is None:
                headline[role] = None
                continue
            key_codes = [choice["code"] for choice in question["choices"] if choice["key"]]
            if question["kind"] == "yes_no":
                key_codes = ["oui"]
            counts = summary.questions[question["code"]]["counts"]
            count = sum(counts.get(code, 0) for code in key_codes)
            pct, moe = percent_with_margin(count, figures["n"])
            headline[role] = {"code": question["code"], "pct": pct, "moe": moe, "n": figures["n"]}
        elif role == "connu" and role not in headline:
            headline[role] = (
                None if figures is None else sorted(figures["distribution"], key=lambda option: -(option["count"]))
            )
    return headline


# --- SERVQUAL --------------------------------------------------------------------------------------


def _servqual_figures(plan: Plan, summary: Summary, shown: set[str]) -> dict:
    items, item_gaps_by_dimension = _servqual_items(plan, summary, shown)
    dimensions = _servqual_dimensions(plan, summary, shown, item_gaps_by_dimension)
    overall = None
    if "sq:overall" in shown and all(d["gap"] is not None for d in dimensions):
        _, moe = mean_with_margin(*summary.sq_overall)
        overall = {
            "value": sum(d["gap"] for d in dimensions) / len(dimensions),
            "moe": moe,
            "n": int(summary.sq_overall[0]),
        }
    weighted = None
    if "sq:weighted" in shown and summary.sq_weighted[0]:
        value, moe = mean_with_margin(*summary.sq_weighted)
        weighted = {"value": value, "moe": moe, "n": int(summary.sq_weighted[0])}
    return {"items": items, "dimensions": dimensions, "overall": overall, "weighted": weighted}


def _mean_answer(stats: dict | None) -> float | None:
    return stats["s"] / stats["n"] if stats and stats["n"] else None


def _servqual_items(plan: Plan, summary: Summary, shown: set[str]) -> tuple[list[dict], dict[str, list[float]]]:
    """(each item's gap P − E with its margin, the shown items' gaps by dimension)."""
    items = []
    item_gaps_by_dimension: dict[str, list[float]] = {}
    for item, (e_code, p_code, dimension) in plan.servqual_items.items():
        stats = summary.sq_items.get(item, [0, 0.0, 0.0])
        if f"sq:item:{item}" not in shown:
            items.append({"item": item, "dimension": dimension, "code": p_code, "gap": None})
            continue
        gap, moe = mean_with_margin(*stats)
        items.append(
            {
                "item": item,
                "dimension": dimension,
                "code": p_code,
                "e": _mean_answer(summary.questions.get(e_code)),
                "p": _mean_answer(summary.questions.get(p_code)),
                "gap": gap,
                "moe": moe,
                "n": int(stats[0]),
            }
        )
        if gap is not None:
            item_gaps_by_dimension.setdefault(dimension, []).append(gap)
    return items, item_gaps_by_dimension


def _servqual_dimensions(
    plan: Plan, summary: Summary, shown: set[str], item_gaps_by_dimension: dict[str, list[float]]
) -> list[dict]:
    """Each dimension's score (mean of its item gaps) and its weight (mean points given to it)."""
    weights = summary.questions.get(plan.weights_code) if plan.weights_code else None
    mean_points = {}
    if weights and weights["n"] and "sq:weighted" in shown:
        for choice, total in weights["sums"].items():
            mean_points[plan.weights_dimension.get(choice)] = total / weights["n"]
    dimensions = []
    for dimension in plan.servqual_dimensions:
        gaps = item_gaps_by_dimension.get(dimension)
        if f"sq:dim:{dimension}" not in shown or not gaps:
            dimensions.append({"name": dimension, "gap": None})
            continue
        _, moe = mean_with_margin(*summary.sq_dims[dimension])
        dimensions.append(
            {
                "name": dimension,
                "gap": sum(gaps) / len(gaps),
                "moe": moe,
                "n": int(summary.sq_dims[dimension][0]),
                "weight": mean_points.get(dimension),
            }
        )
    return dimensions


# --- Quality dimensions (OQM-style) ----------------------------------------------------------------


def _quality_figures(plan: Plan, summary: Summary, shown: set[str]) -> dict:
    dimensions = [_quality_dimension(summary, shown, dimension) for dimension in plan.quality_dimensions]
    ranked = sorted((d for d in dimensions if d.get("priority") is not None), key=lambda d: -d["priority"])
    return {
        "dimensions": dimensions,
        "overall": _overall_satisfaction(plan, summary, shown),
        "priorities": [d["name"] for d in ranked[:3]],
    }


def _quality_dimension(summary: Summary, shown: set[str], dimension: str) -> dict:
    """A dimension's 0–100 score, its share of top answers and its priority (importance × room to improve)."""
    if f"dim:{dimension}" not in shown or not summary.dims.get(dimension, [0])[0]:
        return {"name": dimension, "score": None}
    score, moe = mean_with_margin(*summary.dims[dimension])
    answered, top = summary.dims_top.get(dimension, [0, 0])
    top_pct, top_moe = percent_with_margin(top, answered)
    r = correlation(summary.dims_corr[dimension]) if dimension in summary.dims_corr else None
    importance = max(r, 0.0) if r is not None else None
    return {
        "name": dimension,
        "score": score,
        "moe": moe,
        "n": int(summary.dims[dimension][0]),
        "top_pct": top_pct,
        "top_moe": top_moe,
        "r": r,
        "priority": importance * (100 - score) if importance is not None else None,
    }


def _overall_satisfaction(plan: Plan, summary: Summary, shown: set[str]) -> dict | None:
    """The overall satisfaction question: its mean, rescaled to 0–100, and its share of top answers."""
    if not plan.overall_code or f"q:{plan.overall_code}" not in shown:
        return None
    stats = summary.questions.get(plan.overall_code)
    if not stats or not stats["n"]:
        return None
    low, high = plan.by_code[plan.overall_code]["scale"]
    mean, mean_moe = mean_with_margin(stats["n"], stats["s"], stats["ss"])
    top_threshold = high - 2 if high == 10 else high - 1
    top = sum(count for value, count in stats["counts"].items() if int(value) >= top_threshold)
    top_pct, top_moe = percent_with_margin(top, stats["n"])
    return {
        "mean": mean,
        "mean_moe": mean_moe,
        "score": (mean - low) / (high - low) * 100,
        "score_moe": mean_moe / (high - low) * 100 if mean_moe is not None else None,
        "top_pct": top_pct,
        "top_moe": top_moe,
        "top_label": f"{top_threshold} à {high}",
        "n": stats["n"],
    }
