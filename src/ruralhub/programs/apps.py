from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "ruralhub.programs"
    label = "programs"
    navigation = [(_("目标进度"), "programs:current")]
    verbose_name = _("示范项目与目标")
