from django.urls import path

from mobility import views

app_name = "mobility"

urlpatterns = [
    path("", views.home, name="home"),
    # Calls for projects
    path("appels/nouveau/", views.call_create, name="call_create"),
    path("appels/<int:year>/", views.call_detail, name="call_detail"),
    path("appels/<int:year>/modifier/", views.call_edit, name="call_edit"),
    path("appels/<int:year>/publier/", views.call_publish, name="call_publish"),
    path("appels/<int:year>/candidater/", views.application_create, name="application_create"),
    path("appels/<int:year>/bilan/", views.call_report, name="call_report"),
    path("appels/<int:year>/bilan.xlsx", views.call_report_xlsx, name="call_report_xlsx"),
    path("appels/<int:year>/bilan.pdf", views.call_report_pdf, name="call_report_pdf"),
    # Applications
    path("candidatures/", views.application_list, name="application_list"),
    path("candidatures/<int:pk>/", views.application_detail, name="application_detail"),
    path("candidatures/<int:pk>/modifier/", views.application_edit, name="application_edit"),
    path("candidatures/<int:pk>/deposer/", views.application_submit, name="application_submit"),
    path("candidatures/<int:pk>/evaluer/", views.application_review, name="application_review"),
    path("candidatures/<int:pk>/decider/", views.application_decide, name="application_decide"),
    # Membership requests of carriers
    path("porteurs/demandes/", views.membership_requests, name="membership_requests"),
    path(
        "porteurs/demandes/<int:pk>/accepter/",
        views.membership_request_decide,
        {"action": "accepter"},
        name="membership_request_approve",
    ),
    path(
        "porteurs/demandes/<int:pk>/refuser/",
        views.membership_request_decide,
        {"action": "refuser"},
        name="membership_request_refuse",
    ),
    # Projects
    path("projets/", views.project_list, name="project_list"),
    path("projets/par-etape/", views.project_board, name="project_board"),
    path("projets/<int:pk>/", views.project_detail, name="project_detail"),
    path("projets/<int:pk>/etape/<slug:slug>/", views.project_transition, name="project_transition"),
    path("projets/<int:pk>/plan/", views.project_plan_edit, name="project_plan_edit"),
    path("projets/<int:pk>/jalons/", views.project_milestones_edit, name="project_milestones_edit"),
    path("projets/<int:pk>/budget/", views.project_budget_edit, name="project_budget_edit"),
    path("projets/<int:pk>/budget/avenant/", views.project_budget_amend, name="project_budget_amend"),
    *[
        path(
            f"projets/<int:pk>/budget/avenants/<int:amendment_pk>/{action}/",
            views.budget_amendment_decide,
            {"action": action},
            name=f"budget_amendment_{name}",
        )
        for action, name in [("approuver", "approve"), ("refuser", "refuse")]
    ],
    path("projets/<int:pk>/accompagnement/", views.project_fare_edit, name="project_fare_edit"),
    path("projets/<int:pk>/documents/ajouter/", views.document_add, name="document_add"),
    path("projets/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    # Activity reports
    path("projets/<int:pk>/bilans/nouveau/", views.report_create, name="report_create"),
    path("projets/<int:pk>/bilans/<int:report_pk>/", views.report_detail, name="report_detail"),
    path("projets/<int:pk>/bilans/<int:report_pk>/modifier/", views.report_edit, name="report_edit"),
    *[
        path(
            f"projets/<int:pk>/bilans/<int:report_pk>/{action}/",
            views.report_transition,
            {"action": action},
            name=f"report_{name}",
        )
        for action, name in [("soumettre", "submit"), ("approuver", "approve"), ("renvoyer", "send_back")]
    ],
]
