from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.<str:fmt>", views.national_export, name="national_export"),
    path("regions/", views.regions, name="regions"),
    path("regions/export.<str:fmt>", views.regions_export, name="regions_export"),
    path("regions/<str:code>/", views.region, name="region"),
    path("regions/<str:code>/export.<str:fmt>", views.region_export, name="region_export"),
    path("structures/<str:code>/", views.structure, name="structure"),
    path("structures/<str:code>/export.<str:fmt>", views.structure_export, name="structure_export"),
]
