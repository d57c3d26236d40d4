"""Masking of personal data (phones, ID numbers) for roles that do not need it."""

from ruralhub.core.roles import role_of


def sees_personal_data(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    role = role_of(user)
    return bool(role and role.sees_personal_data)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_id_number(number: str) -> str:
    """330823199001011234 → 330***********1234."""
    value = (number or "").strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def phone_for(user, phone: str) -> str:
    return phone if sees_personal_data(user) else mask_phone(phone)


def id_number_for(user, number: str) -> str:
    return number if sees_personal_data(user) else mask_id_number(number)


class MaskedPhoneFormMixin:
    """For edit forms: roles without access see the phone masked; sending the mask back keeps the number.

    Set ``masked_phone_fields = ["phone"]`` and pass ``user`` to the form.
    """

    masked_phone_fields: tuple[str, ...] = ()

    def mask_phones(self, user) -> None:
        self._phone_user = user
        if self.instance.pk and not sees_personal_data(user):
            for name in self.masked_phone_fields:
                self.initial[name] = mask_phone(getattr(self.instance, name))

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "_phone_user", None)
        for name in self.masked_phone_fields:
            stored = getattr(self.instance, name, "") if self.instance.pk else ""
            if stored and not sees_personal_data(user) and cleaned.get(name) == mask_phone(stored):
                cleaned[name] = stored
        return cleaned
