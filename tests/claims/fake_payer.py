"""A stand-in for a payer's claim-status API: a real HTTP server on 127.0.0.1, in a thread of the test process,
answering POST /claim-status in the JSON protocol of claims.payer.

Like a payer's sandbox, the answer is chosen by the member: each scenario has its subscriber id (below); any
other subscriber id has one paid claim. Claims carry the number and the patient the inquiry asked about, except
where the scenario says otherwise. Every request is counted (per subscriber id too), and the server keeps the
most requests it had in flight at once; `latency` delays every answer. A request counts as in flight from its
arrival until its answer is about to be sent (an abandoned "timeout" request counts until its sleep ends).
"""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fake-payer-token-for-tests"

PAID = "SBX0000001"  # F1, with amounts, dates, the payer's claim number and the check number
DENIED = "SBX0000002"  # F2
PENDING = "SBX0000003"  # P1
NOT_FOUND = "SBX0000004"  # A4: the payer has no such claim
MISMATCH = "SBX0000005"  # the claim is another patient's
TWO_CLAIMS = "SBX0000006"  # two claims of the patient under one number (service dates tell them apart)
TIMEOUT = "SBX0000007"  # answers after `hang_seconds`
THROTTLED_ONCE = "SBX0000008"  # 429 with Retry-After, then as PAID (per claim number)
UNAVAILABLE = "SBX0000009"  # 503, always
UNAVAILABLE_ONCE = "SBX0000010"  # 503, then as PAID (per claim number)
MALFORMED = "SBX0000011"  # 200 with a body that is not JSON
NOT_RESPONDING = "SBX0000012"  # 200 with the error E1, "payer not responding"
WRONG_NUMBER = "SBX0000013"  # a claim under another claim number
NOT_FOUND_ERROR = "SBX0000014"  # 200 with the error A4 instead of a claim

SCENARIOS = {
    "paid": PAID, "denied": DENIED, "pending": PENDING, "not_found": NOT_FOUND, "mismatch": MISMATCH,
    "two_claims": TWO_CLAIMS, "timeout": TIMEOUT, "throttled_once": THROTTLED_ONCE, "unavailable": UNAVAILABLE,
    "unavailable_once": UNAVAILABLE_ONCE, "malformed": MALFORMED, "not_responding": NOT_RESPONDING,
    "wrong_number": WRONG_NUMBER, "not_found_error": NOT_FOUND_ERROR,
}

PAYER_ID = "87726"


