"""The review page's Import button starts exactly what the dry run it shows validated, and nothing when that dry
run forbids it: the page says why and the server refuses too."""

import pytest
from django.urls import reverse

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob, ImportUpload
from tests.conftest import GUIDE_CSV
from tests.imports.web.test_wizard import mapping_post, uploaded

pytestmark = pytest.mark.django_db

# Two good rows and one with a bad email.
ONE_BAD_ROW = (
    "First Name,Surname,E-mail,Telephone,Street Address,Town,State,Zip,Meter ID\n"
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1\n"
    "Jane,Smith,not-an-email,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-2\n"
    "Ann,Lee,ann@example.com,555-555-5557,9 Elm St,Springfield,IL,62703,MTR-3\n"
)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def validated(client, capture, content=ONE_BAD_ROW, **options) -> ImportUpload:
    """An upload mapped as offered and validated (its dry run run to the end)."""
    created = uploaded(client, content)
    client.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created))
    with capture():
        client.post(reverse("imports:wizard_options", args=[created.pk]),
                    {"import_mode": "upsert", "duplicate_handling": "skip", **options})
    created.refresh_from_db()
    job_run(job=created.validation_job)
    created.refresh_from_db()
    return created


def validated_again(client, capture, created: ImportUpload) -> ImportExportJob:
    """The upload validated once more with the same options (its new dry run run to the end)."""
    with capture():
        client.post(reverse("imports:wizard_options", args=[created.pk]),
                    {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    job_run(job=created.validation_job)
    return ImportExportJob.objects.get(pk=created.validation_job.pk)


def start(client, capture, created: ImportUpload, dry_run: ImportExportJob):
    with capture():
        return client.post(reverse("imports:wizard_start", args=[created.pk]), {"dry_run": str(dry_run.pk)})


def test_the_import_starts_from_the_dry_run_the_page_shows(signed_in, django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)
    page = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).content.decode()
    assert f'name="dry_run" value="{created.validation_job.pk}"' in page

    response = start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)

    created.refresh_from_db()
    assert response.url == reverse("imports:job_detail", args=[created.import_job.pk])
    assert created.import_job.options["mapping"] == created.validation_job.options["mapping"]


def test_a_mapping_changed_after_the_dry_run_is_not_imported_from_its_page(signed_in,
                                                                            django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)
    shown = created.validation_job
    # The user goes back to the mapping and ignores the e-mail column, then returns to the review page (Back).
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created, {"E-mail": ""},
                                                                                     action="preview"))

    response = start(signed_in, django_capture_on_commit_callbacks, created, shown)

    created.refresh_from_db()
    assert created.import_job is None
    assert not ImportExportJob.objects.filter(dry_run=False).exists()
    assert response.url == reverse("imports:wizard_review", args=[created.pk])
    page = signed_in.get(response.url).content.decode()
    assert '<li class="error">Nothing was imported.</li>' in page
    assert page.count("validation rules were changed after this validation") == 1
    assert 'disabled aria-describedby="import-refusal"' in page
    assert f'href="{reverse("imports:wizard_options", args=[created.pk])}">Validate again' in page


def test_changed_options_count_as_a_change_too(signed_in, django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)
    ImportUpload.objects.filter(pk=created.pk).update(duplicate_handling="error")

    start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)

    assert not ImportExportJob.objects.filter(dry_run=False).exists()


def test_changed_value_fixes_count_as_a_change_too(signed_in, django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)
    ImportUpload.objects.filter(pk=created.pk).update(value_fixes={"pad_zip_codes": False})

    start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)

    assert not ImportExportJob.objects.filter(dry_run=False).exists()


def test_the_page_of_an_older_dry_run_cannot_start_the_import(signed_in, django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)
    older = created.validation_job
    validated_again(signed_in, django_capture_on_commit_callbacks, created)

    response = start(signed_in, django_capture_on_commit_callbacks, created, older)

    assert not ImportExportJob.objects.filter(dry_run=False).exists()
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Nothing was imported. The file was validated again after the page you imported from was "
                        "shown, so what it showed is not what would be imported: look at the latest validation before "
                        "importing."]


def test_a_dry_run_still_running_cannot_be_imported_from(signed_in, django_capture_on_commit_callbacks):
    created = uploaded(signed_in, ONE_BAD_ROW)
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created))
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_options", args=[created.pk]),
                       {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()

    start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)

    assert not ImportExportJob.objects.filter(dry_run=False).exists()


def test_all_or_nothing_with_a_failed_row_disables_the_import_and_the_server_refuses(
    signed_in, django_capture_on_commit_callbacks,
):
    created = validated(signed_in, django_capture_on_commit_callbacks, all_or_nothing="on")
    assert (created.all_or_nothing, created.validation_job.failed_records) == (True, 1)

    page = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).content.decode()
    response = start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)

    sentence = ("You chose to import nothing if any row fails, and 1 row still fails validation: fix them below or "
                "in the error report, or change that option and validate again.")
    assert sentence in page
    assert 'disabled aria-describedby="import-refusal"' in page
    assert response.url == reverse("imports:wizard_review", args=[created.pk])
    assert not ImportExportJob.objects.filter(dry_run=False).exists()
    assert Customer.objects.count() == 0


def test_the_review_counts_unchanged_and_skipped_apart(signed_in, django_capture_on_commit_callbacks):
    keyed = GUIDE_CSV.replace(",,active", ",{n},active").replace("{n}", "1111111111", 1).replace("{n}", "2222222222")
    created = validated(signed_in, django_capture_on_commit_callbacks, content=keyed)
    start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)
    created.refresh_from_db()
    job_run(job=created.import_job)
    again = validated(signed_in, django_capture_on_commit_callbacks, content=keyed)

    page = signed_in.get(reverse("imports:wizard_review", args=[again.pk])).content.decode()

    assert '<dd data-count="unchanged">2</dd>' in page  # both rows are stored as they are
    assert '<dd data-count="skipped">0</dd>' in page  # not counted a second time as skipped
