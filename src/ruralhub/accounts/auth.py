"""API authentication: bearer tokens for devices and integrators, or the signed-in session."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .models import ApiToken


def may_use_api(request, user) -> bool:
    """Active and not locked out by wrong passwords (django-axes): whoever guesses a password must not keep
    the account's other ways in."""
    return user.is_active and not AxesProxyHandler.is_locked(request, get_credentials(user.get_username()))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rh_…`` for devices and integrators."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if api_token is None or not may_use_api(request, api_token.user):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionAuth(NinjaSessionAuth):
    """The signed-in session, for the site's own pages; its CSRF check applies only when someone is signed in,
    so a request with a wrong token and no session is a 401, not a CSRF refusal."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and may_use_api(request, user) else None


AUTH = [TokenAuth(), SessionAuth()]
