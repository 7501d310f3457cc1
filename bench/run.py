"""`make bench`: import speed and peak memory, measured from outside, against the importers users compare with.

In one invocation, on the same generated customer files (about 2 % bad rows):

* this project, from the command line and on two Celery workers (one worker too, at the largest size, for the
  speed-up): a dry run, an import into an empty table, and a re-import onto the full table;
* django-import-export 4.4 in bulk mode, on the same model and file (the smaller sizes: it is slow);
* PostgreSQL's COPY into a staging table plus INSERT ... ON CONFLICT DO UPDATE, with no validation: the ceiling;
* the command line again on SQLite;
* the import wizard: how soon the mapping page (with its preview) is ready after a 10 MB upload, CSV and XLSX;
* workbooks: dry runs of the two largest sizes as .xlsx from the command line (peak memory must stay flat), and
  the streaming workbook reader against calamine, the reader it replaced (`--only xlsx` measures these alone);
* claim look-ups (`--only claims` measures these alone): against the local claims store, filled with 100,000
  claims, files of 10,000 and 100,000 queries (found, not found, patient mismatch, bad rows) from the command line
  and on two workers; and against the fake payer of the tests (tests/claims/fake_payer.py, started here) answering
  each call after 200 ms, 2,000 queries with 10 look-ups in flight (CLAIMS_MAX_IN_FLIGHT);
* exports (`--only exports` measures these alone): 100,000 and 1,000,000 customers, each size a company of its own
  filled by COPY from the generated files, exported by this project's export job in one process as CSV, JSON and
  XLSX; by django-import-export (`export()` then `.csv`, the same columns); and by PostgreSQL's
  `COPY (SELECT ...) TO STDOUT` (the ceiling); then a PDF of 10,000 customers;
* changesets (`--only changesets` measures these alone), at the largest size on PostgreSQL and two workers: the
  import into an empty table with its changeset kept and with IMPORT_KEEP_CHANGES off, alternately (the slowdown
  keeping it costs), the undo of that import (changes taken back a second), and the changeset's size on disk.

Every figure is the wall-clock time of a process of its own and its peak resident memory (for workers: from
queueing the job to its end, and the largest worker). Settings, from the environment:

    BENCH_SIZES            rows per file (default 10000,100000,1000000)
    BENCH_REPEAT           runs per figure (below 1,000,000 rows, and for two workers at every size); the median
                           is reported (default 3)
    BENCH_DATABASE_URL     PostgreSQL to measure on (default postgres://postgres@127.0.0.1:5432/bench)
    BENCH_BROKER_URL       broker of the workers (default redis://127.0.0.1:6379/15)
    BENCH_DIE_MAX_ROWS     largest file given to django-import-export (default 100000)
    BENCH_SQLITE           also measure on SQLite (default 1)
    BENCH_CLAIMS_SIZES     queries per file against the local claims store, whose size is the largest
                           (default 10000,100000)
    BENCH_PAYER_ROWS       queries sent to the fake payer (default 2000)
    BENCH_PAYER_LATENCY    seconds the fake payer takes to answer each call (default 0.2)
    BENCH_PAYER_IN_FLIGHT  look-ups of a job in flight at once (CLAIMS_MAX_IN_FLIGHT, default 10)
    BENCH_EXPORT_SIZES     customers per export (default 100000,1000000), each size a company of its own
    BENCH_EXPORT_PDF_ROWS  customers in the PDF export (default 10000)
    BENCH_DIE_EXPORT_MAX_ROWS
                           largest export asked of django-import-export (default 1000000)
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import claim_queries_csv, customers_csv, payer_queries_csv  # noqa: E402

env = environ.Env()
SIZES = [int(size) for size in env.list("BENCH_SIZES", default=["10000", "100000", "1000000"])]
REPEAT = env.int("BENCH_REPEAT", default=3)
PG_URL = env("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/bench")
BROKER_URL = env("BENCH_BROKER_URL", default="redis://127.0.0.1:6379/15")
DIE_MAX_ROWS = env.int("BENCH_DIE_MAX_ROWS", default=100_000)
SQLITE = env.bool("BENCH_SQLITE", default=True)
CLAIMS_SIZES = [int(size) for size in env.list("BENCH_CLAIMS_SIZES", default=["10000", "100000"])]
PAYER_ROWS = env.int("BENCH_PAYER_ROWS", default=2000)
PAYER_LATENCY = env.float("BENCH_PAYER_LATENCY", default=0.2)
PAYER_IN_FLIGHT = env.int("BENCH_PAYER_IN_FLIGHT", default=10)
EXPORT_SIZES = [int(size) for size in env.list("BENCH_EXPORT_SIZES", default=["100000", "1000000"])]
EXPORT_PDF_ROWS = env.int("BENCH_EXPORT_PDF_ROWS", default=10_000)
DIE_EXPORT_MAX_ROWS = env.int("BENCH_DIE_EXPORT_MAX_ROWS", default=1_000_000)
FILES = ROOT / "var" / "bench"
SQLITE_URL = f"sqlite:///{FILES / 'bench.sqlite3'}"


@dataclass
class Figure:
    database: str
    runner: str
    scenario: str
    rows: int
    seconds: float
    peak_mb: float
    outcome: dict


def environment(database_url: str, extra: dict | None = None) -> dict:
    return {
        # Measured as deployed (DEBUG false), whose settings want a key and host names; the bench serves no one.
        "SECRET_KEY": "bench-only-secret-key-for-processes-that-serve-no-one-0123456789",
        "ALLOWED_HOSTS": "localhost",
        **os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": BROKER_URL, "VAR_DIR": str(FILES / "var"),
        "IMPORT_MAX_FILE_MB": "100000", "IMPORT_MAX_ROWS": str(max(SIZES) * 2), "LOG_LEVEL": "ERROR",
        # Imports are measured, not the address checks they queue, which would share the workers with the next run.
        "ADDRESS_VERIFICATION_AFTER_IMPORT": "false",
        # Claim look-ups: files of the sizes measured are accepted, and none stops at the time limit.
        "CLAIMS_MAX_FILE_MB": "1000", "CLAIMS_JOB_TIME_LIMIT": "0",
        **(extra or {}),
    }


def child(args: list[str], database_url: str, ok: tuple[int, ...] = (0,),
          extra_env: dict | None = None) -> tuple[str, float, float]:
    """Run a child process; return its output, its wall-clock seconds and its peak memory in MB."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environment(database_url, extra_env),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = process.stdout.read().decode()
    errors = process.stderr.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}\n{errors}")
    return output, seconds, usage.ru_maxrss / 1024


