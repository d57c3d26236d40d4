"""服务站点名录: the Excel export and the import from the same sheet (dry run first, all or nothing)."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ruralhub.network.choices import Service, StationLevel, StationStatus
from ruralhub.network.models import Station, StationService, StationStatusChange
from ruralhub.network.resources import COLUMNS
from ruralhub.regions.models import Division

EXPORT = reverse("network:directory_export")
IMPORT = reverse("network:directory_import")
DAZHE = "331123105"
YONGAN = "331123105211"  # 大柘镇 永安村委会
HUANGAN = "331123105212"  # 大柘镇 黄垵村委会
DONGHONG = "331123001200"  # 妙高街道 东红村委会
HEADER = [
    "网点编号",
    "网点名称",
    "层级",
    "所在乡镇",
    "所在行政村",
    "是否贫困村",
    "联系人",
    "电话",
    "地址",
    "服务项目",
    "中央资金支持",
    "示范站点",
    "状态",
    "开业日期",
]


def download(client, user) -> list[list[str]]:
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    return [[cell.value or "" for cell in row] for row in sheet.iter_rows()]


def row(**cells) -> list[str]:
    """One sheet row from column names; unnamed columns are blank."""
    return [cells.get(column, "") for column in COLUMNS]


def xlsx(rows, header=COLUMNS, name="名录.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(list(header))
    for values in rows:
        book.active.append(list(values))
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, user, file):
    client.force_login(user)
    return client.post(IMPORT, {"file": file})


def confirm(client):
    return client.post(IMPORT, {"confirm": "1"})


def errors(response) -> list[str]:
    return [str(e) for e in response.context["errors"]]


def snapshot():
    """Everything an import could change, to compare before and after."""
    stations = Station.objects.order_by("code").values_list(
        "code", "name", "level", "division", "operator_name", "operator_phone", "address", "status",
        "status_since", "opened_on", "is_demonstration", "is_central_funded", "host_type",
    )  # fmt: skip
    services = StationService.objects.order_by("station__code", "service")
    return (
        list(stations),
        list(services.values_list("station__code", "service")),
        list(
            Station.served_villages.through.objects.order_by("station__code").values_list("station__code", "division")
        ),
        StationStatusChange.objects.count(),
    )


@pytest.fixture
def directory(make_station, station_host):
    """Four stations: a township station and two village points in 大柘镇, one village point in 妙高街道."""
    return [
        make_station(DAZHE, level=StationLevel.TOWNSHIP_STATION, name="大柘镇电商服务站", operator_phone="13800001111"),
        make_station(
            YONGAN,
            name="永安村电商服务点",
            host=station_host,
            operator_name="王立新",
            operator_phone="13912345678",
            address="永安村12号",
            is_central_funded=True,
        ),
        make_station(HUANGAN, name="黄垵村服务点", status=StationStatus.PLANNED, services_offered=[Service.EXPRESS]),
        make_station(DONGHONG, name="东红村服务点", is_demonstration=True),
    ]


# ---------------------------------------------------------------- export


def test_export_has_the_header_row_and_one_row_per_visible_station(client, county_office, township_officer, directory):
    rows = download(client, county_office)
    assert rows[0] == HEADER
    assert sorted(r[1] for r in rows[1:]) == sorted(s.name for s in directory)

    rows = download(client, township_officer)
    assert sorted(r[1] for r in rows[1:]) == ["大柘镇电商服务站", "永安村电商服务点", "黄垵村服务点"]


def test_export_writes_human_values(client, county_office, directory):
    rows = {r[1]: dict(zip(HEADER, r, strict=True)) for r in download(client, county_office)[1:]}
    point = rows["永安村电商服务点"]
    assert point["网点编号"] == directory[1].code
    assert (point["层级"], point["所在乡镇"], point["所在行政村"]) == ("村级服务点", "大柘镇", "永安村委会")
    assert point["是否贫困村"] == "否"
    assert point["服务项目"] == "代购、代销、代收代发快递、缴费充值"
    assert (point["中央资金支持"], point["示范站点"]) == ("是", "否")
    assert (point["状态"], point["开业日期"]) == ("运营中", "2021-03-01")
    township = rows["大柘镇电商服务站"]
    assert (township["层级"], township["所在乡镇"], township["所在行政村"]) == ("乡镇服务站", "大柘镇", "")
    assert (rows["黄垵村服务点"]["状态"], rows["黄垵村服务点"]["开业日期"]) == ("规划中", "")


def test_export_is_an_excel_file_named_after_the_county_with_a_bold_header(client, county_office, directory):
    client.force_login(county_office)
    response = client.get(EXPORT)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    assert "%E9%81%82%E6%98%8C%E5%8E%BF" in response["Content-Disposition"]  # 遂昌县, percent-encoded
    sheet = load_workbook(BytesIO(response.content)).active
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["B"].width >= 16  # 网点名称 fits "永安村电商服务点"


def test_phones_are_masked_for_the_township_officer_and_full_for_the_county_office(
    client, county_office, township_officer, directory
):
    phones = {r[1]: r[7] for r in download(client, county_office)[1:]}
    assert phones["永安村电商服务点"] == "13912345678"
    phones = {r[1]: r[7] for r in download(client, township_officer)[1:]}
    assert phones["永安村电商服务点"] == "139****5678"


def test_export_takes_the_same_number_of_queries_for_any_number_of_stations(client, county_office, make_station):
    make_station(YONGAN)
    client.force_login(county_office)
    with CaptureQueriesContext(connection) as one:
        client.get(EXPORT)
    for village in Division.objects.filter(parent_id=DAZHE).exclude(code=YONGAN)[:5]:
        make_station(village.code)
    with CaptureQueriesContext(connection) as six:
        client.get(EXPORT)
    assert len(six) == len(one)


# ---------------------------------------------------------------- import


def sheet_from_export(client, user) -> SimpleUploadedFile:
    response = client.get(EXPORT)
    return SimpleUploadedFile("服务站点名录.xlsx", response.content)


@pytest.mark.parametrize("who", ["county_office", "township_officer"])
def test_a_round_trip_changes_nothing(client, request, directory, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    before = snapshot()

    response = upload(client, user, sheet_from_export(client, user))
    preview = response.context["preview"]
    assert errors(response) == []
    assert {r.action for r in preview.rows} == {"无变化"}
    response = confirm(client)

    assert response.status_code == 302
    assert snapshot() == before


def test_a_good_sheet_creates_the_stations_with_their_services_and_served_village(client, county_office, program):
    sheet = xlsx(
        [
            row(
                网点名称="大柘镇电商服务站",
                层级="乡镇服务站",
                所在乡镇="大柘镇",
                服务项目="代收代发快递",
                状态="运营中",
            ),
            row(
                网点名称="永安村电商服务点",
                层级="村级服务点",
                所在乡镇="大柘镇",
                所在行政村="永安村",  # as people write it: 永安村委会
                联系人="王立新",
                电话="13912345678",
                服务项目="代购、代销、代收代发快递",
                中央资金支持="是",
                状态="运营中",
                开业日期="2023-05-01",
            ),
            row(
                网点编号="DZ-HA-01",
                网点名称="黄垵村服务点",
                层级="村级服务点",
                所在乡镇="大柘镇",
                所在行政村="黄垵村委会",
            ),
        ]
    )
    response = upload(client, county_office, sheet)
    preview = response.context["preview"]
    assert [(r.row, r.action, r.code) for r in preview.rows] == [
        (2, "新增", f"{DAZHE}-1"),
        (3, "新增", f"{YONGAN}-1"),
        (4, "新增", "DZ-HA-01"),
    ]
    assert not Station.objects.exists()

    response = confirm(client)

    assert response.status_code == 302
    point = Station.objects.get(code=f"{YONGAN}-1")
    assert (point.name, point.division_id, point.operator_phone, point.is_central_funded) == (
        "永安村电商服务点",
        YONGAN,
        "13912345678",
        True,
    )
    assert sorted(point.services.values_list("service", flat=True)) == ["express", "purchase", "sale"]
    assert list(point.served_villages.values_list("code", flat=True)) == [YONGAN]
    assert (point.status, point.opened_on, point.status_since) == (
        StationStatus.OPERATING,
        date(2023, 5, 1),
        date(2023, 5, 1),
    )
    assert Station.objects.get(code="DZ-HA-01").status == StationStatus.PLANNED
    assert Station.objects.get(code=f"{DAZHE}-1").level == StationLevel.TOWNSHIP_STATION


def test_a_sheet_with_bad_rows_names_each_row_and_column_and_writes_nothing(client, county_office, directory):
    before = snapshot()
    sheet = xlsx(
        [
            row(网点名称="放错地方的服务点", 层级="村级服务点", 所在乡镇="大柘镇"),
            # 宁强 annex: one central-funded point per administrative village; 永安村 has one already
            row(
                网点名称="永安村第二服务点",
                层级="村级服务点",
                所在乡镇="大柘镇",
                所在行政村="永安村委会",
                中央资金支持="是",
            ),
            row(
                网点名称="北山村服务点",
                层级="村级服务点",
                所在乡镇="大柘镇",
                所在行政村="北山村委会",
                服务项目="代购、瞬移",
            ),
            row(网点名称="外县服务点", 层级="村级服务点", 所在乡镇="城关镇", 所在行政村="城关村"),
            row(网点名称="好的服务点", 层级="村级服务点", 所在乡镇="大柘镇", 所在行政村="后垄村委会", 开业日期="五月"),
        ]
    )
    response = upload(client, county_office, sheet)

    assert response.context["preview"] is None
    assert errors(response) == [
        "第2行 所在乡镇：村级服务点必须设在村，“大柘镇”是乡镇级",
        f"第3行 中央资金支持：永安村委会已有中央资金支持的服务点“永安村电商服务点”（{directory[1].code}），"
        "每个行政村只能有一个",
        "第4行 服务项目：未知的服务项目“瞬移”",
        "第5行 所在乡镇：遂昌县没有名为“城关镇”的乡镇（街道）",
        "第6行 开业日期：“五月”不是日期，应为YYYY-MM-DD",
    ]
    assert "没有写入任何数据" in response.content.decode()
    assert snapshot() == before
    # nothing to confirm: the bad sheet was not kept
    assert confirm(client).status_code == 302
    assert snapshot() == before


def test_two_central_funded_points_for_one_village_in_the_same_sheet_are_refused(client, county_office, program):
    point = {"层级": "村级服务点", "所在乡镇": "大柘镇", "所在行政村": "黄垵村委会", "中央资金支持": "是"}
    response = upload(client, county_office, xlsx([row(网点名称="甲", **point), row(网点名称="乙", **point)]))
    assert [e.split("：")[0] for e in errors(response)] == ["第3行 中央资金支持"]
    assert not Station.objects.exists()


def test_the_dry_run_writes_nothing(client, county_office, directory):
    before = snapshot()
    sheet = xlsx(
        [
            row(网点名称="北山村服务点", 层级="村级服务点", 所在乡镇="大柘镇", 所在行政村="北山村委会", 状态="运营中"),
            row(
                网点编号=directory[2].code,
                网点名称="黄垵村服务点",
                层级="村级服务点",
                所在乡镇="大柘镇",
                所在行政村="黄垵村委会",
                服务项目="代收代发快递",
                状态="运营中",
                开业日期="2024-01-02",
            ),
        ]
    )
    response = upload(client, county_office, sheet)

    preview = response.context["preview"]
    assert [(r.action, r.changes) for r in preview.rows] == [("新增", []), ("更新", ["状态", "开业日期"])]
    assert "确认导入" in response.content.decode()
    assert snapshot() == before


def test_a_sheet_that_became_bad_after_its_preview_writes_nothing(client, county_office, make_station, program):
    point = {"层级": "村级服务点", "所在乡镇": "大柘镇", "所在行政村": "北山村委会", "中央资金支持": "是"}
    sheet = xlsx(
        [row(网点名称="大柘镇服务站", 层级="乡镇服务站", 所在乡镇="大柘镇"), row(网点名称="北山村服务点", **point)]
    )
    assert upload(client, county_office, sheet).context["preview"].created == 2
    make_station("331123105215", is_central_funded=True, name="别人先登记的服务点")
    before = snapshot()

    response = confirm(client)

    assert errors(response)[0].startswith("第3行 中央资金支持：北山村委会已有中央资金支持的服务点“别人先登记的服务点”")
    assert snapshot() == before


def test_an_update_matched_by_code_changes_the_station_and_its_status(client, county_office, directory):
    station = directory[2]  # 黄垵村服务点, 规划中
    sheet = xlsx(
        [
            row(
                网点编号=station.code,
                网点名称="黄垵村电商服务点",
                层级="村级服务点",
                所在乡镇="大柘镇",
                所在行政村="黄垵村委会",
                服务项目="代收代发快递、缴费充值",
                状态="运营中",
                开业日期="2024-01-02",
            )
        ]
    )
    upload(client, county_office, sheet)
    confirm(client)

    station.refresh_from_db()
    assert (station.name, station.status, station.opened_on) == (
        "黄垵村电商服务点",
        StationStatus.OPERATING,
        date(2024, 1, 2),
    )
    assert sorted(station.services.values_list("service", flat=True)) == ["express", "payment"]
    assert station.status_changes.last().effective_on == date(2024, 1, 2)
    assert Station.objects.count() == len(directory)


def test_a_utf8_csv_with_a_bom_is_read(client, county_office, program):
    lines = [
        ",".join(COLUMNS),
        ",".join(row(网点名称="北山村服务点", 层级="村级服务点", 所在乡镇="大柘镇", 所在行政村="北山村委会")),
    ]
    csv = SimpleUploadedFile("名录.csv", ("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    response = upload(client, county_office, csv)
    assert [r.name for r in response.context["preview"].rows] == ["北山村服务点"]
    confirm(client)
    assert Station.objects.get().division_id == "331123105215"


def test_a_file_that_is_not_the_directory_is_refused(client, county_office, program):
    response = upload(client, county_office, xlsx([["x", "y"]], header=["名称", "地址"]))
    assert errors(response)[0] == "第1行 网点编号：表头缺少该列"
    response = upload(client, county_office, SimpleUploadedFile("名录.csv", ",".join(COLUMNS).encode("gbk")))
    assert errors(response) == ["CSV 文件须为 UTF-8 编码（Excel 中“另存为 CSV UTF-8”）"]
    response = upload(client, county_office, SimpleUploadedFile("名录.xls", b"old excel"))
    assert errors(response) == ["只能导入 .xlsx 或 .csv 文件"]
    response = upload(client, county_office, SimpleUploadedFile("名录.xlsx", b"not a zip"))
    assert errors(response) == ["无法读取该文件，请上传从本平台导出的名录格式"]


def test_a_masked_phone_keeps_the_stored_number_but_cannot_make_a_new_one(client, township_officer, directory):
    point = directory[1]
    cells = {"层级": "村级服务点", "所在乡镇": "大柘镇", "所在行政村": "永安村委会", "服务项目": "代购"}
    sheet = xlsx(
        [
            row(网点编号=point.code, 网点名称="永安村服务点（改名）", 电话="139****5678", 中央资金支持="是", **cells),
            row(网点名称="新服务点", 电话="139****0000", **cells),
        ]
    )
    response = upload(client, township_officer, sheet)
    assert errors(response) == ["第3行 电话：号码中间几位已隐去，请填写完整号码"]


def test_a_station_operator_may_not_import(client, station_operator, directory):
    client.force_login(station_operator)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": xlsx([])}).status_code == 403
    assert client.post(IMPORT, {"confirm": "1"}).status_code == 403
    # the export shows them their own station only
    assert [r[1] for r in download(client, station_operator)[1:]] == ["永安村电商服务点"]


def test_rows_outside_a_township_officers_township_are_refused(client, township_officer, directory):
    before = snapshot()
    other = directory[3]  # 东红村服务点 in 妙高街道
    cells = {"层级": "村级服务点", "所在乡镇": "妙高街道", "所在行政村": "东红村委会"}
    sheet = xlsx([row(网点编号=other.code, 网点名称="改名", **cells), row(网点名称="妙高新服务点", **cells)])

    response = upload(client, township_officer, sheet)

    assert errors(response) == [
        "第2行 所在行政村：所选区划不在您的管辖范围内",
        "第3行 所在行政村：所选区划不在您的管辖范围内",
    ]
    assert snapshot() == before


def test_the_import_page_shows_the_form(client, township_officer):
    client.force_login(township_officer)
    response = client.get(IMPORT)
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


def test_a_csv_with_a_nul_is_a_row_error_and_writes_nothing(client, county_office, directory):
    before = snapshot()
    lines = [
        ",".join(COLUMNS),
        ",".join(row(网点名称="北山\x00村服务点", 层级="村级服务点", 所在乡镇="大柘镇", 所在行政村="北山村委会")),
        ",".join(row(网点编号="NUL\x00", 网点名称="南山村服务点", 层级="村级服务点", 所在乡镇="大柘镇")),
    ]
    response = upload(client, county_office, SimpleUploadedFile("名录.csv", "\r\n".join(lines).encode()))
    assert response.status_code == 200
    assert errors(response) == ["第2行 网点名称：不能包含NUL字符", "第3行 网点编号：不能包含NUL字符"]
    assert snapshot() == before


def test_a_code_in_use_outside_the_importers_scope_reads_only_as_in_use(client, township_officer, directory):
    out_of_scope = directory[3].code  # 妙高街道's point, which the 大柘镇 officer cannot see
    sheet = xlsx(
        [row(网点编号=out_of_scope, 网点名称="新服务点", 层级="村级服务点", 所在乡镇="大柘镇", 所在行政村="北山村委会")]
    )
    response = upload(client, township_officer, sheet)
    assert errors(response) == ["第2行 网点编号：站点编号已被使用"]  # the words a clash inside the scope gets
