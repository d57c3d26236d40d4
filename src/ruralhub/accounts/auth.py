"""API authentication: bearer tokens for devices and integrators, or the signed-in session."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rh_…`` for devices and integrators.

    A token stops working when its user is deactivated or locked out by wrong passwords (django-axes):
    whoever is guessing the password must not keep the account's other way in.
    """

    def authenticate(self, request, token):
        api_token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        if AxesProxyHandler.is_locked(request, get_credentials(api_token.user.get_username())):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]
