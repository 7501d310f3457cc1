"""Two workers claiming two jobs of one company at the same instant, under a limit of one running job: exactly
one of them starts, whichever it is, every time."""

import threading
import uuid

import pytest
from django.core.files import File
from django.db import connection

from imports.engine.options import ImportOptions
from imports.jobs import import_kind
from imports.jobs.services import job_create
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_claims_at_once_never_both_start_past_the_limit(company, write_file, settings):
    settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = 1
    path = write_file("guide.csv", GUIDE_CSV)
    for _attempt in range(5):
        ImportExportJob.objects.filter(company=company).update(job_status="completed")
        jobs = []
        for _ in range(2):
            with open(path, "rb") as handle:
                jobs.append(job_create(company=company, target_name="Customer", file=File(handle, name="g.csv"),
                                       file_name="g.csv", options=ImportOptions()))
        ImportExportJob.objects.filter(pk=jobs[1].pk).update(created_at=jobs[0].created_at)  # same instant

        assert sorted(claimed_together(jobs)) == [False, True]
        assert ImportExportJob.objects.filter(company=company, job_status="running").count() == 1


def claimed_together(jobs: list[ImportExportJob]) -> list[bool]:
    """Claim each job from a thread of its own (a connection of its own), all released at the same instant."""
    together = threading.Barrier(len(jobs))
    claimed = []

    def claim(job):
        try:
            together.wait()
            claimed.append(import_kind.job_prepare(job=job, lease=uuid.uuid4()))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return claimed
