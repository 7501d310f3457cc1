"""The API's throttles: requests per token, requests per address, and wrong tokens per address.

Counts live in Django's cache (Redis when REDIS_URL is set), so every web process shares them. Each rate is a setting
read when a request comes. A request over a rate is refused with 429, a `Retry-After` header and the API's usual
`{"detail": "..."}`, naming the rate and the setting that raises it.
"""

import hashlib
import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from .addresses import client_address

logger = logging.getLogger(__name__)


class TooManyRequests(Throttled):
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


class SettingRateThrottle(SimpleRateThrottle):
    """DRF's sliding window of recent requests, with its rate taken from the setting `rate_setting` at each request
    and a refusal that says which limit was reached.

    When the cache cannot be reached the request goes on: an outage of Redis must not take the API down with it.
    """

    rate_setting: str
    refusal: str

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("The cache cannot be reached: %s is not applied to this request.", self.rate_setting,
                           exc_info=True)
            return True

    def throttle_failure(self):
        raise TooManyRequests(
            wait=self.retry_after(), detail=f"{self.refusal}: the limit is {self.rate} ({self.rate_setting})."
        )

    def retry_after(self) -> float:
        """Seconds until the window has room for one more request: when the newest of the requests that must leave
        it does (the history is newest first)."""
        return self.history[self.num_requests - 1] + self.duration - self.now

    def cache_key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenRateThrottle(SettingRateThrottle):
    scope = "token"
    rate_setting = "API_RATE_PER_TOKEN"
    refusal = "Too many requests with this token"

    def get_cache_key(self, request, view) -> str | None:
        if request.auth is None:
            return None
        # A digest, so the cache never holds a usable token.
        return self.cache_key_for(hashlib.sha256(request.auth.key.encode()).hexdigest())


class AddressRateThrottle(SettingRateThrottle):
    """Every request that reaches the view's checks, with or without a token, counted per client address: several
    tokens used from one place share this allowance."""

    scope = "address"
    rate_setting = "API_RATE_PER_ADDRESS"
    refusal = "Too many requests from your address"

    def get_cache_key(self, request, view) -> str:
        return self.cache_key_for(client_address(request))


class FailedAuthenticationThrottle(SettingRateThrottle):
    """Wrong tokens per client address. The authentication runs it before a token is looked up: DRF's throttles run
    only after authentication, so a wrong token would otherwise be answered 401 at full speed, however often.

    Only failures are recorded (`failure_record`). Once an address is over the rate, every API request from it is
    refused, a right token too, so guessing learns nothing until the window has room again.
    """

    scope = "failed_authentication"
    rate_setting = "API_FAILED_AUTHENTICATIONS_PER_ADDRESS"
    refusal = "Too many requests with a wrong token from your address"

    def get_cache_key(self, request, view) -> str:
        return self.cache_key_for(client_address(request))

    def check(self, request) -> None:
        """Refuse the request (429) while its address is over the rate."""
        self.allow_request(request, view=None)

    def throttle_success(self) -> bool:
        return True  # a request that may go on is no failure: `failure_record` counts those

    def failure_record(self) -> None:
        """Count the checked request's wrong token against its address."""
        if not hasattr(self, "history"):
            return  # the cache could not be read when the request was checked
        self.history.insert(0, self.now)
        try:
            self.cache.set(self.key, self.history, self.duration)
        except RedisError:
            logger.warning("The cache cannot be reached: a wrong token was not counted.", exc_info=True)
