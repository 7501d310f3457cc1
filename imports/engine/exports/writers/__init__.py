"""Writers of export files, one per format, all with one shape: `writer = WRITERS[fmt](stream, columns, report)`,
then `writer.write_rows(block)` for each block of rows the cursor gives, then `writer.close()`. A row is a tuple of
the stored values (str, int, Decimal, date, datetime, bool or None) in the columns' order."""

from imports.engine.exports.writers.base import ExportTooLarge, ExportWriter, ReportInfo
from imports.engine.exports.writers.csv_writer import CsvWriter
from imports.engine.exports.writers.json_writer import JsonWriter
from imports.engine.exports.writers.pdf_writer import PdfWriter
from imports.engine.exports.writers.xlsx_writer import ExcelWriter

# Keyed by the format a job stores: "excel" is the .xlsx writer.
WRITERS: dict[str, type[ExportWriter]] = {
    "csv": CsvWriter,
    "excel": ExcelWriter,
    "json": JsonWriter,
    "pdf": PdfWriter,
}

__all__ = [
    "WRITERS", "CsvWriter", "ExcelWriter", "ExportTooLarge", "ExportWriter", "JsonWriter", "PdfWriter", "ReportInfo",
]
