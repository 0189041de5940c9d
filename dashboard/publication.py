"""Publication of computed figures: a CNML reviewer validates a snapshot.

A computed snapshot is provisional until validated; the public pages show the
latest validated snapshot only (:func:`dashboard.selectors.latest_validated_snapshot`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dashboard.models.snapshots import Snapshot


class PublicationError(ValueError):
    """A snapshot that cannot be validated; the message is French."""


@transaction.atomic
def snapshot_validate(*, snapshot_id: int, user) -> Snapshot:
    """Validate a computed snapshot for publication, recording who and when.

    Only CNML roles (relecteur CNML, administrateur) may validate
    (:meth:`Snapshot.can_validate`): others get :class:`PermissionDenied`.
    """
    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot_id)
    if not Snapshot.user_may_validate(user):
        raise PermissionDenied("Seuls les relecteurs CNML et les administrateurs valident les chiffres.")
    if not snapshot.is_computed:
        raise PublicationError(f"Le calcul n° {snapshot.pk} n'est pas terminé : il ne peut pas être validé.")
    if snapshot.is_validated:
        raise PublicationError(f"Le calcul n° {snapshot.pk} est déjà validé.")
    snapshot.validated_at = timezone.now()
    snapshot.validated_by = user
    snapshot.save(update_fields=["validated_at", "validated_by"])
    return snapshot
