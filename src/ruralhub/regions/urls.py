from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.division_list, name="division_list"),
    path("<str:code>/poverty/", views.set_poverty, name="set_poverty"),
]
