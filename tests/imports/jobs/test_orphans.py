"""No file is left under MEDIA_ROOT without a row: a wizard upload that crashes takes its file with it, whatever
stopped it, and the purge deletes files that no job or upload refers to once they are past the grace period."""

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from imports.jobs.orphans import media_orphans_purge
from imports.jobs.tasks import purge_expired_job_files
from imports.models import ImportExportJob, ImportUpload
from imports.web import uploads
from tests.conftest import GUIDE_CSV

# Lines ending in a lone carriage return (Excel for Mac): the job reads a staged copy beside the upload.
MAC_CSV = GUIDE_CSV.replace("\n", "\r")

pytestmark = pytest.mark.django_db


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def aged(path: Path, *, minutes: float) -> Path:
    """Make a file (or folder) look `minutes` old."""
    then = time.time() - minutes * 60
    os.utime(path, (then, then))
    return path


def stray(settings, name: str, *, minutes: float) -> Path:
    """A file under MEDIA_ROOT that no row refers to, `minutes` old."""
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("first_name\nJohn\n")
    return aged(path, minutes=minutes)


@pytest.mark.parametrize("crash", [MemoryError, RuntimeError, KeyboardInterrupt])
def test_a_wizard_upload_that_crashes_keeps_no_file(company, user, settings, monkeypatch, crash):
    def crashing(*args, **kwargs):
        raise crash("while reading the header")

    monkeypatch.setattr(uploads, "_read_header", crashing)

    with pytest.raises(crash):
        uploads.upload_create(company=company, user=user, target_name="Customer",
                              file=SimpleUploadedFile("customers.csv", GUIDE_CSV.encode()))

    assert media_files(settings) == []
    assert not ImportUpload.objects.exists()


def test_an_upload_whose_row_cannot_be_saved_keeps_no_file(company, user, settings, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImportUpload, "save", failing_save)

    with pytest.raises(RuntimeError):
        uploads.upload_create(company=company, user=user, target_name="Customer",
                              file=SimpleUploadedFile("customers.csv", GUIDE_CSV.encode()))

    assert media_files(settings) == []


def test_a_crash_in_the_wizard_is_a_500_page_and_keeps_no_file(user, settings, monkeypatch):
    def crashing(*args, **kwargs):
        raise RuntimeError("a bug in the header reader")

    monkeypatch.setattr(uploads, "_read_header", crashing)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.post(reverse("imports:wizard_upload", args=["Customer"]),
                           {"file": SimpleUploadedFile("customers.csv", GUIDE_CSV.encode())})

    assert response.status_code == 500
    assert "a bug in the header reader" not in response.content.decode()
    assert media_files(settings) == []


def test_the_purge_deletes_old_files_no_row_refers_to(company, user, settings, write_file, run_import):
    job = run_import(write_file("guide.csv", MAC_CSV))
    upload = uploads.upload_create(company=company, user=user, target_name="Customer",
                                   file=SimpleUploadedFile("customers.csv", GUIDE_CSV.encode()))
    job_folder = Path(job.file.path).parent
    for path in [Path(job.file.path), Path(upload.file.path), *job_folder.rglob("*")]:
        aged(path, minutes=24 * 60)  # every file a row refers to is a day old: age alone deletes nothing
    crashed = stray(settings, f"uploads/{company.pk}/5b1f0c8e-0000-4000-8000-000000000000/customers.csv",
                    minutes=2 * 60)
    aged(crashed.parent, minutes=2 * 60)
    being_saved = stray(settings, f"uploads/{company.pk}/6c2a1d9f-0000-4000-8000-000000000000/customers.csv",
                        minutes=1)
    kept_before = media_files(settings)

    deleted = purge_expired_job_files()

    assert deleted == 1
    assert not crashed.exists()
    assert not crashed.parent.exists()  # the folder it leaves empty goes too
    assert being_saved.exists()  # within the grace period: its row may be on its way
    assert media_files(settings) == [name for name in kept_before if Path(settings.MEDIA_ROOT) / name != crashed]
    assert Path(job.file.path).exists()
    assert Path(upload.file.path).exists()
    assert list(job_folder.rglob("staged.csv"))  # the staged copy of a job's upload is the job's own


def test_once_a_jobs_files_expire_its_staged_copy_goes_too(company, settings, write_file, run_import):
    job = run_import(write_file("guide.csv", MAC_CSV))
    job_folder = Path(job.file.path).parent
    ImportExportJob.objects.filter(pk=job.pk).update(completed_at=timezone.now() - dt.timedelta(days=31))
    for path in job_folder.rglob("*"):
        aged(path, minutes=31 * 24 * 60)
    assert list(job_folder.rglob("staged.csv"))

    purge_expired_job_files()

    assert media_files(settings) == []
    assert not job_folder.exists()


def test_the_grace_period_is_a_setting(company, settings):
    settings.IMPORT_ORPHAN_GRACE_MINUTES = 10
    young = stray(settings, "uploads/x/5.csv", minutes=5)
    old = stray(settings, "uploads/x/15.csv", minutes=15)

    assert media_orphans_purge() == 1

    assert young.exists()
    assert not old.exists()
