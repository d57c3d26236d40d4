import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ruralhub.accounts.models import Organisation, User
from ruralhub.core.roles import Role
from ruralhub.demo import runner
from ruralhub.demo.models import DemoStep
from ruralhub.regions.models import Division

FOUNDATION = {"regions", "accounts", "programs"}


@pytest.mark.django_db
def test_the_demo_builds_one_user_per_role_with_the_roles_scope():
    runner.build("331123", only=FOUNDATION)
    users = {u.username: u for u in User.objects.select_related("division", "organisation")}
    assert {u.role for u in users.values()} == set(Role.values)
    assert users["county"].division_id == "331123"
    assert users["township"].division.name == "大柘镇"
    assert users["station"].organisation.kind == "station_host"
    assert users["station"].division.parent_id == "331123105"
    assert users["county"].check_password(runner.PASSWORD)


@pytest.mark.django_db
def test_running_the_demo_again_reuses_the_data():
    runner.build("331123", only=FOUNDATION)
    counts = (User.objects.count(), Organisation.objects.count(), Division.objects.count(), DemoStep.objects.count())
    runner.build("331123", only=FOUNDATION)
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Division.objects.count(),
        DemoStep.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_every_demo_organisation_has_a_valid_credit_code():
    runner.build("440229", only=FOUNDATION)
    for organisation in Organisation.objects.all():
        organisation.full_clean()


@pytest.mark.django_db
def test_wengyuan_demo_flags_the_plans_51_poverty_villages():
    runner.build("440229", only=FOUNDATION)
    assert Division.objects.within("440229").exclude(poverty_status="").count() == 51


@pytest.mark.django_db
def test_a_second_county_in_the_same_database_gets_its_own_logins():
    runner.build("331123", only=FOUNDATION)
    runner.build("610726", only=FOUNDATION)
    assert User.objects.get(username="county").division_id == "331123"
    assert User.objects.get(username="county-610726").division_id == "610726"


@pytest.mark.django_db
def test_the_demo_command_prepares_and_prints_the_logins(capsys):
    call_command("demo", "--no-serve", "--county", "遂昌", "--months", "1")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and runner.PASSWORD in out
    for username in ["county", "township", "station", "logistics", "producer", "trainer", "audit"]:
        assert f"  {username} " in out


@pytest.mark.django_db
def test_an_unknown_county_is_refused_with_the_five_available():
    with pytest.raises(CommandError, match="遂昌县.*") as err:
        call_command("demo", "--no-serve", "--county", "杭州")
    assert "依安县" in str(err.value) and "宁强县" in str(err.value)
