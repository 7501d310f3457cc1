"""Error reports, rebuilt from a job's log entries so they always match what the database says happened.

The report is a CSV: `row_number,error_message,sheet_row,` then the file's own columns in their order, one line
per failed row, and one per row imported with a warning (its message starts "Warning: "), in row order.
`row_number` counts data rows, as the customer import guide's report does; `sheet_row` is the row as the user's
spreadsheet numbers it (title rows, the header and blank rows counted; empty for a JSON file). Every cell is
escaped against formula injection, and the file starts with a UTF-8 byte-order mark so Excel shows accents
correctly. Fixed in a spreadsheet, it imports as it is: the reader drops the first three columns (and rows
imported with a warning come out unchanged).
"""

import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.utils import timezone

from imports.declare.formulas import escape_formula
from imports.declare.targets import get_target
from imports.engine.readers.table import REPORT_COLUMNS
from imports.models import ImportExportJob, ImportExportLog

REPORT_HEADER = list(REPORT_COLUMNS)


_ROW_LEVELS = (ImportExportLog.Level.ERROR, ImportExportLog.Level.WARNING)
WARNING_PREFIX = "Warning: "


def row_logs(job: ImportExportJob) -> Iterator[ImportExportLog]:
    """The job's log entries of failed rows and of rows imported with a warning, in row order, streamed."""
    logs = job.logs.filter(log_level__in=_ROW_LEVELS, record_number__isnull=False)
    return logs.order_by("record_number").iterator(chunk_size=2000)


def report_needed(job: ImportExportJob) -> bool:
    """Whether the job has rows to report: failed ones, or ones imported with a warning."""
    if job.failed_records:
        return True
    return job.logs.filter(log_level=ImportExportLog.Level.WARNING, record_number__isnull=False).exists()


def _message(log: ImportExportLog) -> str:
    return log.message if log.log_level == ImportExportLog.Level.ERROR else WARNING_PREFIX + log.message


def _in_file_order(job: ImportExportJob, record_data: dict) -> dict:
    """A row's cells in the file's column order (PostgreSQL's jsonb does not keep the order of keys)."""
    ordered = {column: record_data.get(column, "") for column in job.source_columns}
    if "_extra" in record_data:
        ordered["_extra"] = record_data["_extra"]
    return ordered


def error_report_write(job: ImportExportJob, stream) -> int:
    """Write the error report of `job` to a text stream; return how many rows it holds."""
    writer = csv.writer(stream)
    writer.writerow([escape_formula(cell) for cell in [*REPORT_HEADER, *job.source_columns]])
    count = 0
    for log in row_logs(job):
        data = log.record_data
        sheet_row = log.sheet_row
        cells = [str(log.record_number), _message(log), "" if sheet_row is None else str(sheet_row)]
        cells += [data.get(column, "") for column in job.source_columns]
        cells += data.get("_extra", [])
        writer.writerow([escape_formula(cell) for cell in cells])
        count += 1
    return count


WITHHELD = "[withheld]"


def error_report_build(job: ImportExportJob) -> None:
    """Store the job's error report as `job.error_report`, in the file storage (MEDIA_ROOT or the object store)."""
    stem = Path(job.file_name or "import").stem or "import"
    with tempfile.TemporaryFile("w+b") as scratch:
        with open(scratch.fileno(), "w", encoding="utf-8-sig", newline="", closefd=False) as text:
            error_report_write(job, text)
        scratch.seek(0)
        job.error_report.save(f"{stem}_errors.csv", File(scratch), save=False)
    ImportExportJob.objects.filter(pk=job.pk).update(error_report=job.error_report.name)


def error_log_write(job: ImportExportJob, directory: Path) -> Path:
    """Write the command line's `import_errors_{model}_{timestamp}.log`: row (and sheet row), row data and message,
    for failed rows and rows imported with a warning. Cells of the target's sensitive fields (a patient's name, date
    of birth, subscriber id) are withheld: the log is the operators', unlike the error report, which goes to the
    company's users to fix their rows."""
    directory.mkdir(parents=True, exist_ok=True)
    sensitive = get_target(job.target_model).sensitive_fields
    withheld = {column for column, field in job.field_mapping.items() if field in sensitive}
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M%S")
    path = directory / f"import_errors_{job.target_model}_{stamp}.log"
    with open(path, "w", encoding="utf-8") as log_file:
        log_file.write(f"Import job {job.id}: {job.target_model} from {job.file_name}\n")
        for log in row_logs(job):
            cells = _in_file_order(job, log.record_data)
            cells.update((column, WITHHELD) for column in withheld & cells.keys() if cells[column])
            data = json.dumps(cells, ensure_ascii=False)
            log_file.write(f"{log.row_label.capitalize()}: {_message(log)} | data: {data}\n")
    return path
