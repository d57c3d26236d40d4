"""The admin only shows network records: their rules live in the services behind the pages."""

import pytest

from ruralhub.network.models import ReviewDecision, ReviewRule, Station


@pytest.fixture
def admin_client(client, county_office):
    client.force_login(county_office)  # is_staff, with add_reviewdecision, change_station and change_reviewrule
    return client


def test_adding_a_review_decision_in_the_admin_is_refused_not_a_500(admin_client, make_station):
    station = make_station("331123105211")
    assert admin_client.get("/admin/network/reviewdecision/add/").status_code == 403
    response = admin_client.post(
        "/admin/network/reviewdecision/add/", {"station": station.pk, "decision": "close", "reason": "x"}
    )
    assert response.status_code == 403
    assert not ReviewDecision.objects.exists()


def test_the_county_office_reads_decisions_in_the_admin_but_takes_them_on_the_review_page(
    admin_client, county_office, make_station
):
    from ruralhub.network import services

    station = make_station("331123105211")
    decision = services.decide_review(county_office, station, "keep", "服务正常")
    assert admin_client.get("/admin/network/reviewdecision/").status_code == 200
    assert admin_client.get(f"/admin/network/reviewdecision/{decision.pk}/change/").status_code == 200
    response = admin_client.post(f"/admin/network/reviewdecision/{decision.pk}/change/", {"decision": "close"})
    assert response.status_code == 403
    assert ReviewDecision.objects.get().decision == "keep"


def test_the_review_rule_and_its_limits_are_read_only_in_the_admin(admin_client, make_station):
    from ruralhub.network import services

    rule = services.review_rule("331123")
    response = admin_client.post(f"/admin/network/reviewrule/{rule.pk}/change/", {"months": 1, "min_services": 0})
    assert response.status_code == 403
    assert ReviewRule.objects.get(pk=rule.pk).months == rule.months


def test_stations_cannot_be_added_or_changed_in_the_admin(admin_client, make_station):
    station = make_station("331123105211", name="原名")
    assert admin_client.get(f"/admin/network/station/{station.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/network/station/{station.pk}/change/", {"name": "改名"}).status_code == 403
    assert admin_client.post("/admin/network/station/add/", {"name": "新站"}).status_code == 403
    assert Station.objects.get().name == "原名"
