"""The station list as a light table: sorting, paging, text search and small selects."""

import re

from django.urls import reverse

LIST = reverse("network:station_list")


def _names(response):
    return [row.record.name for row in response.context["table"].rows]


def test_sorting_on_a_column_and_back(client, county_office, make_station):
    for name in ("乙点", "甲点", "丙点"):
        make_station("331123105211", name=name)
    client.force_login(county_office)
    ascending = _names(client.get(LIST, {"sort": "name"}))
    assert ascending == sorted(ascending)
    page = client.get(LIST, {"sort": "name"}).content.decode()
    assert 'href="?sort=-name"' in page and 'aria-sort="ascending"' in page  # the link turns the order round
    assert _names(client.get(LIST, {"sort": "-name"})) == ascending[::-1]
    assert _names(client.get(LIST, {"sort": "services"})) == _names(client.get(LIST))  # not sortable: ignored


def test_pages_of_50_keep_the_filter_and_the_sort(client, county_office, make_station):
    from ruralhub.regions.models import Division

    for village in Division.objects.within("331123").administrative_villages()[:52]:
        make_station(village.code, name=f"点{village.code}")
    client.force_login(county_office)
    first = client.get(LIST, {"sort": "-code", "level": "village_point"})
    assert first.context["count"] == 52 and len(_names(first)) == 50
    assert "page=2" in first.content.decode() and "sort=-code" in first.content.decode()
    second = client.get(LIST, {"sort": "-code", "level": "village_point", "page": 2})
    assert len(_names(second)) == 2
    assert not set(_names(first)) & set(_names(second))


def test_a_village_is_found_by_typing_its_name_and_no_select_lists_the_villages(client, county_office, make_station):
    station = make_station("331123105211", name="便民超市")
    make_station("331123001009", name="另一个点")
    client.force_login(county_office)
    response = client.get(LIST, {"q": station.division.name})
    assert _names(response) == ["便民超市"]
    page = response.content.decode()
    assert f'value="{station.division.name}"' in page  # the search keeps what was typed
    assert station.division.name not in re.sub(r'value="[^"]*"', "", page.split("</form>")[0])  # no village option
    assert len(re.findall(r"<option", page)) < 60  # townships, levels, statuses, services: small selects


def test_a_row_shows_labels_services_and_flags_as_a_user_reads_them(client, county_office, make_station):
    make_station("331123105211", name="示范点", is_demonstration=True, services_offered=["express", "payment"])
    client.force_login(county_office)
    page = client.get(LIST).content.decode()
    row = page[page.index("示范点") :].split("</tr>")[0]
    for text in ("村级服务点", "大柘镇", "代收代发快递、缴费充值", "运营中", "2021-03-01", "示范"):
        assert text in row


def test_the_api_station_list_reads_villages_and_services_in_bulk(
    client, county_office, make_station, django_assert_max_num_queries
):
    one = make_station("331123105211", services_offered=["express"], served=["331123105211", "331123105212"])
    client.force_login(county_office)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/network/stations")
    for code in ("331123105215", "331123105225", "331123001009"):
        make_station(code, services_offered=["payment", "sale"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/network/stations").json()
    mine = next(s for s in body if s["id"] == one.pk)
    assert mine["served_villages"] == ["331123105211", "331123105212"] and mine["services"] == ["express"]
    assert len(body) == 4 and all(s["services"] for s in body)
