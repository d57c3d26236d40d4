"""The API's shared pieces: the error shape and the input base every router uses."""

from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import field_validator


def validation_error_detail(exc: ValidationError) -> list[dict]:
    """Django's ValidationError as ninja's 422 shape: [{"loc": [...], "msg": ...}]."""
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field] if field != "__all__" else ["body"], "msg": message, "type": "value_error"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": message, "type": "value_error"} for message in exc.messages]


class InputSchema(Schema):
    """Base of every request body: text with a NUL character is refused here (PostgreSQL cannot store it)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("不能包含NUL字符")
        return value
