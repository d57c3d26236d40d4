from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from ruralhub.core.scoping import can, get_visible_or_404, may, require

from . import services
from .forms import OrganisationFilterForm, OrganisationForm
from .models import Organisation


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
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
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
