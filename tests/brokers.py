"""A Redis server of a test's own, to stop and start again on the same port (it keeps nothing on disk, so a
restart forgets every queued and unacknowledged message), and the test process's Celery client pointed at it."""

import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
        )
        deadline = time.monotonic() + 20
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """SIGKILL, as a crash or a restarted container would: nothing is saved."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@contextmanager
def celery_client_on(url: str):
    """Send this process's tasks to the broker at `url` (the web side of a test), then back to the configured one.

    Celery reads the Django settings once; the test's own settings are left alone, so that first reading (here, if
    nothing was sent before) takes the configured broker."""
    from config.celery import app

    saved = app.conf.broker_url, dict(app.conf.broker_transport_options or {})

    def reconnect(broker_url, options):
        app.conf.broker_url, app.conf.broker_transport_options = broker_url, options
        # Kombu keeps one pool per broker address for the process's life; forget only which one is in use.
        app._pool = None
        app.amqp._producer_pool = None

    reconnect(url, {"visibility_timeout": 3600, "socket_connect_timeout": 3, "socket_timeout": 5})
    try:
        yield
    finally:
        reconnect(*saved)
