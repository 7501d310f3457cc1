"""`make bench`: import speed and peak memory of the customer import on the configured database.

Each scenario runs `manage.py import_customers` in its own process, as an operator would, and is measured from
the outside: wall-clock time of the whole process and its peak resident memory (getrusage of that child).
"""

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.generate import customers_csv  # noqa: E402
from companies.models import Company  # noqa: E402
from companies.services import company_create  # noqa: E402
from customers.models import Customer  # noqa: E402

BENCH_COMPANY = "bench"
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))


def run_import(path: Path, *extra: str) -> dict:
    """Run one import in a child process; return its JSON result plus seconds and peak memory (MB)."""
    command = [sys.executable, "manage.py", "import_customers", "--model", "Customer", "--file", str(path),
               "--company", BENCH_COMPANY, "--json", *extra]
    environment = {**os.environ, "IMPORT_MAX_FILE_MB": "4096", "IMPORT_MAX_ROWS": str(max(ROWS, 1_000_000))}
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"import failed: {output.decode()}")
    result = json.loads(output)
    result.update(seconds=seconds, peak_mb=usage.ru_maxrss / 1024)
    return result


def main() -> None:
    company = Company.objects.filter(slug=BENCH_COMPANY).first() or company_create(name="Benchmark", slug="bench")
    path = customers_csv(Path(settings.VAR_DIR) / "bench" / f"customers_{ROWS}.csv", ROWS)
    database = connection.vendor + (f" {connection.pg_version // 10000}" if connection.vendor == "postgresql" else "")
    print(f"{ROWS:,} customer rows ({path.stat().st_size / 1e6:.1f} MB CSV), database: {database}, "
          f"batch size {settings.IMPORT_BATCH_SIZE}, {os.cpu_count()} CPUs, Python {platform.python_version()}")

    Customer.objects.filter(company=company).delete()
    scenarios = [
        ("dry run", ("--dry-run",)),
        ("import into an empty table", ()),
        ("re-import onto a full table", ()),
    ]
    print(f"{'scenario':<30} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}  outcome")
    for name, extra in scenarios:
        result = run_import(path, *extra)
        outcome = (f"created {result['created']}, updated {result['updated']}, "
                   f"unchanged {result['unchanged']}, failed {result['failed']}")
        print(f"{name:<30} {result['seconds']:>8.1f} {result['total'] / result['seconds']:>9,.0f} "
              f"{result['peak_mb']:>8.0f}  {outcome}")


if __name__ == "__main__":
    main()
