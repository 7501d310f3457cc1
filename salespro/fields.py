"""How the cells of a SalesPro export become values: timestamps, yes/no flags and money, as SalesPro writes them.

Each field is fed by one column of the export (`column`, also matched as a synonym of the field), and its
messages name that column and the value, since that is what a SalesPro user sees in the file:
`Could not parse datetime: invalid_date (_created_at needs ...)`.
"""

import datetime as dt
import re
from decimal import Decimal

from imports.declare import BooleanField, DecimalField, FieldError, ImportField


class ExportColumn:
    """Mixin for a field fed by the SalesPro export's column `column`: the column matches it, messages name it."""

    def __init__(self, name: str, *, column: str, **options):
        synonyms = [column, *options.pop("synonyms", ())]
        super().__init__(name, synonyms=synonyms, **options)
        self.column = column


class IsoDateTimeField(ExportColumn, ImportField):
    """An ISO 8601 timestamp, with or without a time zone or fractional seconds (`2025-06-18T14:30:00.123Z`,
    `2025-06-18 14:30:00`); stored in UTC, and read as UTC when it names no zone."""

    kind = "datetime"
    format_hint = "ISO 8601, e.g. 2025-06-18T14:30:00Z"
    memoize = False  # timestamps rarely repeat down a column

    def parse(self, text: str) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise FieldError(
                f"Could not parse datetime: {text} ({self.column} needs an ISO 8601 timestamp such as "
                "2025-06-18T14:30:00Z)"
            ) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class YesNoField(ExportColumn, BooleanField):
    """A flag in the boolean words of BooleanField (true/false, yes/no or 1/0 in any case). A blank cell means no:
    SalesPro leaves the flag empty rather than writing false, so a blank is an answer, not a missing value."""

    format_hint = "true/false, yes/no or 1/0 (blank: false)"

    def clean(self, raw: str) -> bool:
        return self.parse(raw.strip()) if raw.strip() else False

    def parse(self, text: str) -> bool:
        try:
            return self._WORDS[text.casefold()]
        except KeyError:
            raise FieldError(
                f"Could not parse boolean: {text} ({self.column} needs true, false, yes, no, 1 or 0; blank means "
                "false)"
            ) from None


# 1234.5, 1,234.50, $1,234.50, -$12.00, $-12.00: a sign, a dollar sign, and thousands separators only in threes.
_MONEY = re.compile(r"(?P<sign>-?)\$?(?P<inner_sign>-?)(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?P<cents>\.[0-9]*)?")


class MoneyField(ExportColumn, DecimalField):
    """An amount of money as spreadsheets show it: `1234.5`, `1,234.50` or `$1,234.50`; stored exactly."""

    kind = "money"
    format_hint = "Amount, e.g. 1234.50 or $1,234.50"

    def parse(self, text: str) -> Decimal:
        match = _MONEY.fullmatch(text.replace(" ", ""))
        if match is None or (match["sign"] and match["inner_sign"]) or not (match["digits"] or match["cents"]):
            raise self._error(text, "needs a number such as 1234.50 or $1,234.50")
        cents = match["cents"] or ""
        if len(cents) - 1 > self.decimal_places:
            raise self._error(text, f"has at most {self.decimal_places} decimal places")
        whole = match["digits"].replace(",", "")
        if len(whole.lstrip("0")) > self.max_digits - self.decimal_places:
            raise self._error(text, "is too large")
        if not whole and len(cents) < 2:
            raise self._error(text, "needs a number such as 1234.50 or $1,234.50")
        return Decimal(f"{match['sign'] or match['inner_sign']}{whole or '0'}{cents.rstrip('.')}")

    def _error(self, text: str, why: str) -> FieldError:
        return FieldError(f"Could not parse amount: {text} ({self.column} {why})")
