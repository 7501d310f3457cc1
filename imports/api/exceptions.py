"""The API's exception handler: DRF's own (its errors, throttling's Retry-After, 401's WWW-Authenticate), and
besides it Django's refusals of a request's body or form, which DRF leaves to Django's HTML error pages: too many
fields or files, fields or a file over their limit, a body over the cap or too slow to arrive."""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from imports.http.refusals import request_refusal


def api_exception_handler(exception: Exception, context: dict) -> Response | None:
    response = exception_handler(exception, context)
    if response is not None:
        return response
    known = request_refusal(exception)
    if known is None:
        return None  # an error of the product's own: logged, and answered by handler500 (JSON on the API)
    status, message = known
    return Response({"detail": message}, status=status)