def reset(database_url: str) -> None:
    child(["bench/tools.py", "reset"], database_url)


def command_line(path: Path, database_url: str, *extra: str) -> tuple[dict, float, float]:
    output, seconds, peak = child(["manage.py", "import_data", "--model", "Customer", "--file", str(path),
                                   "--company", "bench", "--json", *extra], database_url, ok=(0, 1))
    return json.loads(output), seconds, peak


def on_workers(path: Path, database_url: str, workers: int, *extra: str, step: str = "queue",
               extra_env: dict | None = None) -> tuple[dict, float, float]:
    """Start `workers` Celery workers, queue the file (`tools.py <step>`) and wait for its job; return its result,
    seconds from queueing to the end, and the largest worker's peak memory in MB."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--hostname",
             f"bench{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "error"],
            cwd=ROOT, env=environment(database_url, extra_env), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    time.sleep(5)  # every worker consumes the queue before the job is sent
    output, _seconds, _peak = child(["bench/tools.py", step, str(path), *extra], database_url, extra_env=extra_env)
    peaks = []
    for process in started:
        process.send_signal(signal.SIGTERM)
    for process in started:
        _pid, _status, usage = os.wait4(process.pid, 0)
        peaks.append(usage.ru_maxrss / 1024)
    result = json.loads(output)
    return result, result["seconds"], max(peaks)


def median_of(runs: int, measure) -> tuple[dict, float, float]:
    results = [measure() for _ in range(runs)]
    results.sort(key=lambda result: result[1])
    return results[len(results) // 2]


def project(figures: list[Figure], database: str, database_url: str, runner: str, path: Path, rows: int,
            workers: int = 0, scenarios=("dry run", "empty table", "full table")) -> None:
    # The two-worker figures are the headline ones: a median at every size; the slow single runs once at 1M rows.
    runs = REPEAT if rows < 1_000_000 or workers > 1 else 1

    def measure(*extra):
        if workers:
            return on_workers(path, database_url, workers, *extra)
        return command_line(path, database_url, *extra)

    for scenario in scenarios:
        if scenario == "dry run":
            reset(database_url)
            result = median_of(runs, lambda: measure("--dry-run"))
        elif scenario == "empty table":
            result = median_of(runs, lambda: (reset(database_url), measure())[1])
        else:
            result = median_of(runs, measure)  # the table holds the file's rows from the run before
        outcome, seconds, peak = result
        figures.append(Figure(database, runner, scenario, rows, seconds, peak, outcome))
        print(f"  {database:10} {runner:14} {scenario:12} {rows:>9,} rows {seconds:7.1f} s "
              f"{rows / seconds:>9,.0f} rows/s {peak:6.0f} MB", flush=True)


def others(figures: list[Figure], path: Path, rows: int, company_id: int) -> None:
    runs = REPEAT if rows < 1_000_000 else 1
    reset(PG_URL)
    output, seconds, peak = median_of(runs, lambda: (reset(PG_URL), child(
        ["bench/copy_ceiling.py", str(company_id), str(path)], PG_URL))[1])
    figures.append(Figure("PostgreSQL", "COPY + upsert", "empty table", rows, seconds, peak, json.loads(output)))
    print(f"  {'PostgreSQL':10} {'COPY + upsert':14} {'empty table':12} {rows:>9,} rows {seconds:7.1f} s "
          f"{rows / seconds:>9,.0f} rows/s {peak:6.0f} MB", flush=True)
    if rows <= DIE_MAX_ROWS:
        die_runs = runs if rows <= 10_000 else 1
        output, seconds, peak = median_of(die_runs, lambda: (reset(PG_URL), child(
            ["bench/die_import.py", "bench", str(path)], PG_URL))[1])
        figures.append(Figure("PostgreSQL", "import-export", "empty table", rows, seconds, peak, json.loads(output)))
        print(f"  {'PostgreSQL':10} {'import-export':14} {'empty table':12} {rows:>9,} rows {seconds:7.1f} s "
              f"{rows / seconds:>9,.0f} rows/s {peak:6.0f} MB", flush=True)


def ensure_database(url: str) -> None:
    config = environ.Env.db_url_config(url)
    with psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                         password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def table(figures: list[Figure]) -> str:
    def rate(figure):
        return figure.rows / figure.seconds

    reference = {(f.rows, f.runner): f for f in figures if f.scenario == "empty table" and f.database == "PostgreSQL"}
    lines = [
        "| Database | Runner | Scenario | Rows | Seconds | Rows/s | Peak MB | × import-export | % of COPY |",  # noqa: RUF001
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for figure in figures:
        compared = figure.database == "PostgreSQL"
        die = reference.get((figure.rows, "import-export")) if compared else None
        copy = reference.get((figure.rows, "COPY + upsert")) if compared else None
        versus_die = f"{rate(figure) / rate(die):.0f}×" if die and figure.runner != "import-export" else ""  # noqa: RUF001
        versus_copy = f"{rate(figure) / rate(copy) * 100:.0f} %" if copy and figure.runner != "COPY + upsert" else ""
        lines.append(
            f"| {figure.database} | {figure.runner} | {figure.scenario} | {figure.rows:,} | {figure.seconds:.1f} | "
            f"{rate(figure):,.0f} | {figure.peak_mb:.0f} | {versus_die} | {versus_copy} |"
        )
    return "\n".join(lines)


def cpu_calibration() -> float:
    """Seconds a fixed pure-Python loop takes here and now: how fast this machine is while the bench runs."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def stolen() -> tuple[int, int]:
    """CPU time the hypervisor gave to other machines, and all CPU time, since boot (in clock ticks)."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    return values[7], sum(values)


# The two ways workbooks store text: inline in each cell (openpyxl's way), or once in a shared-strings table that
# cells name by number (Excel's way, and most other programs').
WORKBOOK_LAYOUTS = ("inline strings", "shared strings")


def xlsx_workbook(rows: int, layout: str) -> Path:
    """The generated customers of `rows` rows as a workbook of the given layout, written once."""
    path = FILES / f"customers_{rows}{'_shared' if layout == 'shared strings' else ''}.xlsx"
    if not path.exists():
        source = customers_csv(FILES / f"customers_{rows}.csv", rows)
        # In a process of its own, as every figure's: the bench's own memory would show in the next child's peak.
        writer = SHARED_WORKBOOK_WRITER if layout == "shared strings" else WORKBOOK_WRITER
        child(["-c", writer.format(csv=source, xlsx=path)], SQLITE_URL)
    return path


def xlsx_read(rows: int, layout: str) -> dict[str, tuple[float, float]]:
    """Rows/s and peak MB reading a workbook, cells converted to text, through the importer's streaming reader and
    through calamine as the importer read workbooks before (the whole sheet loaded at once), when it is installed
    (requirements-bench.txt)."""
    path = xlsx_workbook(rows, layout)
    readers = {"streaming reader": STREAMING_READER}
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        print("  (python-calamine is not installed: pip install -r requirements-bench.txt to compare with it)")
    else:
        readers = {"calamine, as before": CALAMINE_READER, **readers}
    results = {}
    for name, script in readers.items():
        output, _seconds, peak = child(["-c", script.format(xlsx=path)], SQLITE_URL)
        results[f"{layout}, {name}"] = (rows / float(output), peak)
    return results


WORKBOOK_WRITER = """
import csv, datetime
from openpyxl import Workbook
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet("Customers")
with open("{csv}", newline="", encoding="utf-8") as handle:
    for number, row in enumerate(csv.reader(handle)):
        if number:  # typed cells, as Excel stores them: numbers and dates
            row[3] = int("".join(c for c in row[3] if c.isdigit()) or 0)
            row[12] = datetime.date.fromisoformat(row[12]) if row[12] else None
        sheet.append(row)
