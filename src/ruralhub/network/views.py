import base64
import json
import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from ruralhub.core.dates import date_param, month_start
from ruralhub.core.privacy import phone_for
from ruralhub.core.scoping import can, get_visible_or_404, may, require
from ruralhub.regions.models import Division

from . import services
from .choices import MONEY_KINDS, RECORD_SERVICE, RecordKind, ReportStatus, StationLevel, StationStatus
from .filters import StationFilter
from .forms import DecisionForm, ReturnForm, ReviewRuleForm, StationForm, StatusForm
from .models import CheckIn, MonthlyReport, ReviewDecision, ServiceRecord, Station, StationStatusChange
from .resources import (
    MAX_UPLOAD_BYTES,
    SESSION_KEY,
    XLSX_TYPE,
    RowError,
    StationResource,
    import_directory,
    read_upload,
    workbook_bytes,
)
from .tables import StationTable


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _county_code(user) -> str | None:
    division = Division.objects.visible_to(user).order_by("code").values_list("code", flat=True).first()
    return division[:6] if division else None


def _date_param(request, name: str, default: date) -> date:
    return date_param(request.GET.get(name), default)


# ---------------------------------------------------------------- stations


@login_required
def station_list(request):
    stations = (
        Station.objects.visible_to(request.user)
        .select_related("division__parent")
        .prefetch_related("services")
        .distinct()
    )
    filters = StationFilter(request.GET or None, queryset=stations, user=request.user)
    table = StationTable(filters.qs, user=request.user)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "filters": filters,
        "table": table,
        "can_add": may(request.user, Station, "add"),
        "count": filters.qs.count(),
    }
    return render(request, "network/station_list.html", context)


# Fields whose value is personal data: shown masked in the change log to roles that see them masked.
PHONE_FIELDS = {"operator_phone"}


def _shown(field, value, user, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.name in PHONE_FIELDS:
        return phone_for(user, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get(field.name, {}).get(value, f"#{value}")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def change_log(station: Station, user, limit: int = 50) -> list[dict]:
    """The station's audit trail, newest first: when, who, why, and each changed field old → new.

    Read from the django-simple-history rows; linked records are named only when the user may see them.
    """
    rows = list(station.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    diffs = [newer.diff_against(older).changes for newer, older in zip(rows, rows[1:], strict=False)]
    fields = {f.name: f for f in Station._meta.fields}
    linked: dict[str, set] = {}
    for change in (c for changes in diffs for c in changes):
        if fields[change.field].is_relation:
            linked.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v is not None)
    names = {}
    for name, ids in linked.items():
        model = fields[name].related_model
        visible = model._default_manager.filter(pk__in=ids)
        if hasattr(visible, "visible_to"):
            visible = visible.visible_to(user)
        names[name] = {obj.pk: str(obj) for obj in visible}
    entries = []
    for index, row in enumerate(rows[:limit]):
        changes = diffs[index] if index < len(diffs) else []
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "type": row.get_history_type_display(),
                "reason": row.history_change_reason or "",
                "changes": [
                    {
                        "field": str(fields[c.field].verbose_name),
                        "old": _shown(fields[c.field], c.old, user, names),
                        "new": _shown(fields[c.field], c.new, user, names),
                    }
                    for c in changes
                    if c.field in fields
                ],
            }
        )
    return entries


@login_required
def station_detail(request, pk):
    station = get_visible_or_404(
        Station.objects.select_related("division__parent", "host", "replaced_by"), request.user, pk=pk
    )
    context = {
        "station": station,
        "services_offered": station.services.all(),
        "served": station.served_villages.all(),
        "history": StationStatusChange.objects.visible_to(request.user)
        .filter(station=station)
        .select_related("changed_by"),
        "records": ServiceRecord.objects.visible_to(request.user).filter(station=station)[:30],
        "reports": MonthlyReport.objects.visible_to(request.user).filter(station=station)[:24],
        "check_ins": CheckIn.objects.visible_to(request.user).filter(station=station)[:14],
        "decisions": ReviewDecision.objects.visible_to(request.user)
        .filter(station=station)
        .select_related("replacement", "decided_by"),
        "change_log": change_log(station, request.user),
        "can_change": can(request.user, station, "change"),
        "status_form": StatusForm(user=request.user, station=station, initial={"effective_on": timezone.localdate()}),
    }
    return render(request, "network/station_detail.html", context)


