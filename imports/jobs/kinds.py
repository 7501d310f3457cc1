"""Kinds of job, each a table of phases that the drivers run: in this process (imports.jobs.inprocess, for the
command line) or on the workers (imports.jobs.tasks).

A phase is job-wide (one run at a time, under the job's lease) or per chunk (in parallel, each chunk under its
own lease). A per-chunk phase runs on the chunks waiting in its `runs_from` status and holds them in `works_as`
while it works; a job-wide phase is due when every chunk of the job is in its `runs_from` status. The first
phase starts a pending job. What is due next is read from the database, so a run that died is continued by
whoever asks next: the drivers, the sweeper and the chunks' pacing (imports.jobs.queueing) ask the same table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from importlib import import_module
from operator import or_

from django.db.models import Q

from imports.models import ImportExportJob

# The modules that declare kinds; a new kind of job adds its module here.
KIND_MODULES = (
    "imports.jobs.import_kind", "imports.jobs.lookup_kind", "imports.jobs.export_kind", "imports.jobs.backup_kind",
    "imports.jobs.restore_kind", "imports.jobs.undo_kind",
)


@dataclass(frozen=True)
class Phase:
    """One step of a kind of job.

    A job-wide step is called as `step(job=, lease=, takes_turn=)` and returns whether it did its work; a
    per-chunk step as `step(chunk_id=, lease=, on_progress=)` and returns the chunk, or None when the chunk was
    not this run's.
    """

    name: str
    step: Callable
    runs_from: str
    per_chunk: bool = False
    works_as: str = ""

    def waiting(self) -> Q:
        """The chunks this per-chunk phase has still to take."""
        return Q(status=self.runs_from, lease__isnull=True)

    def working(self) -> Q:
        """The chunks this per-chunk phase holds."""
        return Q(status=self.works_as, lease__isnull=False)


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its phases, what stopping one for good leaves to settle (`on_stop(job)`, in the stop's
    transaction), and whether its rows are sensitive (health data): then an unexpected error is logged by its
    type and place only, since an exception's message may quote a value."""

    job_type: str
    phases: tuple[Phase, ...]
    on_stop: Callable[[ImportExportJob], None] | None = None
    sensitive: bool = False

    @property
    def first(self) -> Phase:
        return self.phases[0]

    def phase(self, name: str) -> Phase:
        return next(phase for phase in self.phases if phase.name == name)

    def chunk_phases(self) -> tuple[Phase, ...]:
        return tuple(phase for phase in self.phases if phase.per_chunk)

    def later_job_phases(self) -> tuple[Phase, ...]:
        """The job-wide phases after the first: each runs once every chunk of the job is in its `runs_from`."""
        return tuple(phase for phase in self.phases[1:] if not phase.per_chunk)

    def due(self, job: ImportExportJob) -> Phase | None:
        """The phase to run next on `job`, by the state of its chunks; None when the job is finished or its chunks
        are not laid out yet (its first phase is under way)."""
        if job.is_finished:
            return None
        if job.job_status == ImportExportJob.Status.PENDING:
            return self.first
        statuses = set(job.chunks.values_list("status", flat=True))
        if not statuses:
            return None
        for phase in self.phases[1:]:
            if phase.per_chunk and statuses & {phase.runs_from, phase.works_as}:
                return phase
            if not phase.per_chunk and statuses == {phase.runs_from}:
                return phase
        return None


_KINDS: dict[str, JobKind] = {}
_kind_modules_loaded = False


def kind_register(kind: JobKind) -> JobKind:
    if kind.job_type in _KINDS:
        raise ValueError(f"A kind of job is already declared for {kind.job_type!r}.")
    _KINDS[kind.job_type] = kind
    return kind


def kinds_all() -> tuple[JobKind, ...]:
    """Every kind of job. The declaring modules are loaded on first use: they import the lease and queueing
    modules, which ask this registry in turn. Each is imported whether or not another kind is registered
    already: a process that imported one kind's module first (the look-up services) still finds the others."""
    global _kind_modules_loaded
    if not _kind_modules_loaded:
        for module in KIND_MODULES:
            import_module(module)
        _kind_modules_loaded = True
    return tuple(_KINDS.values())


def worker_job_types() -> tuple[str, ...]:
    """The job types the workers run (a kind of job each): they share the company's turns and the sweeper."""
    return tuple(kind.job_type for kind in kinds_all())


def kind_of(job: ImportExportJob) -> JobKind:
    """The kind that runs `job`."""
    kinds_all()
    return _KINDS[job.job_type]


def chunk_phase_of(job: ImportExportJob, chunk_status: str) -> Phase:
    """The per-chunk phase of `job`'s kind that holds its chunks in `chunk_status`."""
    return next(phase for phase in kind_of(job).chunk_phases() if phase.works_as == chunk_status)


def chunks_working() -> Q:
    """The chunks some per-chunk phase of any kind holds."""
    return reduce(or_, (phase.working() for kind in kinds_all() for phase in kind.chunk_phases()))


def chunks_waiting() -> Q:
    """The chunks some per-chunk phase of any kind has still to take."""
    return reduce(or_, (phase.waiting() for kind in kinds_all() for phase in kind.chunk_phases()))
