from django.conf import settings
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
