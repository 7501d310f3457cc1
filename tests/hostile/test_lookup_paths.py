"""Hostile files on the claims look-up's path: the upload (which reads the whole file once to check its columns
and count its rows) in a process of its own capped at 400 MB of address space and 30 seconds, and the job on one
real Celery worker capped the same way.

Every file of the corpus is refused at upload with one sentence (a customer file lacks the claims columns; what
is not a CSV is 415), with no traceback and no job. Files with the claims header and a hostile row further down
are refused at upload or fail their job, each with the sentence that names what is wrong.
"""

import json
from pathlib import Path

import pytest

from companies.services import api_token_for
from imports.models import ImportExportJob, LookupResult

from .corpus import HostileFile
from .test_every_path import (  # noqa: F401 - fixtures
    FILES,
    _media,
    capped_worker,
    corpus_folder,
    finished_job,
    hostile_path,
    owner,
    run_capped,
    shared_folders,
)
from .text_files import CELL, OPEN_QUOTE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CLAIMS_HEADER = "claim_number,first_name,last_name,date_of_birth,subscriber_id"


def claim(number: int) -> str:
    return f"ZE{number:08d},Ann,Lee,01/02/1970,{number:09d}"


def claims_file(tail) -> callable:
    """The claims header, 2,000 good rows, then `tail(handle)` writes what comes after them."""

    def make(path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(CLAIMS_HEADER + "\n" + "".join(claim(n) + "\n" for n in range(1, 2_001)))
            tail(handle)

    return make


def _quoted_10mb(handle) -> None:
    handle.write('ZE99999999,"' + "A, " * (10 * 1024 * 1024 // 3) + '",Lee,01/02/1970,1\n')


def _unquoted_10mb(handle) -> None:
    handle.write("ZE99999999," + "A" * (10 * 1024 * 1024) + ",Lee,01/02/1970,1\n")


def _nul_bytes(handle) -> None:
    handle.write("ZE99999999,A\0\0nn,Lee,01/02/1970,1\n")


def _open_quote(handle) -> None:
    handle.write('ZE99999999,"Ann,Lee,01/02/1970,1\n' + "".join(claim(n) + "\n" for n in range(3_000, 6_000)))


def _one_long_line(handle) -> None:
    for _ in range(20):
        handle.write("B" * (1 << 20))


CLAIMS_FILES = [
    HostileFile("claims_quoted_field_10mb.csv", claims_file(_quoted_10mb), CELL),
    HostileFile("claims_unquoted_field_10mb.csv", claims_file(_unquoted_10mb), CELL),
    HostileFile("claims_nul_bytes_far_down.csv", claims_file(_nul_bytes), "NUL"),
    HostileFile("claims_open_quote_far_down.csv", claims_file(_open_quote), OPEN_QUOTE),
    HostileFile("claims_one_line_of_20mb.csv", claims_file(_one_long_line), "characters"),
]


def upload(path: Path, owner) -> dict:  # noqa: F811 - the fixture's value
    result = run_capped("-m", "tests.hostile.faces", "claims", str(path), api_token_for(user=owner))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    answer = json.loads(result.stdout)
    assert answer["content_type"].startswith("application/json"), answer
    return answer


@pytest.mark.parametrize("hostile", FILES, ids=[hostile.name for hostile in FILES])
def test_every_corpus_file_is_refused_at_the_claims_upload(owner, hostile_path, hostile):  # noqa: F811
    answer = upload(hostile_path(hostile), owner)

    assert answer["status"] in (400, 413, 415), answer
    detail = json.loads(answer["body"])["detail"]
    assert "Traceback" not in detail
    if answer["status"] == 400 and not hostile.refusal:
        assert detail.startswith("Missing required columns: claim_number"), detail
    assert not ImportExportJob.objects.exists()


@pytest.mark.parametrize("hostile", CLAIMS_FILES, ids=[hostile.name for hostile in CLAIMS_FILES])
def test_a_claims_file_with_a_hostile_row_is_refused_or_its_job_fails_saying_why(
    owner, hostile_path, hostile, capped_worker  # noqa: F811
):
    answer = upload(hostile_path(hostile), owner)

    if answer["status"] == 201:
        job = finished_job(json.loads(answer["body"])["id"], capped_worker)
        assert job.job_status == ImportExportJob.Status.FAILED, job.error_message
        assert hostile.refusal in job.error_message
        assert "unexpected error" not in job.error_message
        assert LookupResult.objects.filter(job=job).count() <= 2_000  # the good rows before it, at most
    else:
        assert answer["status"] == 400, answer
        assert hostile.refusal in json.loads(answer["body"])["detail"]
        assert not ImportExportJob.objects.exists()
