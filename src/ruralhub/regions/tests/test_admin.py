"""Division admin: 贫困村 flags are set on the divisions page through the service; coordinates keep a history."""

from decimal import Decimal

import pytest

from ruralhub.regions.models import Division

VILLAGE = "331123105211"  # 永安村委会
COMMUNITY = "331123105001"  # 大柘镇居民委员会
TOWNSHIP = "331123105"


@pytest.fixture
def admin_client(client, county_office):
    client.force_login(county_office)  # is_staff, with change_division
    return client


@pytest.mark.parametrize("code", [COMMUNITY, TOWNSHIP, VILLAGE])
def test_the_admin_cannot_set_a_poverty_flag_on_any_division(admin_client, code):
    response = admin_client.post(
        f"/admin/regions/division/{code}/change/", {"poverty_status": "provincial", "lat": "", "lng": ""}
    )
    assert response.status_code == 302
    assert Division.objects.get(code=code).poverty_status == ""


def test_the_change_list_has_no_editable_poverty_column(admin_client):
    response = admin_client.post(
        "/admin/regions/division/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-code": COMMUNITY,
            "form-0-poverty_status": "provincial",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert Division.objects.get(code=COMMUNITY).poverty_status == ""


def test_a_coordinate_correction_goes_through_the_service_and_is_kept_in_the_history(admin_client, county_office):
    response = admin_client.post(f"/admin/regions/division/{VILLAGE}/change/", {"lat": "28.600000", "lng": "119.2"})
    assert response.status_code == 302
    village = Division.objects.get(code=VILLAGE)
    assert (village.lat, village.lng) == (Decimal("28.600000"), Decimal("119.200000"))
    entry = village.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (county_office, "管理后台修改坐标")


def test_a_township_officer_has_no_way_into_the_division_admin(client, township_officer):
    township_officer.is_staff = True
    township_officer.save()
    client.force_login(township_officer)
    assert client.post(f"/admin/regions/division/{VILLAGE}/change/", {"lat": "1", "lng": "1"}).status_code == 403
    assert Division.objects.get(code=VILLAGE).lat != Decimal("1")
