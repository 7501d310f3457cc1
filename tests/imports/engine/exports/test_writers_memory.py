"""The CSV and Excel writers keep memory flat whatever the row count: 300,000 rows, written a block at a time in a
process capped at 400 MB of address space, end at the memory they had after the first 30,000 (give or take)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
ROWS, FIRST_ROWS, BLOCK = 300_000, 30_000, 2_000
CAP_MB = 400

CAPPED_WRITE = """
import datetime as dt, json, resource, sys
from decimal import Decimal
resource.setrlimit(resource.RLIMIT_AS, ({cap} * 1024 * 1024, {cap} * 1024 * 1024))
sys.path.insert(0, {root!r})
from imports.declare.fields import BooleanField, DateField, DateTimeField, DecimalField, EmailField, ImportField
from imports.declare.fields import PhoneField, PostalCodeField
from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers import WRITERS
from imports.engine.exports.writers.base import ReportInfo

def high_water_mb():
    # This process's own peak (getrusage's would include the parent's, from before the exec).
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024

fields = [ImportField("name", max_length=100), EmailField("email"), PhoneField("phone"), PostalCodeField("zip"),
          DateField("since"), DecimalField("value", max_digits=15, decimal_places=3), BooleanField("active"),
          DateTimeField("created_at")]
columns = [ExportColumn(field, True) for field in fields]
moment = dt.datetime(2024, 1, 5, 9, 30, tzinfo=dt.UTC)
report = ReportInfo(title="Memory", generated_at=moment)

def block(start):
    return [(f"Customer {{number}} =x", f"c{{number}}@example.com", "+12125550108", f"{{number % 100000:05d}}",
             dt.date(2024, 1, 1 + number % 28), Decimal(number) / 8, number % 2 == 0, moment)
            for number in range(start, start + {block})]

with open({path!r}, "wb") as stream:
    writer = WRITERS[{file_format!r}](stream, columns, report)
    for start in range(0, {rows}, {block}):
        writer.write_rows(block(start))
        if start + {block} == {first_rows}:
            after_first = high_water_mb()
    writer.close()
print(json.dumps({{"rows": writer.rows_written, "after_first_mb": round(after_first),
                   "peak_mb": round(high_water_mb())}}))
"""


@pytest.mark.parametrize("file_format", ["csv", "excel"])
def test_writing_300000_rows_takes_the_memory_of_30000_in_a_capped_process(tmp_path, file_format):
    path = tmp_path / f"export.{file_format}"
    script = CAPPED_WRITE.format(cap=CAP_MB, root=str(ROOT), path=str(path), file_format=file_format, rows=ROWS,
                                 first_rows=FIRST_ROWS, block=BLOCK)

    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)

    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout)
    print(f"{file_format}: {result}")
    assert result["rows"] == ROWS
    assert result["peak_mb"] < CAP_MB
    assert result["peak_mb"] - result["after_first_mb"] < 20
    assert path.stat().st_size > ROWS * 10
