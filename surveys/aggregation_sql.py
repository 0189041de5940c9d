"""The per-answer pass of the aggregation done by PostgreSQL (same statistics as the Python pass).

With ``SURVEYS_AGGREGATE_IN_DATABASE = True`` (PostgreSQL), :func:`fill_accumulators` lets the database read the answers
(``jsonb``) and return, per distribution point, the additive statistics of
:class:`~surveys.scoring.Accumulator`: counts of each (question, value),
respondents of multiple-choice, points and text questions, the SERVQUAL gaps
and per-respondent dimension, overall and weighted scores, the OQM-style
dimension scores and their cross-products with overall satisfaction. Nothing
is decoded in Python, which keeps 100 000 answers within seconds. The Python
pass (:meth:`Accumulator.add`) stays the reference — on SQLite and in the
tests that compare both on PostgreSQL.

Question codes and choice codes are always bound as parameters, never
written into the SQL.
"""

from __future__ import annotations

import json

from django.db import connection

from surveys.scoring import Accumulator, Plan


def _is_number(code_param: str) -> str:
    return f"jsonb_typeof(r.answers -> {code_param}) = 'number'"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fill_accumulators(campaign_id: int, plan: Plan, accumulators: dict[int, Accumulator]) -> int:
    """Fill the accumulators (by distribution point id); return the number of answers read."""
    responses = 0
    for point_id, count in _fetch(
        "SELECT point_id, count(*) FROM surveys_response WHERE campaign_id = %s GROUP BY point_id", [campaign_id]
    ):
        if point_id in accumulators:
            accumulators[point_id].n += count
            responses += count

    # Values of single-valued questions, and respondents of the others (non-empty answers). One pass
    # over every (key, value) of every answer; a value is kept for grouping only when it is a number or
    # a string outside the free-text questions (choices, « ne s'applique pas »), so groups stay few.
    wanted = {*plan.countable, *plan.multiple_codes, *plan.points_codes, *plan.text_codes}
    if wanted:
        rows = _fetch(
            """
            SELECT point_id, key, value::text, n FROM (
                SELECT r.point_id, e.key,
                       CASE WHEN jsonb_typeof(e.value) = 'number'
                              OR (jsonb_typeof(e.value) = 'string' AND e.key <> ALL(%s::text[]))
                            THEN e.value END AS value,
                       count(*) AS n
                FROM surveys_response r CROSS JOIN LATERAL jsonb_each(r.answers) AS e
                WHERE r.campaign_id = %s
                  AND e.value NOT IN ('""'::jsonb, '[]'::jsonb, '{}'::jsonb, 'null'::jsonb)
                GROUP BY 1, 2, 3
            ) AS grouped
            """,
            [list(plan.text_codes), campaign_id],
        )
        multiple, points, texts = set(plan.multiple_codes), set(plan.points_codes), set(plan.text_codes)
        countable = plan.countable
        for point_id, code, value, count in rows:
            acc = accumulators.get(point_id)
            if acc is None or code not in wanted:
                continue
            if code in countable:
                if value is not None:
                    acc.counts[(code, json.loads(value))] += count
            elif code in multiple:
                acc.multiple_n[code] += count
            elif code in points:
                acc.points_n[code] += count
            elif code in texts:
                acc.text_n[code] += count

    if plan.multiple_codes:
        for point_id, code, choice, count in _fetch(
            """
            SELECT r.point_id, k.code, x.choice, count(*)
            FROM surveys_response r
            CROSS JOIN LATERAL unnest(%s::text[]) AS k(code)
            CROSS JOIN LATERAL jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(r.answers -> k.code) = 'array' THEN r.answers -> k.code ELSE '[]' END
            ) AS x(choice)
            WHERE r.campaign_id = %s
            GROUP BY 1, 2, 3
            """,
            [list(plan.multiple_codes), campaign_id],
        ):
            if point_id in accumulators:
                accumulators[point_id].multiple[(code, choice)] += count

    if plan.points_codes:
        for point_id, code, choice, total in _fetch(
            """
            SELECT r.point_id, k.code, x.key, sum((x.value)::text::numeric)
            FROM surveys_response r
            CROSS JOIN LATERAL unnest(%s::text[]) AS k(code)
            CROSS JOIN LATERAL jsonb_each(
                CASE WHEN jsonb_typeof(r.answers -> k.code) = 'object' THEN r.answers -> k.code ELSE '{}' END
            ) AS x
            WHERE r.campaign_id = %s
            GROUP BY 1, 2, 3
            """,
            [list(plan.points_codes), campaign_id],
        ):
            if point_id in accumulators:
                accumulators[point_id].points[(code, choice)] += int(total)

    if plan.servqual_pairs:
        _fill_servqual(campaign_id, plan, accumulators)
    if plan.quality_layout:
        _fill_quality(campaign_id, plan, accumulators)
    return responses


