"""Writes of the practices app: saving a fiche, moving it through its workflow, notifying.

Every move is a transition of the fiche's workflow (:mod:`cnml.workflows`): applied on
the locked row, so two reviewers clicking at once cannot both decide; the e-mails
(:func:`cnml.emails.notify`) are owed in the same transaction and leave on commit only,
with the comment as written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.audit import answered_send_back
from cnml.changes import changes_text
from cnml.emails import notify
from cnml.formatting import format_date
from cnml.links import absolute_url
from cnml.permissions import active_users
from cnml.uploads import delete_on_commit, display_name
from cnml.workflows import TransitionRefused
from practices import permissions, recensement_selectors, selectors
from practices.models import Attachment, Fiche, Recensement, RecensementStatus, Status
from practices.search import fiche_search_text


class ConcurrentEdit(ValidationError):
    """Someone saved the fiche after the form was opened."""


# --- Saving ------------------------------------------------------------------


def fiche_refresh_search_text(*, fiche: Fiche) -> None:
    fiche.search_text = fiche_search_text(fiche)
    Fiche.objects.filter(pk=fiche.pk).update(search_text=fiche.search_text)


@transaction.atomic
def fiche_save_draft(
    *,
    actor,
    form,
    partner_formset,
    contact_formset,
) -> Fiche:
    """Save a fiche and its partners, contacts and attachments as its authors typed them.

    ``form`` is a valid :class:`practices.forms.FicheForm`, the formsets valid inline
    formsets of the same fiche. The status does not change (a draft stays a draft,
    a fiche sent back stays to be completed). Raises :class:`ConcurrentEdit` when a
    colleague saved the fiche since the form was opened.
    """
    fiche = form.instance
    if fiche.pk:
        current = Fiche.objects.select_for_update().get(pk=fiche.pk)
        if current.revision != form.cleaned_data["revision"]:
            raise ConcurrentEdit(
                "Un collègue a enregistré cette fiche pendant que vous la modifiiez. Vos saisies sont "
                "ci-dessous mais n'ont pas été enregistrées : ouvrez la fiche dans un autre onglet pour "
                "voir sa version actuelle, reportez-y vos ajouts, puis enregistrez.",
                code="concurrent_edit",
            )
        if not permissions.can_edit(actor, fiche):
            raise ValidationError("Cette fiche ne peut plus être modifiée.", code="not_editable")
    fiche = form.save(commit=False)
    # A committee's fiche belongs to the committee's region (its reviewers, its recensements).
    fiche.region_id = fiche.carrier.region_id
    fiche.revision += 1
    if fiche.created_by_id is None and fiche.pk is None:
        fiche.created_by = actor
    fiche.save()
    form.save_m2m()
    fiche.contributors.add(actor)

    for formset in (partner_formset, contact_formset):
        formset.instance = fiche
        formset.save()

    removed = list(form.cleaned_data.get("remove_attachments") or [])
    delete_on_commit(attachment.file.name for attachment in removed)
    Attachment.objects.filter(fiche=fiche, pk__in=[attachment.pk for attachment in removed]).delete()
    for uploaded in form.cleaned_data.get("new_attachments") or []:
        Attachment.objects.create(
            fiche=fiche,
            file=uploaded,
            name=display_name(uploaded.name),
            size=uploaded.size,
            uploaded_by=actor,
        )

    fiche_refresh_search_text(fiche=fiche)
    return fiche


# --- Workflow ----------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One move of the fiche's workflow as people trigger it: from a page of the site or from the admin."""

    verb: str  # the Fiche transition, e.g. "request_changes"
    slug: str  # its URL fragment, in French
    comment_label: str
    done: str  # success message
    # Who receives an e-mail: "reviewers" of the queue, or the "authors".
    notify: str | None
    email_subject: str = ""
    button_class: str = ""

    @property
    def label(self) -> str:
        """The button and the page title: the transition's label."""
        return getattr(Fiche, self.verb).label

    @property
    def comment_required(self) -> bool:
        return bool(getattr(Fiche, self.verb).comment_required)


