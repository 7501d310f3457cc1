"""Limits on calls to a payer's claim-status API that hold across every worker process.

Two limits, each in Redis when Redis is there (REDIS_URL, or a Redis broker: workers may span machines), else in
files under VAR_DIR (the filesystem broker means one machine):

- **A token bucket** per payer API, shared by every worker and job: calls per second (CLAIMS_API_RATE_PER_SECOND)
  with bursts of up to CLAIMS_API_BURST. A caller takes a token before each call, or is told how long to wait.
- **In-flight slots** per job: at most CLAIMS_MAX_IN_FLIGHT of one job's look-ups wait on the payer at once,
  however many workers run its chunks. A slot of a worker that dies frees itself: in Redis its holder expires
  unless renewed (a live holder renews it in the background), in files the operating system drops the dead
  process's locks.

    bucket = payer_rate_limit(url)
    bucket.take(timeout=5)              # returns once a token is taken; WaitOver after 5 s
    with job_slots(job_key) as slots:
        with slots.acquire(cancel=stop):    # a Slot, released on leaving the block
            ...

Waits poll (a few times a second for slots, at the moment the next token comes for the bucket) and end early
when `cancel` (a threading.Event) is set, so a caller that stops does not wait out the limits.
"""

import fcntl
import hashlib
import logging
import os
import random
import re
import threading
import time
import uuid
from abc import ABC, abstractmethod
from pathlib import Path

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SLOT_TTL_SECONDS = 30.0  # a dead worker's Redis slots free themselves after this long
SLOT_POLL_SECONDS = 0.05


class WaitOver(TimeoutError):
    """No token or slot came within the time allowed, or the wait was cancelled."""


def _wait(seconds: float, deadline: float | None, cancel: threading.Event | None) -> None:
    """Sleep `seconds`, at most until `deadline` (time.monotonic()); WaitOver when the deadline has passed or
    `cancel` is set."""
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitOver("The wait for a call to the payer ran out of time.")
        seconds = min(seconds, remaining)
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise WaitOver("The wait for a call to the payer was cancelled.")


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


# --- The token bucket ---------------------------------------------------------------------------------------------


class TokenBucket(ABC):
    """Calls per second, with bursts: `rate` tokens come each second, at most `burst` wait unused."""

    def __init__(self, *, rate: float, burst: int):
        if rate <= 0 or burst < 1:
            raise ValueError("A token bucket needs a rate above 0 and a burst of at least 1.")
        self.rate = float(rate)
        self.burst = int(burst)

    @abstractmethod
    def try_take(self) -> float:
        """Take a token: 0.0 when one was taken, else the seconds until the next one comes (none taken)."""

    def take(self, *, timeout: float | None = None, cancel: threading.Event | None = None) -> None:
        """Take a token, waiting for one; WaitOver when none came within `timeout` seconds or `cancel` was set."""
        deadline = _deadline(timeout)
        while True:
            if cancel is not None and cancel.is_set():
                raise WaitOver("The wait for a call to the payer was cancelled.")
            wait = self.try_take()
            if wait <= 0:
                return
            _wait(wait, deadline, cancel)


