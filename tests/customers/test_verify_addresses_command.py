"""`manage.py verify_addresses`: an operator checks a company's pending addresses now."""

import pytest

from customers.leases import lease_take
from customers.models import Customer
from tests.factories import CustomerFactory

from .fake_google import found

pytestmark = pytest.mark.django_db

Status = Customer.AddressStatus


def test_pending_addresses_are_checked_and_counted(company, command):
    CustomerFactory.create_batch(3, company=company)
    CustomerFactory(company=company, address_status=Status.VERIFIED)

    result = command("verify_addresses", "--company", "acme")

    assert result.status == 0
    assert "GOOGLE_MAPS_API_KEY is not set" in result.stdout
    assert "Acme Water: 3 addresses checked (3 not verified)." in result.stdout
    assert Customer.objects.filter(address_status=Status.PENDING).count() == 0


def test_recheck_sends_not_verified_addresses_to_google_once_a_key_is_set(company, command, fake_google):
    fake_google.script("1 Engine Way, Springfield, IL 62701", found("1", "Engine Way", "Springfield", "IL", "62701"))
    CustomerFactory.create_batch(2, company=company, address_status=Status.NOT_VERIFIED)

    result = command("verify_addresses", "--recheck")

    assert result.status == 0
    assert "2 not-verified addresses of Acme Water will be checked again." in result.stdout
    assert "Acme Water: 2 addresses checked (2 verified)." in result.stdout
    assert fake_google.count() == 1


def test_a_refused_key_stops_with_one_clear_line(company, command, fake_google, settings):
    settings.GOOGLE_MAPS_API_KEY = "AIzaWrongKey"
    CustomerFactory(company=company)

    result = command("verify_addresses")

    assert result.status == 2
    assert result.stderr.strip() == (
        "Stopped: Google Maps refused the request (REQUEST_DENIED: The provided API key is invalid.); check "
        "GOOGLE_MAPS_API_KEY. The remaining addresses stay pending; run the command again later."
    )
    assert Customer.objects.get().address_status == Status.PENDING


def test_a_run_already_working_on_the_company_is_left_to_finish(company, command):
    CustomerFactory(company=company)
    lease_take(company_id=company.pk, holder="a-worker")

    result = command("verify_addresses")

    assert result.status == 2
    assert result.stderr.strip() == "Another run is checking the addresses of Acme Water now; it will finish them."


def test_an_unknown_company_is_one_clear_line(company, command):
    result = command("verify_addresses", "--company", "nope")

    assert (result.status, result.stderr.strip()) == (2, "Unknown company 'nope'.")
