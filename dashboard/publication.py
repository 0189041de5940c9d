"""Publication of computed figures: a CNML reviewer validates a snapshot.

A computed snapshot is provisional until validated (the ``validate`` transition of
:class:`~dashboard.models.Snapshot`, ``calcule`` → ``valide``, logged in the audit
trail); the public pages show the latest validated snapshot only
(:func:`dashboard.selectors.latest_validated_snapshot`), the latest extract's. A
snapshot older than the published figures cannot be validated
(:meth:`~dashboard.models.Snapshot.publication_refusal`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from dashboard.models.snapshots import COMPLETE_STATES, Snapshot


@transaction.atomic
def snapshot_validate(*, snapshot_id: int, user) -> Snapshot:
    """Validate a computed snapshot for publication, recording who and when; return it.

    Refused with :class:`cnml.workflows.TransitionRefused` (French reasons): to anyone but
    the CNML roles (relecteur CNML, administrateur; ``by_role``), for a snapshot not
    computed, already validated or older than the published one.

    The snapshot and every complete one are locked, in one statement and in key order (no
    deadlock), until the end of the transaction: two validations at once run one after the
    other, and the second compares itself with what the first published — the same snapshot
    twice gives « déjà validé », an older one behind a newer one is refused.
    """
    locked = list(
        Snapshot.objects.select_for_update()
        .filter(Q(pk=snapshot_id) | Q(status__in=COMPLETE_STATES))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if snapshot_id not in locked:
        raise Snapshot.DoesNotExist(f"Calcul n° {snapshot_id} introuvable.")
    return Snapshot.objects.get(pk=snapshot_id).validate(user)
