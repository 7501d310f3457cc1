"""The API's refusals: an HTTP status and one sentence in `detail`, the shape DRF gives every error (401 included),
so an integrator reads every failure the same way."""

from rest_framework import status
from rest_framework.exceptions import APIException


class BadImportRequest(APIException):
    """The request is missing something or names something that does not exist (a target, an option value)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request cannot start an import."
    default_code = "bad_request"


class FileTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The file is over the size limit."
    default_code = "file_too_large"


class UnsupportedFileType(APIException):
    """The upload is not a file the importer reads (judged by its content), or the request is not multipart."""

    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_detail = "Upload a CSV, Excel (.xlsx, .xls) or JSON file."
    default_code = "unsupported_file_type"


class NotFoundHere(APIException):
    """Nothing of that id in the requesting company: another company's job looks exactly like one that never was."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found."
    default_code = "not_found"


class ErrorReportNotReady(APIException):
    """The job is still going: its error report is written once, when it ends."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The job is still processing; its error report is written when it ends."
    default_code = "report_not_ready"


class ErrorReportDeleted(APIException):
    """The job had failed rows, but its report was deleted with its files after the retention period."""

    status_code = status.HTTP_410_GONE
    default_detail = "The error report has been deleted."
    default_code = "report_deleted"


class IdempotencyKeyReused(APIException):
    """The Idempotency-Key names a job of another target: a key stands for one upload."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This Idempotency-Key was used for another import."
    default_code = "idempotency_key_reused"


class LookupRequestRefused(APIException):
    """A look-up request its service refused (imports.jobs.lookup_services.LookupRefused), answered with the status
    the refusal names: 400 a bad file, 409 not now, 410 its data deleted, 413 too large, 415 not a CSV."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The look-up cannot do that now."
    default_code = "lookup_refused"

    def __init__(self, detail: str, status_code: int):
        super().__init__(detail)
        self.status_code = status_code


class ExportRequestRefused(APIException):
    """An export request the export services refused (imports.jobs.export_services.ExportRefused), answered with
    the status the refusal names (400 a bad request, 409 not now, 410 its file deleted). A bad request also names
    the part of it at fault in `part`: target, columns, filters, format, import_compatible or template."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The export cannot be done as asked."
    default_code = "export_refused"

    def __init__(self, detail: str, status_code: int = status.HTTP_400_BAD_REQUEST, part: str | None = None):
        super().__init__(detail)
        self.status_code = status_code
        if status_code == status.HTTP_400_BAD_REQUEST:
            self.detail = {"detail": self.detail, "part": part}


class ImportActionRefused(APIException):
    """An action on an import job (continue, retry its failed rows, undo) that its state refuses: the job services'
    sentence says why (still running, a dry run, undone already, ...)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The import job cannot do that now."
    default_code = "import_action_refused"
