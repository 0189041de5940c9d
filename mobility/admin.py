"""Admin of the mobility app."""