ACTIONS: dict[str, Action] = {
    action.verb: action
    for action in [
        Action(
            verb="submit",
            slug="soumettre",
            comment_label="Message pour les relecteurs",
            done="La fiche est soumise : les relecteurs sont prévenus.",
            notify="reviewers",
            email_subject="Fiche à relire : {title}",
        ),
        Action(
            verb="take_in_review",
            slug="prendre-en-relecture",
            comment_label="Commentaire",
            done="Vous relisez cette fiche.",
            notify=None,
        ),
        Action(
            verb="request_changes",
            slug="demander-des-complements",
            comment_label="Ce qu'il faut compléter",
            done="La fiche est renvoyée à ses rédacteurs pour être complétée.",
            notify="authors",
            email_subject="Votre fiche est à compléter : {title}",
            button_class="fr-btn--secondary",
        ),
        Action(
            verb="publish",
            slug="publier",
            comment_label="Commentaire pour les rédacteurs",
            done="La fiche est publiée dans le catalogue.",
            notify="authors",
            email_subject="Votre fiche est publiée : {title}",
        ),
        Action(
            verb="reject",
            slug="refuser",
            comment_label="Raison du refus",
            done="La fiche est refusée ; ses rédacteurs en connaissent la raison.",
            notify="authors",
            email_subject="Votre fiche n'a pas été retenue : {title}",
            button_class="fr-btn--tertiary",
        ),
        Action(
            verb="archive",
            slug="archiver",
            comment_label="Commentaire",
            done="La fiche est archivée : elle ne figure plus au catalogue.",
            notify="authors",
            email_subject="Votre fiche est archivée : {title}",
            button_class="fr-btn--tertiary",
        ),
    ]
}
ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS.values()}


def available_actions(fiche: Fiche, user) -> list[Action]:
    """The transitions the user may trigger on the fiche now, in workflow order."""
    return [action for action in ACTIONS.values() if getattr(fiche, f"can_{action.verb}")(user)]


@transaction.atomic
def fiche_apply(*, fiche: Fiche, actor, verb: str, comment: str = "", seen_status: str | None = None) -> Fiche:
    """Make one move of the fiche's workflow, then owe its e-mails in the same transaction.

    The transition re-reads and locks the row and checks it again (:mod:`cnml.workflows`): of
    two reviewers deciding at once, the second waits, then is refused. ``seen_status`` is the
    status shown to the actor when they chose (``fiche.status`` when not given): when the fiche
    has left it and the move is no longer possible, the refusal says that another decision
    came first.

    Raises :class:`cnml.workflows.TransitionRefused` when the move is not allowed (or its
    comment is missing), ``ValidationError`` when the fiche is incomplete.
    """
    action = ACTIONS[verb]
    locked = getattr(fiche, verb)(actor, comment=comment, seen_state=seen_status or fiche.status)
    if verb in ("submit", "publish", "archive"):
        fiche_refresh_search_text(fiche=locked)
    _notify(locked, action, actor=actor, comment=(comment or "").strip())
    return locked


# One name a move (``fiche_submit(fiche=..., actor=..., comment=...)``): a move whose comment is required refuses
# an empty one (TransitionRefused).
fiche_submit = partial(fiche_apply, verb="submit")
fiche_take_in_review = partial(fiche_apply, verb="take_in_review")
fiche_request_changes = partial(fiche_apply, verb="request_changes")
fiche_publish = partial(fiche_apply, verb="publish")
fiche_reject = partial(fiche_apply, verb="reject")
fiche_archive = partial(fiche_apply, verb="archive")


def _notify(fiche: Fiche, action: Action, *, actor, comment: str) -> None:
    if action.notify is None:
        return
    actor_email = getattr(actor, "email", None)
    context = {
        "fiche": fiche,
        "action": action,
        "actor": actor,
        "comment": comment,
        "status": fiche.get_status_display(),
    }
    if action.notify == "reviewers":
        recipients = [user.email for user in fiche.queue_reviewers()]
        asker = _notify_resubmission(fiche, actor=actor, comment=comment)
        if asker is not None:  # told what changed instead of receiving the plain notice
            recipients = [address for address in recipients if address != asker.email]
        template = "practices/emails/fiche_submitted.txt"
        context["url"] = absolute_url("practices:detail", fiche.pk)
        context["admin_url"] = absolute_url("admin:practices_fiche_change", fiche.pk)
    else:
        recipients = fiche.author_recipients()
        template = "practices/emails/fiche_decision.txt"
        context["url"] = absolute_url("practices:detail", fiche.pk)
        context["edit_url"] = absolute_url("practices:edit", fiche.pk)
    notify(
        recipients=[address for address in recipients if address != actor_email],
        subject=action.email_subject.format(title=fiche.title),
        template=template,
        context=context,
    )


