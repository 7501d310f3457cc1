"""Continuing a cancelled or failed import: every chunk goes on from its checkpoint, and the company ends with
exactly what one clean run of the file leaves, generated account numbers included."""

import pytest
from django.core.files import File

from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.jobs.inprocess import job_run
from imports.jobs.resuming import ResumeRefused, job_resume, resume_refusal, resume_row
from imports.jobs.retention import job_files_purge
from imports.jobs.stopping import job_cancel, job_fail
from imports.models import ImportChunk, ImportExportJob, KeySequence
from tests.customers.test_customer_import import HEADER, row
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 3000
STORED = range(1, 301, 3)  # rows whose account number is stored already: they update it
COUNTERS = ("total_records", "processed_records", "created_records", "updated_records", "unchanged_records",
            "skipped_records", "failed_records")
VOLATILE = {"id", "created_at", "updated_at"}


def customers_csv(write_file):
    """A few thousand customers: every seventh without an account number (one is generated), every fiftieth with
    a bad email, and the first rows' account numbers stored already."""
    lines = []
    for n in range(1, ROWS + 1):
        changes = {}
        if n % 7 == 0:
            changes["account_number"] = ""
        if n % 50 == 0:
            changes["email"] = "not-an-email"
        lines.append(row(n, **changes))
    return write_file("customers.csv", "\n".join([HEADER, *lines]) + "\n")


def fresh_state(company):
    """The company as it was before any import: its stored customers only, its key sequences untouched."""
    Customer.objects.filter(company=company).delete()
    KeySequence.objects.filter(company=company).delete()
    for n in STORED:
        CustomerFactory(company=company, account_number=f"{5000000000 + n}", first_name="Stored",
                        meter_number=f"MTR-S{n:06d}", email=f"stored{n}@example.com")


def customers_table(company) -> list[tuple]:
    columns = [f.attname for f in Customer._meta.concrete_fields if f.attname not in VOLATILE]
    return list(Customer.objects.filter(company=company).order_by("account_number").values_list(*columns))


def new_job(company, path, **options) -> ImportExportJob:
    with open(path, "rb") as handle:
        return ImportExportJob.objects.get(pk=_create(company, handle, path.name, **options).pk)


def _create(company, handle, name, *, all_or_nothing=False, dry_run=False):
    from imports.jobs.services import job_create

    return job_create(company=company, target_name="Customer", file=File(handle, name=name), file_name=name,
                      options=ImportOptions(dry_run=dry_run), batch_size=40, all_or_nothing=all_or_nothing)


def cancelled_at(share: float):
    """A progress callback that cancels the job once it has processed `share` of its rows."""

    def on_progress(job):
        if job.total_records and job.processed_records >= job.total_records * share and not job.is_finished:
            job_cancel(job, "Cancelled by the test.")

    return on_progress


@pytest.fixture
def chunked(settings):
    settings.IMPORT_CHUNK_ROWS = 500


def clean_run(company, path, **options):
    fresh_state(company)
    job = job_run(job=new_job(company, path, **options))
    assert job.job_status == "completed"
    return customers_table(company), [getattr(job, name) for name in COUNTERS]


@pytest.mark.parametrize("all_or_nothing", [False, True], ids=["batches", "all-or-nothing-without-bad-rows"])
def test_a_cancelled_import_continued_leaves_what_a_clean_run_leaves(company, write_file, chunked, all_or_nothing):
    path = customers_csv(write_file) if not all_or_nothing else write_file(
        "clean.csv", "\n".join([HEADER, *(row(n, account_number="" if n % 7 == 0 else f"{5000000000 + n}")
                                        for n in range(1, ROWS + 1))]) + "\n"
    )
    expected_table, expected_counts = clean_run(company, path, all_or_nothing=all_or_nothing)

    fresh_state(company)
    job = job_run(job=new_job(company, path, all_or_nothing=all_or_nothing), on_progress=cancelled_at(0.2))
    assert job.job_status == "cancelled"
    assert 0 < job.processed_records < ROWS
    written_before = customers_table(company)
    assert written_before != expected_table

    job = job_run(job=job_resume(job, enqueue=False))

    assert job.job_status == "completed"
    assert customers_table(company) == expected_table
    assert [getattr(job, name) for name in COUNTERS] == expected_counts
    assert job.logs.filter(message__startswith="Continued by an operator from row ").exists()


def test_an_all_or_nothing_import_with_bad_rows_continued_still_writes_nothing(company, write_file, chunked):
    path = customers_csv(write_file)
    fresh_state(company)
    clean = job_run(job=new_job(company, path, all_or_nothing=True))
    assert clean.job_status == "failed"
    stored_only = customers_table(company)

    fresh_state(company)
    job = job_run(job=new_job(company, path, all_or_nothing=True), on_progress=cancelled_at(0.2))
    assert (job.job_status, job.writing) == ("cancelled", False)
    job = job_run(job=job_resume(job, enqueue=False))

    assert (job.job_status, job.error_message) == ("failed", clean.error_message)
    assert [getattr(job, name) for name in COUNTERS] == [getattr(clean, name) for name in COUNTERS]
    assert customers_table(company) == stored_only


