"""The ways a spreadsheet writes a date, read as one calendar date each, and which of them a column's values fit.

A date field stores YYYY-MM-DD; an American export writes 03/15/2024, 4/5/24 or, when Excel lost the cell's
format, its serial number 45366. A column is read in one format chosen for it (imports.engine.value_fixes); the
wizard proposes the format its first values fit, and asks when they fit several (every day 12 or less: 04/05/2024
is April 5th in MM/DD/YYYY and May 4th in DD/MM/YYYY).

Two-digit years follow Excel's own rule, which is the one the people typing them know: 00 to 29 are 2000 to 2029,
30 to 99 are 1930 to 1999.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

ISO, MDY, MDY2, DMY, EXCEL = "iso", "mdy", "mdy2", "dmy", "excel"
# name -> (how it is written, an example of 15 March 2024 in it)
DATE_FORMATS = {
    ISO: ("YYYY-MM-DD", "2024-03-15"),
    MDY: ("MM/DD/YYYY", "03/15/2024"),
    MDY2: ("M/D/YY", "3/15/24"),
    DMY: ("DD/MM/YYYY", "15/03/2024"),
    EXCEL: ("Excel serial number", "45366"),
}
TWO_DIGIT_YEAR_PIVOT = 30  # below: 20xx, from it: 19xx (Excel's rule)

# Excel shows a date cell exported as text with a midnight time now and then: 3/15/2024 0:00, 03/15/2024 12:00:00 AM.
_MIDNIGHT = r"(?:[T ]+(?:0?0:00(?::00(?:\.0+)?)?|12:00(?::00)? ?AM))?"
_PATTERNS = {
    ISO: re.compile(rf"([0-9]{{4}})-([0-9]{{1,2}})-([0-9]{{1,2}}){_MIDNIGHT}", re.IGNORECASE),
    MDY: re.compile(rf"([0-9]{{1,2}})([/.-])([0-9]{{1,2}})\2([0-9]{{4}}){_MIDNIGHT}", re.IGNORECASE),
    MDY2: re.compile(rf"([0-9]{{1,2}})([/.-])([0-9]{{1,2}})\2([0-9]{{2}}){_MIDNIGHT}", re.IGNORECASE),
    DMY: re.compile(rf"([0-9]{{1,2}})([/.-])([0-9]{{1,2}})\2([0-9]{{4}}){_MIDNIGHT}", re.IGNORECASE),
    EXCEL: re.compile(r"([0-9]{1,7})(?:\.0+)?"),
}
# Excel counts days from 1900-01-00 and believes 1900 was a leap year: from serial 61 (1900-03-01) on, a serial is
# days since 1899-12-30; serial 60 is the 29th of February 1900 that never was.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LAST = (dt.date(9999, 12, 31) - _EXCEL_EPOCH).days


def format_label(name: str) -> str:
    return DATE_FORMATS[name][0]


def format_example(name: str) -> str:
    return DATE_FORMATS[name][1]


def date_read(name: str, text: str) -> dt.date | None:
    """The date `text` stands for in format `name`; None when it is not written that way or is no real date."""
    match = _PATTERNS[name].fullmatch(text)
    if match is None:
        return None
    try:
        if name == ISO:
            year, month, day = (int(part) for part in match.groups())
        elif name == DMY:
            day, _separator, month, year = match.groups()
        elif name == EXCEL:
            return _excel_date(int(match[1]))
        else:
            month, _separator, day, year = match.groups()
        year = int(year)
        if name == MDY2:
            year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
        return dt.date(year, int(month), int(day))
    except ValueError:
        return None


def _excel_date(serial: int) -> dt.date | None:
    if serial < 1 or serial == 60 or serial > _EXCEL_LAST:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=serial if serial > 60 else serial + 1)


@dataclass(frozen=True)
class DateDetection:
    """What a column's values say about their format: the formats every value fits, the first of them proposed;
    `ambiguous` when they fit several (a person must choose)."""

    fitting: tuple[str, ...]

    @property
    def proposed(self) -> str | None:
        return self.fitting[0] if self.fitting else None

    @property
    def ambiguous(self) -> bool:
        return len(self.fitting) > 1


def date_format_detect(texts: Iterable[str]) -> DateDetection:
    """The formats that every non-blank value of `texts` fits, in the order of DATE_FORMATS (US before day-first)."""
    values = {text.strip() for text in texts} - {""}
    if not values:
        return DateDetection(())
    return DateDetection(tuple(name for name in DATE_FORMATS if all(date_read(name, value) for value in values)))