workbook.save("{xlsx}")
"""
SHARED_WORKBOOK_WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, ".")
from bench.generate import shared_strings_workbook
shared_strings_workbook(Path("{csv}"), Path("{xlsx}"))
"""
STREAMING_READER = """
import sys, time
sys.path.insert(0, ".")
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.xlsx_stream import XlsxStream
started = time.perf_counter()
source = XlsxStream("{xlsx}", limits=ReadLimits(max_rows=10_000_000))
for _row in source.rows():
    pass
source.close()
print(time.perf_counter() - started)
"""
# The importer's workbook reader until the streaming one replaced it, kept here as the figure to beat.
CALAMINE_READER = """
import sys, time
sys.path.insert(0, ".")
import python_calamine
from imports.engine.readers.cells import cell_to_text
started = time.perf_counter()
with open("{xlsx}", "rb") as handle:
    workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
    for values in workbook.get_sheet_by_name(workbook.sheet_names[0]).iter_rows():
        [value if type(value) is str else cell_to_text(value) for value in values]
    workbook.close()
print(time.perf_counter() - started)
"""


def xlsx_figures(sizes: list[int]) -> tuple[list[Figure], dict[str, tuple[float, float]], int]:
    """Dry runs of the workbooks, both layouts, from the command line (the importer's whole path: staging, then
    validation), and the readers compared on the workbooks nearest 100,000 rows."""
    figures = []
    for layout in WORKBOOK_LAYOUTS:
        for rows in sizes:
            path = xlsx_workbook(rows, layout)
            print(f"{rows:,} rows as a workbook of {layout} ({path.stat().st_size / 1e6:.0f} MB)", flush=True)
            outcome, seconds, peak = command_line(path, PG_URL, "--dry-run")
            figures.append(Figure("PostgreSQL", f"command line, XLSX of {layout}", "dry run", rows, seconds, peak,
                                  outcome))
            print(f"  {'PostgreSQL':10} {'command line':14} {'XLSX dry run':12} {rows:>9,} rows {seconds:7.1f} s "
                  f"{rows / seconds:>9,.0f} rows/s {peak:6.0f} MB", flush=True)
    middle = min(sizes, key=lambda size: abs(size - 100_000))
    reads = {}
    for layout in WORKBOOK_LAYOUTS:
        reads.update(xlsx_read(middle, layout))
    for name, (rate, peak) in reads.items():
        print(f"XLSX read, {middle:,} rows, {name}: {rate:,.0f} rows/s, peak {peak:.0f} MB", flush=True)
    return figures, reads, middle


