"""Coverage of villages and townships on any date, and the gap list."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ruralhub.regions.choices import Kind
from ruralhub.regions.models import Division

from ..choices import (
    StationLevel,
)
from ..models import (
    Station,
)
from .stations import operating_station_ids


@dataclass
class TownshipCoverage:
    township: Division
    villages: int = 0
    covered: int = 0
    poverty: int = 0
    poverty_covered: int = 0
    communities: int = 0
    communities_covered: int = 0
    operating_points: int = 0
    has_station: bool = False

    @property
    def pct(self) -> Decimal | None:
        return pct(self.covered, self.villages)


@dataclass
class Coverage:
    county: Division
    on: date
    townships: list[TownshipCoverage] = field(default_factory=list)
    covered_codes: set[str] = field(default_factory=set)
    operating_ids: set[int] = field(default_factory=set)

    def _sum(self, name):
        return sum(getattr(t, name) for t in self.townships)

    @property
    def villages(self):
        return self._sum("villages")

    @property
    def covered(self):
        return self._sum("covered")

    @property
    def village_pct(self):
        return pct(self.covered, self.villages)

    @property
    def poverty(self):
        return self._sum("poverty")

    @property
    def poverty_covered(self):
        return self._sum("poverty_covered")

    @property
    def poverty_pct(self):
        return pct(self.poverty_covered, self.poverty)

    @property
    def communities(self):
        return self._sum("communities")

    @property
    def communities_covered(self):
        return self._sum("communities_covered")

    @property
    def township_stations(self):
        return sum(1 for t in self.townships if t.has_station)

    @property
    def township_pct(self):
        return pct(self.township_stations, len(self.townships))

    @property
    def operating_points(self):
        return self._sum("operating_points")


def pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def coverage(county_code: str, on: date) -> Coverage:
    """Which villages an operating village point serves on ``on``, per township and for the county.

    The plans' denominator is administrative villages (村委会); 社区 are counted separately.
    """
    county = Division.objects.get(code=county_code)
    operating = operating_station_ids(county_code, on)
    stations = list(Station.objects.filter(pk__in=operating).values_list("pk", "level", "division_id"))
    point_ids = [pk for pk, level, _d in stations if level == StationLevel.VILLAGE_POINT]
    township_with_station = {d[:9] for _pk, level, d in stations if level == StationLevel.TOWNSHIP_STATION}
    covered = set(
        Station.served_villages.through.objects.filter(station_id__in=point_ids).values_list("division_id", flat=True)
    )
    points_per_township = defaultdict(int)
    for _pk, level, d in stations:
        if level == StationLevel.VILLAGE_POINT:
            points_per_township[d[:9]] += 1
    result = Coverage(county=county, on=on, covered_codes=covered, operating_ids=operating)
    rows = {t.code: TownshipCoverage(t) for t in Division.objects.within(county_code).townships()}
    villages = Division.objects.within(county_code).villages().values_list("code", "kind", "poverty_status")
    for code, kind, poverty in villages:
        row = rows[code[:9]]
        is_covered = code in covered
        if kind == Kind.VILLAGE_COMMITTEE:
            row.villages += 1
            row.covered += is_covered
            if poverty:
                row.poverty += 1
                row.poverty_covered += is_covered
        else:
            row.communities += 1
            row.communities_covered += is_covered
    for code, row in rows.items():
        row.has_station = code in township_with_station
        row.operating_points = points_per_township[code]
    result.townships = list(rows.values())
    return result


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance; GCJ-02 offsets are far below what matters for 'nearest point'."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@dataclass
class Gap:
    village: Division
    nearest: Station | None = None
    distance_km: float | None = None
    estimated: bool = False  # measured from the township's point because the village has none


def coverage_gaps(cov: Coverage, stations=None) -> list[Gap]:
    """Uncovered administrative villages, each with the nearest operating point where coordinates allow.

    ``stations`` limits the candidates for "nearest" (a user's visible stations); default all.
    """
    uncovered = list(
        Division.objects.within(cov.county.code)
        .administrative_villages()
        .exclude(code__in=cov.covered_codes)
        .select_related("parent")
    )
    points = list(
        (stations if stations is not None else Station.objects)
        .filter(pk__in=cov.operating_ids, level=StationLevel.VILLAGE_POINT)
        .exclude(lat=None)
        .only("pk", "name", "code", "lat", "lng", "division_id")
    )
    gaps = []
    for village in uncovered:
        gap = Gap(village)
        origin = (village.lat, village.lng) if village.lat is not None else (village.parent.lat, village.parent.lng)
        gap.estimated = village.lat is None
        if origin[0] is not None and points:
            best = min(points, key=lambda s: distance_km(origin[0], origin[1], s.lat, s.lng))
            gap.nearest = best
            gap.distance_km = round(distance_km(origin[0], origin[1], best.lat, best.lng), 1)
        gaps.append(gap)
    return gaps
