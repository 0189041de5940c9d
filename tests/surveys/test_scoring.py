"""Scores against small examples computed by hand (docs/surveys.md definitions)."""

from __future__ import annotations

import math

import pytest

from surveys.scoring import Accumulator, Plan, compute_figures, percent_with_margin


def question(code, kind, **extra):
    base = {
        "code": code,
        "text": code,
        "help": "",
        "kind": kind,
        "required": True,
        "dimension": "",
        "servqual_role": "",
        "servqual_item": None,
        "role": "",
        "scale": {"likert7": [1, 7], "likert10": [1, 10], "likert5": [1, 5]}.get(kind),
        "min_label": "",
        "max_label": "",
        "na": False,
        "max_length": 1000,
        "min": None,
        "max": None,
        "total": 100,
        "choices": [],
    }
    return base | extra


def one_section(*questions) -> dict:
    """A questionnaire's spec of one section holding ``questions``."""
    return {"sections": [{"title": "S", "description": "", "questions": list(questions)}]}


def servqual_spec():
    items = []
    for number, dimension in ((1, "Tangibles"), (2, "Tangibles"), (3, "Fiabilité"), (4, "Fiabilité")):
        for role in ("E", "P"):
            items.append(
                question(
                    f"{role.lower()}{number}", "likert7", dimension=dimension, servqual_role=role, servqual_item=number
                )
            )
    weights = question(
        "poids",
        "points",
        servqual_role="W",
        choices=[
            {"code": "t", "label": "Tangibles", "key": False, "dimension": "Tangibles"},
            {"code": "f", "label": "Fiabilité", "key": False, "dimension": "Fiabilité"},
        ],
    )
    return one_section(*items, weights)


def all_units(plan, acc):
    return set(acc.unit_counts(plan))


def servqual_answers(expected, perceived, weights):
    answers = {f"e{i}": value for i, value in enumerate(expected, start=1)}
    answers |= {f"p{i}": value for i, value in enumerate(perceived, start=1)}
    answers["poids"] = {"t": weights[0], "f": weights[1]}
    return answers


def test_servqual_gaps_dimensions_overall_and_weighted_match_a_hand_computed_example():
    plan = Plan.from_spec(servqual_spec())
    acc = Accumulator()
    # Respondent 1: gaps −2, 0 | +1, −3 -> Tangibles −1, Fiabilité −1; weights 40/60 -> weighted −1.
    acc.add(plan, servqual_answers([7, 6, 5, 7], [5, 6, 6, 4], (40, 60)))
    # Respondent 2: gaps +1, +1 | 0, −2 -> Tangibles +1, Fiabilité −1; weights 20/80 -> 0.2 − 0.8 = −0.6.
    acc.add(plan, servqual_answers([6, 6, 6, 6], [7, 7, 6, 4], (20, 80)))
    figures = compute_figures(plan, acc, all_units(plan, acc))["servqual"]

    gaps = {item["item"]: item["gap"] for item in figures["items"]}
    assert gaps == pytest.approx({1: -0.5, 2: 0.5, 3: 0.5, 4: -2.5})
    item1 = figures["items"][0]
    assert item1["e"] == pytest.approx(6.5)
    assert item1["p"] == pytest.approx(6.0)
    # Gaps −2 and +1: s = √4,5; margin 1,96 × s / √2.
    assert item1["moe"] == pytest.approx(1.96 * math.sqrt(4.5) / math.sqrt(2))

    dimensions = {d["name"]: d for d in figures["dimensions"]}
    assert dimensions["Tangibles"]["gap"] == pytest.approx(0.0)  # mean of −0,5 and +0,5
    assert dimensions["Fiabilité"]["gap"] == pytest.approx(-1.0)  # mean of +0,5 and −2,5
    assert dimensions["Tangibles"]["weight"] == pytest.approx(30.0)  # (40 + 20) / 2 points
    assert dimensions["Fiabilité"]["weight"] == pytest.approx(70.0)
    assert figures["overall"]["value"] == pytest.approx(-0.5)  # mean of the two dimensions
    assert figures["weighted"]["value"] == pytest.approx(-0.8)  # mean of −1 and −0,6
    assert figures["weighted"]["n"] == 2


def oqm_spec():
    scale = {"min_label": "Très insatisfait(e)", "max_label": "Très satisfait(e)"}
    return one_section(
        question("a1", "likert10", dimension="Accessibilité", na=True, **scale),
        question("a2", "likert10", dimension="Accessibilité", na=True, **scale),
        question("b1", "likert10", dimension="Délais", na=True, **scale),
        question("s", "likert10", dimension="Satisfaction globale", role="satisfaction_globale", **scale),
        question("c", "likert10", dimension="Conséquences", role="consequence", **scale),
    )