def xlsx_summary(figures: list[Figure], reads: dict[str, tuple[float, float]], middle: int) -> str:
    lines = [f"XLSX read ({middle:,} rows, cells converted to text), {name}: {rate:,.0f} rows/s, peak {peak:.0f} MB"
             for name, (rate, peak) in reads.items()]
    for layout in WORKBOOK_LAYOUTS:
        runs = sorted((figure for figure in figures if figure.runner.endswith(layout)), key=lambda f: f.rows)
        if len(runs) > 1:
            small, large = runs[0], runs[-1]
            lines.append(f"Peak memory, XLSX of {layout} dry run from the command line: {large.peak_mb:.0f} MB at "
                         f"{large.rows:,} rows, {small.peak_mb:.0f} MB at {small.rows:,} "
                         f"({(large.peak_mb / small.peak_mb - 1) * 100:+.0f} %)")
    return "\n".join(lines)


def xlsx_only() -> None:
    """`bench/run.py --only xlsx`: the workbook figures alone (a few minutes), on the two largest BENCH_SIZES."""
    calibration = cpu_calibration()
    steal_before, total_before = stolen()
    ensure_database(PG_URL)
    child(["bench/tools.py", "prepare"], PG_URL)
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, single runs", flush=True)
    figures, reads, middle = xlsx_figures(sorted(SIZES)[-2:])
    steal_after, total_after = stolen()
    calibration_after = cpu_calibration()
    print()
    print(table(figures))
    print()
    print(xlsx_summary(figures, reads, middle))
    machine(calibration, calibration_after, steal_before, total_before, steal_after, total_after)


def machine(before: float, after: float, steal_before: int, total_before: int, steal_after: int,
            total_after: int) -> None:
    steal = (steal_after - steal_before) / (total_after - total_before) * 100
    print(f"Machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable); a 10-million-step Python "
          f"loop took {before:.2f} s before the run and {after:.2f} s after it; the hypervisor took {steal:.0f} % "
          f"of the CPU time during it; load average {load_average()} at the end.")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- Claim look-ups ----------------------------------------------------------------------------------------------

LOCAL_STORE, FAKE_PAYER = "local store", f"fake payer, {PAYER_LATENCY * 1000:.0f} ms"


def claims_command_line(path: Path, extra_env: dict | None = None) -> tuple[dict, float, float]:
    output, seconds, peak = child(
        ["manage.py", "claims_lookup", str(path), "--company", "bench", "--json", "--output",
         str(FILES / "claims-results.csv")], PG_URL, ok=(0, 1), extra_env=extra_env,
    )
    return json.loads(output), seconds, peak


def claims_measure(figures: list[Figure], scenario: str, runner: str, path: Path, rows: int, runs: int,
                   extra_env: dict | None = None) -> Figure:
    """The median of `runs` look-ups of the file, each from an empty results table."""

    def measure():
        child(["bench/tools.py", "claims-reset"], PG_URL)
        if runner == "command line":
            return claims_command_line(path, extra_env)
        return on_workers(path, PG_URL, int(runner.split()[0]), step="lookup", extra_env=extra_env)

    outcome, seconds, peak = median_of(runs, measure)
    figure = Figure("PostgreSQL", runner, scenario, rows, seconds, peak, outcome)
    figures.append(figure)
    print(f"  {runner:14} {scenario:20} {rows:>9,} look-ups {seconds:7.1f} s {rows / seconds:>9,.0f} look-ups/s "
          f"{peak:6.0f} MB  (found {outcome['found']:,}, failed {outcome['failed']:,})", flush=True)
    return figure


