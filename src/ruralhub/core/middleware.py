from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese for everyone unless the user picked another language with the switch in the footer.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    phone in a village station would get a half-translated page; here the choice is explicit.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """A NUL character in the path or query string is never meaningful; PostgreSQL refuses it with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.path + request.META.get("QUERY_STRING", "")
        if "\x00" in raw or "%00" in raw or any("\x00" in v for values in request.GET.lists() for v in values[1]):
            return HttpResponseBadRequest("请求中含有无效字符（NUL）")
        return self.get_response(request)
