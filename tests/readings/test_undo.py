"""Undoing a readings import: the readings it added go, those it corrected get their values back, and the
consumption of the readings that follow them is worked out again, as before the import."""

import pytest

from imports.jobs.inprocess import job_run
from imports.jobs.undo_services import undo_create

from .test_reading_import import customers, import_readings, readings_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_undo_puts_every_consumption_back_as_it_was(customers, import_readings):  # noqa: F811
    import_readings("1234567890,MTR-001234,2024-01-15,100,manual,", "1234567890,MTR-001234,2024-03-15,300,manual,",
                    name="first.csv")
    ahead = readings_of("MTR-001234")
    job = import_readings("1234567890,MTR-001234,2024-02-15,150,manual,",
                          "1234567890,MTR-001234,2024-01-15,110,manual,")
    assert readings_of("MTR-001234") != ahead
    assert (job.created_records, job.updated_records) == (1, 1)

    undone = job_run(job=undo_create(job, enqueue=False))

    assert (undone.created_records, undone.updated_records, undone.skipped_records) == (1, 1, 0)
    assert readings_of("MTR-001234") == ahead
