"""Calls for projects of every theme (the mobility platforms, alternance…): calls, applications, projects
and their activity reports.

One module per entity, every public name re-exported here (``from mobility.models import Call``):
:mod:`~mobility.models.common` (validators, the role refusal), :mod:`~mobility.models.catalogues`
(services, funders), :mod:`~mobility.models.calls`, :mod:`~mobility.models.carriers` (and the
requests to join one), :mod:`~mobility.models.applications` (and their rows),
:mod:`~mobility.models.reviews`, :mod:`~mobility.models.projects` (FARE support, sessions,
targets, milestones, documents), :mod:`~mobility.models.budgets` (budget lines and amendments),
:mod:`~mobility.models.reports` (activity reports and the services they count).

Six state machines, each a :class:`cnml.workflows.Workflow` whose moves are transitions
(``obj.<verb>(user, comment=...)``, ``obj.can_<verb>(user)``, ``obj.<verb>.refusals(user)``),
applied on the locked row and logged in the audit trail:

- a call for projects: ``brouillon`` → ``publie``;
- a request to join a carrier: ``en_attente`` → ``acceptee`` | ``refusee`` | ``retiree``;
- an application: ``brouillon`` → ``deposee`` → ``retenue`` | ``refusee``;
- a project: ``retenu`` → ``formation_action`` → ``montage`` → ``lancement`` →
  ``en_fonctionnement``, or ``arrete`` (with a reason) from any stage;
- an amendment to a budget: ``demande`` → ``approuve`` | ``refuse``;
- an activity report: ``brouillon`` → ``soumis`` → ``approuve`` (or back to ``brouillon``).

Who may make a move is decided in :mod:`mobility.permissions`, named here by its dotted path
(the models do not import their guards); the guards here add the rules on the data (a call
must be open, a formation-action must have met...). A refused move raises
:class:`cnml.workflows.TransitionRefused` with the reasons, in French.
"""

from mobility.models.applications import *  # noqa: F403
from mobility.models.budgets import *  # noqa: F403
from mobility.models.calls import *  # noqa: F403
from mobility.models.carriers import *  # noqa: F403
from mobility.models.catalogues import *  # noqa: F403
from mobility.models.common import *  # noqa: F403
from mobility.models.projects import *  # noqa: F403
from mobility.models.reports import *  # noqa: F403
from mobility.models.reviews import *  # noqa: F403
