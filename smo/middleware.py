"""Dutch first: the interface is Dutch unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language header, which
would show many Dutch users (whose browsers are often set to English) an
English product. Here only an explicit choice through the language switch
(the language cookie) changes the language.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
