"""The claims guide's example workflow through the API, as its curl commands do it with a token: prepare the CSV,
upload it, monitor the progress, download the results; and retry a job. The job runs in this process between the
requests (the API only queues it for the workers)."""

import pytest

from claims.models import ClaimsSettings
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.claims import fake_payer as fake

from .conftest import GUIDE_CSV, HEADER, RESULTS_HEADER, audit, job_url, results_lines, upload

pytestmark = pytest.mark.django_db


def test_the_guides_example_workflow(api, user, guide_claims):
    # Step 1: Prepare CSV (cat > claims.csv), the guide's one row.
    claims_csv = f"{HEADER}\nZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"

    # Step 2: Upload (curl -X POST .../bulk/upload/ -H "Authorization: Bearer $TOKEN" -F "file=@claims.csv"),
    # the job id read from the answer (jq -r '.id').
    uploaded = upload(api, claims_csv)
    assert uploaded.status_code == 201
    job_id = uploaded.json()["id"]
    assert uploaded.json()["status"] == "PENDING"

    # Step 3: Monitor (curl -s .../csv-jobs/$JOB_ID/progress/ | jq), before and after the workers ran the job.
    waiting = api.get(f"/api/v1/claims/csv-jobs/{job_id}/progress/").json()
    assert (waiting["job_id"], waiting["status"], waiting["celery_status"]) == (job_id, "PENDING", "PENDING")
    job_run(job=ImportExportJob.objects.get(pk=job_id))
    assert api.get(f"/api/v1/claims/csv-jobs/{job_id}/progress/").json() == {
        "job_id": job_id, "status": "COMPLETED", "total_rows": 1, "processed_rows": 1, "success_count": 1,
        "failure_count": 0, "progress_percentage": 100.0, "success_rate": 100.0, "celery_status": "SUCCESS",
        "celery_info": {"current": 1, "total": 1, "percent": 100},
    }
    details = api.get(f"/api/v1/claims/csv-jobs/{job_id}/").json()
    assert (details["status"], details["error_log"]) == ("COMPLETED", [])

    # Step 4: Download Results (curl -O -J: the file is saved under the name Content-Disposition gives).
    results = api.get(f"/api/v1/claims/csv-jobs/{job_id}/results/")
    assert results.status_code == 200
    assert results["Content-Disposition"] == 'attachment; filename="claims-results.csv"'
    assert results_lines(results) == [
        RESULTS_HEADER,
        "1,ZE59426195,Finalized,CHANTAL KISA,720.00,351.00,08/08/2025,True,,F1,E12345678,08/12/2025,CHK100234,False",
    ]
    uploaded_by, downloaded_by = audit("upload"), audit("results_download")
    assert uploaded_by == downloaded_by == [(ImportExportJob.objects.get().pk, "api", user.username, "127.0.0.1")]


def test_the_guides_results_example(api, guide_claims):
    job = job_run(job=ImportExportJob.objects.get(pk=upload(api, GUIDE_CSV).json()["id"]))

    lines = results_lines(api.get(job_url(job, "results")))

    assert lines[0] == RESULTS_HEADER
    # The guide's rows, then the extra columns after `error`.
    assert lines[1:] == [
        "1,ZE59426195,Finalized,CHANTAL KISA,720.00,351.00,08/08/2025,True,,F1,E12345678,08/12/2025,CHK100234,False",
        "2,ZE59426196,Pending,JOHN DOE,500.00,0.00,08/10/2025,True,,P1,,,,False",
        "3,ZE59426197,Error,JANE SMITH,,,,False,Claim not found,,,,,False",
    ]
    assert api.get(job_url(job)).json()["error_log"] == [
        {"row": 3, "claim_number": "ZE59426197", "error": "Claim not found", "retryable": False},
    ]


def test_a_job_whose_look_ups_failed_is_retried_and_finds_them(api, user, company, fake_payer, settings):
    """The payer refused the credentials for the whole job; once they are fixed, a retry asks every row again."""
    ClaimsSettings.objects.create(company=company, backend="payer", default_provider_npi="1234567893")
    members = {"CLM-1": fake.PAID, "CLM-2": fake.DENIED}
    rows = "".join(f"{number},ZEBULON,QUACKENBUSH,07/04/1961,{member}\n" for number, member in members.items())
    settings.CLAIMS_API_TOKEN = "not-the-token"
    job = job_run(job=ImportExportJob.objects.get(pk=upload(api, f"{HEADER}\n{rows}").json()["id"]))
    failed = api.get(job_url(job)).json()
    assert (failed["status"], failed["failure_count"]) == ("COMPLETED", 2)
    assert {entry["retryable"] for entry in failed["error_log"]} == {True}

    settings.CLAIMS_API_TOKEN = fake.TOKEN
    retried = api.post(job_url(job, "retry"), REMOTE_ADDR="198.51.100.20")

    assert retried.status_code == 202
    assert (retried.json()["status"], retried.json()["processed_rows"]) == ("PENDING", 0)
    assert audit("retry") == [(job.pk, "api", user.username, "198.51.100.20")]
    job = job_run(job=job)
    progress = api.get(job_url(job, "progress")).json()
    assert (progress["status"], progress["success_count"], progress["failure_count"]) == ("COMPLETED", 2, 0)
    assert [line.split(",")[2] for line in results_lines(api.get(job_url(job, "results")))[1:]] == [
        "Finalized", "Denied",
    ]


def test_a_cancelled_job_is_retried_and_continues(api, guide_claims):
    job = ImportExportJob.objects.get(pk=upload(api, GUIDE_CSV).json()["id"])
    assert api.post(job_url(job, "cancel")).json()["status"] == "CANCELLED"

    assert api.post(job_url(job, "retry")).status_code == 202
    job = job_run(job=job)

    assert api.get(job_url(job, "progress")).json()["status"] == "COMPLETED"
    assert len(results_lines(api.get(job_url(job, "results")))) == 4
