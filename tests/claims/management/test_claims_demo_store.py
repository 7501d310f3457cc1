import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError

from claims.models import Claim

pytestmark = pytest.mark.django_db


def test_the_guides_sample_claims_are_stored_once_however_often_it_runs(company, command):
    for _ in range(2):
        result = command("claims_demo_store", "--company", "acme")
        assert result.status == 0

    chantal, john = Claim.objects.filter(company=company).order_by("claim_number")
    assert (chantal.claim_number, chantal.first_name, chantal.date_of_birth, chantal.subscriber_id) == (
        "ZE59426195", "CHANTAL", dt.date(1975, 5, 10), "057896633"
    )
    assert (chantal.status, chantal.total_charged, chantal.total_paid, chantal.processed_date) == (
        "Finalized", Decimal("720.00"), Decimal("351.00"), dt.date(2025, 8, 8)
    )
    assert (john.claim_number, john.status, john.total_charged) == ("ZE59426196", "Pending", Decimal("500.00"))


def test_an_unknown_company_is_named(db, command):
    with pytest.raises(CommandError, match="No company with the slug 'nobody'"):
        command("claims_demo_store", "--company", "nobody")
