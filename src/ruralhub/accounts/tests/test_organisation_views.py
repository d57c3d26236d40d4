from django.urls import reverse

from ruralhub.accounts.models import Organisation
from ruralhub.testing import make_credit_code, make_organisation

NEW = reverse("accounts:organisation_create")


def _form(division_code, **overrides):
    data = {
        "name": "大柘高山茶业有限公司",
        "kind": "enterprise",
        "credit_code": make_credit_code(),
        "division": division_code,
        "contact_name": "叶青",
        "phone": "13800001111",
        "address": "大柘镇",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_township_officer_registers_an_organisation_in_the_township(client, township_officer, dazhe_village):
    client.force_login(township_officer)
    response = client.post(NEW, _form(dazhe_village.code))
    organisation = Organisation.objects.get(name="大柘高山茶业有限公司")
    assert response.status_code == 302 and response["Location"].endswith(f"/{organisation.pk}/")


def test_a_bad_credit_code_is_named_on_the_form_and_nothing_is_saved(client, township_officer, dazhe_village):
    client.force_login(township_officer)
    response = client.post(NEW, _form(dazhe_village.code, credit_code="91330100799655058C"))
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"] == ["统一社会信用代码校验码错误：第18位应为“B”"]
    assert 'id="credit_code-errors"' in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_lower_case_code_is_accepted_as_upper_case(client, township_officer, dazhe_village):
    client.force_login(township_officer)
    code = make_credit_code()
    client.post(NEW, _form(dazhe_village.code, credit_code=code.lower()))
    assert Organisation.objects.get().credit_code == code


def test_an_officer_cannot_register_into_another_township(client, township_officer):
    client.force_login(township_officer)
    response = client.post(NEW, _form("331123001001"))
    assert "division" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_outside_scope_an_organisation_is_404(client, township_officer, suichang):
    elsewhere = make_organisation(suichang.children.get(code="331123001"), name="妙高某公司")
    client.force_login(township_officer)
    assert client.get(reverse("accounts:organisation_detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("accounts:organisation_edit", args=[elsewhere.pk])).status_code == 404


def test_phones_are_masked_for_the_township_and_shown_to_the_county(
    client, township_officer, county_office, station_host
):
    client.force_login(township_officer)
    page = client.get(reverse("accounts:organisation_list")).content.decode()
    assert "158****2345" in page and "15888812345" not in page
    client.force_login(county_office)
    assert "15888812345" in client.get(reverse("accounts:organisation_list")).content.decode()


def test_the_station_operator_sees_its_own_organisation_only(client, station_operator, station_host, dazhe):
    make_organisation(dazhe, name="同镇另一家")
    client.force_login(station_operator)
    page = client.get(reverse("accounts:organisation_list")).content.decode()
    assert "大柘便民超市" in page and "同镇另一家" not in page
    assert client.get(NEW).status_code == 403


def test_the_list_costs_a_constant_number_of_queries(client, county_office, dazhe, django_assert_max_num_queries):
    for _ in range(30):
        make_organisation(dazhe)
    client.force_login(county_office)
    with django_assert_max_num_queries(6):
        client.get(reverse("accounts:organisation_list"))


def test_the_edit_form_keeps_a_masked_phone(client, township_officer, dazhe_village):
    organisation = make_organisation(dazhe_village, phone="13800001111", name="旧名")
    client.force_login(township_officer)
    url = reverse("accounts:organisation_edit", args=[organisation.pk])
    assert "138****1111" in client.get(url).content.decode()
    client.post(url, _form(dazhe_village.code, credit_code=organisation.credit_code, phone="138****1111", name="新名"))
    organisation.refresh_from_db()
    assert organisation.name == "新名" and organisation.phone == "13800001111"


def test_a_taken_credit_code_gets_the_same_answer_whether_its_holder_is_visible_or_not(
    client, township_officer, dazhe_village, suichang
):
    from ruralhub.accounts.models import ApiToken

    visible = make_organisation(dazhe_village, name="大柘已登记单位")
    hidden = make_organisation(suichang.children.get(code="331123001"), name="妙高已登记单位")
    client.force_login(township_officer)
    answers = []
    for taken in (visible, hidden):
        response = client.post(NEW, _form(dazhe_village.code, credit_code=taken.credit_code))
        answers.append(response.context["form"].errors["credit_code"])
    assert answers[0] == answers[1]
    assert "妙高" not in str(answers[1])

    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(township_officer, '测试')[1]}"}
    api_answers = []
    for taken in (visible, hidden):
        body = {
            "name": "新单位",
            "kind": "enterprise",
            "credit_code": taken.credit_code,
            "division": dazhe_village.code,
        }
        response = client.post("/api/organisations", body, content_type="application/json", **headers)
        assert response.status_code == 422
        api_answers.append(response.json()["detail"])
    assert (
        api_answers[0]
        == api_answers[1]
        == [
            {
                "loc": ["body", "credit_code"],
                "msg": "该统一社会信用代码已登记，不能重复登记；如属同一单位，请联系县电商办核实",
                "type": "value_error",
            }
        ]
    )
    assert Organisation.objects.count() == 2
