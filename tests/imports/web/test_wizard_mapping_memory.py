"""The mapping step remembers: a template saves the mapping on the screen, and a file whose columns were mapped
before (by a template, an import or a dry run of the same company and target) is mapped that way on upload."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.jobs.inprocess import job_run
from imports.models import DataTemplate, ImportExportJob, ImportUpload
from tests.factories import UserFactory

from .test_wizard import MESSY_CSV, mapping_post, notes_and_customers_workbook, upload, uploaded

pytestmark = pytest.mark.django_db

COLUMNS = ["First Name", "Surname", "E-mail", "Telephone", "Street Address", "Town", "State", "Zip", "Meter ID"]
# The choices a user made on the screen, different from the automatic match: Town is the billing city, and the ZIP
# code is not imported.
EDITED = {"Town": "billing_city", "Zip": ""}


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def arrival(client, content=MESSY_CSV, **extra):
    """Upload a file and follow the wizard to the mapping page: (the upload, the page's text)."""
    response = upload(client, content, **extra)
    assert response.status_code == 302, response.content
    return ImportUpload.objects.latest("created_at"), client.get(response.url).content.decode()


def save_template(client, upload_: ImportUpload, name: str, changes: dict | None = None):
    """Press "Save template" on the mapping page: the page's selects are posted with the name."""
    return client.post(reverse("imports:wizard_template_save", args=[upload_.pk]),
                       {**mapping_post(upload_, changes), "template_name": name})


def selected(page: str, column_index: int) -> str:
    """The value selected in the page's select for a column ("" for "ignore this column")."""
    select = re.search(rf'<select name="column_{column_index}".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)" selected>', select)
    return chosen.group(1) if chosen else ""


def test_save_template_saves_the_mapping_on_the_screen_and_keeps_it_there(signed_in):
    created = uploaded(signed_in)

    response = save_template(signed_in, created, "Office list", EDITED)

    template = DataTemplate.objects.get(template_name="Office list")
    assert template.field_mapping["Town"] == "billing_city"
    assert template.field_mapping["Zip"] is None  # "not imported" is saved as such
    assert template.field_mapping["E-mail"] == "email"
    page = signed_in.get(response.url).content.decode()
    assert "Mapping saved as template &#x27;Office list&#x27;." in page
    assert (selected(page, COLUMNS.index("Town")), selected(page, COLUMNS.index("Zip"))) == ("billing_city", "")


def test_a_saved_template_loads_on_a_file_with_the_same_headers_exactly_as_saved(signed_in):
    first = uploaded(signed_in)
    save_template(signed_in, first, "Office list", EDITED)
    template = DataTemplate.objects.get(template_name="Office list")
    # A file with the same headers in another order, mapped by hand to something else before loading.
    reordered = ("Zip,Town,First Name,Surname,E-mail,Telephone,Street Address,State,Meter ID\n"
                 "62701,Springfield,J,D,j@example.com,555-555-5555,1 Main St,IL,MTR-1\n")
    fresh = uploaded(signed_in, reordered, previous=str(first.pk))
    signed_in.post(reverse("imports:wizard_mapping", args=[fresh.pk]),
                   mapping_post(fresh, {"Town": "city", "Zip": "postal_code"}, action="preview"))

    signed_in.post(reverse("imports:wizard_template_load", args=[fresh.pk]), {"template": template.pk})

    fresh.refresh_from_db()
    assert fresh.mapping == template.field_mapping
    assert fresh.mapping["Town"] == "billing_city"
    assert fresh.mapping["Zip"] is None


def test_a_template_for_the_files_columns_is_applied_on_upload_with_a_notice(signed_in):
    first = uploaded(signed_in)
    save_template(signed_in, first, "Office list", EDITED)

    fresh, page = arrival(signed_in)

    assert fresh.mapping["Town"] == "billing_city"
    assert fresh.mapping["Zip"] is None
    assert fresh.template_name == "Office list"
    assert "Mapped with your template &#x27;Office list&#x27;" in page
    assert selected(page, COLUMNS.index("Town")) == "billing_city"


def test_a_template_for_other_columns_is_offered_but_not_applied(signed_in, company):
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Partial",
                                field_mapping={"Town": "billing_city"})

    fresh, page = arrival(signed_in)

    assert fresh.mapping["Town"] == "city"
    assert fresh.template_name == ""
    assert "Mapped with" not in page
    assert "Partial — matches this file" in page


