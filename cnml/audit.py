"""The audit trail of workflow transitions, shared by every app.

Each workflow (a fiche, an application, a project…) is an explicit state machine
declared with :mod:`cnml.workflows`, whose transitions call :func:`log_transition`,
so "who moved what from which state to which, when, and why" is answered in one
table for the whole product. Pages show it with :func:`cnml.workflows.history`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


def recorded_by(verbose_name: str) -> models.ForeignKey:
    """Who did something (created, validated, submitted…): a link that outlives the account.

    Deleting the account empties the link (``SET_NULL``) and keeps the record; no
    reverse accessor on the user.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class TransitionLog(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    actor = recorded_by("par")
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)
    from_state = models.CharField("de", max_length=40, blank=True)
    to_state = models.CharField("vers", max_length=40)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        app_label = "cnml"
        verbose_name = "transition"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"


def log_transition(obj: models.Model, *, actor, from_state: str, to_state: str, comment: str = "") -> TransitionLog:
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )


def transitions_of(obj: models.Model):
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def _last_moves(obj: models.Model, count: int) -> list[TransitionLog]:
    return list(transitions_of(obj).order_by("-at", "-pk")[:count])


def pending_send_back(obj: models.Model, *, back_to: str) -> TransitionLog | None:
    """The move that sent ``obj`` back to ``back_to`` (who, when, the comment), while it has not moved since.

    What its authors are asked to correct: shown beside the form they correct it in.
    """
    moves = _last_moves(obj, 1)
    if moves and moves[0].to_state == back_to and moves[0].from_state:
        return moves[0]
    return None


def answered_send_back(obj: models.Model, *, back_to: str) -> TransitionLog | None:
    """When ``obj``'s last move took it out of ``back_to`` (a resubmission), the move that had sent it there.

    Its actor, the reviewer who asked for changes, is told what changed.
    """
    moves = _last_moves(obj, 2)
    if len(moves) == 2 and moves[0].from_state == back_to and moves[1].to_state == back_to and moves[1].from_state:
        return moves[1]
    return None