def _notify_resubmission(fiche: Fiche, *, actor, comment: str):
    """A fiche completed and submitted again: its reviewer who asked for changes is told what changed.

    Returns that reviewer (None when the submission answers no request, or when they no longer
    review the fiche: the queue's reviewers are told as for any submission).
    """
    asked = answered_send_back(fiche, back_to=Status.A_COMPLETER)
    reviewer = asked.actor if asked is not None else None
    if reviewer is None or not reviewer.is_active or not reviewer.email:
        return None
    if not permissions.followed_fiches(reviewer).filter(pk=fiche.pk).exists():
        return None
    older, newer, changes = selectors.version_changes(fiche)
    versions_path = reverse("practices:versions", args=[fiche.pk])
    if older is not None:
        versions_path += f"?de={older.number}&a={newer.number}"
    notify(
        recipients=[reviewer.email],
        subject=f"Fiche complétée, à relire : {fiche.title}",
        template="practices/emails/fiche_resubmitted.txt",
        context={
            "fiche": fiche,
            "actor": actor,
            "comment": comment,
            "asked": asked,
            "changes": changes_text(changes),
            "versions_url": absolute_url(versions_path),
            "url": absolute_url("practices:detail", fiche.pk),
        },
    )
    return reviewer


# --- Recensements (practices.recensements) ----------------------------------


def recensement_close(*, recensement: Recensement, actor, seen_status: str | None = None) -> Recensement:
    """Close a recensement (``actor`` None: the daily pass); raises :class:`~cnml.workflows.TransitionRefused`."""
    return recensement.close(actor, seen_state=seen_status)


@transaction.atomic
def recensement_remind(*, recensement: Recensement, today: datetime.date) -> int:
    """E-mail the authors of the asked structures, and the members of the asked committees, that sent nothing
    yet; return how many structures and committees.

    Once per recensement (``reminded_on``), on its reminder day or later before it closes.
    """
    locked = Recensement.objects.select_for_update().get(pk=recensement.pk)
    if locked.reminded_on is not None:
        return 0
    progress = recensement_selectors.progress(locked, locked.asked_regions())
    silent = [structure for row in progress for structure in row.silent]
    authors = active_users(*permissions.AUTHOR_ROLES).filter(Q(structure__in=silent) | Q(structure__parent__in=silent))
    context = {
        "recensement": locked,
        "url": absolute_url("practices:recensement", locked.pk),
        "create_url": absolute_url("practices:create") + f"?recensement={locked.pk}",
    }
    subject = f"Recensement « {locked.title} » : clôture le {format_date(locked.closes_on)}"
    template = "practices/emails/recensement_reminder.txt"
    notify(recipients=authors.values_list("email", flat=True), subject=subject, template=template, context=context)
    asked_committees = locked.asked_committees().order_by("name")
    silent_committees = [
        row for row in recensement_selectors.committee_progress(locked, asked_committees) if not row.answered
    ]
    for row in silent_committees:
        notify(
            recipients=[member.email for member in row.members],
            subject=subject,
            template=template,
            context={**context, "committee": row.committee},
        )
    locked.reminded_on = today
    locked.save(update_fields=["reminded_on"])
    return len(silent) + len(silent_committees)


def recensements_daily_pass(*, today: datetime.date | None = None) -> dict[str, list[int]]:
    """Remind the silent structures and committees of the recensements on their reminder day; close those past
    their date."""
    today = today or timezone.localdate()
    reminded, closed = [], []
    for recensement in Recensement.objects.filter(status=RecensementStatus.OPEN, reminded_on__isnull=True):
        if recensement.closes_on - datetime.timedelta(days=recensement.reminder_days) <= today <= recensement.closes_on:
            recensement_remind(recensement=recensement, today=today)
            reminded.append(recensement.pk)
    for recensement in Recensement.objects.filter(status=RecensementStatus.OPEN, closes_on__lt=today):
        try:
            recensement_close(recensement=recensement, actor=None)
        except TransitionRefused:  # closed meanwhile by a CNML reviewer
            continue
        closed.append(recensement.pk)
    return {"reminded": reminded, "closed": closed}
