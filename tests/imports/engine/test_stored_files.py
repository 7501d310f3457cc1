"""Where a job's files live. By default in MEDIA_ROOT; with a bucket named, uploads, error reports and a job's
working files live in an S3-compatible object store, and workers that share no disk import a file together.

The store is moto's S3 server, started here on a free local port; each test gets its own bucket. Every process
(this one, the workers) reads the storage settings from the environment the way config/settings.py does.
"""

import csv
import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_celery_results.models import TaskResult
from moto.server import ThreadedMotoServer
from openpyxl import Workbook

from customers.models import Customer
from imports.engine import stored_files
from imports.engine.options import ImportOptions
from imports.jobs.inprocess import job_run
from imports.jobs.retention import job_files_purge, uploads_purge
from imports.jobs.services import job_create
from imports.models import ImportExportJob, ImportUpload
from tests.conftest import GUIDE_HEADER
from tests.imports.api.conftest import CUSTOMERS_URL, csv_rows, job_of, token_client, upload
from tests.workers import job_finished, wait_for

PRINT_STORAGE = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({"default": settings.STORAGES["default"], "cache": str(settings.IMPORT_CACHE_DIR)}))
"""


def storage_settings(**environment) -> dict:
    """The default storage as a fresh process configures it from these variables (and no others of the kind)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    clean.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    output = subprocess.run([sys.executable, "-c", PRINT_STORAGE], cwd=settings.BASE_DIR, env=clean,
                            capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port of this machine."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class ObjectStore:
    bucket: str
    environment: dict
    client: object

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


@pytest.fixture
def object_store(s3_endpoint, settings, tmp_path) -> ObjectStore:
    """A new bucket; this process stores its files there, configured from the environment as a worker would be."""
    bucket = f"hub-{uuid.uuid4().hex[:16]}"
    environment = {
        "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": s3_endpoint, "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_S3_ADDRESSING_STYLE": "path",
    }
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(**environment)["default"]}
    settings.IMPORT_CACHE_DIR = tmp_path / "web" / "cache"
    return ObjectStore(bucket, environment, client)


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in Path(folder).rglob("*") if path.is_file())


def customers_csv(rows: int, *, bad_emails=(), repeated_meters=()) -> str:
    """`rows` customers; the rows in `bad_emails` have no valid email, and each (row, earlier row) pair in
    `repeated_meters` repeats the earlier row's meter number (one active customer per meter)."""
    repeats = dict(repeated_meters)
    lines = [GUIDE_HEADER]
    for number in range(1, rows + 1):
        email = "not-an-email" if number in bad_emails else f"person{number}@example.com"
        meter = f"MTR-{repeats.get(number, number):05d}"
        lines.append(f"First{number},Last{number},{email},555-555-{number % 10000:04d},{number} Main St,Springfield,"
                     f"IL,62701,{meter},,active,residential")
    return "\n".join(lines) + "\n"


def as_json(csv_text: str) -> str:
    return json.dumps(list(csv.DictReader(io.StringIO(csv_text))))


# --- Settings -------------------------------------------------------------------------------------------------


def test_the_local_file_system_stays_the_default():
    configured = storage_settings()

    assert configured["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_in_the_environment_stores_files_privately_in_the_object_store(tmp_path):
    configured = storage_settings(
        AWS_STORAGE_BUCKET_NAME="imports", AWS_S3_ENDPOINT_URL="http://minio.internal:9000",
        AWS_S3_REGION_NAME="eu-west-1", AWS_ACCESS_KEY_ID="key", AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_ADDRESSING_STYLE="path", AWS_LOCATION="hub", AWS_S3_SERVER_SIDE_ENCRYPTION="aws:kms",
        AWS_S3_SSE_KMS_KEY_ID="alias/imports", IMPORT_CACHE_DIR=str(tmp_path / "cache"),
    )

    assert configured["cache"] == str(tmp_path / "cache")
    assert configured["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert configured["default"]["OPTIONS"] == {
        "bucket_name": "imports", "location": "hub", "endpoint_url": "http://minio.internal:9000",
        "region_name": "eu-west-1", "addressing_style": "path", "access_key": "key", "secret_key": "secret",
        "default_acl": None, "querystring_auth": True, "custom_domain": None,
        "object_parameters": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/imports"},
        "file_overwrite": True, "max_memory_size": 5 * 1024 * 1024,
    }


@pytest.mark.django_db
def test_stored_files_are_encrypted_when_asked_and_never_public(object_store, settings):
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(
        **object_store.environment, AWS_S3_SERVER_SIDE_ENCRYPTION="AES256", AWS_DEFAULT_ACL="private"
    )["default"]}
    from django.core.files.storage import default_storage

    name = default_storage.save("reports/1/x/customers_errors.csv", ContentFile(b"row_number\n"))

    head = object_store.client.head_object(Bucket=object_store.bucket, Key=name)
    grants = object_store.client.get_object_acl(Bucket=object_store.bucket, Key=name)["Grants"]
    assert head["ServerSideEncryption"] == "AES256"
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)


