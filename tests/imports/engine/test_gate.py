"""A dry run writes nothing: no records, no generated keys, no sequence numbers, no follow-up work; and a writer
asked to write in one refuses instead of writing."""

import datetime as dt

import pytest

from crm.models import CustomerGroup
from customers.models import Customer
from customers.tasks import verify_customer_addresses
from imports.declare.targets import get_target
from imports.engine.bulk import plans_write
from imports.engine.gate import WRITES_NOTHING, Write, WriteGate, WriteRefused, follow_up_queue
from imports.engine.keys import keys_assign, keys_reserve_for_chunks
from imports.engine.links import links_finish, links_write
from imports.engine.planning import ImportContext
from imports.engine.sequences import sequence_reserve
from imports.models import ImportExportJob, ImportReference, KeySequence
from tests.conftest import GUIDE_CSV
from tests.crm.conftest import ACCOUNT_COLUMNS, business, csv_text, parents
from tests.customers.test_customer_import import csv_of, row

pytestmark = pytest.mark.django_db

Status = ImportExportJob.Status


def without_account_numbers(*numbers: int) -> str:
    return csv_of(*(row(n, account_number="") for n in numbers))


def test_a_dry_run_writes_no_records_and_leaves_the_stored_ones_as_they_are(company, write_file, run_import):
    run_import(write_file("first.csv", csv_of(row(1), row(2))))
    stored = list(Customer.objects.filter(company=company).order_by("pk").values())

    job = run_import(write_file("second.csv", csv_of(
        row(1, email="changed@example.com"), row(2, service_address="9 Changed St"), row(3),
    )), dry_run=True)

    assert job.job_status == Status.COMPLETED
    assert (job.created_records, job.updated_records) == (1, 2)  # what a real run would do
    assert list(Customer.objects.filter(company=company).order_by("pk").values()) == stored


def test_a_dry_run_reserves_no_generated_keys(company, command, write_file):
    result = command(
        "import_data", "--model", "Customer", "--dry-run",
        "--file", str(write_file("new.csv", without_account_numbers(1, 2, 3))),
    )

    assert result.status == 0, result.stderr
    job = ImportExportJob.objects.get(company=company)
    assert (job.job_status, job.created_records) == (Status.COMPLETED, 3)
    assert list(job.chunks.values_list("key_base", flat=True)) == [None] * job.chunks.count()
    assert not KeySequence.objects.filter(company=company).exists()
    assert not Customer.objects.filter(company=company).exists()


def test_a_dry_run_moves_no_sequence(company, write_file, run_import):
    run_import(write_file("first.csv", without_account_numbers(1, 2)))
    sequence = KeySequence.objects.get(company=company, name="customer_account_number")
    before = sequence.last_value

    job = run_import(write_file("more.csv", without_account_numbers(3, 4, 5)), dry_run=True)

    assert (job.job_status, job.created_records) == (Status.COMPLETED, 3)
    sequence.refresh_from_db()
    assert sequence.last_value == before == 2


def test_a_dry_run_queues_no_follow_up_work(company, write_file, run_import, monkeypatch, settings,
                                            django_capture_on_commit_callbacks):
    settings.ADDRESS_VERIFICATION_AFTER_IMPORT = True
    sent = []
    monkeypatch.setattr(verify_customer_addresses, "delay", lambda company_id, *args: sent.append(company_id))
    path = write_file("guide.csv", GUIDE_CSV)

    with django_capture_on_commit_callbacks(execute=True):
        dry = run_import(path, dry_run=True)
    assert (dry.job_status, dry.created_records, sent) == (Status.COMPLETED, 2, [])

    with django_capture_on_commit_callbacks(execute=True):
        run_import(path)
    assert sent == [company.pk]  # the same file imported for real does queue the addresses' check


def test_a_dry_run_writes_no_references_between_records(company, write_file, run_import):
    CustomerGroup.objects.create(company=company, name="Businesses", group_type="BUSINESS")

    def accounts(*rows):
        return write_file("accounts.csv", csv_text(ACCOUNT_COLUMNS, list(rows)))

    run_import(accounts(business("P-1"), business("P-2"), business("C-1", "P-1")), target="Account")
    stored = parents()

    job = run_import(accounts(business("C-1", "P-2"), business("C-2", "P-1")), target="Account", dry_run=True)

    assert (job.job_status, job.created_records, job.updated_records) == (Status.COMPLETED, 1, 1)
    assert parents() == stored == {"P-1": None, "P-2": None, "C-1": "P-1"}
    assert not ImportReference.objects.exists()


def test_a_writer_asked_to_write_in_a_dry_run_refuses(company):
    with pytest.raises(WriteRefused, match="reserve generated keys in a dry run"):
        sequence_reserve(gate=WRITES_NOTHING, company=company, name="customer_account_number", count=1)
    assert not KeySequence.objects.exists()


WRITERS = {
    "records": lambda target, company: plans_write(gate=WRITES_NOTHING, target=target, company=company, plans=[]),
    "keys of new records": lambda target, company: keys_assign(
        gate=WRITES_NOTHING, target=target, company=company, chunk=None, plans=[]
    ),
    "the job's block of keys": lambda target, company: keys_reserve_for_chunks(
        gate=WRITES_NOTHING, target=target, company=company, chunks=[], above=0
    ),
    "a batch's references": lambda target, company: links_write(
        job=None, target=target, plans=[], links=[],
        context=ImportContext(company=company, today=dt.date.today(), gate=WRITES_NOTHING),
    ),
    "the job's references at its end": lambda target, company: links_finish(
        gate=WRITES_NOTHING, job=None, target=target
    ),
    "follow-up work": lambda target, company: follow_up_queue(gate=WRITES_NOTHING, target=target, job=None),
}


@pytest.mark.parametrize("write", WRITERS.values(), ids=WRITERS.keys())
def test_every_writer_refuses_in_a_dry_run_even_with_nothing_to_write(company, write):
    """So a call site that forgets to ask the gate fails loudly instead of writing."""
    with pytest.raises(WriteRefused):
        write(get_target("Account"), company)


def test_the_validation_pass_of_an_all_or_nothing_import_reserves_keys_and_writes_nothing_else():
    validating = WriteGate(dry_run=False, validating=True)

    assert [write for write in Write if validating.allows(write)] == [Write.KEYS]
    assert [write for write in Write if WRITES_NOTHING.allows(write)] == []
    assert all(WriteGate(dry_run=False).allows(write) for write in Write)
