"""The production web server as configured (config/gunicorn.conf.py), started on a free local port against the
test database: slow uploads, more of them than worker processes, do not keep other requests waiting; a body
declared over the cap is refused before it is sent; a stalled body is refused after REQUEST_BODY_IDLE_SECONDS;
and gunicorn's own refusals, given before Django sees a request, are the ones README lists."""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from companies.services import api_token_for
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV
from tests.factories import CompanyFactory, UserFactory
from tests.workers import test_database_url

CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"
# Long enough that a held upload outlasts the test's other request; short enough to watch a stalled one refused.
IDLE_SECONDS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebServer:
    """gunicorn with the production config, bound to a free port on the loopback address."""

    def __init__(self, folder: Path, environment: dict):
        self.port = free_port()
        self.log_path = folder / "gunicorn.log"
        env = {
            **os.environ,
            "MEDIA_ROOT": str(folder / "media"),
            "IMPORT_LOG_DIR": str(folder / "logs"),
            "DEBUG": "false",
            "SECRET_KEY": "a-test-only-key-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1",
            **environment,
        }
        command = [
            sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "--bind", f"127.0.0.1:{self.port}",
            "--no-control-socket", "config.wsgi:application",
        ]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def connect(self, timeout: float = 30) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def wait_ready(self, timeout: float = 90) -> "WebServer":
        """Return once every worker process has booted and the server answers."""
        deadline = time.monotonic() + timeout
        workers = runpy.run_path(str(CONFIG))["workers"]
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with status {self.process.returncode}:\n{self.log}")
            if self.log.count("Booting worker") >= workers:
                try:
                    if request(self, "GET", "/api/imports/targets")[0] == 401:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {timeout} s:\n{self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def read_response(connection: socket.socket) -> tuple[int, dict, bytes]:
    """Status, headers and body of one HTTP/1.1 response (read until the server closes the connection)."""
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    if headers.get("Transfer-Encoding") == "chunked":
        body = dechunked(body)
    return int(lines[0].split()[1]), headers, body


def dechunked(body: bytes) -> bytes:
    joined = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            break
        joined, body = joined + rest[:size], rest[size + 2 :]
    return joined


def request(server: WebServer, method: str, path: str, *, token: str | None = None) -> tuple[int, dict, bytes]:
    connection = server.connect()
    with connection:
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        connection.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n".encode()
        )
        return read_response(connection)


def multipart_upload(path: str, token: str, content: bytes, *, declared: int | None = None) -> tuple[bytes, bytes]:
    """The head and body of a multipart upload of `content` as the part `file`."""
    boundary = "----upload-" + uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="customers.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared or len(body)}\r\n\r\n"
    ).encode()
    return head, body


@pytest.fixture
def token(transactional_db) -> str:
    """A token committed to the test database, so the server's processes see it."""
    company = CompanyFactory(slug="acme", name="Acme Water", tenant_number=1234, default_rate_code="RES-1")
    return api_token_for(user=UserFactory(company=company, username="alice"))


@pytest.fixture(scope="module")
def web_server(tmp_path_factory, django_db_setup, django_db_blocker):
    """One server for the module's tests; each test commits its own rows (`token`), which the server reads."""
    with django_db_blocker.unblock():
        database_url = test_database_url()
    server = WebServer(tmp_path_factory.mktemp("web"), {
        "DATABASE_URL": database_url, "REQUEST_BODY_IDLE_SECONDS": str(IDLE_SECONDS),
    })
    yield server.wait_ready()
    server.stop()


