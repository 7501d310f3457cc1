"""Django's own error answers (config.urls names these as handler400, handler403, handler404, handler500 and the
CSRF failure view): JSON in the API's shape under /api/, a short page elsewhere. An integrator never gets HTML,
and nobody gets a traceback."""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from imports.http.refusals import is_api, refusal_response, request_refusal


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """A request Django refused while reading it: a limit on its body or form (with its own status and sentence),
    a malformed body, or a suspicious operation."""
    if isinstance(exception, DisallowedHost):
        return refusal_response(request, 400, "This server does not answer for the host this request names; "
                                              "ALLOWED_HOSTS lists the hosts it serves.")
    known = request_refusal(exception) if exception is not None else None
    if known is not None:
        return refusal_response(request, *known)
    return refusal_response(request, 400, "The request could not be read: check its format and send it again.")


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return refusal_response(request, 403, "You do not have permission to do this.")


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if is_api(request):
        return refusal_response(request, 404, "Not found: no API resource at this address.")
    return refusal_response(request, 404, "There is no page at this address.")


def server_error(request: HttpRequest) -> HttpResponse:
    return refusal_response(
        request, 500, "Something went wrong on our side; the error has been logged. Try again in a moment."
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an expired page, cookies blocked)."""
    return refusal_response(
        request, 403, "The form's security check failed: reload the page, with cookies allowed, and send it again."
    )
