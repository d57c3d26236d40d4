import pytest
from django.core.cache import caches

from ruralhub.core.cache import CACHE, bump, bump_county, cached, county_topics, generations


def test_a_figure_is_computed_once_until_its_records_change(db):
    caches[CACHE].clear()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached("coverage:331123", ["network.stations:331123"], compute) == 1
    assert cached("coverage:331123", ["network.stations:331123"], compute) == 1
    bump("network.stations:331123")
    assert cached("coverage:331123", ["network.stations:331123"], compute) == 2
    # Another county's change leaves this figure alone.
    bump("network.stations:440229")
    assert cached("coverage:331123", ["network.stations:331123"], compute) == 2
    assert len(calls) == 2


def test_a_change_seen_by_another_process_is_the_generation_in_the_database(db):
    # Another worker process has its own memory; it sees the change through the generation number.
    caches[CACHE].clear()
    cached("f", ["t"], lambda: "old")
    bump("t")
    caches[CACHE].clear()  # as if in another process, which never held "old"
    assert cached("f", ["t"], lambda: "new") == "new"
    assert generations(["never"]) == {"never": 0}
    assert generations(["t"])["t"] != 0


def test_a_rolled_back_change_never_serves_a_figure_computed_inside_it(db):
    from django.db import transaction

    caches[CACHE].clear()
    assert cached("f", ["t"], lambda: "committed") == "committed"
    with pytest.raises(RuntimeError), transaction.atomic():
        bump("t")
        assert cached("f", ["t"], lambda: "seen only inside") == "seen only inside"
        raise RuntimeError("the change is rolled back")
    assert cached("f", ["t"], lambda: "recomputed") == "committed"
    bump("t")  # the next real change gets a number never used before
    assert cached("f", ["t"], lambda: "recomputed") == "recomputed"


def test_bumping_a_topic_twice_in_one_call_renews_it_once(db):
    bump("a", "a", "b")
    first = generations(["a", "b"])
    assert all(first.values())
    bump("a")
    assert generations(["a"])["a"] != first["a"]


def test_a_county_bump_reaches_both_the_whole_app_and_its_part(db):
    caches[CACHE].clear()
    progress = cached("progress:331123", county_topics("331123"), lambda: "before")
    coverage = cached("coverage:331123", ["network.stations:331123"], lambda: "before")
    bump_county("network", "331123105211", "stations")
    assert cached("progress:331123", county_topics("331123"), lambda: "after") == "after"
    assert cached("coverage:331123", ["network.stations:331123"], lambda: "after") == "after"
    assert progress == coverage == "before"
    assert "network:331123" in county_topics("331123") and "regions:331123" in county_topics("331123")
