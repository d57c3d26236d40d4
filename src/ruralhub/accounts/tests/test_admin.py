"""The admin is no way around the rules: users go through accounts.services, organisations are read-only there."""

import pytest
from django.core.exceptions import ValidationError

from ruralhub.accounts.models import Organisation, User
from ruralhub.testing import DAZHE, MIAOGAO, PASSWORD, make_organisation, make_user

ADD = "/admin/accounts/user/add/"


@pytest.fixture
def county_admin(client, county_office):
    """The county office, signed in to the admin, where it manages its county's users."""
    client.force_login(county_office)
    return county_office


def _new_user(**overrides):
    data = {
        "username": "zhangsan",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "张三",
        "role": "township_officer",
        "division": DAZHE,
        "organisation": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_the_county_office_adds_a_township_officer_through_the_service(client, county_admin):
    response = client.post(ADD, _new_user())
    user = User.objects.get(username="zhangsan")
    assert response.status_code == 302
    assert (user.role, user.division_id, user.check_password(PASSWORD)) == ("township_officer", DAZHE, True)
    assert user.history.get().history_change_reason == "创建用户"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"division": ""}, "division", "该角色必须指定管辖区划"),
        ({"role": "station_operator", "division": ""}, "organisation", "该角色必须指定所属单位"),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_named_and_nothing_is_added(
    client, county_admin, overrides, field, message
):
    response = client.post(ADD, _new_user(**overrides))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not User.objects.filter(username="zhangsan").exists()


def test_an_organisation_outside_the_scope_is_refused_by_the_form_and_the_service(client, county_admin):
    from ruralhub.accounts.services import create_user
    from ruralhub.regions.services import load_divisions

    elsewhere = make_organisation(load_divisions("440229").county, name="翁源某合作社")
    response = client.post(ADD, _new_user(role="producer", organisation=elsewhere.pk))
    assert response.status_code == 200 and "organisation" in response.context["adminform"].form.errors
    with pytest.raises(ValidationError) as refused:
        create_user("lisi", PASSWORD, "producer", actor=county_admin, organisation=elsewhere)
    assert refused.value.message_dict == {"organisation": ["所选单位不在您的管辖范围内"]}
    assert not User.objects.filter(username__in=["zhangsan", "lisi"]).exists()


def test_a_role_change_in_the_admin_is_checked_and_kept_in_the_users_history(client, county_admin, township_officer):
    url = f"/admin/accounts/user/{township_officer.pk}/change/"
    base = {"full_name": "", "phone": "", "email": "", "is_active": "on", "division": DAZHE, "organisation": ""}
    refused = client.post(url, {**base, "role": "station_operator"})
    assert refused.context["adminform"].form.errors["organisation"] == ["该角色必须指定所属单位"]
    assert User.objects.get(pk=township_officer.pk).role == "township_officer"

    moved = client.post(url, {**base, "role": "township_officer", "division": MIAOGAO, "is_staff": "on"})
    assert moved.status_code == 302
    user = User.objects.get(pk=township_officer.pk)
    assert user.division_id == MIAOGAO
    assert user.is_staff is False  # only a superuser opens the admin to someone
    latest, before = user.history.order_by("-history_id")[:2]
    assert latest.history_user == county_admin and latest.history_change_reason == "管理后台修改用户"
    assert [(c.field, c.old, c.new) for c in latest.diff_against(before).changes] == [("division", DAZHE, MIAOGAO)]


def test_the_admin_lists_only_users_in_the_county_offices_scope(client, county_admin, township_officer, dazhe):
    from ruralhub.regions.services import load_divisions

    elsewhere = make_user("wengyuan", "county_office", division=load_divisions("440229").county)
    page = client.get("/admin/accounts/user/").content.decode()
    assert township_officer.username in page and elsewhere.username not in page
    assert client.get(f"/admin/accounts/user/{elsewhere.pk}/change/").status_code == 302  # "not found" redirect


def test_organisations_are_read_only_in_the_admin(client, county_office, dazhe_village):
    organisation = make_organisation(dazhe_village, name="原名称")
    client.force_login(county_office)
    assert client.get(f"/admin/accounts/organisation/{organisation.pk}/change/").status_code == 200
    response = client.post(f"/admin/accounts/organisation/{organisation.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    assert client.post("/admin/accounts/organisation/add/", {"name": "新单位"}).status_code == 403
    assert Organisation.objects.get().name == "原名称"


def test_update_user_refuses_what_the_actor_may_not_do(county_admin, township_officer, station_operator):
    from django.core.exceptions import PermissionDenied

    from ruralhub.accounts.services import update_user

    # A township officer manages its township's station operators' logins, no one else's.
    colleague = make_user("colleague", "township_officer", division=township_officer.division)
    with pytest.raises(PermissionDenied):
        update_user(township_officer, colleague, {"full_name": "改名"})
    assert update_user(township_officer, station_operator, {"full_name": "改名"}).full_name == "改名"
    with pytest.raises(ValidationError) as refused:
        update_user(county_admin, township_officer, {"username": "x", "is_staff": True})
    assert refused.value.message_dict == {"is_staff": ["不能在此修改该项"], "username": ["不能在此修改该项"]}
    assert User.objects.get(pk=township_officer.pk).username == "township"
