import multiprocessing
import threading
import time
import uuid

import pytest
import redis

from claims import rate_limits
from claims.rate_limits import FileJobSlots, FileTokenBucket, RedisJobSlots, RedisTokenBucket, WaitOver
from tests.brokers import RedisServer

from .processes import hold_and_die, hold_slots, make_limit, take_tokens

spawn = multiprocessing.get_context("spawn")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """The Redis of the test run (REDIS_URL) or, without one, a server of this module's own: both
    implementations are tested in every run."""
    from django.conf import settings

    if settings.REDIS_URL:
        yield settings.REDIS_URL
        return
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture(params=["file", "redis"])
def slot_spec(request, tmp_path):
    """A description of a job's slots (limit 3) in each implementation, for this process and others."""

    def spec(limit: int = 3, ttl: float = 30.0) -> tuple:
        if request.param == "file":
            return ("file-slots", tmp_path / "slots" / uuid.uuid4().hex, limit)
        return ("redis-slots", request.getfixturevalue("redis_url"), f"test:slots:{uuid.uuid4().hex}", limit, ttl)

    spec.kind = request.param
    return spec


@pytest.fixture(params=["file", "redis"])
def bucket_spec(request, tmp_path):
    def spec(rate: float, burst: int) -> tuple:
        if request.param == "file":
            return ("file-bucket", tmp_path / "buckets" / uuid.uuid4().hex, rate, burst)
        return ("redis-bucket", request.getfixturevalue("redis_url"), f"test:rate:{uuid.uuid4().hex}", rate, burst)

    return spec


def start(target, *args) -> multiprocessing.Process:
    process = spawn.Process(target=target, args=args)
    process.start()
    return process


def join(processes) -> None:
    for process in processes:
        process.join(60)
        assert process.exitcode == 0


# --- Slots ---------------------------------------------------------------------------------------------------------


def test_slots_are_given_up_to_the_limit_and_again_once_released(slot_spec):
    slots = make_limit(slot_spec(limit=2))

    first, second = slots.acquire(timeout=1), slots.acquire(timeout=1)

    assert slots.try_acquire() is None
    assert slots.held_count() == 2
    first.release()
    first.release()  # a second release changes nothing
    assert slots.held_count() == 1
    third = slots.try_acquire()
    assert third is not None
    assert slots.try_acquire() is None
    second.release()
    third.release()
    assert slots.held_count() == 0
    slots.close()


def test_a_slot_is_released_on_leaving_its_block(slot_spec):
    slots = make_limit(slot_spec(limit=1))

    with slots.acquire(timeout=1) as slot:
        assert slots.held_count() == 1
    assert slot.released
    assert slots.held_count() == 0
    slots.close()


def test_waiting_for_a_slot_ends_after_its_timeout(slot_spec):
    slots = make_limit(slot_spec(limit=1))
    held = slots.acquire(timeout=1)

    with pytest.raises(WaitOver):
        slots.acquire(timeout=0.2)

    held.release()
    slots.close()


def test_waiting_for_a_slot_ends_when_cancelled(slot_spec):
    slots = make_limit(slot_spec(limit=1))
    held = slots.acquire(timeout=1)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()

    with pytest.raises(WaitOver, match="cancelled"):
        slots.acquire(cancel=cancel)

    held.release()
    slots.close()


def test_a_waiter_gets_the_slot_another_thread_releases(slot_spec):
    slots = make_limit(slot_spec(limit=1))
    held = slots.acquire(timeout=1)
    threading.Timer(0.2, held.release).start()

    with slots.acquire(timeout=10):
        assert slots.held_count() == 1
    slots.close()


def test_processes_never_hold_more_slots_than_the_limit(slot_spec):
    spec = slot_spec(limit=3)
    go = spawn.Event()
    holding, most_held = spawn.Value("i", 0), spawn.Value("i", 0)
    processes = [start(hold_slots, spec, go, 15, holding, most_held, 0.01) for _ in range(4)]

    go.set()
    join(processes)

    assert most_held.value <= 3
    assert most_held.value >= 2  # they did compete: the bound was tested
    assert make_limit(spec).held_count() == 0


def test_the_slots_of_a_process_that_died_free_themselves(slot_spec):
    spec = slot_spec(limit=2, ttl=0.5)  # Redis: a dead holder's slot expires after half a second
    held = spawn.Event()
    process = start(hold_and_die, spec, held)
    assert held.wait(60)
    process.join(60)
    slots = make_limit(spec)

    first, second = slots.acquire(timeout=10), slots.acquire(timeout=10)

    assert slots.held_count() == 2
    first.release()
    second.release()
    slots.close()


