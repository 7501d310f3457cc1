"""Status words from X12 277 claim status category codes, for every code family of the issue."""

import pytest

from claims.statuses import StatusWord, category_codes_known, category_verdict


@pytest.mark.parametrize("code", ["F1", "F3", "F3F", "F3N", "F4", "f1"])
def test_finalized_codes(code):
    verdict = category_verdict(code)

    assert (verdict.word, verdict.found) == (StatusWord.FINALIZED, True)


def test_f2_is_denied():
    assert category_verdict("F2").word == StatusWord.DENIED


@pytest.mark.parametrize("code", ["P0", "P1", "P2", "P3", "P4", "P5", "A1", "A2", "R0", "R4", "R16", " r3 "])
def test_pending_codes(code):
    verdict = category_verdict(code)

    assert (verdict.word, verdict.found) == (StatusWord.PENDING, True)


@pytest.mark.parametrize("code", ["A3", "A6", "A7", "A8"])
def test_rejected_codes(code):
    assert category_verdict(code).word == StatusWord.REJECTED


@pytest.mark.parametrize("code", ["A4", "D0"])
def test_codes_saying_the_payer_has_no_such_claim(code):
    verdict = category_verdict(code)

    assert (verdict.word, verdict.found, verdict.reason, verdict.retryable) == (
        StatusWord.ERROR, False, "Claim not found", False
    )


@pytest.mark.parametrize(("code", "retryable"), [("E0", False), ("E1", True), ("E2", True), ("E3", False),
                                                  ("E4", False)])
def test_error_codes_and_which_are_worth_asking_again(code, retryable):
    verdict = category_verdict(code)

    assert (verdict.word, verdict.retryable) == (StatusWord.ERROR, retryable)
    assert verdict.reason


@pytest.mark.parametrize("code", ["", "ZZ", "F5", "P6", "E5", "R", "RX", "D1"])
def test_unknown_codes_have_no_verdict(code):
    assert category_verdict(code) is None


def test_every_code_named_as_known_has_a_verdict():
    codes = category_codes_known()

    assert {"F1", "F2", "F3F", "P0", "P5", "A4", "D0", "E4", "R16"} <= set(codes)
    assert all(category_verdict(code) is not None for code in codes)
