import itertools
import logging
import multiprocessing
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from claims.matching import MISMATCH, NOT_FOUND, SEVERAL
from claims.payer import (
    RETRY_AFTER_LIMIT_SECONDS,
    UnreadableAnswer,
    backoff_delay,
    payer_look_up,
    read_answer,
    retry_after_seconds,
)
from claims.rate_limits import job_slots
from imports.declare.lookups import LookupQuery

from . import fake_payer as fake
from .processes import run_payer_job

FIRST, LAST, BIRTH = "Zebulon", "Quackenbush", date(1961, 7, 4)


def query(row: int, subscriber_id: str = fake.PAID, **values) -> LookupQuery:
    return LookupQuery(row=row, values={
        "claim_number": f"CLM-{row:04d}", "first_name": FIRST, "last_name": LAST, "date_of_birth": BIRTH,
        "subscriber_id": subscriber_id, "payer_id": None, "provider_npi": "1234567893",
        "service_date_from": None, "service_date_to": None, **values,
    })


def look_up(*queries: LookupQuery, job_key: str | None = None) -> list:
    return sorted(payer_look_up(queries, job_key=job_key or uuid.uuid4().hex), key=lambda result: result.row)


def look_up_one(subscriber_id: str, **values):
    [result] = look_up(query(1, subscriber_id, **values))
    return result


def payer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("claims-payer")]


