from django.urls import path

from surveys import publication_views, views

app_name = "surveys"

campaign = "campagnes/<int:pk>/"
point = campaign + "diffusion/<str:code>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign_create"),
    path(campaign, views.campaign_detail, name="campaign"),
    path(campaign + "modifier/", views.campaign_edit, name="campaign_edit"),
    path(campaign + "ouvrir/", views.campaign_move, {"verb": "open"}, name="campaign_open"),
    path(campaign + "cloturer/", views.campaign_move, {"verb": "close"}, name="campaign_close"),
    path(campaign + "calculer/", views.campaign_aggregate, name="campaign_aggregate"),
    path(campaign + "inviter/", views.campaign_invite, name="campaign_invite"),
    path(point + "qr.svg", views.point_qr, {"fmt": "svg"}, name="point_qr_svg"),
    path(point + "qr.png", views.point_qr, {"fmt": "png"}, name="point_qr_png"),
    path(point + "affiche.pdf", views.point_poster, name="point_poster"),
    path(point + "codes/", views.point_codes, name="point_codes"),
    path(point + "codes/lot-<int:batch>.pdf", views.point_slips, name="point_slips"),
    path(campaign + "resultats/", views.results, name="results"),
    path(campaign + "resultats/export.csv", views.results_export, {"fmt": "csv"}, name="results_csv"),
    path(campaign + "resultats/export.xlsx", views.results_export, {"fmt": "xlsx"}, name="results_xlsx"),
    path(campaign + "resultats/publier/", publication_views.results_publish, name="results_publish"),
    path(campaign + "resultats/retirer/", publication_views.results_withdraw, name="results_withdraw"),
    path(campaign + "resultats/<str:key>/", views.results_node, name="results_node"),
    path(campaign + "resultats/<str:key>/rapport.pdf", views.results_report, name="results_report"),
    # Published results, read by anyone (surveys.publication_views).
    path("resultats-publies/", publication_views.public_index, name="public_index"),
    path("resultats-publies/<int:pk>/", publication_views.public_results, name="public_results"),
    path("resultats-publies/<int:pk>/<str:key>/", publication_views.public_results_node, name="public_results_node"),
    path(
        "resultats-publies/<int:pk>/<str:key>/rapport.pdf",
        publication_views.public_results_report,
        name="public_results_report",
    ),
]
