"""Coverage of villages and townships on any date, and the gap list."""

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from ruralhub.core.cache import cached
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

    def within(self, code: str) -> "Coverage":
        """The figures of the townships inside ``code`` (a county: all of them; a township or a village: its
        township)."""
        if len(code) <= len(self.county.code):
            return self
        township = code[:9]
        return replace(
            self,
            townships=[t for t in self.townships if t.township.code == township],
            covered_codes={c for c in self.covered_codes if c.startswith(township)},
        )


def pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def coverage(county_code: str, on: date) -> Coverage:
    """Which villages an operating village point serves on ``on``, per township and for the county.

    The plans' denominator is administrative villages (村委会); 社区 are counted separately. Computed once per
    change: the station services bump "network.stations:<county>" (regions' services "regions:<county>" for
    villages and their poverty flags), and every process recomputes on its next request after a bump.
    """
    county = county_code[:6]
    topics = [f"network.stations:{county}", f"regions:{county}"]
    return cached(f"network.coverage:{county}:{on.isoformat()}", topics, lambda: _coverage(county, on))


def scope_code(user) -> str | None:
    """The division whose coverage a user reads: its own (county office: the county; township officer: the
    township; a village-level user such as an operator: its village's township). None: no division."""
    code = getattr(user, "division_id", None)
    if not code:
        return None
    return code[:9] if len(code) > 9 else code


def _coverage(county_code: str, on: date) -> Coverage:
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


class PointIndex:
    """Points bucketed in a grid of CELL-degree squares; ``nearest`` searches rings of squares outward and stops
    once no farther ring can hold a closer point (a gap list of 200 villages × 1,800 points was 500 ms)."""

    CELL = 0.05  # degrees: about 5.6 km north–south
    KM_PER_DEGREE = 6371.0 * math.pi / 180

    def __init__(self, points: list[Station]):
        self.cells: dict[tuple[int, int], list[tuple[float, float, Station]]] = defaultdict(list)
        for p in points:
            lat, lng = float(p.lat), float(p.lng)
            self.cells[self._cell(lat, lng)].append((lat, lng, p))
        keys = list(self.cells)
        self.bounds = (
            (min(k[0] for k in keys), max(k[0] for k in keys), min(k[1] for k in keys), max(k[1] for k in keys))
            if keys
            else None
        )

    def _cell(self, lat: float, lng: float) -> tuple[int, int]:
        return math.floor(lat / self.CELL), math.floor(lng / self.CELL)

    def nearest(self, lat, lng) -> tuple[Station | None, float | None]:
        if self.bounds is None:
            return None, None
        lat, lng = float(lat), float(lng)
        row, col = self._cell(lat, lng)
        low_row, high_row, low_col, high_col = self.bounds
        last_ring = max(abs(row - low_row), abs(row - high_row), abs(col - low_col), abs(col - high_col))
        best, best_km = None, math.inf
        for ring in range(last_ring + 1):
            # A point in this ring is at least ring − 1 whole cells away, north–south or east–west (where a
            # degree of longitude is shortest: at the ring's latitude farthest from the equator).
            far_lat = min(89.0, abs(lat) + (ring + 1) * self.CELL)
            floor_km = max(ring - 1, 0) * self.CELL * self.KM_PER_DEGREE * math.cos(math.radians(far_lat))
            if floor_km > best_km:
                break
            for cell in self._ring(row, col, ring):
                for p_lat, p_lng, station in self.cells.get(cell, ()):
                    km = distance_km(lat, lng, p_lat, p_lng)
                    if km < best_km:
                        best, best_km = station, km
        return best, best_km

    @staticmethod
    def _ring(row: int, col: int, ring: int):
        """The cells exactly ``ring`` steps (in rows or columns) from (row, col)."""
        if ring == 0:
            yield row, col
            return
        for c in range(col - ring, col + ring + 1):
            yield row - ring, c
            yield row + ring, c
        for r in range(row - ring + 1, row + ring):
            yield r, col - ring
            yield r, col + ring


def coverage_gaps(cov: Coverage, stations=None, within: str = "") -> list[Gap]:
    """Uncovered administrative villages, each with the nearest operating point where coordinates allow.

    ``stations`` limits the candidates for "nearest" (a user's visible stations); default all. ``within``
    limits the villages to a division code prefix.
    """
    uncovered = list(
        Division.objects.within(within or cov.county.code)
        .administrative_villages()
        .exclude(code__in=cov.covered_codes)
        .select_related("parent")
    )
    points = PointIndex(
        list(
            (stations if stations is not None else Station.objects)
            .filter(pk__in=cov.operating_ids, level=StationLevel.VILLAGE_POINT)
            .exclude(lat=None)
            .only("pk", "name", "code", "lat", "lng", "division_id")
        )
    )
    gaps = []
    for village in uncovered:
        gap = Gap(village)
        origin = (village.lat, village.lng) if village.lat is not None else (village.parent.lat, village.parent.lng)
        gap.estimated = village.lat is None
        if origin[0] is not None:
            gap.nearest, km = points.nearest(*origin)
            gap.distance_km = round(km, 1) if km is not None else None
        gaps.append(gap)
    return gaps


def coverage_gaps_for(user, cov: Coverage, within: str) -> tuple[list[Gap], int]:
    """The gap list a user reads, and how many administrative villages it covers: villages in ``within`` the
    user may see, each with the nearest among the operating points the user may see.

    Kept per (county, date, division, what the user's role, division and organisation let it see) until the
    county's stations or villages change.
    """
    county = cov.county.code
    viewer = f"{getattr(user, 'role', '')}/{user.division_id or ''}/{user.organisation_id or ''}/{user.is_superuser}"

    def compute():
        visible = set(
            Division.objects.visible_to(user).within(within).administrative_villages().values_list("code", flat=True)
        )
        gaps = coverage_gaps(cov.within(within), Station.objects.visible_to(user), within=within)
        return [g for g in gaps if g.village.code in visible], len(visible)

    topics = [f"network.stations:{county}", f"regions:{county}"]
    return cached(f"network.gaps:{county}:{cov.on.isoformat()}:{within}:{viewer}", topics, compute)
