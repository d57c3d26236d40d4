from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.current, name="current"),
    path("<int:pk>/targets/", views.targets, name="targets"),
]
