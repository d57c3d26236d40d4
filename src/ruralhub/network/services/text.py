"""Free text the services store: the same NUL and length rules on SQLite and PostgreSQL."""

from django.core.exceptions import ValidationError


def checked_text(field: str, label: str, value, max_length: int, *, required: str = "") -> str:
    """``value`` stripped; ValidationError naming ``field`` if it holds a NUL, is too long, or is empty when required.

    PostgreSQL refuses NUL in text and enforces varchar lengths while SQLite stores both silently,
    so the services check them before either database sees the value.
    """
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: f"{label}不能包含NUL字符"})
    if len(text) > max_length:
        raise ValidationError({field: f"{label}不能超过{max_length}个字符（现有{len(text)}个）"})
    if required and not text:
        raise ValidationError({field: required})
    return text
