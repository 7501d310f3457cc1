"""Cells changed in the browser are read in place of the file's text: the latest edit of a cell, by its column's
place among the file's columns, in the rows asked for."""

import pytest

from imports.engine.cell_edits import CellEdits
from imports.models import CellEdit, ImportExportJob

pytestmark = pytest.mark.django_db

COLUMNS = ["Name", "E-mail", "Zip"]


def test_a_rows_edits_replace_its_cells_and_leave_other_rows_as_they_are():
    edits = CellEdits.from_entries([(2, "E-mail", "a@example.com"), (2, "Zip", "02134")], COLUMNS)

    assert edits.applied(2, ["Ann", "bad", "2134"]) == ["Ann", "a@example.com", "02134"]
    unedited = ["Bob", "b@example.com", "62701"]
    assert edits.applied(3, unedited) is unedited


def test_a_short_row_is_padded_to_the_edited_column():
    edits = CellEdits.from_entries([(1, "Zip", "02134")], COLUMNS)

    assert edits.applied(1, ["Ann"]) == ["Ann", "", "02134"]


def test_the_later_edit_of_a_cell_counts_and_a_column_the_file_lacks_is_left_out():
    edits = CellEdits.from_entries(
        [(1, "E-mail", "first@example.com"), (1, "E-mail", "second@example.com"), (1, "Phone", "555")], COLUMNS
    )

    assert edits.by_row == {1: {1: "second@example.com"}}


def test_a_jobs_edits_of_the_rows_asked_for_are_read_in_the_order_they_were_made(company):
    job = ImportExportJob.objects.create(company=company, job_type="import", target_model="Customer")
    other = ImportExportJob.objects.create(company=company, job_type="import", target_model="Customer")
    CellEdit.objects.bulk_create([
        CellEdit(job=job, row_number=5, column="E-mail", after="old@example.com"),
        CellEdit(job=job, row_number=5, column="E-mail", after="new@example.com"),
        CellEdit(job=job, row_number=9, column="Zip", after="02134"),
        CellEdit(job=other, row_number=5, column="Zip", after="99999"),
        CellEdit(row_number=5, column="Name", after="a draft on its upload"),
    ])

    assert CellEdits.of_job(job.pk, COLUMNS, 1, 8).by_row == {5: {1: "new@example.com"}}
    assert CellEdits.of_job(job.pk, COLUMNS).by_row == {5: {1: "new@example.com"}, 9: {2: "02134"}}
    assert not CellEdits.of_job(job.pk, COLUMNS, 10)
