"""How a typed cell (from a workbook or JSON) becomes the text every later step works with."""

import datetime as dt
import json
from decimal import Decimal


def cell_to_text(value) -> str:
    """Text for one cell: dates as ISO dates, whole numbers without `.0`, booleans as true/false, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_to_text(value)
    if isinstance(value, Decimal):
        # Plain digits, exactly: no exponent (1E+30), no trailing zeros (1.50), no rounding to 28 digits.
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_json_number)
    return str(value)


def float_to_text(value: float) -> str:
    """A float as cell_to_text writes it; for readers that know they hold a float (workbook numbers), unchecked."""
    if value.is_integer():
        return str(int(value))
    # Fifteen significant digits is what a spreadsheet shows, so 0.1 + 0.2 reads as 0.3.
    return format(value, ".15g")


def _json_number(value):
    """JSON numbers inside nested values arrive from the streaming parser as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
