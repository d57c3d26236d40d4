"""The API's shared pieces: authentication and the error shape every router uses."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Schema
from ninja.security import HttpBearer, django_auth
from pydantic import field_validator


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rh_…`` for devices and integrators."""

    def authenticate(self, request, token):
        from ruralhub.accounts.models import ApiToken

        api_token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]


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
