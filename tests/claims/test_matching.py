"""Deciding a query's result from the claims under its number: the patient must match, and a mismatch says so
without a word of what is stored."""

import datetime as dt
import random
import unicodedata
from decimal import Decimal

from claims.matching import (
    MISMATCH,
    NOT_FOUND,
    SEVERAL,
    ClaimFound,
    claim_base,
    claim_result,
    lookup_failed,
    name_key,
)

from .conftest import CHANTAL, query


def claim(**changes) -> ClaimFound:
    values = {
        **CHANTAL, "payer_id": "60054", "status": "Finalized", "status_code": "F1",
        "total_charged": Decimal("720.00"), "total_paid": Decimal("351.00"), "processed_date": dt.date(2025, 8, 8),
        "paid_date": dt.date(2025, 8, 12), "payer_claim_number": "E12345678", "check_number": "CHK100234",
        **changes,
    }
    return ClaimFound(**values)


def test_a_matching_claim_gives_its_status_amounts_and_dates():
    result = claim_result(query(row=3), [claim()])

    assert (result.row, result.success, result.error, result.retryable) == (3, True, "", False)
    assert result.values == {
        "claim_number": "ZE59426195", "patient_name": "CHANTAL KISA", "date_of_birth": "05/10/1975",
        "subscriber_id": "057896633", "status": "Finalized", "status_code": "F1", "total_charged": "720.00",
        "total_paid": "351.00", "processed_date": "08/08/2025", "paid_date": "08/12/2025",
        "payer_claim_number": "E12345678", "check_number": "CHK100234",
    }


def test_names_match_ignoring_case_accents_and_spaces():
    stored = claim(first_name="JOSE MARIA", last_name="DELACRUZ")

    result = claim_result(query(first_name="José María", last_name="de la  Cruz"), [stored])

    assert result.success
    assert name_key("José  de la Cruz") == name_key("JOSE DELACRUZ")


def test_no_claim_under_the_number_is_not_found():
    result = claim_result(query(), [])

    assert (result.success, result.error, result.retryable, result.values["status"]) == (
        False, NOT_FOUND, False, "Error"
    )


def test_another_date_of_birth_does_not_match():
    result = claim_result(query(date_of_birth=dt.date(1975, 10, 5)), [claim()])

    assert (result.success, result.error) == (False, MISMATCH)


def test_a_subscriber_id_without_its_leading_zero_does_not_match():
    result = claim_result(query(subscriber_id="57896633"), [claim()])

    assert (result.success, result.error) == (False, MISMATCH)


def test_a_subscriber_id_matches_ignoring_case_and_surrounding_spaces():
    assert claim_result(query(subscriber_id="abc123"), [claim(subscriber_id=" ABC123 ")]).success


def test_another_last_name_does_not_match():
    assert claim_result(query(last_name="KISSA"), [claim()]).error == MISMATCH


def test_a_mismatch_never_shows_what_is_stored():
    stored = claim(first_name="MARGUERITE", last_name="OKONKWO", date_of_birth=dt.date(1961, 3, 22),
                   subscriber_id="998877665")

    result = claim_result(query(), [stored])

    shown = " ".join([result.error, *result.values.values()])
    assert result.error == "Patient details do not match"
    for secret in ("MARGUERITE", "OKONKWO", "1961", "03/22", "998877665", "720.00", "E12345678"):
        assert secret not in shown


def test_a_payer_id_narrows_the_claims_to_that_payer():
    aetna, cigna = claim(payer_id="60054", total_paid=Decimal("1.00")), claim(payer_id="62308", check_number="C2")

    result = claim_result(query(payer_id="62308"), [aetna, cigna])

    assert (result.success, result.values["check_number"]) == (True, "C2")


def test_a_payer_id_matches_in_any_case():
    assert claim_result(query(payer_id="sx123"), [claim(payer_id="SX123")]).success


def test_a_claim_of_another_payer_is_not_found():
    result = claim_result(query(payer_id="62308"), [claim(payer_id="60054")])

    assert result.error == NOT_FOUND


def test_several_matching_claims_ask_for_the_payer():
    result = claim_result(query(), [claim(payer_id="60054"), claim(payer_id="62308")])

    assert (result.success, result.error) == (False, SEVERAL)


def test_a_claim_stored_without_a_code_gives_its_word():
    result = claim_result(query(), [claim(status="Denied", status_code="")])

    assert (result.success, result.values["status"], result.values["status_code"]) == (True, "Denied", "")


def test_a_claim_whose_code_says_not_found_is_not_found():
    result = claim_result(query(), [claim(status="", status_code="A4")])

    assert (result.success, result.error, result.values["status_code"]) == (False, NOT_FOUND, "A4")


def test_a_claim_whose_code_is_a_payer_error_failed_and_may_be_asked_again():
    result = claim_result(query(), [claim(status="", status_code="E1")])

    assert (result.success, result.error, result.retryable) == (False, "Look-up failed: payer not responding", True)


def test_a_failed_look_up_is_retryable_and_keeps_the_query_columns():
    result = lookup_failed(query(row=7), "the payer did not answer within 60 s")

    assert (result.row, result.success, result.retryable) == (7, False, True)
    assert result.error == "Look-up failed: the payer did not answer within 60 s"
    assert (result.values["claim_number"], result.values["status"]) == ("ZE59426195", "Error")


def test_the_base_of_a_row_that_failed_its_checks_holds_what_passed():
    assert claim_base({"claim_number": "ZE1", "last_name": "KISA"}) == {
        "claim_number": "ZE1", "patient_name": "KISA"
    }


def _name_key_in_full(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace()).casefold()


def test_the_quick_key_of_plain_names_is_the_full_key():
    generator = random.Random(14)
    alphabet = [chr(code) for code in range(128)] + ["é", "ß", "\u00a0", "ﬁ", "Å"]
    names = ["".join(generator.choice(alphabet) for _ in range(generator.randrange(0, 12))) for _ in range(5000)]

    assert [name_key(name) for name in names] == [_name_key_in_full(name) for name in names]
