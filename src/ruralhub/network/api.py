from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel

from ruralhub.core.api import InputSchema, IsoDate
from ruralhub.core.privacy import phone_for
from ruralhub.core.scoping import get_visible_or_404
from ruralhub.core.validators import MAX_AMOUNT, MAX_COUNT, MAX_VILLAGERS

from . import services
from .models import MonthlyReport, Station, StationService

router = Router(tags=["三级服务体系"])


class StationOut(BaseModel):
    """A plain pydantic model, validated natively: ninja's Schema wraps every row in an attribute getter,
    which cost more than the whole station list."""

    id: int
    code: str
    name: str
    level: str
    division: str
    served_villages: list[str]
    host_type: str
    host_id: int | None
    operator_name: str
    operator_phone: str
    services: list[str]
    status: str
    status_since: date | None
    opened_on: date | None
    is_demonstration: bool
    is_central_funded: bool
    lat: float | None
    lng: float | None


class StationIn(InputSchema):
    code: str
    name: str
    level: str
    division: str
    host_type: str
    host: int | None = None
    operator_name: str = ""
    operator_phone: str = ""
    address: str = ""
    opening_hours: str = ""
    is_demonstration: bool = False
    is_central_funded: bool = False
    lat: Decimal | None = None
    lng: Decimal | None = None
    services: list[str] = []
    served_villages: list[str] | None = None


class RecordIn(InputSchema):
    kind: str
    client_id: str
    count: int = Field(1, ge=1, le=MAX_COUNT)
    amount: Decimal = Field(Decimal(0), ge=0, le=MAX_AMOUNT)
    occurred_on: date | None = None
    villagers: int | None = Field(None, ge=0, le=MAX_VILLAGERS)
    note: str = ""


class RecordBatch(InputSchema):
    records: list[RecordIn] = Field(..., min_length=1, max_length=5000)


class RecordResultOut(Schema):
    created: int
    duplicates: int


class CheckInIn(InputSchema):
    lat: Decimal | None = Field(None, ge=-90, le=90)
    lng: Decimal | None = Field(None, ge=-180, le=180)


class CheckInOut(Schema):
    station: int
    day: date
    at: str
    created: bool


class ReportOut(Schema):
    id: int
    station: int
    month: str
    status: str
    due_on: date
    total_services: int
    parcels_in: int
    parcels_out: int
    purchase_amount: Decimal
    sale_amount: Decimal
    villagers_served: int
    on_time: bool
    figures: dict


class ReturnIn(InputSchema):
    reason: str


class VoidIn(InputSchema):
    reason: str
    count: int | None = Field(None, ge=1, le=MAX_COUNT)
    amount: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT)


class VoidOut(Schema):
    voided: int
    correction: int | None


class CoverageOut(Schema):
    on: date
    villages: int
    covered: int
    village_pct: Decimal | None
    poverty: int
    poverty_covered: int
    poverty_pct: Decimal | None
    townships: int
    township_stations: int
    township_pct: Decimal | None


def _station_out(request, s: Station, served: list[str] | None = None, offered: list[str] | None = None) -> dict:
    """The station as the API shows it; a list passes its stations' villages and services read in bulk."""
    if served is None:
        served = [v.pk for v in s.served_villages.all()]
    if offered is None:
        offered = [x.service for x in s.services.all()]
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "level": s.level,
        "division": s.division_id,
        "served_villages": served,
        "host_type": s.host_type,
        "host_id": s.host_id,
        "operator_name": s.operator_name,
        "operator_phone": phone_for(request.auth, s.operator_phone),
        "services": offered,
        "status": s.status,
        "status_since": s.status_since,
        "opened_on": s.opened_on,
        "is_demonstration": s.is_demonstration,
        "is_central_funded": s.is_central_funded,
        "lat": s.lat,
        "lng": s.lng,
    }


def _report_out(r: MonthlyReport) -> dict:
    return {
        "id": r.pk,
        "station": r.station_id,
        "month": f"{r.month:%Y-%m}",
        "status": r.status,
        "due_on": r.due_on,
        "total_services": r.total_services,
        "parcels_in": r.parcels_in,
        "parcels_out": r.parcels_out,
        "purchase_amount": r.purchase_amount,
        "sale_amount": r.sale_amount,
        "villagers_served": r.villagers_served,
        "on_time": r.on_time,
        "figures": r.figures,
    }


def _month(value: str) -> date:
    from django.core.exceptions import ValidationError

    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise ValidationError({"month": f"月份“{value}”格式应为YYYY-MM"}) from exc


