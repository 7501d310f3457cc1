"""Deciding a claim query's result from the claims that carry its number: the same rules for every back end.

A claim is found by its number (and its payer, when the query names one); the patient on it must be the patient
the query describes, by first and last name (ignoring case, accents and spaces), date of birth and subscriber id.
When they differ the answer says so and nothing more: echoing what is stored would hand one patient's details
to whoever guessed a claim number.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from claims.statuses import StatusWord, category_verdict
from imports.declare.lookups import LookupQuery, LookupResult

NOT_FOUND = "Claim not found"
MISMATCH = "Patient details do not match"
SEVERAL = "Several claims match this claim number: add payer_id (or service dates) to the row to tell them apart"


@dataclass(frozen=True)
class ClaimFound:
    """A claim as a back end found it (the local store's row or the payer's answer), in one shape."""

    claim_number: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    subscriber_id: str
    payer_id: str = ""
    status: str = ""  # a status word, for a claim stored without a category code
    status_code: str = ""  # the X12 277 claim status category code
    total_charged: Decimal | None = None
    total_paid: Decimal | None = None
    processed_date: date | None = None
    paid_date: date | None = None
    payer_claim_number: str = ""
    check_number: str = ""


def name_key(text: str) -> str:
    """A name as it is compared: accents dropped, case folded, spaces removed ("José  de la Cruz" = "JOSE DELACRUZ")."""
    if text.isascii():  # most names: nothing to decompose, and the same key at a fraction of the cost
        return "".join(text.split()).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace()).casefold()


def subscriber_key(text: str) -> str:
    """A subscriber id as it is compared: as written, leading zeros kept, without surrounding spaces or case."""
    return text.strip().upper()


def patient_matches(query: dict[str, Any], claim: ClaimFound) -> bool:
    return (
        name_key(query["first_name"]) == name_key(claim.first_name)
        and name_key(query["last_name"]) == name_key(claim.last_name)
        and query["date_of_birth"] == claim.date_of_birth
        and subscriber_key(query["subscriber_id"]) == subscriber_key(claim.subscriber_id)
    )


def claim_base(values: dict[str, Any]) -> dict[str, str]:
    """The result columns a query gives by itself (also for a row that failed its checks)."""
    base = {}
    if values.get("claim_number"):
        base["claim_number"] = values["claim_number"]
    names = [values[name] for name in ("first_name", "last_name") if values.get(name)]
    if names:
        base["patient_name"] = " ".join(names)
    if isinstance(values.get("date_of_birth"), date):
        base["date_of_birth"] = us_date(values["date_of_birth"])
    if values.get("subscriber_id"):
        base["subscriber_id"] = values["subscriber_id"]
    return base


def claim_result(query: LookupQuery, candidates: Sequence[ClaimFound]) -> LookupResult:
    """The result of `query` from the claims found under its number (and payer, when it names one)."""
    base = claim_base(query.values)
    payer_id = query.values.get("payer_id")
    if payer_id:
        candidates = [claim for claim in candidates if claim.payer_id.casefold() == payer_id.casefold()]
    if not candidates:
        return _failed(query, base, NOT_FOUND)
    matching = [claim for claim in candidates if patient_matches(query.values, claim)]
    if not matching:
        return _failed(query, base, MISMATCH)
    if len(matching) > 1:
        return _failed(query, base, SEVERAL)
    return found_result(query, matching[0], base)


def found_result(query: LookupQuery, claim: ClaimFound, base: dict[str, str]) -> LookupResult:
    """The result for the one claim that matches: its status word from its category code (a code that reports no
    claim or an error fails the row), its amounts and dates."""
    values = {**base, "status_code": claim.status_code}
    if claim.status_code:
        verdict = category_verdict(claim.status_code)
        if verdict is None:
            return _failed(query, values, f"Look-up failed: unknown claim status category code {claim.status_code}")
        if not verdict.found:
            return _failed(query, values, verdict.reason)
        if verdict.word == StatusWord.ERROR:
            return _failed(query, values, f"Look-up failed: {verdict.reason}", retryable=verdict.retryable)
        word = verdict.word
    else:
        word = StatusWord(claim.status) if claim.status in StatusWord.__members__.values() else StatusWord.PENDING
    values.update(
        status=str(word),
        total_charged=money(claim.total_charged),
        total_paid=money(claim.total_paid),
        processed_date=us_date(claim.processed_date),
        paid_date=us_date(claim.paid_date),
        payer_claim_number=claim.payer_claim_number,
        check_number=claim.check_number,
    )
    return LookupResult(row=query.row, success=True, values=values)


def lookup_failed(query: LookupQuery, reason: str, *, retryable: bool = True) -> LookupResult:
    """A look-up that could not be made (the payer did not answer after every retry)."""
    return _failed(query, claim_base(query.values), f"Look-up failed: {reason}", retryable=retryable)


def _failed(query: LookupQuery, values: dict[str, str], error: str, *, retryable: bool = False) -> LookupResult:
    return LookupResult(
        row=query.row, success=False, values={**values, "status": str(StatusWord.ERROR)}, error=error,
        retryable=retryable,
    )


def money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def us_date(day: date | None) -> str:
    return "" if day is None else day.strftime("%m/%d/%Y")
