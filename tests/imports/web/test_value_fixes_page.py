"""The mapping page's value fixes: date formats proposed from the first rows (a warning when they fit several),
ZIP padding, maps for unknown choice values; saved with the mapping, in templates, and applied by the jobs."""

import datetime as dt

import pytest
from django.urls import reverse

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import DataTemplate, ImportUpload

from .test_wizard import mapping_post, uploaded

pytestmark = pytest.mark.django_db

HEADER = "First Name,Surname,E-mail,Phone,Street,Town,State,Zip,Meter ID,Status,Start Date\n"
US_FILE = HEADER + (
    "Ann,Lee,ann@example.com,(617) 555-0101 ext 2,1 Beacon St,Boston,MA,2134,MTR-1,Closed,03/15/2024\n"
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,62701,MTR-2,Active,4/5/2024\n"
    "Cy,Dow,cy@example.com,617-555-0103,3 Oak St,Springfield,IL,62702,MTR-3,On hold,12/31/2023\n"
)
AMBIGUOUS_FILE = HEADER + (
    "Ann,Lee,ann@example.com,617-555-0101,1 Beacon St,Boston,MA,02134,MTR-1,Active,04/05/2024\n"
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,62701,MTR-2,Active,11/12/2023\n"
)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def mapped(client, content) -> ImportUpload:
    created = uploaded(client, content)
    client.post(reverse("imports:wizard_mapping", args=[created.pk]),
                mapping_post(created, {"Start Date": "connection_date"}, action="preview"))
    created.refresh_from_db()
    return created


def page_of(client, upload: ImportUpload) -> str:
    return client.get(reverse("imports:wizard_mapping", args=[upload.pk])).content.decode()


def fixes_post(upload: ImportUpload, **fixes) -> dict:
    return {**mapping_post(upload, {"Start Date": "connection_date"}), "value_fixes_shown": "1", **fixes}


def test_us_dates_are_detected_and_shown_with_the_choice_of_format(signed_in):
    upload = mapped(signed_in, US_FILE)

    page = page_of(signed_in, upload)

    assert "Detected from the first rows: MM/DD/YYYY." in page
    assert '<option value="mdy" selected>MM/DD/YYYY (e.g. 03/15/2024)</option>' in page
    assert "data-ambiguous" not in page
    # The preview already reads them so, and pads the ZIP code with its warning.
    assert "2024-03-15" in page
    assert "Warning: Postal code 2134 read as 02134" in page


def test_dates_that_fit_both_orders_are_shown_with_a_warning(signed_in):
    page = page_of(signed_in, mapped(signed_in, AMBIGUOUS_FILE))

    assert "data-ambiguous" in page
    assert "fit several formats (MM/DD/YYYY, DD/MM/YYYY): choose the one your file uses." in page


def test_unknown_status_values_are_offered_for_mapping_and_the_choices_are_saved(signed_in):
    upload = mapped(signed_in, US_FILE)
    page = page_of(signed_in, upload)
    assert '<label for="id_value_map__status__0">Closed</label>' in page
    assert '<label for="id_value_map__status__1">On hold</label>' in page
    assert "Active" not in page.split('id="value-fixes"')[1].split("</section>")[0]  # a known value

    signed_in.post(reverse("imports:wizard_mapping", args=[upload.pk]), fixes_post(
        upload, date_format__connection_date="dmy", pad_zip_codes="on",
        value_map__status__0="inactive", value_map__status__0__value="Closed",
        value_map__status__1="suspended", value_map__status__1__value="On hold",
    ))

    upload.refresh_from_db()
    assert upload.value_fixes == {
        "date_formats": {"connection_date": "dmy"},
        "value_maps": {"status": {"Closed": "inactive", "On hold": "suspended"}},
        "pad_zip_codes": True,
    }


def test_a_choice_posted_for_another_value_than_the_page_showed_is_not_taken(signed_in):
    upload = mapped(signed_in, US_FILE)

    signed_in.post(reverse("imports:wizard_mapping", args=[upload.pk]), fixes_post(
        upload, value_map__status__0="inactive", value_map__status__0__value="Something else",
    ))

    upload.refresh_from_db()
    assert upload.value_fixes["value_maps"] == {}


def test_unchecking_zip_padding_turns_it_off(signed_in):
    upload = mapped(signed_in, US_FILE)

    signed_in.post(reverse("imports:wizard_mapping", args=[upload.pk]), fixes_post(upload))

    upload.refresh_from_db()
    assert upload.value_fixes["pad_zip_codes"] is False
    assert upload.value_fixes["date_formats"] == {"connection_date": "mdy"}  # the detected format, as shown


def test_the_preview_follows_unsaved_fix_choices(signed_in):
    upload = mapped(signed_in, AMBIGUOUS_FILE)
    query = fixes_post(upload, date_format__connection_date="dmy")

    html = signed_in.get(reverse("imports:wizard_preview", args=[upload.pk]), query).content.decode()

    assert "2024-05-04" in html
    upload.refresh_from_db()
    assert upload.value_fixes == {}  # nothing saved


def test_a_saved_template_brings_the_fixes_back(signed_in):
    upload = mapped(signed_in, US_FILE)
    signed_in.post(reverse("imports:wizard_mapping", args=[upload.pk]), fixes_post(
        upload, date_format__connection_date="mdy", pad_zip_codes="on",
        value_map__status__0="inactive", value_map__status__0__value="Closed", action="preview",
    ))
    signed_in.post(reverse("imports:wizard_template_save", args=[upload.pk]), {"template_name": "US office"})
    template = DataTemplate.objects.get(template_name="US office")

    fresh = uploaded(signed_in, US_FILE)
    signed_in.post(reverse("imports:wizard_template_load", args=[fresh.pk]), {"template": template.pk})

    fresh.refresh_from_db()
    assert fresh.value_fixes == template.value_fixes == {
        "date_formats": {"connection_date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}},
        "pad_zip_codes": True,
    }


def test_the_validation_and_the_import_apply_the_fixes(signed_in, django_capture_on_commit_callbacks):
    upload = mapped(signed_in, US_FILE)
    signed_in.post(reverse("imports:wizard_mapping", args=[upload.pk]), fixes_post(
        upload, date_format__connection_date="mdy", pad_zip_codes="on",
        value_map__status__0="inactive", value_map__status__0__value="Closed",
        value_map__status__1="suspended", value_map__status__1__value="On hold",
    ))
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_options", args=[upload.pk]),
                       {"import_mode": "upsert", "duplicate_handling": "skip"})
    upload.refresh_from_db()

    dry_run = job_run(job=upload.validation_job)
    assert (dry_run.created_records, dry_run.failed_records) == (3, 0)
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_start", args=[upload.pk]), {"dry_run": str(dry_run.pk)})
    upload.refresh_from_db()
    job = job_run(job=upload.import_job)

    assert (job.created_records, job.failed_records) == (3, 0)
    assert {c.meter_number: (c.postal_code, c.status, c.connection_date) for c in Customer.objects.all()} == {
        "MTR-1": ("02134", "inactive", dt.date(2024, 3, 15)),
        "MTR-2": ("62701", "active", dt.date(2024, 4, 5)),
        "MTR-3": ("62702", "suspended", dt.date(2023, 12, 31)),
    }


def test_the_value_fixes_name_their_fields_by_their_labels(signed_in):
    upload = mapped(signed_in, US_FILE)

    page = page_of(signed_in, upload)

    assert "Dates in <strong>Start Date</strong> (Connection date)</label>" in page
    assert "<legend>Values of <strong>Status</strong> that the field Status does not know</legend>" in page
    assert "<code>connection_date</code>" not in page
