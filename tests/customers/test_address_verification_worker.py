"""A 10,000-customer import on a real Celery worker finishes while Google Maps hangs; verification, queued after
it, waits for Google, then checks every customer, asking once per distinct address."""

import pytest
from django.core.files import File
from django.db.models import Count

from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.jobs.services import job_create, job_enqueue
from imports.models import ImportExportJob
from tests.customers.test_customer_import import HEADER, row
from tests.workers import job_finished, wait_for

from .fake_google import API_KEY, found

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CUSTOMERS = 10_000
ADDRESSES = 50  # customers share these: 1..40 exist as sent, 41..45 have another ZIP code, 46..50 do not exist


def test_an_import_of_10000_customers_never_waits_for_verification(company, fake_google, start_worker, tmp_path):
    for number in range(1, 41):
        fake_google.script(f"{number} Main St, Springfield, IL 62701",
                           found(str(number), "Main St", "Springfield", "IL", "62701"))
    for number in range(41, 46):
        fake_google.script(f"{number} Main St, Springfield, IL 62701",
                           found(str(number), "Main St", "Springfield", "IL", "62704"))
    path = tmp_path / "customers.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for n in range(1, CUSTOMERS + 1):
            street = f"{n % ADDRESSES + 1} main street"
            handle.write(row(n, phone=f"312-555-{n % 10_000:04d}", service_address=street) + "\n")
    fake_google.gate.clear()  # Google hangs until the test lets it answer
    worker = start_worker(environment={
        "GOOGLE_MAPS_API_KEY": API_KEY, "GOOGLE_MAPS_BASE_URL": fake_google.url,
        "GOOGLE_MAPS_QUERIES_PER_SECOND": "100", "GOOGLE_MAPS_TIMEOUT": "60",
    })

    with open(path, "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name="customers.csv"),
                         file_name="customers.csv", options=ImportOptions())
    job_enqueue(job)

    wait_for(lambda: job_finished(job), workers=[worker], what="the import to finish")
    assert (job.job_status, job.created_records, job.failed_records) == (ImportExportJob.Status.COMPLETED, CUSTOMERS, 0)
    wait_for(lambda: fake_google.count() >= 1, workers=[worker], what="verification to ask Google")
    assert Customer.objects.filter(company=company, address_status="pending").count() == CUSTOMERS

    fake_google.gate.set()
    wait_for(lambda: not Customer.objects.filter(address_status="pending").exists(), timeout=180,
             workers=[worker], what="verification to finish")

    by_status = dict(Customer.objects.values_list("address_status").annotate(n=Count("pk")).order_by())
    assert by_status == {"verified": 8_000, "corrected": 1_000, "needs_review": 1_000}
    assert fake_google.count() == ADDRESSES
    assert Customer.objects.filter(service_address="1 main street").first().standardized_address == "1 Main St"
