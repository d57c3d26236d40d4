"""The rules one value must follow, wherever it comes from: form, API, import, admin or demo.

Each rule is one validator (or one constant) with one message. Models attach the validators to their
fields and services call ``full_clean``, so every way in refuses the same value with the same words;
the field's name comes with the error (the form field, the API's ``loc``, the import's column).
"""

import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Mainland mobile (1[3-9] + 9 digits) or a landline with its area code (0 + 2–3 digits, 7–8 digits).
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")

# 中国境内 (GCJ-02): the box around the mainland, Hainan and the South China Sea islands.
LAT_MIN, LAT_MAX = Decimal("3.5"), Decimal("53.6")
LNG_MIN, LNG_MAX = Decimal("73.5"), Decimal("135.1")
# Division coordinates are centres of townships and villages; a station may stand beyond the outermost centre.
COUNTY_BOX_MARGIN = Decimal("0.1")  # degrees, about 10 km

# One tap on the operator's phone; a county sets lower caps and reminder values in its review rule.
MAX_COUNT = 10_000
MAX_VILLAGERS = 100_000
MAX_AMOUNT = Decimal("10000000")  # yuan
MAX_STAFF = 1_000
# Every reason a person types (status change, return of a report, review decision) holds this many characters.
REASON_MAX_LENGTH = 300

NUL_MESSAGE = _("不能包含NUL字符")


def validate_phone(value: str) -> None:
    if not (isinstance(value, str) and PHONE_RE.fullmatch(value)):
        raise ValidationError(
            _("电话号码“%(value)s”格式不正确：应为11位手机号（如13912345678）或带区号的固定电话（如0578-8123456）"),
            code="phone",
            params={"value": value},
        )


def _within(value, low: Decimal, high: Decimal) -> bool:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return number.is_finite() and low <= number <= high


def _shown(value) -> str:
    """999.000000 as "999": the number as the person typed it, not as the column stores it."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f") if number.is_finite() else str(value)


def validate_latitude(value) -> None:
    if value is not None and not _within(value, LAT_MIN, LAT_MAX):
        raise ValidationError(
            _("纬度%(value)s不在中国境内（应在%(min)s至%(max)s之间）"),
            code="latitude",
            params={"value": _shown(value), "min": LAT_MIN, "max": LAT_MAX},
        )


def validate_longitude(value) -> None:
    if value is not None and not _within(value, LNG_MIN, LNG_MAX):
        raise ValidationError(
            _("经度%(value)s不在中国境内（应在%(min)s至%(max)s之间）"),
            code="longitude",
            params={"value": _shown(value), "min": LNG_MIN, "max": LNG_MAX},
        )


def validate_not_future(value) -> None:
    """Dates of facts (opened, occurred, decided): a fact cannot have happened after today (Beijing date)."""
    today = timezone.localdate()
    if value is not None and value > today:
        raise ValidationError(
            _("日期%(value)s晚于今天（%(today)s）"), code="future", params={"value": value, "today": today}
        )


def validate_no_nul(value) -> None:
    """PostgreSQL cannot store NUL in text and SQLite would; refusing it here makes both answer alike."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(NUL_MESSAGE, code="nul")


COUNT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(MAX_COUNT)]
VILLAGERS_VALIDATORS = [MaxValueValidator(MAX_VILLAGERS)]
AMOUNT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AMOUNT)]
STAFF_VALIDATORS = [MaxValueValidator(MAX_STAFF)]


def coordinate_warning(division_code: str, lat, lng) -> str | None:
    """A warning (not an error) when the point lies outside the box around its county's division coordinates.

    None when the point is inside, when a coordinate is missing, or when the county has no coordinates.
    """
    if lat is None or lng is None or not division_code:
        return None
    if not (_within(lat, LAT_MIN, LAT_MAX) and _within(lng, LNG_MIN, LNG_MAX)):
        return None  # validate_latitude / validate_longitude refuse it; no second message
    # Looked up by name: core imports no app, and divisions are the regions app's records.
    division_model = apps.get_model("regions", "Division")
    county = division_model.objects.filter(code=division_code[:6]).first()
    if county is None:
        return None
    box = division_model.objects.within(county.code).aggregate(
        lat_min=Min("lat"), lat_max=Max("lat"), lng_min=Min("lng"), lng_max=Max("lng")
    )
    if box["lat_min"] is None or box["lng_min"] is None:
        return None
    lat, lng = Decimal(str(lat)), Decimal(str(lng))
    inside = (box["lat_min"] - COUNTY_BOX_MARGIN <= lat <= box["lat_max"] + COUNTY_BOX_MARGIN) and (
        box["lng_min"] - COUNTY_BOX_MARGIN <= lng <= box["lng_max"] + COUNTY_BOX_MARGIN
    )
    if inside:
        return None
    return str(
        _(
            "坐标（纬度%(lat)s，经度%(lng)s）不在%(county)s范围内（纬度%(lat_min)s–%(lat_max)s，经度%(lng_min)s–%(lng_max)s），请核对"
        )
        % {
            "lat": _shown(lat),
            "lng": _shown(lng),
            "county": county.name,
            "lat_min": box["lat_min"],
            "lat_max": box["lat_max"],
            "lng_min": box["lng_min"],
            "lng_max": box["lng_max"],
        }
    )
