"""What the service network puts on each role's home page (AppConfig.home_cards)."""

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ruralhub.core.scoping import may
from ruralhub.regions.models import Division

from . import services
from .choices import ReportStatus, StationStatus
from .models import CheckIn, MonthlyReport, ServiceRecord, Station


def _county_code(user) -> str | None:
    division = Division.objects.visible_to(user).order_by("code").values_list("code", flat=True).first()
    return division[:6] if division else None


def home_cards(user) -> list[dict]:
    """What the service network puts on each role's home page."""
    cards = []
    if may(user, ServiceRecord, "add"):
        station = Station.objects.visible_to(user).exclude(status=StationStatus.CLOSED).first()
        if station:
            today = timezone.localdate()
            checked = CheckIn.objects.visible_to(user).filter(station=station, day=today).exists()
            taps = (
                ServiceRecord.objects.visible_to(user)
                .filter(station=station, occurred_on=today)
                .aggregate(n=Sum("count"))["n"]
            )
            cards.append(
                {
                    "title": station.name,
                    "action": {
                        "label": _("打开我的站点") if checked else _("开门签到并记录服务"),
                        "url": reverse("network:my_station"),
                    },
                    "items": [
                        {
                            "label": _("今日已签到") if checked else _("今日未签到"),
                            "value": "✓" if checked else "—",
                            "url": reverse("network:my_station"),
                            "css": "met" if checked else "not_met",
                        },
                        {
                            "label": _("今日服务次数"),
                            "value": taps or 0,
                            "url": reverse("network:my_station"),
                            "css": "",
                        },
                    ],
                }
            )
        return cards
    visible = Station.objects.visible_to(user)
    if not visible.exists():
        return cards
    items = [
        {
            "label": _("运营中站点"),
            "value": visible.filter(status=StationStatus.OPERATING).count(),
            "url": reverse("network:station_list") + "?status=operating",
            "css": "",
        }
    ]
    waiting = None
    if may(user, MonthlyReport, "accept"):
        waiting = MonthlyReport.objects.visible_to(user).filter(status=ReportStatus.APPROVED).count()
        items.append({"label": _("待县级确认月报"), "value": waiting, "url": reverse("network:reports"), "css": ""})
    elif may(user, MonthlyReport, "approve"):
        waiting = MonthlyReport.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED).count()
        items.append({"label": _("待乡镇审核月报"), "value": waiting, "url": reverse("network:reports"), "css": ""})
    county_code = _county_code(user)
    if county_code:
        cov = services.coverage(county_code, timezone.localdate())
        items.append(
            {
                "label": _("行政村覆盖率"),
                "value": f"{cov.village_pct or 0}%",
                "url": reverse("network:coverage"),
                "css": "",
            }
        )
    cards.append({"title": _("三级服务体系"), "url": reverse("network:station_list"), "items": items})
    return cards
