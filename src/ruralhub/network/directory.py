"""服务站点名录: download the directory as Excel, and load stations from the same sheet (preview first)."""

import base64
from io import BytesIO
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.styles import Font

from ruralhub.core.scoping import may
from ruralhub.regions.models import Division

from .models import Station
from .resources import RowError, StationResource, import_directory

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


def _workbook(dataset) -> bytes:
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


@login_required
def directory_export(request):
    resource = StationResource(request.user)
    dataset = resource.export(StationResource.export_queryset(request.user))
    county = _county(request.user)
    filename = f"服务站点名录-{county.name if county else '全部'}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response = HttpResponse(_workbook(dataset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _read(filename: str, content: bytes):
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


def _run(request, upload: dict, *, dry_run: bool):
    dataset = _read(upload["name"], base64.b64decode(upload["data"]))
    if isinstance(dataset, RowError):
        return None, [dataset]
    outcome = import_directory(request.user, _county(request.user), dataset, dry_run=dry_run)
    return outcome, outcome.errors


@login_required
def directory_import(request):
    """GET: the upload form. POST a file: a dry run shows what would change. POST confirm: the import itself."""
    if not may(request.user, Station, "add"):
        raise PermissionDenied
    context = {"errors": [], "preview": None, "filename": ""}
    if _county(request.user) is None:
        context["errors"] = [RowError(None, "", "您的账号没有所属的县，无法按名称识别乡镇和行政村")]
        return render(request, "network/directory_import.html", context)
    if request.method == "POST" and request.POST.get("confirm"):
        upload = request.session.get(SESSION_KEY)
        if upload is None:
            messages.error(request, "预览已过期，请重新上传文件")
            return redirect("network:directory_import")
        outcome, errors = _run(request, upload, dry_run=False)
        if not errors:
            del request.session[SESSION_KEY]
            messages.success(
                request,
                f"已导入“{upload['name']}”：新增{outcome.created}个站点，更新{outcome.updated}个，"
                f"{outcome.unchanged}个无变化",
            )
            return redirect("network:station_list")
        # The records changed since the preview; nothing was written.
        context.update(errors=errors, filename=upload["name"])
    elif request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            context["errors"] = [RowError(None, "", "请选择要导入的文件")]
        elif file.size > MAX_UPLOAD_BYTES:
            context["errors"] = [RowError(None, "", "文件超过 5 MB，请检查是否上传了正确的名录")]
        else:
            upload = {"name": file.name, "data": base64.b64encode(file.read()).decode("ascii")}
            outcome, errors = _run(request, upload, dry_run=True)
            context.update(errors=errors, filename=file.name)
            if errors:
                request.session.pop(SESSION_KEY, None)
            else:
                request.session[SESSION_KEY] = upload
                context["preview"] = outcome
    return render(request, "network/directory_import.html", context)
