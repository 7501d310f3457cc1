"""The review page's grid of failing rows: a cell fixed there is kept with who changed it and what it said, the row
is judged again on the server with every rule (database checks included), and the fixed rows join the import,
which keeps its own record of the edits."""

import pytest
from django.urls import reverse

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import CellEdit, ImportExportJob, ImportUpload
from imports.web.cell_fixes import ROWS_PER_PAGE, cell_edits_shown
from imports.web.masking import mask
from tests.factories import CustomerFactory, UserFactory
from tests.imports.web.test_review_guards import validated, validated_again

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client

HEADER = "First Name,Surname,E-mail,Telephone,Street Address,Town,State,Zip,Meter ID\n"
EMAIL = 2  # the E-mail column's index among the file's columns


def review_page(client, upload: ImportUpload, page: int = 1) -> str:
    return client.get(reverse("imports:wizard_review", args=[upload.pk]) + f"?page={page}").content.decode()


def fix(client, upload: ImportUpload, row: int, index: int, text: str, *, fragment: bool = False, **extra):
    data = {"dry_run": str(upload.validation_job.pk), "page": "1", f"cell-{row}-{index}": text, **extra}
    if fragment:
        data["fragment"] = "1"
    return client.post(reverse("imports:wizard_fix_cells", args=[upload.pk]), data)


def test_the_failing_rows_show_as_a_grid_of_inputs_with_their_problems_beside_the_row(
    signed_in, django_capture_on_commit_callbacks
):
    upload = validated(signed_in, django_capture_on_commit_callbacks)

    page = review_page(signed_in, upload)

    assert 'name="cell-2-2" value="not-an-email"' in page
    assert 'aria-label="E-mail, row 2, sheet row 3" aria-invalid="true"' in page
    assert "<li>Email: " in page  # the problem, by the field's label, in the column beside the row number
    assert 'name="cell-1-2"' not in page  # only failing rows


def test_a_fixed_cell_is_judged_again_and_kept_with_who_and_what_it_said(
    signed_in, user, django_capture_on_commit_callbacks
):
    upload = validated(signed_in, django_capture_on_commit_callbacks)

    response = fix(signed_in, upload, 2, EMAIL, "jane@example.com")

    assert response.status_code == 302
    edit = CellEdit.objects.get()
    assert (edit.upload, edit.job, edit.row_number, edit.sheet_row, edit.column) == (upload, None, 2, 3, "E-mail")
    assert (edit.before, edit.after, edit.edited_by) == ("not-an-email", "jane@example.com", user)
    page = review_page(signed_in, upload)
    assert "Saved your changes to 1 row: it passes now." in page
    assert "1 of the 1 failing row fixed here." in page
    assert '<span class="badge badge-created">Fixed</span> would be created' in page
    assert "Import 3 rows</button>" in page  # the dry run's two and the fixed one


def test_a_fix_that_breaks_another_rule_still_fails_with_that_rules_message(
    signed_in, django_capture_on_commit_callbacks
):
    upload = validated(signed_in, django_capture_on_commit_callbacks)

    fix(signed_in, upload, 2, EMAIL, "still wrong")

    page = review_page(signed_in, upload)
    assert "Saved your changes to 1 row: 0 pass now, 1 still fails." in page
    assert 'value="still wrong"' in page
    assert "Import 2 rows (1 failing row left out)</button>" in page


def test_the_row_is_judged_against_the_records_stored_now(
    signed_in, company, django_capture_on_commit_callbacks
):
    """The database's checks run too: a meter number another customer holds fails the fixed row."""
    upload = validated(signed_in, django_capture_on_commit_callbacks)
    CustomerFactory(company=company, meter_number="MTR-TAKEN")

    fix(signed_in, upload, 2, EMAIL, "jane@example.com")
    response = fix(signed_in, upload, 2, 8, "MTR-TAKEN", fragment=True)

    row = response.content.decode()
    assert 'class="fixed"' not in row
    assert "Meter number: " in row
    assert 'value="MTR-TAKEN"' in row


