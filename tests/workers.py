"""Real Celery worker processes for tests: they consume the configured broker (Redis when REDIS_URL is set, else
the filesystem transport) and open the test database through DATABASE_URL, so they see what tests commit."""

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    """DATABASE_URL of the database this test run uses, for a process started by the test."""
    config = connection.settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    credentials = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{credentials}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{config['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def memory_capped(limit: int):
    """A `preexec_fn` that caps the started process's address space at `limit` bytes."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


class WorkerProcess:
    """One `celery worker` process; `pool="prefork"` gives it a child process that runs the tasks."""

    def __init__(self, name: str, log_path: Path, *, pool: str = "solo", environment: dict | None = None,
                 memory_limit: int | None = None, arguments: tuple[str, ...] = ()):
        """`memory_limit` caps the worker's address space in bytes (RLIMIT_AS), its task children's too; `arguments`
        are added to the `celery worker` command line."""
        self.name = name
        self.log_path = log_path
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "IMPORT_LOG_DIR": str(settings.IMPORT_LOG_DIR),
            **(environment or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool, "--concurrency", "1",
            "--hostname", f"{name}@%h", "--loglevel", "info", "--without-gossip", "--without-mingle",
            "--without-heartbeat", *arguments,
        ]
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=None if memory_limit is None else memory_capped(memory_limit),
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def wait_ready(self, timeout: float = 60) -> "WorkerProcess":
        """Return once the worker consumes its queue, so work queued next is shared by every started worker."""
        wait_for(lambda: " ready." in self.log or self.process.poll() is not None, timeout=timeout, workers=[self],
                 what=f"worker {self.name} to start")
        if self.process.poll() is not None:
            pytest.fail(f"Worker {self.name} exited with status {self.process.returncode}:\n{self.log}")
        return self

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up, as when the machine or the OOM killer stops it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(tmp_path):
    """Start real worker processes; all are stopped when the test ends."""
    started: list[WorkerProcess] = []

    def start(name: str = "worker", **options) -> WorkerProcess:
        worker = WorkerProcess(name, tmp_path / f"{name}.log", **options)
        started.append(worker)
        return worker.wait_ready()

    yield start
    for worker in started:
        worker.stop()


def job_finished(job) -> bool:
    job.refresh_from_db()
    return job.is_finished


def wait_for(condition, *, timeout: float = 90, interval: float = 0.2, workers=(), what: str = "the condition"):
    """Poll `condition` until it returns something true; fail with the workers' logs if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    logs = "\n".join(f"--- {worker.name} ---\n{worker.log[-4000:]}" for worker in workers)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{logs}")
