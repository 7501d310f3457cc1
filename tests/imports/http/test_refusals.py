"""A batch the database refuses (another import saved a conflicting record between planning and writing) is split
until the refused rows stand alone: each gets its own error, every other row lands."""

import pytest

from customers.models import Customer
from imports.jobs import import_kind
from imports.models import ImportExportLog
from tests.customers.test_customer_import import HEADER, row
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def concurrent_import(monkeypatch):
    """Before the first batch is written, save the given customers as another import would."""
    pending = []
    real_write = import_kind.batch_write

    def write_after_a_concurrent_import(**kwargs):
        while pending:
            CustomerFactory(**pending.pop())
        return real_write(**kwargs)

    monkeypatch.setattr(import_kind, "batch_write", write_after_a_concurrent_import)
    return pending


def errors(job) -> dict[int, str]:
    logs = job.logs.filter(log_level=ImportExportLog.Level.ERROR, record_number__isnull=False)
    return dict(logs.values_list("record_number", "message"))


def test_refused_rows_fail_alone_and_the_rest_of_the_batch_lands(company, write_file, run_import, concurrent_import):
    CustomerFactory(company=company, account_number="5000000009", meter_number="MTR-OLD")
    rows = [row(n) for n in range(1, 11)]
    concurrent_import += [
        {"company": company, "account_number": "5000000003", "meter_number": "MTR-ELSEWHERE-3"},
        {"company": company, "account_number": "7000000001", "meter_number": "MTR-000007"},
        {"company": company, "account_number": "7000000002", "meter_number": "MTR-000009"},
    ]

    job = run_import(write_file("c.csv", "\n".join([HEADER, *rows]) + "\n"), batch_size=10)

    assert errors(job) == {
        3: "Duplicate account number: another import saved account number 5000000003 meanwhile",
        7: "Meter number MTR-000007 already belongs to another active customer (saved by another import meanwhile)",
        9: "Meter number MTR-000009 already belongs to another active customer (saved by another import meanwhile)",
    }
    assert (job.created_records, job.updated_records, job.failed_records) == (7, 0, 3)
    mine = Customer.objects.filter(company=company, first_name__startswith="First")
    assert sorted(mine.values_list("account_number", flat=True)) == [
        f"{5000000000 + n}" for n in (1, 2, 4, 5, 6, 8, 10)
    ]
    assert Customer.objects.get(account_number="5000000009").meter_number == "MTR-OLD"
    assert job.logs.get(record_number=3).details == [{
        "field": "account_number", "column": "account_number", "value": "5000000003",
        "message": "Duplicate account number: another import saved account number 5000000003 meanwhile",
    }]


def test_scattered_refusals_in_a_large_batch_are_each_isolated(company, write_file, run_import, concurrent_import):
    conflicting = {5, 37, 38, 120, 199}
    concurrent_import += [
        {"company": company, "account_number": f"{5000000000 + n}", "meter_number": f"MTR-OTHER-{n}"}
        for n in conflicting
    ]

    job = run_import(write_file("c.csv", "\n".join([HEADER, *(row(n) for n in range(1, 201))]) + "\n"),
                     batch_size=200)

    assert set(errors(job)) == conflicting
    assert (job.created_records, job.failed_records) == (195, 5)
    assert Customer.objects.filter(company=company).count() == 200