def test_oqm_dimension_scores_share_of_high_marks_and_priorities_match_a_hand_computed_example():
    plan = Plan.from_spec(oqm_spec())
    assert set(plan.quality_dimensions) == {"Accessibilité", "Délais"}  # overall and consequences left out
    acc = Accumulator()
    acc.add(plan, {"a1": 10, "a2": 8, "b1": 4, "s": 9, "c": 9})
    acc.add(plan, {"a1": 7, "a2": "na", "b1": 2, "s": 6, "c": 5})
    acc.add(plan, {"a1": 4, "a2": 5, "b1": 1, "s": 3, "c": 2})
    figures = compute_figures(plan, acc, all_units(plan, acc))

    quality = figures["quality"]
    dimensions = {d["name"]: d for d in quality["dimensions"]}
    access, delays = dimensions["Accessibilité"], dimensions["Délais"]
    # Respondents' means 9, 7 (« ne s'applique pas » left out) and 4,5, rescaled (x − 1) / 9 × 100.
    assert access["score"] == pytest.approx((800 / 9 + 600 / 9 + 350 / 9) / 3)
    assert delays["score"] == pytest.approx((300 / 9 + 100 / 9 + 0) / 3)
    assert access["top_pct"] == pytest.approx(40.0)  # 10 and 8 among 10, 8, 7, 4, 5
    assert delays["top_pct"] == pytest.approx(0.0)
    # Correlations with overall satisfaction (9, 6, 3): by hand 13,5 / √183 and 9 / √84.
    assert access["r"] == pytest.approx(13.5 / math.sqrt(183))
    assert delays["r"] == pytest.approx(9 / math.sqrt(84))
    assert access["priority"] == pytest.approx(13.5 / math.sqrt(183) * (100 - access["score"]))
    # Délais: low score, strong link with satisfaction -> first priority.
    assert quality["priorities"] == ["Délais", "Accessibilité"]
    overall = quality["overall"]
    assert overall["mean"] == pytest.approx(6.0)
    assert overall["score"] == pytest.approx(500 / 9)
    assert overall["top_pct"] == pytest.approx(100 / 3)
    assert figures["questions"]["a2"]["na"] == 1
    assert figures["questions"]["a2"]["n"] == 2


def test_percentage_margin_of_error_is_the_95_percent_normal_approximation():
    pct, moe = percent_with_margin(46, 100)
    assert pct == pytest.approx(46.0)
    assert moe == pytest.approx(100 * 1.96 * math.sqrt(0.46 * 0.54 / 100))


def test_headline_share_counts_the_key_answer_of_each_headline_question():
    spec = one_section(
        question(
            "accueil",
            "single",
            role="accueil",
            choices=[
                {"code": "tres", "label": "Très satisfait(e)", "key": True, "dimension": ""},
                {"code": "plutot", "label": "Plutôt satisfait(e)", "key": False, "dimension": ""},
            ],
        ),
        question("recommande", "yes_no", role="recommande"),
    )
    plan = Plan.from_spec(spec)
    acc = Accumulator()
    for accueil, recommande in [("tres", "oui"), ("tres", "non"), ("plutot", "oui"), ("plutot", "nsp")]:
        acc.add(plan, {"accueil": accueil, "recommande": recommande})
    headline = compute_figures(plan, acc, all_units(plan, acc))["headline"]
    assert headline["accueil"]["pct"] == pytest.approx(50.0)
    assert headline["recommande"]["pct"] == pytest.approx(50.0)


def test_accumulators_add_up_like_their_responses():
    plan = Plan.from_spec(servqual_spec())
    first, second, both = Accumulator(), Accumulator(), Accumulator()
    answers = [
        servqual_answers([7, 6, 5, 7], [5, 6, 6, 4], (40, 60)),
        servqual_answers([6, 6, 6, 6], [7, 7, 6, 4], (20, 80)),
    ]
    first.add(plan, answers[0])
    second.add(plan, answers[1])
    for item in answers:
        both.add(plan, item)
    merged = Accumulator.combine([first, second])
    assert compute_figures(plan, merged, all_units(plan, merged)) == compute_figures(plan, both, all_units(plan, both))


def test_a_figure_whose_unit_is_not_shown_is_none():
    plan = Plan.from_spec(servqual_spec())
    acc = Accumulator()
    acc.add(plan, servqual_answers([7, 6, 5, 7], [5, 6, 6, 4], (40, 60)))
    figures = compute_figures(plan, acc, {"group"})
    assert all(value is None for value in figures["questions"].values())
    assert all(item["gap"] is None for item in figures["servqual"]["items"])
    assert figures["servqual"]["overall"] is None
    assert figures["servqual"]["weighted"] is None
