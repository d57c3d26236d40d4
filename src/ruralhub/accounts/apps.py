from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ruralhub.accounts"
    label = "accounts"
    navigation = [(_("单位"), "accounts:organisation_list")]
    verbose_name = _("单位与用户")
    role_permissions = {
        # The county office manages its county's accounts (in the admin, through accounts.services).
        "county_office": [
            "add_organisation",
            "change_organisation",
            "view_organisation",
            "view_user",
            "add_user",
            "change_user",
        ],
        "township_officer": ["add_organisation", "change_organisation", "view_organisation"],
    }
