"""Request id: every request gets one, the change log records it, responses echo it."""

import uuid
from contextvars import ContextVar

_request_id: ContextVar[uuid.UUID | None] = ContextVar("jalin_request_id", default=None)


def current_request_id() -> uuid.UUID | None:
    return _request_id.get()


class RequestIdMiddleware:
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
