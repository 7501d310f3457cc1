"""Words office staff read: the Import button counts the rows it writes, the errors heading its rows, the modes in
plain words with the duplicate choice only where it acts, and records named as people call them."""

import pytest
from django.urls import reverse

from imports.models import ImportExportJob
from tests.imports.web.test_review_guards import ONE_BAD_ROW, validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_import_button_counts_the_rows_it_writes_and_those_left_out(signed_in,
                                                                       django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)

    page = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).text

    assert "Import 2 rows (1 failing row left out)</button>" in page
    assert "<caption>The failing row</caption>" in page


def test_one_row_written_is_one_row(signed_in, django_capture_on_commit_callbacks):
    lines = ONE_BAD_ROW.splitlines()
    bad_rows = "\n".join([lines[0], lines[1], *[lines[2].replace("MTR-2", f"MTR-{n}") for n in range(10, 13)]])
    created = validated(signed_in, django_capture_on_commit_callbacks, content=bad_rows + "\n")

    page = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).text

    assert "Import 1 row (3 failing rows left out)</button>" in page
    assert "<caption>The 3 failing rows</caption>" in page


def test_the_options_speak_plainly_and_the_duplicate_choice_is_tied_to_adding_only(signed_in,
                                                                                   django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)

    page = signed_in.get(reverse("imports:wizard_options", args=[created.pk])).text

    assert '<option value="upsert" selected>Add new and update existing</option>' in page
    assert "upsert</option>" not in page.replace('value="upsert"', "")
    assert '<div data-for-mode="create">' in page
    assert "When a row matches a record you already have" in page
    assert "key" not in page.split("<h1>")[1].split("</form>")[0].lower()


def test_jobs_name_their_records_as_people_call_them(signed_in, company, run_import, write_file):
    from tests.conftest import GUIDE_CSV

    job = run_import(write_file("customers.csv", GUIDE_CSV))
    ImportExportJob.objects.filter(pk=job.pk).update(target_model="MeterReading")

    assert "<h1>Import of meter readings" in signed_in.get(reverse("imports:job_detail", args=[job.pk])).text
    assert "<td>Meter readings</td>" in signed_in.get(reverse("imports:job_list")).text


def test_the_mapping_page_names_the_records_field_as_people_say_it(signed_in):
    from tests.imports.web.test_wizard import upload

    upload(signed_in, "Meter,Reading Date,Reading\nMTR-1,2024-01-01,100\n", target="MeterReading")
    from imports.models import ImportUpload

    created = ImportUpload.objects.get()
    page = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk])).text

    assert "feeds one meter reading field." in page
    assert "meterreading" not in page


def test_the_preview_heads_its_columns_with_the_fields_labels(signed_in):
    from tests.imports.web.test_wizard import uploaded

    created = uploaded(signed_in)
    page = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk])).text

    assert '<th scope="col">First name</th>' in page
    assert '<th scope="col">first_name</th>' not in page


def test_the_errors_per_column_name_the_fields_by_their_labels(signed_in, django_capture_on_commit_callbacks):
    created = validated(signed_in, django_capture_on_commit_callbacks)

    page = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).text

    assert '<th scope="row">Email</th>' in page
    assert '<th scope="row">email</th>' not in page
