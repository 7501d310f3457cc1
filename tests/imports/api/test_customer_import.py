"""The customer import API of the FlowTrack guide: upload, poll, download the errors."""

import pytest

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.jobs.status import job_transition
from imports.jobs.tasks import job_step
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, MIXED_CSV, csv_rows, job_of, upload

pytestmark = pytest.mark.django_db


def test_an_upload_answers_202_with_the_pending_job_and_queues_it(api, company, user, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(job_step, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, CUSTOMERS_URL, GUIDE_CSV, name="guide.csv",
                          options={"mode": "create", "duplicateStrategy": "skip", "validateOnly": False})
        sent_before_commit = list(sent)

    assert response.status_code == 202
    body = response.json()
    job = ImportExportJob.objects.get(pk=body["id"])
    assert (job.company, job.created_by, job.target_model) == (company, user, "Customer")
    assert (job.import_mode, job.duplicate_handling, job.dry_run) == ("create", "skip", False)
    assert job.file.read().decode() == GUIDE_CSV
    assert body["status"] == "pending"
    assert body["target"] == "Customer"
    assert body["file_name"] == "guide.csv"
    assert body["options"] == {"mode": "create", "duplicateStrategy": "skip", "validateOnly": False}
    assert (body["progress"], body["total_rows"], body["processed_rows"]) == (0, 0, 0)
    assert body["url"] == f"http://testserver{CUSTOMERS_URL}/{job.pk}"
    assert body["errors_url"] is None
    assert response["Location"] == body["url"]
    # Queued for the workers once the job is committed, by id.
    assert sent_before_commit == []
    assert sent == [[str(job.pk), "prepare"]]


def test_a_running_job_is_processing_with_its_progress(api, company):
    job = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV))
    job_transition(job, ImportExportJob.Status.RUNNING)
    ImportExportJob.objects.filter(pk=job.pk).update(
        total_records=1000, processed_records=750, created_records=700, updated_records=30, unchanged_records=10,
        skipped_records=10, failed_records=10,
    )

    body = api.get(f"{CUSTOMERS_URL}/{job.pk}").json()

    assert {name: body[name] for name in (
        "id", "status", "progress", "total_rows", "processed_rows", "successful_rows", "failed_rows",
    )} == {
        "id": str(job.pk), "status": "processing", "progress": 75, "total_rows": 1000, "processed_rows": 750,
        "successful_rows": 740, "failed_rows": 10,
    }
    assert (body["created_rows"], body["updated_rows"], body["unchanged_rows"], body["skipped_rows"]) == (
        700, 30, 10, 0
    )
    assert body["started_at"] is not None
    assert body["completed_at"] is None


def test_a_finished_import_reports_its_counts_and_its_error_report(api, company):
    job = job_of(upload(api, CUSTOMERS_URL, MIXED_CSV, name="mixed.csv"))
    job_run(job=job)

    response = api.get(f"{CUSTOMERS_URL}/{job.pk}")

    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert (body["status"], body["progress"]) == ("completed", 100)
    assert (body["total_rows"], body["processed_rows"], body["successful_rows"], body["failed_rows"]) == (3, 3, 1, 2)
    assert body["created_rows"] == 1
    assert body["error_message"] is None
    assert body["errors_url"] == f"http://testserver{CUSTOMERS_URL}/{job.pk}/errors"
    assert list(Customer.objects.filter(company=company).values_list("email", flat=True)) == ["john.doe@example.com"]

    download = api.get(body["errors_url"])

    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="mixed_errors.csv"'
    rows = csv_rows(download)
    assert rows[0].startswith("row_number,error_message,sheet_row,first_name,last_name,email")
    assert rows[1].startswith("2,Invalid email format,3,Bad,Email,notanemail,")
    assert rows[2].startswith("3,Invalid state code,4,Bad,State,bad.state@example.com,")
    assert len(rows) == 3


def test_validate_only_runs_a_dry_run_that_writes_nothing(api, company):
    job = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV, options={"validateOnly": True}))
    job_run(job=job)

    body = api.get(f"{CUSTOMERS_URL}/{job.pk}").json()

    assert job.dry_run is True
    assert body["options"]["validateOnly"] is True
    assert (body["status"], body["created_rows"], body["successful_rows"]) == ("completed", 2, 2)
    assert not Customer.objects.filter(company=company).exists()


def test_a_job_that_fails_as_a_whole_says_why(api):
    job = job_of(upload(api, CUSTOMERS_URL, "first_name,last_name\nJohn,Doe\n"))
    job_run(job=job)

    body = api.get(f"{CUSTOMERS_URL}/{job.pk}").json()

    assert body["status"] == "failed"
    assert "email" in body["error_message"]
    assert body["errors_url"] is None


def test_the_customers_route_lists_its_own_jobs_newest_first(api, company):
    first = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV, name="first.csv"))
    second = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV, name="second.csv"))

    response = api.get(CUSTOMERS_URL)

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [job["id"] for job in body["results"]] == [str(second.pk), str(first.pk)]
    assert body["results"][0]["url"] == f"http://testserver{CUSTOMERS_URL}/{second.pk}"


@pytest.mark.django_db(transaction=True)
def test_an_upload_sent_to_the_workers_says_it_is_queued(api, company, user, monkeypatch):
    monkeypatch.setattr(job_step, "apply_async", lambda args: None)

    body = upload(api, CUSTOMERS_URL, GUIDE_CSV).json()

    assert body["status"] == "pending"
    assert body["status_detail"] == "Queued: waiting for a free worker."
