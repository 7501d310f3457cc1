"""The import wizard's pages, step by step, through Django's test client (the browser tests drive the same pages
in Chromium). Jobs are run in the test's process where a worker would run them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import DataTemplate, ImportExportJob, ImportUpload

pytestmark = pytest.mark.django_db

# A file as offices keep them: a title row above the header, headers in their own words, a bad email and a bad
# ZIP code, and no account numbers (they are generated).
MESSY_CSV = (
    "Customer list exported 2026-11-01,,,,,,,,\n"
    ",,,,,,,,\n"
    "First Name,Surname,E-mail,Telephone,Street Address,Town,State,Zip,Meter ID\n"
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1\n"
    "Jane,Smith,not-an-email,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-2\n"
    "Ann,Lee,ann@example.com,555-555-5557,9 Elm St,Springfield,IL,1234,MTR-3\n"
)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def upload(client, content: bytes | str, name: str = "customers.csv", target: str = "Customer", headers=None,
           **extra):
    data = content.encode() if isinstance(content, str) else content
    return client.post(reverse("imports:wizard_upload", args=[target]),
                       {"file": SimpleUploadedFile(name, data), **extra}, headers=headers)


def uploaded(client, content=MESSY_CSV, **extra) -> ImportUpload:
    response = upload(client, content, **extra)
    assert response.status_code == 302, response.content
    return ImportUpload.objects.latest("created_at")


def mapping_post(upload_: ImportUpload, changes: dict[str, str] | None = None, action: str = "next") -> dict:
    chosen = {**upload_.mapping, **(changes or {})}
    data = {f"column_{index}": chosen.get(column) or "" for index, column in enumerate(upload_.columns)}
    return {**data, "action": action}


def test_the_first_step_lists_each_target_with_its_required_fields_and_templates(signed_in):
    response = signed_in.get(reverse("imports:wizard"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<code>meter_number</code>" in page
    assert reverse("imports:blank_template", args=["Customer", "csv"]) in page
    assert reverse("imports:blank_template", args=["Customer", "xlsx"]) in page


def test_an_upload_finds_the_header_under_title_rows_and_matches_columns_with_confidence(signed_in):
    created = uploaded(signed_in)

    assert created.columns[0] == "First Name"
    assert created.mapping == {
        "First Name": "first_name", "Surname": "last_name", "E-mail": "email", "Telephone": "phone",
        "Street Address": "service_address", "Town": "city", "State": "state", "Zip": "postal_code",
        "Meter ID": "meter_number",
    }
    assert created.match_confidence["First Name"] == 0.9  # the field's name, written differently
    assert created.match_confidence["Surname"] == 0.75  # a synonym
    page = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk])).content.decode()
    assert "probable (75%)" in page
    assert "sure (90%)" in page


def test_the_preview_shows_stored_values_and_marks_the_bad_cells(signed_in):
    created = uploaded(signed_in)

    page = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk])).content.decode()

    assert "The first 3 rows as they would be stored" in page
    assert "(generated)" in page  # account numbers are generated for new customers
    assert page.count('class="cell-error"') == 2
    assert "Invalid email format" in page
    assert "not-an-email" in page


def test_a_required_field_no_column_feeds_blocks_the_next_step(signed_in):
    created = uploaded(signed_in)

    response = signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]),
                              mapping_post(created, {"Meter ID": ""}))

    assert response.url == reverse("imports:wizard_mapping", args=[created.pk])
    page = signed_in.get(response.url).content.decode()
    assert "Required fields no column feeds: Meter number." in page
    assert signed_in.get(reverse("imports:wizard_options", args=[created.pk])).url == response.url


def test_two_columns_for_one_field_is_a_clear_error(signed_in):
    created = uploaded(signed_in)

    response = signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]),
                              mapping_post(created, {"Town": "first_name"}))

    assert response.status_code == 200
    assert "The mapping sends several columns to the same field: first_name." in response.content.decode()


def test_the_preview_endpoint_follows_unsaved_choices(signed_in):
    created = uploaded(signed_in)
    query = mapping_post(created, {"E-mail": ""}, action="preview")

    page = signed_in.get(reverse("imports:wizard_preview", args=[created.pk]), query).content.decode()

    assert "Required fields no column feeds: Email." in page
    created.refresh_from_db()
    assert created.mapping["E-mail"] == "email"  # nothing saved


def test_validate_then_import_the_whole_way(signed_in, django_capture_on_commit_callbacks):
    created = uploaded(signed_in)
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created))

    with django_capture_on_commit_callbacks() as queued:
        response = signed_in.post(reverse("imports:wizard_options", args=[created.pk]),
                                  {"import_mode": "upsert", "duplicate_handling": "skip"})
    assert response.url == reverse("imports:wizard_review", args=[created.pk])
    assert len(queued) == 1  # the dry run's task, sent once the upload's transaction committed
    created.refresh_from_db()
    dry_run = created.validation_job
    assert (dry_run.dry_run, dry_run.job_status) == (True, "pending")
    assert "Checking" in signed_in.get(response.url).content.decode()

    job_run(job=dry_run)
    page = signed_in.get(response.url).content.decode()
    assert '<dd data-count="created">1</dd>' in page
    assert '<dd data-count="failed" class="error">2</dd>' in page
    assert "Invalid email format" in page
    assert "Invalid postal code" in page
    assert Customer.objects.count() == 0

    with django_capture_on_commit_callbacks():
        response = signed_in.post(reverse("imports:wizard_start", args=[created.pk]), {"dry_run": str(dry_run.pk)})
    created.refresh_from_db()
    assert response.url == reverse("imports:job_detail", args=[created.import_job.pk])
    job_run(job=created.import_job)
    page = signed_in.get(response.url).content.decode()
    assert Customer.objects.filter(company=created.company).count() == 1
    assert reverse("imports:job_error_report", args=[created.import_job.pk]) in page
    assert reverse("imports:records", args=["Customer"]) in page


def test_progress_endpoint_reports_rows_rate_and_time_left(signed_in, company, user, write_file):
    with open(write_file("c.csv", MESSY_CSV), "rb") as handle:
        from django.core.files import File

        from imports.engine.options import ImportOptions
        from imports.jobs.services import job_create

        job = job_create(company=company, target_name="Customer", file=File(handle, name="c.csv"),
                         file_name="c.csv", options=ImportOptions(), user=user)
    url = reverse("imports:job_progress", args=[job.pk])
    assert signed_in.get(url).json()["status"] == "pending"

    job_run(job=job)
    data = signed_in.get(url).json()

    assert data["finished"] is True
    assert (data["progress"], data["total_rows"], data["processed_rows"], data["failed"]) == (100, 3, 3, 2)
    assert data["seconds_left"] is None


def test_cancel_stops_a_running_job(signed_in, company, user, write_file):
    from django.core.files import File

    from imports.engine.options import ImportOptions
    from imports.jobs.services import job_create

    with open(write_file("c.csv", MESSY_CSV), "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name="c.csv"),
                         file_name="c.csv", options=ImportOptions(), user=user)
    ImportExportJob.objects.filter(pk=job.pk).update(job_status="running")

    signed_in.post(reverse("imports:job_cancel", args=[job.pk]))

    job.refresh_from_db()
    assert job.job_status == "cancelled"


def test_bad_files_get_one_clear_message_and_nothing_is_kept(signed_in):
    for content, name, message in [
        (b"%PDF-1.4 binary", "customers.csv", "This file is a PDF document, not a spreadsheet"),
        (b"", "customers.csv", "The submitted file is empty."),
        (b"first_name,last_name\n", "customers.csv", "The file has a header row but no data rows."),
    ]:
        response = upload(signed_in, content, name)
        assert response.url == reverse("imports:wizard")
        page = signed_in.get(response.url).content.decode()
        assert message in page, page
    assert ImportUpload.objects.count() == 0


def test_the_size_limit_is_checked_on_the_server(signed_in, settings):
    settings.IMPORT_MAX_FILE_MB = settings.UPLOAD_MAX_FILE_MB = 0

    response = upload(signed_in, MESSY_CSV, headers={"X-Requested-With": "fetch"})

    assert response.status_code == 413
    assert response.content.decode() == "The file is larger than 0 MB, the limit set by UPLOAD_MAX_FILE_MB."


def notes_and_customers_workbook() -> bytes:
    """A workbook of two sheets: notes first, then the messy file's customers under their header."""
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Just some notes"])
    customers = workbook.create_sheet("Customers")
    for line in MESSY_CSV.splitlines()[2:]:
        customers.append(line.split(","))
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def test_a_workbook_with_several_sheets_asks_which_one(signed_in):
    response = upload(signed_in, notes_and_customers_workbook(), "book.xlsx")
    created = ImportUpload.objects.get()
    assert response.url == reverse("imports:wizard_sheet", args=[created.pk])

    response = signed_in.post(response.url, {"sheet": "Customers"})

    created.refresh_from_db()
    assert response.url == reverse("imports:wizard_mapping", args=[created.pk])
    assert (created.sheet, created.columns[0]) == ("Customers", "First Name")


