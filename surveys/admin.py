"""Admin of the surveys app."""