def claims_figures() -> tuple[list[Figure], dict]:
    """Claim look-ups against the local store (every size, the command line and two workers) and against the
    fake payer; returns the figures and what the fake payer saw."""
    from tests.claims.fake_payer import DENIED, MISMATCH, NOT_FOUND, PENDING, TOKEN, FakePayer

    stored = max(CLAIMS_SIZES)
    started = time.perf_counter()
    child(["bench/tools.py", "claims-store", str(stored)], PG_URL)
    print(f"Claim look-ups: the local store holds {stored:,} claims (filled or checked in "
          f"{time.perf_counter() - started:.0f} s)", flush=True)
    figures: list[Figure] = []
    for rows in sorted(CLAIMS_SIZES):
        path = claim_queries_csv(FILES / f"claim_queries_{rows}.csv", rows, stored)
        runs = REPEAT if rows < 1_000_000 else 1
        claims_measure(figures, LOCAL_STORE, "command line", path, rows, runs)
        claims_measure(figures, LOCAL_STORE, "2 workers", path, rows, runs)

    path = payer_queries_csv(FILES / f"payer_queries_{PAYER_ROWS}.csv", PAYER_ROWS,
                             {DENIED: 0.05, PENDING: 0.05, NOT_FOUND: 0.05, MISMATCH: 0.05})
    seen = {}
    for runner in ("command line", "2 workers"):
        payer = FakePayer(TOKEN, latency=PAYER_LATENCY).start()
        try:
            payer_env = {"CLAIMS_BACKEND": "payer", "CLAIMS_API_URL": payer.url, "CLAIMS_API_TOKEN": TOKEN,
                         "CLAIMS_MAX_IN_FLIGHT": str(PAYER_IN_FLIGHT)}
            claims_measure(figures, FAKE_PAYER, runner, path, PAYER_ROWS, 1, payer_env)
        finally:
            payer.stop()
        seen[runner] = {"calls": payer.count(), "most_in_flight": payer.max_in_flight}
        print(f"    the fake payer answered {payer.count():,} calls, at most {payer.max_in_flight} at once",
              flush=True)
    return figures, seen


def claims_table(figures: list[Figure]) -> str:
    lines = [
        "| Back end | Runner | Look-ups | Seconds | Look-ups/s | Claims/minute | Peak MB | Found | Failed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for figure in figures:
        rate = figure.rows / figure.seconds
        lines.append(
            f"| {figure.scenario} | {figure.runner} | {figure.rows:,} | {figure.seconds:.1f} | {rate:,.0f} | "
            f"{rate * 60:,.0f} | {figure.peak_mb:.0f} | {figure.outcome['found']:,} | {figure.outcome['failed']:,} |"
        )
    return "\n".join(lines)


def claims_summary(figures: list[Figure], seen: dict) -> str:
    lines = []
    local = [figure for figure in figures if figure.scenario == LOCAL_STORE]
    for runner in ("command line", "2 workers"):
        runs = sorted((f for f in local if f.runner == runner), key=lambda f: f.rows)
        if len(runs) > 1:
            small, large = runs[0], runs[-1]
            lines.append(f"Peak memory, claim look-ups against the local store, {runner}: {large.peak_mb:.0f} MB at "
                         f"{large.rows:,} look-ups, {small.peak_mb:.0f} MB at {small.rows:,} "
                         f"({(large.peak_mb / small.peak_mb - 1) * 100:+.0f} %)")
    for runner, payer in seen.items():
        lines.append(f"Fake payer, {runner}: {payer['calls']:,} calls, at most {payer['most_in_flight']} in flight "
                     f"(CLAIMS_MAX_IN_FLIGHT={PAYER_IN_FLIGHT}); the guide's figure is 10-20 claims per minute")
    return "\n".join(lines)


def claims_only() -> None:
    """`bench/run.py --only claims`: the claim look-up figures alone."""
    calibration = cpu_calibration()
    steal_before, total_before = stolen()
    ensure_database(PG_URL)
    child(["bench/tools.py", "prepare"], PG_URL)
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, broker {BROKER_URL}, local-store figures "
          f"are medians of {REPEAT} runs, payer figures single runs; load average {load_average()}", flush=True)
    figures, seen = claims_figures()
    steal_after, total_after = stolen()
    calibration_after = cpu_calibration()
    print()
    print(claims_table(figures))
    print()
    print(claims_summary(figures, seen))
    machine(calibration, calibration_after, steal_before, total_before, steal_after, total_after)


def _head_of(source: Path, destination: Path, size: int) -> Path:
    """The first whole lines of `source` up to `size` bytes."""
    if not destination.exists():
        with open(source, "rb") as whole, open(destination, "wb") as part:
            for line in whole:
                if part.tell() + len(line) > size:
                    break
                part.write(line)
    return destination


def wizard_timings(source: Path) -> dict[str, dict]:
    """From sending a 10 MB file to the wizard until its mapping page (with the preview) is ready, as a CSV and
    as a workbook (a workbook holds about twice the rows of a CSV of the same size)."""
    csv_path = _head_of(source, FILES / "wizard_10mb.csv", 10_000_000)
    xlsx_path = FILES / "wizard_10mb_workbook.xlsx"
    if not xlsx_path.exists():
        rows = _head_of(source, FILES / "wizard_19mb.csv", 19_000_000)
        child(["-c", WORKBOOK_WRITER.format(csv=rows, xlsx=xlsx_path)], SQLITE_URL)
    return {
        f"{path.suffix[1:].upper()} ({path.stat().st_size / 1e6:.1f} MB)": json.loads(
            child(["bench/wizard_timing.py", str(path)], PG_URL)[0]
        )
        for path in (csv_path, xlsx_path)
    }


# --- Exports -----------------------------------------------------------------------------------------------------

EXPORT_LABELS = {"csv": "CSV", "json": "JSON", "excel": "XLSX", "pdf": "PDF"}
THIS_PROJECT, DIE, COPY = "this project", "import-export", "COPY"


@dataclass
class ExportFigure:
    runner: str
    file_format: str
    rows: int
    seconds: float
    peak_mb: float
    file_mb: float


