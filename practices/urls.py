from django.urls import path

from practices import recensement_views, views

app_name = "practices"

urlpatterns = [
    path("", views.home, name="home"),
    path("mes-fiches/", views.my_fiches, name="my_fiches"),
    path("mes-fiches/nouvelle/", views.create, name="create"),
    path("relecture/", views.review_queue, name="review_queue"),
    path("recensements/", recensement_views.recensement_list, name="recensements"),
    path("recensements/<int:pk>/", recensement_views.recensement_detail, name="recensement"),
    path("recensements/<int:pk>/clore/", recensement_views.recensement_close, name="recensement_close"),
    path(
        "recensements/<int:pk>/synthese.xlsx",
        recensement_views.recensement_summary,
        {"fmt": "xlsx"},
        name="recensement_xlsx",
    ),
    path(
        "recensements/<int:pk>/synthese.pdf",
        recensement_views.recensement_summary,
        {"fmt": "pdf"},
        name="recensement_pdf",
    ),
    path("fiche/<int:pk>/", views.detail, name="detail"),
    path("fiche/<int:pk>/modifier/", views.edit, name="edit"),
    path("fiche/<int:pk>/imprimer/", views.print_view, name="print"),
    path("fiche/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("fiche/<int:pk>/versions/", views.versions, name="versions"),
    path("fiche/<int:pk>/pieces-jointes/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("fiche/<int:pk>/<slug:slug>/", views.transition, name="transition"),
]
