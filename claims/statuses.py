"""Claim status words from X12 277 claim status category codes.

A payer answers a claim status inquiry (X12 276/277, or its JSON rendering) with a category code: F1 means the
claim is finalized and paid, A4 that the payer has no such claim, E1 that the payer's system did not answer.
Office staff read five words; the code is kept beside the word, in its own column, for whoever needs the detail.
"""

from dataclasses import dataclass
from enum import StrEnum


class StatusWord(StrEnum):
    FINALIZED = "Finalized"
    PENDING = "Pending"
    DENIED = "Denied"
    REJECTED = "Rejected"
    ERROR = "Error"


@dataclass(frozen=True)
class CategoryVerdict:
    """What a category code means for a look-up: its word, whether a claim was found, and for the codes that
    report no claim or an error, the reason and whether asking again may help."""

    word: StatusWord
    found: bool = True
    reason: str = ""
    retryable: bool = False


_FINALIZED = CategoryVerdict(StatusWord.FINALIZED)
_PENDING = CategoryVerdict(StatusWord.PENDING)
_DENIED = CategoryVerdict(StatusWord.DENIED)
_REJECTED = CategoryVerdict(StatusWord.REJECTED)
_NOT_FOUND = CategoryVerdict(StatusWord.ERROR, found=False, reason="Claim not found")

_ERRORS = {
    "E0": CategoryVerdict(StatusWord.ERROR, reason="the payer could not read the request"),
    "E1": CategoryVerdict(StatusWord.ERROR, reason="payer not responding", retryable=True),
    "E2": CategoryVerdict(StatusWord.ERROR, reason="the payer's claim system is not responding", retryable=True),
    "E3": CategoryVerdict(StatusWord.ERROR, reason="the payer asks for a correction of the request"),
    "E4": CategoryVerdict(StatusWord.ERROR, reason="the payer's trading partner requirements were not met"),
}

_BY_CODE = {
    "F1": _FINALIZED, "F3": _FINALIZED, "F4": _FINALIZED,
    "F2": _DENIED,
    "A1": _PENDING, "A2": _PENDING,
    "A3": _REJECTED, "A6": _REJECTED, "A7": _REJECTED, "A8": _REJECTED,
    "A4": _NOT_FOUND, "D0": _NOT_FOUND,
    **{f"P{digit}": _PENDING for digit in range(6)},
    **_ERRORS,
}


def category_verdict(code: str) -> CategoryVerdict | None:
    """The verdict of an X12 277 claim status category code ("F1", "F3F", "R4", any case); None for a code that
    is not one of them."""
    code = code.strip().upper()
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code.startswith("F3"):  # F3F and F3N: revised forward and revised not forwarded
        return _FINALIZED
    if len(code) >= 2 and code[0] == "R" and code[1:].isdigit():  # R0-R16: the payer asks for more information
        return _PENDING
    return None


def category_codes_known() -> list[str]:
    """Every code `category_verdict` knows by name (the R and F3 families by their first members)."""
    return sorted({*_BY_CODE, "F3F", "F3N", *(f"R{number}" for number in range(17))})
