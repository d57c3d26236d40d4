from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The home page and (later) the county data centre: reads every app through its registries, writes nothing."""

    name = "ruralhub.dashboard"
    label = "dashboard"
    verbose_name = _("数据中心")