def test_templates_save_load_and_are_offered_first_when_they_match(signed_in, company):
    created = uploaded(signed_in)
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created, {"Town": ""}))
    signed_in.post(reverse("imports:wizard_template_save", args=[created.pk]), {"template_name": "Office list"})
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Another",
                                field_mapping={"Some other column": "city"})

    fresh = uploaded(signed_in)
    page = signed_in.get(reverse("imports:wizard_mapping", args=[fresh.pk])).content.decode()
    assert page.index("Office list — matches this file") < page.index("Another")

    template = DataTemplate.objects.get(template_name="Office list")
    signed_in.post(reverse("imports:wizard_template_load", args=[fresh.pk]), {"template": template.pk})
    fresh.refresh_from_db()
    assert fresh.mapping["Town"] is None
    assert fresh.template_name == "Office list"


def test_a_refused_template_keeps_the_selects_and_the_name_as_the_user_left_them(signed_in):
    created = uploaded(signed_in)
    town = created.columns.index("Town")
    # Town set to no field by the user, and city chosen for two other columns by mistake.
    posted = {**mapping_post(created, {"Town": "", "Street Address": "city", "Zip": "city"}),
              "template_name": "Office list"}

    response = signed_in.post(reverse("imports:wizard_template_save", args=[created.pk]), posted)

    assert response.status_code == 200  # the page itself, not a redirect to the mapping last stored
    page = response.content.decode()
    assert "The mapping sends several columns to the same field: city." in page
    assert not DataTemplate.objects.filter(template_name="Office list").exists()
    form = response.context["form"]
    assert form[f"column_{town}"].value() == ""  # the user's own change survives the refusal
    assert 'name="template_name" maxlength="200" value="Office list"' in page


