from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ruralhub.core.scoping import Scope, ScopedQuerySet
from ruralhub.core.validators import validate_no_nul

from .choices import Comparator, FundSource


class Program(models.Model):
    """A county's 电子商务进农村综合示范 program, as its implementation plan sets it out."""

    county = models.ForeignKey(
        "regions.Division", verbose_name=_("县"), on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("项目名称"), max_length=200, validators=[validate_no_nul])
    batch_year = models.PositiveSmallIntegerField(_("示范批次（年）"))
    plan_title = models.CharField(_("实施方案"), max_length=300, validators=[validate_no_nul])
    plan_source = models.CharField(_("方案文件"), max_length=100, blank=True, validators=[validate_no_nul])
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    planned_poverty_villages = models.PositiveIntegerField(_("方案所列贫困村数"), default=0)

    scope = Scope(division="county", readable_from_below=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("示范项目")
        verbose_name_plural = _("示范项目")
        ordering = ["county_id", "-batch_year"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="program_unique_name")]

    def __str__(self):
        return self.name

    @property
    def total_funds(self) -> Decimal:
        return sum((f.amount for f in self.funds.all()), Decimal(0))


class Phase(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("阶段"), max_length=100, validators=[validate_no_nul])
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("实施阶段")
        verbose_name_plural = _("实施阶段")
        ordering = ["starts_on"]

    def __str__(self):
        return self.name


class Fund(models.Model):
    """Planned funds of one source, stored in yuan (the plans state 万元)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="funds")
    source = models.CharField(_("资金来源"), max_length=20, choices=FundSource.choices)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    citation = models.TextField(_("方案原文"), blank=True, validators=[validate_no_nul])

    class Meta:
        verbose_name = _("资金计划")
        verbose_name_plural = _("资金计划")
        ordering = ["program", "source"]
        constraints = [models.UniqueConstraint(fields=["program", "source"], name="fund_unique_source")]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount}"

    @property
    def amount_wan(self) -> Decimal:
        return self.amount / 10000


class Target(models.Model):
    """One number a plan sets: indicator, comparator, value, and the plan's own sentence."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="targets")
    key = models.CharField(_("指标"), max_length=80, validators=[validate_no_nul])
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("计量单位"), max_length=20, validators=[validate_no_nul])
    label = models.CharField(_("目标"), max_length=300, validators=[validate_no_nul])
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    qualifier = models.CharField(_("细分"), max_length=50, blank=True, validators=[validate_no_nul])
    citation = models.TextField(_("方案原文"), validators=[validate_no_nul])
    position = models.PositiveIntegerField(_("顺序"), default=0)
    # The period a target is judged over: from the program's start (or the plan's own, 2018年4月开始)
    # to the date it must be met by (the plan's end, or its phase's end).
    starts_on = models.DateField(_("起算日期"), null=True, blank=True)
    due_on = models.DateField(_("完成时限"))
    approximate = models.BooleanField(_("约数"), default=False)  # 约3000平方米: met within 10 %
    baseline = models.BooleanField(_("方案基数"), default=False)  # a fact the plan starts from, shown, not judged
    # Why the records cannot give this number (they do not tell a new station from an upgraded one).
    not_measured = models.CharField(_("无法计算的原因"), max_length=300, blank=True, validators=[validate_no_nul])

    scope = Scope(division="program__county", readable_from_below=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["program", "position"]

    def __str__(self):
        return self.label

    @property
    def period_start(self):
        return max(self.starts_on or self.program.starts_on, self.program.starts_on)
