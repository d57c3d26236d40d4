from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "ruralhub.regions"
    label = "regions"
    navigation = [(_("行政区划"), "regions:division_list")]
    verbose_name = _("行政区划")
    # 贫困村 flags and coordinates are maintained by the county office.
    role_permissions = {"county_office": ["view_division", "change_division"]}
