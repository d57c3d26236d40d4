"""Shared test fixtures: the 遂昌 division tree and a fixed cast of users, one per role.

The cast (all in 遂昌 331123):
  county_office    县电商办, the whole county
  township_officer 大柘镇 (331123105)
  other_township   妙高街道 (331123001), to prove the 大柘镇 officer cannot see it
  station_operator the 大柘镇 station host organisation, in its first 村委会
  producer         a co-operative in 大柘镇
  finance_audit    the whole county, read-mostly
  other_county_office  翁源's county office (440229): every county permission, on none of 遂昌's records
"""

import pytest

from ruralhub.accounts.credit_code import check_character
from ruralhub.accounts.models import Organisation
from ruralhub.accounts.services import create_user
from ruralhub.core.roles import Role
from ruralhub.regions.models import Division
from ruralhub.regions.services import load_divisions

SUICHANG = "331123"
DAZHE = "331123105"  # 大柘镇
MIAOGAO = "331123001"  # 妙高街道
WENGYUAN = "440229"  # 翁源县
PASSWORD = "correct-horse-battery"

_serial = iter(range(10**6))


def make_credit_code(authority: str = "9", county: str = SUICHANG) -> str:
    body = f"{authority}1{county}{next(_serial):09d}"
    return body + check_character(body)


def make_organisation(division: Division, kind: str = "enterprise", name: str | None = None, **extra) -> Organisation:
    return Organisation.objects.create(
        name=name or f"测试单位{next(_serial)}", kind=kind, credit_code=make_credit_code(), division=division, **extra
    )


def make_user(username: str, role: str, division: Division | None = None, organisation=None, **extra):
    return create_user(username, PASSWORD, role, division=division, organisation=organisation, **extra)


@pytest.fixture
def suichang(db) -> Division:
    return load_divisions(SUICHANG).county


@pytest.fixture
def dazhe(suichang) -> Division:
    return Division.objects.get(code=DAZHE)


@pytest.fixture
def dazhe_village(dazhe) -> Division:
    return Division.objects.filter(parent=dazhe).administrative_villages().order_by("code").first()


@pytest.fixture
def county_office(suichang):
    return make_user("county", Role.COUNTY_OFFICE, division=suichang, phone="13912345678", is_staff=True)


@pytest.fixture
def township_officer(dazhe):
    return make_user("township", Role.TOWNSHIP_OFFICER, division=dazhe)


@pytest.fixture
def other_township_officer(suichang):
    return make_user("miaogao", Role.TOWNSHIP_OFFICER, division=Division.objects.get(code=MIAOGAO))


@pytest.fixture
def station_host(dazhe_village):
    return make_organisation(dazhe_village, kind="station_host", name="大柘便民超市", phone="15888812345")


@pytest.fixture
def station_operator(station_host, dazhe_village):
    return make_user("station", Role.STATION_OPERATOR, division=dazhe_village, organisation=station_host)


@pytest.fixture
def producer(dazhe, suichang):
    coop = make_organisation(dazhe, kind="cooperative", name="大柘茶叶专业合作社")
    return make_user("producer", Role.PRODUCER, division=suichang, organisation=coop)


@pytest.fixture
def other_county_office(db):
    return make_user("wengyuan", Role.COUNTY_OFFICE, division=load_divisions(WENGYUAN).county)


@pytest.fixture
def finance_audit(suichang):
    return make_user("audit", Role.FINANCE_AUDIT, division=suichang)


@pytest.fixture(autouse=True)
def _fresh_figures():
    """Each test's database starts with no generation numbers, so cached figures must not outlive a test."""
    from django.core.cache import caches

    from ruralhub.core.cache import CACHE

    caches[CACHE].clear()
    yield
    caches[CACHE].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests that create many users use a fast hasher instead."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
