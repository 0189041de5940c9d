"""Admin of the dashboard: imports (upload, progress, outcome) and snapshots (validation)."""

from dashboard.admin import imports, snapshots  # noqa: F401
