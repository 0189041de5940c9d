"""Workflows: every state machine of the product declared one way and applied one way.

A model with a workflow keeps its state in a field whose values are a ``TextChoices``,
declares a :class:`Workflow` and one transition per move, a method whose body only
prepares the row (the fields the move sets)::

    class Fiche(models.Model):
        status = models.CharField(choices=Status.choices, default=Status.BROUILLON, ...)

        workflow = Workflow(field="status", states=Status)

        @workflow.transition(
            source=[Status.EN_RELECTURE],
            target=Status.PUBLIEE,
            permission="practices.permissions.is_reviewer_of",  # (user, fiche) -> bool
            label="Publier",
        )
        def publish(self, user, *, comment: str) -> None:
            self.published_at = timezone.now()

The model then has:

- ``fiche.publish(user, comment="…")``: applies the move (below) and returns the fresh
  copy it was applied on; ``fiche`` is brought up to date too;
- ``fiche.can_publish(user)``: whether the move is allowed now (same checks, no write);
- ``fiche.publish.refusals(user)``: why not, as French sentences (``[]`` when allowed);
- ``Fiche.publish``: the :class:`Transition` itself (``label``, ``source``, ``target``);
  ``Fiche.workflow.transitions``: all of them, in declaration order.

**Checks, in order** (each refusal is a French sentence a user can act on):

1. ``permission(user, obj) -> bool``, the role and scope rule of ``<app>/permissions.py``
   (a callable, or its dotted path so that the model does not import its guards). When it
   says no: the workflow's ``refused_by_role`` sentence, and the refusal is ``by_role``.
   ``user=None`` is the system (a periodic task): allowed only where ``by_system=True``.
2. the current state is one of ``source``, else ``wrong_state`` (the transition's or the
   workflow's: a template with ``{state}``, ``{label}``, ``{action}``, or ``f(obj) -> str``).
3. ``guard(obj, user) -> list[str]``: what the data still lacks ("Ajoutez au moins un
   critère…"); what ``can_<verb>`` reports, so keep here only what a user can see before
   acting.
4. when applying only: ``comment_required``, the sentence when the comment is blank.

**Applying** runs in one transaction: the row is re-read with ``select_for_update()``
(whoever comes second waits, then meets the guard of the new state), the checks above are
run on that fresh copy, the body runs, then the state is set, the row saved and the move
logged in the audit trail (:func:`cnml.audit.log_transition`: who, when, from, to, the
comment). The body may raise :class:`TransitionRefused` (a check that needs locked rows)
or ``ValidationError`` (bad input); either rolls everything back. ``seen_state`` is the
state the user saw when they chose: when the row has left it and the move is no longer
possible, the refusal says that another decision came first (``overtaken``).

The work a move owes (e-mails through :func:`cnml.emails.notify`, recomputes through the
outbox) is the service's: ``<entity>_<verb>(*, ...)`` in ``<app>/services.py`` calls the
transition, then owes that work, in the same ``transaction.atomic``.

**One exception**: a move that is not allowed raises :class:`TransitionRefused` with its
reasons (a ``PermissionDenied``: uncaught, it answers 403, never 500). Views tell it with
:func:`report_refusal`; pages show a history with :func:`history` and the include
``cnml/includes/history.html``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.module_loading import import_string

from cnml.audit import log_transition, transitions_of
from cnml.formatting import format_datetime

# A sentence, or a function of the object that writes it.
Wording = str | Callable[[models.Model], str]

ROLE_REFUSAL = "Votre rôle ne vous permet pas cette action."
WRONG_STATE = "Cette action n'est pas possible dans l'état actuel ({state})."
OVERTAKEN = (
    "Une autre décision vient d'être prise : l'état est maintenant « {state} ». "
    "Votre demande « {label} » n'a pas été appliquée."
)


class TransitionRefused(PermissionDenied):
    """A workflow move that is not allowed now; ``reasons`` are French sentences for the user.

    ``by_role`` when the user may not make this move at all (their role or scope), as
    opposed to a move the data or the state does not allow yet.
    """

    def __init__(self, reasons: Iterable[str], *, by_role: bool = False):
        self.reasons = [str(reason) for reason in reasons]
        self.by_role = by_role
        super().__init__(" ".join(self.reasons))

    def __reduce__(self):
        # Pickled or copied whole (reasons and by_role), not rebuilt from the joined message.
        return (_refusal, (self.reasons, self.by_role))


def _refusal(reasons: list[str], by_role: bool) -> TransitionRefused:
    return TransitionRefused(reasons, by_role=by_role)


def report_refusal(request: HttpRequest, error: TransitionRefused) -> None:
    """The one way a view tells a refused move: 403 when the role may not, else each reason as an error."""
    if error.by_role:
        raise PermissionDenied(str(error))
    for reason in error.reasons:
        messages.error(request, reason)


def attempt_move(request: HttpRequest, move: Callable[[], object], success: str) -> None:
    """Make a workflow move asked by a view: say ``success``, or why it was refused (:func:`report_refusal`)."""
    try:
        move()
    except TransitionRefused as error:
        report_refusal(request, error)
    else:
        messages.success(request, success)


def _resolve(check: Callable | str | None) -> Callable | None:
    return import_string(check) if isinstance(check, str) else check


class Workflow:
    """The state machine of one model: its state field, its states, how its refusals read.

    Declare it in the model's body (``workflow = Workflow(...)``), then its transitions with
    :meth:`transition`. ``refused_by_role``, ``wrong_state`` and ``overtaken`` are French
    templates (``{state}``: the current state's label in lower case, ``{label}``: the
    transition's label, ``{action}``: its infinitive) or functions of the object.
    """

    def __init__(
        self,
        *,
        field: str,
        states: type[models.TextChoices],
        refused_by_role: Wording = ROLE_REFUSAL,
        wrong_state: Wording = WRONG_STATE,
        overtaken: Wording = OVERTAKEN,
    ):
        self.field = field
        self.states = states
        self.refused_by_role = refused_by_role
        self.wrong_state = wrong_state
        self.overtaken = overtaken
        self.transitions: dict[str, Transition] = {}
        self.model: type[models.Model] | None = None

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        # Called by Django's model metaclass for the class attribute holding the workflow.
        self.model = cls
        setattr(cls, name, self)

    @classmethod
    def of(cls, model: type[models.Model] | models.Model) -> Workflow | None:
        """The workflow declared on a model (class or instance), if any."""
        klass = model if isinstance(model, type) else type(model)
        for owner in klass.__mro__:
            for value in vars(owner).values():
                if isinstance(value, Workflow):
                    return value
        return None

    def transition(
        self,
        *,
        source: Iterable[str],
        target: str,
        permission: Callable[[Any, Any], bool] | str,
        label: str,
        action: str = "",
        guard: Callable[[Any, Any], list[str]] | str | None = None,
        comment_required: str = "",
        wrong_state: Wording | None = None,
        by_system: bool = False,
    ) -> Callable[[Callable], Transition]:
        """Declare the decorated method as a transition (see the module's docstring for each option)."""

        def declare(body: Callable) -> Transition:
            return Transition(
                self,
                body,
                source=frozenset(source),
                target=target,
                permission=permission,
                label=label,
                action=action or label[:1].lower() + label[1:],
                guard=guard,
                comment_required=comment_required,
                wrong_state=wrong_state,
                by_system=by_system,
            )

        return declare

    def record_move(self, obj: models.Model, to_state: str, *, actor=None, comment: str = "") -> None:
        """Put ``obj`` in ``to_state``, save it and log the move, without any check.

        For demo data and imports that replay a past history only, never for a decision
        someone takes now (that is a transition).
        """
        from_state = getattr(obj, self.field)
        setattr(obj, self.field, to_state)
        obj.save()
        log_transition(obj, actor=actor, from_state=from_state, to_state=to_state, comment=comment.strip())

    def state_label(self, value: str) -> str:
        try:
            return str(self.states(value).label)
        except ValueError:
            return value

    def allowed(self, obj: models.Model, user) -> list[Transition]:
        """The transitions ``user`` may make on ``obj`` now, in declaration order."""
        return [transition for transition in self.transitions.values() if transition.allows(obj, user)]


class Transition:
    """One move of a workflow; on an instance it is a :class:`BoundTransition` (call it to apply)."""

    def __init__(
        self,
        workflow: Workflow,
        body: Callable,
        *,
        source: frozenset[str],
        target: str,
        permission: Callable | str,
        label: str,
        action: str,
        guard: Callable | str | None,
        comment_required: str,
        wrong_state: Wording | None,
        by_system: bool,
    ):
        if target not in workflow.states.values or not source <= set(workflow.states.values):
            raise ImproperlyConfigured(f"{body.__qualname__}: source and target must be states of the workflow.")
        self.workflow = workflow
        self.body = body
        self.name = body.__name__
        self.__doc__ = body.__doc__
        self.source = source
        self.target = target
        self.permission = permission
        self.label = label
        self.action = action
        self.guard = guard
        self.comment_required = comment_required
        self.wrong_state = wrong_state if wrong_state is not None else workflow.wrong_state
        self.by_system = by_system

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        # Called by Django's model metaclass: the method becomes the transition, with its guard beside it.
        self.name = name
        setattr(cls, name, self)
        guard_name = f"can_{name}"
        if guard_name in vars(cls):
            raise ImproperlyConfigured(f"{cls.__name__}.{guard_name} is derived from the transition: remove it.")
        setattr(cls, guard_name, _derived_guard(name))
        self.workflow.transitions[name] = self

    def __get__(self, obj, owner=None):
        return self if obj is None else BoundTransition(self, obj)

    def __repr__(self) -> str:
        return f"<Transition {self.name}: {sorted(self.source)} → {self.target}>"

    def _say(self, wording: Wording, obj: models.Model) -> str:
        if callable(wording):
            return wording(obj)
        state = self.workflow.state_label(getattr(obj, self.workflow.field)).lower()
        return wording.format(state=state, label=self.label, action=self.action)

    def check(self, obj: models.Model, user) -> TransitionRefused | None:
        """The refusal of this move on ``obj`` by ``user`` as things are, or None when allowed."""
        if user is None:
            if not self.by_system:
                return TransitionRefused([self._say(self.workflow.refused_by_role, obj)], by_role=True)
        elif not _resolve(self.permission)(user, obj):
            return TransitionRefused([self._say(self.workflow.refused_by_role, obj)], by_role=True)
        if getattr(obj, self.workflow.field) not in self.source:
            return TransitionRefused([self._say(self.wrong_state, obj)])
        guard = _resolve(self.guard)
        reasons = list(guard(obj, user)) if guard is not None else []
        return TransitionRefused(reasons) if reasons else None

    def allows(self, obj: models.Model, user) -> bool:
        """Whether ``user`` may make this move on ``obj`` now: :meth:`check`'s answer, the state tested first.

        The state costs no query: a page listing the moves of an object asks its permission
        and guard only for the moves its state allows.
        """
        if getattr(obj, self.workflow.field) not in self.source:
            return False
        return self.check(obj, user) is None

    def overtaken(self, obj: models.Model, user, seen_state: str | None) -> str | None:
        """Why the move fails if it is only because the state changed since ``seen_state``, else None."""
        current = getattr(obj, self.workflow.field)
        if not seen_state or seen_state == current or seen_state not in self.workflow.states.values:
            return None
        if self.allows(obj, user):
            return None
        setattr(obj, self.workflow.field, seen_state)  # judged as it was seen, then put back
        try:
            possible_as_seen = self.allows(obj, user)
        finally:
            setattr(obj, self.workflow.field, current)
        return self._say(self.workflow.overtaken, obj) if possible_as_seen else None

    def apply(self, obj: models.Model, user, *, comment: str = "", seen_state: str | None = None, **extra):
        """Make the move on a locked fresh copy of ``obj``, in one transaction; return that copy.

        ``obj`` is brought up to date with it afterwards: saving ``obj`` later cannot put the
        old state back.
        """
        comment = (comment or "").strip()
        field = self.workflow.field
        with transaction.atomic():
            locked = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
            refused = self.check(locked, user)
            if refused:
                overtaken = self.overtaken(locked, user, seen_state)
                raise TransitionRefused([overtaken]) if overtaken else refused
            if self.comment_required and not comment:
                raise TransitionRefused([self.comment_required])
            from_state = getattr(locked, field)
            self.body(locked, user, comment=comment, **extra)
            setattr(locked, field, self.target)
            locked.save()
            log_transition(locked, actor=user, from_state=from_state, to_state=self.target, comment=comment)
        if locked is not obj:
            for model_field in locked._meta.concrete_fields:
                setattr(obj, model_field.attname, getattr(locked, model_field.attname))
        return locked


class BoundTransition:
    """A transition on one object: ``obj.verb(user, comment=…)``, ``obj.verb.refusals(user)``."""

    # A template reading ``{{ fiche.publish.label }}`` must never make the move.
    do_not_call_in_templates = True

    def __init__(self, transition: Transition, obj: models.Model):
        self.transition = transition
        self.obj = obj

    def __call__(self, user, *, comment: str = "", seen_state: str | None = None, **extra):
        return self.transition.apply(self.obj, user, comment=comment, seen_state=seen_state, **extra)

    def refusals(self, user) -> list[str]:
        refused = self.transition.check(self.obj, user)
        return refused.reasons if refused else []

    def allowed(self, user) -> bool:
        return self.transition.allows(self.obj, user)

    def overtaken(self, user, seen_state: str | None) -> str | None:
        return self.transition.overtaken(self.obj, user, seen_state)

    @property
    def label(self) -> str:
        return self.transition.label


def _derived_guard(name: str) -> Callable[[models.Model, Any], bool]:
    def can(self, user) -> bool:
        return getattr(self, name).allowed(user)

    can.__name__ = f"can_{name}"
    can.__doc__ = f"Whether ``user`` may make the ``{name}`` move now (derived from the transition)."
    return can


# --- History ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    actor: Any
    from_state: str
    to_state: str
    from_label: str
    to_label: str
    comment: str

    @property
    def when(self) -> str:
        """« 1er septembre 2011 à 10:05 »."""
        return format_datetime(self.at)


def history(obj: models.Model) -> list[HistoryEntry]:
    """The moves of ``obj`` (oldest first) with its states' labels, for ``cnml/includes/history.html``."""
    workflow = Workflow.of(obj)

    def label(value: str) -> str:
        return workflow.state_label(value) if workflow and value else value

    return [
        HistoryEntry(
            at=entry.at,
            actor=entry.actor,
            from_state=entry.from_state,
            to_state=entry.to_state,
            from_label=label(entry.from_state),
            to_label=label(entry.to_state),
            comment=entry.comment,
        )
        for entry in transitions_of(obj)
    ]
