"""Limits on a request's body, enforced before and while it is read, so that no request costs more disk, memory or
web-thread time than an upload is allowed.

- The whole body: at most the largest file an upload may carry (UPLOAD_MAX_FILE_MB) plus what the form's other
  fields may take (DATA_UPLOAD_MAX_MEMORY_SIZE) and the multipart framing. A request that declares more is refused
  (413) before a byte of its body is read; one that does not declare its length is counted as it arrives.
- Its pace: a body that pauses longer than REQUEST_BODY_IDLE_SECONDS, or takes longer than REQUEST_BODY_SECONDS in
  all, is refused (408), so a slow client holds a web thread for a bounded time. The pause is bounded by a timeout
  on the client's socket, which gunicorn hands to the application as `gunicorn.socket`.
- Each file: streamed to a temporary file and refused as soon as it passes UPLOAD_MAX_FILE_MB (each kind of upload
  then checks its own limit: IMPORT_MAX_FILE_MB, CLAIMS_MAX_FILE_MB).
"""

import contextlib
import time

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest

from imports.http.refusals import megabytes, refusal_response

# Part headers and boundaries of a multipart body, beside the file and the fields.
MULTIPART_FRAMING = 64 * 1024


def request_body_cap() -> int:
    """The most bytes a request body may have: a file at the limit, the form's other fields, the framing."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return settings.UPLOAD_MAX_FILE_MB * 1024 * 1024 + fields + MULTIPART_FRAMING


def _cap_sentence(received: str) -> str:
    return (
        f"The request {received}; an upload may be at most {megabytes(request_body_cap())}: a file within "
        f"UPLOAD_MAX_FILE_MB ({settings.UPLOAD_MAX_FILE_MB} MB) and the form's other fields within "
        f"DATA_UPLOAD_MAX_MEMORY_SIZE."
    )


class RequestBodyTooLarge(RequestDataTooBig):
    """The body is over request_body_cap(). Django answers a SuspiciousOperation with 400; the product's handlers
    read `status_code` and answer 413."""

    status_code = 413


class UploadTooLarge(RequestDataTooBig):
    """A file of the form passed UPLOAD_MAX_FILE_MB while it arrived."""

    status_code = 413


class RequestBodyTooSlow(BadRequest):
    """The body paused too long, or took too long in all."""

    status_code = 408


class BoundedBody:
    """The request's body stream, refusing the request once more than `cap` bytes have come, or once the client
    pauses or dawdles past the limits. Whoever reads the body (Django's form parsing, DRF) reads through this."""

    def __init__(self, stream, *, cap: int, sock=None):
        self.stream, self.cap, self.sock = stream, cap, sock
        self.received = 0
        self.idle = settings.REQUEST_BODY_IDLE_SECONDS
        self.deadline = time.monotonic() + settings.REQUEST_BODY_SECONDS
        self.prior_timeout = sock.gettimeout() if sock is not None else None

    def __getattr__(self, name):
        return getattr(self.stream, name)  # close() and the rest, as the stream has them

    def read(self, *args):
        return self._counted(self.stream.read, *args)

    def readline(self, *args):
        return self._counted(self.stream.readline, *args)

    def release(self) -> None:
        """Give the socket back as it was, for the next request on the connection."""
        if self.sock is not None:
            with contextlib.suppress(OSError):  # the client has gone; the server closes the connection
                self.sock.settimeout(self.prior_timeout)

    def _counted(self, reader, *args) -> bytes:
        self._arm()
        try:
            data = reader(*args)
        except TimeoutError:
            raise self._too_slow() from None
        self.received += len(data)
        if self.received > self.cap:
            raise RequestBodyTooLarge(_cap_sentence(f"body passed {megabytes(self.cap)} as it arrived"))
        return data

    def _arm(self) -> None:
        """Bound the next read by the pause allowed and the time left."""
        if self.sock is None:
            return
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._too_slow()
        self.sock.settimeout(min(self.idle, remaining))

    def _too_slow(self) -> RequestBodyTooSlow:
        if time.monotonic() >= self.deadline:
            return RequestBodyTooSlow(
                f"The request's body took more than {settings.REQUEST_BODY_SECONDS} seconds to arrive, the limit "
                "set by REQUEST_BODY_SECONDS; send it again over a faster connection."
            )
        return RequestBodyTooSlow(
            f"The request's body paused for more than {settings.REQUEST_BODY_IDLE_SECONDS} seconds, the limit set "
            "by REQUEST_BODY_IDLE_SECONDS; send it again."
        )


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class RequestBodyLimitMiddleware:
    """First in MIDDLEWARE: refuses a body declared over the cap without reading it, and bounds every other body
    as it is read (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        cap = request_body_cap()
        declared = _declared_length(request)
        if declared is not None and declared > cap:
            return refusal_response(request, 413, _cap_sentence(f"is {megabytes(declared)}"))
        # Django keeps the body's stream in `_stream` (HttpRequest.read and the form parsers read from it).
        body = BoundedBody(request._stream, cap=cap, sock=request.META.get("gunicorn.socket"))
        request._stream = body
        try:
            return self.get_response(request)
        finally:
            body.release()


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams each uploaded file to a temporary file and stops at UPLOAD_MAX_FILE_MB, so an oversized file costs
    at most the limit on disk, and its temporary file is removed at once."""

    def receive_data_chunk(self, raw_data, start):
        limit = settings.UPLOAD_MAX_FILE_MB
        if start + len(raw_data) > limit * 1024 * 1024:
            self.file.close()  # a temporary file is deleted when it is closed
            raise UploadTooLarge(f"The file is larger than {limit} MB, the limit set by UPLOAD_MAX_FILE_MB.")
        return super().receive_data_chunk(raw_data, start)
