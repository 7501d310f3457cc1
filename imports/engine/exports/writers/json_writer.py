"""JSON: one array of objects, {field name: text, or null where the record has no value}, written a block at a time.

The texts are the CSV's (each field's `to_text`), so an import reads a JSON export back unchanged too. No
spreadsheet runs a JSON value, so nothing is escaped against formulas; only a value that itself starts with `'`
before a formula character gets one more, because the import takes one off.

As in the CSV writer, a block is converted a column at a time, each column doing only the work its field needs;
each text is then encoded by the json module's own string encoder, and each object is one `%` of a template that
holds the encoded names, which costs a fraction of encoding a dict per row. A property test holds every value
equal to the plain definition, `escape_apostrophes(field.to_text(value))` or null.
"""

import datetime as dt
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from imports.declare.fields import BooleanField, DecimalField, ImportField
from imports.declare.formulas import escape_apostrophes
from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers.base import ExportWriter, ReportInfo

# What json.dumps(ensure_ascii=False) writes for a string: the json module's own encoder of one string.
_encode_string = json.encoder.encode_basestring
_NULL = "null"
# Rows are encoded and written this many at a time, so a block of any size costs the memory of this many.
_ROWS_AT_A_TIME = 2000
_DATE, _MOMENT = dt.date, dt.datetime

ColumnValues = Callable[[tuple], Sequence[str]]


def _column_values(column: ExportColumn) -> ColumnValues:
    """How a block's values of one column become encoded JSON values: the field's text as a JSON string, or null
    for no value. A date's, a moment's or a Decimal's text never starts with `'`, so those values skip the escape
    (decided by the value's own type, not the column's)."""
    field = column.field
    to_text = field.to_text
    text_method = type(field).to_text
    if text_method is BooleanField.to_text:
        return lambda values: [_NULL if value is None else '"true"' if value else '"false"' for value in values]
    if text_method is DecimalField.to_text:
        return lambda values: [
            _NULL if value is None else f'"{to_text(value)}"' if value.__class__ is Decimal
            else _encode_string(escape_apostrophes(to_text(value)))
            for value in values
        ]
    if text_method is not ImportField.to_text:
        return lambda values: [
            _NULL if value is None else _encode_string(escape_apostrophes(to_text(value))) for value in values
        ]
    if column.kind in ("date", "datetime"):
        # An ISO date or moment holds nothing a JSON string escapes.
        return lambda values: [
            _NULL if value is None else f'"{value.isoformat()}"' if value.__class__ in (_DATE, _MOMENT)
            else _encode_string(escape_apostrophes(to_text(value)))
            for value in values
        ]
    return lambda values: [
        _NULL if value is None
        else _encode_string(value) if value.__class__ is str and not value.startswith("'")
        else _encode_string(escape_apostrophes(to_text(value)))
        for value in values
    ]


class JsonWriter(ExportWriter):
    """`[`, then the objects separated by `,\\n`, then `]`: an empty export is `[]`."""

    extension = "json"
    content_type = "application/json"

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        super().__init__(stream, columns, report)
        # '{"first_name": %s, "email": %s}': each row's encoded values fill it in one `%`.
        members = ", ".join(_encode_string(column.name).replace("%", "%%") + ": %s" for column in self.columns)
        self._object = "{" + members + "}"
        self._column_values = [_column_values(column) for column in self.columns]
        self.stream.write(b"[")

    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        for start in range(0, len(rows), _ROWS_AT_A_TIME):
            self._write_objects(rows[start : start + _ROWS_AT_A_TIME])

    def _write_objects(self, rows: Sequence[tuple[Any, ...]]) -> None:
        values_by_column = zip(*rows, strict=True)
        encoded_by_column = [
            encoded(values) for encoded, values in zip(self._column_values, values_by_column, strict=True)
        ]
        objects = ",\n".join(map(self._object.__mod__, zip(*encoded_by_column, strict=True)))
        self.stream.write(((",\n" if self.rows_written else "\n") + objects).encode())
        self.rows_written += len(rows)

    def close(self) -> None:
        self.stream.write(b"\n]\n" if self.rows_written else b"]\n")
