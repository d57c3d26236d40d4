import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ruralhub.accounts.models import ApiToken
from ruralhub.programs.models import Program, Target
from ruralhub.regions.models import Division


@pytest.mark.django_db
def test_load_county_by_name_then_by_code_changes_nothing_the_second_time(capsys):
    call_command("load_county", "遂昌")
    first = capsys.readouterr().out
    targets = Target.objects.count()
    call_command("load_county", "331123")
    second = capsys.readouterr().out
    assert "区划新增 235" in first and "区划新增 0，更新 0，未变 235" in second
    assert Program.objects.count() == 1 and Target.objects.count() == targets


@pytest.mark.django_db
def test_load_county_refuses_an_unknown_county_and_lists_the_five():
    with pytest.raises(CommandError) as err:
        call_command("load_county", "330000")
    assert "230223 依安县" in str(err.value) and "331123 遂昌县" in str(err.value)


@pytest.mark.django_db
def test_poverty_import_command_reports_rows_and_changes_nothing(tmp_path):
    call_command("load_county", "遂昌")
    sheet = tmp_path / "poverty.csv"
    sheet.write_text("代码,贫困村\n331123105211,省定\n999,省定\n", encoding="utf-8-sig")
    with pytest.raises(CommandError, match="第3行 代码"):
        call_command("import_poverty_villages", "遂昌", str(sheet))
    assert not Division.objects.exclude(poverty_status="").exists()
    sheet.write_text("代码,贫困村\n331123105211,省定\n", encoding="utf-8")
    call_command("import_poverty_villages", "遂昌", str(sheet))
    assert Division.objects.get(code="331123105211").poverty_status == "provincial"


def test_create_token_prints_a_key_that_authenticates(county_office, client, capsys):
    call_command("create_token", "county", "--name", "大屏")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.get().name == "大屏"
    assert client.get("/api/organisations", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_token", "nobody")
