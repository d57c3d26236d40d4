from django.db import models
from django.utils.translation import gettext_lazy as _

from ruralhub.core.roles import Role  # noqa: F401  (re-exported: roles are an accounts choice too)


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("政府部门")
    ENTERPRISE = "enterprise", _("企业")
    COOPERATIVE = "cooperative", _("农民专业合作社")
    FAMILY_FARM = "family_farm", _("家庭农场")
    EXPRESS = "express", _("快递物流企业")
    TRAINING = "training", _("培训机构")
    STATION_HOST = "station_host", _("站点承办主体")
    OTHER = "other", _("其他")
