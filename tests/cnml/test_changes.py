"""What changed, told in plain French for e-mails (cnml/changes.py): the quoted values and passages."""

from __future__ import annotations

from cnml.changes import PASSAGE_LIMIT, change_lines, compare

NBSP = "\u00a0"


def lines(before: str, after: str) -> list[str]:
    (change,) = compare({"texte": before}, {"texte": after}, {"texte": "texte"})
    return change_lines(change)


def quoted(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


def test_a_short_value_is_quoted_before_and_after_with_its_spaces_collapsed():
    assert lines("Ancien  titre ", "Nouveau\ttitre") == [
        f"- texte{NBSP}: {quoted('Ancien titre')} → {quoted('Nouveau titre')}"
    ]


def test_an_emptied_value_reads_vide():
    assert lines("Titre", "") == [f"- texte{NBSP}: {quoted('Titre')} → (vide)"]


def test_a_passage_of_the_limit_is_quoted_whole():
    passage = "a" * PASSAGE_LIMIT

    assert lines("", passage) == [f"- texte{NBSP}:", f"    ajouté{NBSP}: {quoted(passage)}"]


def test_a_longer_passage_is_cut_with_the_ellipsis_right_after_the_last_word_kept():
    # The cut falls just after a space: the ellipsis does not follow it.
    kept = "a" * (PASSAGE_LIMIT - 2)

    assert lines("", f"{kept} {'b' * 10}") == [f"- texte{NBSP}:", f"    ajouté{NBSP}: {quoted(kept + '…')}"]
    assert lines("", "c" * (PASSAGE_LIMIT + 1)) == [
        f"- texte{NBSP}:",
        f"    ajouté{NBSP}: {quoted('c' * (PASSAGE_LIMIT - 1) + '…')}",
    ]


def test_a_removed_passage_is_quoted_with_its_accents_composed():
    decomposed = "e\u0301te\u0301 " * 30  # « été », its accents typed as combining marks

    assert lines(decomposed, "") == [f"- texte{NBSP}:", f"    retiré{NBSP}: {quoted(('été ' * 30).strip())}"]
