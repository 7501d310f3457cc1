"""The upload of an API import, checked before any job exists: a multipart request, a `file` part that is not
empty and within IMPORT_MAX_FILE_MB, and content that is one of the formats the importer reads.

The format is judged by content, never by name or declared type, the way the wizard judges it
(imports.engine.readers.sniffing); a delimited text file must also be text in an encoding the reader recognises.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request

from imports.api.errors import BadImportRequest, FileTooLarge, UnsupportedFileType
from imports.declare.errors import ImportFileError
from imports.engine.readers import sniffing
from imports.engine.readers.delimited import detect_encoding
from imports.engine.readers.limits import file_size_refusal
from imports.engine.readers.table import Table


def upload_form(request: Request):
    """The request's form fields and files; a request that is not multipart/form-data cannot carry a file."""
    try:
        return request.data
    except UnsupportedMediaType:
        raise UnsupportedFileType(
            f"Send the upload as multipart/form-data with the file in the part `file`; this request is "
            f"{request.content_type or 'without a content type'}."
        ) from None


def form_text(request: Request, name: str, *, limit: int = 64 * 1024) -> str | None:
    """A form field's text, whether sent as a plain part or as a small file part (`curl -F options=@options.json`)."""
    value = upload_form(request).get(name)
    if isinstance(value, UploadedFile):
        if value.size > limit:
            raise BadImportRequest(f"The part `{name}` is {value.size:,} bytes long; it may have at most {limit:,}.")
        try:
            return value.read(limit).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadImportRequest(f"The part `{name}` is not UTF-8 text.") from None
    return value


def file_part(request: Request, *, formats: str = "a CSV, Excel or JSON file") -> UploadedFile:
    """The request's multipart part `file`, not yet checked; `formats` says in the refusal what it may be."""
    upload_form(request)
    file = request.FILES.get("file")
    if file is None:
        raise BadImportRequest(f"No file: send it as the multipart/form-data part `file` ({formats}).")
    return file


def uploaded_file(request: Request) -> UploadedFile:
    """The request's `file` part once it passes every check; each refusal says what to send instead."""
    file = file_part(request)
    if not file.size:
        raise BadImportRequest("The file is empty.")
    if refusal := file_size_refusal(file.size):
        raise FileTooLarge(refusal)
    try:
        with _on_disk(file) as path:
            if sniffing.detect_format(path) == sniffing.CSV:
                detect_encoding(path)
    except ImportFileError as error:
        raise UnsupportedFileType(str(error)) from None
    return file


@contextmanager
def _on_disk(file: UploadedFile) -> Iterator[Path]:
    """A path to the upload's bytes: Django's temporary file for a large upload, else a copy of the small one
    kept in memory (the readers' checks open files by path)."""
    if hasattr(file, "temporary_file_path"):
        yield Path(file.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(prefix="api-upload-") as copy:
        for chunk in file.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


IDEMPOTENCY_KEY_LENGTH = 255


def idempotency_key(request: Request) -> str:
    """The request's Idempotency-Key header ("" without one): up to 255 visible ASCII characters."""
    key = request.headers.get("Idempotency-Key", "")
    if key and (len(key) > IDEMPOTENCY_KEY_LENGTH or not all("!" <= character <= "~" for character in key)):
        raise BadImportRequest(
            f"The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_LENGTH} visible ASCII characters without "
            "spaces; a new UUID for each upload is a good key."
        )
    return key


def file_columns(file: UploadedFile, *, header_score) -> list[str]:
    """The columns of an uploaded file's header, found the way the job will find them (below title rows, in any
    encoding or format; a workbook's first sheet), reading only the first rows. ImportFileError for a file whose
    header cannot be read."""
    with _on_disk(file) as path, Table(path, header_score=header_score, streamed=True) as table:
        return table.columns
