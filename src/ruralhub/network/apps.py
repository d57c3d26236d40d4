from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "ruralhub.network"
    label = "network"
    verbose_name = _("三级服务体系")
    navigation = [
        (_("我的站点"), "network:my_station", "network.add_servicerecord"),
        (_("服务站点"), "network:station_list"),
        (_("覆盖率"), "network:coverage"),
        (_("月报"), "network:reports"),
        (_("站点考核"), "network:review", "network.add_reviewdecision"),
    ]
    role_permissions = {
        "county_office": [
            "add_station",
            "change_station",
            "accept_monthlyreport",
            "add_reviewdecision",
            "change_reviewrule",
        ],
        "township_officer": ["add_station", "change_station", "approve_monthlyreport"],
        "station_operator": ["add_servicerecord", "add_checkin", "submit_monthlyreport"],
    }

    def home_cards(self, user):
        from .cards import home_cards

        return home_cards(user)
