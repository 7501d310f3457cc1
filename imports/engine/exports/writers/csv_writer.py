"""CSV: UTF-8 with a byte order mark (so Excel reads accents right), one header of field names, each cell the text
an import reads back unchanged (the field's `to_text`), escaped against formulas.

This runs once per cell of a million rows, so a block is converted a column at a time, and each column does only
the work its field needs: most text needs no escaping (only a value that starts with a formula character or `'` is
looked at, and a whole column is first searched at once for one). A block whose cells need no quotes is joined
into lines directly, which is what csv.writer writes for it. Property tests hold every cell equal to the plain
definition, `escape_formula(field.to_text(value))`, and the file's bytes equal to csv.writer's.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from imports.declare.fields import BooleanField, DecimalField, ImportField
from imports.declare.formulas import MAY_NEED_ESCAPING, escape_formula
from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers.base import ExportWriter, ReportInfo

_DATE, _MOMENT = dt.date, dt.datetime
# Rows are converted and written this many at a time, so a block of any size costs the memory of this many.
_ROWS_AT_A_TIME = 2000

ColumnTexts = Callable[[tuple], Sequence[Any]]
# A value, other than the first, that starts with a character escape_formula looks at, in a column joined by newlines.
_ESCAPABLE_AFTER_A_NEWLINE = re.compile("\n[" + re.escape("".join(MAY_NEED_ESCAPING)) + "]")


def _column_texts(column: ExportColumn) -> ColumnTexts:
    """How a block's values of one column become what csv.writer writes: the field's text, escaped; None stays
    None, which csv.writer writes as an empty cell, as `to_text` does.

    A value skips the escape only where its text cannot start like a formula whatever it holds: a date's or a
    moment's ISO text, a Decimal's plain digits (a bare number, which escape_formula leaves alone anyway), true or
    false. That is decided by the value's own type, not the column's, so a column that holds something else is
    still escaped.
    """
    field = column.field
    to_text = field.to_text
    text_method = type(field).to_text
    if text_method is BooleanField.to_text:
        return lambda values: [None if value is None else "true" if value else "false" for value in values]
    if text_method is DecimalField.to_text:
        return lambda values: [
            value if value is None else to_text(value) if value.__class__ is Decimal else escape_formula(to_text(value))
            for value in values
        ]
    if text_method is not ImportField.to_text:
        return lambda values: [None if value is None else escape_formula(to_text(value)) for value in values]
    if column.kind == "date":
        return lambda values: [
            value if value is None else value.isoformat() if value.__class__ is _DATE
            else escape_formula(to_text(value))
            for value in values
        ]
    if column.kind == "datetime":
        return lambda values: [
            value if value is None else value.isoformat() if value.__class__ is _MOMENT
            else escape_formula(to_text(value))
            for value in values
        ]

    def stored_texts(values):
        """Stored text is its own to_text; only what might start like a formula goes through escape_formula."""
        if _nothing_to_escape(values):
            return values
        return [
            value if value is None or (value.__class__ is str and not value.startswith(MAY_NEED_ESCAPING))
            else escape_formula(to_text(value))
            for value in values
        ]

    return stored_texts


def _nothing_to_escape(values: Sequence[Any]) -> bool:
    """Whether every value of a block's column is text that escape_formula leaves as it is, judged at C speed on the
    column joined by newlines: no value starts with a character escape_formula looks at (a value holding a newline
    can only make the column look in need when it is not). A column holding a value that is not text is judged value
    by value. Empty values are left out: csv.writer writes None and "" as empty cells, and a falsy value that is not
    text (0, False) as its str(), what to_text gives, which starts like a formula only as a number (-0), which
    escape_formula leaves alone too."""
    present = list(filter(None, values))
    try:
        joined = "\n".join(present)
    except TypeError:
        return False
    return not joined.startswith(MAY_NEED_ESCAPING) and _ESCAPABLE_AFTER_A_NEWLINE.search(joined) is None


def _lines_without_quotes(texts_by_column: list[Sequence[Any]], rows: int) -> str | None:
    """A block's lines as csv.writer writes them when no cell needs quoting: each row's cells joined by commas, each
    line ended by CR LF. csv.writer costs about 4 µs a row of 19 cells, joining a fifth of that. None when a cell
    needs quoting (a comma, a quote, a line break), when a value is not text, or with a single column (csv.writer
    quotes a lone empty cell): csv.writer writes the block then."""
    if len(texts_by_column) < 2 or not rows:
        return None
    texts_by_column = [
        ["" if text is None else text for text in texts] if None in texts else texts for texts in texts_by_column
    ]
    try:
        lines = "\r\n".join(map(",".join, zip(*texts_by_column, strict=True)))
    except TypeError:
        return None
    commas, breaks = rows * (len(texts_by_column) - 1), rows - 1
    if lines.count(",") != commas or '"' in lines or lines.count("\r") != breaks or lines.count("\n") != breaks:
        return None
    return lines + "\r\n"


class CsvWriter(ExportWriter):
    """Writes rows through a text layer over the caller's binary stream, detached again at close so the stream
    stays the caller's to close."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        super().__init__(stream, columns, report)
        # write_through: each block goes straight to the stream, so nothing waits in this layer between blocks.
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        self._text.write("\ufeff")
        self._csv = csv.writer(self._text)
        self._column_texts = [_column_texts(column) for column in self.columns]
        self._csv.writerow([escape_formula(column.name) for column in self.columns])

    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        for start in range(0, len(rows), _ROWS_AT_A_TIME):
            self._write_block(rows[start : start + _ROWS_AT_A_TIME])

    def _write_block(self, rows: Sequence[tuple[Any, ...]]) -> None:
        values_by_column = zip(*rows, strict=True)
        texts_by_column = [texts(values) for texts, values in zip(self._column_texts, values_by_column, strict=True)]
        lines = _lines_without_quotes(texts_by_column, len(rows))
        if lines is None:
            self._csv.writerows(zip(*texts_by_column, strict=True))
        else:
            self._text.write(lines)
        self.rows_written += len(rows)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
