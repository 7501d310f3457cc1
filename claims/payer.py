"""Claim look-ups from a payer's claim-status API: an X12 276/277 inquiry rendered as JSON over HTTPS.

The protocol (the shape clearinghouses give the 276/277 pair in JSON). One claim per call:

    POST {CLAIMS_API_URL}/claim-status
    Authorization: Bearer {CLAIMS_API_TOKEN}
    Content-Type: application/json

    {
      "trace_number": "5f0c...",                  # ours (X12 TRN): the answer echoes it
      "payer": {"id": "87726"},                    # null when the row names none
      "provider": {"npi": "1234567893"},           # null when the row names none
      "patient": {"first_name": "John", "last_name": "Doe", "date_of_birth": "1980-01-15",
                  "subscriber_id": "W123456789"},
      "claim": {"claim_number": "CLM-001", "service_date_from": "2024-01-02", "service_date_to": null}
    }

The payer answers 200 with the claims it holds under that number (none: an empty list):

    {
      "trace_number": "5f0c...",
      "payer": {"id": "87726", "name": "..."},
      "claims": [{
        "claim_number": "CLM-001", "payer_id": "87726",
        "patient": {"first_name": "JOHN", "last_name": "DOE", "date_of_birth": "1980-01-15",
                    "subscriber_id": "W123456789"},
        "status_category_code": "F1",              # X12 277 claim status category (claims.statuses)
        "status_code": "65",                       # X12 claim status code, the detail of the category
        "total_charged": "150.00", "total_paid": "120.00",          # decimal texts (numbers accepted)
        "processed_date": "2024-01-20", "paid_date": "2024-01-22",  # ISO dates or null
        "payer_claim_number": "PCN-9", "check_number": "CHK-1",
        "service_date_from": "2024-01-02", "service_date_to": "2024-01-02"
      }]
    }

or, when the payer could not answer about the claim, 200 with an error in X12 terms:

    {"trace_number": "5f0c...", "error": {"category_code": "E1", "status_code": "...", "message": "..."}}

What becomes of each answer:
- claims: the ones carrying another claim number, or a "no such claim" category (A4, D0), are dropped; the rest
  are decided by claims.matching (patient mismatch, not found, several matching).
- an error: E1/E2 (the payer's system is not responding) is asked again; A4/D0 is "Claim not found"; E0/E3/E4
  fail the row for good. The payer's message is never used: it is the payer's text, and may echo the patient.
- HTTP 429 (its Retry-After honoured), 5xx, a time-out or a connection that fails: asked again.
- HTTP 401/403: the credentials are wrong (retryable once they are fixed); other 4xx: the request is refused.
- an answer that is not this JSON: "the payer's answer could not be read" (retryable, not asked again at once).

Asking again waits with exponential backoff and full jitter (CLAIMS_API_BACKOFF_SECONDS doubled per attempt, at
most CLAIMS_API_BACKOFF_MAX_SECONDS, at least what Retry-After says), up to CLAIMS_API_RETRIES times; then the row
fails "Look-up failed: <reason>", retryable. Every call first takes a token of the payer's rate limit, and each
look-up holds one of its job's in-flight slots from its first call to its answer (claims.rate_limits).

Nothing of a query or an answer reaches the logs: they say how many, which HTTP status, how long, and which job.
"""

import contextlib
import json
import logging
import math
import random
import socket
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from claims.matching import ClaimFound, claim_result, lookup_failed
from claims.rate_limits import JobSlots, Slot, TokenBucket, WaitOver, job_slots, payer_rate_limit
from claims.statuses import StatusWord, category_verdict
from imports.declare.lookups import LookupQuery, LookupResult

logger = logging.getLogger(__name__)

TIMED_OUT = "the payer did not answer in time"
UNREACHABLE = "the payer could not be reached"
THROTTLED = "the payer kept refusing calls as too many (HTTP 429)"
UNREADABLE = "the payer's answer could not be read"
ANSWERED_ERROR = "the payer answered with an error"
# A payer's Retry-After is honoured up to this many seconds: a longer one would hold the job's slot for nothing.
RETRY_AFTER_LIMIT_SECONDS = 300.0


