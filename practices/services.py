"""Writes of the practices app: saving a fiche, moving it through its workflow, notifying.

Every move is a transition of the fiche's workflow (:mod:`cnml.workflows`): applied on
the locked row, so two reviewers clicking at once cannot both decide; the e-mails
(:func:`cnml.emails.notify`) are owed in the same transaction and leave on commit only,
with the comment as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from cnml.emails import notify
from cnml.links import absolute_url
from practices import permissions
from practices.models import Attachment, Fiche, Theme
from practices.search import fiche_search_text


class ConcurrentEdit(ValidationError):
    """Someone saved the fiche after the form was opened."""


# --- Themes ------------------------------------------------------------------

DEFAULT_THEMES = [
    ("cotraitance", "Cotraitance"),
    ("outils-partages", "Outils partagés"),
    ("formation-des-conseillers", "Formation des conseillers"),
    ("alternance", "Alternance"),
    ("mobilite", "Mobilité"),
    ("sante", "Santé"),
    ("logement", "Logement"),
    ("decrochage", "Décrochage"),
    ("acces-a-l-emploi", "Accès à l'emploi"),
    ("relations-entreprises", "Relations entreprises"),
]


def themes_ensure_defaults() -> list[Theme]:
    """The initial themes (also created by the migration); existing ones are left as edited."""
    themes = []
    for position, (slug, name) in enumerate(DEFAULT_THEMES, start=1):
        theme, _ = Theme.objects.get_or_create(slug=slug, defaults={"name": name, "position": position * 10})
        themes.append(theme)
    return themes


# --- Saving ------------------------------------------------------------------


def fiche_refresh_search_text(*, fiche: Fiche) -> None:
    fiche.search_text = fiche_search_text(fiche)
    Fiche.objects.filter(pk=fiche.pk).update(search_text=fiche.search_text)


def _delete_files_on_commit(names: Iterable[str]) -> None:
    from cnml.uploads import private_storage

    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [private_storage.delete(name) for name in names])


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
                "ci-dessous mais n'ont pas été enregistrées : ouvrez la fiche dans un autre onglet pour "
                "voir sa version actuelle, reportez-y vos ajouts, puis enregistrez.",
                code="concurrent_edit",
            )
        if not permissions.can_edit(actor, fiche):
            raise ValidationError("Cette fiche ne peut plus être modifiée.", code="not_editable")
    fiche = form.save(commit=False)
    fiche.region_id = fiche.structure.region_id
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
    _delete_files_on_commit(attachment.file.name for attachment in removed)
    Attachment.objects.filter(fiche=fiche, pk__in=[attachment.pk for attachment in removed]).delete()
    for uploaded in form.cleaned_data.get("new_attachments") or []:
        Attachment.objects.create(
            fiche=fiche,
            file=uploaded,
            name=_display_name(uploaded.name),
            size=uploaded.size,
            uploaded_by=actor,
        )

    fiche_refresh_search_text(fiche=fiche)
    return fiche


def _display_name(name: str) -> str:
    """The file's name as the user knows it, without any path, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "fichier"
    return base[-255:]


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
            done="La fiche est soumise : les relecteurs sont prévenus.",
            notify="reviewers",
            email_subject="Fiche à relire : {title}",
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
            email_subject="Votre fiche est à compléter : {title}",
            button_class="fr-btn--secondary",
        ),
        Action(
            verb="publish",
            slug="publier",
            comment_label="Commentaire pour les rédacteurs",
            done="La fiche est publiée dans le catalogue.",
            notify="authors",
            email_subject="Votre fiche est publiée : {title}",
        ),
        Action(
            verb="reject",
            slug="refuser",
            comment_label="Raison du refus",
            done="La fiche est refusée ; ses rédacteurs en connaissent la raison.",
            notify="authors",
            email_subject="Votre fiche n'a pas été retenue : {title}",
            button_class="fr-btn--tertiary",
        ),
        Action(
            verb="archive",
            slug="archiver",
            comment_label="Commentaire",
            done="La fiche est archivée : elle ne figure plus au catalogue.",
            notify="authors",
            email_subject="Votre fiche est archivée : {title}",
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


def fiche_submit(*, fiche: Fiche, actor, comment: str = "") -> Fiche:
    return fiche_apply(fiche=fiche, actor=actor, verb="submit", comment=comment)


def fiche_take_in_review(*, fiche: Fiche, actor, comment: str = "") -> Fiche:
    return fiche_apply(fiche=fiche, actor=actor, verb="take_in_review", comment=comment)


def fiche_request_changes(*, fiche: Fiche, actor, comment: str) -> Fiche:
    return fiche_apply(fiche=fiche, actor=actor, verb="request_changes", comment=comment)


def fiche_publish(*, fiche: Fiche, actor, comment: str = "") -> Fiche:
    return fiche_apply(fiche=fiche, actor=actor, verb="publish", comment=comment)


def fiche_reject(*, fiche: Fiche, actor, comment: str) -> Fiche:
    return fiche_apply(fiche=fiche, actor=actor, verb="reject", comment=comment)


def fiche_archive(*, fiche: Fiche, actor, comment: str = "") -> Fiche:
    return fiche_apply(fiche=fiche, actor=actor, verb="archive", comment=comment)


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
