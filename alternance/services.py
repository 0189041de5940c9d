"""Writes of the alternance app: an agreement's moves (and the regional animators told of them), its
documents, a declination's yearly results."""

from __future__ import annotations

from django.db import transaction

from alternance.models import (
    Agreement,
    AgreementDocument,
    AgreementStatus,
    Commitment,
    CommitmentResult,
    LocalDeclination,
)
from cnml.emails import notify
from cnml.links import absolute_url
from cnml.models import Role
from cnml.permissions import active_users
from cnml.uploads import delete_on_commit, display_name

# The French action in the address -> the transition of Agreement.
ACTIONS = {"signer": "sign", "renouveler": "renew", "terminer": "end"}

# What the animators of the regions that decline an agreement are told, by the state it reaches.
MOVE_SUBJECTS = {
    AgreementStatus.SIGNEE: "Accord signé : {title}",
    AgreementStatus.RENOUVELEE: "Accord renouvelé : {title}",
    AgreementStatus.TERMINEE: "Accord terminé : {title}",
}


def declination_animators(agreement: Agreement) -> list[str]:
    """E-mail addresses of the active regional animators of the regions that decline ``agreement``."""
    regions = agreement.declinations.values("region_id")
    return list(active_users(Role.ANIMATEUR_REGIONAL, regions=regions).values_list("email", flat=True))


@transaction.atomic
def agreement_move(
    *, agreement: Agreement, user, action: str, comment: str = "", seen_status: str | None = None
) -> Agreement:
    """Apply the move named by ``action`` (« signer », « renouveler », « terminer »); logged by the workflow.

    The regional animators of the declinations are told (they follow the agreement in their region).
    Raises ``TransitionRefused`` when the move is not allowed now.
    """
    transition = getattr(agreement, ACTIONS[action])
    moved = transition(user, comment=comment, seen_state=seen_status or None)
    notify(
        recipients=declination_animators(moved),
        subject=MOVE_SUBJECTS[moved.status].format(title=moved.title),
        template="alternance/emails/agreement_moved.txt",
        context={
            "agreement": moved,
            "comment": comment.strip(),
            "follow_up_link": absolute_url("alternance:follow_up_detail", moved.pk),
            "public_link": absolute_url(moved) if moved.is_public else "",
        },
    )
    return moved


@transaction.atomic
def document_add(*, agreement: Agreement, form, actor) -> AgreementDocument:
    """Keep a validated upload (``form``: kind, title, file) as a private document of the agreement."""
    document = form.save(commit=False)
    document.agreement = agreement
    document.name = display_name(document.file.name)
    document.size = document.file.size
    document.uploaded_by = actor
    document.save()
    return document


@transaction.atomic
def document_remove(*, document: AgreementDocument) -> None:
    """Remove the document; its file leaves the disk once the removal is committed."""
    name = document.file.name
    document.delete()
    delete_on_commit([name])


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