def test_slow_uploads_on_more_connections_than_workers_leave_the_server_answering(web_server, token):
    workers = runpy.run_path(str(CONFIG))["workers"]
    # A slow upload per worker process, and one more: each sends its headers and the start of its body, then waits.
    uploads = [multipart_upload("/api/customers/import", token, GUIDE_CSV.encode()) for _ in range(workers + 1)]
    held = []
    for head, body in uploads:
        connection = web_server.connect()
        connection.sendall(head + body[:40])
        held.append(connection)
    time.sleep(1)  # every held upload has reached the application and is being read

    started = time.monotonic()
    status, _headers, answer = request(web_server, "GET", "/api/imports/targets", token=token)
    waited = time.monotonic() - started

    print(f"\nWith {len(held)} slow uploads held open on {workers} worker processes, another request answered in "
          f"{waited:.2f} s.")
    assert status == 200
    assert json.loads(answer)
    assert waited < IDLE_SECONDS / 2  # it did not wait for the held uploads to be refused or finished
    # The held uploads were real, and are served once their clients send the rest.
    for connection, (_head, body) in zip(held, uploads, strict=True):
        with connection:
            connection.sendall(body[40:])
            assert read_response(connection)[0] == 202
    assert ImportExportJob.objects.count() == len(held)


def test_a_stalled_upload_is_refused_after_the_pause_allowed(web_server, token):
    head, body = multipart_upload("/api/customers/import", token, GUIDE_CSV.encode())
    with web_server.connect() as connection:
        started = time.monotonic()
        connection.sendall(head + body[:40])
        status, headers, answer = read_response(connection)
        waited = time.monotonic() - started

    assert status == 408
    assert headers["Content-Type"] == "application/json"
    assert json.loads(answer)["detail"] == (
        f"The request's body paused for more than {IDLE_SECONDS} seconds, the limit set by "
        "REQUEST_BODY_IDLE_SECONDS; send it again."
    )
    assert IDLE_SECONDS - 1 < waited < IDLE_SECONDS + 10
    assert not ImportExportJob.objects.exists()


def test_a_body_declared_over_the_cap_is_refused_before_it_is_sent(web_server, token):
    head, body = multipart_upload("/api/customers/import", token, b"x" * 65536, declared=512 * 1024 * 1024)
    with web_server.connect() as connection:
        started = time.monotonic()
        connection.sendall(head + body)  # 64 KB of the 512 MB it declares
        status, headers, answer = read_response(connection)
        waited = time.monotonic() - started

    assert status == 413
    assert headers["Content-Type"] == "application/json"
    assert json.loads(answer)["detail"].startswith("The request is 512 MB; an upload may be at most")
    assert waited < IDLE_SECONDS / 2  # answered at once, without waiting for the rest of the body
    assert not ImportExportJob.objects.exists()


def test_a_chunked_upload_without_a_length_is_not_read(web_server, token):
    head, body = multipart_upload("/api/customers/import", token, b"x" * 65536)
    head = head.replace(f"Content-Length: {len(body)}".encode(), b"Transfer-Encoding: chunked")
    with web_server.connect() as connection:
        connection.sendall(head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        status, _headers, answer = read_response(connection)

    assert status == 400
    assert json.loads(answer)["detail"].startswith("No file:")
    assert not ImportExportJob.objects.exists()


@pytest.mark.parametrize(
    ("request_bytes", "status", "says"),
    [
        (b"GARBAGE\r\n\r\n", 400, b"Invalid Request Line"),
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, b"Request Line is too large"),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-H%d: 1\r\n" % n for n in range(101)) + b"\r\n",
         431, b"limit request headers fields"),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
         431, b"limit request headers fields size"),
        (b"POST /api/imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n", 400,
         b"Invalid HTTP Header"),
    ],
    ids=["bad-request-line", "request-line-over-4094-bytes", "over-100-header-fields", "header-over-8190-bytes",
         "bad-content-length"],
)
def test_gunicorns_own_refusals_come_before_django(web_server, request_bytes, status, says):
    with web_server.connect() as connection:
        connection.sendall(request_bytes)
        answer = read_response(connection)

    assert answer[0] == status
    assert answer[1]["Content-Type"] == "text/html"
    assert says in answer[2]
