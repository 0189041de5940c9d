"""Models of the dashboard: facts of the latest extract and import records
(:mod:`dashboard.models.facts`), computed indicator snapshots
(:mod:`dashboard.models.snapshots`), objectives (:mod:`dashboard.models.objectives`)."""

from dashboard.models.facts import *  # noqa: F403
from dashboard.models.objectives import *  # noqa: F403
from dashboard.models.snapshots import *  # noqa: F403
