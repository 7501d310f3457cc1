"""The failed rows' file of a retry: read back, every cell gives the value the first import read, no cell runs as a
formula, and memory stays flat however many rows failed."""

import io

import pytest

from imports.declare.fields import ImportField
from imports.declare.formulas import FORMULA_PREFIXES
from imports.engine import retry_file
from imports.engine.readers.table import Table
from imports.engine.retry_file import failed_rows_write, report_columns_ignored, retry_cell
from imports.models import ImportExportJob, ImportExportLog
from tests.memory import peak_bytes

pytestmark = pytest.mark.django_db

CELLS = [
    "plain", "", "  spaced  ", "=SUM(A1)", "+1+cmd|' /C calc'!A0", "@foo", "-5", "-12.50", "+12125550108",
    "+1 (401) 555-0105", "'=already escaped", "''=twice", "'apostrophe", "=x\nsecond line", "comma, quote \"",
    "é ü 漢字", " '=spaced escape",
]


def job_with_failures(columns: list[str], rows: list[dict], **extra) -> ImportExportJob:
    job = ImportExportJob.objects.create(
        job_type=ImportExportJob.JobType.IMPORT, target_model="Customer", source_columns=columns,
        failed_records=len(rows), job_status=ImportExportJob.Status.COMPLETED, **extra,
    )
    ImportExportLog.objects.bulk_create(
        ImportExportLog(job=job, record_number=number, log_level=ImportExportLog.Level.ERROR, message="bad",
                        record_data=data)
        for number, data in enumerate(rows, start=1)
    )
    return job


@pytest.mark.parametrize("raw", CELLS)
def test_a_cell_reads_back_as_the_first_import_read_it(raw):
    field = ImportField("notes")

    assert field.clean(retry_cell(raw)) == field.clean(raw)
    written = retry_cell(raw)
    assert not written.startswith(FORMULA_PREFIXES) or written in ("-5", "-12.50", "+12125550108",
                                                                     "+1 (401) 555-0105")


def test_the_file_reads_back_through_the_import_reader(company, tmp_path):
    columns = ["Name", "Notes", "Notes (2)", "=odd header"]
    rows = [{"Name": f"n{index}", "Notes": cell, "Notes (2)": cell, "=odd header": cell}
            for index, cell in enumerate(CELLS)]
    job = job_with_failures(columns, rows, company=company)
    path = tmp_path / "retry.csv"

    with open(path, "w", encoding="utf-8", newline="") as stream:
        assert failed_rows_write(job, stream) == len(CELLS)

    field = ImportField("notes")
    with Table(path) as table:
        assert table.columns == ["Name", "Notes", "Notes (2)", "'=odd header"]
        read = [row.cells for row in table.rows()]
    assert [cells[0] for cells in read] == [f"n{index}" for index in range(len(CELLS))]
    assert [field.clean(cells[1]) for cells in read] == [field.clean(cell) for cell in CELLS]


def test_rows_come_in_row_order_once_each_and_missing_cells_are_blank(company):
    job = job_with_failures(["A", "B"], [{"A": "1"}, {"A": "2", "B": None}, {"A": "3", "B": "x", "_extra": ["y"]}],
                            company=company)
    ImportExportLog.objects.create(job=job, record_number=2, log_level="error", message="again", record_data={"A": "2"})
    ImportExportLog.objects.create(job=job, record_number=4, log_level="warning", message="w", record_data={"A": "4"})
    ImportExportLog.objects.create(job=job, log_level="error", message="job-wide")
    stream = io.StringIO()

    assert failed_rows_write(job, stream) == 3
    assert stream.getvalue().splitlines() == ["A,B", "1,", "2,", "3,x"]


def test_paging_keeps_every_row(company, monkeypatch):
    monkeypatch.setattr(retry_file, "_PAGE", 3)
    job = job_with_failures(["A"], [{"A": str(n)} for n in range(1, 11)], company=company)
    ImportExportLog.objects.create(job=job, record_number=3, log_level="error", message="again", record_data={"A": "3"})
    stream = io.StringIO()

    assert failed_rows_write(job, stream) == 10
    assert stream.getvalue().splitlines()[1:] == [str(n) for n in range(1, 11)]


def test_the_reports_own_columns_are_ignored_unless_the_first_file_had_them():
    assert report_columns_ignored(["error_message", "Name", "row_number"], ["Name"]) == {
        "error_message": None, "row_number": None,
    }
    assert report_columns_ignored(["error_message", "Name"], ["Error_Message", "Name"]) == {}
    assert report_columns_ignored(["Name", "Sheet_Row"], ["Name"]) == {"Sheet_Row": None}  # moved by the user


def test_memory_stays_flat_as_failed_rows_grow(company, tmp_path):
    """The log is read a page at a time and each row written as it comes: eight times the failed rows take no more
    memory. A first run leaves out what any first run allocates once."""
    columns = [f"column {n}" for n in range(12)]
    cells = {column: f"a value of {column} =x" for column in columns}

    def peak_bytes_writing(count: int) -> int:
        ImportExportLog.objects.all().delete()
        job = job_with_failures(columns, [cells] * count, company=company)
        with open(tmp_path / f"retry-{count}.csv", "w", encoding="utf-8", newline="") as stream:
            written, peak = peak_bytes(lambda: failed_rows_write(job, stream))
        assert written == count
        return peak

    peak_bytes_writing(500)
    small, large = peak_bytes_writing(2_000), peak_bytes_writing(16_000)

    assert large < small * 1.5 + 512 * 1024
