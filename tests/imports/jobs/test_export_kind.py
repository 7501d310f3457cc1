"""Export jobs: a spec checked up front, one job of the core that counts, writes and completes, its file stored and
downloaded (audited), cancelled without a file, and only the company's own rows."""

import csv
import io
import uuid
from unittest import mock

import pytest

from imports.engine.commit import LeaseLost
from imports.engine.exports import rows as export_rows
from imports.jobs import export_kind
from imports.jobs.export_services import (
    ExportRefused,
    export_cancel,
    export_file_open,
    export_job_create,
    export_preview,
)
from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob
from tests.factories import CustomerFactory

Status = ImportExportJob.Status


def _csv_rows(job) -> list[dict]:
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def customers(company, other_company):
    mine = [
        CustomerFactory(company=company, account_number=f"100{n}", status=status, phone="+12125550108")
        for n, status in enumerate(["active", "active", "inactive"])
    ]
    CustomerFactory(company=other_company, account_number="9001", status="active")
    return mine


def test_an_export_job_writes_the_companys_filtered_rows_in_the_columns_asked(company, user, customers):
    job = export_job_create(
        {"target": "Customer", "columns": ["account_number", "status", "phone"],
         "filters": [{"field": "status", "op": "in", "value": ["active"]}], "format": "csv"},
        company=company, via="web", user=user, enqueue=False,
    )
    assert (job.job_type, job.job_status) == (ImportExportJob.JobType.EXPORT, Status.PENDING)

    job = job_run(job=job)

    assert job.job_status == Status.COMPLETED, job.error_message
    assert (job.total_records, job.processed_records) == (2, 2)
    rows = _csv_rows(job)
    assert [row["account_number"] for row in rows] == ["1000", "1001"]
    assert list(rows[0]) == ["account_number", "status", "phone"]
    assert rows[0]["phone"] == "+12125550108"  # a phone number is no formula: no apostrophe
    assert job.file_name.startswith("customers-")
    assert job.file_name.endswith(".csv")
    assert job.logs.filter(message__contains="Exported 2 customers as CSV").exists()


def test_no_columns_asked_gives_exactly_the_columns_an_import_takes(company, customers):
    job = job_run(job=export_job_create({"target": "Customer"}, company=company, via="cli", enqueue=False))

    from imports.declare import get_target

    assert list(_csv_rows(job)[0]) == [field.name for field in get_target("Customer").fields]


def test_another_companys_rows_never_appear(other_company, customers):
    job = job_run(job=export_job_create({"target": "Customer", "columns": ["account_number"]},
                                        company=other_company, via="api", enqueue=False))

    assert [row["account_number"] for row in _csv_rows(job)] == ["9001"]


@pytest.mark.parametrize(("data", "part", "words"), [
    ({"target": "Nope"}, "target", "Unknown model 'Nope'"),
    ({"target": "Customer", "columns": ["email", "shoe_size"]}, "columns", "Unknown column 'shoe_size'"),
    ({"target": "Customer", "format": "docx"}, "format", "Unknown format 'docx'"),
    ({"target": "Customer", "filters": [{"field": "status", "op": "in", "value": ["asleep"]}]}, "filters",
     "Invalid status 'asleep'"),
    ({"target": "Customer", "filters": [{"field": "connection_date", "op": "gte", "value": "15/01/2024"}]},
     "filters", "use YYYY-MM-DD"),
])
def test_a_bad_request_is_refused_before_any_job_exists(company, data, part, words):
    with pytest.raises(ExportRefused) as refused:
        export_job_create(data, company=company, via="api", enqueue=False)

    assert words in str(refused.value)
    assert (refused.value.part, refused.value.status) == (part, 400)
    assert not ImportExportJob.objects.exists()


def test_an_import_job_of_another_company_cannot_be_a_filter(company, other_company, customers):
    other_job = ImportExportJob.objects.create(company=other_company, job_type="import", target_model="Customer")

    with pytest.raises(ExportRefused, match="No import of yours"):
        export_job_create({"target": "Customer", "filters": [{"field": "import_job", "value": str(other_job.pk)}]},
                          company=company, via="api", enqueue=False)


def test_a_pdf_over_its_row_cap_is_refused_with_the_way_out(company, customers, settings):
    settings.EXPORT_PDF_MAX_ROWS = 2

    with pytest.raises(ExportRefused, match=r"at most 2 rows and this export has 3.*CSV, Excel or JSON"):
        export_job_create({"target": "Customer", "format": "pdf"}, company=company, via="web", enqueue=False)
    assert export_preview({"target": "Customer", "format": "pdf"}, company=company).refusal is not None


def test_the_preview_shows_the_first_rows_and_the_count(company, customers):
    preview = export_preview({"target": "Customer", "columns": ["account_number", "status"]}, company=company,
                             limit=2)

    assert preview.total_rows == 3
    assert preview.rows == [["1000", "active"], ["1001", "active"]]


