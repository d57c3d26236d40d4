"""API authentication: bearer tokens for devices and integrators, or the signed-in session."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rh_…`` for devices and integrators."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]
