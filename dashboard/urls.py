from django.urls import path, register_converter

from dashboard import exports, views
from dashboard.ani import views as ani_views
from dashboard.objectives import views as objective_views

register_converter(exports.FormatConverter, "export_format")

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.<export_format:fmt>", views.national_export, name="national_export"),
    path("regions/", views.regions, name="regions"),
    path("regions/export.<export_format:fmt>", views.regions_export, name="regions_export"),
    path("regions/<str:code>/", views.region, name="region"),
    path("regions/<str:code>/export.<export_format:fmt>", views.region_export, name="region_export"),
    path("structures/<str:code>/", views.structure, name="structure"),
    path("structures/<str:code>/export.<export_format:fmt>", views.structure_export, name="structure_export"),
    path("ani/", ani_views.ani_national, name="ani_national"),
    path("ani/export.<export_format:fmt>", ani_views.ani_national_export, name="ani_national_export"),
    path("ani/regions/<str:code>/", ani_views.ani_region, name="ani_region"),
    path("ani/regions/<str:code>/export.<export_format:fmt>", ani_views.ani_region_export, name="ani_region_export"),
    path("ani/structures/<str:code>/", ani_views.ani_structure, name="ani_structure"),
    path(
        "ani/structures/<str:code>/export.<export_format:fmt>",
        ani_views.ani_structure_export,
        name="ani_structure_export",
    ),
    path("objectifs/", objective_views.objectives, name="objectives"),
    path("objectifs/export.<export_format:fmt>", objective_views.objectives_export, name="objectives_export"),
    path("regions/<str:code>/objectifs/", objective_views.objectives_split, name="objectives_split"),
]
