from django.db import models
from django.utils.translation import gettext_lazy as _


class StationLevel(models.TextChoices):
    COUNTY_CENTRE = "county_centre", _("县级服务中心")
    TOWNSHIP_STATION = "township_station", _("乡镇服务站")
    VILLAGE_POINT = "village_point", _("村级服务点")


class HostType(models.TextChoices):
    CONVENIENCE_STORE = "convenience_store", _("小卖部")
    SUPERMARKET = "supermarket", _("超市")
    COOPERATIVE = "cooperative", _("合作社")
    POST_OFFICE = "post_office", _("邮政网点")
    SUPPLY_COOP = "supply_coop", _("供销社网点")
    ENTERPRISE = "enterprise", _("企业")
    VILLAGE_COMMITTEE = "village_committee", _("村委会")
    OTHER = "other", _("其他")


class Service(models.TextChoices):
    """Services a station offers (服务项目)."""

    PURCHASE = "purchase", _("代购")
    SALE = "sale", _("代销")
    EXPRESS = "express", _("代收代发快递")
    EXCHANGE = "exchange", _("代换代退")
    PAYMENT = "payment", _("缴费充值")
    INFO = "info", _("信息发布")
    FINANCE = "finance", _("电子结算/金融")
    MENTORING = "mentoring", _("创业指导")
    POVERTY_AID = "poverty_aid", _("扶贫服务")
    OTHER = "other", _("其他")


class RecordKind(models.TextChoices):
    """What one tap on the operator's phone records."""

    PARCEL_IN = "parcel_in", _("代收包裹")
    PARCEL_OUT = "parcel_out", _("代发包裹")
    PURCHASE = "purchase", _("代购")
    SALE = "sale", _("代销")
    EXCHANGE = "exchange", _("代换代退")
    PAYMENT = "payment", _("缴费充值")
    INFO = "info", _("信息发布")
    FINANCE = "finance", _("金融服务")
    MENTORING = "mentoring", _("创业指导")
    POVERTY_AID = "poverty_aid", _("扶贫服务")
    OTHER = "other", _("其他")


# The offered service each kind of record belongs to; a station records only what it offers.
RECORD_SERVICE = {
    RecordKind.PARCEL_IN: Service.EXPRESS,
    RecordKind.PARCEL_OUT: Service.EXPRESS,
    RecordKind.PURCHASE: Service.PURCHASE,
    RecordKind.SALE: Service.SALE,
    RecordKind.EXCHANGE: Service.EXCHANGE,
    RecordKind.PAYMENT: Service.PAYMENT,
    RecordKind.INFO: Service.INFO,
    RecordKind.FINANCE: Service.FINANCE,
    RecordKind.MENTORING: Service.MENTORING,
    RecordKind.POVERTY_AID: Service.POVERTY_AID,
    RecordKind.OTHER: Service.OTHER,
}
# Kinds measured in yuan (代购 ¥x, 代销 ¥x); the others are counted.
MONEY_KINDS = {RecordKind.PURCHASE, RecordKind.SALE}


class StationStatus(models.TextChoices):
    PLANNED = "planned", _("规划中")
    BUILDING = "building", _("建设中")
    OPERATING = "operating", _("运营中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已关闭")


# Allowed moves of the station life cycle.
STATUS_MOVES = {
    StationStatus.PLANNED: {StationStatus.BUILDING, StationStatus.OPERATING, StationStatus.CLOSED},
    StationStatus.BUILDING: {StationStatus.OPERATING, StationStatus.CLOSED},
    StationStatus.OPERATING: {StationStatus.SUSPENDED, StationStatus.CLOSED},
    StationStatus.SUSPENDED: {StationStatus.OPERATING, StationStatus.CLOSED},
    StationStatus.CLOSED: set(),
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("未报送")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("乡镇已审核")
    ACCEPTED = "accepted", _("县级已确认")
    RETURNED = "returned", _("已退回")


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("报送")
    APPROVE = "approve", _("乡镇审核通过")
    ACCEPT = "accept", _("县级确认")
    RETURN = "return", _("退回")


class ReviewDecisionKind(models.TextChoices):
    KEEP = "keep", _("保留")
    RECTIFY = "rectify", _("限期整改")
    CLOSE = "close", _("关闭并增补")
