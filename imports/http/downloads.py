"""Files the product hands back, answered the same way by the wizard's pages and the API."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def error_report_download(report: FieldFile) -> FileResponse:
    """A job's error report (UTF-8 CSV with a byte-order mark) as an attachment under its stored name. Each face
    decides first whether there is one to give, and says why not in its own way."""
    return FileResponse(
        report.open("rb"), as_attachment=True, filename=report.name.rsplit("/")[-1],
        content_type="text/csv; charset=utf-8",
    )
