"""Short public links, mounted at the site root: /e/<code>/, and /e/ to type a slip's code (see SurveysConfig.root_urls)."""

from django.urls import path

from surveys import public_views

app_name = "surveys_public"

urlpatterns = [
    path("e/", public_views.code_entry, name="code"),
    path("e/<str:code>/", public_views.entry, name="entry"),
    path("e/<str:code>/merci/", public_views.thanks, name="thanks"),
    path("e/<str:code>/<int:step>/", public_views.step, name="step"),
]
