"""Under-performer review (翁源: 定期淘汰不能充分发挥效能的站点并进行增补)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ruralhub.core.forms import add_service_errors
from ruralhub.core.scoping import get_visible_or_404, require

from .. import services
from ..forms import DecisionForm, ReviewRuleForm
from ..models import ReviewDecision, Station
from .common import county_of, date_from_query


@login_required
def review(request):
    """翁源: 定期淘汰不能充分发挥效能的站点并进行增补 — candidates by the county's rule, decisions, history."""
    require(request.user, ReviewDecision, "add")
    county_code = county_of(request.user)
    if county_code is None:
        raise PermissionDenied
    rule = services.review_rule(county_code)
    rule_form = ReviewRuleForm(request.POST or None, instance=rule, prefix="rule")
    if request.method == "POST" and "rule-months" in request.POST and rule_form.is_valid():
        try:
            services.save_review_rule(request.user, rule, rule_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(rule_form, exc)
        else:
            messages.success(request, "考核规则已保存")
            return redirect("network:review")
    as_of = date_from_query(request, "as_of", timezone.localdate())
    rule = services.review_rule(county_code)  # as saved, not as the (possibly invalid) form left it
    context = {
        "rule": rule,
        "plan_sentence": services.plan_sentence(county_code),
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
