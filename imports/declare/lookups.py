"""Look-up services: what a domain app declares to answer a file of queries with a file of results.

A look-up job (claim look-ups) is an import whose write step is replaced: read the file, map its columns, clean
each row with the service's fields, hand the rows that passed to the service, and record one result per row
(imports.jobs.lookup_kind). The core owns the job's lifecycle: chunks over several workers, each result recorded
with its chunk's checkpoint, cancel, retry, the time limit, the results file and retention. The service owns
only the look-up itself, and says which of its values are sensitive (never logged, masked on pages).

Services are declared in the app's `import_targets.py` with `lookup_register`, beside its import targets.

The contract a service meets:
- `look_up` yields exactly one result per query it took, in any order, and takes its queries lazily, so it
  can keep a bounded number in flight; the core may stop consuming at any point (cancel, time limit, a lease
  lost) and closes the generator, which must then release what it holds (threads, connections).
- Messages (a result's `error`, a FieldError raised by a field) never contain a value of `sensitive_fields`:
  they are stored in the job's log and shown to operators.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.conf import settings

from imports.declare.fields import ImportField
from imports.declare.headers import normalise_header

if TYPE_CHECKING:
    from companies.models import Company


@dataclass(frozen=True, slots=True)
class LookupQuery:
    """One row that passed its checks: its data row number (1 = the first data row) and its cleaned values."""

    row: int
    values: dict[str, Any]


@dataclass(slots=True)
class LookupResult:
    """What became of one row. `values` are the result's columns (texts, JSON-serialisable); `error` says why a
    row failed, in words that contain no sensitive value; `retryable` marks a failure worth asking again."""

    row: int
    success: bool
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""
    retryable: bool = False


class LookupContext(Protocol):
    """What a service may read of the job whose rows it looks up."""

    company: "Company"
    job_id: Any
    today: date  # the day the job was prepared


class LookupService(ABC):
    """Base class of every look-up service; subclasses set the class attributes and implement `look_up` (a service
    without it cannot be registered: `lookup_register` instantiates it, which an abstract class refuses)."""

    name: ClassVar[str]  # as the job's target_model
    verbose_name: ClassVar[str]  # "claim look-up"
    fields: ClassVar[Sequence[ImportField]]  # the file's columns; the required ones must be there
    # The results file's columns in order. "row", "success", "error" and "retryable" are the core's own; every
    # other column is read from the result's values.
    result_columns: ClassVar[Sequence[str]]
    # Values of the queries and the results that are health or personal data: masked on pages, never logged.
    sensitive_fields: ClassVar[frozenset[str]] = frozenset()
    # Rows cleaned and looked up at a time; a service answering slowly still commits its results at least every
    # `commit_seconds`, so progress shows and a worker that dies loses little.
    batch_size: ClassVar[int] = 1000
    commit_seconds: ClassVar[float] = 1.0
    # Rows one worker looks up at a time (at most IMPORT_CHUNK_ROWS): small enough that a slow service finishes a
    # chunk well within a task's time limit, so several workers share a job.
    chunk_rows: ClassVar[int] = 5000
    # Its routes in the API: /api/<api_path>/bulk/upload/ and /api/<api_path>/csv-jobs/... (the claims guide's
    # shape), or None for none.
    api_path: ClassVar[str | None] = None
    # The field that identifies a row to its owner (a claim's number): listed with each failed row in the job's
    # error log, as no sensitive value may be.
    identifier: ClassVar[str] = ""
    # Example rows for the blank template users download ({field: text}).
    example_rows: ClassVar[Sequence[dict[str, str]]] = ()

    def __repr__(self):
        return f"<LookupService {self.name}>"

    @property
    def fields_by_name(self) -> dict[str, ImportField]:
        return {item.name: item for item in self.fields}

    @property
    def field_order(self) -> dict[str, int]:
        return {item.name: position for position, item in enumerate(self.fields)}

    def header_score(self, cells: Iterable[str]) -> int:
        """How many cells of a candidate header row name one of this service's fields."""
        names = {normalise_header(item.name) for item in self.fields}
        names.update(normalise_header(synonym) for item in self.fields for synonym in item.synonyms)
        return sum(1 for cell in cells if normalise_header(cell) in names)

    def required_columns(self, mode: str = "") -> list[str]:
        return [item.name for item in self.fields if item.required]

    def template_rows(self) -> list[dict[str, str]]:
        return list(self.example_rows) or [{f.name: f.example for f in self.fields if f.example}]

    def time_limit(self) -> timedelta | None:
        """How long a job may run before it stops, FAILED with its results so far kept (None: no limit)."""
        return None

    def chunk_rows_for(self, company: "Company") -> int:
        """Rows a chunk of `company`'s job holds (a service whose speed depends on the company's back end says so)."""
        return self.chunk_rows

    def max_file_mb(self) -> int:
        """The largest upload accepted, in MB."""
        return settings.IMPORT_MAX_FILE_MB

    def retention_days(self) -> int | None:
        """Days a finished job's file and results are kept (None: the imports' IMPORT_RETENTION_DAYS)."""
        return None

    def result_base(self, values: dict[str, Any]) -> dict[str, str]:
        """The result columns a row's own values give (a claim's number, the patient's name), also for a row that
        failed its checks (`values` then holds the fields that passed)."""
        return {}

    @abstractmethod
    def look_up(self, queries: Iterable[LookupQuery], context: LookupContext) -> Iterator[LookupResult]:
        """One result per query, in any order (see the module's contract)."""


class LookupAlreadyRegistered(Exception):
    """A second look-up service was declared under a name (in any case) that a registered one already has."""


_services: dict[str, LookupService] = {}


def lookup_register(service_class: type[LookupService]) -> type[LookupService]:
    """Class decorator that makes a look-up service available to every face (commands, pages, API)."""
    folded = service_class.name.casefold()
    if folded in _services:
        raise LookupAlreadyRegistered(
            f"The look-up service {service_class.name!r} ({service_class.__module__}.{service_class.__qualname__}) "
            "cannot be registered: one is already registered under that name."
        )
    _services[folded] = service_class()
    return service_class


def get_lookup(name: str) -> LookupService:
    """The registered look-up service called `name` (any case); KeyError says which exist."""
    try:
        return _services[name.casefold()]
    except KeyError:
        known = ", ".join(sorted(service.name for service in _services.values())) or "none"
        raise KeyError(f"Unknown look-up '{name}': choose one of {known}.") from None


def all_lookups() -> list[LookupService]:
    return sorted(_services.values(), key=lambda service: service.name)
