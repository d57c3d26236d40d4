from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.station_list, name="station_list"),
    path("coverage/", views.coverage, name="coverage"),
]
