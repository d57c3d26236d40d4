"""The API's shared pieces: the error shape, the input bases every router uses, and the documented refusals."""

import re
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .validators import NUL_MESSAGE

NOT_FOUND = "未找到该对象，或它不在您的管辖范围内"
UNAUTHORIZED = "未登录，或令牌无效、已停用"
FORBIDDEN = "您没有执行该操作的权限"


def validation_error_detail(exc: ValidationError) -> list[dict]:
    """Django's ValidationError as the API's 422 shape: [{"loc": [...], "msg": ..., "type": ...}]."""
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field] if field != "__all__" else ["body"], "msg": message, "type": "value_error"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": message, "type": "value_error"} for message in exc.messages]


# Every operation names its request body `payload`.
BODY_PARAMETER = "payload"

# pydantic's error types in Chinese; the field is named by the error's "loc".
PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为true或false",
    "bool_parsing": "应为true或false",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_max_digits": "数字最多{max_digits}位",
    "decimal_max_places": "最多{decimal_places}位小数",
    "decimal_whole_digits": "整数部分最多{whole_digits}位",
    "date_type": "日期应为YYYY-MM-DD格式",
    "date_parsing": "日期应为YYYY-MM-DD格式",
    "date_from_datetime_parsing": "日期应为YYYY-MM-DD格式",
    "date_from_datetime_inexact": "日期应为YYYY-MM-DD格式",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "应大于或等于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "应小于或等于{le}",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "最多{max_length}个字符",
    "too_short": "至少{min_length}项",
    "too_long": "最多{max_length}项",
    "list_type": "应为列表",
    "dict_type": "应为JSON对象",
    "model_type": "应为JSON对象",
    "model_attributes_type": "应为JSON对象",
    "json_invalid": "不是有效的JSON",
}


def pydantic_error_detail(errors: list[dict]) -> list[dict]:
    """pydantic's errors in the API's 422 shape, with the reason in Chinese.

    The body parameter's name is left out of "loc" (["body", "payload", "phone"] → ["body", "phone"]), so an
    error from the schema and one from the service name a field the same way.
    """
    detail = []
    for error in errors:
        loc = list(error["loc"])
        if loc[:2] == ["body", BODY_PARAMETER]:
            del loc[1]
        template = PYDANTIC_MESSAGES.get(error["type"])
        message = error["msg"].removeprefix("Value error, ")
        if template:
            try:
                message = template.format(**error.get("ctx", {}))
            except (KeyError, IndexError):
                message = template.split("{")[0].rstrip("：") or message
        detail.append({"loc": loc, "msg": message, "type": error["type"]})
    return detail


class InputSchema(Schema):
    """Base of every request body: a JSON object, with no NUL character in its text (PostgreSQL cannot store it)."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value, handler):
        # ninja's Schema reads attributes off anything, so `42` or `[null]` would pass as an empty object.
        if not isinstance(value, (dict, cls)):
            raise PydanticCustomError("json_object", "应为JSON对象，收到的是{kind}", {"kind": _json_kind(value)})
        return handler(value)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("nul", str(NUL_MESSAGE))
        return value


def _without_null(schema: dict) -> None:
    # Documented as it is validated: a field may be left out, but not sent as null.
    for field in schema.get("properties", {}).values():
        choices = [choice for choice in field.get("anyOf", []) if choice != {"type": "null"}]
        if len(choices) == 1:
            del field["anyOf"]
            field.update(choices[0])
        field.pop("default", None)


class PatchSchema(InputSchema):
    """Base of a partial update: a field left out stays as it is; null is refused, since no field is emptied by it."""

    model_config = ConfigDict(json_schema_extra=_without_null)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise PydanticCustomError("null", "不能为null；不修改的字段请省略")
        return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, list):
        return "数组"
    return type(value).__name__


ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> date:
    # pydantic would read numbers (and strings like "-5.8e-112") as Unix timestamps; here a date is YYYY-MM-DD.
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_parsing", "日期应为YYYY-MM-DD格式")


# A date in a query string: YYYY-MM-DD, anything else is a 422 naming the parameter.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


@csrf_exempt  # like the API's own views: a POST to an unknown address is a 404, not a CSRF page
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any /api/ address no operation answers (an unknown path, a malformed id): JSON, like every API answer."""
    return JsonResponse({"detail": NOT_FOUND}, status=404)


MESSAGE_SCHEMA = {
    "title": "Message",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "原因"}},
    "required": ["detail"],
}
VALIDATION_ERRORS_SCHEMA = {
    "title": "ValidationErrors",
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        "title": "位置（body/query/path 与字段名）",
                    },
                    "msg": {"type": "string", "title": "原因"},
                    "type": {"type": "string", "title": "错误类型"},
                },
                "required": ["loc", "msg", "type"],
            },
        }
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    400: ("请求无法解析（JSON格式错误）或含有NUL字符", "Message"),
    401: (UNAUTHORIZED, "Message"),
    403: (FORBIDDEN + "（对象在您的管辖范围内）", "Message"),
    404: (NOT_FOUND, "Message"),
    422: ("输入有误：detail 逐项列出字段（loc）和原因（msg）", "ValidationErrors"),
}


def document_errors(schema: dict) -> dict:
    """Add the refusals every operation can answer, with their shapes, to an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Message", MESSAGE_SCHEMA)
    components.setdefault("ValidationErrors", VALIDATION_ERRORS_SCHEMA)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, (description, shape) in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}},
                    },
                )
    return schema
