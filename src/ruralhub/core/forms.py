"""What every app's form views share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """A service's ValidationError shown on the form: on the field it names (``renamed`` maps a service
    field to the form's), else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        field = (renamed or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)
