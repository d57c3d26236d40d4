from datetime import date
from decimal import Decimal

from ninja import Router, Schema

from ruralhub.core.api import IsoDate
from ruralhub.core.dates import LATEST
from ruralhub.core.scoping import get_visible_or_404

from . import services
from .models import Program

router = Router(tags=["示范项目与目标"])


class ProgramOut(Schema):
    id: int
    county_id: str
    name: str
    batch_year: int
    plan_title: str
    starts_on: date
    ends_on: date


class ProgressOut(Schema):
    key: str
    label: str
    comparator: str
    target: Decimal
    unit: str
    division: str | None
    qualifier: str
    starts_on: date
    due_on: date
    as_of: date
    value: Decimal | None
    status: str
    source: str
    value_today: Decimal | None
    citation: str


@router.get("", response=list[ProgramOut])
def list_programs(request):
    return Program.objects.visible_to(request.auth)


@router.get("/{int:pk}/progress", response=list[ProgressOut])
def program_progress(request, pk: int, as_of: IsoDate | None = None):
    """Every target judged as of ``as_of`` (default: the plan's end) or its own deadline if earlier: value and
    status (met / not_met / no_data; baseline for the plan's starting facts), with today's value beside it."""
    program = get_visible_or_404(Program, request.auth, pk=pk)
    as_of = min(max(program.starts_on, as_of), LATEST) if as_of else None
    return [
        {
            "key": row.target.key,
            "label": row.target.label,
            "comparator": row.target.comparator,
            "target": row.target.value,
            "unit": row.target.unit,
            "division": row.target.division_id,
            "qualifier": row.target.qualifier,
            "starts_on": row.target.period_start,
            "due_on": row.target.due_on,
            "as_of": row.as_of,
            "value": row.reading.decimal,
            "status": row.status,
            "source": row.reading.source or row.reading.note,
            "value_today": row.today.decimal,
            "citation": row.target.citation,
        }
        for row in services.target_progress(program, as_of)
    ]
