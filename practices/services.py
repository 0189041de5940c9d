"""Writes of the practices app: saving a fiche, moving it through its workflow, notifying.

Every transition runs in a transaction on a locked row, so two reviewers clicking at
once cannot both decide; the e-mails (:func:`cnml.emails.notify`) leave on commit
only, with the comment as written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cnml.emails import notify
from practices.models import Attachment, Fiche, Status, Theme, TransitionNotAllowed
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
        if not fiche.can_edit(actor):
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
    """One transition as people trigger it: from a page of the site or from the admin."""

    verb: str  # the Fiche method, e.g. "request_changes"
    slug: str  # its URL fragment, in French
    label: str  # button and page title
    comment_label: str
    comment_required: bool
    done: str  # success message
    # Who receives an e-mail: "reviewers" of the queue, or the "authors".
    notify: str | None
    email_subject: str = ""
    button_class: str = ""


ACTIONS: dict[str, Action] = {
    action.verb: action
    for action in [
        Action(
            "submit",
            "soumettre",
            "Soumettre la fiche",
            "Message pour les relecteurs",
            False,
            "La fiche est soumise : les relecteurs sont prévenus.",
            "reviewers",
            "Fiche à relire : {title}",
        ),
        Action(
            "take_in_review",
            "prendre-en-relecture",
            "Prendre en relecture",
            "Commentaire",
            False,
            "Vous relisez cette fiche.",
            None,
        ),
        Action(
            "request_changes",
            "demander-des-complements",
            "Demander des compléments",
            "Ce qu'il faut compléter",
            True,
            "La fiche est renvoyée à ses rédacteurs pour être complétée.",
            "authors",
            "Votre fiche est à compléter : {title}",
            "fr-btn--secondary",
        ),
        Action(
            "publish",
            "publier",
            "Publier",
            "Commentaire pour les rédacteurs",
            False,
            "La fiche est publiée dans le catalogue.",
            "authors",
            "Votre fiche est publiée : {title}",
        ),
        Action(
            "reject",
            "refuser",
            "Refuser",
            "Raison du refus",
            True,
            "La fiche est refusée ; ses rédacteurs en connaissent la raison.",
            "authors",
            "Votre fiche n'a pas été retenue : {title}",
            "fr-btn--tertiary",
        ),
        Action(
            "archive",
            "archiver",
            "Archiver",
            "Commentaire",
            False,
            "La fiche est archivée : elle ne figure plus au catalogue.",
            "authors",
            "Votre fiche est archivée : {title}",
            "fr-btn--tertiary",
        ),
    ]
}
ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS.values()}


def available_actions(fiche: Fiche, user) -> list[Action]:
    """The transitions the user may trigger on the fiche now, in workflow order."""
    return [action for action in ACTIONS.values() if getattr(fiche, f"can_{action.verb}")(user)]


def site_url(path: str) -> str:
    """An absolute address for e-mails: ``SITE_URL`` if set, else the first allowed host."""
    base = getattr(settings, "SITE_URL", "")
    if not base:
        hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*",) and not host.startswith(".")]
        host = hosts[0] if hosts else "localhost"
        scheme = "http" if settings.DEBUG else "https"
        port = ":8000" if settings.DEBUG and host in ("127.0.0.1", "localhost") else ""
        base = f"{scheme}://{host}{port}"
    return base.rstrip("/") + path


def overtaken(fiche: Fiche, *, verb: str, actor, seen_status: str | None) -> bool:
    """Whether ``actor`` chose ``verb`` on the fiche as shown in ``seen_status`` (where they could),
    and someone else's decision moved it since to a state where they no longer can."""
    if not seen_status or seen_status == fiche.status or seen_status not in Status.values:
        return False
    if getattr(fiche, f"can_{verb}")(actor):
        return False
    as_seen = copy.copy(fiche)
    as_seen.status = seen_status
    return getattr(as_seen, f"can_{verb}")(actor)


def decided_meanwhile(fiche: Fiche, action: Action) -> str:
    """What to tell someone whose decision came after another one on the same fiche."""
    return (
        f"Une autre décision vient d'être prise sur cette fiche : elle est maintenant "
        f"« {fiche.get_status_display().lower()} ». Votre demande « {action.label} » n'a pas été appliquée."
    )


@transaction.atomic
def fiche_apply(*, fiche: Fiche, actor, verb: str, comment: str = "", seen_status: str | None = None) -> Fiche:
    """Run one transition on a locked copy of the fiche, then queue its e-mails for the commit.

    The row is locked (``SELECT … FOR UPDATE``; on SQLite the transaction takes the write lock
    when it begins) and the guard checked again on it: of two reviewers deciding at once, the
    second waits, then is refused. ``seen_status`` is the status shown to the actor when they
    chose (``fiche.status`` when not given): when the fiche has left it and the action is no
    longer possible, the refusal says that another decision came first.

    Raises :class:`practices.models.TransitionNotAllowed` (a ``PermissionDenied``) when
    the guard refuses, ``ValidationError`` when a comment is missing or the fiche is
    incomplete.
    """
    action = ACTIONS[verb]
    locked = Fiche.objects.select_for_update().select_related("structure", "region").get(pk=fiche.pk)
    if overtaken(locked, verb=verb, actor=actor, seen_status=seen_status or fiche.status):
        raise TransitionNotAllowed(decided_meanwhile(locked, action))
    getattr(locked, verb)(actor, comment=comment or "")
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
        context["url"] = site_url(reverse("practices:detail", args=[fiche.pk]))
        context["admin_url"] = site_url(reverse("admin:practices_fiche_change", args=[fiche.pk]))
    else:
        recipients = fiche.author_recipients()
        template = "practices/emails/fiche_decision.txt"
        context["url"] = site_url(reverse("practices:detail", args=[fiche.pk]))
        context["edit_url"] = site_url(reverse("practices:edit", args=[fiche.pk]))
    notify(
        recipients=[address for address in recipients if address != actor_email],
        subject=action.email_subject.format(title=fiche.title),
        template=template,
        context=context,
    )
