"""How a request the product will not serve is answered: one sentence, as JSON in the API's shape
(`{"detail": ...}`) under /api/, as plain text to the wizard's upload script, as a short page elsewhere; and the
sentence for each of Django's own refusals of a request's form, naming the setting that raises the limit."""

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def refusal_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The answer to a refused request. The page stands alone (no session, user or static manifest), so it can be
    given before any other middleware ran, or while the database is down."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    page = render_to_string("refusal.html", {"status": status, "title": HTTPStatus(status).phrase, "message": message})
    return HttpResponse(page, status=status)


def megabytes(size: int) -> str:
    """A size as people read it: "10 MB", "2.5 MB"."""
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def request_refusal(exception: BaseException) -> tuple[int, str] | None:
    """The status and sentence for a request refused by a limit on its body or form; None for anything else.

    The product's own refusals (imports.http.request_limits) carry their status and sentence; Django's say only which
    setting they hit, so the sentence here says what the limit is.
    """
    if isinstance(exception, TooManyFieldsSent):
        return 400, (
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} form fields, the limit set by "
            "DATA_UPLOAD_MAX_NUMBER_FIELDS."
        )
    if isinstance(exception, TooManyFilesSent):
        return 400, (
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files, the limit set by "
            "DATA_UPLOAD_MAX_NUMBER_FILES."
        )
    status = getattr(exception, "status_code", None)
    if isinstance(status, int):
        return status, str(exception)
    if isinstance(exception, RequestDataTooBig):
        return 413, (
            f"The request's form fields other than files are over {megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}, "
            "the limit set by DATA_UPLOAD_MAX_MEMORY_SIZE."
        )
    return None