def test_uploading_a_fixed_file_keeps_the_mapping_and_options(signed_in):
    created = uploaded(signed_in)
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created, {"Town": ""}))
    ImportUpload.objects.filter(pk=created.pk).update(import_mode="create", all_or_nothing=True)

    fixed = uploaded(signed_in, MESSY_CSV.replace("not-an-email", "jane@example.com"), previous=str(created.pk))

    assert fixed.mapping["Town"] is None
    assert (fixed.import_mode, fixed.all_or_nothing) == ("create", True)


def test_another_companys_uploads_jobs_and_templates_are_404_everywhere(client, user, other_company,
                                                                        django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    client.force_login(user)
    created = uploaded(client)
    client.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created))
    with django_capture_on_commit_callbacks():
        client.post(reverse("imports:wizard_options", args=[created.pk]),
                    {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    job_run(job=created.validation_job)
    with django_capture_on_commit_callbacks():
        client.post(reverse("imports:wizard_start", args=[created.pk]), {"dry_run": str(created.validation_job.pk)})
    created.refresh_from_db()
    job_run(job=created.import_job)
    template = DataTemplate.objects.create(company=user.company, target_model="Customer", template_name="Ours",
                                           field_mapping={"Town": "city"})
    job = created.import_job
    assert job.error_report  # so the download URL below is a real one for its own company

    urls = {
        "get": [
            reverse("imports:job_detail", args=[job.pk]), reverse("imports:job_progress", args=[job.pk]),
            reverse("imports:job_error_report", args=[job.pk]), reverse("imports:job_file", args=[job.pk]),
            reverse("imports:wizard_sheet", args=[created.pk]), reverse("imports:wizard_mapping", args=[created.pk]),
            reverse("imports:wizard_preview", args=[created.pk]), reverse("imports:wizard_options", args=[created.pk]),
            reverse("imports:wizard_review", args=[created.pk]), reverse("imports:template_edit", args=[template.pk]),
        ],
        "post": [
            reverse("imports:job_cancel", args=[job.pk]), reverse("imports:wizard_start", args=[created.pk]),
            reverse("imports:wizard_template_save", args=[created.pk]),
            reverse("imports:wizard_template_load", args=[created.pk]),
            reverse("imports:template_delete", args=[template.pk]),
        ],
    }
    for url in urls["get"]:
        assert client.get(url).status_code == 200, url  # the owner sees every page

    client.force_login(UserFactory(company=other_company, username="mallory"))
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"template": template.pk, "template_name": "x"}).status_code == 404, url
    assert DataTemplate.objects.filter(pk=template.pk).exists()
    assert ImportExportJob.objects.filter(company=user.company, dry_run=False).count() == 1


