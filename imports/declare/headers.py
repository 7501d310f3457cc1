"""How a column's name is compared with a field's name or synonym: ignoring case, spaces, hyphens and underscores,
and reading the abbreviations offices write in headers as the words they stand for ("Acct #", "Svc Address",
"Meter No.", "ACCTNO", "Primary?"), so one synonym covers every way of writing it."""

import re

_IGNORED_CHARACTERS = re.compile(r"[\s_\-]+")
# A lower-case letter followed by a capital starts a new word ("acctNo" is "acct No"); only abbreviations are read
# by words, the rest of the header is compared as before.
_CAMEL_CASE_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])")
_ABBREVIATIONS = {"no": "number", "nbr": "number", "num": "number", "svc": "service", "acct": "account"}
_ABBREVIATION = re.compile(r"(?<![a-z0-9])(" + "|".join(_ABBREVIATIONS) + r")\.?(?![a-z0-9])")
_TRAILING_QUESTION_MARKS = re.compile(r"[\s?]+$")
# A header written as one run of letters ("ACCTNO", "METERNUM", "SVCADDRESS") has no word breaks to go by: an
# abbreviation that begins or ends it is read all the same. Field names and synonyms go through the same reading,
# so a word that merely ends in "no" ("Casino") changes on both sides alike and matches nothing it did not before.
_RUN_TOGETHER_START = re.compile(r"^(acct|svc)(?=[a-z])")
_RUN_TOGETHER_END = re.compile(r"(?<=[a-z])(no|nbr|num)$")


def normalise_header(text: str) -> str:
    text = _CAMEL_CASE_BREAK.sub(" ", text).casefold()
    text = _TRAILING_QUESTION_MARKS.sub("", text)  # "Primary?" asks for a yes or no: it is the "primary" column
    text = _ABBREVIATION.sub(lambda match: _ABBREVIATIONS[match[1]], text)
    text = _IGNORED_CHARACTERS.sub("", text.replace("#", "number"))
    text = _RUN_TOGETHER_START.sub(lambda match: _ABBREVIATIONS[match[1]], text)
    return _RUN_TOGETHER_END.sub(lambda match: _ABBREVIATIONS[match[1]], text)
