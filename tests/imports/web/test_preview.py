"""The mapping step's preview: each row's outcome and reasons first, rows named by their sheet row, and repeats
within the previewed rows judged as the import judges them (the browser test checks the layout in Chromium)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportUpload
from imports.web.uploads import upload_preview

pytestmark = pytest.mark.django_db

HEADER = "First Name,Surname,E-mail,Telephone,Street Address,Town,State,Zip,Meter ID,Account"
# A title row, a blank row, the header; then an account number given twice and a blank row between data rows.
REPEATED_ACCOUNT_CSV = (
    "Customer list exported 2026-11-01\n"
    "\n"
    f"{HEADER}\n"
    "John,Doe,john@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1,5000000001\n"
    "\n"
    "Jane,Smith,jane@example.com,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-2,5000000001\n"
    "Ann,Lee,not-an-email,555-555-5557,9 Elm St,Springfield,IL,62703,MTR-3,5000000003\n"
)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def uploaded(client, content: str) -> ImportUpload:
    response = client.post(reverse("imports:wizard_upload", args=["Customer"]),
                           {"file": SimpleUploadedFile("customers.csv", content.encode())})
    assert response.status_code == 302, response.content
    return ImportUpload.objects.latest("created_at")


def test_a_key_repeated_within_the_previewed_rows_fails_as_the_import_fails_it(signed_in):
    preview = upload_preview(uploaded(signed_in, REPEATED_ACCOUNT_CSV))

    assert [(row.label, row.outcome) for row in preview.rows] == [
        ("row 1, sheet row 4", "created"), ("row 2, sheet row 6", "failed"), ("row 3, sheet row 7", "failed"),
    ]
    assert preview.rows[1].reasons == ["Account: Duplicate account number (same as sheet row 4)"]
    assert preview.rows[2].reasons == ["E-mail: Invalid email format"]


def test_the_preview_puts_the_outcome_and_its_reasons_before_the_cells_and_the_full_values_in_titles(signed_in):
    created = uploaded(signed_in, REPEATED_ACCOUNT_CSV)

    page = signed_in.get(reverse("imports:wizard_mapping", args=[created.pk])).content.decode()

    failed = page[page.index('<tr class="outcome-failed">'):]
    failed = failed[: failed.index("</tr>")]
    assert failed.index('<th scope="row" class="row-label">row 2, sheet row 6</th>') < failed.index(
        "Duplicate account number (same as sheet row 4)") < failed.index("Jane")
    assert 'title="failed — Account: Duplicate account number (same as sheet row 4)"' in failed
    assert 'title="456 Oak Ave"' in failed
