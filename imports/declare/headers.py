"""How a column's name is compared with a field's name or synonym: ignoring case, spaces, hyphens and underscores,
and reading the abbreviations offices write in headers as the words they stand for ("Acct #", "Svc Address",
"Meter No.", "Primary?"), so one synonym covers every way of writing it."""

import re

_IGNORED_CHARACTERS = re.compile(r"[\s_\-]+")
# A lower-case letter followed by a capital starts a new word ("acctNo" is "acct No"); only abbreviations are read
# by words, the rest of the header is compared as before.
_CAMEL_CASE_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])")
_ABBREVIATIONS = {"no": "number", "nbr": "number", "num": "number", "svc": "service", "acct": "account"}
_ABBREVIATION = re.compile(r"(?<![a-z0-9])(" + "|".join(_ABBREVIATIONS) + r")\.?(?![a-z0-9])")
_TRAILING_QUESTION_MARKS = re.compile(r"[\s?]+$")


def normalise_header(text: str) -> str:
    text = _CAMEL_CASE_BREAK.sub(" ", text).casefold()
    text = _TRAILING_QUESTION_MARKS.sub("", text)  # "Primary?" asks for a yes or no: it is the "primary" column
    text = _ABBREVIATION.sub(lambda match: _ABBREVIATIONS[match[1]], text)
    text = text.replace("#", "number")
    return _IGNORED_CHARACTERS.sub("", text)
