"""服务站点名录: the station directory sheet for the MOFCOM information system and evaluation evidence (宁强 annex).

Export writes what a person reads (Chinese labels, township and village names, 是/否, YYYY-MM-DD);
import reads the same sheet back and hands every row to ``services.save_station`` and
``services.change_status``, so the sheet obeys exactly the rules a form or the API does.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult
from openpyxl import Workbook
from openpyxl.styles import Font

from ruralhub.core.privacy import mask_phone, phone_for
from ruralhub.core.validators import NUL_MESSAGE
from ruralhub.regions.choices import Level
from ruralhub.regions.models import Division

from . import services
from .choices import HostType, Service, StationLevel, StationStatus
from .models import Station

CODE = "网点编号"
NAME = "网点名称"
LEVEL = "层级"
TOWNSHIP = "所在乡镇"
VILLAGE = "所在行政村"
POVERTY = "是否贫困村"
CONTACT = "联系人"
PHONE = "电话"
ADDRESS = "地址"
SERVICES = "服务项目"
CENTRAL_FUNDED = "中央资金支持"
DEMONSTRATION = "示范站点"
STATUS = "状态"
OPENED_ON = "开业日期"
COLUMNS = [
    CODE,
    NAME,
    LEVEL,
    TOWNSHIP,
    VILLAGE,
    POVERTY,
    CONTACT,
    PHONE,
    ADDRESS,
    SERVICES,
    CENTRAL_FUNDED,
    DEMONSTRATION,
    STATUS,
    OPENED_ON,
]
# 是否贫困村 is a fact about the village, kept on the division: exported, ignored on import.
IMPORT_COLUMNS = [c for c in COLUMNS if c != POVERTY]
# The column a service's field error belongs to; "division" is decided per row (township or village).
FIELD_COLUMNS = {
    "code": CODE,
    "name": NAME,
    "level": LEVEL,
    "served_villages": VILLAGE,
    "operator_name": CONTACT,
    "operator_phone": PHONE,
    "address": ADDRESS,
    "services": SERVICES,
    "is_central_funded": CENTRAL_FUNDED,
    "is_demonstration": DEMONSTRATION,
    "status": STATUS,
    "opened_on": OPENED_ON,
    "status_since": OPENED_ON,
    "effective_on": OPENED_ON,
}
SERVICE_SEPARATORS = re.compile(r"[、，,；;\n]+")
YES, NO = "是", "否"
NEW, UPDATE, UNCHANGED = "新增", "更新", "无变化"


def _text(value) -> str:
    """A cell as text: Excel hands phones and codes over as numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _labels(choices) -> dict[str, str]:
    return {str(label): value for value, label in choices.choices}


class LabelWidget(widgets.Widget):
    """A TextChoices value as its Chinese label; an unknown label is passed on for the service to name."""

    def __init__(self, choices, required: bool = False):
        super().__init__()
        self.choices, self.required = choices, required

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text and self.required:
            raise ValueError("不能为空")
        return _labels(self.choices).get(text, text)

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text not in {YES, NO, ""}:
            raise ValueError(f"应填“{YES}”或“{NO}”，不是“{text}”")
        return text == YES

    def render(self, value, obj=None, **kwargs):
        return YES if value else NO


class DayWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):  # a date cell in Excel
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            return None
        try:
            return datetime.strptime(text.replace("/", "-"), "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(f"“{text}”不是日期，应为YYYY-MM-DD") from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ServicesWidget(widgets.Widget):
    """服务项目: labels joined by "、"; an unknown label is passed on for the service to name."""

    def clean(self, value, row=None, **kwargs):
        labels = _labels(Service)
        return [labels.get(text, text) for text in SERVICE_SEPARATORS.split(_text(value)) if text.strip()]

    def render(self, value, obj=None, **kwargs):
        order = {v: i for i, v in enumerate(Service.values)}
        return "、".join(str(Service(v).label) for v in sorted(value, key=order.__getitem__))


@dataclass
class RowPlan:
    """What one sheet row asks for, in the service's terms."""

    row: int  # the row number in the sheet (the header is row 1)
    data: dict = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    status: str = ""  # "" leaves the status as it is (a new station starts 规划中)
    effective_on: date | None = None
    changes: list[str] = field(default_factory=list)  # columns that differ from the station as stored
    township: str = ""
    village: str = ""
    division_column: str = TOWNSHIP  # where an error about the place is reported
    blank: bool = False


@dataclass
class RowError:
    row: int | None  # the row number in the sheet (the header is row 1); None: the file as a whole
    column: str
    message: str

    def __str__(self):
        where = f"第{self.row}行 " if self.row else ""
        return f"{where}{self.column}：{self.message}" if self.column else f"{where}{self.message}"


@dataclass
class PreviewRow:
    row: int
    action: str  # 新增 / 更新 / 无变化
    code: str
    name: str
    township: str
    village: str
    changes: list[str]


@dataclass
class DirectoryImport:
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count(NEW)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)


class StationResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name=CODE, widget=widgets.CharWidget())
    name = fields.Field(attribute="name", column_name=NAME, widget=widgets.CharWidget())
    level = fields.Field(attribute="level", column_name=LEVEL, widget=LabelWidget(StationLevel, required=True))
    township = fields.Field(column_name=TOWNSHIP)
    village = fields.Field(column_name=VILLAGE)
    poverty_village = fields.Field(column_name=POVERTY, readonly=True)
    operator_name = fields.Field(attribute="operator_name", column_name=CONTACT, widget=widgets.CharWidget())
    operator_phone = fields.Field(attribute="operator_phone", column_name=PHONE, widget=widgets.CharWidget())
    address = fields.Field(attribute="address", column_name=ADDRESS, widget=widgets.CharWidget())
    services = fields.Field(column_name=SERVICES, widget=ServicesWidget())
    is_central_funded = fields.Field(attribute="is_central_funded", column_name=CENTRAL_FUNDED, widget=YesNoWidget())
    is_demonstration = fields.Field(attribute="is_demonstration", column_name=DEMONSTRATION, widget=YesNoWidget())
    status = fields.Field(attribute="status", column_name=STATUS, widget=LabelWidget(StationStatus))
    opened_on = fields.Field(attribute="opened_on", column_name=OPENED_ON, widget=DayWidget())

    class Meta:
        model = Station
        fields = (
            "code",
            "name",
            "level",
            "township",
            "village",
            "poverty_village",
            "operator_name",
            "operator_phone",
            "address",
            "services",
            "is_central_funded",
            "is_demonstration",
            "status",
            "opened_on",
        )
        import_id_fields = ("code",)
        skip_diff = True
        store_instance = True
        use_transactions = True

    def __init__(self, actor, county: Division | None = None):
        """``actor`` is who exports (phones are masked for them) or imports; names resolve within ``county``."""
        super().__init__()
        self.actor = actor
        self.county = county
        self.townships: dict[str, Division] = {}
        self.villages: dict[tuple[str, str], Division] = {}

    # ------------------------------------------------------------ export

    @staticmethod
    def export_queryset(user):
        """The stations ``user`` may see, with everything a row needs fetched up front (no query per row)."""
        return (
            Station.objects.visible_to(user)
            .select_related("division__parent")
            .prefetch_related("services")
            .order_by("division_id", "code")
        )

    def export(self, queryset=None, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):  # the sheet is Chinese whatever the UI language
            return super().export(queryset, **kwargs)

    def dehydrate_township(self, station):
        division = station.division
        if division.level == Level.VILLAGE:
            return division.parent.name
        return division.name if division.level == Level.TOWNSHIP else ""

    def dehydrate_village(self, station):
        return station.division.name if station.division.level == Level.VILLAGE else ""

    def dehydrate_poverty_village(self, station):
        if station.division.level != Level.VILLAGE:
            return ""
        return YES if station.division.is_poverty_village else NO

    def dehydrate_operator_phone(self, station):
        return phone_for(self.actor, station.operator_phone)

    def dehydrate_services(self, station):
        return self.fields["services"].widget.render([s.service for s in station.services.all()])

    # ------------------------------------------------------------ import

    def import_data(self, dataset, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        for division in Division.objects.within(self.county.code).exclude(level=Level.COUNTY):
            if division.level == Level.TOWNSHIP:
                self.townships[division.name] = division
            else:
                self.villages[(division.parent_id, division.name)] = division

    def get_queryset(self):
        # A code the actor may not change is not found, so the row is a new station and the service refuses it.
        return Station.objects.visible_to(self.actor, "change")

    def get_instance(self, instance_loader, row):
        code = _text(row.get(CODE))
        if not code or "\x00" in code:  # a NUL is the row's error (see plan), not a database query's
            return None
        return self.get_queryset().filter(code=code).first()

    def import_instance(self, instance, row, **kwargs):
        instance.import_plan = self.plan(instance, row, kwargs["row_number"] + 1)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        plan = getattr(instance, "import_plan", None)
        if import_validation_errors or plan is None:
            return False
        return plan.blank or (instance.pk is not None and not plan.changes)

    def save_instance(self, instance, is_create, row, **kwargs):
        plan = instance.import_plan
        try:
            with transaction.atomic():  # a row that fails half-way leaves nothing behind, even in the dry run
                station = services.save_station(
                    self.actor, plan.data, None if is_create else instance, services=plan.services, reason="名录导入"
                )
                if plan.status and plan.status != station.status:
                    services.change_status(self.actor, station, plan.status, plan.effective_on, "名录导入")
        except ValidationError as exc:
            raise ValidationError(self._by_column(exc, plan)) from exc

    def save_m2m(self, instance, row, **kwargs):
        """Services are saved by ``save_station``."""

    def plan(self, station: Station, row, number: int) -> RowPlan:
        """Parse one row into what ``save_station`` takes; raises ValidationError keyed by column."""
        plan = RowPlan(row=number, township=_text(row.get(TOWNSHIP)), village=_text(row.get(VILLAGE)))
        plan.blank = not any(_text(v) for v in row.values())
        if plan.blank:
            return plan
        # PostgreSQL cannot store NUL and SQLite would: refuse it in any cell, before anything reads the row.
        errors: dict[str, str] = {column: str(NUL_MESSAGE) for column, value in row.items() if "\x00" in _text(value)}
        if errors:
            raise ValidationError(errors)

        def clean(name):
            column = self.fields[name].column_name
            try:
                return self.fields[name].clean(row)
            except ValueError as exc:
                errors[column] = str(exc)

        data = {
            "name": clean("name"),
            "level": clean("level"),
            "operator_name": clean("operator_name"),
            "address": clean("address"),
            "is_central_funded": clean("is_central_funded"),
            "is_demonstration": clean("is_demonstration"),
            "opened_on": clean("opened_on"),
        }
        division, plan.division_column = self._division(plan.township, plan.village, errors)
        if division is not None:
            data["division"] = division
        phone = _text(row.get(PHONE))
        if "*" not in phone:
            data["operator_phone"] = phone
        elif station.pk is None or phone != mask_phone(station.operator_phone):
            # A masked export keeps the stored number; a new or changed number must be written in full.
            errors[PHONE] = "号码中间几位已隐去，请填写完整号码"
        plan.services = clean("services")
        plan.status = clean("status")
        if errors:
            raise ValidationError(errors)

        code = _text(row.get(CODE))
        if station.pk is None:
            data["code"] = code or services.next_station_code(division)
            data["host_type"] = HostType.OTHER  # the sheet has no 依托主体类型; the station page sets it
            if data["opened_on"]:
                data["status_since"] = data["opened_on"]
        # 开业日期 dates a station's first opening; any other move of its status takes effect today.
        first_opening = plan.status == StationStatus.OPERATING and station.opened_on is None
        plan.effective_on = data["opened_on"] if first_opening and data["opened_on"] else timezone.localdate()
        plan.data = data
        plan.changes = self._changes(station, plan) if station.pk else []
        return plan

    def _division(self, township_name: str, village_name: str, errors) -> tuple[Division | None, str]:
        """所在乡镇 and 所在行政村 by name within the county: the village, the township, or (both blank) the county."""
        if not township_name:
            if village_name:
                errors[TOWNSHIP] = f"请填写“{village_name}”所在的乡镇（街道）"
                return None, TOWNSHIP
            return self.county, TOWNSHIP
        township = self.townships.get(township_name)
        if township is None:
            errors[TOWNSHIP] = f"{self.county.name}没有名为“{township_name}”的乡镇（街道）"
            return None, TOWNSHIP
        if not village_name:
            return township, TOWNSHIP
        # "永安村" and "永安" find "永安村委会", as people write it.
        for name in (village_name, f"{village_name}委会", f"{village_name}村委会"):
            if village := self.villages.get((township.code, name)):
                return village, VILLAGE
        errors[VILLAGE] = f"{township.name}没有名为“{village_name}”的行政村（社区）"
        return None, VILLAGE

    @staticmethod
    def _changes(station: Station, plan: RowPlan) -> list[str]:
        data, changed = plan.data, []
        for name, value in data.items():
            if name != "division" and getattr(station, name) != value:
                changed.append(FIELD_COLUMNS[name])
        old, new = station.division_id, data["division"].code
        if old[:9] != new[:9]:
            changed.append(TOWNSHIP)
        elif old != new:
            changed.append(VILLAGE)
        if set(plan.services) != {s.service for s in station.services.all()}:
            changed.append(SERVICES)
        if plan.status and plan.status != station.status:
            changed.append(STATUS)
        return [c for c in COLUMNS if c in changed]

    @staticmethod
    def _by_column(exc: ValidationError, plan: RowPlan) -> dict[str, list[str]]:
        """The service's errors keyed by the sheet's column names; one that names no field goes to 网点编号."""
        by_field = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        by_column: dict[str, list[str]] = {}
        for name, messages in by_field.items():
            column = plan.division_column if name == "division" else FIELD_COLUMNS.get(name, CODE)
            by_column.setdefault(column, []).extend(messages)
        return by_column


def import_directory(actor, county: Division, dataset, *, dry_run: bool) -> DirectoryImport:
    """Run the sheet through the services; any bad row means nothing is written (and a dry run writes nothing)."""
    outcome = DirectoryImport()
    headers = [_text(h) for h in dataset.headers or []]
    missing = [c for c in IMPORT_COLUMNS if c not in headers]
    if missing:
        outcome.errors = [RowError(1, c, "表头缺少该列") for c in missing]
        return outcome
    dataset.headers = headers
    if not len(dataset):
        outcome.errors = [RowError(None, "", "文件中没有站点")]
        return outcome
    resource = StationResource(actor, county)
    result = resource.import_data(dataset, dry_run=dry_run, rollback_on_validation_errors=True)
    if result.has_errors():  # not a bad row but a bug: let it surface
        errors = result.base_errors or [e for _n, row_errors in result.row_errors() for e in row_errors]
        raise errors[0].error
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            outcome.errors += [RowError(invalid.number + 1, column, m) for m in messages]
    if outcome.errors:
        return outcome
    actions = {
        RowResult.IMPORT_TYPE_NEW: NEW,
        RowResult.IMPORT_TYPE_UPDATE: UPDATE,
        RowResult.IMPORT_TYPE_SKIP: UNCHANGED,
    }
    for row_result in result.rows:
        plan: RowPlan = row_result.instance.import_plan
        if not plan.blank:
            code = plan.data.get("code") or row_result.instance.code
            action = actions[row_result.import_type]
            outcome.rows.append(
                PreviewRow(plan.row, action, code, plan.data["name"], plan.township, plan.village, plan.changes)
            )
    return outcome


# ---------------------------------------------------------------- the sheet as a file

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {".xlsx": XLSX(), ".csv": CSV(encoding="utf-8-sig")}  # utf-8-sig reads UTF-8 with or without a BOM
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a county's directory is a few hundred rows
MAX_COLUMN_WIDTH = 40
SESSION_KEY = "network.directory_import"


def _county(user) -> Division | None:
    return Division.objects.filter(code=user.division_id[:6]).first() if user.division_id else None


def _width(value) -> int:
    """Display width in Excel's units: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(value))


def workbook_bytes(dataset) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "服务站点名录"
    sheet.append(dataset.headers)
    for row in dataset:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        for cell in column:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a name like "=HYPERLINK(…)" stays text, never a formula
        width = max(_width(cell.value or "") for cell in column) + 2
        sheet.column_dimensions[column[0].column_letter].width = min(width, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def read_upload(filename: str, content: bytes):
    """The uploaded sheet as a tablib Dataset, or a RowError saying why it cannot be read."""
    file_format = FORMATS.get(Path(filename).suffix.lower())
    if file_format is None:
        return RowError(None, "", "只能导入 .xlsx 或 .csv 文件")
    try:
        return file_format.create_dataset(content)
    except UnicodeDecodeError:
        return RowError(None, "", "CSV 文件须为 UTF-8 编码（Excel 中“另存为 CSV UTF-8”）")
    except Exception:  # an unreadable upload is the user's file, not our bug: zip, XML and CSV errors alike
        return RowError(None, "", "无法读取该文件，请上传从本平台导出的名录格式")
