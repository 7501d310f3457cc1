"""COPY's text format, built by hand for speed, reads back exactly as the values went in.

The oracle is psycopg's own parser of that format (what COPY ... TO STDOUT sends and COPY ... FROM STDIN reads),
so the check needs no server.
"""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg._copy_base import _parse_row_text as parse_row_text  # psycopg's reference parser
from psycopg._py_transformer import Transformer  # the pure-Python one, as the reference parser expects
from psycopg.pq import Format

from imports.declare.bulk_insert import copy_text

TEXT_OID = 25
TEXT = st.text(alphabet=st.sampled_from(list("ab\\\tN\n\ré ")), max_size=6)


def parsed(text: str) -> list[tuple]:
    transformer = Transformer()
    transformer.set_loader_types([TEXT_OID] * 3, Format.TEXT)
    return [parse_row_text(line.encode() + b"\n", transformer) for line in text.split("\n")[:-1]]


@settings(max_examples=500, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.none(), TEXT), min_size=3, max_size=3), min_size=1, max_size=5))
def test_text_values_and_nulls_read_back_exactly(rows):
    assert parsed(copy_text([list(row) for row in rows])) == [tuple(row) for row in rows]


def test_typed_values_are_written_in_postgresqls_input_forms():
    row = [dt.date(2024, 1, 15), dt.datetime(2024, 1, 15, 8, 30, tzinfo=dt.UTC), True, False, 7, Decimal("1.50"), None]

    assert copy_text([row]) == "2024-01-15\t2024-01-15T08:30:00+00:00\tt\tf\t7\t1.50\t\\N\n"
