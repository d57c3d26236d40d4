"""User management pages: the county office manages its county's logins, a township officer its station operators'."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ruralhub.accounts import services
from ruralhub.accounts.models import User
from ruralhub.core.roles import Role
from ruralhub.core.testcases import Action, PagePermissionTests
from ruralhub.testing import PASSWORD, make_organisation, make_user

NEW_PASSWORD = "spring-rain-2026"
LOGIN = reverse("login")
_serial = iter(range(10**6))


def lock(user) -> None:
    """Five wrong passwords, as django-axes records them."""
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def locked(user) -> bool:
    return user.username in services.locked_usernames([user.username])


def _operator(village, username=None):
    host = make_organisation(village, kind="station_host")
    return make_user(username or f"op{next(_serial)}", Role.STATION_OPERATOR, division=village, organisation=host)


class TestUserPagePermissions(PagePermissionTests):
    """Pages and actions on a 大柘镇 station operator's login: the county office acts, finance/audit only reads
    (403 on every action), 翁源's county office gets 404."""

    allowed = "county_office"
    denied = "finance_audit"
    outsider = "other_county_office"
    actions = (
        Action(
            "reset_password",
            lambda u: reverse("accounts:user_password", args=[u.pk]),
            lambda u: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            state=lambda u: u.password,
        ),
        Action(
            "deactivate",
            lambda u: reverse("accounts:user_active", args=[u.pk]),
            lambda u: {"active": "0", "reason": "离职"},
            state=lambda u: u.is_active,
        ),
        Action("unlock", lambda u: reverse("accounts:user_unlock", args=[u.pk]), state=locked),
    )

    def make(self, request, n):
        village = request.getfixturevalue("dazhe_village")
        users = [_operator(village) for _ in range(n)]
        for user in users:
            lock(user)
        return users

    def shown(self, user):
        return user.username

    def count(self, user):
        return User.objects.count()

    def list_path(self):
        return reverse("accounts:user_list")

    def detail_path(self, user):
        return reverse("accounts:user_detail", args=[user.pk])

    def create_path(self):
        return reverse("accounts:user_create")

    def create_data(self, request):
        village = request.getfixturevalue("dazhe_village")
        host = make_organisation(village, kind="station_host")
        return {
            "username": f"new{next(_serial)}",
            "full_name": "李四",
            "role": Role.STATION_OPERATOR,
            "division": village.code,
            "organisation": host.pk,
            "phone": "13700001111",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        }


def test_the_county_office_opens_a_login_that_signs_in(client, county_office, dazhe_village):
    host = make_organisation(dazhe_village, kind="station_host", name="黄沙腰便民店")
    client.force_login(county_office)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "huangsha",
            "full_name": "王五",
            "role": Role.STATION_OPERATOR,
            "division": dazhe_village.code,
            "organisation": host.pk,
            "phone": "13700001111",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    user = User.objects.get(username="huangsha")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert user.history.get().history_change_reason == "创建用户" and user.history.get().history_user == county_office
    client.logout()
    assert client.post(LOGIN, {"username": "huangsha", "password": NEW_PASSWORD}).status_code == 302


def test_a_weak_or_mistyped_password_is_named_and_nothing_is_created(client, county_office, dazhe):
    client.force_login(county_office)
    data = {"username": "zhao", "role": Role.TOWNSHIP_OFFICER, "division": dazhe.code}
    mistyped = client.post(reverse("accounts:user_create"), {**data, "password1": NEW_PASSWORD, "password2": "x"})
    assert mistyped.context["form"].errors["password2"] == ["两次输入的密码不一致"]
    weak = client.post(reverse("accounts:user_create"), {**data, "password1": "12345678", "password2": "12345678"})
    assert weak.context["form"].errors["password1"] == ["这个密码太常见了。", "密码只包含数字。"]
    assert not User.objects.filter(username="zhao").exists()


def test_a_township_officer_manages_only_its_townships_station_operators(
    client, township_officer, station_operator, producer, other_township_officer, dazhe_village
):
    client.force_login(township_officer)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "station" in page and "miaogao" not in page and "producer" not in page
    assert "用户" in page and reverse("accounts:user_list") in page  # the menu entry
    form = client.get(reverse("accounts:user_create")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [Role.STATION_OPERATOR]
    # a login of another role, or another township's, is not on its pages
    assert client.get(reverse("accounts:user_detail", args=[producer.pk])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[other_township_officer.pk])).status_code == 404
    # and the service refuses it whoever calls
    with pytest.raises(ValidationError) as refused:
        services.create_user("boss", NEW_PASSWORD, Role.COUNTY_OFFICE, actor=township_officer, division=dazhe_village)
    assert refused.value.message_dict == {"role": ["您只能为以下角色开通或修改账号：服务站点负责人"]}
    colleague = make_user("colleague", Role.TOWNSHIP_OFFICER, division=township_officer.division)
    with pytest.raises(PermissionDenied, match="您只能管理本辖区服务站点负责人的账号"):
        services.reset_password(township_officer, colleague, NEW_PASSWORD)
    services.reset_password(township_officer, station_operator, NEW_PASSWORD)
    assert User.objects.get(pk=station_operator.pk).check_password(NEW_PASSWORD)