class FakePayer:
    """The server. `latency`: seconds before every answer; `hang_seconds`: how long TIMEOUT answers take;
    `retry_after`: the Retry-After of a 429 ("0" unless a test sets it)."""

    def __init__(self, token: str = TOKEN, *, latency: float = 0.0):
        self.token = token
        self.latency = latency
        self.hang_seconds = 10.0
        self.retry_after = "0"
        self.requests = 0
        self.by_subscriber: Counter[str] = Counter()
        self.arrivals: dict[tuple[str, str], list[float]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.refused_tokens = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._once_done: set[tuple[str, str]] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakePayer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def count(self, subscriber_id: str | None = None) -> int:
        with self._lock:
            return self.requests if subscriber_id is None else self.by_subscriber[subscriber_id]

    def _arrive(self, subscriber_id: str, claim_number: str) -> None:
        with self._lock:
            self.requests += 1
            self.by_subscriber[subscriber_id] += 1
            self.arrivals.setdefault((subscriber_id, claim_number), []).append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _first_time(self, subscriber_id: str, claim_number: str) -> bool:
        with self._lock:
            if (subscriber_id, claim_number) in self._once_done:
                return False
            self._once_done.add((subscriber_id, claim_number))
            return True

    def answer(self, inquiry: dict) -> tuple[int, dict | bytes, dict]:
        """(HTTP status, JSON body or raw bytes, headers) for an inquiry, by its subscriber id."""
        patient = inquiry["patient"]
        claim = inquiry["claim"]
        subscriber_id = patient["subscriber_id"]
        number = claim["claim_number"]
        trace = {"trace_number": inquiry.get("trace_number"), "payer": {"id": PAYER_ID, "name": "Fake Health"}}

        def claims(*items: dict) -> tuple[int, dict, dict]:
            return 200, {**trace, "claims": list(items)}, {}

        def error(code: str, message: str) -> tuple[int, dict, dict]:
            return 200, {**trace, "error": {"category_code": code, "status_code": "", "message": message}}, {}

        if subscriber_id == DENIED:
            return claims(_claim(number, patient, "F2", "88", paid="0.00"))
        if subscriber_id == PENDING:
            return claims(_claim(number, patient, "P1", "20", paid=None, processed=None))
        if subscriber_id == NOT_FOUND:
            return claims(_claim(number, patient, "A4", "35", charged=None, paid=None, processed=None))
        if subscriber_id == NOT_FOUND_ERROR:
            return error("A4", "Claim not found")
        if subscriber_id == MISMATCH:
            other = {"first_name": "Other", "last_name": "Person", "date_of_birth": "1950-05-05",
                     "subscriber_id": "SBX9999999"}
            return claims(_claim(number, other, "F1", "65"))
        if subscriber_id == WRONG_NUMBER:
            return claims(_claim(f"{number}-OTHER", patient, "F1", "65"))
        if subscriber_id == TWO_CLAIMS:
            first = _claim(number, patient, "F1", "65", payer_claim_number="PCN-A", service=("2024-01-02",) * 2)
            second = _claim(number, patient, "F2", "88", payer_claim_number="PCN-B", service=("2024-03-04",) * 2)
            wanted = claim.get("service_date_from")
            return claims(*(item for item in (first, second) if not wanted or item["service_date_from"] == wanted))
        if subscriber_id == THROTTLED_ONCE and self._first_time(subscriber_id, number):
            return 429, {"message": "Too many requests"}, {"Retry-After": self.retry_after}
        if subscriber_id == UNAVAILABLE or (
            subscriber_id == UNAVAILABLE_ONCE and self._first_time(subscriber_id, number)
        ):
            return 503, {"message": "Service unavailable"}, {}
        if subscriber_id == MALFORMED:
            return 200, b'{"trace_number": "x", "claims": [{"claim_number": ', {}
        if subscriber_id == NOT_RESPONDING:
            return error("E1", "Payer not responding")
        return claims(_claim(number, patient, "F1", "65"))

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a payer's gateway
            # Headers and body leave in two writes: without this the body waits for the client's delayed ACK.
            disable_nagle_algorithm = True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path != "/claim-status":
                    return self._send(404, {"message": "Not found"})
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    with fake._lock:
                        fake.refused_tokens += 1
                    return self._send(401, {"message": "Invalid token"})
                try:
                    inquiry = json.loads(raw)
                    subscriber_id = inquiry["patient"]["subscriber_id"]
                    claim_number = inquiry["claim"]["claim_number"]
                except (ValueError, KeyError, TypeError):
                    return self._send(400, {"message": "Invalid inquiry"})
                fake._arrive(subscriber_id, claim_number)
                try:
                    if fake.latency:
                        fake.stopping.wait(fake.latency)
                    if subscriber_id == TIMEOUT:
                        fake.stopping.wait(fake.hang_seconds)
                    status, body, headers = fake.answer(inquiry)
                finally:
                    fake._leave()  # before the answer leaves: the client's next call may follow at once
                self._send(status, body, headers)

            def _send(self, status: int, body: dict | bytes, headers: dict | None = None):
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout, or a look-up stopped)

            def log_message(self, format, *args):
                pass  # quiet: the tests count requests instead

        return Handler


def _claim(number: str, patient: dict, category: str, status_code: str, *, charged: str | None = "150.00",
           paid: str | None = "120.00", processed: str | None = "2024-01-20", payer_claim_number: str = "PCN-1",
           service: tuple[str, str] = ("2024-01-02", "2024-01-02")) -> dict:
    return {
        "claim_number": number,
        "payer_id": PAYER_ID,
        "patient": {name: patient[name] for name in ("first_name", "last_name", "date_of_birth", "subscriber_id")},
        "status_category_code": category,
        "status_code": status_code,
        "total_charged": charged,
        "total_paid": paid,
        "processed_date": processed,
        "paid_date": "2024-01-22" if paid not in (None, "0.00") else None,
        "payer_claim_number": payer_claim_number,
        "check_number": "CHK-1" if paid not in (None, "0.00") else "",
        "service_date_from": service[0],
        "service_date_to": service[1],
    }
