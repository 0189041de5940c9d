from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cnml import metrics, proconnect, registry, views

admin.site.site_header = "Administration du back-office CNML"
admin.site.site_title = "Back-office CNML"
admin.site.index_title = "Administration"

account_patterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/reinitialise/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("mot-de-passe/modifier/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Sign-in through ProConnect (404 unless configured); the addresses registered with ProConnect.
    path("proconnect/connexion/", proconnect.ProConnectLoginView.as_view(), name="proconnect_login"),
    path("proconnect/retour/", proconnect.ProConnectCallbackView.as_view(), name="proconnect_callback"),
    path("proconnect/deconnecte/", proconnect.ProConnectLoggedOutView.as_view(), name="proconnect_logged_out"),
]

LEGAL_PAGES = [
    ("accessibilite/", "cnml/accessibilite.html", "Déclaration d'accessibilité", "accessibility"),
    ("mentions-legales/", "cnml/mentions_legales.html", "Mentions légales", "legal_notice"),
    ("donnees-personnelles/", "cnml/donnees_personnelles.html", "Données personnelles", "personal_data"),
    ("plan-du-site/", "cnml/plan_du_site.html", "Plan du site", "sitemap"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("compte/", include(account_patterns)),
    path("sante/", views.health, name="health"),
    path("exploitation/", views.operations, name="operations"),
    # Prometheus, for the monitoring host only (METRICS_ALLOWED_IPS): 404 for anyone else.
    path("metrics/", metrics.metrics, name="metrics"),
    *[
        path(route, views.static_page, {"template": template, "title": title}, name=name)
        for route, template, title, name in LEGAL_PAGES
    ],
    # Each feature app is found through the app registry, never imported here.
    *registry.url_includes(),
    path("admin/", admin.site.urls),
]

handler400 = "cnml.views.bad_request"
handler403 = "cnml.views.permission_denied"
handler404 = "cnml.views.page_not_found"
handler500 = "cnml.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
