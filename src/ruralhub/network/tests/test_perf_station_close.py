"""Closing a station: the page names the villages that would lose coverage; replacements nearest first."""

import re

from django.urls import reverse


def _page(client, station):
    return client.get(reverse("network:station_detail", args=[station.pk]))


def test_the_page_names_the_villages_a_closing_would_uncover(client, county_office, make_station):
    station = make_station("331123105211", lat=28.50, lng=119.10, served=["331123105211", "331123105212"])
    make_station("331123105212", lat=28.51, lng=119.10)  # 黄垵 keeps its own point
    client.force_login(county_office)
    page = _page(client, station).content.decode()
    note = re.search(r'<p class="closing-loses muted">([^<]*)</p>', page).group(1)
    assert "永安村委会" in note and "黄垵村委会" not in note
    assert 'data-confirm-close="确定关闭本站点吗？以下行政村将失去覆盖：永安村委会"' in page


def test_a_village_served_twice_loses_nothing(client, county_office, make_station):
    station = make_station("331123105211")
    make_station("331123105211", name="第二个点")
    client.force_login(county_office)
    assert "关闭本站点不会使任何村失去覆盖" in _page(client, station).content.decode()


def test_replacements_are_operating_stations_in_scope_nearest_first(
    client, township_officer, county_office, make_station
):
    station = make_station("331123105211", lat=28.50, lng=119.10)
    make_station("331123105212", name="远点", lat=28.60, lng=119.10)
    make_station("331123105215", name="近点", lat=28.51, lng=119.10)
    make_station("331123105225", name="暂停点", status="suspended", lat=28.50, lng=119.11)
    make_station("331123001201", name="妙高点", lat=28.50, lng=119.10)  # outside the officer's township
    client.force_login(township_officer)
    choices = _page(client, station).context["status_form"].fields["replacement"].choices
    labels = [label for _pk, label in choices[1:]]
    assert labels == ["近点（1.1 km）", "远点（11.1 km）"]
    client.force_login(county_office)
    labels = [label for _pk, label in _page(client, station).context["status_form"].fields["replacement"].choices[1:]]
    assert labels[0] == "妙高点（0.0 km）" and "暂停点" not in " ".join(labels)


def test_closing_with_a_chosen_replacement_still_works(client, county_office, make_station):
    from django.utils import timezone

    station = make_station("331123105211", lat=28.50, lng=119.10)
    other = make_station("331123105215", name="近点", lat=28.51, lng=119.10)
    client.force_login(county_office)
    url = reverse("network:station_status", args=[station.pk])
    form = {
        "status": "closed",
        "effective_on": timezone.localdate().isoformat(),
        "reason": "撤并",
        "replacement": other.pk,
    }
    assert client.post(url, form).status_code == 302
    station.refresh_from_db()
    assert station.status == "closed" and station.replaced_by == other
    assert "closing-loses" not in _page(client, station).content.decode()  # nothing left to close