@router.get("/stations", response=list[StationOut])
def list_stations(request, level: str = "", status: str = "", township: str = ""):
    qs = Station.objects.visible_to(request.auth)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if township:
        qs = qs.filter(division__code__startswith=township)
    stations = list(qs)
    ids = [s.pk for s in stations]
    served: dict[int, list[str]] = {pk: [] for pk in ids}
    links = Station.served_villages.through.objects.filter(station_id__in=ids).order_by("station_id", "division_id")
    for station_id, division_id in links.values_list("station_id", "division_id"):
        served[station_id].append(division_id)
    offered: dict[int, list[str]] = {pk: [] for pk in ids}
    for station_id, service in StationService.objects.filter(station_id__in=ids).values_list("station_id", "service"):
        offered[station_id].append(service)
    return [_station_out(request, s, served[s.pk], offered[s.pk]) for s in stations]


@router.get("/stations/{int:pk}", response=StationOut)
def get_station(request, pk: int):
    return _station_out(request, get_visible_or_404(Station, request.auth, pk=pk))


@router.post("/stations", response={201: StationOut})
def create_station(request, payload: StationIn):
    data = payload.dict()
    offered, served = data.pop("services"), data.pop("served_villages")
    station = services.save_station(request.auth, data, services=offered, served_villages=served)
    return Status(201, _station_out(request, station))


@router.post("/stations/{int:pk}/records", response={200: RecordResultOut, 201: RecordResultOut})
def post_records(request, pk: int, payload: RecordBatch):
    """A batch of taps; each client_id is stored once, so a retried batch answers 200 with duplicates."""
    station = get_visible_or_404(Station, request.auth, pk=pk)
    rows = [r.dict(exclude_none=True) for r in payload.records]
    result = services.record_services(request.auth, station, rows)
    return Status(201 if result.created else 200, {"created": result.created, "duplicates": result.duplicates})


@router.post("/stations/{int:pk}/check-ins", response={200: CheckInOut, 201: CheckInOut})
def post_check_in(request, pk: int, payload: CheckInIn):
    station = get_visible_or_404(Station, request.auth, pk=pk)
    check, created = services.check_in(request.auth, station, lat=payload.lat, lng=payload.lng)
    body = {"station": station.pk, "day": check.day, "at": timezone.localtime(check.at).isoformat(), "created": created}
    return Status(201 if created else 200, body)


@router.get("/stations/{int:pk}/reports", response=list[ReportOut])
def list_reports(request, pk: int):
    station = get_visible_or_404(Station, request.auth, pk=pk)
    return [_report_out(r) for r in MonthlyReport.objects.visible_to(request.auth).filter(station=station)]


@router.post("/stations/{int:pk}/reports/{month}/submit", response=ReportOut)
def submit_report(request, pk: int, month: str):
    station = get_visible_or_404(Station, request.auth, pk=pk)
    return _report_out(services.submit_report(request.auth, station, _month(month)))


@router.post("/reports/{int:pk}/approve", response=ReportOut)
def approve_report(request, pk: int):
    report = get_visible_or_404(MonthlyReport, request.auth, pk=pk)
    return _report_out(services.approve_report(request.auth, report))


@router.post("/reports/{int:pk}/accept", response=ReportOut)
def accept_report(request, pk: int):
    report = get_visible_or_404(MonthlyReport, request.auth, pk=pk)
    return _report_out(services.accept_report(request.auth, report))


@router.post("/reports/{int:pk}/return", response=ReportOut)
def return_report(request, pk: int, payload: ReturnIn):
    report = get_visible_or_404(MonthlyReport, request.auth, pk=pk)
    return _report_out(services.return_report(request.auth, report, payload.reason))


@router.post("/records/{int:pk}/void", response=VoidOut)
def void_record(request, pk: int, payload: VoidIn):
    """Void a wrong tap with a reason while its month is open or sent back; with `count` or `amount`, the
    corrected tap is entered in its place. The voided tap stays on record and no longer counts."""
    correction = services.void_record(request.auth, pk, payload.reason, count=payload.count, amount=payload.amount)
    return {"voided": pk, "correction": correction.pk if correction else None}


@router.get("/coverage", response=CoverageOut)
def get_coverage(request, on: IsoDate | None = None):
    """County coverage on a date (default today) for the caller's county."""
    from ruralhub.regions.models import Division

    county = Division.objects.visible_to(request.auth).order_by("code").first()
    if county is None:
        from django.http import Http404

        raise Http404
    cov = services.coverage(county.code[:6], on or timezone.localdate())
    return {
        "on": cov.on,
        "villages": cov.villages,
        "covered": cov.covered,
        "village_pct": cov.village_pct,
        "poverty": cov.poverty,
        "poverty_covered": cov.poverty_covered,
        "poverty_pct": cov.poverty_pct,
        "townships": len(cov.townships),
        "township_stations": cov.township_stations,
        "township_pct": cov.township_pct,
    }
