"""CSV: UTF-8 with a byte-order mark (Excel), the columns' names as the header, every cell escaped against formula
injection."""

import csv
import io

from imports.declare.formulas import escape_formula
from imports.engine.exports.writers.base import ExportWriter


class CsvWriter(ExportWriter):
    extension = "csv"
    content_type = "text/csv"

    def __init__(self, stream, columns, report):
        super().__init__(stream, columns, report)
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        self.writer = csv.writer(self.text)
        self.writer.writerow([column.name for column in self.columns])
        self.to_text = [column.field.to_text for column in self.columns]

    def write_rows(self, rows):
        self.writer.writerows(
            [escape_formula(to_text(value)) if value is not None else "" for to_text, value in
             zip(self.to_text, row, strict=True)]
            for row in rows
        )
        self.rows_written += len(rows)

    def close(self):
        self.text.flush()
        self.text.detach()
