"""Who may read a county's program and its targets, page and API, from the generated checks in core.testcases."""

from datetime import date

import pytest
from django.urls import reverse

from ruralhub.core.testcases import ApiPermissionTests, PagePermissionTests
from ruralhub.programs.models import Program
from ruralhub.programs.services import load_program
from ruralhub.testing import SUICHANG

_serial = iter(range(10**6))


class TestProgramPermissions(PagePermissionTests, ApiPermissionTests):
    """遂昌's program is read by everyone in 遂昌 (a township officer too) and by no one in 翁源.

    Programs and targets have no write pages or operations: they come from the plans (`ruralhub load-county`).
    """

    allowed = "county_office"
    denied = "township_officer"
    outsider = "other_county_office"

    def make(self, request, n):
        county = request.getfixturevalue("suichang")
        programs = []
        if not Program.objects.filter(county=county).exists():
            programs.append(load_program(SUICHANG))
        while len(programs) < n:
            programs.append(
                Program.objects.create(
                    county=county,
                    name=f"遂昌县测试项目{next(_serial)}",
                    batch_year=2021,
                    plan_title="测试方案",
                    starts_on=date(2021, 1, 1),
                    ends_on=date(2022, 12, 31),
                )
            )
        return programs

    def shown(self, program):
        return program.name

    def list_path(self):
        return reverse("programs:current")

    def detail_path(self, program):
        return reverse("programs:targets", args=[program.pk])

    def api_list(self):
        return "/api/programs"

    def api_detail(self, program):
        return f"/api/programs/{program.pk}/progress"


@pytest.mark.parametrize("model", ["program", "target"])
def test_programs_and_targets_are_read_only_in_the_admin_for_everyone(client, county_office, suichang, model):
    from ruralhub.accounts.models import User

    program = load_program(SUICHANG)
    obj = program if model == "program" else program.targets.first()
    change = f"/admin/programs/{model}/{obj.pk}/change/"
    client.force_login(county_office)  # is_staff, no program permission: the plans are loaded, not typed in
    assert client.post(f"/admin/programs/{model}/add/", {"name": "x"}).status_code == 403
    assert client.post(change, {"name": "x", "label": "x"}).status_code == 403
    client.force_login(User.objects.create_superuser("root", password="x-correct-horse"))
    assert client.get(change).status_code == 200
    assert client.post(f"/admin/programs/{model}/add/", {"name": "x"}).status_code == 403
    assert client.post(change, {"name": "x", "label": "x"}).status_code == 403
    assert str(type(obj).objects.get(pk=obj.pk)) == str(obj)