# --- The local file storage --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_local_files_a_job_keeps_its_upload_and_report_and_drops_its_working_files(
    run_import, write_file, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_CHUNK_ROWS = 2
    path = write_file("customers.json", as_json(customers_csv(5, bad_emails={4})))

    with django_capture_on_commit_callbacks(execute=True):  # as outside a test's transaction
        job = run_import(path)

    assert (job.job_status, job.created_records, job.failed_records) == ("completed", 4, 1)
    assert job.layout["file"] == f"imports/{job.company_id}/{job.pk}/work/staged.csv"  # converted from JSON
    media = Path(settings.MEDIA_ROOT)
    assert files_under(media) == sorted([media / job.file.name, media / job.error_report.name])
    assert not (media / job.file.name).with_name("work").exists()


# --- A machine's cache ------------------------------------------------------------------------------------------


@pytest.fixture
def stored_job(object_store, company) -> ImportExportJob:
    return job_create(company=company, target_name="Customer", file=ContentFile(customers_csv(3).encode()),
                      file_name="customers.csv", options=ImportOptions())


@pytest.mark.django_db
def test_a_machine_downloads_a_jobs_file_once_and_reuses_it(object_store, stored_job):
    first = stored_files.job_file_path(stored_job)
    object_store.client.delete_object(Bucket=object_store.bucket, Key=stored_job.file.name)

    again = stored_files.job_file_path(stored_job)

    assert again == first
    assert first.read_text() == customers_csv(3)
    assert first.is_relative_to(settings.IMPORT_CACHE_DIR)


@pytest.mark.django_db(transaction=True)  # the threads' own connections see the job
def test_processes_of_one_machine_never_read_a_half_written_copy(object_store, stored_job):
    big = customers_csv(20_000).encode()
    object_store.client.put_object(Bucket=object_store.bucket, Key=stored_job.file.name, Body=big)
    results, errors = [], []

    def read():
        try:
            results.append(stored_files.job_file_path(stored_job).read_bytes())
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [len(content) for content in results] == [len(big)] * 6
    cached = stored_files.job_file_path(stored_job).parent
    assert sorted(path.name for path in cached.iterdir()) == [".customers.csv.lock", "customers.csv"]


@pytest.mark.django_db
def test_copies_of_ended_jobs_go_when_the_machine_next_downloads(object_store, stored_job, company):
    ended = stored_files.job_file_path(stored_job).parent
    ImportExportJob.objects.filter(pk=stored_job.pk).update(job_status=ImportExportJob.Status.COMPLETED)
    running = job_create(company=company, target_name="Customer", file=ContentFile(b"a,b\n1,2\n"),
                         file_name="next.csv", options=ImportOptions())

    kept = stored_files.job_file_path(running).parent

    assert not ended.exists()
    assert kept.is_dir()


# --- The wizard and the command line, in this process -----------------------------------------------------------

MESSY_CSV = (
    "Customer list,,,,,,,,\n"
    "First Name,Surname,E-mail,Telephone,Street Address,Town,State,Zip,Meter ID\n"
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1\n"
    "Jane,Smith,not-an-email,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-2\n"
)