def _save_station(request, instance):
    form = StationForm(request.POST or None, request.FILES or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("services", "served_villages")}
        if data.get("sign_photo") is False:
            data["sign_photo"] = ""  # "clear" was ticked
        elif not data.get("sign_photo"):
            data.pop("sign_photo", None)  # no new upload: keep the photo
        try:
            station = services.save_station(
                request.user,
                data,
                instance,
                services=form.cleaned_data["services"],
                served_villages=list(form.cleaned_data["served_villages"]) or None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已保存：{station.name}")
            return redirect("network:station_detail", pk=station.pk)
    return render(request, "network/station_form.html", {"form": form, "station": instance})


@login_required
def station_create(request):
    require(request.user, Station, "add")
    return _save_station(request, None)


@login_required
def station_edit(request, pk):
    return _save_station(request, get_visible_or_404(Station, request.user, "change", pk=pk))


@login_required
def station_sign(request, pk):
    """The 统一标识 photo, only for users who may see the station (media is not served publicly)."""
    station = get_visible_or_404(Station, request.user, pk=pk)
    if not station.sign_photo:
        raise Http404
    return FileResponse(station.sign_photo.open("rb"), filename=station.sign_photo.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def station_status(request, pk):
    station = get_visible_or_404(Station, request.user, "change", pk=pk)
    form = StatusForm(request.POST, user=request.user, station=station)
    if form.is_valid():
        try:
            services.change_status(
                request.user,
                station,
                form.cleaned_data["status"],
                form.cleaned_data["effective_on"],
                form.cleaned_data["reason"],
                form.cleaned_data["replacement"],
            )
            messages.success(request, f"{station.name}：状态已变更为“{station.get_status_display()}”")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
    return redirect("network:station_detail", pk=station.pk)


# ---------------------------------------------------------------- coverage


@login_required
def coverage(request):
    """行政村覆盖率 on any date: county and per township, against the plan's targets, with the gap list."""
    county_code = _county_code(request.user)
    if county_code is None:
        raise PermissionDenied
    on = _date_param(request, "on", timezone.localdate())
    cov = services.coverage(county_code, on)
    visible_townships = set(Division.objects.visible_to(request.user).townships().values_list("code", flat=True))
    rows = [t for t in cov.townships if t.township.code in visible_townships]
    stations = (
        Station.objects.visible_to(request.user)
        .filter(division__code__startswith=county_code)
        .exclude(lat=None)
        .values("pk", "name", "level", "status", "lat", "lng")
    )
    points = {}
    for s in stations:
        points.setdefault(s["status"], []).append([float(s["lng"]), float(s["lat"]), s["name"], s["level"]])
    gaps = [
        g
        for g in services.coverage_gaps(cov, Station.objects.visible_to(request.user))
        if g.village.code[:9] in visible_townships
    ]
    from ruralhub.programs.models import Program

    program = Program.objects.visible_to(request.user).filter(county_id=county_code).first()
    targets = list(program.targets.filter(key__startswith="network.").select_related("division") if program else [])
    context = {
        "cov": cov,
        "rows": rows,
        "gaps": gaps,
        "on": on,
        "targets": targets,
        "program": program,
        "map_data": json.dumps(
            [{"status": k, "label": str(StationStatus(k).label), "points": v} for k, v in points.items()],
            ensure_ascii=False,
        ),
    }
    return render(request, "network/coverage.html", context)


# ---------------------------------------------------------------- operator's phone page


def _operator_station(request):
    require(request.user, ServiceRecord, "add")
    stations = Station.objects.visible_to(request.user).exclude(status=StationStatus.CLOSED)
    chosen = request.GET.get("station") or request.POST.get("station")
    if chosen:
        return get_visible_or_404(stations, request.user, pk=chosen), stations
    station = stations.first()
    if station is None:
        raise PermissionDenied
    return station, stations


@login_required
def my_station(request):
    """The operator's phone page: check in, one tap per service, today's records, this month's report."""
    station, stations = _operator_station(request)
    today = timezone.localdate()
    month = month_start(today)
    last_month = month_start(month - timedelta(days=1))
    offered = set(station.services.values_list("service", flat=True))
    kinds = [k for k in RecordKind if RECORD_SERVICE[k] in offered]
    today_rows = (
        ServiceRecord.objects.visible_to(request.user)
        .filter(station=station, occurred_on=today)
        .values("kind")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    reports = {
        r.month: r
        for r in MonthlyReport.objects.visible_to(request.user).filter(station=station, month__in=[month, last_month])
    }
    context = {
        "station": station,
        "stations": stations,
        "today": today,
        "checked_in": CheckIn.objects.visible_to(request.user).filter(station=station, day=today).first(),
        "kinds": [{"value": k.value, "label": k.label, "money": k in MONEY_KINDS} for k in kinds],
        "today_rows": [{"label": RecordKind(r["kind"]).label, **r} for r in today_rows],
        "month_figures": services.month_figures(station, month),
        "month": month,
        "last_month": last_month,
        "report_this": reports.get(month),
        "report_last": reports.get(last_month),
        "client_id": uuid.uuid4().hex,
        "kind_labels": dict(RecordKind.choices),
    }
    return render(request, "network/my_station.html", context)


@login_required
@require_POST
def my_check_in(request):
    station, _stations = _operator_station(request)
    try:
        _check, created = services.check_in(request.user, station)
        messages.success(request, "签到成功" if created else "今天已签到")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")


@login_required
@require_POST
def my_record(request):
    """One tap; the page's client_id makes a double tap or a retried post count once."""
    station, _stations = _operator_station(request)
    row = {
        "kind": request.POST.get("kind", ""),
        "client_id": request.POST.get("client_id", ""),
        "note": request.POST.get("note", ""),
        "amount": request.POST.get("amount") or 0,
    }
    try:
        row["count"] = int(request.POST.get("count") or 1)
    except ValueError:
        row["count"] = 0
    try:
        result = services.record_services(request.user, station, [row])
        label = RecordKind(row["kind"]).label
        messages.success(request, f"已记录：{label} ×{row['count']}" if result.created else "这条记录已保存过")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")


@login_required
@require_POST
def my_submit(request):
    station, _stations = _operator_station(request)
    try:
        month = date.fromisoformat(request.POST.get("month", ""))
        report = services.submit_report(request.user, station, month)
        messages.success(request, f"{report.month:%Y年%m月}月报已报送")
    except ValueError:
        messages.error(request, "月份无效")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")


# ---------------------------------------------------------------- monthly reports


@login_required
def reports(request):
    """Reports waiting for this user's decision, and late or missing ones in scope."""
    user = request.user
    visible = MonthlyReport.objects.visible_to(user).select_related("station__division")
    waiting = MonthlyReport.objects.none()
    if may(user, MonthlyReport, "accept"):
        waiting = visible.filter(status=ReportStatus.APPROVED)
    elif may(user, MonthlyReport, "approve"):
        waiting = visible.filter(status=ReportStatus.SUBMITTED)
    today = timezone.localdate()
    months, m = [], month_start(today)
    for _month in range(3):
        m = month_start(m - timedelta(days=1))
        months.append(m)
    stations = (
        Station.objects.visible_to(user)
        .exclude(level=StationLevel.COUNTY_CENTRE)
        .filter(status=StationStatus.OPERATING)
        .select_related("division")
    )
    context = {
        "waiting": waiting[:200],
        "gaps": services.report_gaps(stations, months, today),
        "recent": visible.exclude(status=ReportStatus.DRAFT)[:50],
        "return_form": ReturnForm(),
        "can_accept": may(user, MonthlyReport, "accept"),
        "can_approve": may(user, MonthlyReport, "approve"),
    }
    return render(request, "network/reports.html", context)


@login_required
@require_POST
def report_action(request, pk, action):
    if action not in ("approve", "accept", "return"):
        raise Http404
    # Sending back is allowed to whoever approves or accepts: the service decides which applies.
    report = get_visible_or_404(MonthlyReport, request.user, "view" if action == "return" else action, pk=pk)
    try:
        if action == "approve":
            services.approve_report(request.user, report)
            messages.success(request, f"{report}：已审核通过")
        elif action == "accept":
            services.accept_report(request.user, report)
            messages.success(request, f"{report}：已确认")
        else:
            services.return_report(request.user, report, request.POST.get("reason", ""))
            messages.success(request, f"{report}：已退回")
    except ValidationError as exc:
        messages.error(request, f"{report}：" + "；".join(exc.messages))
    target = request.POST.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("network:reports")
    return redirect(target)


# ---------------------------------------------------------------- under-performer review


@login_required
def review(request):
    """翁源: 定期淘汰不能充分发挥效能的站点并进行增补 — candidates by the county's rule, decisions, history."""
    require(request.user, ReviewDecision, "add")
    county_code = _county_code(request.user)
    if county_code is None:
        raise PermissionDenied
    rule = services.review_rule(county_code)
    rule_form = ReviewRuleForm(request.POST or None, instance=rule, prefix="rule")
    if request.method == "POST" and "rule-months" in request.POST and rule_form.is_valid():
        try:
            services.save_review_rule(request.user, rule, rule_form.cleaned_data)
        except ValidationError as exc:
            _form_errors(rule_form, exc)
        else:
            messages.success(request, "考核规则已保存")
            return redirect("network:review")
    as_of = _date_param(request, "as_of", timezone.localdate())
    rule = services.review_rule(county_code)  # as saved, not as the (possibly invalid) form left it
    context = {
        "rule": rule,
        "rule_form": rule_form,
        "candidates": services.underperformers(county_code, as_of, rule),
        "as_of": as_of,
        "decision_form": DecisionForm(user=request.user),
        "history": ReviewDecision.objects.visible_to(request.user).select_related(
            "station", "replacement", "decided_by"
        )[:100],
    }
    return render(request, "network/review.html", context)


@login_required
@require_POST
def review_decide(request, pk):
    require(request.user, ReviewDecision, "add")
    station = get_visible_or_404(Station, request.user, pk=pk)
    form = DecisionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.decide_review(
                request.user,
                station,
                form.cleaned_data["decision"],
                form.cleaned_data["reason"],
                rectify_by=form.cleaned_data["rectify_by"],
                replacement=form.cleaned_data["replacement"],
            )
            messages.success(request, f"{station.name}：已记录考核决定")
        except ValidationError as exc:
            messages.error(request, f"{station.name}：" + "；".join(exc.messages))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
    return redirect("network:review")


# ---------------------------------------------------------------- 服务站点名录 (directory export and import)


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
