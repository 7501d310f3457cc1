"""Consumption put right once a job is in, whatever order its chunks wrote readings in."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from readings.consumption import consumption_recompute
from readings.models import MeterReading
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def reading(customer, day: str, value: str, consumption: str | None) -> MeterReading:
    return MeterReading.objects.create(
        company=customer.company, customer=customer, meter_number=customer.meter_number,
        reading_date=dt.date.fromisoformat(day), reading_value=Decimal(value),
        consumption=None if consumption is None else Decimal(consumption),
        reading_key=f"{customer.meter_number}@{day}",
    )


def consumptions(customer) -> list:
    return list(customer.readings.order_by("reading_date").values_list("consumption", flat=True))


def test_every_reading_of_the_touched_meters_is_put_against_its_real_previous_one(company):
    touched = CustomerFactory(company=company, meter_number="MTR-1")
    untouched = CustomerFactory(company=company, meter_number="MTR-2")
    reading(untouched, "2024-01-01", "10", None)
    reading(untouched, "2024-02-01", "30", "999")  # wrong, but not written since: left alone
    started = timezone.now()
    # As two chunks would leave them: each judged without the other's rows.
    reading(touched, "2024-03-01", "300", None)
    reading(touched, "2024-01-01", "100", None)
    reading(touched, "2024-02-01", "250", "250")

    changed = consumption_recompute(company.pk, changed_since=started)

    assert changed == 2
    assert consumptions(touched) == [None, Decimal("150"), Decimal("50")]
    assert consumptions(untouched) == [None, Decimal("999")]


def test_a_completed_import_runs_it_for_its_company(company, customers_and_readings):
    customer = customers_and_readings
    assert consumptions(customer) == [None, Decimal("150"), Decimal("50")]


@pytest.fixture
def customers_and_readings(company, write_file, run_import, monkeypatch, django_capture_on_commit_callbacks):
    """An import whose batch-by-batch fix-up is switched off, so only the job's final pass can set consumption."""
    from readings.import_targets import MeterReadingTarget

    customer = CustomerFactory(company=company, meter_number="MTR-1", account_number="1000000001")
    monkeypatch.setattr(MeterReadingTarget, "after_write", lambda self, plans, context: None)
    path = write_file("readings.csv", "account_number,meter_number,reading_date,reading_value\n"
                      "1000000001,MTR-1,2024-03-01,300\n1000000001,MTR-1,2024-01-01,100\n"
                      "1000000001,MTR-1,2024-02-01,250\n")
    with django_capture_on_commit_callbacks(execute=True):  # the final pass runs once the completion commits
        job = run_import(path, target="MeterReading", batch_size=1)
    assert job.created_records == 3
    return customer
