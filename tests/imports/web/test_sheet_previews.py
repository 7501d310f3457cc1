"""The sheet step shows each sheet's header and first rows (title rows skipped as the import skips them), so a user
picks the sheet by what it holds; an empty sheet says so."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from imports.models import ImportUpload
from tests.imports.web.test_wizard import MESSY_CSV, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook_uploaded(client, user) -> ImportUpload:
    client.force_login(user)
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Just some notes"])
    customers = workbook.create_sheet("Customers")
    for line in MESSY_CSV.splitlines():
        customers.append(line.split(","))
    workbook.create_sheet("Empty")
    long = workbook.create_sheet("Long")
    long.append(["First Name", "Surname"])
    long.append(["x" * 60, "Lee"])
    content = io.BytesIO()
    workbook.save(content)
    response = upload(client, content.getvalue(), "book.xlsx")
    created = ImportUpload.objects.get()
    assert response.url == reverse("imports:wizard_sheet", args=[created.pk])
    return created


def test_each_sheet_shows_its_header_and_first_rows(client, workbook_uploaded):
    response = client.get(reverse("imports:wizard_sheet", args=[workbook_uploaded.pk]))

    previews = {preview.name: preview for preview in response.context["previews"]}
    assert list(previews) == ["Notes", "Customers", "Empty", "Long"]
    customers = previews["Customers"]
    assert customers.columns == ["First Name", "Surname", "E-mail", "Telephone", "Street Address", "Town", "State",
                                 "Zip"]
    assert customers.more_columns == 1
    assert [cells[0] for cells in customers.rows] == ["John", "Jane", "Ann"]
    assert previews["Notes"].columns == ["Just some notes"]
    assert previews["Notes"].problem == "A header row and no data rows."
    assert previews["Empty"].problem
    assert '<input type="radio" name="sheet" value="Customers">' in response.text
    assert "<td>John</td>" in response.text


def test_long_cells_are_cut_and_the_chosen_sheet_is_read(client, workbook_uploaded):
    url = reverse("imports:wizard_sheet", args=[workbook_uploaded.pk])
    previews = {preview.name: preview for preview in client.get(url).context["previews"]}
    assert previews["Long"].rows == [["x" * 39 + "…", "Lee"]]

    response = client.post(url, {"sheet": "Customers"})

    workbook_uploaded.refresh_from_db()
    assert response.url == reverse("imports:wizard_mapping", args=[workbook_uploaded.pk])
    assert workbook_uploaded.sheet == "Customers"
