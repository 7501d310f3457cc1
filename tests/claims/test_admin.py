"""The operator's admin of claims: the list names claims by number and status, never by patient."""

import pytest
from django.urls import reverse

from claims.models import ClaimsSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, company):
    client.force_login(UserFactory(company=company, is_staff=True, is_superuser=True))
    return client


def test_the_claims_list_shows_no_patient_details(admin_client, store_claim):
    store_claim()

    page = admin_client.get(reverse("admin:claims_claim_changelist")).content.decode()

    assert "ZE59426195" in page
    assert "Finalized" in page
    for detail in ("CHANTAL", "KISA", "057896633", "1975"):
        assert detail not in page


def test_claims_are_searched_by_number_alone(admin_client, store_claim):
    store_claim()
    store_claim(claim_number="ZE00000001", last_name="ZED")
    changelist = reverse("admin:claims_claim_changelist")

    by_number = admin_client.get(changelist, {"q": "ZE5942"}).content.decode()
    by_name = admin_client.get(changelist, {"q": "KISA"}).content.decode()

    assert "ZE59426195" in by_number
    assert "ZE00000001" not in by_number
    assert "ZE59426195" not in by_name


def test_claims_settings_are_chosen_in_the_admin(admin_client, company):
    response = admin_client.post(reverse("admin:claims_claimssettings_add"), {
        "company": company.pk, "backend": "payer", "default_payer_id": "60054",
        "default_provider_npi": "1234567893", "service_lookback_days": "90",
    })

    assert response.status_code == 302
    assert ClaimsSettings.for_company(company).backend_name == "payer"


def test_a_bad_npi_is_refused_in_the_admin(admin_client, company):
    response = admin_client.post(reverse("admin:claims_claimssettings_add"), {
        "company": company.pk, "backend": "", "default_payer_id": "", "default_provider_npi": "1234567890",
        "service_lookback_days": "365",
    })

    assert "Enter a 10-digit NPI with a valid check digit." in response.content.decode()
    assert not ClaimsSettings.objects.exists()
