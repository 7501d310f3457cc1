"""Service addresses checked after an import: offline without a key, against (a fake) Google Maps with one."""

import itertools
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from customers import verification
from customers.geocoding import LookupRefused
from customers.leases import lease_take
from customers.models import AddressLookup, AddressVerificationLease, Customer
from customers.tasks import verify_customer_addresses
from customers.verification import LookupsPaused, addresses_verify
from tests.factories import CustomerFactory

from .fake_google import NOT_FOUND, OVER_QUERY_LIMIT, SERVER_ERROR, found, slow

pytestmark = pytest.mark.django_db

Status = Customer.AddressStatus
MAIN = "123 Main St, Springfield, IL 62701"


def customer_at(company, street="123 Main St", city="Springfield", state="IL", postal_code="62701", **extra):
    return CustomerFactory(company=company, service_address=street, city=city, state=state, postal_code=postal_code,
                           **extra)


def statuses(company) -> dict[str, str]:
    return dict(Customer.objects.filter(company=company).values_list("service_address", "address_status"))


# --- Without a key ---------------------------------------------------------------------------------------------


def test_without_a_key_addresses_are_formatted_offline_and_marked_not_verified(company, verify_all):
    customer = customer_at(company, street="123 north main street apt. #4b", city="SPRINGFIELD", state="IL",
                           postal_code="627011234")

    runs = verify_all(company)

    customer.refresh_from_db()
    assert [run.outcome for run in runs] == ["done"]
    assert customer.address_status == Status.NOT_VERIFIED
    assert (customer.standardized_address, customer.standardized_city, customer.standardized_state,
            customer.standardized_postal_code) == ("123 N Main St Apt 4B", "Springfield", "IL", "62701-1234")
    assert customer.service_address == "123 north main street apt. #4b"  # what the user sent stays beside it
    assert customer.address_checked_at is not None
    assert customer.address_note == "Formatted offline; not checked with Google Maps"
    assert not AddressLookup.objects.exists()


def test_only_pending_customers_of_the_company_are_checked(company, other_company, verify_all):
    pending = customer_at(company)
    reviewed = customer_at(company, address_status=Status.VERIFIED)
    foreign = customer_at(other_company)

    verify_all(company)

    assert Customer.objects.get(pk=pending.pk).address_status == Status.NOT_VERIFIED
    assert Customer.objects.get(pk=reviewed.pk).address_status == Status.VERIFIED
    assert Customer.objects.get(pk=foreign.pk).address_status == Status.PENDING


def test_customers_are_checked_and_saved_in_batches_of_the_configured_size(company, settings, monkeypatch):
    settings.ADDRESS_VERIFICATION_BATCH_SIZE = 2
    for n in range(5):
        customer_at(company, street=f"{n} Main St")
    saved = verification._save
    sizes = []

    def save(batch, verdicts):
        sizes.append(len(batch))
        return saved(batch, verdicts)

    monkeypatch.setattr(verification, "_save", save)

    run = addresses_verify(company_id=company.pk)

    assert (run.outcome, run.checked, sizes) == ("done", 5, [2, 2, 1])
    assert set(statuses(company).values()) == {Status.NOT_VERIFIED}


def test_a_run_hands_over_to_the_next_when_its_time_is_up(company, settings):
    settings.ADDRESS_VERIFICATION_BATCH_SIZE = 2
    customers = [customer_at(company, street=f"{n} Main St") for n in range(5)]

    first = addresses_verify(company_id=company.pk, seconds=0)
    second = addresses_verify(company_id=company.pk, after_pk=first.resume_after, seconds=0)

    assert (first.outcome, first.resume_after, first.checked) == ("more", customers[1].pk, 2)
    assert (second.outcome, second.resume_after, second.checked) == ("more", customers[3].pk, 2)
    assert list(Customer.objects.filter(address_status=Status.PENDING)) == [customers[4]]


# --- With Google Maps ------------------------------------------------------------------------------------------


def test_verified_corrected_and_not_found_addresses_end_in_their_status(company, fake_google, verify_all):
    fake_google.script(MAIN, found("123", "Main St", "Springfield", "IL", "62701", suffix="4321"))
    fake_google.script("9 Oak Ave, Springfield, IL 62701", found("9", "Oak Ave", "Springfield", "IL", "62704"))
    fake_google.script("1 Nowhere Ln, Springfield, IL 62701", NOT_FOUND)
    verified = customer_at(company, street="123 main street")
    corrected = customer_at(company, street="9 Oak Avenue")
    not_found = customer_at(company, street="1 Nowhere Lane")

    verify_all(company)

    verified.refresh_from_db()
    corrected.refresh_from_db()
    not_found.refresh_from_db()
    assert (verified.address_status, verified.standardized_address, verified.standardized_postal_code) == (
        Status.VERIFIED, "123 Main St", "62701-4321"
    )
    assert verified.service_address == "123 main street"
    assert (corrected.address_status, corrected.standardized_postal_code, corrected.postal_code) == (
        Status.CORRECTED, "62704", "62701"
    )
    assert corrected.address_note == "Google Maps corrected ZIP code 62701 → 62704"
    assert (not_found.address_status, not_found.standardized_address, not_found.address_note) == (
        Status.NEEDS_REVIEW, "", "Google Maps found no such address"
    )
    assert fake_google.count() == 3


