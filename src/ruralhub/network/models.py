from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ruralhub.core.scoping import Scope, ScopedQuerySet
from ruralhub.core.validators import (
    AMOUNT_VALIDATORS,
    COUNT_VALIDATORS,
    MAX_AMOUNT,
    REASON_MAX_LENGTH,
    STAFF_VALIDATORS,
    VILLAGERS_VALIDATORS,
    validate_latitude,
    validate_longitude,
    validate_no_nul,
    validate_not_future,
    validate_phone,
)

from .choices import (
    HostType,
    RecordKind,
    ReportAction,
    ReportStatus,
    ReviewDecisionKind,
    Service,
    StationLevel,
    StationStatus,
)

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def validate_photo_size(file) -> None:
    if file.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("照片不能超过5 MB"))


class Station(models.Model):
    """A county centre, township station or village point of the three-level service network."""

    code = models.CharField(_("站点编号"), max_length=30, unique=True, validators=[validate_no_nul])
    name = models.CharField(_("站点名称"), max_length=100, validators=[validate_no_nul])
    level = models.CharField(_("层级"), max_length=20, choices=StationLevel.choices)
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="stations"
    )
    served_villages = models.ManyToManyField(
        "regions.Division", verbose_name=_("服务村"), related_name="serving_stations", blank=True
    )
    host_type = models.CharField(_("依托主体类型"), max_length=20, choices=HostType.choices)
    host = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
    )
    operator_name = models.CharField(_("负责人"), max_length=50, blank=True, validators=[validate_no_nul])
    operator_phone = models.CharField(_("负责人电话"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True, validators=[validate_no_nul])
    status = models.CharField(_("状态"), max_length=12, choices=StationStatus.choices, default=StationStatus.PLANNED)
    status_since = models.DateField(_("状态起始日"), null=True, blank=True)
    opened_on = models.DateField(_("开业日期"), null=True, blank=True, validators=[validate_not_future])
    is_demonstration = models.BooleanField(_("示范站点"), default=False)
    is_central_funded = models.BooleanField(_("中央资金支持"), default=False)
    sign_photo = models.FileField(
        _("统一标识照片"),
        upload_to="stations/signs/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"]), validate_photo_size],
    )
    opening_hours = models.CharField(_("营业时间"), max_length=50, blank=True, validators=[validate_no_nul])
    staff_count = models.PositiveSmallIntegerField(_("运营人员数"), default=0, validators=STAFF_VALIDATORS)
    lat = models.DecimalField(
        _("纬度 (GCJ-02)"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    lng = models.DecimalField(
        _("经度 (GCJ-02)"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("接替站点"), null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )

    scope = Scope(division="division", organisation="host")
    objects = ScopedQuerySet.as_manager()
    # The history row keeps the service's reason whole (simple-history's default column holds 100).
    history = HistoricalRecords(history_change_reason_field=models.CharField(max_length=REASON_MAX_LENGTH, null=True))

    class Meta:
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        ordering = ["division_id", "code"]
        indexes = [models.Index(fields=["level", "status"])]

    def __str__(self):
        return self.name


class StationService(models.Model):
    """One service a station offers (a row each, so lists filter by service on any database)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("服务项目"), max_length=20, choices=Service.choices)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        constraints = [models.UniqueConstraint(fields=["station", "service"], name="station_service_once")]

    def __str__(self):
        return self.get_service_display()


class StationStatusChange(models.Model):
    """The station's status history: coverage on any date is read from it."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("状态"), max_length=12, choices=StationStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=REASON_MAX_LENGTH, blank=True, validators=[validate_no_nul])
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope = Scope(division="station__division", organisation="station__host")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点状态变更")
        verbose_name_plural = _("站点状态变更")
        ordering = ["station", "effective_on", "id"]
        indexes = [models.Index(fields=["effective_on", "station"])]

    def __str__(self):
        return f"{self.station} {self.get_status_display()} {self.effective_on}"


# The records that count in figures: every one not voided.
COUNTED = models.Q(voided_at=None)


class ServiceRecord(models.Model):
    """One tap on the operator's phone: a service given on a day, counted or in yuan."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("服务"), max_length=20, choices=RecordKind.choices)
    occurred_on = models.DateField(_("日期"), validators=[validate_not_future])
    count = models.PositiveIntegerField(_("次数/件数"), default=1, validators=COUNT_VALIDATORS)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, default=0, validators=AMOUNT_VALIDATORS
    )
    villagers = models.PositiveIntegerField(_("服务人数"), default=1, validators=VILLAGERS_VALIDATORS)
    note = models.CharField(_("备注"), max_length=200, blank=True, validators=[validate_no_nul])
    # Above the county's flag value (ReviewRule.flag_count / flag_amount): shown to the approver.
    flagged = models.BooleanField(_("异常提醒"), default=False)
    # Set by the phone for each tap, so a retried submission is stored once.
    client_id = models.CharField(_("客户端编号"), max_length=64, validators=[validate_no_nul])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    # A wrong tap is voided, never deleted: it stays with who voided it and why, and no longer counts.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(
        _("作废原因"), max_length=REASON_MAX_LENGTH, blank=True, validators=[validate_no_nul]
    )
    # A correction voids the wrong tap and enters this one in its place.
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
    )

    scope = Scope(division="station__division", organisation="station__host")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-occurred_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["station", "client_id"], name="service_record_once")]
        indexes = [models.Index(fields=["station", "occurred_on"]), models.Index(fields=["occurred_on"])]

    def __str__(self):
        return f"{self.station} {self.get_kind_display()} {self.occurred_on}"


class CheckIn(models.Model):
    """考勤: the operator opens the station; one a day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="check_ins")
    day = models.DateField(_("日期"), validators=[validate_not_future])
    at = models.DateTimeField(_("签到时间"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    lat = models.DecimalField(
        _("纬度 (GCJ-02)"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    lng = models.DecimalField(
        _("经度 (GCJ-02)"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )

    scope = Scope(division="station__division", organisation="station__host")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="check_in_once_a_day")]

    def __str__(self):
        return f"{self.station} {self.day}"


class MonthlyReport(models.Model):
    """A station's month, built from its records, submitted, approved by the township, accepted by the county."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))  # first day of the month
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    due_on = models.DateField(_("报送截止日"))
    figures = models.JSONField(_("分项数据"), default=dict)
    total_services = models.PositiveIntegerField(_("服务总次数"), default=0)
    parcels_in = models.PositiveIntegerField(_("代收包裹"), default=0)
    parcels_out = models.PositiveIntegerField(_("代发包裹"), default=0)
    purchase_amount = models.DecimalField(_("代购金额（元）"), max_digits=14, decimal_places=2, default=0)
    sale_amount = models.DecimalField(_("代销金额（元）"), max_digits=14, decimal_places=2, default=0)
    villagers_served = models.PositiveIntegerField(_("服务人次"), default=0)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    scope = Scope(division="station__division", organisation="station__host")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-month", "station"]
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="one_report_a_month")]
        indexes = [models.Index(fields=["month", "status"])]
        permissions = [
            ("submit_monthlyreport", "Can submit a monthly report"),
            ("approve_monthlyreport", "Can approve a monthly report (township)"),
            ("accept_monthlyreport", "Can accept a monthly report (county)"),
        ]

    def __str__(self):
        return f"{self.station} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        """Submitted, approved or accepted months take no new records until sent back."""
        return self.status in {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}

    @property
    def on_time(self) -> bool:
        """First submitted by the due day (Beijing time), and not sent back since."""
        if not self.first_submitted_at or self.status in {ReportStatus.DRAFT, ReportStatus.RETURNED}:
            return False
        return timezone.localtime(self.first_submitted_at).date() <= self.due_on

    @property
    def is_overdue(self) -> bool:
        """Not on time and past its due day: only then is it 逾期 (a month not yet due is not late)."""
        return not self.on_time and timezone.localdate() > self.due_on


class ReportEvent(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=ReportAction.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("时间"))
    reason = models.CharField(_("原因"), max_length=REASON_MAX_LENGTH, blank=True, validators=[validate_no_nul])

    class Meta:
        verbose_name = _("月报审核记录")
        verbose_name_plural = _("月报审核记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.report} {self.get_action_display()}"


class ReviewRule(models.Model):
    """翁源: 定期淘汰不能充分发挥效能的站点并进行增补 — the county's rule for listing under-performers."""

    county = models.OneToOneField("regions.Division", on_delete=models.CASCADE, related_name="station_review_rule")
    months = models.PositiveSmallIntegerField(
        _("连续月数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    min_services = models.PositiveIntegerField(
        _("每月最少服务次数"), default=30, validators=[MaxValueValidator(100000)]
    )
    require_accepted_report = models.BooleanField(_("要求月报经县级确认"), default=True)
    # Limits on one tap, set by the county: above the cap a tap is refused; above the flag it is stored
    # but marked, and the approver sees it before approving the month.
    max_count = models.PositiveIntegerField(_("单条记录次数上限"), default=1000, validators=COUNT_VALIDATORS)
    flag_count = models.PositiveIntegerField(_("单条记录次数提醒值"), default=100, validators=COUNT_VALIDATORS)
    max_amount = models.DecimalField(
        _("单条记录金额上限（元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("200000"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(MAX_AMOUNT)],
    )
    flag_amount = models.DecimalField(
        _("单条记录金额提醒值（元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("5000"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(MAX_AMOUNT)],
    )

    scope = Scope(division="county", readable_from_below=True)
    objects = ScopedQuerySet.as_manager()
    # The history row keeps the service's reason whole (simple-history's default column holds 100).
    history = HistoricalRecords(history_change_reason_field=models.CharField(max_length=REASON_MAX_LENGTH, null=True))

    class Meta:
        verbose_name = _("站点考核规则")
        verbose_name_plural = _("站点考核规则")

    def __str__(self):
        return f"{self.county} {self.months}个月"


class ReviewDecision(models.Model):
    """The county office's decision on an under-performing station; the history stays."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="review_decisions")
    decision = models.CharField(_("决定"), max_length=10, choices=ReviewDecisionKind.choices)
    reason = models.CharField(_("理由"), max_length=REASON_MAX_LENGTH, validators=[validate_no_nul])
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    replacement = models.ForeignKey(
        Station, verbose_name=_("增补站点"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_on = models.DateField(_("决定日期"), validators=[validate_not_future])

    scope = Scope(division="station__division", organisation="station__host")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点考核决定")
        verbose_name_plural = _("站点考核决定")
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return f"{self.station} {self.get_decision_display()}"