_BUCKET_SCRIPT = """
-- KEYS[1]: the bucket, a hash {tokens, at}; ARGV: tokens per second, burst. Returns the seconds to wait, as text
-- (0: a token was taken). Time is the Redis server's, so workers on several machines agree on it.
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
-- A bucket left alone this long is full again: forgetting it changes nothing.
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisTokenBucket(TokenBucket):
    """The bucket in one Redis hash, refilled and taken from by one Lua script (atomic across every worker)."""

    def __init__(self, client: redis.Redis, key: str, *, rate: float, burst: int):
        super().__init__(rate=rate, burst=burst)
        self.key = key
        self._script = client.register_script(_BUCKET_SCRIPT)

    def try_take(self) -> float:
        return float(self._script(keys=[self.key], args=[repr(self.rate), self.burst]))


class FileTokenBucket(TokenBucket):
    """The bucket in a small file ("tokens at"), read and written under an exclusive flock: one machine's
    processes share it."""

    def __init__(self, path: Path, *, rate: float, burst: int):
        super().__init__(rate=rate, burst=burst)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def try_take(self) -> float:
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            now = time.time()
            tokens, at = self._read(descriptor, now)
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{tokens!r} {now!r}".encode(), 0)
            return wait
        finally:
            os.close(descriptor)  # drops the lock

    def _read(self, descriptor: int, now: float) -> tuple[float, float]:
        try:
            tokens, at = os.pread(descriptor, 100, 0).split()
            return float(tokens), float(at)
        except (TypeError, ValueError):  # a new (empty) file, or one cut short by a crash mid-write: a full bucket
            return float(self.burst), now


# --- In-flight slots ----------------------------------------------------------------------------------------------


class Slot:
    """One held slot. `release()` may be called more than once, from any thread; leaving a `with` block releases
    it. `lost` is set when a Redis slot expired before it could be renewed (the worker stalled past its TTL)."""

    def __init__(self, release):
        self._release = release
        self._lock = threading.Lock()
        self.released = False
        self.lost = False

    def release(self) -> None:
        with self._lock:
            if self.released:
                return
            self.released = True
        self._release()

    def __enter__(self) -> "Slot":
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


class JobSlots(ABC):
    """At most `limit` slots of one job held at once, across processes."""

    def __init__(self, *, limit: int):
        if limit < 1:
            raise ValueError("A job needs at least one slot.")
        self.limit = limit

    @abstractmethod
    def try_acquire(self) -> Slot | None:
        """A slot if one is free now, else None."""

    @abstractmethod
    def held_count(self) -> int:
        """How many of the job's slots are held now, by every process."""

    def acquire(self, *, timeout: float | None = None, cancel: threading.Event | None = None) -> Slot:
        """A slot, waiting for one to be free; WaitOver when none was within `timeout` seconds or `cancel` was
        set."""
        deadline = _deadline(timeout)
        while True:
            if cancel is not None and cancel.is_set():
                raise WaitOver("The wait for a call to the payer was cancelled.")
            slot = self.try_acquire()
            if slot is not None:
                return slot
            # Jittered, so the waiters of several processes do not all ask at the same instant.
            _wait(SLOT_POLL_SECONDS * random.uniform(0.5, 1.5), deadline, cancel)

    def close(self) -> None:  # noqa: B027 - only some kinds of slots run something in the background
        """Stop what this object runs in the background (slots still held stay held until released)."""

    def __enter__(self) -> "JobSlots":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class FileJobSlots(JobSlots):
    """`limit` files in the job's folder; a slot is an exclusive flock on one of them. flock locks belong to an
    open file, so two threads of one process exclude each other too, and a dead process's locks are dropped by
    the operating system."""

    def __init__(self, folder: Path, *, limit: int):
        super().__init__(limit=limit)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def try_acquire(self) -> Slot | None:
        start = random.randrange(self.limit)  # spread the takers over the files
        for number in range(self.limit):
            descriptor = self._take(self.folder / f"slot-{(start + number) % self.limit}")
            if descriptor is not None:
                # Closing drops the lock; Slot closes it once only, as the number may be reused afterwards.
                return Slot(lambda descriptor=descriptor: os.close(descriptor))
        return None

    def held_count(self) -> int:
        """Probes each slot file (a probe holds its slot for an instant: for tests and monitoring)."""
        held = 0
        for number in range(self.limit):
            descriptor = self._take(self.folder / f"slot-{number}")
            if descriptor is None:
                held += 1
            else:
                os.close(descriptor)
        return held

    @staticmethod
    def _take(path: Path) -> int | None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        return descriptor


