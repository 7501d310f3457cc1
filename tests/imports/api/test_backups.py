"""The backup and restore API: back up (202), poll, download the archive (audited); upload an archive for a dry run
(202), read what the restore would do with each file, restore it for real; refusals as one JSON sentence; another
company's jobs are 404."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob
from tests.backup_company import company_fill, company_records

pytestmark = pytest.mark.django_db


def run(job_id) -> ImportExportJob:
    return job_run(job=ImportExportJob.objects.get(pk=job_id))


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def archive_bytes(company, api) -> bytes:
    company_fill(company)
    answer = api.post("/api/backups/").json()
    run(answer["id"])
    return downloaded(api.get(f"/api/backups/{answer['id']}/file"))


def test_a_backup_is_accepted_then_polled_then_downloaded_and_audited(company, api):
    company_fill(company)

    response = api.post("/api/backups/")

    assert response.status_code == 202
    answer = response.json()
    assert response["Location"] == answer["url"]
    assert (answer["status"], answer["file_url"], answer["files"]) == ("pending", None, [])
    run(answer["id"])
    answer = api.get(f"/api/backups/{answer['id']}").json()
    assert answer["status"] == "completed"
    assert answer["processed_records"] == 25
    assert {"target": "Customer", "file": "customers.csv", "rows": 3} in answer["files"]
    download = api.get(answer["file_url"], REMOTE_ADDR="10.0.0.9")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(downloaded(download))) as archive:
        assert "manifest.json" in archive.namelist()
    event = AuditEvent.objects.get(action="download")
    assert (event.via, event.address, str(event.job_id)) == ("api", "10.0.0.9", answer["id"])


def test_a_backup_not_yet_written_has_no_file(company, api):
    answer = api.post("/api/backups/").json()

    response = api.get(f"/api/backups/{answer['id']}/file")

    assert response.status_code == 409
    assert response.json() == {"detail": "The backup has no file to download: it is pending."}


def test_a_dry_run_says_what_the_restore_would_do_then_it_is_restored_for_real(
    company, archive_bytes, other_company, other_api
):
    response = other_api.post("/api/restores/", {"file": SimpleUploadedFile("acme.zip", archive_bytes)},
                              format="multipart")

    assert response.status_code == 202
    dry_run = response.json()
    assert (dry_run["dry_run"], dry_run["status"], dry_run["restore_url"]) == (True, "pending", None)
    run(dry_run["id"])
    dry_run = other_api.get(dry_run["url"]).json()
    files = {file["file"]: file for file in dry_run["files"]}
    assert (files["accounts.csv"]["created"], files["accounts.csv"]["status"]) == (6, "completed")
    assert files["accounts.csv"]["import_url"] is None
    assert dry_run["created"] == 25
    assert all(not rows for rows in company_records(other_company).values())

    response = other_api.post(dry_run["restore_url"])

    assert response.status_code == 202
    real = response.json()
    assert real["dry_run"] is False
    run(real["id"])
    real = other_api.get(real["url"]).json()
    assert real["status"] == "completed"
    for file in real["files"]:
        assert file["predicted"] == {name: files[file["file"]][name]
                                     for name in ("created", "updated", "unchanged", "skipped", "failed")}
        assert file["as_predicted"] is True
        assert other_api.get(file["import_url"]).json()["status"] == "completed"
    assert company_records(other_company) == company_records(company)


def test_restoring_for_real_at_once_is_asked_with_dry_run_false(company, archive_bytes, other_api):
    response = other_api.post("/api/restores/", {"file": SimpleUploadedFile("acme.zip", archive_bytes),
                                                 "dry_run": "false"}, format="multipart")

    assert response.status_code == 202
    assert response.json()["dry_run"] is False


@pytest.mark.parametrize(("form", "status", "detail"), [
    ({"file": SimpleUploadedFile("acme.zip", b"not a zip")}, 400,
     "The file is not a backup archive: it is no ZIP file. Upload the .zip file a company backup made."),
    ({"file": SimpleUploadedFile("acme.zip", b"")}, 400, "The file is empty."),
    ({}, 400, "No file: send it as the multipart/form-data part `file` (a backup's .zip archive)."),
    ({"file": SimpleUploadedFile("acme.zip", b"PK"), "dry_run": "maybe"}, 400,
     "dry_run must be true or false, not 'maybe'."),
])
def test_a_bad_upload_is_one_json_sentence_and_no_job(company, api, form, status, detail):
    response = api.post("/api/restores/", form, format="multipart")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}
    assert not ImportExportJob.objects.exists()


def test_another_companys_backups_and_restores_are_not_found(company, archive_bytes, api, other_api):
    backup = ImportExportJob.objects.get(job_type="backup")
    restore = api.post("/api/restores/", {"file": SimpleUploadedFile("acme.zip", archive_bytes)},
                       format="multipart").json()

    for url in (f"/api/backups/{backup.pk}", f"/api/backups/{backup.pk}/file", f"/api/restores/{restore['id']}"):
        response = other_api.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"].startswith("No ")
    assert other_api.post(f"/api/restores/{restore['id']}/restore").status_code == 404
    assert other_api.get("/api/backups/").json()["results"] == []
    assert other_api.get("/api/restores/").json()["results"] == []
    assert [job["id"] for job in api.get("/api/restores/").json()["results"]] == [restore["id"]]
    # a restore is no backup, and a backup no restore
    assert api.get(f"/api/backups/{restore['id']}").status_code == 404
    assert api.get(f"/api/restores/{backup.pk}").status_code == 404


def test_the_schema_describes_the_backup_and_restore_operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    assert set(paths["/api/backups/"]) >= {"get", "post"}
    assert "get" in paths["/api/backups/{job_id}/file"]
    upload = paths["/api/restores/"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["$ref"].endswith("RestoreUploadRequest")
    assert "post" in paths["/api/restores/{job_id}/restore"]
    assert "files" in schema["components"]["schemas"]["RestoreJob"]["properties"]
