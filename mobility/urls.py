from django.urls import path, register_converter

from mobility.models import CallTheme
from mobility.views import applications, budgets, calls, carriers, projects, reports

app_name = "mobility"


class CallThemeConverter:
    """The theme of a call in its address: nothing for the mobility platforms, so that the addresses
    printed since 2011 (``/mobilite/appels/2011/``) stay valid, ``alternance/`` for the others
    (``/mobilite/appels/alternance/2012/``)."""

    others = [theme for theme in CallTheme.values if theme != CallTheme.MOBILITE]
    regex = "(?:(?:" + "|".join(others) + ")/)?"

    def to_python(self, value: str) -> str:
        return value.rstrip("/") or CallTheme.MOBILITE

    def to_url(self, value: str) -> str:
        return "" if value == CallTheme.MOBILITE else f"{value}/"


register_converter(CallThemeConverter, "calltheme")


def _actions(prefix: str, view, name_prefix: str, actions: list[tuple[str, str]]) -> list:
    """One address per action of a decision view: ``<prefix><french action>/``, named
    ``<name_prefix>_<english name>``; the view receives the French action as ``action``."""
    return [
        path(f"{prefix}{action}/", view, {"action": action}, name=f"{name_prefix}_{name}") for action, name in actions
    ]


urlpatterns = [
    path("", calls.home, name="home"),
    # Calls for projects
    path("appels/nouveau/", calls.call_create, name="call_create"),
    path("appels/<calltheme:theme><int:year>/", calls.call_detail, name="call_detail"),
    path("appels/<calltheme:theme><int:year>/modifier/", calls.call_edit, name="call_edit"),
    path("appels/<calltheme:theme><int:year>/publier/", calls.call_publish, name="call_publish"),
    path("appels/<calltheme:theme><int:year>/candidater/", applications.application_create, name="application_create"),
    path("appels/<calltheme:theme><int:year>/bilan/", calls.call_report, name="call_report"),
    path("appels/<calltheme:theme><int:year>/bilan.xlsx", calls.call_report_xlsx, name="call_report_xlsx"),
    path("appels/<calltheme:theme><int:year>/bilan.pdf", calls.call_report_pdf, name="call_report_pdf"),
    # Applications
    path("candidatures/", applications.application_list, name="application_list"),
    path("candidatures/<int:pk>/", applications.application_detail, name="application_detail"),
    path("candidatures/<int:pk>/modifier/", applications.application_edit, name="application_edit"),
    path("candidatures/<int:pk>/deposer/", applications.application_submit, name="application_submit"),
    path("candidatures/<int:pk>/evaluer/", applications.application_review, name="application_review"),
    path("candidatures/<int:pk>/decider/", applications.application_decide, name="application_decide"),
    # Membership requests of carriers
    path("porteurs/demandes/", carriers.membership_requests, name="membership_requests"),
    *_actions(
        "porteurs/demandes/<int:pk>/",
        carriers.membership_request_decide,
        "membership_request",
        [("accepter", "approve"), ("refuser", "refuse")],
    ),
    # Projects
    path("projets/", projects.project_list, name="project_list"),
    path("projets/par-etape/", projects.project_board, name="project_board"),
    path("projets/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projets/<int:pk>/etape/<slug:slug>/", projects.project_transition, name="project_transition"),
    path("projets/<int:pk>/plan/", projects.project_plan_edit, name="project_plan_edit"),
    path("projets/<int:pk>/jalons/", projects.project_milestones_edit, name="project_milestones_edit"),
    path("projets/<int:pk>/budget/", budgets.project_budget_edit, name="project_budget_edit"),
    path("projets/<int:pk>/budget/avenant/", budgets.project_budget_amend, name="project_budget_amend"),
    *_actions(
        "projets/<int:pk>/budget/avenants/<int:amendment_pk>/",
        budgets.budget_amendment_decide,
        "budget_amendment",
        [("approuver", "approve"), ("refuser", "refuse")],
    ),
    path("projets/<int:pk>/accompagnement/", projects.project_fare_edit, name="project_fare_edit"),
    path("projets/<int:pk>/documents/ajouter/", projects.document_add, name="document_add"),
    path("projets/<int:pk>/documents/<int:document_pk>/", projects.document_download, name="document_download"),
    # Activity reports
    path("projets/<int:pk>/bilans/nouveau/", reports.report_create, name="report_create"),
    path("projets/<int:pk>/bilans/<int:report_pk>/", reports.report_detail, name="report_detail"),
    path("projets/<int:pk>/bilans/<int:report_pk>/modifier/", reports.report_edit, name="report_edit"),
    *_actions(
        "projets/<int:pk>/bilans/<int:report_pk>/",
        reports.report_transition,
        "report",
        [("soumettre", "submit"), ("approuver", "approve"), ("renvoyer", "send_back")],
    ),
]
