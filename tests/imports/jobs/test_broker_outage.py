"""With the broker down, an API upload and the wizard's Validate still answer (202; the review page) with the job
saved and saying that it waits for the workers; when the broker is back the job starts by itself and runs once.

The test starts a Redis of its own, a real worker with Celery beat on it (so the sweeper runs on its schedule), and
points this process's Celery client at it; then stops Redis, uploads, and starts Redis again on the same port.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from imports.models import ImportExportJob, ImportUpload
from tests.brokers import celery_client_on, private_redis  # noqa: F401 - a fixture
from tests.conftest import GUIDE_CSV
from tests.imports.api.conftest import CUSTOMERS_URL, token_client
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SWEEP_SECONDS = 2
ANSWER_SECONDS = 10  # the longest an upload may take with the broker gone (it takes about one)


@pytest.fixture
def broker(private_redis):  # noqa: F811 - the fixture above
    with celery_client_on(private_redis.url):
        yield private_redis


@pytest.fixture
def worker(broker, start_worker, tmp_path):
    """One worker with the beat schedule inside it: the sweeper runs every SWEEP_SECONDS."""
    return start_worker(
        "w0",
        environment={"CELERY_BROKER_URL": broker.url, "IMPORT_SWEEP_SECONDS": str(SWEEP_SECONDS)},
        arguments=("--beat", "--schedule", str(tmp_path / "beat-schedule")),
    )


def keyed_upload(api, key: str):
    return api.post(CUSTOMERS_URL, {"file": SimpleUploadedFile("guide.csv", GUIDE_CSV.encode())}, format="multipart",
                    headers={"Idempotency-Key": key})


def started_once(job: ImportExportJob) -> bool:
    return job.logs.filter(message__startswith="Job started").count() == 1


def test_an_api_upload_while_the_broker_is_down_is_kept_and_runs_once_when_it_is_back(broker, worker, user,
                                                                                      company):
    api = token_client(user)
    broker.stop()

    began = time.monotonic()
    first = keyed_upload(api, "upload-1")
    took = time.monotonic() - began
    retry = keyed_upload(api, "upload-1")

    assert first.status_code == 202, first.content
    body = first.json()
    assert body["status"] == "pending"
    assert body["status_detail"].startswith("Waiting for the workers: the task queue could not be reached.")
    assert took < ANSWER_SECONDS
    assert (retry.status_code, retry.json()["id"], retry["Idempotent-Replayed"]) == (202, body["id"], "true")
    job = ImportExportJob.objects.get(pk=body["id"])
    assert (job.job_status, job.queued_at) == ("pending", None)

    broker.start()
    began = time.monotonic()
    wait_for(lambda: job_finished(job), timeout=60, workers=[worker], what="the job to run once Redis is back")
    print(f"\nthe job finished {time.monotonic() - began:.1f} s after the broker came back")

    assert (job.job_status, job.created_records) == ("completed", 2)
    assert Customer.objects.filter(company=company).count() == 2
    assert ImportExportJob.objects.filter(company=company).count() == 1
    assert started_once(job)
    assert api.get(body["url"]).json()["status_detail"] is None


def test_the_wizards_validate_while_the_broker_is_down_says_the_job_waits_and_runs_it_once_later(
    broker, worker, client, user, company
):
    client.force_login(user)
    response = client.post(reverse("imports:wizard_upload", args=["Customer"]),
                           {"file": SimpleUploadedFile("guide.csv", GUIDE_CSV.encode())})
    assert response.status_code == 302, response.content
    created = ImportUpload.objects.get(company=company)
    columns = {f"column_{index}": created.mapping.get(column) or "" for index, column in enumerate(created.columns)}
    client.post(reverse("imports:wizard_mapping", args=[created.pk]), {**columns, "action": "next"})
    broker.stop()

    response = client.post(reverse("imports:wizard_options", args=[created.pk]),
                           {"import_mode": "upsert", "duplicate_handling": "skip"})

    assert response.status_code == 302
    assert response.url == reverse("imports:wizard_review", args=[created.pk])
    page = client.get(response.url).content.decode()
    assert "Waiting for the workers: the task queue could not be reached." in page
    created.refresh_from_db()
    job = created.validation_job
    assert (job.job_status, job.dry_run) == ("pending", True)

    broker.start()
    wait_for(lambda: job_finished(job), timeout=60, workers=[worker], what="the dry run once Redis is back")

    assert (job.job_status, job.created_records) == ("completed", 2)
    assert ImportExportJob.objects.filter(company=company).count() == 1
    assert started_once(job)
    assert Customer.objects.count() == 0