@dataclass(frozen=True)
class PayerConfig:
    """The CLAIMS_API_* settings, read once per run."""

    url: str
    token: str
    timeout: float
    connect_timeout: float
    retries: int
    backoff: float
    backoff_max: float
    max_in_flight: int

    @classmethod
    def from_settings(cls) -> "PayerConfig":
        if not settings.CLAIMS_API_URL:
            raise ImproperlyConfigured("Claims are looked up from a payer but CLAIMS_API_URL is not set.")
        return cls(
            url=settings.CLAIMS_API_URL.rstrip("/"),
            token=settings.CLAIMS_API_TOKEN,
            timeout=settings.CLAIMS_API_TIMEOUT,
            connect_timeout=settings.CLAIMS_API_CONNECT_TIMEOUT,
            retries=max(0, settings.CLAIMS_API_RETRIES),
            backoff=settings.CLAIMS_API_BACKOFF_SECONDS,
            backoff_max=settings.CLAIMS_API_BACKOFF_MAX_SECONDS,
            max_in_flight=max(1, settings.CLAIMS_MAX_IN_FLIGHT),
        )


def payer_look_up(queries: Iterable[LookupQuery], *, job_key: str) -> Iterator[LookupResult]:
    """One result per query, as the payer answers (in any order), with at most CLAIMS_MAX_IN_FLIGHT of the job
    `job_key` in flight over every worker. A query is taken from `queries` only when there is room for it.
    Closing the generator cuts the calls in flight and frees their slots."""
    config = PayerConfig.from_settings()
    run = _Run(config, job_slots(job_key, limit=config.max_in_flight), payer_rate_limit(config.url), job_key)
    executor = ThreadPoolExecutor(max_workers=config.max_in_flight, thread_name_prefix="claims-payer")
    source = iter(queries)
    pending: set[Future] = set()

    def submit_next() -> None:
        for query in source:
            pending.add(executor.submit(run.look_up, query))
            return

    started = time.monotonic()
    try:
        for _ in range(config.max_in_flight):
            submit_next()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                result = future.result()
                submit_next()  # before yielding: the caller may take its time with the result
                yield result
    finally:
        run.stop()
        executor.shutdown(wait=False, cancel_futures=True)
        run.close()
        logger.info(
            "Payer look-ups of job %s: %d answered (%d failed), %d calls, %d asked again, %d stopped unanswered, "
            "%.1f s.", job_key, run.counts["answered"], run.counts["failed"], run.counts["calls"],
            run.counts["retries"], len(pending), time.monotonic() - started,
        )


@dataclass(frozen=True)
class _AskAgain:
    """A call worth making again, and why it failed."""

    reason: str
    retry_after: float | None = None


class _Run:
    """What the threads of one `payer_look_up` share: its settings, limits, sessions and stop signal."""

    def __init__(self, config: PayerConfig, slots: JobSlots, bucket: TokenBucket, job_key: str):
        self.config = config
        self.slots = slots
        self.bucket = bucket
        self.job_key = job_key
        self.stopping = threading.Event()
        self.counts: Counter[str] = Counter()
        self._sockets = _Sockets()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[requests.Session] = []
        self._held: set[Slot] = set()

    def look_up(self, query: LookupQuery) -> LookupResult | None:
        """The result of one query (None: the run stopped first), holding one of the job's slots throughout."""
        try:
            slot = self.slots.acquire(cancel=self.stopping)
        except WaitOver:
            return None
        with self._lock:
            self._held.add(slot)
        try:
            result = self._ask(query)
        finally:
            slot.release()
            with self._lock:
                self._held.discard(slot)
        if result is not None:
            self._count("answered")
            if not result.success:
                self._count("failed")
        return result

    def stop(self) -> None:
        """Cut every call in flight and free the slots held: the threads find the run stopped and end."""
        self.stopping.set()
        self._sockets.cut_all()
        with self._lock:
            held = list(self._held)
        for slot in held:
            slot.release()

    def close(self) -> None:
        self.slots.close()
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.close()

    def _ask(self, query: LookupQuery) -> LookupResult | None:
        trace_number = uuid.uuid4().hex
        body = inquiry(query.values, trace_number)
        again: _AskAgain | None = None
        for attempt in range(self.config.retries + 1):
            if again is not None:
                self._count("retries")
                pause = backoff_delay(attempt - 1, base=self.config.backoff, cap=self.config.backoff_max,
                                      retry_after=again.retry_after)
                if self.stopping.wait(pause):
                    return None
            try:
                self.bucket.take(cancel=self.stopping)
            except WaitOver:
                return None
            outcome = self._call(query, body, trace_number, attempt)
            if not isinstance(outcome, _AskAgain):
                return outcome
            again = outcome
        return lookup_failed(query, again.reason)

    def _call(self, query: LookupQuery, body: dict, trace_number: str, attempt: int):
        """One call: a result, _AskAgain, or None when the run stopped during it."""
        self._count("calls")
        started = time.monotonic()
        try:
            response = self._session().post(
                f"{self.config.url}/claim-status", json=body,
                timeout=(self.config.connect_timeout, self.config.timeout),
            )
        except requests.Timeout:
            if self.stopping.is_set():
                return None
            logger.debug("Payer call of job %s timed out after %.0f ms (attempt %d).", self.job_key,
                         _ms(started), attempt + 1)
            return _AskAgain(TIMED_OUT)
        except requests.RequestException as error:
            if self.stopping.is_set():
                return None
            logger.debug("Payer call of job %s failed after %.0f ms (attempt %d): %s.", self.job_key,
                         _ms(started), attempt + 1, type(error).__name__)
            return _AskAgain(UNREACHABLE)
        logger.debug("Payer call of job %s: HTTP %d in %.0f ms (attempt %d).", self.job_key,
                     response.status_code, _ms(started), attempt + 1)
        return answer_result(query, response, trace_number)

    def _session(self) -> requests.Session:
        """This thread's session: one connection, kept alive between its calls, that `stop` can cut."""
        session = getattr(self._local, "session", None)
        if session is None:
            _calls_of_this_thread.sockets = self._sockets
            session = requests.Session()
            adapter = _CuttableAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers.update({"Authorization": f"Bearer {self.config.token}", "Accept": "application/json"})
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


