"""Additive statistics of a group of answers: what to count for a questionnaire (:class:`Plan`) and the counts
themselves (:class:`Accumulator`), from which :mod:`surveys.scoring` computes the figures.

Aggregation keeps *additive* statistics per group (counts, sums, sums of
squares, cross-products), so that a mission locale is the sum of its antennes,
a region the sum of its missions locales, and a remainder (« autres
antennes ») the sum of its hidden members — each group read once
(docs/surveys.md, « Aggregation »).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from surveys.answering import NOT_APPLICABLE

SCALE_KINDS = ("likert5", "likert7", "likert10")


@dataclass
class Plan:
    """What to compute for a questionnaire, derived once from its spec (and laid out for speed)."""

    spec: dict
    questions: list[dict]
    by_code: dict[str, dict]
    # SERVQUAL: item -> (E code, P code, dimension); dimension names in order; weights question.
    servqual_items: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    servqual_dimensions: list[str] = field(default_factory=list)
    weights_code: str | None = None
    weights_dimension: dict[str, str] = field(default_factory=dict)
    # Quality dimensions (OQM-style): dimension -> scale question codes; the overall satisfaction question.
    quality_dimensions: dict[str, list[str]] = field(default_factory=dict)
    overall_code: str | None = None
    # Laid out for the per-answer loop.
    countable: frozenset = frozenset()
    multiple_codes: tuple = ()
    points_codes: tuple = ()
    text_codes: tuple = ()
    servqual_pairs: tuple = ()  # (item, E code, P code), grouped by dimension
    servqual_item_ids: tuple = ()
    servqual_slices: tuple = ()  # (dimension, start, end) into servqual_pairs
    quality_layout: tuple = ()  # (dimension, ((code, low, span, top threshold), ...))

    @classmethod
    def from_spec(cls, spec: dict) -> Plan:
        questions = [question for section in spec["sections"] for question in section["questions"]]
        plan = cls(spec=spec, questions=questions, by_code={question["code"]: question for question in questions})
        expectations, perceptions = {}, {}
        for question in questions:
            role = question["servqual_role"]
            if role == "E" and question["servqual_item"]:
                expectations[question["servqual_item"]] = question
            elif role == "P" and question["servqual_item"]:
                perceptions[question["servqual_item"]] = question
            elif role == "W" and question["kind"] == "points":
                plan.weights_code = question["code"]
                plan.weights_dimension = {
                    choice["code"]: choice["dimension"] or choice["label"] for choice in question["choices"]
                }
            elif question["role"] == "satisfaction_globale" and question["kind"] in SCALE_KINDS:
                plan.overall_code = question["code"]
            elif (
                question["kind"] in SCALE_KINDS
                and question["dimension"]
                and not role
                and question["role"] not in ("consequence", "satisfaction_globale")
            ):
                plan.quality_dimensions.setdefault(question["dimension"], []).append(question["code"])
        for item in sorted(set(expectations) & set(perceptions)):
            dimension = perceptions[item]["dimension"] or expectations[item]["dimension"]
            plan.servqual_items[item] = (expectations[item]["code"], perceptions[item]["code"], dimension)
            if dimension not in plan.servqual_dimensions:
                plan.servqual_dimensions.append(dimension)
        plan.countable = frozenset(
            q["code"] for q in questions if q["kind"] in (*SCALE_KINDS, "number", "single", "yes_no")
        )
        plan.multiple_codes = tuple(q["code"] for q in questions if q["kind"] == "multiple")
        plan.points_codes = tuple(q["code"] for q in questions if q["kind"] == "points")
        plan.text_codes = tuple(q["code"] for q in questions if q["kind"] == "text")
        pairs, slices = [], []
        for dimension in plan.servqual_dimensions:
            start = len(pairs)
            pairs += [(item, e, p) for item, (e, p, d) in plan.servqual_items.items() if d == dimension]
            slices.append((dimension, start, len(pairs)))
        plan.servqual_pairs, plan.servqual_slices = tuple(pairs), tuple(slices)
        plan.servqual_item_ids = tuple(item for item, _, _ in pairs)
        layout = []
        for dimension, codes in plan.quality_dimensions.items():
            entries = []
            for code in codes:
                low, high = plan.by_code[code]["scale"]
                entries.append((code, low, high - low, high - 2 if high == 10 else high - 1))
            layout.append((dimension, tuple(entries)))
        plan.quality_layout = tuple(layout)
        return plan

    @property
    def has_servqual(self) -> bool:
        return bool(self.servqual_items)


def _moments(counter: Counter) -> tuple[int, float, float]:
    n = s = ss = 0
    for value, count in counter.items():
        n += count
        s += value * count
        ss += value * value * count
    return n, float(s), float(ss)


@dataclass
class Summary:
    """The statistics of an accumulator in the shape the figures are computed from."""

    n: int
    questions: dict[str, dict]
    sq_items: dict[int, list[float]]
    sq_dims: dict[str, list[float]]
    sq_overall: list[float]
    sq_weighted: list[float]
    dims: dict[str, list[float]]
    dims_top: dict[str, list[int]]
    dims_corr: dict[str, list[float]]


# The accumulator's attributes that are ``Counter``s, merged by ``Counter.update``.
_COUNTERS = ("counts", "multiple", "multiple_n", "points", "points_n", "text_n", "sq_items")


class Accumulator:
    """Additive statistics of a group of responses (see the module docstring).

    Answers are *counted* — (question, value) pairs, (item, gap) pairs — with
    ``Counter.update``, which runs in C: one pass over 100 000 answers stays
    within seconds. Sums and sums of squares are derived from the counts by
    :meth:`summary`.
    """

    __slots__ = (
        "n",
        *_COUNTERS,
        "sq_dims",
        "sq_overall",
        "sq_weighted",
        "dims",
        "dims_top",
        "dims_corr",
    )

    def __init__(self) -> None:
        self.n = 0
        self.counts: Counter = Counter()  # (code, value) -> answers
        self.multiple: Counter = Counter()  # (code, choice) -> answers
        self.multiple_n: Counter = Counter()  # code -> respondents
        self.points: Counter = Counter()  # (code, choice) -> points
        self.points_n: Counter = Counter()
        self.text_n: Counter = Counter()
        self.sq_items: Counter = Counter()  # (item, gap) -> respondents
        self.sq_dims: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # respondent's mean gap
        self.sq_overall = [0, 0.0, 0.0]
        self.sq_weighted = [0, 0.0, 0.0]
        self.dims: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self.dims_top: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.dims_corr: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0, 0.0])

    def add(self, plan: Plan, answers: dict) -> None:
        """Add one response (its clean answers by question code)."""
        self.n += 1
        countable = plan.countable
        self.counts.update([item for item in answers.items() if item[0] in countable])
        for code in plan.multiple_codes:
            values = answers.get(code)
            if values:
                self.multiple_n[code] += 1
                self.multiple.update([(code, value) for value in values])
        for code in plan.points_codes:
            values = answers.get(code)
            if values:
                self.points_n[code] += 1
                points = self.points
                for choice, value in values.items():
                    key = (code, choice)
                    points[key] = points.get(key, 0) + value
        for code in plan.text_codes:
            if answers.get(code):
                self.text_n[code] += 1
        if plan.servqual_pairs:
            self._add_servqual(plan, answers)
        if plan.quality_layout:
            self._add_dimensions(plan, answers)

    def _add_servqual(self, plan: Plan, answers: dict) -> None:
        try:
            # Clean answers are ints or "na": a missing statement or "na" raises, and takes the slow path.
            gaps = [answers[p] - answers[e] for _, e, p in plan.servqual_pairs]
        except (KeyError, TypeError):
            return self._add_servqual_partial(plan, answers)
        self.sq_items.update(zip(plan.servqual_item_ids, gaps, strict=False))
        dimension_gaps = {}
        sq_dims = self.sq_dims
        for dimension, start, end in plan.servqual_slices:
            gap = sum(gaps[start:end]) / (end - start)
            dimension_gaps[dimension] = gap
            stats = sq_dims[dimension]
            stats[0] += 1
            stats[1] += gap
            stats[2] += gap * gap
        self._add_servqual_overall(plan, answers, dimension_gaps)

    def _add_servqual_partial(self, plan: Plan, answers: dict) -> None:
        """Slow path: some statements unanswered (or « ne s'applique pas » in an adapted copy)."""
        dimension_gaps = {}
        for dimension, start, end in plan.servqual_slices:
            gaps = []
            for item, e, p in plan.servqual_pairs[start:end]:
                expected, perceived = answers.get(e), answers.get(p)
                if type(expected) is int and type(perceived) is int:
                    gaps.append(perceived - expected)
                    self.sq_items[(item, perceived - expected)] += 1
            if gaps:
                gap = dimension_gaps[dimension] = sum(gaps) / len(gaps)
                stats = self.sq_dims[dimension]
                stats[0] += 1
                stats[1] += gap
                stats[2] += gap * gap
        if len(dimension_gaps) == len(plan.servqual_slices):
            self._add_servqual_overall(plan, answers, dimension_gaps)

    def _add_servqual_overall(self, plan: Plan, answers: dict, dimension_gaps: dict) -> None:
        overall = sum(dimension_gaps.values()) / len(dimension_gaps)
        self.sq_overall[0] += 1
        self.sq_overall[1] += overall
        self.sq_overall[2] += overall * overall
        weights = answers.get(plan.weights_code) if plan.weights_code else None
        if isinstance(weights, dict):
            total = sum(weights.values())
            if total > 0:
                mapping = plan.weights_dimension
                weighted = sum(
                    points * dimension_gaps.get(mapping.get(choice), 0.0) for choice, points in weights.items()
                )
                weighted /= total
                stats = self.sq_weighted
                stats[0] += 1
                stats[1] += weighted
                stats[2] += weighted * weighted

    def _add_dimensions(self, plan: Plan, answers: dict) -> None:
        overall = None
        if plan.overall_code:
            value = answers.get(plan.overall_code)
            if type(value) is int:
                low, high = plan.by_code[plan.overall_code]["scale"]
                overall = (value - low) / (high - low) * 100
        for dimension, entries in plan.quality_layout:
            total = answered = top = 0
            for code, low, span, threshold in entries:
                value = answers.get(code)
                if type(value) is int:
                    total += (value - low) / span * 100
                    answered += 1
                    top += value >= threshold
            if not answered:
                continue
            counts = self.dims_top[dimension]
            counts[0] += answered
            counts[1] += top
            score = total / answered
            stats = self.dims[dimension]
            stats[0] += 1
            stats[1] += score
            stats[2] += score * score
            if overall is not None:
                corr = self.dims_corr[dimension]
                corr[0] += 1
                corr[1] += score
                corr[2] += overall
                corr[3] += score * score
                corr[4] += overall * overall
                corr[5] += score * overall

    def merge(self, other: Accumulator) -> Accumulator:
        self.n += other.n
        for name in _COUNTERS:
            getattr(self, name).update(getattr(other, name))
        for source, target in (
            (other.sq_dims, self.sq_dims),
            (other.dims, self.dims),
            (other.dims_top, self.dims_top),
            (other.dims_corr, self.dims_corr),
        ):
            for key, values in source.items():
                mine = target[key]
                for index, value in enumerate(values):
                    mine[index] += value
        for index in range(3):
            self.sq_weighted[index] += other.sq_weighted[index]
            self.sq_overall[index] += other.sq_overall[index]
        return self

    @classmethod
    def combine(cls, accumulators) -> Accumulator:
        total = cls()
        for accumulator in accumulators:
            total.merge(accumulator)
        return total

    def summary(self, plan: Plan) -> Summary:
        questions: dict[str, dict] = {}

        def stats(code: str) -> dict:
            found = questions.get(code)
            if found is None:
                found = questions[code] = {"n": 0, "counts": {}, "s": 0.0, "ss": 0.0, "na": 0, "sums": {}}
            return found

        for (code, value), count in self.counts.items():
            entry = stats(code)
            if value == NOT_APPLICABLE:
                entry["na"] += count
                continue
            entry["n"] += count
            if isinstance(value, int):
                entry["s"] += value * count
                entry["ss"] += value * value * count
                if plan.by_code.get(code, {}).get("kind") != "number":
                    entry["counts"][str(value)] = entry["counts"].get(str(value), 0) + count
            else:
                entry["counts"][value] = entry["counts"].get(value, 0) + count
        for code, respondents in self.multiple_n.items():
            stats(code)["n"] = respondents
        for (code, choice), count in self.multiple.items():
            stats(code)["counts"][choice] = count
        for code, respondents in self.points_n.items():
            stats(code)["n"] = respondents
        for (code, choice), points in self.points.items():
            stats(code)["sums"][choice] = points
        for code, respondents in self.text_n.items():
            stats(code)["n"] = respondents

        by_item: dict[int, Counter] = defaultdict(Counter)
        for (item, gap), count in self.sq_items.items():
            by_item[item][gap] += count
        sq_items = {item: list(_moments(counter)) for item, counter in by_item.items()}
        return Summary(
            n=self.n,
            questions=questions,
            sq_items=sq_items,
            sq_dims={dimension: list(stats) for dimension, stats in self.sq_dims.items()},
            sq_overall=list(self.sq_overall),
            sq_weighted=list(self.sq_weighted),
            dims=dict(self.dims),
            dims_top=dict(self.dims_top),
            dims_corr=dict(self.dims_corr),
        )

    # --- Counts that decide what may be shown (see surveys.suppression) ---

    def unit_counts(self, plan: Plan, summary: Summary | None = None) -> dict[str, int]:
        summary = summary or self.summary(plan)
        counts = {"group": self.n}
        for question in plan.questions:
            stats = summary.questions.get(question["code"])
            counts[f"q:{question['code']}"] = stats["n"] + stats["na"] if stats else 0
        for item in plan.servqual_items:
            counts[f"sq:item:{item}"] = int(summary.sq_items.get(item, [0])[0])
        for dimension in plan.servqual_dimensions:
            counts[f"sq:dim:{dimension}"] = int(summary.sq_dims.get(dimension, [0])[0])
        counts["sq:overall"] = int(summary.sq_overall[0])
        counts["sq:weighted"] = int(summary.sq_weighted[0])
        for dimension in plan.quality_dimensions:
            counts[f"dim:{dimension}"] = int(summary.dims.get(dimension, [0])[0])
        return counts
