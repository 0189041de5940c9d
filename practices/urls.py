from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("", views.home, name="home"),
    path("mes-fiches/", views.my_fiches, name="my_fiches"),
    path("mes-fiches/nouvelle/", views.create, name="create"),
    path("relecture/", views.review_queue, name="review_queue"),
    path("fiche/<int:pk>/", views.detail, name="detail"),
    path("fiche/<int:pk>/modifier/", views.edit, name="edit"),
    path("fiche/<int:pk>/imprimer/", views.print_view, name="print"),
    path("fiche/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("fiche/<int:pk>/versions/", views.versions, name="versions"),
    path("fiche/<int:pk>/pieces-jointes/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("fiche/<int:pk>/<slug:slug>/", views.transition, name="transition"),
]
