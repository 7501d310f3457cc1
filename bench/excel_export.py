"""Excel export speed, memory and size: the product's sheet writer against XlsxWriter (the reference it is held equal
to, tests/imports/engine/exports/xlsxwriter_reference.py), in one invocation, on the same customers.

    python bench/excel_export.py [--rows 200000] [--levels 1,6] [--repeat 1]

Rows are every export column of a customer (28), as the database gives them: texts (about a third of them empty,
as optional fields are), a connection date, and moments with microseconds (most written as text, the rest as
date-and-time cells). Each writer runs in a process of its own, for its wall-clock time of writing (the rows are
made before the clock starts: 20,000 distinct rows, repeated) and its peak resident memory. `--levels` also runs
the product's writer at other deflate levels, to weigh speed against size. The machine's load is printed with the
figures: compare figures of one run only.
"""

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import HEADER, customer_row  # noqa: E402

DISTINCT_ROWS, BLOCK = 20_000, 2_000


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _blocks(columns) -> list[list[tuple]]:
    rng = random.Random(2026)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    blocks = []
    for first in range(0, DISTINCT_ROWS, BLOCK):
        block = []
        for number in range(first, first + BLOCK):
            record = dict(zip(HEADER, customer_row(number, rng), strict=True))
            record = {name: value or None for name, value in record.items()}
            record["connection_date"] = dt.date.fromisoformat(record["connection_date"])
            if rng.random() < 0.5:
                record.update(billing_address=f"PO Box {number}", billing_city=record["city"],
                              billing_state=record["state"], billing_postal_code=record["postal_code"])
            record["rate_code"] = rng.choice(["R1", "R2", "C1", "-12.50"])
            record["address_status"] = rng.choice(["verified", "unverified", "corrected"])
            if record["address_status"] != "unverified":
                record.update(standardized_address=(record["service_address"] or "").upper(),
                              standardized_city=record["city"].upper(), standardized_state=record["state"].upper(),
                              standardized_postal_code=record["postal_code"][:5])
                record["address_checked_at"] = start + dt.timedelta(seconds=rng.randint(0, 10**7))
            created = start + dt.timedelta(seconds=rng.randint(0, 10**7), microseconds=rng.randint(0, 999_999))
            record["created_at"] = created
            record["updated_at"] = created + dt.timedelta(days=rng.randint(0, 30), microseconds=rng.randint(0, 999))
            block.append(tuple(record.get(column.name) for column in columns))
        blocks.append(block)
    return blocks


def child(writer_name: str, rows: int, level: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from imports.declare.targets import get_target
    from imports.engine.exports.columns import columns_available
    from imports.engine.exports.writers import ExcelWriter, xlsx_package
    from imports.engine.exports.writers.base import ReportInfo
    from tests.imports.engine.exports.xlsxwriter_reference import ReferenceExcelWriter

    xlsx_package.COMPRESS_LEVEL = level
    columns = columns_available(get_target("Customer"))
    blocks = _blocks(columns)
    writer_class = ExcelWriter if writer_name == "product" else ReferenceExcelWriter
    report = ReportInfo(title="Bench", generated_at=dt.datetime.now(dt.UTC))
    before_mb = _peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        started = time.perf_counter()
        with open(path, "wb") as stream:
            writer = writer_class(stream, columns, report)
            for index in range(rows // BLOCK):
                writer.write_rows(blocks[index % len(blocks)])
            writer.close()
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    print(json.dumps({"columns": len(columns), "rows": writer.rows_written, "seconds": round(seconds, 2),
                      "rows_per_s": round(writer.rows_written / seconds), "bytes": size,
                      "peak_mb_before_writing": round(before_mb), "peak_mb": round(_peak_mb())}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--levels", default="1")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", choices=["product", "xlsxwriter"])
    parser.add_argument("--level", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.rows, arguments.level)
        return
    runs = [("xlsxwriter", 1)] + [("product", int(level)) for level in arguments.levels.split(",")]
    print(f"load average before: {os.getloadavg()}, {os.cpu_count()} cores")
    for _round in range(arguments.repeat):
        for name, level in runs:
            finished = subprocess.run(
                [sys.executable, __file__, "--child", name, "--rows", str(arguments.rows), "--level", str(level)],
                capture_output=True, text=True, check=True,
            )
            label = name if name == "xlsxwriter" else f"{name} (deflate level {level})"
            print(f"{label}: {finished.stdout.strip()}  load: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
