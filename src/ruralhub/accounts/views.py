from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ruralhub.core.forms import add_service_errors
from ruralhub.core.scoping import can, get_visible_or_404, may, require

from . import services
from .forms import (
    DeactivateForm,
    NewPasswordForm,
    OrganisationFilterForm,
    OrganisationForm,
    UserCreateForm,
    UserFilterForm,
)
from .models import Organisation, User


@login_required
def organisation_list(request):
    organisations = Organisation.objects.visible_to(request.user).select_related("division")
    filters = OrganisationFilterForm(request.GET or None)
    if filters.is_valid():
        if q := filters.cleaned_data["q"].strip():
            organisations = organisations.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
        if kind := filters.cleaned_data["kind"]:
            organisations = organisations.filter(kind=kind)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "can_add": may(request.user, Organisation, "add")}
    return render(request, "accounts/organisation_list.html", context)


@login_required
def organisation_detail(request, pk):
    organisation = get_visible_or_404(Organisation.objects.select_related("division"), request.user, pk=pk)
    context = {"organisation": organisation, "can_change": can(request.user, organisation, "change")}
    return render(request, "accounts/organisation_detail.html", context)


def _save(request, instance):
    form = OrganisationForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.save_organisation(request.user, form.cleaned_data, instance=instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存：{organisation.name}")
            return redirect("accounts:organisation_detail", pk=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": instance})


@login_required
def organisation_create(request):
    require(request.user, Organisation, "add")
    return _save(request, None)


@login_required
def organisation_edit(request, pk):
    organisation = get_visible_or_404(Organisation, request.user, "change", pk=pk)
    return _save(request, organisation)


# ── user management: the county office for its county, a township officer for its station operators ──


def _with_errors(form, exc: ValidationError) -> None:
    # The service's password is the form's first box.
    add_service_errors(form, exc, {"password": "password1"})


@login_required
def user_list(request):
    if not request.user.has_perm("accounts.view_user"):
        raise PermissionDenied(_("您没有查看用户的权限"))
    users = services.manageable_users(request.user).select_related("division", "organisation")
    filters = UserFilterForm(request.GET or None, user=request.user)
    if filters.is_valid():
        if q := filters.cleaned_data["q"].strip():
            users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
        if role := filters.cleaned_data["role"]:
            users = users.filter(role=role)
        if active := filters.cleaned_data["active"]:
            users = users.filter(is_active=active == "1")
    page = Paginator(users.order_by("division_id", "username"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "locked": services.locked_usernames(u.username for u in page),
        "can_add": may(request.user, User, "add"),
    }
    return render(request, "accounts/user_list.html", context)


def _detail_context(request, target: User, **forms) -> dict:
    return {
        "target": target,
        "locked": bool(services.locked_usernames([target.username])),
        "can_change": can(request.user, target, "change"),
        "history": target.history.select_related("history_user").order_by("-history_date")[:30],
        "password_form": forms.get("password_form") or NewPasswordForm(),
        "deactivate_form": forms.get("deactivate_form") or DeactivateForm(),
    }


@login_required
def user_detail(request, pk):
    target = get_visible_or_404(
        services.manageable_users(request.user).select_related("division", "organisation"), request.user, pk=pk
    )
    return render(request, "accounts/user_detail.html", _detail_context(request, target))


@login_required
def user_create(request):
    require(request.user, User, "add")
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_user(
                data["username"],
                data["password1"],
                data["role"],
                actor=request.user,
                full_name=data["full_name"],
                division=data["division"],
                organisation=data["organisation"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            _with_errors(form, exc)
        else:
            messages.success(request, _("已开通账号：%(name)s") % {"name": created.username})
            return redirect("accounts:user_detail", pk=created.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _managed_or_404(request, pk) -> User:
    """A user on the actor's management pages (else 404), whom the actor may change (else 403)."""
    target = get_visible_or_404(services.manageable_users(request.user), request.user, pk=pk)
    return require(request.user, target, "change")


@login_required
@require_POST
def user_password(request, pk):
    target = _managed_or_404(request, pk)
    form = NewPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.reset_password(request.user, target, form.cleaned_data["password1"])
        except ValidationError as exc:
            _with_errors(form, exc)
        else:
            messages.success(request, _("已重置%(name)s的密码，请当面或电话告知本人") % {"name": target.username})
            return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request, "accounts/user_detail.html", _detail_context(request, target, password_form=form), status=400
    )


@login_required
@require_POST
def user_active(request, pk):
    target = _managed_or_404(request, pk)
    form = DeactivateForm(request.POST)
    active = request.POST.get("active") == "1"
    if form.is_valid():
        try:
            services.set_active(request.user, target, active, form.cleaned_data["reason"])
        except ValidationError as exc:
            _with_errors(form, exc)
        else:
            done = _("已启用账号：%(name)s") if active else _("已停用账号：%(name)s")
            messages.success(request, done % {"name": target.username})
            return redirect("accounts:user_detail", pk=target.pk)
    context = _detail_context(request, target, deactivate_form=form)
    return render(request, "accounts/user_detail.html", context, status=400)


@login_required
@require_POST
def user_unlock(request, pk):
    target = _managed_or_404(request, pk)
    try:
        services.unlock(request.user, target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已解除%(name)s的登录锁定") % {"name": target.username})
    return redirect("accounts:user_detail", pk=target.pk)