def test_a_download_is_recorded_in_the_audit_trail(company, user, customers):
    job = job_run(job=export_job_create({"target": "Customer"}, company=company, via="web", enqueue=False))

    handle, name, content_type = export_file_open(job, via="web", user=user, address="10.0.0.7")
    handle.close()

    assert (name, content_type) == (job.file_name, "text/csv; charset=utf-8")
    event = AuditEvent.objects.get()
    assert (event.action, event.job, event.user, event.address) == ("download", job, user, "10.0.0.7")


def test_an_unfinished_or_deleted_export_has_no_file_to_download(company, customers):
    job = export_job_create({"target": "Customer"}, company=company, via="web", enqueue=False)
    with pytest.raises(ExportRefused) as refused:
        export_file_open(job, via="web")
    assert refused.value.status == 409

    job = job_run(job=job)
    job.file.delete()
    with pytest.raises(ExportRefused) as refused:
        export_file_open(job, via="web")
    assert refused.value.status == 410


def test_an_export_cancelled_while_it_writes_stops_and_keeps_no_file(company, user, customers, settings):
    settings.EXPORT_PROGRESS_SECONDS = 0
    job = export_job_create({"target": "Customer"}, company=company, via="web", enqueue=False)

    def cancel_then_report(*args, **kwargs):
        export_cancel(ImportExportJob.objects.get(pk=job.pk), user=user)
        return original(*args, **kwargs)

    original = export_kind.progress_shown
    with mock.patch.object(export_rows, "PAGE_ROWS", 1), \
            mock.patch.object(export_kind, "progress_shown", side_effect=cancel_then_report):
        job = job_run(job=job)

    assert job.job_status == Status.CANCELLED
    assert not job.file
    assert "Cancelled by alice" in job.error_message or job.logs.filter(message__contains="Cancelled by").exists()


def test_a_run_taken_over_writes_the_file_again_from_the_start(company, customers):
    job = export_job_create({"target": "Customer"}, company=company, via="web", enqueue=False)
    calls = []

    def dies_once(*args, **kwargs):
        if not calls:
            calls.append(1)
            raise LeaseLost("taken over")
        return original(*args, **kwargs)

    original = export_kind.file_kept
    with mock.patch.object(export_kind, "file_kept", side_effect=dies_once):
        job = job_run(job=job)
        assert job.job_status == Status.RUNNING  # the run that lost its chunk stops quietly
        chunk = job.chunks.get()
        chunk.status, chunk.lease = "pending", None  # released, as the sweeper does for a run that died
        chunk.save()
        export_kind.chunk_write(chunk_id=chunk.pk, lease=uuid.uuid4())
        export_kind.job_finish(job=job)
        job.refresh_from_db()

    assert job.job_status == Status.COMPLETED
    assert len(_csv_rows(job)) == 3


def test_export_files_are_deleted_after_the_retention_period_and_the_job_says_so(company, customers, settings):
    from datetime import timedelta

    from django.utils import timezone

    from imports.jobs.retention import export_files_purge, job_files_purge

    settings.EXPORT_RETENTION_DAYS = 7
    job = job_run(job=export_job_create({"target": "Customer"}, company=company, via="web", enqueue=False))
    name = job.file.name
    assert job_files_purge(older_than_days=0) == 0  # an import's retention does not apply to an export's file

    assert export_files_purge(now=timezone.now() + timedelta(days=6)) == 0
    assert export_files_purge(now=timezone.now() + timedelta(days=8)) == 1

    job.refresh_from_db()
    assert not job.file
    assert not job.file.storage.exists(name)
    assert job.logs.filter(message__contains="deleted after 7 days").exists()


def test_a_filter_on_health_data_never_writes_its_value_in_words(company):
    with pytest.raises(ExportRefused) as refused:
        export_job_create({"target": "Claim", "filters": [{"field": "date_of_birth", "value": "13/45/1961"}]},
                          company=company, via="api", enqueue=False)
    assert "13/45/1961" not in str(refused.value)
    assert "Date of birth" in str(refused.value)

    job = export_job_create({"target": "Claim", "filters": [{"field": "last_name", "op": "contains",
                                                               "value": "Kisa"}]},
                            company=company, via="api", enqueue=False)
    assert job.options["filters"] == ["Last name contains a value withheld (health data)"]
    assert job.options["export"]["filters"][0]["value"] == "Kisa"  # the job still runs the filter asked for


def test_amounts_are_filtered_by_a_range(company):
    from claims.models import Claim

    for number, charged in (("C-1", "10.00"), ("C-2", "250.00"), ("C-3", "900.00")):
        Claim.objects.create(company=company, claim_number=number, first_name="A", last_name="B",
                             date_of_birth="1970-01-01", subscriber_id="1", total_charged=charged)

    preview = export_preview({"target": "Claim", "columns": ["claim_number"], "filters": [
        {"field": "total_charged", "op": "gte", "value": "100"},
        {"field": "total_charged", "op": "lte", "value": "500"},
    ]}, company=company)

    assert preview.rows == [["C-2"]]
