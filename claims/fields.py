"""How the cells of a claims file become values: texts a claim status request can carry, dates as US offices
write them, money, NPIs and status codes.

A claims file holds health data (names, dates of birth, subscriber ids), and a field's message goes to the job's
log, the error report and the screen: every message here names the field and says what is wrong and how to fix
it, and never repeats the cell's text.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from claims.statuses import StatusWord, category_verdict
from imports.declare import ChoiceField, DateField, DecimalField, FieldError, ImportField
from imports.declare.formulas import unescape_formula

# The separators of an X12 276/277 interchange (segment, element, component, repetition): a value holding one
# would split the request apart, so payers refuse it, and so do we before any look-up.
X12_RESERVED = "~*:^"
_RESERVED = re.compile(r"[~*:^]")


def _is_formula_escaped(value: str) -> bool:
    return value.startswith("'")


class X12TextField(ImportField):
    """Text that a claim status request (X12 276, or a payer's JSON rendering of it) can carry: none of the
    characters ~ * : ^."""

    def parse(self, text: str) -> str:
        if _RESERVED.search(text) is not None:
            raise FieldError(self.reserved_message)
        return text

    @property
    def reserved_message(self) -> str:
        return f"{self.label} contains ~, *, : or ^, which a claim status request cannot carry"

    def clean_column(self, raws: list[str]) -> tuple[list[Any], dict[int, str]]:
        """What `clean` gives each cell, with the per-value work done in C: names and claim numbers are mostly
        unique, so the base class's memo would only add its bookkeeping."""
        if type(self).parse is not X12TextField.parse:
            return super().clean_column(raws)
        values = list(map(str.strip, raws))
        if any(map(_is_formula_escaped, values)):
            values = list(map(unescape_formula, values))
        errors = {}
        if any(map(_RESERVED.search, values)):
            message = self.reserved_message
            errors = {position: message for position, value in enumerate(values) if _RESERVED.search(value)}
        limit = self.max_length
        if limit is not None and values and max(map(len, values)) > limit:
            for position, value in enumerate(values):
                if len(value) > limit and position not in errors:
                    errors[position] = f"{self.label} is too long: {len(value)} characters, at most {limit}"
        for position in errors:
            values[position] = None
        return [value or None for value in values], errors


# A number a spreadsheet wrote in scientific notation (57896633 shown as 5.79E+07): its digits are lost.
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[Ee]\+[0-9]+")


class SubscriberIdField(X12TextField):
    """An insurance subscriber (member) id, kept exactly as written: leading zeros are part of it."""

    format_hint = "Text, leading zeros kept"
    memoize = False  # one per patient: nearly every value differs

    def parse(self, text: str) -> str:
        text = super().parse(text)
        if _SCIENTIFIC.fullmatch(text):
            raise FieldError(
                f"{self.label} was turned into a number by a spreadsheet (scientific notation), and its digits are "
                "lost: format the column as Text and export the file again"
            )
        return text


_US_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?: 0?0:00(?::00)?)?")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")


class ClaimDateField(DateField):
    """A date written MM/DD/YYYY, as US claims and the guide write them; M/D/YYYY and YYYY-MM-DD (and workbook
    date cells) are read too. Two-digit years are refused: 01/02/03 could be any of three dates."""

    format_hint = "MM/DD/YYYY (or YYYY-MM-DD)"

    def parse(self, text: str) -> dt.date:
        match = _US_DATE.fullmatch(text)
        if match is not None:
            month, day, year = match.groups()
        else:
            match = _ISO_DATE.fullmatch(text)
            if match is None:
                raise FieldError(f"{self.label} is not a date: use MM/DD/YYYY, e.g. 05/10/1975")
            year, month, day = match.groups()
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise FieldError(f"{self.label} is not a real date: use MM/DD/YYYY") from None


# 720, 720.00, 1,234.50, $1,234.50: thousands separators only in threes, a dollar sign in front.
_MONEY = re.compile(r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(\.[0-9]*)?")


class MoneyField(DecimalField):
    """An amount of dollars such as 720.00, 1,234.50 or $1,234.50, not negative, stored exactly with cents."""

    kind = "money"
    format_hint = "Amount, e.g. 720.00"

    def __init__(self, name: str, *, max_digits: int = 12, decimal_places: int = 2, **options):
        super().__init__(name, max_digits=max_digits, decimal_places=decimal_places, min_value=Decimal(0),
                         **options)

    def parse(self, text: str) -> Decimal:
        if text.startswith("-") or text.startswith("$-"):
            raise FieldError(f"{self.label} cannot be negative")
        match = _MONEY.fullmatch(text)
        if match is None or not (match[1] or (match[2] or "")[1:]):
            raise FieldError(f"{self.label} is not an amount: use a number such as 720.00")
        whole, cents = match[1].replace(",", ""), (match[2] or ".").rstrip(".")
        if len(cents) - 1 > self.decimal_places:
            raise FieldError(f"{self.label} has more than {self.decimal_places} decimal places")
        if len(whole.lstrip("0")) > self.max_digits - self.decimal_places:
            raise FieldError(f"{self.label} is too large")
        return Decimal(f"{whole or '0'}{cents}")

    def to_text(self, value: Any) -> str:
        if isinstance(value, Decimal):
            return f"{value:.{self.decimal_places}f}"  # 720.00, as claims show amounts
        return super().to_text(value)


def npi_is_valid(text: str) -> bool:
    """Whether `text` is a National Provider Identifier: ten digits whose last is the Luhn check digit of the
    first nine prefixed with 80840 (the NPI's card issuer prefix), as CMS specifies."""
    if len(text) != 10 or not text.isascii() or not text.isdigit():
        return False
    total = 24  # the prefix 80840's share of the Luhn sum
    for position, digit in enumerate(reversed(text[:9])):
        value = int(digit)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10 == int(text[9])


class NPIField(ImportField):
    """A provider's National Provider Identifier: ten digits with a valid check digit."""

    kind = "npi"
    format_hint = "10 digits (NPI)"

    def parse(self, text: str) -> str:
        if len(text) != 10 or not text.isascii() or not text.isdigit():
            raise FieldError(f"{self.label} must be a 10-digit NPI")
        if not npi_is_valid(text):
            raise FieldError(f"{self.label} is not a valid NPI: its check digit does not match (a typing error?)")
        return text


class StatusCodeField(ImportField):
    """An X12 277 claim status category code (F1, P1, A4, F3F, R4, ...), any case, stored upper case."""

    kind = "status_code"
    format_hint = "X12 277 category code, e.g. F1"

    def parse(self, text: str) -> str:
        code = text.upper()
        if category_verdict(code) is None:
            raise FieldError(
                f"{self.label} is not an X12 277 claim status category code: use one such as F1, F2, P1, A3 or R4"
            )
        return code


class StatusWordField(ChoiceField):
    """One of the claim status words Finalized, Pending, Denied or Rejected, any case."""

    def __init__(self, name: str, **options):
        words = [word for word in StatusWord if word is not StatusWord.ERROR]
        super().__init__(name, choices=[str(word) for word in words], **options)

    def parse(self, text: str) -> str:
        try:
            return self._lookup[text.casefold()]
        except KeyError:
            raise FieldError(f"{self.label} must be one of {', '.join(self.values)} (or blank)") from None
