from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")


class Kind(models.TextChoices):
    COUNTY = "county", _("县（区）")
    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    FARM_UNIT = "farm_unit", _("农场等政企合一单位")
    VILLAGE_COMMITTEE = "village_committee", _("村委会")
    COMMUNITY = "community", _("居委会/社区")
    FARM_COMMUNITY = "farm_community", _("原农场社区")


class PovertyStatus(models.TextChoices):
    NONE = "", _("否")
    REGISTERED = "registered", _("建档立卡贫困村")
    PROVINCIAL = "provincial", _("省定贫困村")
