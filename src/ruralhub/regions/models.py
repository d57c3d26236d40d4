from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ruralhub.core.scoping import Scope, ScopedQuerySet
from ruralhub.core.validators import REASON_MAX_LENGTH, validate_latitude, validate_longitude, validate_no_nul

from .choices import Kind, Level, PovertyStatus

CODE_LENGTHS = {Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


def kind_from_code(code: str) -> Kind:
    """The NBS segment rule: the last segment of a code tells what sort of unit it is."""
    if len(code) == 6:
        return Kind.COUNTY
    if len(code) == 9:
        segment = int(code[6:9])
        if segment < 100:
            return Kind.SUBDISTRICT
        if segment < 200:
            return Kind.TOWN
        if segment < 400:
            return Kind.TOWNSHIP
        return Kind.FARM_UNIT
    if len(code) == 12:
        segment = int(code[9:12])
        if segment < 200:
            return Kind.COMMUNITY
        if segment < 400:
            return Kind.VILLAGE_COMMITTEE
        return Kind.FARM_COMMUNITY
    raise ValueError(f"division code {code!r} is not 6, 9 or 12 digits")


class DivisionQuerySet(ScopedQuerySet):
    def within(self, code: str):
        """The division with this code and everything below it (by code prefix, no recursion)."""
        return self.filter(code__startswith=code)

    def townships(self):
        return self.filter(level=Level.TOWNSHIP)

    def villages(self):
        return self.filter(level=Level.VILLAGE)

    def administrative_villages(self):
        # 行政村: the denominator of every coverage target in the plans.
        return self.filter(kind=Kind.VILLAGE_COMMITTEE)


class Division(models.Model):
    """A county, township-level unit or village-level unit, keyed by its statistical code."""

    # The code is the key, so "within a division" is a prefix match on the foreign key column itself.
    code = models.CharField(_("统计用区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100, validators=[validate_no_nul])
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True)
    poverty_status = models.CharField(
        _("贫困村"), max_length=12, choices=PovertyStatus.choices, blank=True, default=PovertyStatus.NONE
    )
    lat = models.DecimalField(
        _("纬度 (GCJ-02)"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    lng = models.DecimalField(
        _("经度 (GCJ-02)"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )

    scope = Scope(division="")
    objects = DivisionQuerySet.as_manager()
    # The history row keeps the service's reason whole (simple-history's default column holds 100).
    history = HistoricalRecords(history_change_reason_field=models.CharField(max_length=REASON_MAX_LENGTH, null=True))

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "kind"])]

    def __str__(self):
        return self.name

    @property
    def is_poverty_village(self) -> bool:
        return bool(self.poverty_status)

    @property
    def county_code(self) -> str:
        return self.code[:6]

    @property
    def full_name(self) -> str:
        """ "遂昌县 大柘镇 大柘村委会" — names from the county down, looked up by code prefixes."""
        prefixes = [self.code[:n] for n in (6, 9) if n < len(self.code)]
        names = dict(Division.objects.filter(code__in=prefixes).values_list("code", "name"))
        return " ".join([names.get(p, "") for p in prefixes if p in names] + [self.name])