def test_every_chunk_goes_on_from_its_own_checkpoint(company, write_file, chunked):
    fresh_state(company)
    job = job_run(job=new_job(company, customers_csv(write_file)), on_progress=cancelled_at(0.2))
    checkpoints = dict(job.chunks.values_list("index", "checkpoint_row"))
    statuses = set(job.chunks.values_list("status", flat=True))
    assert statuses == {ImportChunk.Status.DONE, ImportChunk.Status.CANCELLED}
    first_unfinished = min(row for index, row in checkpoints.items()
                           if job.chunks.get(index=index).status == ImportChunk.Status.CANCELLED)
    assert resume_row(job) == first_unfinished + 1
    keys = dict(job.chunks.values_list("index", "key_base"))

    job = job_resume(job, enqueue=False)

    assert job.job_status == "pending"
    assert set(job.chunks.values_list("status", flat=True)) == statuses  # they go back as the job is taken up
    job = job_run(job=job)
    assert job.job_status == "completed"
    assert dict(job.chunks.values_list("index", "key_base")) == keys


def test_a_failed_import_is_continued_too(company, write_file, chunked):
    path = customers_csv(write_file)
    expected_table, expected_counts = clean_run(company, path)
    fresh_state(company)

    def fail_at_a_fifth(job):
        if job.processed_records >= ROWS * 0.2 and not job.is_finished:
            job_fail(job, "The worker stopped three times.")

    job = job_run(job=new_job(company, path), on_progress=fail_at_a_fifth)
    assert job.job_status == "failed"

    job = job_run(job=job_resume(job, enqueue=False))

    assert (job.job_status, job.error_message) == ("completed", "")
    assert customers_table(company) == expected_table
    assert [getattr(job, name) for name in COUNTERS] == expected_counts


def test_an_import_stopped_before_anything_was_prepared_starts_again(company, write_file):
    job = new_job(company, write_file("c.csv", "\n".join([HEADER, row(1), row(2)]) + "\n"))
    job_cancel(job, "Cancelled while it waited.")
    assert resume_row(job) is None

    job = job_run(job=job_resume(job, enqueue=False))

    assert (job.job_status, job.created_records) == ("completed", 2)
    assert job.logs.filter(message__contains="from the start").exists()


def test_a_converted_file_is_read_again_at_the_same_offsets(company, write_file, chunked):
    """A Windows-1252 CSV is converted before its chunks read it; the stop deletes the conversion."""
    text = "\n".join([HEADER, *(row(n, last_name=f"Müller{n}") for n in range(1, 1201))]) + "\n"
    path = write_file("latin.csv", text, encoding="cp1252")
    fresh_state(company)
    job = job_run(job=new_job(company, path), on_progress=cancelled_at(0.3))
    assert job.job_status == "cancelled"

    job = job_run(job=job_resume(job, enqueue=False))

    assert (job.job_status, job.processed_records, job.failed_records) == ("completed", 1200, 0)
    assert Customer.objects.filter(company=company, last_name="Müller1200").exists()


def refused(job) -> str:
    with pytest.raises(ResumeRefused) as error:
        job_resume(job, enqueue=False)
    return str(error.value)


def test_what_cannot_be_continued_is_refused_with_a_sentence(company, write_file):
    path = write_file("c.csv", "\n".join([HEADER, row(1), row(2, email="bad")]) + "\n")
    completed = job_run(job=new_job(company, path))
    assert refused(completed) == "The import has completed: there is nothing left to continue."

    dry = new_job(company, path, dry_run=True)
    job_cancel(dry, "Cancelled.")
    assert refused(dry).startswith("A dry run writes nothing")

    pending = new_job(company, path)
    assert refused(pending).startswith("The import is still pending")

    export = ImportExportJob.objects.create(company=company, job_type="export", target_model="Customer",
                                            job_status="failed")
    assert refused(export).startswith("Only an import can be continued")

    all_or_nothing = job_run(job=new_job(company, path, all_or_nothing=True))
    assert all_or_nothing.job_status == "failed"
    assert refused(all_or_nothing).startswith("Every row was checked and some failed")


def test_a_job_whose_file_the_retention_purge_deleted_cannot_be_continued(company, write_file, settings):
    job = new_job(company, write_file("c.csv", "\n".join([HEADER, row(1)]) + "\n"))
    job_cancel(job, "Cancelled.")
    assert resume_refusal(job) is None  # the upload of a cancelled job is kept for a continue

    assert job_files_purge(older_than_days=-1) == 1
    job.refresh_from_db()

    assert refused(job).startswith("The uploaded file was deleted at the end of the retention period")
    assert job.job_status == "cancelled"