def export_company(rows: int) -> tuple[int, list[str]]:
    """The id of the company holding exactly `rows` customers (the generated file's, filled by COPY + upsert when
    it does not hold them yet) and the columns an export of customers holds by default."""
    company = json.loads(child(["bench/tools.py", "export-company", str(rows)], PG_URL)[0])
    if company["fill"]:
        started = time.perf_counter()
        path = customers_csv(FILES / f"customers_{rows}.csv", rows)
        child(["bench/copy_ceiling.py", str(company["id"]), str(path)], PG_URL)
        child(["bench/tools.py", "analyze"], PG_URL)
        print(f"  (a company filled with {rows:,} customers in {time.perf_counter() - started:.0f} s)", flush=True)
    return company["id"], company["columns"]


def export_measure(figures: list[ExportFigure], runner: str, file_format: str, rows: int, args: list[str],
                   runs: int) -> None:
    """The median of `runs` runs of an export child process, which times its own work (Django's start-up aside)
    and prints its rows and file size; the figure's peak memory is the whole process's."""

    def measure():
        output, _seconds, peak = child(args, PG_URL)
        result = json.loads(output)
        if result.get("status", "completed") != "completed" or result["rows"] != rows:
            raise SystemExit(f"{runner} {file_format} export of {rows:,} rows went wrong: {result}")
        return result, result["seconds"], peak

    result, seconds, peak = median_of(runs, measure)
    figures.append(ExportFigure(runner, file_format, rows, seconds, peak, result["bytes"] / 1e6))
    print(f"  {runner:14} {EXPORT_LABELS[file_format]:5} {rows:>9,} rows {seconds:7.1f} s {rows / seconds:>9,.0f} "
          f"rows/s {peak:6.0f} MB  (file {result['bytes'] / 1e6:,.0f} MB)", flush=True)


def exports_figures() -> list[ExportFigure]:
    """At each export size: COPY (the ceiling), this project's export job run in one process as CSV, JSON and
    XLSX, and django-import-export's CSV; then this project's PDF of EXPORT_PDF_ROWS rows."""
    figures: list[ExportFigure] = []
    folder = FILES / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    for rows in sorted(EXPORT_SIZES):
        company_id, columns = export_company(rows)
        print(f"Exports of {rows:,} customers ({len(columns)} columns)", flush=True)
        runs = REPEAT if rows < 1_000_000 else 1
        copy_args = ["bench/copy_export.py", str(company_id), str(folder / "copy.csv"), ",".join(columns)]
        export_measure(figures, COPY, "csv", rows, copy_args, runs)
        for file_format in ("csv", "json", "excel"):
            export_measure(figures, THIS_PROJECT, file_format, rows,
                           ["bench/tools.py", "export", str(rows), file_format], runs)
        if rows <= DIE_EXPORT_MAX_ROWS:
            export_measure(figures, DIE, "csv", rows,
                           ["bench/die_export.py", f"export-{rows}", str(folder / "import-export.csv")],
                           runs if rows <= 100_000 else 1)
    for path in folder.iterdir():
        path.unlink()
    export_company(EXPORT_PDF_ROWS)
    print(f"PDF of {EXPORT_PDF_ROWS:,} customers", flush=True)
    export_measure(figures, THIS_PROJECT, "pdf", EXPORT_PDF_ROWS,
                   ["bench/tools.py", "export", str(EXPORT_PDF_ROWS), "pdf"], REPEAT)
    return figures


