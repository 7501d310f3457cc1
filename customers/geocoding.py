"""Asking Google Maps' Geocoding API about an address, through the `googlemaps` client.

The client keeps to GOOGLE_MAPS_QUERIES_PER_SECOND, and itself retries an answer of OVER_QUERY_LIMIT or a server
error (500, 503, 504) with growing, jittered pauses for up to GOOGLE_MAPS_RETRY_SECONDS. What is still failing
after that, or takes longer than GOOGLE_MAPS_TIMEOUT, is a `LookupUnavailable`: worth trying again later. An
answer that says the key or the account is wrong is a `LookupRefused`: trying again will not help until an
operator acts.
"""

from functools import lru_cache

import googlemaps
from django.conf import settings

# Statuses the API answers when the fault is the service's, not the request's.
_TRANSIENT_STATUSES = frozenset({"OVER_QUERY_LIMIT", "UNKNOWN_ERROR"})


class LookupUnavailable(Exception):
    """Google Maps did not answer usefully this time (timeout, over quota, server error): try again later."""


class LookupRefused(Exception):
    """Google Maps refuses every request (a wrong key, the Geocoding API not enabled, no billing account), or
    the settings cannot make a client: an operator must act."""


def geocoding_enabled() -> bool:
    return bool(settings.GOOGLE_MAPS_API_KEY)


def geocode(query: str) -> list[dict]:
    """The Geocoding API's results for `query` (a one-line US address): empty when nothing matched."""
    client = _client(
        settings.GOOGLE_MAPS_API_KEY,
        settings.GOOGLE_MAPS_BASE_URL,
        settings.GOOGLE_MAPS_QUERIES_PER_SECOND,
        settings.GOOGLE_MAPS_TIMEOUT,
        settings.GOOGLE_MAPS_RETRY_SECONDS,
    )
    try:
        return client.geocode(query, region="us")
    except googlemaps.exceptions.Timeout:
        raise LookupUnavailable(
            f"Google Maps did not answer within {settings.GOOGLE_MAPS_TIMEOUT:g} s "
            f"(or kept refusing for {settings.GOOGLE_MAPS_RETRY_SECONDS} s)"
        ) from None
    except googlemaps.exceptions.HTTPError as error:
        status = int(error.status_code)
        if status >= 500 or status == 429:
            raise LookupUnavailable(f"Google Maps answered HTTP {status}") from None
        raise LookupRefused(f"Google Maps answered HTTP {status} to {settings.GOOGLE_MAPS_BASE_URL}") from None
    except googlemaps.exceptions.TransportError as error:
        raise LookupUnavailable(f"Google Maps could not be reached: {error}") from None
    except (ValueError, KeyError):  # a body that is not the API's JSON (a proxy's error page, say)
        raise LookupUnavailable("Google Maps answered something other than the Geocoding API's JSON") from None
    except googlemaps.exceptions.ApiError as error:
        detail = f"{error.status}: {error.message}" if error.message else error.status
        if error.status in _TRANSIENT_STATUSES:
            raise LookupUnavailable(f"Google Maps answered {detail}") from None
        raise LookupRefused(f"Google Maps refused the request ({detail}); check GOOGLE_MAPS_API_KEY") from None


# One client per worker process and settings: the client's rate limit counts the requests it has sent, so it
# must outlive a single task run to keep the pace across runs.
@lru_cache(maxsize=4)
def _client(key: str, base_url: str, queries_per_second: int, timeout: float, retry_seconds: int) -> googlemaps.Client:
    if queries_per_second < 1:
        # The client would end the process (sys.exit) on a rate below one.
        raise LookupRefused(
            f"GOOGLE_MAPS_QUERIES_PER_SECOND must be a whole number of at least 1, not {queries_per_second}"
        )
    try:
        return googlemaps.Client(
            key=key,
            base_url=base_url,
            queries_per_second=queries_per_second,
            queries_per_minute=None,  # the per-second rate alone (the client's default would cap it at 100)
            retry_over_query_limit=True,
            retry_timeout=retry_seconds,
            timeout=timeout,
        )
    except ValueError as error:
        raise LookupRefused(f"GOOGLE_MAPS_API_KEY cannot be used: {error} (Google Maps keys start with AIza)") from None
