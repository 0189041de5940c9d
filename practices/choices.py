"""The choices of a fiche: its scale, its states and review queues, its partners' kinds.

A leaf imported by :mod:`practices.models` (which names them again for the rest of the app), kept apart
so that the model module stays readable.
"""

from django.db import models


class Scale(models.TextChoices):
    LOCAL = "locale", "Locale"
    DEPARTMENTAL = "departementale", "Départementale"
    REGIONAL = "regionale", "Régionale"


class Status(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMISE = "soumise", "Soumise"
    EN_RELECTURE = "en_relecture", "En relecture"
    A_COMPLETER = "a_completer", "À compléter"
    PUBLIEE = "publiee", "Publiée"
    REFUSEE = "refusee", "Refusée"
    ARCHIVEE = "archivee", "Archivée"


# States in which the authors may edit the content.
EDITABLE_STATES = frozenset({Status.BROUILLON, Status.A_COMPLETER})
# States waiting for a reviewer (they have a due date).
REVIEW_STATES = frozenset({Status.SOUMISE, Status.EN_RELECTURE})
# A move the user may not make, or not from the fiche's state.
REFUSED = "Vous ne pouvez pas {action} cette fiche dans son état actuel ({state})."


class Queue(models.TextChoices):
    REGIONAL = "regionale", "Animation régionale"
    CNML = "cnml", "Relecteurs du CNML"


class PartnerKind(models.TextChoices):
    POLE_EMPLOI = "pole_emploi", "Pôle emploi"
    CONSEIL_REGIONAL = "conseil_regional", "Conseil régional"
    CONSEIL_GENERAL = "conseil_general", "Conseil général"
    ETAT = "etat", "État (préfecture, Direccte…)"
    OPCA = "opca", "OPCA"
    ENTREPRISE = "entreprise", "Entreprise"
    ASSOCIATION = "association", "Association"
    ANIMATION_REGIONALE = "animation_regionale", "Animation régionale des missions locales"
    COLLECTIVITE = "collectivite", "Commune ou intercommunalité"
    AUTRE = "autre", "Autre"
