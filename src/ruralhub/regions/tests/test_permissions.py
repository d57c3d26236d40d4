"""Who may see and flag divisions, page and API, from the generated checks in core.testcases."""

from django.urls import reverse

from ruralhub.core.testcases import Action, ApiPermissionTests, PagePermissionTests
from ruralhub.regions.models import Division
from ruralhub.testing import DAZHE

_next_code = iter(range(350, 1000))


def _poverty(village):
    return village.poverty_status


class TestDivisionPermissions(PagePermissionTests, ApiPermissionTests):
    """大柘镇's 村委会: the county office flags them, the 大柘 officer only reads, the 妙高 officer sees none."""

    allowed = "county_office"
    denied = "township_officer"
    outsider = "other_township_officer"
    actions = (
        Action(
            "flag a poverty village",
            lambda v: reverse("regions:set_poverty", args=[v.code]),
            lambda v: {"poverty_status": "provincial"},
            state=_poverty,
        ),
    )

    def make(self, request, n):
        """The shipped villages first, then made-up 村委会 (codes 350 and up) so lists can grow to 30."""
        township = request.getfixturevalue("dazhe")
        villages = []
        for _ in range(n):
            code = f"{DAZHE}{next(_next_code):03d}"
            villages.append(
                Division.objects.create(
                    code=code, name=f"测试{code[-3:]}村委会", level="village", kind="village_committee", parent=township
                )
            )
        return villages

    def shown(self, village):
        return village.name

    def list_path(self):
        return f"{reverse('regions:division_list')}?township={DAZHE}"

    def detail_path(self, village):
        return f"{reverse('regions:division_list')}?township={village.parent_id}"

    def api_list(self):
        return f"/api/regions/divisions?within={DAZHE}"

    def api_detail(self, village):
        return f"/api/regions/divisions/{village.code}"

    def api_key(self, village):
        return village.code