def eventually(condition, seconds: float = 5.0) -> bool:
    """Whether `condition()` holds within `seconds` (for what a stopped look-up frees in the background)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- What each answer means -----------------------------------------------------------------------------------------


def test_a_paid_claim_is_finalized_with_its_amounts_and_dates(fake_payer):
    result = look_up_one(fake.PAID)

    assert (result.success, result.error, result.retryable) == (True, "", False)
    assert result.values == {
        "claim_number": "CLM-0001", "patient_name": "Zebulon Quackenbush", "date_of_birth": "07/04/1961",
        "subscriber_id": fake.PAID, "status": "Finalized", "status_code": "F1", "total_charged": "150.00",
        "total_paid": "120.00", "processed_date": "01/20/2024", "paid_date": "01/22/2024",
        "payer_claim_number": "PCN-1", "check_number": "CHK-1",
    }
    assert fake_payer.count() == 1


@pytest.mark.parametrize(("subscriber_id", "status", "code"), [
    (fake.DENIED, "Denied", "F2"),
    (fake.PENDING, "Pending", "P1"),
])
def test_denied_and_pending_claims_are_found_with_their_word_and_code(fake_payer, subscriber_id, status, code):
    result = look_up_one(subscriber_id)

    assert result.success
    assert (result.values["status"], result.values["status_code"]) == (status, code)


@pytest.mark.parametrize("subscriber_id", [fake.NOT_FOUND, fake.NOT_FOUND_ERROR, fake.WRONG_NUMBER])
def test_a_claim_the_payer_does_not_have_is_not_found(fake_payer, subscriber_id):
    result = look_up_one(subscriber_id)

    assert (result.success, result.error, result.retryable) == (False, NOT_FOUND, False)
    assert result.values["status"] == "Error"
    assert fake_payer.count() == 1  # not asked again


def test_a_claim_of_another_patient_is_a_mismatch_that_echoes_nothing_of_it(fake_payer):
    result = look_up_one(fake.MISMATCH)

    assert (result.success, result.error, result.retryable) == (False, MISMATCH, False)
    shown = " ".join([result.error, *result.values.values()])
    assert "Other" not in shown
    assert "Person" not in shown
    assert "1950" not in shown
    assert "SBX9999999" not in shown


def test_two_matching_claims_ask_for_what_tells_them_apart(fake_payer):
    result = look_up_one(fake.TWO_CLAIMS)

    assert (result.success, result.error) == (False, SEVERAL)


def test_service_dates_sent_to_the_payer_pick_one_of_two_claims(fake_payer):
    result = look_up_one(fake.TWO_CLAIMS, service_date_from=date(2024, 3, 4), service_date_to=date(2024, 3, 4))

    assert result.success
    assert (result.values["status"], result.values["payer_claim_number"]) == ("Denied", "PCN-B")


def test_a_claim_of_another_payer_than_the_row_names_is_not_found(fake_payer):
    assert look_up_one(fake.PAID, payer_id="99999").error == NOT_FOUND
    assert look_up_one(fake.PAID, payer_id=fake.PAYER_ID).success


# --- Asking again ---------------------------------------------------------------------------------------------------


def test_a_payer_that_throttles_once_answers_when_asked_again(fake_payer):
    result = look_up_one(fake.THROTTLED_ONCE)

    assert result.success
    assert result.values["status"] == "Finalized"
    assert fake_payer.count(fake.THROTTLED_ONCE) == 2


def test_retry_after_is_waited_before_asking_again(fake_payer):
    fake_payer.retry_after = "1"  # much longer than the backoff the tests set (at most 0.05 s)

    assert look_up_one(fake.THROTTLED_ONCE).success

    first, second = fake_payer.arrivals[(fake.THROTTLED_ONCE, "CLM-0001")]
    assert second - first >= 0.9


def test_a_service_unavailable_once_answers_when_asked_again(fake_payer):
    result = look_up_one(fake.UNAVAILABLE_ONCE)

    assert result.success
    assert fake_payer.count(fake.UNAVAILABLE_ONCE) == 2


def test_a_service_always_unavailable_fails_retryable_after_every_retry(fake_payer, settings):
    result = look_up_one(fake.UNAVAILABLE)

    assert (result.success, result.retryable) == (False, True)
    assert result.error == "Look-up failed: the payer's service failed (HTTP 503)"
    assert result.values["status"] == "Error"
    assert fake_payer.count(fake.UNAVAILABLE) == settings.CLAIMS_API_RETRIES + 1


def test_a_payer_not_responding_is_asked_again_then_fails_retryable(fake_payer, settings):
    result = look_up_one(fake.NOT_RESPONDING)

    assert (result.success, result.retryable) == (False, True)
    assert result.error == "Look-up failed: payer not responding"
    assert fake_payer.count(fake.NOT_RESPONDING) == settings.CLAIMS_API_RETRIES + 1


def test_a_payer_that_does_not_answer_in_time_fails_retryable_after_every_retry(fake_payer, settings):
    fake_payer.hang_seconds = 3  # the client waits 0.5 s

    result = look_up_one(fake.TIMEOUT)

    assert (result.success, result.retryable) == (False, True)
    assert result.error == "Look-up failed: the payer did not answer in time"
    assert fake_payer.count(fake.TIMEOUT) == settings.CLAIMS_API_RETRIES + 1


def test_an_answer_that_cannot_be_read_fails_retryable_without_asking_again(fake_payer):
    result = look_up_one(fake.MALFORMED)

    assert (result.success, result.retryable) == (False, True)
    assert result.error == "Look-up failed: the payer's answer could not be read"
    assert fake_payer.count(fake.MALFORMED) == 1


def test_a_payer_that_cannot_be_reached_fails_retryable(fake_payer, settings):
    fake_payer.stop()  # nothing listens on its port any more

    result = look_up_one(fake.PAID)

    assert (result.success, result.retryable) == (False, True)
    assert result.error == "Look-up failed: the payer could not be reached"


def test_a_wrong_token_fails_every_row_without_asking_again(fake_payer, settings):
    settings.CLAIMS_API_TOKEN = "not-the-token"

    results = look_up(query(1), query(2))

    assert [result.error for result in results] == [
        "Look-up failed: the payer refused our credentials (HTTP 401): check CLAIMS_API_TOKEN"] * 2
    assert all(result.retryable for result in results)  # worth asking again once the token is fixed
    assert fake_payer.refused_tokens == 2


def test_without_an_api_url_the_look_up_refuses_to_start(settings):
    settings.CLAIMS_API_URL = ""

    with pytest.raises(ImproperlyConfigured, match="CLAIMS_API_URL"):
        next(payer_look_up([query(1)], job_key="job"))


def test_the_backoff_grows_with_each_attempt_up_to_its_cap_with_full_jitter():
    waits = {attempt: [backoff_delay(attempt, base=1.0, cap=5.0) for _ in range(200)] for attempt in range(6)}

    assert all(0 <= wait <= min(5.0, 2**attempt) for attempt, values in waits.items() for wait in values)
    assert max(waits[2]) > 2.0  # up to 4 s on the third attempt
    assert min(waits[2]) < 2.0  # jittered over the whole range
    assert backoff_delay(100, base=1.0, cap=5.0) <= 5.0


def test_the_backoff_is_never_shorter_than_retry_after_within_its_limit():
    assert all(backoff_delay(0, base=0.01, cap=0.05, retry_after=7.0) >= 7.0 for _ in range(50))
    assert backoff_delay(0, base=0.01, cap=0.05, retry_after=10**6) == RETRY_AFTER_LIMIT_SECONDS


def test_retry_after_is_read_in_seconds_or_as_an_http_date():
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)

    assert retry_after_seconds("120") == 120.0
    assert 55 <= retry_after_seconds(in_a_minute) <= 60
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("nan") is None


def test_an_answer_to_another_inquiry_is_not_read():
    with pytest.raises(UnreadableAnswer):
        read_answer({"trace_number": "other", "claims": []}, "mine")
    assert read_answer({"trace_number": "mine", "claims": []}, "mine").claims == ()


@pytest.mark.parametrize("claim", [
    {"claim_number": "C", "patient": {"date_of_birth": "07/04/1961"}},
    {"claim_number": "C", "total_paid": "lots"},
    {"claim_number": "C", "total_paid": "NaN"},
    {"claim_number": ["C"]},
    "C",
])
def test_a_claim_not_in_the_protocol_makes_the_answer_unreadable_without_quoting_it(claim):
    with pytest.raises(UnreadableAnswer) as raised:
        read_answer({"claims": [claim]}, "mine")

    assert "07/04/1961" not in str(raised.value)
    assert raised.value.__context__ is None or raised.value.__suppress_context__  # no traceback shows the value


# --- Many look-ups --------------------------------------------------------------------------------------------------


def test_every_query_gets_one_result(fake_payer):
    scenarios = [fake.PAID, fake.DENIED, fake.NOT_FOUND, fake.UNAVAILABLE_ONCE, fake.MALFORMED, fake.MISMATCH]
    queries = [query(row, scenarios[row % len(scenarios)]) for row in range(1, 31)]

    results = look_up(*queries)

    assert [result.row for result in results] == list(range(1, 31))
    assert sum(result.success for result in results) == 15  # paid, denied and unavailable once: 5 rows each


def test_look_ups_in_flight_never_exceed_the_bound(fake_payer, settings):
    fake_payer.latency = 0.1

    results = look_up(*(query(row) for row in range(1, 21)))

    assert all(result.success for result in results)
    assert fake_payer.max_in_flight == settings.CLAIMS_MAX_IN_FLIGHT  # reached, never passed


def test_two_processes_on_one_job_share_its_bound(fake_payer, settings):
    fake_payer.latency = 0.1
    job_key = uuid.uuid4().hex
    overrides = {
        name: getattr(settings, name)
        for name in ("CLAIMS_API_URL", "CLAIMS_API_TOKEN", "CLAIMS_API_TIMEOUT", "CLAIMS_API_CONNECT_TIMEOUT",
                     "CLAIMS_API_RETRIES", "CLAIMS_API_BACKOFF_SECONDS", "CLAIMS_API_BACKOFF_MAX_SECONDS",
                     "CLAIMS_API_RATE_PER_SECOND", "CLAIMS_API_BURST", "CLAIMS_MAX_IN_FLIGHT", "REDIS_URL",
                     "CELERY_BROKER_URL", "VAR_DIR")
    }
    spawn = multiprocessing.get_context("spawn")
    go, results = spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=run_payer_job, args=(overrides, job_key, [fake.PAID] * 16, go, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()

    go.set()
    answers = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)

    assert [len(answer) for answer in answers] == [16, 16]
    assert all(success for answer in answers for _, success, _ in answer)
    assert fake_payer.max_in_flight <= settings.CLAIMS_MAX_IN_FLIGHT  # each alone would have had 4


def test_queries_are_taken_only_when_there_is_room_for_them(fake_payer, settings):
    taken = itertools.count(1)
    pulled = 0

    def endless():
        nonlocal pulled
        for row in taken:
            pulled = row
            yield query(row)

    results = payer_look_up(endless(), job_key=uuid.uuid4().hex)
    for answered, _ in enumerate(itertools.islice(results, 12), start=1):
        assert pulled <= settings.CLAIMS_MAX_IN_FLIGHT + answered
    results.close()

    assert pulled <= settings.CLAIMS_MAX_IN_FLIGHT + 12


def test_stopping_early_cuts_the_calls_in_flight_and_frees_their_slots(fake_payer, settings):
    settings.CLAIMS_API_TIMEOUT = 60  # the calls would wait this long...
    fake_payer.hang_seconds = 60  # ...for a payer that takes longer still
    job_key = uuid.uuid4().hex
    queries = [query(1), *(query(row, fake.TIMEOUT) for row in range(2, 11))]

    results = payer_look_up(iter(queries), job_key=job_key)
    first = next(results)
    assert eventually(lambda: fake_payer.in_flight == settings.CLAIMS_MAX_IN_FLIGHT)
    results.close()

    assert first.row == 1
    slots = job_slots(job_key)
    assert eventually(lambda: slots.held_count() == 0)
    assert eventually(lambda: not payer_threads())
    assert fake_payer.count() <= settings.CLAIMS_MAX_IN_FLIGHT + 1  # the rest were never sent
    slots.close()


def test_a_closed_run_leaves_no_thread_behind(fake_payer):
    look_up(*(query(row) for row in range(1, 9)))

    assert eventually(lambda: not payer_threads())


# --- Health data ----------------------------------------------------------------------------------------------------


def test_no_name_birth_date_or_subscriber_id_reaches_the_logs(fake_payer, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests", "claims"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake_payer.hang_seconds = 1
    queries = [query(row, subscriber_id) for row, subscriber_id in enumerate(fake.SCENARIOS.values(), start=1)]
    queries.append(query(99, "W00012345", first_name="Ingrid", last_name="Öberg-Nakamura",
                         date_of_birth=date(1990, 2, 28)))

    results = look_up(*queries)

    logged = "\n".join([
        caplog.text,
        *(f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in caplog.records),
    ])
    assert "urllib3" in logged  # the HTTP library's own debug lines were captured too
    assert "Payer look-ups of job" in logged
    forbidden = [FIRST, LAST, "1961-07-04", "07/04/1961", "7/4/1961", "19610704", "Ingrid", "Öberg", "Nakamura",
                 "1990-02-28", "02/28/1990", "W00012345", "SBX", "Other", "Person", "1950-05-05"]
    assert [word for word in forbidden if word in logged] == []
    errors = " ".join(result.error for result in results)
    assert [word for word in forbidden if word in errors] == []