def exports_table(figures: list[ExportFigure]) -> str:
    rates = {(f.runner, f.file_format, f.rows): f.rows / f.seconds for f in figures}
    lines = [
        "| Runner | Format | Rows | Seconds | Rows/s | Peak MB | File MB | % of COPY | × import-export |",  # noqa: RUF001
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for figure in figures:
        rate = figure.rows / figure.seconds
        # A PDF is a report of a few thousand rows, not a data file: nothing to hold it against.
        compared = figure.file_format != "pdf"
        copy = rates.get((COPY, "csv", figure.rows)) if compared and figure.runner != COPY else None
        die = rates.get((DIE, "csv", figure.rows)) if compared and figure.runner == THIS_PROJECT else None
        lines.append(
            f"| {figure.runner} | {EXPORT_LABELS[figure.file_format]} | {figure.rows:,} | {figure.seconds:.1f} | "
            f"{rate:,.0f} | {figure.peak_mb:.0f} | {figure.file_mb:,.0f} | "
            f"{f'{rate / copy * 100:.0f} %' if copy else ''} | {f'{rate / die:.1f}×' if die else ''} |"  # noqa: RUF001
        )
    return "\n".join(lines)


def exports_summary(figures: list[ExportFigure]) -> str:
    """The figures against the issue's goals: CSV at 30 % of COPY or more, XLSX at 30,000 rows/s or more, every
    process at 200 MB or less and flat from the smaller size to the largest, a PDF within 20 seconds."""
    by = {(f.runner, f.file_format, f.rows): f for f in figures}
    largest, smaller = max(EXPORT_SIZES), min(EXPORT_SIZES)
    lines = []
    for rows in sorted(EXPORT_SIZES):
        ours, copy = by.get((THIS_PROJECT, "csv", rows)), by.get((COPY, "csv", rows))
        if ours and copy:
            share = copy.seconds / ours.seconds
            lines.append(f"CSV, {rows:,} rows: {share * 100:.0f} % of COPY's speed (goal: 30 % or more) — "
                         f"{'met' if share >= 0.3 else 'missed'}")
        xlsx = by.get((THIS_PROJECT, "excel", rows))
        if xlsx:
            rate = rows / xlsx.seconds
            lines.append(f"XLSX, {rows:,} rows: {rate:,.0f} rows/s (goal: 30,000 or more) — "
                         f"{'met' if rate >= 30_000 else 'missed'}")
    ours = [f for f in figures if f.runner == THIS_PROJECT]
    if ours:
        top = max(ours, key=lambda f: f.peak_mb)
        lines.append(f"Peak memory of this project's exports: at most {top.peak_mb:.0f} MB "
                     f"({EXPORT_LABELS[top.file_format]}, {top.rows:,} rows; goal: 200 MB or less) — "
                     f"{'met' if top.peak_mb <= 200 else 'missed'}")
    for runner, file_format in dict.fromkeys((f.runner, f.file_format) for f in figures):
        large, small = by.get((runner, file_format, largest)), by.get((runner, file_format, smaller))
        if large and small and large is not small:
            lines.append(f"Peak memory, {runner} {EXPORT_LABELS[file_format]}: {large.peak_mb:.0f} MB at "
                         f"{largest:,} rows, {small.peak_mb:.0f} MB at {smaller:,} "
                         f"({(large.peak_mb / small.peak_mb - 1) * 100:+.0f} %)")
    pdf = by.get((THIS_PROJECT, "pdf", EXPORT_PDF_ROWS))
    if pdf:
        lines.append(f"PDF, {EXPORT_PDF_ROWS:,} rows: {pdf.seconds:.1f} s (goal: 20 s or less) — "
                     f"{'met' if pdf.seconds <= 20 else 'missed'}")
    return "\n".join(lines)


def exports_only() -> None:
    """`bench/run.py --only exports`: the export figures alone."""
    calibration = cpu_calibration()
    steal_before, total_before = stolen()
    ensure_database(PG_URL)
    child(["bench/tools.py", "prepare"], PG_URL)
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {server_version()}; figures below "
          f"1,000,000 rows are medians of {REPEAT} runs; load average {load_average()}", flush=True)
    figures = exports_figures()
    steal_after, total_after = stolen()
    calibration_after = cpu_calibration()
    print()
    print(exports_table(figures))
    print()
    print(exports_summary(figures))
    machine(calibration, calibration_after, steal_before, total_before, steal_after, total_after)


# --- Changesets: what keeping them costs an import, and how fast an undo takes an import back -------------------


@dataclass
class ChangesetFigures:
    rows: int
    keeping: tuple[dict, float, float]  # outcome, seconds, peak MB: the import keeping its changeset
    not_keeping: tuple[dict, float, float]  # the same import with IMPORT_KEEP_CHANGES off
    undo: dict  # the undo of the import that kept its changeset
    changeset_bytes: int


def changes_size() -> int:
    return int(child(["bench/tools.py", "changes-size"], PG_URL)[0])


def median(results: list[tuple[dict, float, float]]) -> tuple[dict, float, float]:
    return sorted(results, key=lambda result: result[1])[len(results) // 2]


def changesets_figures(path: Path, rows: int) -> ChangesetFigures:
    """The file imported into an empty table on two workers with changesets kept and not, alternately (medians of
    BENCH_REPEAT each, so both meet the machine's same hours); then the last import that kept one is undone on
    two workers, and its changeset's size on disk is what the table grew by."""
    keeping, not_keeping, sizes = [], [], []
    for _run in range(REPEAT):
        reset(PG_URL)
        not_keeping.append(on_workers(path, PG_URL, 2, extra_env={"IMPORT_KEEP_CHANGES": "false"}))
        reset(PG_URL)
        before = changes_size()
        keeping.append(on_workers(path, PG_URL, 2))
        sizes.append(changes_size() - before)
    last_import = keeping[-1][0]
    undo, _seconds, _peak = on_workers(last_import["job"], PG_URL, 2, step="undo")
    if undo["status"] != "completed":
        raise SystemExit(f"The undo did not complete: {undo}")
    figures = ChangesetFigures(rows, median(keeping), median(not_keeping), undo, sizes[-1])
    print(f"  changesets kept {rows / figures.keeping[1]:,.0f} rows/s, not kept {rows / figures.not_keeping[1]:,.0f}"
          f" rows/s; undo {undo['changes'] / undo['seconds']:,.0f} changes/s; changeset "
          f"{figures.changeset_bytes / 1e6:,.0f} MB", flush=True)
    return figures


def changesets_table(figures: ChangesetFigures) -> str:
    keeping_rate = figures.rows / figures.keeping[1]
    not_keeping_rate = figures.rows / figures.not_keeping[1]
    changes = figures.keeping[0]["created"] + figures.keeping[0]["updated"]
    undo = figures.undo
    lines = [
        "| Run (PostgreSQL, 2 workers) | Rows or changes | Seconds | Per second | Peak MB |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| import, empty table, changeset not kept | {figures.rows:,} | {figures.not_keeping[1]:.1f} | "
        f"{not_keeping_rate:,.0f} rows | {figures.not_keeping[2]:.0f} |",
        f"| import, empty table, changeset kept | {figures.rows:,} | {figures.keeping[1]:.1f} | "
        f"{keeping_rate:,.0f} rows | {figures.keeping[2]:.0f} |",
        f"| undo of that import | {undo['changes']:,} | {undo['seconds']:.1f} | "
        f"{undo['changes'] / undo['seconds']:,.0f} changes | |",
    ]
    slowdown = (1 - keeping_rate / not_keeping_rate) * 100
    per_million = figures.changeset_bytes / changes * 1_000_000 / 1024 / 1024
    return "\n".join(lines) + (
        f"\n\nKeeping the changeset slows the import by {slowdown:.1f} % (goal: at most 15 %). The changeset of "
        f"{changes:,} changes takes {figures.changeset_bytes / 1024 / 1024:,.0f} MB on disk "
        f"(pg_total_relation_size of imports_importchange): {per_million:,.0f} MB per million changes. The undo "
        f"deleted {undo['deleted']:,}, restored {undo['restored']:,} and kept {undo['kept']:,} records."
    )


def changesets_only() -> None:
    """`bench/run.py --only changesets`: the changeset figures alone, on the largest of BENCH_SIZES."""
    calibration = cpu_calibration()
    steal_before, total_before = stolen()
    ensure_database(PG_URL)
    child(["bench/tools.py", "prepare"], PG_URL)
    rows = max(SIZES)
    path = customers_csv(FILES / f"customers_{rows}.csv", rows)
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {server_version()}, "
          f"broker {BROKER_URL}, imports are medians of {REPEAT} runs, the undo a single run", flush=True)
    figures = changesets_figures(path, rows)
    steal_after, total_after = stolen()
    calibration_after = cpu_calibration()
    print()
    print(changesets_table(figures))
    machine(calibration, calibration_after, steal_before, total_before, steal_after, total_after)


