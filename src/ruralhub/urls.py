from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ruralhub.api import api
from ruralhub.dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("regions/", include("ruralhub.regions.urls")),
    path("organisations/", include("ruralhub.accounts.urls")),
    path("programs/", include("ruralhub.programs.urls")),
    path("network/", include("ruralhub.network.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
