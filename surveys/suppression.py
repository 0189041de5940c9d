"""Small-cell protection of survey results (docs/surveys.md, « Publishing rules »).

A figure for a group of fewer than :data:`THRESHOLD` answers is never shown
(primary suppression). A hidden group must not be derivable from its parent
and its visible siblings by subtraction (secondary suppression): as long as
the hidden siblings of a shown parent add up to fewer than 11 answers, the
smallest visible sibling is hidden too. The hidden siblings may then be shown
together as a remainder (« autres antennes ») — it reaches 11 by construction
and is what subtraction gives anyway. A hidden group hides its whole subtree
(its children would add up to it). Groups with no answer carry no information
and are left out of the rule.

The functions work on any tree of groups and on any count: the group's number
of respondents, or the number of answers to one question (an optional question
may be answered by fewer people than the group) — see :func:`suppress`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

THRESHOLD = 11


def suppress(
    root: Hashable,
    children: Mapping[Hashable, list],
    counts: Mapping[Hashable, int],
    *,
    already_hidden: Iterable[Hashable] = (),
    threshold: int = THRESHOLD,
) -> set:
    """The set of groups to hide.

    ``children``: group -> its child groups; ``counts``: group -> number of
    answers; ``already_hidden``: groups hidden for another reason (e.g. hidden
    at the respondent level when the count is a question's), whose values are
    unknown to a reader and so protect their siblings like any hidden group.
    """
    forced = set(already_hidden)
    hidden: set = set()

    def hide_subtree(node) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            hidden.add(current)
            stack.extend(children.get(current, ()))

    def is_small(node) -> bool:
        count = counts.get(node, 0)
        return node in forced or 0 < count < threshold

    def visit(node) -> None:
        if is_small(node):
            hide_subtree(node)
            return
        kids = [child for child in children.get(node, ()) if counts.get(child, 0) > 0 or child in forced]
        to_hide = [child for child in kids if is_small(child)]
        if to_hide:
            visible = sorted(
                (child for child in kids if child not in to_hide), key=lambda child: (counts.get(child, 0), str(child))
            )
            while visible and sum(counts.get(child, 0) for child in to_hide) < threshold:
                to_hide.append(visible.pop(0))
        for child in children.get(node, ()):
            if child in to_hide:
                hide_subtree(child)
            else:
                visit(child)

    visit(root)
    return hidden


def remainder_groups(
    root: Hashable, children: Mapping[Hashable, list], counts: Mapping[Hashable, int], hidden: set
) -> dict:
    """Parent -> its hidden children that may be shown together as a remainder.

    Only under a shown parent, with at least two hidden children (one alone is
    the group itself) and at least one shown sibling (otherwise the remainder
    is the parent). The total reaches the threshold by construction; it is
    checked again here.
    """
    groups = {}
    stack = [root]
    while stack:
        node = stack.pop()
        kids = children.get(node, ())
        stack.extend(kids)
        if node in hidden:
            continue
        kids_with_answers = [child for child in kids if counts.get(child, 0) > 0]
        hidden_kids = [child for child in kids_with_answers if child in hidden]
        if (
            len(hidden_kids) >= 2
            and len(hidden_kids) < len(kids_with_answers)
            and sum(counts.get(child, 0) for child in hidden_kids) >= THRESHOLD
        ):
            groups[node] = hidden_kids
    return groups
