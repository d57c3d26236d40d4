from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from ruralhub.api import api
from ruralhub.core.api import not_found as api_not_found
from ruralhub.core.views import healthz
from ruralhub.dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("regions/", include("ruralhub.regions.urls")),
    path("", include("ruralhub.accounts.urls")),
    path("programs/", include("ruralhub.programs.urls")),
    path("network/", include("ruralhub.network.urls")),
    path("api/", api.urls),
    re_path(r"^api(/|$)", api_not_found),  # no HTML 404 page under /api/: unknown paths and malformed ids
    path("admin/", admin.site.urls),
]
