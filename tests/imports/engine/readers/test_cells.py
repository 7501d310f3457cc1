"""How a typed workbook or JSON cell becomes text."""

import datetime as dt
from decimal import Decimal

import pytest

from imports.engine.readers.cells import cell_to_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, "", id="none-is-empty"),
        pytest.param("  as is ", "  as is ", id="text-unchanged"),
        pytest.param(dt.datetime(2024, 1, 15), "2024-01-15", id="naive-midnight-datetime-is-a-date"),
        pytest.param(dt.datetime(2024, 1, 15, 9, 30, 5), "2024-01-15T09:30:05", id="datetime-with-time-keeps-time"),
        pytest.param(
            dt.datetime(2024, 1, 15, 0, 0, 0, 1), "2024-01-15T00:00:00.000001", id="microsecond-past-midnight"
        ),
        pytest.param(
            dt.datetime(2024, 1, 15, tzinfo=dt.UTC), "2024-01-15T00:00:00+00:00", id="aware-midnight-keeps-time"
        ),
        pytest.param(
            dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            "2024-01-15T09:30:00-05:00",
            id="aware-datetime-keeps-offset",
        ),
        pytest.param(dt.date(2024, 1, 15), "2024-01-15", id="date"),
        pytest.param(dt.time(9, 30), "09:30:00", id="time"),
        pytest.param(42, "42", id="int"),
        pytest.param(-7, "-7", id="negative-int"),
        pytest.param(5555555555.0, "5555555555", id="whole-float-loses-point-zero"),
        pytest.param(62701.0, "62701", id="postal-code-float"),
        pytest.param(-3.0, "-3", id="negative-whole-float"),
        pytest.param(12.5, "12.5", id="fractional-float-stays"),
        pytest.param(0.1 + 0.2, "0.3", id="float-rounding-noise-hidden"),
        pytest.param(Decimal("10.00"), "10", id="whole-decimal-loses-zeros"),
        pytest.param(Decimal("1.50"), "1.5", id="decimal-trailing-zero-dropped"),
        pytest.param(Decimal("0.000001"), "0.000001", id="small-decimal-not-scientific"),
        pytest.param(Decimal("1E+2"), "100", id="decimal-exponent-expanded"),
        pytest.param(True, "true", id="true"),
        pytest.param(False, "false", id="false"),
        pytest.param(["a", 1, None], '["a", 1, null]', id="list-as-json"),
        pytest.param({"city": "Zürich", "zip": 8001}, '{"city": "Zürich", "zip": 8001}', id="dict-as-json-unescaped"),
    ],
)
def test_cell_to_text(value, expected):
    assert cell_to_text(value) == expected