def test_the_import_reads_the_fixed_cells_and_keeps_its_own_record_of_them(
    signed_in, user, django_capture_on_commit_callbacks
):
    upload = validated(signed_in, django_capture_on_commit_callbacks)
    fix(signed_in, upload, 2, EMAIL, "jane@example.com")

    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_start", args=[upload.pk]), {"dry_run": str(upload.validation_job.pk)})
    upload.refresh_from_db()
    job_run(job=upload.import_job)

    job = ImportExportJob.objects.get(pk=upload.import_job.pk)
    assert (job.created_records, job.failed_records) == (3, 0)
    assert Customer.objects.get(first_name="Jane").email == "jane@example.com"
    kept = job.cell_edits.get()
    assert (kept.row_number, kept.column, kept.before, kept.after, kept.edited_by) == (
        2, "E-mail", "not-an-email", "jane@example.com", user)
    page = signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "Cells fixed in the browser" in page
    assert "<td>not-an-email</td><td>jane@example.com</td>" in page


def test_edits_made_after_a_job_started_are_not_read_by_it(signed_in, django_capture_on_commit_callbacks):
    upload = validated(signed_in, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_start", args=[upload.pk]), {"dry_run": str(upload.validation_job.pk)})
    upload.refresh_from_db()

    fix(signed_in, upload, 2, EMAIL, "jane@example.com")
    job_run(job=upload.import_job)

    assert ImportExportJob.objects.get(pk=upload.import_job.pk).failed_records == 1
    assert not upload.import_job.cell_edits.exists()


def test_a_validation_again_reads_the_fixed_cells_so_its_counts_stay_exact(
    signed_in, django_capture_on_commit_callbacks
):
    upload = validated(signed_in, django_capture_on_commit_callbacks)
    fix(signed_in, upload, 2, EMAIL, "jane@example.com")

    again = validated_again(signed_in, django_capture_on_commit_callbacks, upload)
    assert (again.created_records, again.failed_records) == (3, 0)


def test_all_or_nothing_imports_once_every_failing_row_is_fixed(signed_in, django_capture_on_commit_callbacks):
    upload = validated(signed_in, django_capture_on_commit_callbacks, all_or_nothing="on")
    assert "disabled" in review_page(signed_in, upload).split('id="import-form"')[1].split("</form>")[0]

    fix(signed_in, upload, 2, EMAIL, "jane@example.com")

    form = review_page(signed_in, upload).split('id="import-form"')[1].split("</form>")[0]
    assert "disabled" not in form
    assert "Import 3 rows</button>" in form


def test_an_edit_from_a_page_of_an_older_validation_is_refused(signed_in, django_capture_on_commit_callbacks):
    upload = validated(signed_in, django_capture_on_commit_callbacks)
    shown = upload.validation_job
    validated_again(signed_in, django_capture_on_commit_callbacks, upload)

    response = signed_in.post(reverse("imports:wizard_fix_cells", args=[upload.pk]),
                              {"dry_run": str(shown.pk), "page": "1", f"cell-2-{EMAIL}": "jane@example.com"})

    assert not CellEdit.objects.exists()
    page = signed_in.get(response.url).content.decode()
    assert "The file was validated again after this page was shown, so nothing was saved" in page


@pytest.mark.parametrize(("row", "index", "text", "message"), [
    (1, EMAIL, "x@example.com", "Row 1 is not among the rows this validation found failing."),
    (2, EMAIL, "x" * 40_000, "A cell holds at most 32,767 characters."),
])
def test_bad_edits_are_refused_with_a_sentence_and_nothing_kept(
    signed_in, django_capture_on_commit_callbacks, row, index, text, message
):
    upload = validated(signed_in, django_capture_on_commit_callbacks)

    response = fix(signed_in, upload, row, index, text, fragment=True)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CellEdit.objects.exists()


def test_an_unchanged_cell_is_no_edit(signed_in, django_capture_on_commit_callbacks):
    upload = validated(signed_in, django_capture_on_commit_callbacks)

    fix(signed_in, upload, 2, EMAIL, "not-an-email")

    assert not CellEdit.objects.exists()


def test_a_cell_edited_twice_keeps_both_edits_and_reads_the_later(signed_in, django_capture_on_commit_callbacks):
    upload = validated(signed_in, django_capture_on_commit_callbacks)

    fix(signed_in, upload, 2, EMAIL, "still wrong")
    fix(signed_in, upload, 2, EMAIL, "jane@example.com")

    assert list(CellEdit.objects.order_by("id").values_list("before", "after")) == [
        ("not-an-email", "still wrong"), ("still wrong", "jane@example.com")]
    assert "1 of the 1 failing row fixed here." in review_page(signed_in, upload)


def test_another_companys_upload_cannot_be_edited(client, django_capture_on_commit_callbacks, user, other_company):
    client.force_login(user)
    upload = validated(client, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(company=other_company, username="bob"))

    response = fix(client, upload, 2, EMAIL, "jane@example.com")

    assert response.status_code == 404
    assert not CellEdit.objects.exists()


def test_many_failing_rows_are_shown_a_page_at_a_time(signed_in, django_capture_on_commit_callbacks):
    rows = "".join(f"P{n},Q,bad-{n},555-555-5555,1 Main St,Springfield,IL,62701,M-{n}\n" for n in range(1, 61))
    upload = validated(signed_in, django_capture_on_commit_callbacks, content=HEADER + rows)

    first, third = review_page(signed_in, upload), review_page(signed_in, upload, page=3)

    assert first.count('<tr data-row="') == ROWS_PER_PAGE
    assert "Failing rows 1 to 25 of 60" in first
    assert "Page 1 of 3" in first
    assert third.count('<tr data-row="') == 10
    assert 'value="bad-60"' in third
    fix(signed_in, upload, 60, EMAIL, "p60@example.com")
    assert "1 of the 60 failing rows fixed here; 59 still fail." in review_page(signed_in, upload, page=3)


def test_a_repeated_value_fixed_is_no_repeat_for_the_row_nor_for_the_import(
    signed_in, django_capture_on_commit_callbacks
):
    """The file's repeats are found by reading it through before any row is judged; the import reads the fixed
    cell there too, so the row passes the re-check and the import alike."""
    rows = ("Ann,Lee,ann@example.com,555-555-5557,9 Elm St,Springfield,IL,62703,MTR-1\n"
            "Bob,Ray,bob@example.com,555-555-5558,10 Elm St,Springfield,IL,62703,MTR-1\n")
    upload = validated(signed_in, django_capture_on_commit_callbacks, content=HEADER + rows)
    assert upload.validation_job.failed_records == 1

    row = fix(signed_in, upload, 2, 8, "MTR-2", fragment=True).content.decode()
    with django_capture_on_commit_callbacks():
        signed_in.post(reverse("imports:wizard_start", args=[upload.pk]), {"dry_run": str(upload.validation_job.pk)})
    upload.refresh_from_db()
    job_run(job=upload.import_job)

    assert 'class="fixed"' in row
    assert ImportExportJob.objects.get(pk=upload.import_job.pk).failed_records == 0
    assert sorted(Customer.objects.values_list("meter_number", flat=True)) == ["MTR-1", "MTR-2"]


def test_the_job_page_masks_fixed_cells_of_health_data(company):
    job = ImportExportJob.objects.create(
        company=company, job_type="import", target_model="Claim",
        field_mapping={"DOB": "date_of_birth", "Claim #": "claim_number"},
    )
    CellEdit.objects.bulk_create([
        CellEdit(job=job, row_number=1, column="DOB", before="5/10/75", after="05/10/1975"),
        CellEdit(job=job, row_number=1, column="Claim #", before="", after="C-1"),
    ])

    count, edits = cell_edits_shown(job)

    assert count == 2
    assert [(edit.before, edit.after) for edit in edits] == [(mask("5/10/75"), "••/••/1975"), ("", "C-1")]
    assert "5/10/75" not in edits[0].before


def test_a_fixed_row_is_judged_with_the_companys_own_rules_too(signed_in, django_capture_on_commit_callbacks):
    upload = validated(signed_in, django_capture_on_commit_callbacks)
    dry_run = upload.validation_job
    dry_run.validation_rules = {"email": [{"rule": "pattern", "pattern": r".+@example\.com",
                                           "message": "Use an address at example.com"}]}
    dry_run.save(update_fields=["validation_rules"])

    row = fix(signed_in, upload, 2, EMAIL, "jane@elsewhere.org", fragment=True).content.decode()

    assert 'class="fixed"' not in row
    assert "<li>Email: Use an address at example.com</li>" in row
