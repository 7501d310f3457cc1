"""Spreadsheet formula injection: what the product writes is never run by Excel, and reads back unchanged."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_behind_apostrophes(value: str) -> bool:
    return value.lstrip("'").startswith(FORMULA_PREFIXES)


def escape_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with `'`, which spreadsheets show as text.

    Values that already look escaped (`'=x`, `''=x`) get one more `'`, so `unescape_formula` returns every value
    exactly as it was.
    """
    return "'" + value if _is_formula_behind_apostrophes(value) else value


def unescape_formula(value: str) -> str:
    """Undo `escape_formula`, so an exported or error-report file imports back with its original values."""
    return value[1:] if value.startswith("'") and _is_formula_behind_apostrophes(value) else value


def keep_apostrophes(value: str) -> str:
    """A value for a file no spreadsheet runs as formulas (JSON, an Excel text cell), written so that an import,
    which reads every cell through `unescape_formula`, gets it back as it is: `=SUM(A1)` stays as it is, and only a
    value that `unescape_formula` would shorten (`'=x`) gets one more `'`."""
    return "'" + value if value.startswith("'") and _is_formula_behind_apostrophes(value) else value
