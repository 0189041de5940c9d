"""Small-cell protection: n < 11 hidden, and no hidden group derivable by subtraction."""

from __future__ import annotations

import itertools

from surveys.suppression import THRESHOLD, remainder_groups, suppress


def tree(**children):
    return {parent: list(kids) for parent, kids in children.items()}


def deducible(parent, children, counts, hidden):
    """Hidden groups a reader can compute: parent minus the shown siblings, when one hidden group is left."""
    found = set()
    for node, kids in children.items():
        if node in hidden:
            continue
        unknown = [kid for kid in kids if kid in hidden and counts.get(kid, 0) > 0]
        if len(unknown) == 1:
            found.add(unknown[0])
    return found


def test_a_group_under_11_answers_is_hidden_and_11_is_shown():
    children = tree(ml=["a", "b", "c"])
    counts = {"ml": 50, "a": 10, "b": 11, "c": 29}
    hidden = suppress("ml", children, counts)
    assert "a" in hidden
    assert THRESHOLD == 11
    assert "ml" not in hidden


def test_deduce_by_subtraction_hides_the_smallest_sibling_too():
    # ML of 55 = A1 30 + A2 5 + A3 20: hiding A2 alone, 55 − 30 − 20 = 5 would give it away.
    children = tree(ml=["a1", "a2", "a3"])
    counts = {"ml": 55, "a1": 30, "a2": 5, "a3": 20}
    hidden = suppress("ml", children, counts)
    assert hidden == {"a2", "a3"}
    assert deducible("ml", children, counts, hidden) == set()
    # The two hidden together (25) may be shown as « autres antennes »: it is what subtraction gives.
    assert remainder_groups("ml", children, counts, hidden) == {"ml": ["a2", "a3"]}


def test_two_small_siblings_that_reach_11_together_protect_each_other():
    children = tree(ml=["a1", "a2", "a3"])
    counts = {"ml": 63, "a1": 6, "a2": 7, "a3": 50}
    hidden = suppress("ml", children, counts)
    assert hidden == {"a1", "a2"}
    assert remainder_groups("ml", children, counts, hidden) == {"ml": ["a1", "a2"]}


def test_two_small_siblings_under_11_together_need_a_third_one_hidden():
    children = tree(ml=["a1", "a2", "a3", "a4"])
    counts = {"ml": 93, "a1": 3, "a2": 4, "a3": 40, "a4": 46}
    hidden = suppress("ml", children, counts)
    assert hidden == {"a1", "a2", "a3"}
    assert sum(counts[node] for node in hidden) >= THRESHOLD


def test_a_hidden_group_hides_its_whole_subtree():
    # Region = ML1 (8: two antennes of 4) + ML2 (50): ML1 hidden, so ML2 too, and their antennes.
    children = tree(region=["ml1", "ml2"], ml1=["a", "b"], ml2=["c", "d"])
    counts = {"region": 58, "ml1": 8, "ml2": 50, "a": 4, "b": 4, "c": 25, "d": 25}
    hidden = suppress("region", children, counts)
    assert hidden == {"ml1", "ml2", "a", "b", "c", "d"}
    assert "region" not in hidden


def test_groups_without_answers_neither_need_nor_give_protection():
    children = tree(ml=["a1", "a2", "a3"])
    counts = {"ml": 50, "a1": 0, "a2": 20, "a3": 30}
    assert suppress("ml", children, counts) == set()


def test_a_small_root_hides_everything():
    children = tree(region=["ml"], ml=["a"])
    counts = {"region": 7, "ml": 7, "a": 7}
    assert suppress("region", children, counts) == {"region", "ml", "a"}


def test_a_question_answered_by_few_in_one_group_is_protected_like_a_group():
    # Everyone answered the group-level survey, but an optional question got 4 answers in A1.
    children = tree(ml=["a1", "a2"])
    group_counts = {"ml": 60, "a1": 30, "a2": 30}
    question_counts = {"ml": 34, "a1": 4, "a2": 30}
    hidden_group = suppress("ml", children, group_counts)
    assert hidden_group == set()
    hidden_question = suppress("ml", children, question_counts, already_hidden=hidden_group)
    assert hidden_question == {"a1", "a2"}


def test_groups_hidden_for_respondents_stay_hidden_for_every_question():
    children = tree(ml=["a1", "a2", "a3"])
    hidden_group = suppress("ml", children, {"ml": 55, "a1": 30, "a2": 5, "a3": 20})
    hidden_question = suppress("ml", children, {"ml": 55, "a1": 30, "a2": 5, "a3": 20}, already_hidden=hidden_group)
    assert hidden_group <= hidden_question


def test_no_random_tree_leaves_a_hidden_group_derivable_or_a_small_group_shown():
    # Exhaustive over small antenne sizes: the two rules hold whatever the counts.
    sizes = [0, 3, 8, 11, 15, 40]
    for a, b, c in itertools.product(sizes, repeat=3):
        children = tree(ml=["a", "b", "c"])
        counts = {"ml": a + b + c, "a": a, "b": b, "c": c}
        hidden = suppress("ml", children, counts)
        shown = {node for node in counts if node not in hidden and counts[node] > 0}
        assert all(counts[node] >= THRESHOLD for node in shown), (counts, hidden)
        assert deducible("ml", children, counts, hidden) == set(), (counts, hidden)
        for _parent, members in remainder_groups("ml", children, counts, hidden).items():
            assert sum(counts[m] for m in members) >= THRESHOLD
