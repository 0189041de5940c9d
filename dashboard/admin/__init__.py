"""Admin of the dashboard: imports (upload, progress, outcome), snapshots (validation), objectives."""

from dashboard.admin import imports, objectives, snapshots  # noqa: F401