def test_the_menu_entry_is_for_the_roles_that_manage_logins(client, county_office, finance_audit, station_operator):
    url = reverse("accounts:user_list")
    client.force_login(county_office)
    assert f'href="{url}"' in client.get(reverse("accounts:organisation_list")).content.decode()
    for user in (finance_audit, station_operator):
        client.force_login(user)
        assert f'href="{url}"' not in client.get(reverse("accounts:organisation_list")).content.decode()
    assert client.get(url).status_code == 403


def test_phones_are_masked_for_the_township_and_whole_for_the_county(
    client, county_office, township_officer, dazhe_village
):
    operator = _operator(dazhe_village, "phoneop")
    services.update_user(county_office, operator, {"phone": "13955556666"})
    client.force_login(township_officer)
    assert "139****6666" in client.get(reverse("accounts:user_list")).content.decode()
    assert "13955556666" not in client.get(reverse("accounts:user_detail", args=[operator.pk])).content.decode()
    client.force_login(county_office)
    assert "13955556666" in client.get(reverse("accounts:user_list")).content.decode()


def test_a_locked_user_is_unlocked_by_the_county_office_and_signs_in_again(client, county_office, station_operator):
    for _ in range(5):
        client.post(LOGIN, {"username": "station", "password": "wrong"})
    assert client.post(LOGIN, {"username": "station", "password": PASSWORD}).status_code == 429
    client.force_login(county_office)
    detail = reverse("accounts:user_detail", args=[station_operator.pk])
    assert "已锁定" in client.get(reverse("accounts:user_list")).content.decode()
    assert "解除锁定" in client.get(detail).content.decode()
    response = client.post(reverse("accounts:user_unlock", args=[station_operator.pk]), follow=True)
    assert "已解除station的登录锁定" in response.content.decode()
    assert station_operator.history.latest().history_change_reason == "解除登录锁定"
    client.logout()
    assert client.post(LOGIN, {"username": "station", "password": PASSWORD}).status_code == 302


def test_unlocking_a_user_who_is_not_locked_says_so(client, county_office, station_operator):
    client.force_login(county_office)
    response = client.post(reverse("accounts:user_unlock", args=[station_operator.pk]), follow=True)
    assert "该账号未被锁定" in response.content.decode()


def test_a_reset_password_replaces_the_old_one_and_is_in_the_history(client, county_office, station_operator):
    client.force_login(county_office)
    url = reverse("accounts:user_password", args=[station_operator.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert "已重置station的密码" in response.content.decode()
    user = User.objects.get(pk=station_operator.pk)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    row = user.history.latest()
    assert (row.history_change_reason, row.history_user) == ("重置密码", county_office)
    refused = client.post(url, {"password1": "station1", "password2": "station1"})
    assert refused.status_code == 400
    assert refused.context["password_form"].errors["password1"] == ["密码跟 用户名 太相似了。"]


def test_deactivation_needs_a_reason_stops_the_login_and_can_be_undone(client, county_office, station_operator):
    client.force_login(county_office)
    url = reverse("accounts:user_active", args=[station_operator.pk])
    refused = client.post(url, {"active": "0", "reason": ""})
    assert refused.status_code == 400 and refused.context["deactivate_form"].errors["reason"] == ["停用账号须填写原因"]
    client.post(url, {"active": "0", "reason": "站点已关闭"})
    assert not User.objects.get(pk=station_operator.pk).is_active
    assert station_operator.history.latest().history_change_reason == "停用账号：站点已关闭"
    client.logout()
    assert client.post(LOGIN, {"username": "station", "password": PASSWORD}).status_code == 200
    client.force_login(county_office)
    client.post(url, {"active": "1", "reason": ""})
    assert User.objects.get(pk=station_operator.pk).is_active
    assert station_operator.history.latest().history_change_reason == "启用账号"


def test_the_county_office_cannot_deactivate_itself_or_touch_a_superuser(county_office, suichang):
    with pytest.raises(ValidationError) as refused:
        services.set_active(county_office, county_office, False, "试试")
    assert refused.value.message_dict == {"is_active": ["不能停用自己的账号"]}
    root = User.objects.create_superuser("root", password="x-correct-horse", division=suichang)
    with pytest.raises(PermissionDenied, match="只有系统管理员可以管理系统管理员的账号"):
        services.reset_password(county_office, root, NEW_PASSWORD)
