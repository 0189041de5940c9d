"""Admin of extract imports."""