_ACQUIRE_SCRIPT = """
-- KEYS[1]: the job's slot holders, a sorted set (holder -> expiry in ms); ARGV: holder, limit, ttl in ms.
-- Returns 1 when the holder got a slot, 0 when all are held.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

_RENEW_SCRIPT = """
-- KEYS[1]: the job's slot holders; ARGV: ttl in ms, then holders. Returns 1 per holder renewed, 0 per holder
-- whose slot is gone.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local ttl = tonumber(ARGV[1])
local renewed = {}
for index = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[index]) then
    redis.call('ZADD', KEYS[1], now + ttl, ARGV[index])
    renewed[#renewed + 1] = 1
  else
    renewed[#renewed + 1] = 0
  end
end
redis.call('PEXPIRE', KEYS[1], ttl)
return renewed
"""

_COUNT_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""


class RedisJobSlots(JobSlots):
    """The job's slot holders in a Redis sorted set, each with an expiry. While this object holds slots, a
    background thread renews them every third of `ttl`; the holders of a worker that died expire, and the set
    itself expires when no one renews it."""

    def __init__(self, client: redis.Redis, key: str, *, limit: int, ttl: float = SLOT_TTL_SECONDS):
        super().__init__(limit=limit)
        self.key = key
        self.ttl = ttl
        self._client = client
        self._acquire = client.register_script(_ACQUIRE_SCRIPT)
        self._renew = client.register_script(_RENEW_SCRIPT)
        self._count = client.register_script(_COUNT_SCRIPT)
        self._lock = threading.Lock()
        self._held: dict[str, Slot] = {}
        self._renewer: threading.Thread | None = None
        self._closed = threading.Event()

    def try_acquire(self) -> Slot | None:
        holder = uuid.uuid4().hex
        if not self._acquire(keys=[self.key], args=[holder, self.limit, self._ttl_ms]):
            return None
        slot = Slot(lambda: self._release(holder))
        with self._lock:
            self._held[holder] = slot
            if self._renewer is None:
                self._renewer = threading.Thread(target=self._renew_held, name="claims-slot-renewer", daemon=True)
                self._renewer.start()
        return slot

    def held_count(self) -> int:
        return int(self._count(keys=[self.key]))

    def close(self) -> None:
        self._closed.set()

    @property
    def _ttl_ms(self) -> int:
        return max(1, round(self.ttl * 1000))

    def _release(self, holder: str) -> None:
        with self._lock:
            self._held.pop(holder, None)
        try:
            self._client.zrem(self.key, holder)
        except redis.RedisError:  # not renewed any more, the slot expires by itself
            logger.warning("A claims in-flight slot could not be released; it expires in %.0f s.", self.ttl,
                           exc_info=True)

    def _renew_held(self) -> None:
        """Runs while slots are held (a new thread starts with the next slot taken after it ends)."""
        while not self._closed.wait(self.ttl / 3):
            with self._lock:
                if not self._held:
                    self._renewer = None
                    return
                held = list(self._held.items())
            try:
                renewed = self._renew(keys=[self.key], args=[self._ttl_ms, *(holder for holder, _ in held)])
            except redis.RedisError:
                logger.warning("Claims in-flight slots could not be renewed; they expire in %.0f s unless Redis "
                               "answers again.", self.ttl, exc_info=True)
                continue
            lost = [slot for (_, slot), kept in zip(held, renewed, strict=True) if not kept]
            for slot in lost:
                slot.lost = True
            if lost:
                logger.warning("%d claims in-flight slots expired before they were renewed.", len(lost))
        with self._lock:
            self._renewer = None


# --- Chosen from the settings -------------------------------------------------------------------------------------

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def shared_redis_url() -> str:
    """The Redis every worker reaches (REDIS_URL, else a Redis broker's), or "" when there is none."""
    for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL):
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            return url
    return ""


def redis_client(url: str) -> redis.Redis:
    """One client (and connection pool) per Redis URL per process; redis-py makes a fresh pool after a fork."""
    with _clients_lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
        return _clients[url]


def _safe_name(text: str) -> str:
    """`text` when it is safe as a file name and a key part, else a digest of it."""
    if re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}", text):
        return text
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def payer_rate_limit(api_url: str | None = None) -> TokenBucket:
    """The token bucket of the payer API at `api_url` (CLAIMS_API_URL), shared by every worker and job."""
    name = hashlib.sha256((settings.CLAIMS_API_URL if api_url is None else api_url).encode()).hexdigest()[:16]
    rate, burst = settings.CLAIMS_API_RATE_PER_SECOND, settings.CLAIMS_API_BURST
    url = shared_redis_url()
    if url:
        return RedisTokenBucket(redis_client(url), f"claims:rate:{name}", rate=rate, burst=burst)
    return FileTokenBucket(Path(settings.VAR_DIR) / "claims-rate" / name, rate=rate, burst=burst)


def job_slots(job_key: str, *, limit: int | None = None) -> JobSlots:
    """The in-flight slots of the job `job_key` (CLAIMS_MAX_IN_FLIGHT of them unless `limit` says)."""
    limit = settings.CLAIMS_MAX_IN_FLIGHT if limit is None else limit
    url = shared_redis_url()
    if url:
        return RedisJobSlots(redis_client(url), f"claims:in-flight:{_safe_name(job_key)}", limit=limit)
    return FileJobSlots(Path(settings.VAR_DIR) / "claims-slots" / _safe_name(job_key), limit=limit)