def test_a_partial_match_needs_review_with_googles_suggestion(company, fake_google, verify_all):
    fake_google.script(MAIN, found("123", "Main St", "Springfield", "IL", "62704", partial_match=True))
    customer = customer_at(company)

    verify_all(company)

    customer.refresh_from_db()
    assert (customer.address_status, customer.standardized_postal_code) == (Status.NEEDS_REVIEW, "62704")
    assert customer.address_note == "Google Maps matched only part of the address"


def test_a_repeated_address_costs_one_request_whatever_its_spelling_batch_run_or_company(
    company, other_company, fake_google, settings, verify_all
):
    settings.ADDRESS_VERIFICATION_BATCH_SIZE = 2
    fake_google.script(MAIN, found("123", "Main St", "Springfield", "IL", "62701"))
    for street in ("123 Main St", "123 main street", "123 MAIN ST.", "  123 Main  Street "):
        customer_at(company, street=street)

    verify_all(company)
    customer_at(company, street="123 Main Street")  # a later import
    customer_at(other_company, street="123 Main St")
    verify_all(company)
    verify_all(other_company)

    assert fake_google.count() == 1
    assert set(statuses(company).values()) == {Status.VERIFIED}
    assert set(statuses(other_company).values()) == {Status.VERIFIED}
    assert list(AddressLookup.objects.values_list("query", flat=True)) == [MAIN]


def test_an_answer_older_than_the_cache_days_is_looked_up_again(company, fake_google, settings, verify_all):
    settings.GOOGLE_MAPS_CACHE_DAYS = 30
    fake_google.script(MAIN, found("123", "Main St", "Springfield", "IL", "62701"))
    customer_at(company)
    verify_all(company)
    AddressLookup.objects.update(looked_up_at=timezone.now() - timedelta(days=31))

    customer_at(company, street="123 Main Street")
    verify_all(company)

    assert fake_google.count() == 2
    assert AddressLookup.objects.count() == 1
    assert AddressLookup.objects.get().looked_up_at > timezone.now() - timedelta(minutes=1)


def test_over_quota_answers_back_off_and_succeed_later(company, fake_google, verify_all):
    fake_google.script(MAIN, OVER_QUERY_LIMIT, OVER_QUERY_LIMIT,
                       found("123", "Main St", "Springfield", "IL", "62701"))
    customer = customer_at(company)

    started = time.monotonic()
    verify_all(company)
    elapsed = time.monotonic() - started

    customer.refresh_from_db()
    assert customer.address_status == Status.VERIFIED
    assert fake_google.count(MAIN) == 3
    # The client waits before each retry: at least 0.25 s, then 0.375 s (half of 0.5 s times 1.5ⁿ, with jitter).
    assert elapsed >= 0.6


def test_server_errors_are_retried(company, fake_google, verify_all):
    fake_google.script(MAIN, SERVER_ERROR, found("123", "Main St", "Springfield", "IL", "62701"))
    customer = customer_at(company)

    verify_all(company)

    customer.refresh_from_db()
    assert (customer.address_status, fake_google.count(MAIN)) == (Status.VERIFIED, 2)


def test_quota_that_stays_exhausted_pauses_the_run(company, fake_google, settings):
    settings.GOOGLE_MAPS_RETRY_SECONDS = 1
    fake_google.script(MAIN, OVER_QUERY_LIMIT)
    customer = customer_at(company)

    with pytest.raises(LookupsPaused, match="kept refusing for 1 s"):
        addresses_verify(company_id=company.pk)

    customer.refresh_from_db()
    assert customer.address_status == Status.PENDING
    assert fake_google.count(MAIN) >= 2
    assert not AddressLookup.objects.exists()  # nothing worth caching was answered


def test_a_timeout_pauses_the_run_after_the_batches_already_saved(company, fake_google, settings):
    settings.ADDRESS_VERIFICATION_BATCH_SIZE = 1
    fake_google.script(MAIN, found("123", "Main St", "Springfield", "IL", "62701"))
    slow_address = "9 Oak Ave, Springfield, IL 62701"
    fake_google.script(slow_address, slow(found("9", "Oak Ave", "Springfield", "IL", "62701"), 3),
                       found("9", "Oak Ave", "Springfield", "IL", "62701"))
    first = customer_at(company)
    second = customer_at(company, street="9 Oak Ave")

    with pytest.raises(LookupsPaused, match="did not answer within 1 s") as paused:
        addresses_verify(company_id=company.pk)
    run = addresses_verify(company_id=company.pk, after_pk=paused.value.resume_after)

    assert paused.value.resume_after == first.pk
    assert run.outcome == "done"
    assert statuses(company) == {"123 Main St": Status.VERIFIED, "9 Oak Ave": Status.VERIFIED}
    assert fake_google.count(MAIN) == 1
    assert fake_google.count(slow_address) == 2
    assert AddressVerificationLease.objects.get(company=company).holder == ""  # released, also when paused
    assert second.pk > first.pk


