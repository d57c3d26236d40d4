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
    """A NUL character in the path, the query string or a posted form field is never meaningful.

    PostgreSQL refuses it with a 500 while SQLite would store it, so it is a 400 here on both. Uploaded files
    are not read (a photo holds NUL bytes); JSON bodies are checked by the API's input schemas.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.path + request.META.get("QUERY_STRING", "")
        if "\x00" in raw or "%00" in raw or _has_nul(request.GET):
            return HttpResponseBadRequest("请求中含有无效字符（NUL）")
        if request.method == "POST" and request.content_type in FORM_TYPES and _has_nul(request.POST):
            return HttpResponseBadRequest("提交的表单中含有无效字符（NUL）")
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())
