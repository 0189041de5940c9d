from django.urls import path

from mobility import views

app_name = "mobility"

urlpatterns = [
    path("", views.home, name="home"),
]
