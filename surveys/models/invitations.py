"""Who was invited to a survey of professionals: only so that no one is invited twice.

A :class:`StaffInvitation` records that a member of staff received a campaign's invitation,
and nothing of the single-use code the e-mail carried (:mod:`surveys.invitations`): no column,
no shared batch, no order joins an invitation to its code, so no answer leads back to a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from surveys.models.campaigns import Campaign


class StaffInvitation(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="staff_invitations"
    )
    # Deleting an account deletes its invitation: it is only there to avoid a second e-mail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="professionnel", on_delete=models.CASCADE, related_name="+"
    )
    # The day only, as for answers: an invitation sent alone at a given minute would match its code's row.
    invited_on = models.DateField("invité le")

    class Meta:
        verbose_name = "invitation d'un professionnel"
        verbose_name_plural = "invitations des professionnels"
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="staff_invitation_once")]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.user_id}"
