from django import template

from ruralhub.core import privacy

register = template.Library()


@register.filter
def phone_for(phone, user):
    """{{ org.phone|phone_for:request.user }} — the full number only for roles that need it."""
    return privacy.phone_for(user, phone)


@register.filter
def id_number_for(number, user):
    return privacy.id_number_for(user, number)


@register.filter
def item(mapping, key):
    """{{ labels|item:r.status }} — a label looked up in a dict built once, not a get_FOO_display() per row."""
    return mapping.get(key, key)
