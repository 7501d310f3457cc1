"""Spreadsheet formula injection: what the product writes is never run by Excel, and reads back unchanged.

A cell a spreadsheet would read as a formula (`=SUM(A1)`, `+1+cmd|' /C calc'!A0`, `@foo`) is written with a leading
`'`, which spreadsheets show as text and the import takes off again. Numbers and phone numbers (`-5`, `-12.50`,
`+12125550108`, `+1 (401) 555-0105`) start with the same characters but run nothing, so they are written as they
are: the escaping costs users no clean data.
"""

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# How a value escape_formula may change starts; every other value it returns after this one `startswith`.
MAY_NEED_ESCAPING = (*FORMULA_PREFIXES, "'")
# A number (optional sign, digits, optional decimals and exponent) or a phone number (`+`, then at least seven
# digits among spaces, parentheses, dots and dashes). ASCII digits only: a spreadsheet reads no others as a number.
_NUMBER_OR_PHONE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\+(?:[ ().-]*[0-9]){7,}[ ().-]*")


def _is_formula_behind_apostrophes(value: str) -> bool:
    return value.lstrip("'").startswith(FORMULA_PREFIXES)


def escape_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with `'`, which spreadsheets show as text; leave
    numbers and phone numbers as they are.

    Values that already look escaped (`'=x`, `''=x`, `'+12125550108`) get one more `'`, so `unescape_formula` returns
    every value exactly as it was. Runs once per exported cell, so the common case costs one `startswith`.
    """
    if not value.startswith(MAY_NEED_ESCAPING):
        return value
    if value[0] == "'":
        return "'" + value if _is_formula_behind_apostrophes(value) else value
    if _NUMBER_OR_PHONE.fullmatch(value) is not None:
        return value
    return "'" + value


def escape_apostrophes(value: str) -> str:
    """What a file no spreadsheet runs as formulas needs (JSON; an Excel cell typed as text): only a value that
    itself starts with `'` before a formula character gets one more, because the import takes one off.

    `=SUM(A1)` stays as it is; `'=x` becomes `''=x`, which imports back as `'=x`.
    """
    return escape_formula(value) if value.startswith("'") else value


def unescape_formula(value: str) -> str:
    """Undo `escape_formula`, so an exported or error-report file imports back with its original values.

    Files written before numbers and phone numbers were left bare (`'+12125550108`) read back the same way.
    """
    return value[1:] if value.startswith("'") and _is_formula_behind_apostrophes(value) else value