def _fill_servqual(campaign_id: int, plan: Plan, accumulators: dict[int, Accumulator]) -> None:
    params: list = []
    gaps = []
    for index, (_, expected, perceived) in enumerate(plan.servqual_pairs):
        gaps.append(
            f"CASE WHEN {_is_number('%s')} AND {_is_number('%s')} "
            f"THEN (r.answers ->> %s)::int - (r.answers ->> %s)::int END AS g{index}"
        )
        params += [expected, perceived, perceived, expected]
    dimensions = []
    for number, (_, start, end) in enumerate(plan.servqual_slices):
        indexes = range(start, end)
        total = " + ".join(f"coalesce(g{i}, 0)" for i in indexes)
        answered = " + ".join(f"(g{i} IS NOT NULL)::int" for i in indexes)
        dimensions.append(f"({total})::float8 / nullif({answered}, 0) AS d{number}")
    dimension_count = len(plan.servqual_slices)
    all_dimensions = " AND ".join(f"d{n} IS NOT NULL" for n in range(dimension_count))
    mean = " + ".join(f"d{n}" for n in range(dimension_count))
    weights_sql, weight_params = "NULL::float8", []
    if plan.weights_code:
        index_of = {dimension: n for n, (dimension, _, _) in enumerate(plan.servqual_slices)}
        choices = list(plan.weights_dimension)
        weighted_choices = [choice for choice in choices if plan.weights_dimension[choice] in index_of]
        total = " + ".join("coalesce((w ->> %s)::float8, 0)" for _ in choices)
        terms = " + ".join(
            f"coalesce((w ->> %s)::float8, 0) * d{index_of[plan.weights_dimension[choice]]}"
            for choice in weighted_choices
        )
        weights_sql = f"CASE WHEN jsonb_typeof(w) = 'object' AND ({total}) > 0 THEN ({terms or '0'}) / ({total}) END"
        weight_params = [*choices, *weighted_choices, *choices]
    item_moments = []
    for index in range(len(plan.servqual_pairs)):
        item_moments += [f"count(g{index})", f"sum(g{index})", f"sum(g{index} * g{index})"]
    dimension_moments = []
    for number in range(dimension_count):
        dimension_moments += [f"count(d{number})", f"sum(d{number})", f"sum(d{number} * d{number})"]
    sql = f"""
        WITH g AS MATERIALIZED (
            SELECT r.point_id, {", ".join(gaps)}, r.answers -> %s AS w
            FROM surveys_response r WHERE r.campaign_id = %s
        ), d AS MATERIALIZED (
            SELECT g.*, {", ".join(dimensions)} FROM g
        ), o AS MATERIALIZED (
            SELECT d.*,
                   CASE WHEN {all_dimensions} THEN ({mean}) / {dimension_count}.0 END AS overall,
                   CASE WHEN {all_dimensions} THEN {weights_sql} END AS weighted
            FROM d
        )
        SELECT point_id, {", ".join(item_moments)}, {", ".join(dimension_moments)},
               count(overall), sum(overall), sum(overall * overall),
               count(weighted), sum(weighted), sum(weighted * weighted)
        FROM o GROUP BY point_id
    """
    rows = _fetch(sql, [*params, plan.weights_code or "", campaign_id, *weight_params])
    items = [item for item, _, _ in plan.servqual_pairs]
    for row in rows:
        acc = accumulators.get(row[0])
        if acc is None:
            continue
        values = [value or 0 for value in row[1:]]
        position = 0
        for item in items:
            n, total, squares = values[position : position + 3]
            position += 3
            if n:
                stats = acc.sq_item_moments[item]
                stats[0] += n
                stats[1] += float(total)
                stats[2] += float(squares)
        for dimension, _, _ in plan.servqual_slices:
            n, total, squares = values[position : position + 3]
            position += 3
            if n:
                stats = acc.sq_dims[dimension]
                stats[0] += n
                stats[1] += float(total)
                stats[2] += float(squares)
        for target in (acc.sq_overall, acc.sq_weighted):
            n, total, squares = values[position : position + 3]
            position += 3
            target[0] += n
            target[1] += float(total)
            target[2] += float(squares)