def test_the_template_list_counts_the_columns_that_feed_a_field(signed_in, company):
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Three of five",
                                field_mapping={"A": "email", "B": "city", "C": "state", "D": None, "E": None})

    page = signed_in.get(reverse("imports:template_list")).content.decode()

    row = re.search(r"Three of five</a></td>.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["3"]


def finished_job(company, *, mapping: dict, file_name="customers.csv", day=dt.date(2026, 12, 5),
                 target_model="Customer", job_status=ImportExportJob.Status.COMPLETED, **fields):
    """An import that ended (completed unless `fields` says otherwise), with the mapping it applied."""
    job = ImportExportJob.objects.create(
        company=company, job_type=ImportExportJob.JobType.IMPORT, target_model=target_model, file_name=file_name,
        job_status=job_status, field_mapping=mapping, source_columns=list(mapping), **fields,
    )
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    ImportExportJob.objects.filter(pk=job.pk).update(created_at=at)
    return job


def remembered(**changes) -> dict:
    automatic = {"First Name": "first_name", "Surname": "last_name", "E-mail": "email", "Telephone": "phone",
                 "Street Address": "service_address", "Town": "city", "State": "state", "Zip": "postal_code",
                 "Meter ID": "meter_number"}
    return {**automatic, **changes}


def test_a_file_mapped_in_an_earlier_import_is_mapped_that_way_with_a_notice(signed_in, company):
    finished_job(company, mapping=remembered(Town="billing_city", Zip=None))

    fresh, page = arrival(signed_in)

    assert fresh.mapping == remembered(Town="billing_city", Zip=None)
    assert "Mapped as in your import of customers.csv on 2026-12-05." in page


def test_an_earlier_imports_value_fixes_come_back_with_its_mapping(signed_in, company):
    fixes = {"date_formats": {"connection_date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}}}
    finished_job(company, mapping=remembered(), options={"value_fixes": fixes})

    fresh, _page = arrival(signed_in)

    assert fresh.value_fixes == fixes


def test_the_newest_matching_import_is_remembered_and_a_template_comes_first(signed_in, company):
    finished_job(company, mapping=remembered(Town="billing_city"), file_name="old.csv", day=dt.date(2026, 11, 1))
    finished_job(company, mapping=remembered(Zip=None), file_name="new.csv", day=dt.date(2026, 12, 1))

    fresh, page = arrival(signed_in)
    assert fresh.mapping == remembered(Zip=None)
    assert "your import of new.csv on 2026-12-01" in page

    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Saved",
                                field_mapping=remembered(State=None))
    fresh, page = arrival(signed_in)
    assert fresh.template_name == "Saved"
    assert fresh.mapping == remembered(State=None)
    assert "Mapped with your template &#x27;Saved&#x27;" in page


@pytest.mark.parametrize("unlike", ["other company", "other target", "failed import", "other columns"])
def test_only_the_companys_finished_imports_of_the_target_with_these_columns_are_remembered(
    signed_in, company, other_company, unlike,
):
    mapping = remembered(Town="billing_city")
    if unlike == "other company":
        finished_job(other_company, mapping=mapping)
    elif unlike == "other target":
        finished_job(company, mapping=mapping, target_model="Account")
    elif unlike == "failed import":
        finished_job(company, mapping=mapping, job_status=ImportExportJob.Status.FAILED)
    else:
        finished_job(company, mapping={**mapping, "Notes": "notes"})

    fresh, page = arrival(signed_in)

    assert fresh.mapping["Town"] == "city"
    assert "Mapped as in" not in page


def test_a_dry_run_through_the_wizard_is_remembered_for_the_next_file(signed_in, django_capture_on_commit_callbacks):
    with_remarks = MESSY_CSV.replace("Meter ID\n", "Meter ID,Remarks\n")
    created = uploaded(signed_in, with_remarks)
    assert created.mapping["Remarks"] is None
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created, {"Remarks": "notes"}))
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_options", args=[created.pk]),
                       {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    job_run(job=created.validation_job)

    fresh, page = arrival(signed_in, with_remarks, name="december.csv")

    assert fresh.mapping["Remarks"] == "notes"
    today = timezone.localdate().isoformat()
    assert f"Mapped as in your import of customers.csv on {today}." in page


def test_a_fixed_file_keeps_its_own_mapping_not_a_remembered_one(signed_in, company):
    created = uploaded(signed_in)
    signed_in.post(reverse("imports:wizard_mapping", args=[created.pk]), mapping_post(created, {"Zip": ""}))
    finished_job(company, mapping=remembered(Town="billing_city"))

    fixed, page = arrival(signed_in, previous=str(created.pk))

    assert (fixed.mapping["Zip"], fixed.mapping["Town"]) == (None, "city")
    assert "Mapped as in" not in page


def test_a_notice_names_only_the_companys_own_imports(signed_in, other_company):
    job = finished_job(other_company, mapping=remembered(), file_name="secret.csv")
    created = uploaded(signed_in)

    for mapped_as in (str(job.pk), "not-an-id", "template"):
        response = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk]), {"mapped_as": mapped_as})

        assert response.status_code == 200
        assert "Mapped as" not in response.content.decode()
        assert "Mapped with" not in response.content.decode()


def test_another_users_import_of_the_company_is_remembered_too(client, company, user):
    finished_job(company, mapping=remembered(Town="billing_city"), created_by=UserFactory(company=company,
                                                                                         username="colleague"))
    client.force_login(user)

    fresh, _page = arrival(client)

    assert fresh.mapping["Town"] == "billing_city"


def test_a_workbook_is_mapped_as_before_once_its_sheet_is_chosen(signed_in, company):
    finished_job(company, mapping=remembered(Town="billing_city"))
    response = upload(signed_in, notes_and_customers_workbook(), "book.xlsx")

    response = signed_in.post(response.url, {"sheet": "Customers"})

    created = ImportUpload.objects.get()
    assert created.mapping["Town"] == "billing_city"
    assert "Mapped as in your import of customers.csv on 2026-12-05." in signed_in.get(response.url).content.decode()
