"""Admin of the practices app."""
