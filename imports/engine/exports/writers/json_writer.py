"""JSON: one array of objects, each a record's columns as the texts a CSV would hold (null where empty), so an
import reads it back unchanged. No apostrophe guards a formula here (JSON is never run as one), save where an
import would take one off (imports.declare.formulas.keep_apostrophes)."""

import json

from imports.declare.formulas import keep_apostrophes
from imports.engine.exports.writers.base import ExportWriter


class JsonWriter(ExportWriter):
    extension = "json"
    content_type = "application/json"

    def __init__(self, stream, columns, report):
        super().__init__(stream, columns, report)
        self.names = [column.name for column in self.columns]
        self.to_text = [column.field.to_text for column in self.columns]
        self.stream.write(b"[")

    def write_rows(self, rows):
        parts = []
        for row in rows:
            record = {
                name: None if value is None else keep_apostrophes(to_text(value))
                for name, to_text, value in zip(self.names, self.to_text, row, strict=True)
            }
            parts.append(("\n" if not self.rows_written and not parts else ",\n") + json.dumps(record,
                                                                                              ensure_ascii=False))
        self.stream.write("".join(parts).encode())
        self.rows_written += len(rows)

    def close(self):
        self.stream.write(b"\n]\n" if self.rows_written else b"]\n")
