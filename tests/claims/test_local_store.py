"""Look-ups against a company's local claims store: one database query per batch of queries."""

import datetime as dt
from itertools import count

import pytest

from claims.local_store import local_look_up
from claims.matching import MISMATCH, NOT_FOUND

from .conftest import query

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "code", "word"),
    [("Finalized", "F1", "Finalized"), ("Pending", "P1", "Pending"), ("Denied", "F2", "Denied"),
     ("Rejected", "A3", "Rejected"), ("Pending", "", "Pending"), ("Denied", "", "Denied")],
)
def test_a_stored_claim_is_found_with_its_status_word(company, store_claim, status, code, word):
    store_claim(status=status, status_code=code)

    [result] = local_look_up([query(row=4)], company)

    assert (result.row, result.success, result.values["status"], result.values["status_code"]) == (
        4, True, word, code
    )
    assert (result.values["total_charged"], result.values["processed_date"]) == ("720.00", "08/08/2025")


def test_an_unknown_claim_number_is_not_found(company, store_claim):
    store_claim()

    [result] = local_look_up([query(claim_number="ZE00000000")], company)

    assert (result.success, result.error) == (False, NOT_FOUND)


def test_another_companys_claim_is_not_found(company, other_company, store_claim):
    store_claim(into=other_company)

    [result] = local_look_up([query()], company)

    assert result.error == NOT_FOUND


def test_another_patient_does_not_match(company, store_claim):
    store_claim()

    [result] = local_look_up([query(date_of_birth=dt.date(1975, 5, 11))], company)

    assert (result.success, result.error) == (False, MISMATCH)


def test_a_payer_id_must_be_the_claims_payer(company, store_claim):
    store_claim(payer_id="60054")

    right, wrong = local_look_up([query(row=1, payer_id="60054"), query(row=2, payer_id="62308")], company)

    assert (right.success, wrong.success, wrong.error) == (True, False, NOT_FOUND)


def test_every_query_gets_one_result_with_one_database_query_per_batch(
    company, store_claim, django_assert_num_queries
):
    for number in range(30):
        store_claim(claim_number=f"ZE{number:08d}")
    queries = [query(row=row, claim_number=f"ZE{row % 40:08d}") for row in range(1, 2501)]

    with django_assert_num_queries(3):
        results = list(local_look_up(queries, company, batch_size=1000))

    assert [result.row for result in results] == list(range(1, 2501))
    found = {result.row for result in results if result.success}
    assert found == {row for row in range(1, 2501) if row % 40 < 30}


def test_queries_are_taken_a_batch_at_a_time(company, store_claim):
    store_claim()
    taken = count()

    def endless():
        for row in count(1):
            next(taken)
            yield query(row=row)

    results = local_look_up(endless(), company, batch_size=50)
    first = [next(results) for _ in range(50)]

    assert (len(first), next(taken)) == (50, 50)  # exactly one batch read, though the queries never end
    results.close()
