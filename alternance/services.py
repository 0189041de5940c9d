"""Writes of the alternance app: an agreement's moves, a declination's yearly results."""

from __future__ import annotations

from django.db import transaction

from alternance.models import Agreement, Commitment, CommitmentResult, LocalDeclination

# The French action in the address -> the transition of Agreement.
ACTIONS = {"signer": "sign", "renouveler": "renew", "terminer": "end"}


def agreement_move(*, agreement: Agreement, user, action: str, comment: str = "", seen_state: str = "") -> Agreement:
    """Apply the move named by ``action`` (« signer », « renouveler », « terminer »); logged by the workflow.

    Raises ``TransitionRefused`` when the move is not allowed now.
    """
    transition = getattr(agreement, ACTIONS[action])
    return transition(user, comment=comment, seen_state=seen_state or None)


@transaction.atomic
def declination_record_results(
    *, declination: LocalDeclination, year: int, achieved: dict[Commitment, int | None]
) -> None:
    """Record what each commitment produced in ``year`` in this declination; a blank value removes it."""
    for commitment, value in achieved.items():
        if commitment.agreement_id != declination.agreement_id:
            raise ValueError("Cet engagement n'appartient pas à l'accord décliné.")
        lookup = {"declination": declination, "commitment": commitment, "year": year}
        if value is None:
            CommitmentResult.objects.filter(**lookup).delete()
        else:
            CommitmentResult.objects.update_or_create(**lookup, defaults={"achieved": value})
