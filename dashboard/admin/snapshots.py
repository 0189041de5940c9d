"""Admin of indicator snapshots."""