def _fill_quality(campaign_id: int, plan: Plan, accumulators: dict[int, Accumulator]) -> None:
    params: list = []
    columns = []
    for number, (_, entries) in enumerate(plan.quality_layout):
        entries = [(code, int(low), int(span), int(threshold)) for code, low, span, threshold in entries]
        answered, total, top = [], [], []
        for code, _low, _span, _threshold in entries:
            answered.append(f"({_is_number('%s')})::int")
            params.append(code)
        for code, low, span, _threshold in entries:
            total.append(
                f"CASE WHEN {_is_number('%s')} THEN ((r.answers ->> %s)::float8 - {low}) / {span} * 100 ELSE 0 END"
            )
            params += [code, code]
        for code, _low, _span, threshold in entries:
            top.append(f"CASE WHEN {_is_number('%s')} AND (r.answers ->> %s)::int >= {threshold} THEN 1 ELSE 0 END")
            params += [code, code]
        columns.append(f"{' + '.join(answered)} AS a{number}")
        columns.append(f"{' + '.join(total)} AS t{number}")
        columns.append(f"{' + '.join(top)} AS h{number}")
    overall = "NULL::float8"
    overall_params: list = []
    if plan.overall_code:
        low, high = plan.by_code[plan.overall_code]["scale"]
        overall = f"CASE WHEN {_is_number('%s')} THEN ((r.answers ->> %s)::float8 - {low}) / {high - low} * 100 END"
        overall_params = [plan.overall_code, plan.overall_code]
    aggregates = []
    for number in range(len(plan.quality_layout)):
        score = f"(t{number} / nullif(a{number}, 0))"
        aggregates += [
            f"sum(a{number})",
            f"sum(h{number})",
            f"count({score})",
            f"sum({score})",
            f"sum({score} * {score})",
            f"count({score} + y)",
            f"sum(CASE WHEN y IS NOT NULL THEN {score} END)",
            f"sum(CASE WHEN {score} IS NOT NULL THEN y END)",
            f"sum(CASE WHEN y IS NOT NULL THEN {score} * {score} END)",
            f"sum(CASE WHEN {score} IS NOT NULL THEN y * y END)",
            f"sum({score} * y)",
        ]
    sql = f"""
        WITH q AS MATERIALIZED (
            SELECT r.point_id, {", ".join(columns)}, {overall} AS y
            FROM surveys_response r WHERE r.campaign_id = %s
        )
        SELECT point_id, {", ".join(aggregates)} FROM q GROUP BY point_id
    """
    rows = _fetch(sql, [*params, *overall_params, campaign_id])
    for row in rows:
        acc = accumulators.get(row[0])
        if acc is None:
            continue
        values = [float(value or 0) for value in row[1:]]
        for number, (dimension, _) in enumerate(plan.quality_layout):
            answered, top, n, total, squares, pairs, sx, sy, sxx, syy, sxy = values[number * 11 : number * 11 + 11]
            if answered:
                counts = acc.dims_top[dimension]
                counts[0] += int(answered)
                counts[1] += int(top)
            if n:
                stats = acc.dims[dimension]
                stats[0] += int(n)
                stats[1] += total
                stats[2] += squares
            if pairs:
                corr = acc.dims_corr[dimension]
                for index, value in enumerate((int(pairs), sx, sy, sxx, syy, sxy)):
                    corr[index] += value
