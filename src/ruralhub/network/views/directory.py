"""服务站点名录: the directory as Excel, and stations loaded from the same sheet (preview first)."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from ruralhub.core.scoping import require
from ruralhub.regions.models import Division

from ..models import Station
from ..resources import (
    MAX_UPLOAD_BYTES,
    SESSION_KEY,
    XLSX_TYPE,
    RowError,
    StationResource,
    import_directory,
    read_upload,
    workbook_bytes,
)


def _county(user) -> Division | None:
    return Division.objects.filter(code=user.division_id[:6]).first() if user.division_id else None


@login_required
def directory_export(request):
    resource = StationResource(request.user)
    dataset = resource.export(StationResource.export_queryset(request.user))
    county = _county(request.user)
    filename = f"服务站点名录-{county.name if county else '全部'}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response = HttpResponse(workbook_bytes(dataset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _run(request, upload: dict, *, dry_run: bool):
    dataset = read_upload(upload["name"], base64.b64decode(upload["data"]))
    if isinstance(dataset, RowError):
        return None, [dataset]
    outcome = import_directory(request.user, _county(request.user), dataset, dry_run=dry_run)
    return outcome, outcome.errors


@login_required
def directory_import(request):
    """GET: the upload form. POST a file: a dry run shows what would change. POST confirm: the import itself."""
    require(request.user, Station, "add")
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