def test_the_task_retries_after_a_timeout_and_completes(company, fake_google):
    fake_google.script(MAIN, slow(found("123", "Main St", "Springfield", "IL", "62701"), 3),
                       found("123", "Main St", "Springfield", "IL", "62701"))
    customer = customer_at(company)

    result = verify_customer_addresses.apply(args=[company.pk])  # eagerly: the retry runs at once

    customer.refresh_from_db()
    assert result.get() == "done"
    assert customer.address_status == Status.VERIFIED
    assert fake_google.count(MAIN) == 2


def test_the_task_backs_off_longer_after_each_pause():
    from customers.tasks import MAX_RETRY_SECONDS, retry_countdown

    waits = [retry_countdown(retries) for retries in range(8)]

    assert 22.5 <= waits[0] <= 30
    assert all(later > earlier for earlier, later in itertools.pairwise(waits[:5]))
    assert max(waits) <= MAX_RETRY_SECONDS


def test_a_refused_key_stops_verification_and_leaves_customers_pending(company, fake_google, settings):
    settings.GOOGLE_MAPS_API_KEY = "AIzaSomebodyElsesKey"
    customer = customer_at(company)

    with pytest.raises(LookupRefused, match="REQUEST_DENIED: The provided API key is invalid"):
        addresses_verify(company_id=company.pk)

    customer.refresh_from_db()
    assert customer.address_status == Status.PENDING
    assert AddressVerificationLease.objects.get(company=company).holder == ""


def test_a_key_that_is_no_google_maps_key_is_refused_with_a_clear_message(company, fake_google, settings):
    settings.GOOGLE_MAPS_API_KEY = "my-key"
    customer_at(company)

    with pytest.raises(LookupRefused, match="GOOGLE_MAPS_API_KEY cannot be used: Invalid API key provided"):
        addresses_verify(company_id=company.pk)


def test_a_rate_below_one_request_a_second_is_refused_with_a_clear_message(company, fake_google, settings):
    settings.GOOGLE_MAPS_QUERIES_PER_SECOND = 0
    customer_at(company)

    with pytest.raises(LookupRefused, match="GOOGLE_MAPS_QUERIES_PER_SECOND must be a whole number of at least 1"):
        addresses_verify(company_id=company.pk)


def test_requests_keep_to_the_rate_limit(company, fake_google, settings, verify_all):
    settings.GOOGLE_MAPS_QUERIES_PER_SECOND = 2
    for n in range(5):
        customer_at(company, street=f"{n} Main St")

    started = time.monotonic()
    verify_all(company)

    # Five requests at two a second: the third waits for the first second to pass, the fifth for the second.
    assert fake_google.count() == 5
    assert time.monotonic() - started >= 1.9


# --- One run per company, and addresses that change meanwhile -------------------------------------------------


def test_a_run_is_turned_away_while_another_live_run_holds_the_company(company):
    customer = customer_at(company)
    assert lease_take(company_id=company.pk, holder="another-task")

    run = addresses_verify(company_id=company.pk, holder="this-task")

    customer.refresh_from_db()
    assert run.outcome == "busy"
    assert customer.address_status == Status.PENDING


def test_the_lease_of_a_run_that_died_is_taken_over(company):
    customer = customer_at(company)
    lease_take(company_id=company.pk, holder="dead-task")
    AddressVerificationLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    run = addresses_verify(company_id=company.pk, holder="this-task")

    customer.refresh_from_db()
    assert (run.outcome, customer.address_status) == ("done", Status.NOT_VERIFIED)


def test_a_redelivered_task_takes_back_its_own_lease(company):
    lease_take(company_id=company.pk, holder="task-1")
    customer_at(company)

    assert addresses_verify(company_id=company.pk, holder="task-1").outcome == "done"


def test_an_unknown_company_is_nothing_to_do():
    assert addresses_verify(company_id=987654).outcome == "missing"


def test_an_address_changed_while_it_was_checked_is_checked_again(company, monkeypatch, verify_all):
    customer = customer_at(company, street="1 Old Rd")
    checked = verification._verdicts

    def import_meanwhile(batch, **options):
        verdicts = checked(batch, **options)
        Customer.objects.filter(pk=customer.pk).update(service_address="2 New Rd")  # an import saves a new address
        monkeypatch.setattr(verification, "_verdicts", checked)
        return verdicts

    monkeypatch.setattr(verification, "_verdicts", import_meanwhile)
    runs = verify_all(company)

    customer.refresh_from_db()
    assert [(run.outcome, run.checked) for run in runs] == [("more", 0), ("done", 1)]
    assert (customer.address_status, customer.standardized_address) == (Status.NOT_VERIFIED, "2 New Rd")
