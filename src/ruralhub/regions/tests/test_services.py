import pytest
from django.core.exceptions import ValidationError

from ruralhub.regions.choices import Kind, Level, PovertyStatus
from ruralhub.regions.models import Division, kind_from_code
from ruralhub.regions.services import import_poverty_villages, load_divisions, resolve_county, set_poverty_status

# (code, township-level units, village-level units, of which 村委会) — the figures from the NBS 2023 data.
COUNTIES = [
    ("331123", 20, 214, 201),  # 遂昌
    ("440229", 8, 174, 156),  # 翁源
    ("530926", 12, 92, 67),  # 耿马, incl. 3 farm units
    ("610726", 18, 213, 200),  # 宁强
    ("230223", 15, 158, 149),  # 依安
]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "townships", "villages", "committees"), COUNTIES)
def test_each_county_loads_with_the_counts_of_the_statistical_data(code, townships, villages, committees):
    result = load_divisions(code)
    tree = Division.objects.within(code)
    assert result.created == 1 + townships + villages
    assert tree.townships().count() == townships
    assert tree.villages().count() == villages
    assert tree.administrative_villages().count() == committees


@pytest.mark.django_db
def test_gengma_has_three_farm_units_at_township_level():
    load_divisions("530926")
    farms = Division.objects.within("530926").filter(kind=Kind.FARM_UNIT)
    assert sorted(farms.values_list("name", flat=True)) == ["勐撒农场", "孟定农场", "耿马华侨农场"]


@pytest.mark.django_db
def test_loading_a_county_twice_changes_nothing():
    load_divisions("遂昌")
    again = load_divisions("331123")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 235)
    assert Division.objects.count() == 235


@pytest.mark.django_db
def test_reloading_keeps_the_county_offices_poverty_flags_and_coordinates():
    load_divisions("331123")
    village = Division.objects.get(code="331123105211")
    village.poverty_status = PovertyStatus.PROVINCIAL
    village.save()
    load_divisions("331123")
    village.refresh_from_db()
    assert village.poverty_status == PovertyStatus.PROVINCIAL


@pytest.mark.django_db
def test_coordinates_are_filled_from_the_shipped_gcj02_points():
    load_divisions("331123")
    dazhe = Division.objects.get(code="331123105")
    assert dazhe.lat is not None and 28 < dazhe.lat < 29 and 118 < dazhe.lng < 120
    assert Division.objects.within("331123").exclude(lat=None).count() == 1 + 20 + 14


def test_names_and_codes_both_find_a_county():
    assert resolve_county("331123") == "331123"
    assert resolve_county("遂昌") == "331123"
    assert resolve_county("耿马傣族佤族自治县") == "530926"


def test_an_unknown_county_lists_the_five_available():
    with pytest.raises(ValidationError) as err:
        resolve_county("330000")
    message = err.value.message_dict["county"][0]
    assert "330000" in message
    for name in ["依安县", "翁源县", "耿马傣族佤族自治县", "宁强县", "遂昌县"]:
        assert name in message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("331123", Kind.COUNTY),
        ("331123001", Kind.SUBDISTRICT),
        ("331123105", Kind.TOWN),
        ("331123201", Kind.TOWNSHIP),
        ("530926401", Kind.FARM_UNIT),
        ("331123105001", Kind.COMMUNITY),
        ("331123105211", Kind.VILLAGE_COMMITTEE),
        ("230223100400", Kind.FARM_COMMUNITY),
    ],
)
def test_the_code_segment_tells_the_kind_of_unit(code, kind):
    assert kind_from_code(code) == kind


@pytest.mark.django_db
def test_descendants_are_found_by_code_prefix_in_one_query(django_assert_num_queries):
    load_divisions("331123")
    with django_assert_num_queries(1):
        below = list(Division.objects.within("331123105"))
    assert below[0].code == "331123105" and below[0].level == Level.TOWNSHIP
    assert all(d.code.startswith("331123105") for d in below)
    assert len(below) == 1 + Division.objects.filter(parent_id="331123105").count()


@pytest.mark.django_db
def test_poverty_import_sets_flags_from_code_rows():
    load_divisions("331123")
    rows = [{"代码": "331123105211", "贫困村": "省定"}, {"代码": "331123105212", "贫困村": "建档立卡"}]
    assert import_poverty_villages("331123", rows) == 2
    flags = dict(Division.objects.exclude(poverty_status="").values_list("code", "poverty_status"))
    assert flags == {"331123105211": "provincial", "331123105212": "registered"}


@pytest.mark.django_db
def test_a_bad_poverty_row_is_named_and_nothing_changes():
    load_divisions("331123")
    rows = [
        {"代码": "331123105211", "贫困村": "省定"},
        {"代码": "440229100201", "贫困村": "省定"},  # another county's village
        {"代码": "331123105212", "贫困村": "也许"},
    ]
    with pytest.raises(ValidationError) as err:
        import_poverty_villages("331123", rows)
    assert err.value.messages == [
        "第3行 代码：“440229100201”不是本县的行政村（村委会）代码",
        "第4行 贫困村：“也许”不是有效的贫困村类别（可填：否、建档立卡、省定）",
    ]
    assert not Division.objects.exclude(poverty_status="").exists()


@pytest.mark.django_db
def test_a_community_cannot_be_flagged_as_a_poverty_village():
    load_divisions("331123")
    with pytest.raises(ValidationError, match="不是本县的行政村"):
        import_poverty_villages("331123", [{"代码": "331123105001", "贫困村": "省定"}])  # 大柘镇居民委员会


def test_a_poverty_import_keeps_who_and_why_in_each_villages_history(county_office):
    rows = [{"代码": "331123105211", "贫困村": "省定"}, {"代码": "331123105212", "贫困村": "建档立卡"}]
    assert import_poverty_villages("331123", rows, actor=county_office, reason="2016年省定贫困村名单") == 2
    for code, status in (("331123105211", "provincial"), ("331123105212", "registered")):
        entry = Division.objects.get(code=code).history.latest()
        assert (entry.poverty_status, entry.history_user, entry.history_change_reason) == (
            status,
            county_office,
            "2016年省定贫困村名单",
        )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("331123105001", "“大柘镇居民委员会”是居委会/社区，只有行政村（村委会）可标记为贫困村"),
        ("331123105", "“大柘镇”是镇，只有行政村（村委会）可标记为贫困村"),
    ],
)
def test_only_a_village_committee_can_be_flagged(county_office, code, message):
    with pytest.raises(ValidationError) as refused:
        set_poverty_status(county_office, Division.objects.get(code=code), "provincial")
    assert refused.value.message_dict == {"poverty_status": [message]}
    assert Division.objects.get(code=code).poverty_status == ""


def test_flagging_one_village_keeps_the_reason_and_a_township_officer_is_refused(county_office, township_officer):
    from django.core.exceptions import PermissionDenied

    village = Division.objects.get(code="331123105211")
    set_poverty_status(county_office, village, "registered", reason="县扶贫办通知")
    entry = village.history.latest()
    assert (entry.poverty_status, entry.history_user, entry.history_change_reason) == (
        "registered",
        county_office,
        "县扶贫办通知",
    )
    with pytest.raises(PermissionDenied):  # the village is in the officer's township: seen, not changeable
        set_poverty_status(township_officer, village, "")
    assert Division.objects.get(code="331123105211").poverty_status == "registered"
