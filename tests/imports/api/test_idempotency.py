"""A retried upload with the same Idempotency-Key gets the job the first request created, as it is now: nothing is
stored twice, no second job exists. Keys are each company's own."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, READINGS_URL, token_client

pytestmark = pytest.mark.django_db


def keyed(client, url: str, key: str | None, content: str = GUIDE_CSV, **fields):
    headers = {"Idempotency-Key": key} if key is not None else {}
    form = {"file": SimpleUploadedFile("guide.csv", content.encode()), **fields}
    return client.post(url, form, format="multipart", headers=headers)


def stored_files(settings) -> list:
    return sorted(path for path in (settings.MEDIA_ROOT / "imports").rglob("*") if path.is_file())


def test_the_same_key_returns_the_same_job_as_it_is_now_without_storing_the_file_again(api, company, settings):
    first = keyed(api, CUSTOMERS_URL, "3f1c-upload")
    files = stored_files(settings)
    job_run(job=ImportExportJob.objects.get(pk=first.json()["id"]))

    again = keyed(api, CUSTOMERS_URL, "3f1c-upload", content=GUIDE_CSV + "Other,Row,,,,,,,,,,\n")

    assert first.status_code == again.status_code == 202
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "completed"
    assert again.json() == api.get(first["Location"]).json()
    assert again["Location"] == first["Location"]
    assert ImportExportJob.objects.filter(company=company).count() == 1
    assert stored_files(settings) == files


def test_without_a_key_or_with_another_key_each_upload_is_a_job(api, company):
    ids = {keyed(api, CUSTOMERS_URL, key).json()["id"] for key in (None, None, "a", "b")}

    assert len(ids) == 4


def test_keys_are_each_companys_own(api, other_api, company, other_company):
    mine = keyed(api, CUSTOMERS_URL, "shared-key").json()
    theirs = keyed(other_api, CUSTOMERS_URL, "shared-key").json()

    assert mine["id"] != theirs["id"]
    assert ImportExportJob.objects.get(pk=theirs["id"]).company == other_company


def test_a_key_used_for_another_target_is_refused_on_a_targets_route(api):
    first = keyed(api, CUSTOMERS_URL, "k-1").json()

    refused = keyed(api, READINGS_URL, "k-1")
    generic = keyed(api, IMPORTS_URL, "k-1", target="Customer")

    assert refused.status_code == 409
    assert refused.json() == {"detail": f"The Idempotency-Key k-1 was used for a Customer import (job {first['id']}); "
                                        "send a new key with each new upload."}
    assert (generic.status_code, generic.json()["id"]) == (202, first["id"])


@pytest.mark.parametrize("key", ["x" * 256, "has space", "naïve"])
def test_a_bad_key_is_refused_with_the_rule(api, key):
    response = keyed(api, CUSTOMERS_URL, key)

    assert response.status_code == 400
    assert response.json() == {"detail": "The Idempotency-Key header must be 1 to 255 visible ASCII characters "
                                         "without spaces; a new UUID for each upload is a good key."}
    assert not ImportExportJob.objects.exists()


def test_the_key_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path in ("/api/customers/import", "/api/readings/import", "/api/imports/"):
        parameters = schema["paths"][path]["post"]["parameters"]
        assert {"in": "header", "name": "Idempotency-Key"}.items() <= next(
            p for p in parameters if p["name"] == "Idempotency-Key"
        ).items()


@pytest.mark.django_db(transaction=True)
def test_two_retries_at_the_same_instant_create_one_job(user, company, settings):
    together = threading.Barrier(2)
    answers = []

    def send():
        try:
            client = token_client(user)
            together.wait()
            answers.append(keyed(client, CUSTOMERS_URL, "race-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [202, 202]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert ImportExportJob.objects.filter(company=company).count() == 1
    assert len(stored_files(settings)) == 1