@pytest.mark.django_db
def test_the_wizard_reads_uploads_from_the_object_store(object_store, client, user,
                                                         django_capture_on_commit_callbacks):
    client.force_login(user)
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Just some notes"])
    sheet = workbook.create_sheet("Customers")
    for line in MESSY_CSV.splitlines()[1:]:
        sheet.append(line.split(","))
    content = io.BytesIO()
    workbook.save(content)

    response = client.post(reverse("imports:wizard_upload", args=["Customer"]),
                           {"file": SimpleUploadedFile("book.xlsx", content.getvalue())})
    created = ImportUpload.objects.get()
    assert response.url == reverse("imports:wizard_sheet", args=[created.pk])
    assert created.sheet_names == ["Notes", "Customers"]
    response = client.post(response.url, {"sheet": "Customers"})
    created.refresh_from_db()
    assert response.url == reverse("imports:wizard_mapping", args=[created.pk])
    assert created.columns[:3] == ["First Name", "Surname", "E-mail"]
    assert "not-an-email" in client.get(response.url).content.decode()  # the preview of the first rows

    assert object_store.keys("uploads/") == [created.file.name]
    assert object_store.read(created.file.name) == content.getvalue()
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(settings.IMPORT_CACHE_DIR) == []  # the copy read for the header is gone

    client.post(reverse("imports:wizard_mapping", args=[created.pk]), {
        **{f"column_{index}": created.mapping.get(column) or "" for index, column in enumerate(created.columns)},
        "action": "next",
    })
    client.post(reverse("imports:wizard_options", args=[created.pk]),
                {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):  # as outside a test's transaction
        job = job_run(job=created.validation_job)
    assert (job.job_status, job.total_records, job.failed_records) == ("completed", 2, 1)
    assert object_store.keys(f"imports/{job.company_id}/{job.pk}/") == [job.file.name]  # working files gone
    assert object_store.read(job.file.name) == content.getvalue()
    assert files_under(settings.MEDIA_ROOT) == []

    ImportUpload.objects.update(created_at=created.created_at.replace(year=2000))
    assert uploads_purge() == 1
    assert object_store.keys("uploads/") == []


@pytest.mark.django_db
def test_the_command_line_imports_through_the_object_store(object_store, company, command, write_file,
                                                            django_capture_on_commit_callbacks):
    path = write_file("bad.json", as_json(customers_csv(4, bad_emails={3})))

    with django_capture_on_commit_callbacks(execute=True):  # as outside a test's transaction
        result = command("import_data", "--model", "Customer", "--file", str(path), "--json")

    output = json.loads(result.stdout)
    job = ImportExportJob.objects.get()
    assert (result.status, output["status"], output["created"], output["failed"]) == (1, "completed", 3, 1)
    assert object_store.keys() == sorted([job.file.name, job.error_report.name])
    report = Path(output["error_report"])
    assert report.parent == Path(settings.IMPORT_LOG_DIR)
    assert report.read_bytes() == object_store.read(job.error_report.name)
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,Invalid email format,")
    assert files_under(settings.MEDIA_ROOT) == []


# --- Workers on two machines --------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["csv", "json"])
def test_workers_that_share_no_disk_import_a_file_uploaded_through_the_api(
    kind, object_store, user, start_worker, tmp_path
):
    machines = {
        name: {**object_store.environment, "MEDIA_ROOT": str(tmp_path / name / "media"),
               "IMPORT_CACHE_DIR": str(tmp_path / name / "cache"), "IMPORT_CHUNK_ROWS": "100"}
        for name in ("a", "b")
    }
    # 600 rows in 6 chunks: two bad emails, and meters repeated in later chunks (found by merging every chunk's scan).
    text = customers_csv(600, bad_emails={150, 420}, repeated_meters={(350, 20), (590, 510)})
    content = text if kind == "csv" else as_json(text)
    api = token_client(user)
    first = start_worker("a", environment=machines["a"])

    # Machine a alone prepares the job (the staged rows and the first scans go to the store) and stops; machine b,
    # which shares no disk with it, does the rest from the store (its sweeper sends again what a left unsent).
    job = job_of(upload(api, CUSTOMERS_URL, content, name=f"customers.{kind}"))
    wait_for(lambda: job.chunks.exists(), interval=0.05, timeout=60, workers=[first], what="the job to be prepared")
    first.stop()
    second = start_worker("b", environment=machines["b"], arguments=("--beat", "--schedule", str(tmp_path / "beat")))
    wait_for(lambda: job_finished(job), timeout=180, workers=[first, second], what="the job to finish")

    assert (job.job_status, job.total_records, job.created_records, job.failed_records) == ("completed", 600, 596, 4)
    assert Customer.objects.filter(company=user.company).count() == 596
    worked_on = TaskResult.objects.filter(task_name__startswith="imports.jobs.tasks.").values_list("worker", flat=True)
    assert {name.split("@")[0] for name in worked_on} == {"a", "b"}, "both machines should have taken part"

    # The staged rows and the scans go with the job's end, just after its status is committed.
    folder = f"imports/{job.company_id}/{job.pk}/"
    wait_for(lambda: object_store.keys(folder) == [job.file.name], timeout=30, workers=[second],
             what="the job's working files to be deleted from the store")
    assert object_store.keys() == sorted([job.file.name, job.error_report.name])
    assert object_store.read(job.file.name) == content.encode()
    download = api.get(f"{CUSTOMERS_URL}/{job.pk}/errors")
    rows = csv_rows(download)
    assert download.status_code == 200
    assert [row.split(",")[0] for row in rows[1:]] == ["150", "350", "420", "590"]
    # A CSV file names the earlier rows by their sheet rows (below the header), as they were worked out on one
    # machine (the chunk of row 510, the last, was read for it); a JSON file by their data rows.
    earlier = {"csv": ("sheet row 21", "sheet row 511"), "json": ("row 20", "row 510")}[kind]
    assert f"MTR-00020 is also on {earlier[0]}" in rows[2]
    assert f"MTR-00510 is also on {earlier[1]}" in rows[4]
    assert b"".join(api.get(f"{CUSTOMERS_URL}/{job.pk}/errors").streaming_content) == object_store.read(
        job.error_report.name
    )
    for place in (settings.MEDIA_ROOT, tmp_path / "a" / "media", tmp_path / "b" / "media"):
        assert files_under(place) == [], f"nothing of the job is kept on a disk: {place}"

    ImportExportJob.objects.filter(pk=job.pk).update(completed_at=job.completed_at.replace(year=2000))
    assert job_files_purge() == 1
    assert object_store.keys() == []