def server_version() -> str:
    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://")) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def main() -> None:
    calibration = cpu_calibration()
    steal_before, total_before = stolen()
    ensure_database(PG_URL)
    company_id = int(child(["bench/tools.py", "prepare"], PG_URL)[0])
    if SQLITE:
        child(["bench/tools.py", "prepare"], SQLITE_URL)
    files = {rows: customers_csv(FILES / f"customers_{rows}.csv", rows) for rows in SIZES}
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {server_version()}, "
          f"broker {BROKER_URL}, figures are medians of {REPEAT} runs (single runs at 1,000,000 rows but for two "
          "workers)", flush=True)

    figures: list[Figure] = []
    for rows, path in files.items():
        print(f"{rows:,} rows ({path.stat().st_size / 1e6:.0f} MB)", flush=True)
        project(figures, "PostgreSQL", PG_URL, "command line", path, rows)
        project(figures, "PostgreSQL", PG_URL, "2 workers", path, rows, workers=2)
        if rows == max(SIZES):
            project(figures, "PostgreSQL", PG_URL, "1 worker", path, rows, workers=1, scenarios=("empty table",))
        others(figures, path, rows, company_id)
        if SQLITE:
            project(figures, "SQLite", SQLITE_URL, "command line", path, rows)
    workbook_figures, reads, middle = xlsx_figures(sorted(SIZES)[-2:])
    figures.extend(workbook_figures)
    wizard = wizard_timings(files[max(SIZES)])
    claim_figures, payer_seen = claims_figures()
    export_figures = exports_figures()
    changeset_figures = changesets_figures(files[max(SIZES)], max(SIZES))
    steal_after, total_after = stolen()
    calibration_after = cpu_calibration()
    print()
    print(table(figures))
    print()
    print(flatness(figures))
    print(xlsx_summary(workbook_figures, reads, middle))
    for name, timing in wizard.items():
        print(f"Wizard, {name}: mapping page with its preview ready {timing['total']:.2f} s after the upload "
              f"(storing the file and reading its header {timing['upload']:.2f} s, "
              f"the page {timing['mapping_page']:.2f} s)")
    print()
    print(claims_table(claim_figures))
    print()
    print(claims_summary(claim_figures, payer_seen))
    print()
    print(exports_table(export_figures))
    print()
    print(exports_summary(export_figures))
    print()
    print(changesets_table(changeset_figures))
    machine(calibration, calibration_after, steal_before, total_before, steal_after, total_after)


def flatness(figures: list[Figure]) -> str:
    """Peak memory of the largest run against the run ten times smaller, per runner and scenario."""
    largest = max(SIZES)
    smaller = largest // 10
    peaks = {(f.database, f.runner, f.scenario, f.rows): f.peak_mb for f in figures}
    lines = []
    for (database, runner, scenario, rows), peak in peaks.items():
        before = peaks.get((database, runner, scenario, smaller))
        if rows == largest and before:
            lines.append(f"Peak memory, {database} {runner} {scenario}: {peak:.0f} MB at {largest:,} rows, "
                         f"{before:.0f} MB at {smaller:,} ({(peak / before - 1) * 100:+.0f} %)")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Import speed and peak memory against the peers (see above).")
    parser.add_argument("--only", choices=["xlsx", "claims", "exports", "changesets"],
                        help="measure only this part: xlsx, the workbook figures; claims, the claim look-ups; "
                             "exports, the exports; changesets, what keeping changesets costs an import, and "
                             "the undo")
    only = parser.parse_args().only
    if only == "xlsx":
        xlsx_only()
    elif only == "exports":
        exports_only()
    elif only == "claims":
        claims_only()
    elif only == "changesets":
        changesets_only()
    else:
        main()
