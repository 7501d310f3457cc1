"""The "Backup & restore" page: back up and download (audited); upload an archive, see its dry run per file, then
"Restore now"; a bad archive is one sentence; another company's backups and restores are 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob
from tests.backup_company import company_fill, company_records
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ran(job: ImportExportJob) -> ImportExportJob:
    return job_run(job=job)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def archive_bytes(company, signed_in) -> bytes:
    company_fill(company)
    signed_in.post(reverse("imports:backup_start"))
    job = ran(ImportExportJob.objects.get(job_type="backup"))
    return b"".join(signed_in.get(reverse("imports:backup_download", args=[job.pk])).streaming_content)


@pytest.fixture
def other_client(client, other_company):
    from django.test import Client

    other = Client()
    other.force_login(UserFactory(company=other_company, username="bob"))
    return other


def test_the_page_is_in_the_menu_and_needs_sign_in(client, user):
    assert client.get(reverse("imports:backups")).status_code == 302
    client.force_login(user)

    page = client.get(reverse("imports:job_list")).content.decode()

    assert f'href="{reverse("imports:backups")}">Backup &amp; restore</a>' in page


def test_a_backup_started_on_the_page_is_downloaded_and_the_download_audited(company, user, signed_in):
    company_fill(company)

    response = signed_in.post(reverse("imports:backup_start"))

    job = ImportExportJob.objects.get(job_type="backup")
    assert response.url == reverse("imports:backup_job", args=[job.pk])
    ran(job)
    page = signed_in.get(response.url).content.decode()
    download_url = reverse("imports:backup_download", args=[job.pk])
    assert download_url in page
    assert "customers.csv" in page
    listed = signed_in.get(reverse("imports:backups")).content.decode()
    assert f"Download {job.file_name}" in listed
    download = signed_in.get(download_url, REMOTE_ADDR="10.1.2.3")
    assert download["Content-Type"] == "application/zip"
    event = AuditEvent.objects.get(action="download")
    assert (event.user, event.via, event.address, event.job_id) == (user, "web", "10.1.2.3", job.pk)


def test_the_jobs_generic_file_link_of_a_backup_leads_to_its_audited_page(company, signed_in):
    job = ran(ImportExportJob.objects.get(pk=signed_in.post(reverse("imports:backup_start")).url.split("/")[-2]))

    for name in ("imports:job_file", "imports:job_detail"):
        response = signed_in.get(reverse(name, args=[job.pk]))
        assert response.url == reverse("imports:backup_job", args=[job.pk])
    assert not AuditEvent.objects.exists()


def test_an_archive_uploaded_shows_its_dry_run_then_restore_now_restores_it(
    company, archive_bytes, other_company, other_client
):
    response = other_client.post(reverse("imports:restore_upload"),
                                 {"file": SimpleUploadedFile("acme.zip", archive_bytes)})

    dry_run = ImportExportJob.objects.get(company=other_company, job_type="restore")
    assert dry_run.dry_run
    assert response.url == reverse("imports:restore_job", args=[dry_run.pk])
    ran(dry_run)
    page = other_client.get(response.url).content.decode()
    assert "Restoring this backup would create <strong>25</strong> records," in " ".join(page.split())
    assert "Would create" in page
    assert "Restore now" in page
    assert all(not rows for rows in company_records(other_company).values())

    response = other_client.post(reverse("imports:restore_confirm", args=[dry_run.pk]))

    real = ImportExportJob.objects.get(company=other_company, job_type="restore", dry_run=False)
    assert response.url == reverse("imports:restore_job", args=[real.pk])
    ran(real)
    page = other_client.get(response.url).content.decode()
    assert page.count("<td>As predicted</td>") == 7
    for child in real.children.all():
        assert reverse("imports:job_detail", args=[child.pk]) in page
    assert "Restore now" not in page
    assert company_records(other_company) == company_records(company)


def test_a_bad_archive_is_one_sentence_and_no_job(company, signed_in):
    form = {"file": SimpleUploadedFile("acme.zip", b"name,group_type\nA,B\n")}

    response = signed_in.post(reverse("imports:restore_upload"), form, follow=True)

    page = response.content.decode()
    assert "The file is not a backup archive: it is no ZIP file." in page
    assert not ImportExportJob.objects.exists()
    answer = signed_in.post(reverse("imports:restore_upload"), {"file": SimpleUploadedFile("a.zip", b"x")},
                            HTTP_X_REQUESTED_WITH="fetch")
    assert (answer.status_code, answer["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert answer.content.decode().startswith("The file is not a backup archive")


def test_another_companys_backups_and_restores_are_not_found(company, archive_bytes, signed_in, other_client):
    backup = ImportExportJob.objects.get(job_type="backup")
    signed_in.post(reverse("imports:restore_upload"), {"file": SimpleUploadedFile("acme.zip", archive_bytes)})
    restore = ImportExportJob.objects.get(job_type="restore")

    for url in (reverse("imports:backup_job", args=[backup.pk]), reverse("imports:backup_download", args=[backup.pk]),
                reverse("imports:restore_job", args=[restore.pk])):
        assert other_client.get(url).status_code == 404, url
    assert other_client.post(reverse("imports:restore_confirm", args=[restore.pk])).status_code == 404
    page = other_client.get(reverse("imports:backups")).content.decode()
    assert "No backups yet." in page
    assert "No restores yet." in page
