"""A file of a thousand columns (IMPORT_MAX_COLUMNS) still maps on a small, quick page: the mapping step shows the
columns a page at a time, saves a page's choices when the user moves on, and keeps every other page's mapping."""

import pytest
from django.urls import reverse

from imports.models import ImportUpload
from imports.web.wizard import COLUMNS_PER_PAGE
from tests.conftest import GUIDE_HEADER, GUIDE_ROWS

from .test_wizard import upload

pytestmark = pytest.mark.django_db

GUIDE_COLUMNS = GUIDE_HEADER.split(",")
WIDTH = 1000
# The guide's columns spread over the file, one every 80 columns: page 1 holds the first, page 2 the second...
PLACES = {column: position * 80 for position, column in enumerate(GUIDE_COLUMNS)}


def wide_csv() -> str:
    header = [f"note {index}" for index in range(WIDTH)]
    row = ["" for _ in range(WIDTH)]
    for column, value in zip(GUIDE_COLUMNS, GUIDE_ROWS[0].split(","), strict=True):
        header[PLACES[column]] = column
        row[PLACES[column]] = value
    return ",".join(header) + "\n" + "\n".join(",".join(row) for _ in range(3)) + "\n"


@pytest.fixture
def wide_upload(client, user) -> ImportUpload:
    client.force_login(user)
    response = upload(client, wide_csv())
    assert response.status_code == 302, response.content
    return ImportUpload.objects.latest("created_at")


def page_post(upload_: ImportUpload, page: int, changes: dict[str, str] | None = None, **extra) -> dict:
    """The form of one page of columns as the browser sends it: that page's selects only."""
    first = (page - 1) * COLUMNS_PER_PAGE
    chosen = {**upload_.mapping, **(changes or {})}
    selects = {
        f"column_{index}": chosen.get(upload_.columns[index]) or ""
        for index in range(first, min(first + COLUMNS_PER_PAGE, len(upload_.columns)))
    }
    return {**selects, "page": str(page), **extra}


def test_a_thousand_columns_show_a_page_of_columns_at_a_time(client, wide_upload):
    response = client.get(reverse("imports:wizard_mapping", args=[wide_upload.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert len(wide_upload.columns) == WIDTH
    assert page.count("<select name=\"column_") == COLUMNS_PER_PAGE
    assert len(response.content) < 150_000  # the whole file's selects made a page of 1.4 MB
    assert "Columns 1 to 50 of 1,000." in page
    assert 'name="page_to" value="20"' in page  # the last page is one click away
    # The columns mapped on the other pages are listed, with the page to find each on.
    assert "last_name → <code>last_name</code> (page 2)" in page
    assert "customer_type → <code>customer_type</code> (page 18)" in page


def test_another_page_shows_its_own_columns(client, wide_upload):
    response = client.get(reverse("imports:wizard_mapping", args=[wide_upload.pk]) + "?page=2")

    page = response.content.decode()
    assert "Columns 51 to 100 of 1,000." in page
    assert 'name="column_50"' in page
    assert 'name="column_99"' in page
    assert 'name="column_49"' not in page
    assert 'name="column_100"' not in page


def test_moving_to_another_page_saves_this_pages_choices_and_keeps_the_others(client, wide_upload):
    url = reverse("imports:wizard_mapping", args=[wide_upload.pk])

    response = client.post(url, page_post(wide_upload, 1, {"first_name": "", "note 1": "first_name"}, page_to="3"))

    assert response.status_code == 302
    assert response["Location"] == url + "?page=3"
    wide_upload.refresh_from_db()
    assert wide_upload.mapping["note 1"] == "first_name"
    assert wide_upload.mapping["first_name"] is None
    assert wide_upload.mapping["customer_type"] == "customer_type"  # on page 18, not posted, kept


def test_next_goes_on_when_the_required_fields_are_fed_from_every_page(client, wide_upload):
    response = client.post(reverse("imports:wizard_mapping", args=[wide_upload.pk]),
                           page_post(wide_upload, 4, action="next"))

    assert response.status_code == 302
    assert response["Location"] == reverse("imports:wizard_options", args=[wide_upload.pk])


def test_a_field_chosen_twice_across_pages_is_refused_on_the_page(client, wide_upload):
    response = client.post(reverse("imports:wizard_mapping", args=[wide_upload.pk]),
                           page_post(wide_upload, 1, {"note 1": "email"}, action="preview"))

    assert response.status_code == 200
    assert "The mapping sends several columns to the same field: email." in response.content.decode()
    assert "Columns 1 to 50 of 1,000." in response.content.decode()
    wide_upload.refresh_from_db()
    assert wide_upload.mapping["note 1"] is None


def test_the_preview_refresh_reads_the_pages_selects_with_the_rest_of_the_mapping(client, wide_upload):
    query = page_post(wide_upload, 2, {"last_name": ""})

    response = client.get(reverse("imports:wizard_preview", args=[wide_upload.pk]), query)

    assert response.status_code == 200
    assert "Required fields no column feeds: Last name." in response.content.decode()
    wide_upload.refresh_from_db()
    assert wide_upload.mapping["last_name"] == "last_name"  # a preview saves nothing


def test_a_file_of_one_page_of_columns_has_no_page_links(client, user):
    client.force_login(user)
    upload(client, GUIDE_HEADER + "\n" + GUIDE_ROWS[0] + "\n")
    created = ImportUpload.objects.latest("created_at")

    page = client.get(reverse("imports:wizard_mapping", args=[created.pk])).content.decode()

    assert "page_to" not in page
    assert page.count("<select name=\"column_") == len(GUIDE_COLUMNS)
