"""Parent accounts imported by real Celery workers running a file's chunks at once: children come chunks before
their parents, and every link is made, whichever worker writes which row first."""

from itertools import pairwise

import pytest
from django.core.files import File
from django.db import transaction

from crm.models import Account, CustomerGroup
from imports.engine.options import ImportOptions
from imports.jobs.services import job_create, job_enqueue
from imports.models import ImportExportJob, ImportReference
from tests.workers import job_finished, wait_for

from .conftest import ACCOUNT_COLUMNS, business, csv_text, parents

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHUNK_ROWS, BATCH_SIZE = 100, 20
WORKER_ENV = {"IMPORT_CHUNK_ROWS": str(CHUNK_ROWS)}


def test_two_workers_link_every_child_to_a_parent_chunks_further_down(company, write_file, start_worker):
    CustomerGroup.objects.create(company=company, name="Businesses", group_type="BUSINESS")
    # Four levels: 600 great-grandchildren, 200 grandchildren, 100 children, 100 parents, each level after the
    # level below it, so each row's parent is one to six chunks further down the file.
    levels = [[f"L3-{n}" for n in range(600)], [f"L2-{n}" for n in range(200)], [f"L1-{n}" for n in range(100)],
              [f"L0-{n}" for n in range(100)]]
    expected = {number: None for number in levels[3]}
    rows = []
    for level, upper in pairwise(levels):
        for position, number in enumerate(level):
            expected[number] = upper[position % len(upper)]
            rows.append(business(number, expected[number]))
    rows += [business(number) for number in levels[3]]
    path = write_file("accounts.csv", csv_text(ACCOUNT_COLUMNS, rows))
    workers = [start_worker(name, environment=WORKER_ENV) for name in ("one", "two")]

    with transaction.atomic(), open(path, "rb") as handle:
        job = job_create(company=company, target_name="Account", file=File(handle, name=path.name),
                         file_name=path.name, options=ImportOptions(), batch_size=BATCH_SIZE)
        job_enqueue(job)
    wait_for(lambda: job_finished(job), workers=workers, what="the job to finish", timeout=180)

    assert (job.job_status, job.created_records, job.failed_records) == (ImportExportJob.Status.COMPLETED, 1000, 0)
    assert job.chunks.count() == 10
    assert parents() == expected
    assert Account.objects.count() == 1000
    assert not ImportReference.objects.exists()
    assert not job.error_report
