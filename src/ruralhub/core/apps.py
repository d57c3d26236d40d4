from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ruralhub.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self):
        # Every app's indicators.py registers its computations with the registry in core.indicators.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("indicators")
