"""Request id, and the language rules: Indonesian first, English on request."""

import uuid
from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

_request_id: ContextVar[uuid.UUID | None] = ContextVar("jalin_request_id", default=None)


def current_request_id() -> uuid.UUID | None:
    return _request_id.get()


class RequestIdMiddleware:
    """Every request gets an id; the change log records it and responses echo it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = str(request.id)
        return response


class IndonesianFirstLocaleMiddleware:
    """Like Django's LocaleMiddleware, without consulting the browser's Accept-Language: Jalin speaks
    Indonesian until the user picks English with the switch (a cookie) or in their profile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response


class UserLanguageMiddleware:
    """A signed-in user who has not picked a language in this browser gets the one in their profile.

    Runs after authentication. The language switch (Django's ``set_language``) sets a cookie, which
    then wins over the profile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language != request.LANGUAGE_CODE
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
