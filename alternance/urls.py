from django.urls import path

from alternance import views

app_name = "alternance"

urlpatterns = [
    path("", views.home, name="home"),
    path("accords/<int:pk>/", views.agreement_detail, name="agreement"),
    path("suivi/", views.follow_up_list, name="follow_up"),
    path("suivi/<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("suivi/<int:pk>/resultats.xlsx", views.follow_up_xlsx, name="follow_up_xlsx"),
    path("suivi/<int:pk>/documents/ajouter/", views.document_add, name="document_add"),
    path("suivi/<int:pk>/documents/<int:document_pk>/retirer/", views.document_remove, name="document_remove"),
    path("accords/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("suivi/<int:pk>/<slug:action>/", views.agreement_transition, name="agreement_transition"),
    path("suivi/declinaisons/<int:pk>/resultats/", views.results_edit, name="results_edit"),
]
