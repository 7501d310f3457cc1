"""Hypothesis strategies for stored values of every field kind, to hold the writers' fast column-at-a-time paths
equal to the plain definition (each cell is the field's `to_text`, escaped)."""

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
