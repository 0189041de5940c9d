"""Forms of the mobility app, rendered with crispy-forms through the DSFR template pack.

Formsets are drawn as DSFR tables (the pack's ``dsfr_crispy/table_inline_formset.html``). Every
page with a form re-renders it bound after an error, so nothing typed is lost.

One module per area, every public name re-exported here (``forms.ApplicationForm``):
:mod:`~mobility.forms.common` (helpers, the comment of a decision), :mod:`~mobility.forms.calls`,
:mod:`~mobility.forms.applications` (with reviews and decisions), :mod:`~mobility.forms.projects`,
:mod:`~mobility.forms.budgets` (actual amounts, amendments), :mod:`~mobility.forms.reports`.
"""

from mobility.forms.applications import *  # noqa: F403
from mobility.forms.budgets import *  # noqa: F403
from mobility.forms.calls import *  # noqa: F403
from mobility.forms.common import *  # noqa: F403
from mobility.forms.projects import *  # noqa: F403
from mobility.forms.reports import *  # noqa: F403
