from datetime import date

import pytest

from ruralhub.network import services
from ruralhub.network.choices import Service, StationLevel, StationStatus
from ruralhub.programs.services import load_program

ALL_SERVICES = [Service.PURCHASE, Service.SALE, Service.EXPRESS, Service.PAYMENT]
_codes = iter(range(1, 10**6))


@pytest.fixture
def program(suichang):
    return load_program("331123")


@pytest.fixture
def make_station(program, county_office):
    """make_station(division_code, level=…, status=…, opened=…, **fields) through the service, like a user would."""

    def make(
        division,
        level=StationLevel.VILLAGE_POINT,
        status=StationStatus.OPERATING,
        opened=date(2021, 3, 1),
        services_offered=ALL_SERVICES,
        served=None,
        actor=None,
        **fields,
    ):
        data = {
            "code": f"ST{next(_codes):05d}",
            "name": f"服务点{division}",
            "level": level,
            "division": division,
            "host_type": "convenience_store",
            "status_since": date(2020, 6, 1),
        }
        data.update(fields)
        station = services.save_station(actor or county_office, data, services=services_offered, served_villages=served)
        if status != StationStatus.PLANNED:
            services.change_status(county_office, station, StationStatus.OPERATING, opened, "开业")
            if status != StationStatus.OPERATING:
                services.change_status(county_office, station, status, opened, "测试")
        station.refresh_from_db()
        return station

    return make


@pytest.fixture
def operator_station(make_station, station_host, dazhe_village):
    """The station the cast's station operator runs, in the first 村委会 of 大柘镇."""
    return make_station(dazhe_village.code, host=station_host, name="永安村便民服务点")
