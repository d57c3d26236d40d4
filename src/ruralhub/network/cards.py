"""What the service network puts on each role's home page (AppConfig.home_cards)."""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ruralhub.core.cache import cached
from ruralhub.core.scoping import may
from ruralhub.regions.models import Division

from . import services
from .choices import ReportStatus, StationStatus
from .models import COUNTED, CheckIn, MonthlyReport, ServiceRecord, Station
from .services.coverage import scope_code


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
                .filter(COUNTED, station=station, occurred_on=today)
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
    scope = scope_code(user)
    county = (scope or _county_code(user) or "")[:6]
    if not county:
        return cards
    figures = _office_figures(user, county)
    if not figures["stations"]:
        return cards
    items = [
        {
            "label": _("运营中站点"),
            "value": figures["operating"],
            "url": reverse("network:station_list") + "?status=operating",
            "css": "",
        }
    ]
    if figures["to_accept"] is not None:
        items.append(
            {"label": _("待县级确认月报"), "value": figures["to_accept"], "url": reverse("network:reports"), "css": ""}
        )
    elif figures["to_approve"] is not None:
        items.append(
            {"label": _("待乡镇审核月报"), "value": figures["to_approve"], "url": reverse("network:reports"), "css": ""}
        )
    cov = services.coverage(county, timezone.localdate()).within(scope or county)
    items.append(
        {
            "label": _("行政村覆盖率") + f" {cov.covered}/{cov.villages}",
            "value": f"{cov.village_pct or 0}%",
            "url": reverse("network:coverage"),
            "css": "",
        }
    )
    cards.append({"title": _("三级服务体系"), "url": reverse("network:station_list"), "items": items})
    return cards


def _office_figures(user, county: str) -> dict:
    """The office card's counts in the user's scope, kept until the county's stations or reports change."""

    def compute():
        visible = Station.objects.visible_to(user)
        counts = visible.aggregate(
            stations=Count("pk"), operating=Count("pk", filter=Q(status=StationStatus.OPERATING))
        )
        reports = MonthlyReport.objects.visible_to(user)
        accepts, approves = may(user, MonthlyReport, "accept"), may(user, MonthlyReport, "approve")
        return {
            **counts,
            "to_accept": reports.filter(status=ReportStatus.APPROVED).count() if accepts else None,
            "to_approve": reports.filter(status=ReportStatus.SUBMITTED).count() if approves and not accepts else None,
        }

    # What the user may see follows from its role, division and organisation: the key names all three.
    viewer = f"{user.role}/{user.division_id or ''}/{user.organisation_id or ''}/{user.is_superuser}"
    topics = [f"network.stations:{county}", f"network.reports:{county}"]
    return cached(f"network.home_card:{county}:{viewer}", topics, compute)
