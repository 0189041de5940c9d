"""Indicator snapshots (written by the recompute)."""
