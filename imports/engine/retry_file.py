"""The files a retry of an import's failed rows reads: the failed rows written back as a CSV, and the check of a
corrected error report brought back by its user.

The failed rows' file holds the first file's columns in their order and one line per failed row, rebuilt from the
job's error log entries (their `record_data`), streamed in row order: memory does not grow with the failed rows.
Each cell is written as the import read it: spaces around it dropped and a formula escape taken off, as every field
does, then escaped again against formula injection the way every CSV the product writes is. So the retry reads
every value exactly as the first import did, and no cell runs as a formula in a spreadsheet. Cells past the
header (a row longer than its header) are left out: no column names them, so no field ever read them.
"""

import csv
from pathlib import Path

from imports.declare.errors import ImportFileError
from imports.declare.formulas import escape_formula, unescape_formula
from imports.declare.targets import ImportTarget
from imports.engine.readers import sniffing
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.table import REPORT_COLUMNS, Table
from imports.models import ImportExportJob, ImportExportLog

_PAGE = 2000


def failed_rows_logs(job: ImportExportJob):
    """The job's error log entries of failed rows, in row order."""
    return job.logs.filter(log_level=ImportExportLog.Level.ERROR, record_number__isnull=False)


def retry_cell(raw: str) -> str:
    """A cell the retry reads as the first import read `raw`, safe to open in a spreadsheet."""
    return escape_formula(unescape_formula(raw.strip()))


def retry_column(column: str) -> str:
    """A column's header in the retry's file (escaped like the error report's header, which it must match)."""
    return escape_formula(column)


def failed_rows_write(job: ImportExportJob, stream) -> int:
    """Write the job's failed rows as a CSV to a text stream: the file's header, then each failed row's cells, in
    row order (a row logged twice is written once). Returns how many rows it wrote.

    The log entries are read a page at a time by row number (the log's index on job and row), so memory holds one
    page whatever the number of failed rows, with or without server-side cursors."""
    columns = list(job.source_columns)
    writer = csv.writer(stream)
    writer.writerow([retry_column(column) for column in columns])
    entries = failed_rows_logs(job).order_by("record_number").values_list("record_number", "record_data")
    count, last, full = 0, None, True
    while full:
        page = list((entries if last is None else entries.filter(record_number__gt=last))[:_PAGE])
        full = len(page) == _PAGE
        for number, data in page:
            if number == last:
                continue
            last = number
            writer.writerow([retry_cell(_text(data.get(column))) for column in columns])
            count += 1
        del page  # before the next page is read, so memory holds one page, not two
    return count


def _text(value) -> str:
    return "" if value is None else str(value)


def corrected_file_columns(path: Path, target: ImportTarget, *, sheet: str | None = None) -> list[str]:
    """The columns of a corrected error report (or any file brought to a retry), checked the way the import
    wizard checks an upload: a file the import reads (by content), a header with at least one data row under it,
    and for a CSV or JSON file every row within the read limits. Raises ImportFileError with one sentence."""
    with Table(path, sheet=sheet, header_score=target.header_score, streamed=True) as table:
        if next(iter(table.rows()), None) is None:
            raise ImportFileError("The file has a header row but no data rows.")
        if table.format in (sniffing.CSV, sniffing.JSON):
            ReadLimits.from_settings().check_rows(table.count_rows())
        return list(table.columns)


def report_columns_ignored(columns: list[str], source_columns: list[str]) -> dict[str, None]:
    """The error report's own columns (`row_number`, `error_message`, `sheet_row`) the file still has where the
    reader does not drop them (moved, or one of them deleted), mapped to nothing, unless the first file had a column
    of that name."""
    own = {name.casefold() for name in source_columns}
    return {
        column: None
        for column in columns
        if column.strip().casefold() in REPORT_COLUMNS and column.casefold() not in own
    }
