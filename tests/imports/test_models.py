"""What a job's counters mean beyond their columns."""

from imports.models import ImportExportJob


def test_the_skipped_rows_reported_beside_the_unchanged_are_those_skipped_for_another_reason():
    job = ImportExportJob(created_records=1, updated_records=2, unchanged_records=3, skipped_records=5)

    assert job.skipped_not_unchanged == 2
    assert job.success_records == 1 + 2 + 3 + job.skipped_not_unchanged
