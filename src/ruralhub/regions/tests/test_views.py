import pytest
from django.urls import reverse

from ruralhub.regions.models import Division

URL = reverse("regions:division_list")


def test_the_dazhe_officer_sees_only_dazhe_villages(client, township_officer, dazhe):
    client.force_login(township_officer)
    page = client.get(URL).content.decode()
    dazhe_villages = Division.objects.filter(parent=dazhe)
    for village in dazhe_villages:
        assert village.code in page
    assert "331123001" not in page  # 妙高街道 and its communities
    assert page.count('<tr id="v-') == dazhe_villages.count()


def test_the_dazhe_officer_gets_404_for_another_township(client, township_officer):
    client.force_login(township_officer)
    assert client.get(URL, {"township": "331123001"}).status_code == 404


def test_the_county_office_sees_every_township_with_its_counts(client, county_office):
    client.force_login(county_office)
    response = client.get(URL)
    townships = response.context["townships"]
    assert len(townships) == 20
    assert sum(t.counts["villages"] for t in townships) == 201
    assert sum(t.counts["communities"] for t in townships) == 13
    assert client.get(URL, {"township": "331123001"}).status_code == 200


def test_the_township_table_costs_the_same_queries_for_any_county_size(
    client, county_office, django_assert_max_num_queries
):
    client.force_login(county_office)
    with django_assert_max_num_queries(8):
        client.get(URL)


def test_the_county_office_flags_a_poverty_village_in_place(client, county_office):
    client.force_login(county_office)
    response = client.post(reverse("regions:set_poverty", args=["331123105211"]), {"poverty_status": "provincial"})
    assert response.status_code == 200
    assert 'value="provincial" selected' in response.content.decode()
    assert Division.objects.get(code="331123105211").poverty_status == "provincial"


def test_a_township_officer_cannot_flag_poverty_villages(client, township_officer):
    # The village is in the officer's township, so it is no secret: the refusal is a 403 that says why.
    client.force_login(township_officer)
    response = client.post(reverse("regions:set_poverty", args=["331123105211"]), {"poverty_status": "provincial"})
    assert response.status_code == 403
    assert Division.objects.get(code="331123105211").poverty_status == ""


def test_an_invalid_poverty_value_is_refused_with_the_field(client, county_office):
    client.force_login(county_office)
    response = client.post(reverse("regions:set_poverty", args=["331123105211"]), {"poverty_status": "maybe"})
    assert response.status_code == 400
    assert "不是有效的贫困村类别" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_community_cannot_be_flagged_from_the_page(client, county_office):
    client.force_login(county_office)
    response = client.post(reverse("regions:set_poverty", args=["331123105001"]), {"poverty_status": "provincial"})
    assert response.status_code == 400
    assert "只有行政村（村委会）可标记为贫困村" in response.content.decode()
    assert Division.objects.get(code="331123105001").poverty_status == ""
