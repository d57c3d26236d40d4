from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ruralhub.accounts"
    label = "accounts"
    navigation = [
        (_("单位"), "accounts:organisation_list"),
        # Only for the roles that manage logins; finance/audit may read the list but has nothing to do there.
        (_("用户"), "accounts:user_list", "accounts.change_user"),
    ]
    verbose_name = _("单位与用户")
    role_permissions = {
        # The county office manages its county's accounts (on the user pages and in the admin, through
        # accounts.services); a township officer the logins of its township's station operators.
        "county_office": [
            "add_organisation",
            "change_organisation",
            "view_organisation",
            "view_user",
            "add_user",
            "change_user",
        ],
        "township_officer": [
            "add_organisation",
            "change_organisation",
            "view_organisation",
            "view_user",
            "add_user",
            "change_user",
        ],
        "finance_audit": ["view_user"],
    }
