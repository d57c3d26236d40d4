"""Who may see, register and change organisations, page and API, from the generated checks in core.testcases."""

from django.urls import reverse

from ruralhub.accounts.models import Organisation
from ruralhub.core.testcases import Action, ApiPermissionTests, PagePermissionTests
from ruralhub.testing import make_credit_code, make_organisation

_serial = iter(range(10**6))


class TestOrganisationPermissions(PagePermissionTests, ApiPermissionTests):
    """Organisations in 大柘镇: its officer registers and edits them, finance/audit only reads, 妙高 sees none."""

    allowed = "township_officer"
    denied = "finance_audit"
    outsider = "other_township_officer"
    api_actions = (
        Action(
            "rename",
            lambda o: f"/api/organisations/{o.pk}",
            lambda o: {"name": f"{o.name}（更名）"},
            method="patch",
            state=lambda o: o.name,
        ),
    )

    def make(self, request, n):
        village = request.getfixturevalue("dazhe_village")
        return [make_organisation(village, name=f"大柘测试单位{next(_serial)}") for _ in range(n)]

    def shown(self, organisation):
        return organisation.name

    def list_path(self):
        return reverse("accounts:organisation_list")

    def detail_path(self, organisation):
        return reverse("accounts:organisation_detail", args=[organisation.pk])

    def create_path(self):
        return reverse("accounts:organisation_create")

    def edit_path(self, organisation):
        return reverse("accounts:organisation_edit", args=[organisation.pk])

    def create_data(self, request):
        return {
            "name": f"新登记单位{next(_serial)}",
            "kind": "enterprise",
            "credit_code": make_credit_code(),
            "division": request.getfixturevalue("dazhe_village").code,
            "is_active": "on",
        }

    def count(self, obj):
        return Organisation.objects.count()

    def api_list(self):
        return "/api/organisations"

    def api_detail(self, organisation):
        return f"/api/organisations/{organisation.pk}"
