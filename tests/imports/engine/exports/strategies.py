"""Hypothesis strategies for stored values of every field kind, to hold the writers' fast column-at-a-time paths
equal to the plain definition (each cell is the field's `to_text`, escaped), and the Excel writer equal to
XlsxWriter."""

import datetime as dt
from collections.abc import Sequence

from hypothesis import strategies as st

from imports.declare.targets import all_targets
from imports.engine.exports.columns import ExportColumn, columns_available

# Texts made mostly of what the escaping turns on, so the interesting cases come up often.
TRICKY_TEXT = st.text(alphabet=st.sampled_from("'=+-@\t\r\n0123456789 ().eE,\"ax\u0661é"), max_size=12) | st.text()

_BY_KIND = {
    "date": st.dates(),
    "datetime": st.datetimes(timezones=st.just(dt.UTC)),
    "boolean": st.booleans(),
    "number": st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**12, max_value=10**12),
    "money": st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
}


def stored_value(kind: str) -> st.SearchStrategy:
    """A value of the kind's type, or now and then text (a column whose model field is not what its kind says must
    still be escaped)."""
    return st.none() | _BY_KIND.get(kind, TRICKY_TEXT) | TRICKY_TEXT


def stored_rows(columns: Sequence[ExportColumn]) -> st.SearchStrategy:
    return st.lists(st.tuples(*(stored_value(column.kind) for column in columns)), max_size=8)


def one_column_of_each_field_type() -> list[ExportColumn]:
    """A column of every kind and field class any target declares (a claim's amount, a SalesPro yes/no, a
    customer's ZIP code...), so each of a writer's paths is taken."""
    chosen: dict[tuple[str, type], ExportColumn] = {}
    for target in all_targets():
        for column in columns_available(target):
            chosen.setdefault((column.kind, type(column.field)), column)
    return list(chosen.values())


# What an Excel sheet's XML must carry with care: XML's own special characters, characters XML 1.0 cannot carry
# (control characters, U+FFFE), Excel's escape `_xHHHH_` and look-alikes, white space at either end, apostrophes
# and formula characters, and text beyond the Basic Multilingual Plane.
_SHEET_PIECES = st.sampled_from([
    "&", "<", ">", '"', "'", "=", "+", "-", "@", " ", "\t", "\n", "\r", "\x00", "\x01", "\x1f", "\x7f", "\ufffe",
    "\uffff", "\xa0", "\u2028", "_x0041_", "_x00e9_", "_X0041_", "_x12_", "x", "_", "0", "7", ".", "é", "\U0001f600",
    "SUM(A1)", "</t>", "<r>", "</r>", "]]>",
])
# Left out: text that starts with <r> and ends with </r>, which XlsxWriter writes unescaped, as rich-text markup
# (the Excel writer's own test shows it escaped).
SHEET_TEXT = (st.lists(_SHEET_PIECES, max_size=8).map("".join) | TRICKY_TEXT | st.text(max_size=30)).filter(
    lambda text: not (text.startswith("<r>") and text.endswith("</r>"))
)
_EXCEL_MOMENTS = st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(9000, 1, 1))
_ZONES = st.none() | st.just(dt.UTC) | st.builds(
    dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-14), max_value=dt.timedelta(hours=14))
)
_SHEET_BY_KIND = {
    "date": st.dates() | st.dates(min_value=dt.date(1899, 12, 25), max_value=dt.date(1900, 3, 5)),
    "datetime": st.builds(
        lambda moment, zone, whole_milliseconds: moment.replace(
            tzinfo=zone, microsecond=moment.microsecond // 1000 * 1000 if whole_milliseconds else moment.microsecond
        ),
        _EXCEL_MOMENTS | st.datetimes(min_value=dt.datetime(1900, 2, 27), max_value=dt.datetime(1900, 3, 2)),
        _ZONES, st.booleans(),
    ),
    "boolean": st.booleans(),
    "number": st.decimals(allow_nan=False, min_value=-10**20, max_value=10**20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**13, max_value=10**13)
    | st.integers(min_value=-2**60, max_value=2**60),
    "money": st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**15, max_value=10**15),
}
# A value of any kind, in any column: a column whose model field is not what its kind says is written as text.
_ANY_VALUE = st.one_of(*_SHEET_BY_KIND.values())


def sheet_value(kind: str) -> st.SearchStrategy:
    """A value of the kind's type (often one a sheet cell cannot hold exactly), text, another kind's value, None."""
    return st.none() | _SHEET_BY_KIND.get(kind, SHEET_TEXT) | SHEET_TEXT | _ANY_VALUE


def sheet_rows(columns: Sequence[ExportColumn]) -> st.SearchStrategy:
    """Rows for an Excel sheet, a row of empty cells among them now and then."""
    empty = tuple(None for _column in columns)
    return st.lists(st.tuples(*(sheet_value(column.kind) for column in columns)) | st.just(empty), max_size=6)
