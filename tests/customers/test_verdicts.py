"""An address's status from what the Geocoding API answered for it."""

from customers.models import Customer
from customers.standardizing import PostalAddress
from customers.verdicts import verdict_from_results, verdict_offline

from .fake_google import NOT_FOUND, found, only_locality

Status = Customer.AddressStatus
SENT = PostalAddress("123 Main Street", "Springfield", "IL", "62701")


def results(answer) -> list[dict]:
    return answer.body["results"]


def test_one_precise_match_of_the_same_address_is_verified_in_googles_form():
    verdict = verdict_from_results(SENT, results(found("123", "Main St", "Springfield", "IL", "62701")))

    assert verdict.status == Status.VERIFIED
    assert verdict.suggestion == PostalAddress("123 Main St", "Springfield", "IL", "62701")
    assert verdict.note == "Confirmed by Google Maps"


def test_a_zip_plus_four_from_google_is_no_correction():
    verdict = verdict_from_results(SENT, results(found("123", "Main St", "Springfield", "IL", "62701", suffix="1234")))

    assert verdict.status == Status.VERIFIED
    assert verdict.suggestion.postal_code == "62701-1234"


def test_the_customers_zip_plus_four_stays_when_google_gives_none():
    sent = PostalAddress("123 Main St", "Springfield", "IL", "62701-1234")

    verdict = verdict_from_results(sent, results(found("123", "Main St", "Springfield", "IL", "62701")))

    assert (verdict.status, verdict.suggestion.postal_code) == (Status.VERIFIED, "62701-1234")


def test_a_precise_match_with_another_zip_code_is_corrected_and_says_what_changed():
    verdict = verdict_from_results(SENT, results(found("123", "Main St", "Springfield", "IL", "62704")))

    assert verdict.status == Status.CORRECTED
    assert verdict.suggestion == PostalAddress("123 Main St", "Springfield", "IL", "62704")
    assert verdict.note == "Google Maps corrected ZIP code 62701 → 62704"


def test_a_misspelt_street_and_city_are_corrected():
    sent = PostalAddress("123 Mian St", "Springfeld", "IL", "62701")

    verdict = verdict_from_results(sent, results(found("123", "Main St", "Springfield", "IL", "62701")))

    assert verdict.status == Status.CORRECTED
    assert verdict.note == "Google Maps corrected street 123 Mian St → 123 Main St, city Springfeld → Springfield"


def test_the_customers_name_for_the_place_is_kept_when_google_knows_it_too():
    sent = PostalAddress("1 Front St", "Brooklyn", "NY", "11201")
    answer = found("1", "Front St", "New York", "NY", "11201", sublocality="Brooklyn")

    verdict = verdict_from_results(sent, results(answer))

    assert (verdict.status, verdict.suggestion.city) == (Status.VERIFIED, "Brooklyn")


def test_saint_and_st_name_the_same_city():
    sent = PostalAddress("1 Market St", "Saint Louis", "MO", "63101")

    verdict = verdict_from_results(sent, results(found("1", "Market St", "St. Louis", "MO", "63101")))

    assert verdict.status == Status.VERIFIED


def test_the_customers_unit_is_kept_in_the_suggestion():
    sent = PostalAddress("123 Main St Apt 4B", "Springfield", "IL", "62701")

    verdict = verdict_from_results(sent, results(found("123", "Main St", "Springfield", "IL", "62704")))

    assert verdict.status == Status.CORRECTED
    assert verdict.suggestion.street == "123 Main St Apt 4B"


def test_no_match_needs_review_with_nothing_to_suggest():
    verdict = verdict_from_results(SENT, results(NOT_FOUND))

    assert (verdict.status, verdict.suggestion, verdict.note) == (
        Status.NEEDS_REVIEW, None, "Google Maps found no such address"
    )


def test_a_partial_match_needs_review_with_its_suggestion():
    answer = found("123", "Main St", "Springfield", "IL", "62704", partial_match=True)

    verdict = verdict_from_results(SENT, results(answer))

    assert verdict.status == Status.NEEDS_REVIEW
    assert verdict.suggestion == PostalAddress("123 Main St", "Springfield", "IL", "62704")
    assert verdict.note == "Google Maps matched only part of the address"


def test_an_approximate_place_needs_review():
    answer = found("123", "Main St", "Springfield", "IL", "62701", location_type="APPROXIMATE")

    assert verdict_from_results(SENT, results(answer)).status == Status.NEEDS_REVIEW


def test_a_range_interpolated_match_is_precise_enough():
    answer = found("123", "Main St", "Springfield", "IL", "62701", location_type="RANGE_INTERPOLATED")

    assert verdict_from_results(SENT, results(answer)).status == Status.VERIFIED


def test_a_town_without_a_building_needs_review_without_a_suggestion():
    verdict = verdict_from_results(SENT, results(only_locality("Springfield", "IL")))

    assert (verdict.status, verdict.suggestion) == (Status.NEEDS_REVIEW, None)
    assert verdict.note.startswith("Google Maps found only Springfield, IL, USA, not a street address")


def test_several_places_need_review():
    answer = found("123", "Main St", "Springfield", "IL", "62701", extra_results=1)

    verdict = verdict_from_results(SENT, results(answer))

    assert verdict.status == Status.NEEDS_REVIEW
    assert verdict.note == "Google Maps found 2 possible places; the first is suggested"


def test_a_place_outside_the_united_states_needs_review():
    answer = found("123", "Main St", "Springfield", "ON", "62701", country="CA")

    verdict = verdict_from_results(SENT, results(answer))

    assert verdict.status == Status.NEEDS_REVIEW
    assert "outside the United States" in verdict.note


def test_offline_the_address_is_formatted_and_not_verified():
    verdict = verdict_offline(PostalAddress("123 north main street", "SPRINGFIELD", "il", "627011234"))

    assert verdict.status == Status.NOT_VERIFIED
    assert verdict.suggestion == PostalAddress("123 N Main St", "Springfield", "IL", "62701-1234")
