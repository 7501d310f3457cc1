"""What the tests run in other processes (started with `spawn`, as separate workers would be: nothing shared but
what is passed, Redis and the files)."""

import os
import time
from datetime import date


def hold_slots(spec: tuple, go, rounds: int, holding, most_held, hold_seconds: float) -> None:
    """Take a slot `rounds` times, each held `hold_seconds`; `holding` counts the slots held over every process
    (raised after taking, lowered before releasing), `most_held` keeps its highest value."""
    slots = make_limit(spec)
    go.wait(30)
    for _ in range(rounds):
        with slots.acquire(timeout=30):
            with holding.get_lock():
                holding.value += 1
                most_held.value = max(most_held.value, holding.value)
            time.sleep(hold_seconds)
            with holding.get_lock():
                holding.value -= 1
    slots.close()


def take_tokens(spec: tuple, go, seconds: float, taken) -> None:
    """Take tokens as fast as the bucket gives them for `seconds`; put how many were taken on the queue `taken`."""
    bucket = make_limit(spec)
    go.wait(30)
    count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            bucket.take(timeout=max(0.001, end - time.monotonic()))
        except TimeoutError:
            break
        count += 1
    taken.put(count)


def hold_and_die(spec: tuple, held) -> None:
    """Take every slot, say so, and die without releasing them."""
    slots = make_limit(spec)
    for _ in range(slots.limit):
        slots.acquire(timeout=10)
    held.set()
    time.sleep(0.2)
    os._exit(0)


def make_limit(spec: tuple):
    """A limit from a picklable description: ("file-slots", folder, limit), ("redis-slots", url, key, limit, ttl),
    ("file-bucket", path, rate, burst) or ("redis-bucket", url, key, rate, burst)."""
    import redis

    from claims import rate_limits

    kind, *arguments = spec
    if kind == "file-slots":
        folder, limit = arguments
        return rate_limits.FileJobSlots(folder, limit=limit)
    if kind == "redis-slots":
        url, key, limit, ttl = arguments
        return rate_limits.RedisJobSlots(redis.Redis.from_url(url), key, limit=limit, ttl=ttl)
    if kind == "file-bucket":
        path, rate, burst = arguments
        return rate_limits.FileTokenBucket(path, rate=rate, burst=burst)
    url, key, rate, burst = arguments
    return rate_limits.RedisTokenBucket(redis.Redis.from_url(url), key, rate=rate, burst=burst)


def run_payer_job(overrides: dict, job_key: str, subscriber_ids: list[str], go, results) -> None:
    """Look up one query per subscriber id with claims.payer in a process of its own, Django set up with
    `overrides` of its settings; put (row, success, error) of each result on `results`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    for name, value in overrides.items():
        setattr(settings, name, value)
    from claims.payer import payer_look_up
    from imports.declare.lookups import LookupQuery

    queries = [
        LookupQuery(row=row, values={
            "claim_number": f"CLM-{row:04d}", "first_name": "Zebulon", "last_name": "Quackenbush",
            "date_of_birth": date(1961, 7, 4), "subscriber_id": subscriber_id,
        })
        for row, subscriber_id in enumerate(subscriber_ids, start=1)
    ]
    go.wait(60)
    results.put([(result.row, result.success, result.error) for result in payer_look_up(queries, job_key=job_key)])
