"""The station list: a page of rows computed once as plain values, rendered by a plain template.

Choice labels are looked up in dicts translated once per process and language (a ``get_FOO_display()``
per cell re-translated every choice: thousands of gettext calls for one page of 50 stations).
"""

import functools
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ruralhub.core.privacy import phone_for, sees_personal_data
from ruralhub.regions.choices import Level

from .choices import Service, StationLevel, StationStatus
from .models import Station, StationService

PER_PAGE = 50

# Column name → the fields it sorts by (none: not sortable).
SORTS = {
    "code": ("code",),
    "name": ("name",),
    "level": ("level",),
    "township": ("division_id",),
    "division": ("division__name",),
    "operator_name": ("operator_name",),
    "operator_phone": ("operator_phone",),
    "services": (),
    "status": ("status",),
    "opened_on": ("opened_on",),
    "flags": (),
}

# What a row shows, read in the page's one query.
ROW_FIELDS = (
    "code",
    "name",
    "level",
    "operator_name",
    "operator_phone",
    "status",
    "opened_on",
    "is_demonstration",
    "is_central_funded",
    "division__name",
    "division__level",
    "division__parent__name",
)


@functools.cache
def _labels(language: str) -> dict[str, dict[str, str]]:
    """Column names and choice labels, translated once per process and language (``language`` is the key)."""

    def verbose(name):
        return str(Station._meta.get_field(name).verbose_name)

    return {
        "headers": {
            "code": verbose("code"),
            "name": verbose("name"),
            "level": verbose("level"),
            "township": _("所在乡镇"),
            "division": verbose("division"),
            "operator_name": verbose("operator_name"),
            "operator_phone": verbose("operator_phone"),
            "services": _("服务项目"),
            "status": verbose("status"),
            "opened_on": verbose("opened_on"),
            "flags": _("标记"),
        },
        "levels": {k: str(v) for k, v in StationLevel.choices},
        "statuses": {k: str(v) for k, v in StationStatus.choices},
        "services": {k: str(v) for k, v in Service.choices},
        "flags": {"demonstration": _("示范"), "central": _("中央资金")},
    }


@dataclass
class Column:
    name: str
    header: str
    sort_url: str = ""  # empty: not sortable
    sorted: str = ""  # "asc", "desc" or ""


@dataclass
class Row:
    record: Station
    cells: str  # the row's <td>s, every value escaped


class StationTable:
    """One page of stations in scope, sorted on an allowed column (``?sort=name``, ``?sort=-opened_on``)."""

    def __init__(self, queryset, user, params):
        self.user, self.params = user, params  # params: the request's GET
        sortable = {name: fields for name, fields in SORTS.items() if fields}
        if not sees_personal_data(self.user):
            # Sorting on a masked number would reveal it, one probe edit at a time.
            sortable.pop("operator_phone")
        sort = self.params.get("sort", "")
        name = sort.removeprefix("-")
        if name in sortable:
            prefix = "-" if sort.startswith("-") else ""
            queryset = queryset.order_by(*(prefix + f for f in sortable[name]), "pk")
        else:
            sort = ""
        queryset = queryset.only(*ROW_FIELDS)
        self.page = Paginator(queryset, PER_PAGE).get_page(self.params.get("page"))
        self.labels = _labels(get_language())
        self.headers = self.labels["headers"]
        self.columns = [
            Column(
                column,
                header,
                self._sort_url(column, sort) if column in sortable else "",
                {column: "asc", f"-{column}": "desc"}.get(sort, ""),
            )
            for column, header in self.headers.items()
        ]
        self.rows = self._rows(list(self.page.object_list))

    def _sort_url(self, column: str, current: str) -> str:
        query = self.params.copy()
        query.pop("page", None)
        query["sort"] = f"-{column}" if current == column else column
        return "?" + query.urlencode()

    def _rows(self, stations: list[Station]) -> list[Row]:
        levels, statuses, service_labels = self.labels["levels"], self.labels["statuses"], self.labels["services"]
        offered: dict[int, list[str]] = {}
        pairs = StationService.objects.filter(station__in=[s.pk for s in stations]).order_by("station_id", "id")
        for station_id, service in pairs.values_list("station_id", "service"):
            offered.setdefault(station_id, []).append(service_labels.get(service, service))
        demonstration, central = self.labels["flags"]["demonstration"], self.labels["flags"]["central"]
        # One format per request: the column names (shown beside each value on a phone) escaped once.
        headers = {
            name: conditional_escape(h).replace("{", "{{").replace("}", "}}") for name, h in self.headers.items()
        }

        def td(name, inner="{}"):
            return f'<td data-label="{headers[name]}">{inner}</td>'

        pattern = "".join(
            [
                td("code"),
                td("name", '<a href="{}">{}</a>'),
                td("level"),
                td("township"),
                td("division"),
                td("operator_name"),
                td("operator_phone"),
                td("services"),
                td("status", '<span class="badge st-{}">{}</span>'),
                td("opened_on"),
                td("flags"),
            ]
        )
        rows = []
        for s in stations:
            flags = [label for on, label in ((s.is_demonstration, demonstration), (s.is_central_funded, central)) if on]
            division = s.division
            cells = format_html(
                pattern,
                s.code,
                reverse("network:station_detail", args=[s.pk]),
                s.name,
                levels.get(s.level, s.level),
                division.parent.name if division.level == Level.VILLAGE else division.name,
                division.name,
                s.operator_name or "—",
                phone_for(self.user, s.operator_phone) if s.operator_phone else "—",
                "、".join(offered.get(s.pk, ())) or "—",
                s.status,
                statuses.get(s.status, s.status),
                f"{s.opened_on:%Y-%m-%d}" if s.opened_on else "—",
                "、".join(flags) or "—",
            )
            rows.append(Row(record=s, cells=cells))
        return rows
