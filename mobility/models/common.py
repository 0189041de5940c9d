"""What the mobility models share: the validators of amounts and départements, the role refusal,
the record of a request's decision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from mobility.regions import DEPARTEMENTS

__all__ = [
    "NOT_NEGATIVE",
    "ROLE_REFUSAL",
    "not_negative",
    "split_departements",
    "validate_departements",
]

NOT_NEGATIVE = "La valeur ne peut pas être négative."
ROLE_REFUSAL = "Votre rôle ne vous permet pas cette action sur ce dossier."


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(NOT_NEGATIVE, code="negative")


def validate_departements(value: str) -> None:
    """A comma-separated list of département codes: « 30, 34 » or « 2A, 971 »."""
    unknown = [code for code in split_departements(value) if code not in DEPARTEMENTS]
    if unknown:
        raise ValidationError(
            "Code(s) de département inconnu(s) : %(codes)s. Exemple attendu : 30, 34, 2A, 974.",
            code="unknown_departement",
            params={"codes": ", ".join(unknown)},
        )


def split_departements(value: str) -> list[str]:
    parts = [part.strip().upper() for part in (value or "").replace(";", ",").split(",")]
    return [f"0{part}" if part.isdigit() and len(part) == 1 else part for part in parts if part]


def record_decision(request, user, comment: str) -> None:
    """Who decided a request (to join a carrier, to amend a budget), when, and what they said."""
    request.decided_by = user if getattr(user, "is_authenticated", False) else None
    request.decided_at = timezone.now()
    request.decision_comment = comment