# --- The protocol -------------------------------------------------------------------------------------------------


def inquiry(values: dict[str, Any], trace_number: str) -> dict[str, Any]:
    """The request body for one query's values (see the module's protocol)."""
    return {
        "trace_number": trace_number,
        "payer": {"id": values.get("payer_id") or None},
        "provider": {"npi": values.get("provider_npi") or None},
        "patient": {
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "date_of_birth": values["date_of_birth"].isoformat(),
            "subscriber_id": values["subscriber_id"],
        },
        "claim": {
            "claim_number": values["claim_number"],
            "service_date_from": _iso(values.get("service_date_from")),
            "service_date_to": _iso(values.get("service_date_to")),
        },
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def answer_result(query: LookupQuery, response: requests.Response, trace_number: str):
    """What one HTTP answer means for the query: a result, or _AskAgain."""
    status = response.status_code
    if status == 429:
        return _AskAgain(THROTTLED, retry_after_seconds(response.headers.get("Retry-After")))
    if status >= 500:
        return _AskAgain(f"the payer's service failed (HTTP {status})",
                         retry_after_seconds(response.headers.get("Retry-After")))
    if status in (401, 403):
        return lookup_failed(query, f"the payer refused our credentials (HTTP {status}): check CLAIMS_API_TOKEN")
    if not 200 <= status < 300:
        return lookup_failed(query, f"the payer refused the request (HTTP {status})", retryable=False)
    try:
        answer = read_answer(json.loads(response.content), trace_number)
    except (ValueError, UnreadableAnswer):  # json's errors are ValueErrors; none of them is shown or logged
        return lookup_failed(query, UNREADABLE)
    if answer.error_code is None:
        claim_number = _key(query.values["claim_number"])
        return claim_result(query, [claim for claim in answer.claims if _key(claim.claim_number) == claim_number])
    verdict = category_verdict(answer.error_code)
    if verdict is None or verdict.word != StatusWord.ERROR:
        return lookup_failed(query, ANSWERED_ERROR, retryable=False)
    if not verdict.found:
        return claim_result(query, [])
    if verdict.retryable:
        return _AskAgain(verdict.reason)
    return lookup_failed(query, verdict.reason, retryable=False)


def _key(claim_number: str) -> str:
    return claim_number.strip().casefold()


class UnreadableAnswer(Exception):
    """The payer's answer is not the protocol's JSON (the message never quotes it)."""


@dataclass(frozen=True)
class Answer:
    """A 200 answer read: the claims found (those reporting no claim left out), or the error's category code."""

    claims: tuple[ClaimFound, ...] = ()
    error_code: str | None = None


def read_answer(payload: Any, trace_number: str) -> Answer:
    """The answer in `payload` (decoded JSON); UnreadableAnswer when it is not the protocol's, or answers another
    inquiry than `trace_number` (it would be another patient's)."""
    if not isinstance(payload, dict):
        raise UnreadableAnswer("The answer is not a JSON object.")
    if payload.get("trace_number") not in (None, trace_number):
        raise UnreadableAnswer("The answer is for another inquiry.")
    if payload.get("error") is not None:
        error = payload["error"]
        if not isinstance(error, dict):
            raise UnreadableAnswer("The answer's error is not an object.")
        return Answer(error_code=_text(error.get("category_code")).upper())
    claims = payload.get("claims")
    if not isinstance(claims, list):
        raise UnreadableAnswer("The answer has neither claims nor an error.")
    payer = payload.get("payer") or {}
    if not isinstance(payer, dict):
        raise UnreadableAnswer("The answer's payer is not an object.")
    found = (_claim(item, _text(payer.get("id"))) for item in claims)
    return Answer(claims=tuple(claim for claim in found if _reports_a_claim(claim)))


def _reports_a_claim(claim: ClaimFound) -> bool:
    verdict = category_verdict(claim.status_code) if claim.status_code else None
    return verdict is None or verdict.found


def _claim(item: Any, payer_id: str) -> ClaimFound:
    if not isinstance(item, dict) or not isinstance(item.get("patient") or {}, dict):
        raise UnreadableAnswer("A claim of the answer is not an object.")
    patient = item.get("patient") or {}
    return ClaimFound(
        claim_number=_text(item.get("claim_number")),
        first_name=_text(patient.get("first_name")),
        last_name=_text(patient.get("last_name")),
        date_of_birth=_date(patient.get("date_of_birth")),
        subscriber_id=_text(patient.get("subscriber_id")),
        payer_id=_text(item.get("payer_id")) or payer_id,
        status_code=_text(item.get("status_category_code")).upper(),
        total_charged=_money(item.get("total_charged")),
        total_paid=_money(item.get("total_paid")),
        processed_date=_date(item.get("processed_date")),
        paid_date=_date(item.get("paid_date")),
        payer_claim_number=_text(item.get("payer_claim_number")),
        check_number=_text(item.get("check_number")),
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise UnreadableAnswer("A text of the answer is not a string.")


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise UnreadableAnswer("A date of the answer is not a string.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UnreadableAnswer("A date of the answer is not an ISO date.") from None  # its text may be a DOB


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UnreadableAnswer("An amount of the answer is not a number.")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise UnreadableAnswer("An amount of the answer is not a number.") from None
    if not amount.is_finite():
        raise UnreadableAnswer("An amount of the answer is not a number.")
    return amount


# --- Asking again -------------------------------------------------------------------------------------------------


def backoff_delay(attempt: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait before asking again after failed attempt number `attempt` (0 = the first call): full jitter,
    a random time up to `base` doubled per attempt (at most `cap`), so that many callers failing together do not
    come back together; never less than the payer's Retry-After (up to RETRY_AFTER_LIMIT_SECONDS)."""
    ceiling = min(cap, base * 2 ** min(attempt, 60))
    delay = random.uniform(0, max(0.0, ceiling))
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_LIMIT_SECONDS))
    return delay


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header's wait in seconds (delay-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


# --- Calls that can be cut ----------------------------------------------------------------------------------------
# A thread waiting on a payer (up to CLAIMS_API_TIMEOUT, a minute) cannot be interrupted, but its socket can be
# shut down from another thread: the call then fails at once. The connections of a run's sessions record their
# sockets in the run's _Sockets, found through the thread that opens them.

_calls_of_this_thread = threading.local()


class _Sockets:
    """The sockets a run's calls use; `cut_all` shuts them down, and any opened afterwards as soon as it is."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._cut = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._cut:
                self._open.add(sock)
                return
        _shut(sock)

    def cut_all(self) -> None:
        with self._lock:
            self._cut = True
            sockets = list(self._open)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, also under TLS: wakes a blocked read


class _RecordsItsSocket:
    def connect(self) -> None:
        super().connect()
        sockets = getattr(_calls_of_this_thread, "sockets", None)
        if sockets is not None and self.sock is not None:
            sockets.add(self.sock)


class _HTTPConnection(_RecordsItsSocket, HTTPConnection):
    pass


class _HTTPSConnection(_RecordsItsSocket, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_CUTTABLE_POOLS = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class _CuttableAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _CUTTABLE_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _CUTTABLE_POOLS
        return manager
