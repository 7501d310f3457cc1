"""A stand-in for Google Maps' Geocoding API: a real HTTP server on 127.0.0.1, in a thread of the test process,
answering GET /maps/api/geocode/json the way Google does (the JSON of the API's documentation).

Tests script the answers per address (the `address` parameter, as the client sends it); an address with no
script gets ZERO_RESULTS. Every request is counted, so a test can tell how often Google would have been paid.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "AIzaFakeKeyForTests0000000000000000000"

STATE_NAMES = {"IL": "Illinois", "NY": "New York", "MO": "Missouri", "CA": "California", "TX": "Texas"}


@dataclass
class Answer:
    """One scripted answer: a JSON body (or an HTTP error status), after `delay` seconds."""

    body: dict | None = None
    http_status: int = 200
    delay: float = 0.0


def found(number: str, route: str, city: str, state: str, postal_code: str, *, suffix: str = "",
          location_type: str = "ROOFTOP", partial_match: bool = False, country: str = "US",
          sublocality: str = "", extra_results: int = 0, delay: float = 0.0) -> Answer:
    """An OK answer with one result (plus `extra_results` copies), shaped like the API's documented example."""
    components = [
        {"long_name": number, "short_name": number, "types": ["street_number"]},
        {"long_name": _long_route(route), "short_name": route, "types": ["route"]},
    ]
    if sublocality:
        components.append({"long_name": sublocality, "short_name": sublocality,
                           "types": ["political", "sublocality", "sublocality_level_1"]})
    components += [
        {"long_name": city, "short_name": city, "types": ["locality", "political"]},
        {"long_name": f"{city} County", "short_name": f"{city} County",
         "types": ["administrative_area_level_2", "political"]},
        {"long_name": STATE_NAMES.get(state, state), "short_name": state,
         "types": ["administrative_area_level_1", "political"]},
        {"long_name": "United States" if country == "US" else country, "short_name": country,
         "types": ["country", "political"]},
        {"long_name": postal_code, "short_name": postal_code, "types": ["postal_code"]},
    ]
    if suffix:
        components.append({"long_name": suffix, "short_name": suffix, "types": ["postal_code_suffix"]})
    zip_text = f"{postal_code}-{suffix}" if suffix else postal_code
    result = {
        "address_components": components,
        "formatted_address": f"{number} {route}, {city}, {state} {zip_text}, USA",
        "geometry": {
            "location": {"lat": 39.7817, "lng": -89.6501},
            "location_type": location_type,
            "viewport": {"northeast": {"lat": 39.783, "lng": -89.648}, "southwest": {"lat": 39.780, "lng": -89.651}},
        },
        "place_id": f"fake-{number}-{route}".replace(" ", "-"),
        "types": ["street_address"],
    }
    if partial_match:
        result["partial_match"] = True
    return Answer({"results": [result] * (1 + extra_results), "status": "OK"}, delay=delay)


def only_locality(city: str, state: str) -> Answer:
    """Google found the town but no building: an APPROXIMATE result without a street number or route."""
    result = {
        "address_components": [
            {"long_name": city, "short_name": city, "types": ["locality", "political"]},
            {"long_name": STATE_NAMES.get(state, state), "short_name": state,
             "types": ["administrative_area_level_1", "political"]},
            {"long_name": "United States", "short_name": "US", "types": ["country", "political"]},
        ],
        "formatted_address": f"{city}, {state}, USA",
        "geometry": {"location": {"lat": 39.78, "lng": -89.65}, "location_type": "APPROXIMATE"},
        "partial_match": True,
        "place_id": f"fake-{city}",
        "types": ["locality", "political"],
    }
    return Answer({"results": [result], "status": "OK"})


NOT_FOUND = Answer({"results": [], "status": "ZERO_RESULTS"})
OVER_QUERY_LIMIT = Answer({
    "error_message": "You have exceeded your rate-limit for this API.", "results": [], "status": "OVER_QUERY_LIMIT",
})
SERVER_ERROR = Answer(http_status=500)


def slow(answer: Answer, seconds: float) -> Answer:
    return Answer(answer.body, answer.http_status, seconds)


def _long_route(route: str) -> str:
    words = route.split()
    long_forms = {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Blvd": "Boulevard", "Dr": "Drive", "N": "North"}
    return " ".join(long_forms.get(word, word) for word in words)


class FakeGeocoder:
    """The server. `script(address, *answers)`: the answers, in order, to the requests for `address` (the last
    one repeats). `gate`: cleared, every request waits until it is set again (as if Google hung)."""

    def __init__(self, key: str = API_KEY):
        self.key = key
        self.requests: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self._scripts: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeGeocoder":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, address: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts[address] = list(answers)

    def count(self, address: str | None = None) -> int:
        with self._lock:
            return len(self.requests) if address is None else self.requests.count(address)

    def _next_answer(self, address: str) -> Answer:
        with self._lock:
            self.requests.append(address)
            answers = self._scripts.get(address)
            if not answers:
                return NOT_FOUND
            return answers.pop(0) if len(answers) > 1 else answers[0]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                params = {name: values[0] for name, values in parse_qs(url.query).items()}
                if url.path != "/maps/api/geocode/json":
                    return self._send(404, {"error": "not found"})
                if params.get("key") != fake.key:
                    return self._send(200, {"error_message": "The provided API key is invalid.", "results": [],
                                            "status": "REQUEST_DENIED"})
                answer = fake._next_answer(params.get("address", ""))  # counted on arrival
                fake.gate.wait(timeout=120)
                if answer.delay:
                    time.sleep(answer.delay)
                self._send(answer.http_status, answer.body)

            def _send(self, status: int, body: dict | None):
                payload = json.dumps(body if body is not None else {"error": "server error"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, format, *args):
                pass  # quiet: the tests count requests instead

        return Handler
