"""Publication of computed figures: a CNML reviewer validates a snapshot.

A computed snapshot is provisional until validated; the public pages show the
latest validated snapshot only (:func:`dashboard.selectors.latest_validated_snapshot`),
the latest extract's. A snapshot older than the published figures cannot be
validated (:meth:`~dashboard.models.Snapshot.publication_refusal`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboard.models.snapshots import Snapshot, SnapshotStatus


class PublicationError(ValueError):
    """A snapshot that cannot be validated; the message is French."""


@transaction.atomic
def snapshot_validate(*, snapshot_id: int, user) -> Snapshot:
    """Validate a computed snapshot for publication, recording who and when.

    Only CNML roles (relecteur CNML, administrateur) may validate
    (:meth:`Snapshot.can_validate`): others get :class:`PermissionDenied`. A
    snapshot not computed, already validated or older than the published one
    gets :class:`PublicationError`.

    The snapshot and every computed one are locked, in one statement and in key
    order (no deadlock), until the end of the transaction: two validations at
    once run one after the other, and the second compares itself with what the
    first published — the same snapshot twice gives « déjà validé », an older
    one behind a newer one is refused.
    """
    if not Snapshot.user_may_validate(user):
        raise PermissionDenied("Seuls les relecteurs CNML et les administrateurs valident les chiffres.")
    locked = list(
        Snapshot.objects.select_for_update()
        .filter(Q(pk=snapshot_id) | Q(status=SnapshotStatus.COMPUTED))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if snapshot_id not in locked:
        raise Snapshot.DoesNotExist(f"Calcul n° {snapshot_id} introuvable.")
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    refusal = snapshot.publication_refusal(Snapshot.objects.latest_validated())
    if refusal:
        raise PublicationError(refusal)
    snapshot.validated_at = timezone.now()
    snapshot.validated_by = user
    snapshot.save(update_fields=["validated_at", "validated_by"])
    return snapshot
