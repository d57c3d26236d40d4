from django.db import models
from django.utils.translation import gettext_lazy as _


class FundSource(models.TextChoices):
    CENTRAL = "central", _("中央财政资金")
    PROVINCIAL = "provincial", _("省级资金")
    COUNTY = "county", _("县级配套资金")
    ENTERPRISE = "enterprise", _("企业自筹")
    OTHER = "other", _("其他")


class Comparator(models.TextChoices):
    AT_LEAST = ">=", "≥"
    AT_MOST = "<=", "≤"
    EQUAL = "=", "="
    ABOVE = ">", "＞"  # 超过: strictly more
    BELOW = "<", "＜"  # 下降: strictly less


class Status(models.TextChoices):
    MET = "met", _("已达标")
    NOT_MET = "not_met", _("未达标")
    NO_DATA = "no_data", _("暂无数据")
    BASELINE = "baseline", _("方案基数")  # a fact the plan starts from (203个行政村), not something to reach