def test_an_unknown_target_is_404(signed_in):
    assert signed_in.get(reverse("imports:blank_template", args=["Lead", "csv"])).status_code == 404
    assert signed_in.get(reverse("imports:blank_template", args=["Customer", "pdf"])).status_code == 404
    assert upload(signed_in, MESSY_CSV, target="Lead").status_code == 404


def test_the_preview_uses_the_rows_read_at_upload_not_the_file_again(signed_in):
    created = uploaded(signed_in)
    with open(created.file.path, "w") as stored:
        stored.write("garbage that is no customer file")

    page = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk])).content.decode()

    assert "The first 3 rows as they would be stored" in page
    assert "john.doe@example.com" in page


def test_starting_the_import_twice_imports_the_file_once(signed_in, django_capture_on_commit_callbacks):
    created = uploaded(signed_in)
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created))
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_options", args=[created.pk]),
                       {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    job_run(job=created.validation_job)
    shown = {"dry_run": str(created.validation_job.pk)}

    with django_capture_on_commit_callbacks():
        first = signed_in.post(reverse("imports:wizard_start", args=[created.pk]), shown)
        second = signed_in.post(reverse("imports:wizard_start", args=[created.pk]), shown)

    assert first.url == second.url
    assert ImportExportJob.objects.filter(dry_run=False).count() == 1


def test_old_uploads_and_their_files_are_purged(signed_in):
    import datetime as dt
    from pathlib import Path

    from django.utils import timezone

    from imports.jobs.retention import uploads_purge

    old, recent = uploaded(signed_in), uploaded(signed_in)
    ImportUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))

    assert uploads_purge(older_than_days=30) == 1

    assert list(ImportUpload.objects.all()) == [recent]
    assert not Path(old.file.path).exists()
    assert Path(recent.file.path).exists()


def test_tampered_ids_in_forms_are_404_not_errors(signed_in):
    created = uploaded(signed_in)

    response = signed_in.post(reverse("imports:wizard_template_load", args=[created.pk]), {"template": "nonsense"})

    assert response.status_code == 404
    assert uploaded(signed_in, previous="nonsense").mapping["Town"] == "city"
