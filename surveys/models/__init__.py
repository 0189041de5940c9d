"""Models of the surveys app, one module per entity, all importable from here.

- A :class:`Questionnaire` is data (edited in the admin): sections, questions,
  choices (:mod:`surveys.models.questionnaires`). Once a campaign has answers, its
  questionnaire is *locked*: only its wording may change; anything that would break
  stored answers is refused (copy the questionnaire instead, admin action « Copier »).
- A :class:`Campaign` runs a questionnaire over a region (its participating
  missions locales and antennes) or the nation (:mod:`surveys.models.campaigns`).
  Each participating antenne, or mission locale without participating antennes, gets a
  :class:`DistributionPoint`: a short public link ``/e/<code>/``. Its workflow
  (brouillon → ouverte → close) is declared with :mod:`cnml.workflows`: who may
  make each move is decided by :mod:`surveys.permissions`, the work a move owes
  (the results, on closing) by :mod:`surveys.services`.
- A :class:`Response` keeps no personal data: the campaign, the point of the
  link, the day, the answers by question code, and the
  :class:`QuestionnaireVersion` (an immutable copy of the questions' text,
  codes and choices) the respondent saw, so answers survive later edits
  (:mod:`surveys.models.results`).
- :class:`ResultNode` rows are the stored aggregates read by results pages and
  exports, with small-cell protection already applied.
- A :class:`StaffInvitation` says that a member of staff was invited to a survey of professionals,
  never with which code (:mod:`surveys.models.invitations`).
- A :class:`ResultsPublication` opens a closed campaign's results to the public, and
  withdraws them (:mod:`surveys.models.publication`).
"""

from surveys.models.campaigns import (
    ALLOWED_MOVES,
    FROZEN_ONCE_OPEN,
    AccessCode,
    AccessMode,
    Campaign,
    CampaignScope,
    CampaignStatus,
    DistributionPoint,
)
from surveys.models.invitations import StaffInvitation
from surveys.models.publication import PublicationStatus, ResultsPublication
from surveys.models.questionnaires import (
    LIKERT_BOUNDS,
    STRUCTURAL_FIELDS,
    AnalysisRole,
    Audience,
    Choice,
    Instrument,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireLocked,
    QuestionnaireVersion,
    Section,
    ServqualRole,
    check_not_breaking,
    questionnaire_of,
    structural_changes,
)
from surveys.models.results import NodeLevel, Response, ResultNode

__all__ = [
    "ALLOWED_MOVES",
    "FROZEN_ONCE_OPEN",
    "LIKERT_BOUNDS",
    "STRUCTURAL_FIELDS",
    "AccessCode",
    "AccessMode",
    "AnalysisRole",
    "Audience",
    "Campaign",
    "CampaignScope",
    "CampaignStatus",
    "Choice",
    "DistributionPoint",
    "Instrument",
    "NodeLevel",
    "PublicationStatus",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireLocked",
    "QuestionnaireVersion",
    "Response",
    "ResultsPublication",
    "ResultNode",
    "Section",
    "ServqualRole",
    "StaffInvitation",
    "check_not_breaking",
    "questionnaire_of",
    "structural_changes",
]