def test_a_live_redis_slot_is_renewed_past_its_ttl(redis_url):
    slots = RedisJobSlots(redis.Redis.from_url(redis_url), f"test:slots:{uuid.uuid4().hex}", limit=1, ttl=0.3)
    held = slots.acquire(timeout=1)

    time.sleep(1.0)  # three times the ttl: only the renewals keep it

    assert slots.held_count() == 1
    assert slots.try_acquire() is None
    assert not held.lost
    held.release()
    slots.close()


def test_an_unrenewed_redis_slot_expires(redis_url):
    client = redis.Redis.from_url(redis_url)
    key = f"test:slots:{uuid.uuid4().hex}"
    slots = RedisJobSlots(client, key, limit=1, ttl=0.3)
    slots.close()  # no renewals
    slots.acquire(timeout=1)

    other = RedisJobSlots(client, key, limit=1, ttl=30)
    with other.acquire(timeout=10):  # the only slot, never released by its first holder
        assert other.held_count() == 1
    other.close()


# --- The token bucket ----------------------------------------------------------------------------------------------


def test_a_full_bucket_gives_its_burst_then_says_how_long_to_wait(bucket_spec):
    bucket = make_limit(bucket_spec(rate=1.0, burst=3))

    taken = [bucket.try_take() for _ in range(3)]
    refused = bucket.try_take()

    assert taken == [0.0, 0.0, 0.0]
    assert 0 < refused <= 1.0


def test_taking_a_token_waits_for_the_next_one(bucket_spec):
    bucket = make_limit(bucket_spec(rate=20.0, burst=1))
    bucket.take(timeout=1)

    bucket.take(timeout=5)

    assert bucket.try_take() > 0


def test_taking_a_token_ends_after_its_timeout_or_when_cancelled(bucket_spec):
    bucket = make_limit(bucket_spec(rate=0.01, burst=1))  # the next token in 100 s
    bucket.take(timeout=1)

    with pytest.raises(WaitOver):
        bucket.take(timeout=0.2)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(WaitOver, match="cancelled"):
        bucket.take(cancel=cancel)


def test_processes_sharing_a_bucket_never_exceed_its_rate(bucket_spec):
    rate, burst, seconds = 40.0, 5, 1.5
    spec = bucket_spec(rate=rate, burst=burst)
    go, taken = spawn.Event(), spawn.Queue()
    processes = [start(take_tokens, spec, go, seconds, taken) for _ in range(4)]
    time.sleep(0.5)  # let them start; a process late to start only takes fewer

    started = time.monotonic()
    go.set()
    counts = [taken.get(timeout=60) for _ in processes]
    elapsed = time.monotonic() - started
    join(processes)

    # Four buckets of their own would give each process as much as the shared one gives them all.
    assert sum(counts) <= burst + rate * elapsed
    assert sum(counts) >= burst  # they took what was there


def test_a_file_bucket_cut_short_by_a_crash_starts_full(tmp_path):
    path = tmp_path / "bucket"
    path.write_text("0.5")  # half of "tokens at": a write that never finished

    bucket = FileTokenBucket(path, rate=1.0, burst=2)

    assert [bucket.try_take(), bucket.try_take()] == [0.0, 0.0]
    assert bucket.try_take() > 0


# --- Chosen from the settings --------------------------------------------------------------------------------------


def test_without_redis_the_limits_live_in_files_under_var_dir(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.VAR_DIR = tmp_path

    bucket = rate_limits.payer_rate_limit("https://payer.example/api")
    slots = rate_limits.job_slots("job-1", limit=2)

    assert isinstance(bucket, FileTokenBucket)
    assert bucket.path.parent == tmp_path / "claims-rate"
    assert isinstance(slots, FileJobSlots)
    assert slots.folder == tmp_path / "claims-slots" / "job-1"


def test_with_a_redis_broker_the_limits_live_in_redis(settings, redis_url):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = redis_url
    settings.CLAIMS_MAX_IN_FLIGHT = 7

    bucket = rate_limits.payer_rate_limit("https://payer.example/api")
    slots = rate_limits.job_slots("job-1")

    assert isinstance(bucket, RedisTokenBucket)
    assert isinstance(slots, RedisJobSlots)
    assert (slots.key, slots.limit) == ("claims:in-flight:job-1", 7)


def test_each_payer_api_has_its_own_bucket(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.VAR_DIR = tmp_path

    first = rate_limits.payer_rate_limit("https://one.example")
    second = rate_limits.payer_rate_limit("https://two.example")

    assert first.path != second.path


def test_a_job_key_that_is_no_safe_file_name_is_replaced_by_its_digest(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.VAR_DIR = tmp_path

    slots = rate_limits.job_slots("../../etc", limit=1)

    assert slots.folder.parent == tmp_path / "claims-slots"
    assert ".." not in slots.folder.name
