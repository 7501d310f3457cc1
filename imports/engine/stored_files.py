"""A job's and an upload's stored files as local paths, whichever storage holds them.

The readers open files by path and seek in them (a chunk starts at its byte offset), so every file is read from a
local disk. With the local file storage (the default) that is MEDIA_ROOT itself, and a job's working files sit in
its folder there. With an object store (S3, see README "Several machines") the workers may run on several machines
that share no disk, and the files travel through the store:

- a job's upload, and the staged CSV its chunks read, are downloaded once per machine into IMPORT_CACHE_DIR and
  read there by every task of that machine;
- the staged CSV, when preparing the job converted the file (a workbook, JSON, another encoding), is stored beside
  the upload before any chunk exists, so every machine reads the same rows at the same offsets;
- each chunk's scan spills into a folder on its own machine as before, then stores that folder as one archive
  before the chunk counts as scanned; the merge, wherever it runs, fetches every chunk's archive;
- a job's working files (staged CSV, scan archives) and this machine's copies go when the job ends; other machines
  drop their copies of ended jobs the next time they download a file.
"""

import fcntl
import logging
import os
import posixpath
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile

from imports.engine.readers.staging import StagedFile
from imports.models import ImportExportJob, job_upload_path

logger = logging.getLogger(__name__)

_COPY_BYTES = 1024 * 1024
_WORK = "work"  # a job's working files, in a folder an upload's name can never take (names have no slash)
_STAGED = "staged.csv"
_ENDED = (ImportExportJob.Status.COMPLETED, ImportExportJob.Status.FAILED, ImportExportJob.Status.CANCELLED)


# --- Reading a stored file ----------------------------------------------------------------------------------------


def job_file_path(job: ImportExportJob) -> Path:
    """The job's uploaded file on this machine."""
    return _local(job, job.file.name)


def staged_path(job: ImportExportJob) -> Path:
    """The staged CSV (`job.layout["file"]`) that the job's scans and chunks read, on this machine."""
    return _local(job, job.layout["file"])


@contextmanager
def stored_file_local(file: FieldFile) -> Iterator[Path]:
    """A stored file as a local path for the time of the `with` block (the wizard reads an upload's header and
    first rows once, on the web server: a copy from an object store is deleted afterwards)."""
    local = _storage_path(file.storage, file.name)
    if local is not None:
        yield local
        return
    folder = Path(settings.IMPORT_CACHE_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        path = Path(scratch) / PurePosixPath(file.name).name
        _download(file.storage, file.name, path)
        yield path


def error_report_local_path(job: ImportExportJob) -> str | None:
    """Where the command line tells the operator to find the job's error report: its place in MEDIA_ROOT, or a copy
    from the object store written to IMPORT_LOG_DIR beside the command's error log."""
    if not job.error_report:
        return None
    report = job.error_report
    local = _storage_path(report.storage, report.name)
    if local is not None:
        return str(local)
    path = Path(settings.IMPORT_LOG_DIR) / f"{job.pk}_{PurePosixPath(report.name).name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    _download(report.storage, report.name, path)
    return str(path)


# --- The staged CSV -----------------------------------------------------------------------------------------------


def staged_scratch_path(job: ImportExportJob) -> Path:
    """Where preparing the job writes the staged CSV when it converts the file (readers.staging.stage)."""
    name = _work_name(job, _STAGED)
    local = _storage_path(job.file.storage, name)
    if local is not None:
        return local
    return _cache_folder(job) / _WORK / f".{uuid.uuid4().hex}.{_STAGED}"  # a name no reader looks for


def staged_publish(job: ImportExportJob, staged: StagedFile) -> str:
    """Make the staged CSV readable by every machine; return its name in the storage, for `job.layout["file"]`.

    An upload used as it is needs nothing. A conversion is stored (in an object store) and moved to its place in
    this machine's cache, complete, so this machine's chunks need not download what it just wrote.
    """
    if not staged.converted:
        return job.file.name
    storage, name = job.file.storage, _work_name(job, _STAGED)
    if _storage_path(storage, name) is not None:
        return name
    with open(staged.path, "rb") as handle:
        name = storage.save(name, File(handle))
    cached = _cache_path(job, name)
    cached.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, cached)
    return name


# --- Export files ----------------------------------------------------------------------------------------------


def export_scratch_path(job: ImportExportJob) -> Path:
    """Where an export writes its file before it is stored: a hidden name in the job's working folder, so a run
    that died half-way leaves nothing a download could find (the working folder goes when the job ends)."""
    folder = _work_folder(job)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".export-{uuid.uuid4().hex}"


def export_publish(job: ImportExportJob, path: Path, name: str) -> str:
    """Store a written export as the job's file called `name`; return its name in the storage. On a local disk
    the file is moved into place, not copied (a million rows make hundreds of megabytes)."""
    storage, stored = job.file.storage, job_upload_path(job, name)
    local = _storage_path(storage, stored)
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, local)
        return stored
    with open(path, "rb") as handle:
        stored = storage.save(stored, File(handle))
    path.unlink()
    return stored


# --- The scans' spill folders -------------------------------------------------------------------------------------


def scan_folder(job: ImportExportJob, index: int | None = None) -> Path:
    """The folder, on this machine, where the scan of chunk `index` spills its values (None: every chunk's)."""
    folder = _work_folder(job) / "scan"
    return folder if index is None else folder / str(index)


def scan_publish(job: ImportExportJob, index: int) -> None:
    """Store the spill folder of chunk `index` for the merge, which may run on another machine: one archive per
    chunk, written before the chunk counts as scanned. Nothing to do with the local file storage."""
    storage = job.file.storage
    if _is_local(storage):
        return
    with tempfile.TemporaryFile(dir=_cache_folder(job)) as archive:
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for path in sorted(scan_folder(job, index).iterdir()):
                tar.add(path, arcname=path.name)
        archive.seek(0)
        storage.save(_scan_archive_name(job, index), File(archive))


def scan_folders(job: ImportExportJob, indexes: Iterable[int]) -> list[Path]:
    """Every chunk's spill folder, in the order of `indexes`, on this machine: the merge reads them all. From an
    object store each chunk's archive is fetched afresh (a local spill of this machine may be from a scan that
    another run took over)."""
    storage = job.file.storage
    if _is_local(storage):
        return [scan_folder(job, index) for index in indexes]
    folders = []
    for index in indexes:
        folder = _work_folder(job) / "merge" / str(index)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        name = _scan_archive_name(job, index)
        with storage.open(name, "rb") as stored, tarfile.open(fileobj=stored, mode="r|") as tar:
            tar.extractall(folder, filter="data")
        folders.append(folder)
    return folders


def scan_files_delete(job: ImportExportJob) -> None:
    """The scans' spills, once merged (or the job ended): this machine's folders and the stored archives."""
    shutil.rmtree(scan_folder(job), ignore_errors=True)
    storage = job.file.storage
    if _is_local(storage):
        return
    shutil.rmtree(_work_folder(job) / "merge", ignore_errors=True)
    for name in _stored_work_files(job):
        if PurePosixPath(name).name.startswith("scan-"):
            storage.delete(name)


# --- Cleaning up --------------------------------------------------------------------------------------------------


def working_files_delete(job: ImportExportJob) -> None:
    """A job's working files, when it ends: the staged CSV and the scans' spills in the storage, and this machine's
    copies of the job's files. The upload and the error report stay until the retention period ends."""
    storage = job.file.storage
    if _is_local(storage):
        shutil.rmtree(_work_folder(job), ignore_errors=True)
        return
    shutil.rmtree(_cache_folder(job), ignore_errors=True)
    try:
        for name in _stored_work_files(job):
            storage.delete(name)
    except Exception:  # the store is out of reach: the job has ended all the same, and the purge tries again
        logger.warning("Could not delete the working files of job %s from the file storage", job.pk, exc_info=True)


def job_folder_remove_if_empty(job: ImportExportJob) -> None:
    """On a local disk, the folder of a job whose files the purge has deleted: its empty sub-folders would stay
    otherwise (an object store has no folders)."""
    folder = _storage_path(job.file.storage, _job_folder(job))
    if folder is not None and folder.is_dir() and not any(path.is_file() for path in folder.rglob("*")):
        shutil.rmtree(folder, ignore_errors=True)


def job_files_delete(job: ImportExportJob) -> None:
    """Every file of a job whose row is gone (a restore's dry run rolls back the imports it rehearsed, and only
    their files stay behind): its working files, its upload, its error report, and the folders they leave."""
    working_files_delete(job)
    for stored in (job.file, job.error_report):
        if stored:
            stored.storage.delete(stored.name)
    job_folder_remove_if_empty(job)
    if job.error_report:
        folder = _storage_path(job.error_report.storage, posixpath.dirname(job.error_report.name))
        if folder is not None and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _cache_prune() -> None:
    """Drop this machine's copies of jobs that have ended or no longer exist (the run that ended a job deleted its
    own machine's copies; the other machines' copies go here, the next time they download a file)."""
    folder = Path(settings.IMPORT_CACHE_DIR) / "jobs"
    if not folder.is_dir():
        return
    cached = {}
    for entry in folder.iterdir():
        try:
            cached[uuid.UUID(entry.name)] = entry
        except ValueError:
            continue
    going = ImportExportJob.objects.filter(pk__in=list(cached)).exclude(job_status__in=_ENDED)
    keep = set(going.values_list("pk", flat=True))
    for pk, entry in cached.items():
        if pk not in keep:
            shutil.rmtree(entry, ignore_errors=True)


# --- Where things are ---------------------------------------------------------------------------------------------


def _is_local(storage) -> bool:
    """Whether the storage keeps its files on this machine's disk (it can name a file's path)."""
    return _storage_path(storage, "") is not None


def _storage_path(storage, name: str) -> Path | None:
    try:
        return Path(storage.path(name))
    except NotImplementedError:  # an object store has no local paths
        return None


def _local(job: ImportExportJob, name: str) -> Path:
    """A stored file of the job on this machine: in place, or its copy in this machine's cache."""
    local = _storage_path(job.file.storage, name)
    if local is not None:
        return local
    destination = _cache_path(job, name)
    if not destination.is_file():
        _fetch_once(job.file.storage, name, destination)
    return destination


def _job_folder(job: ImportExportJob) -> str:
    return posixpath.dirname(job_upload_path(job, "file"))


def _work_name(job: ImportExportJob, name: str) -> str:
    return f"{_job_folder(job)}/{_WORK}/{name}"


def _scan_archive_name(job: ImportExportJob, index: int) -> str:
    return _work_name(job, f"scan-{index}.tar")


def _work_folder(job: ImportExportJob) -> Path:
    local = _storage_path(job.file.storage, _work_name(job, ""))
    return local if local is not None else _cache_folder(job) / _WORK


def _cache_folder(job: ImportExportJob) -> Path:
    folder = Path(settings.IMPORT_CACHE_DIR) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cache_path(job: ImportExportJob, name: str) -> Path:
    """A stored file's place in this machine's cache: its path under the job's folder in the storage."""
    stored, folder = PurePosixPath(name), PurePosixPath(_job_folder(job))
    relative = stored.relative_to(folder) if stored.is_relative_to(folder) else PurePosixPath(stored.name)
    return _cache_folder(job).joinpath(*relative.parts)


def _stored_work_files(job: ImportExportJob) -> list[str]:
    folder = _work_name(job, "").rstrip("/")
    _directories, files = job.file.storage.listdir(folder)
    return [f"{folder}/{name}" for name in files]


# --- Downloading --------------------------------------------------------------------------------------------------


def _fetch_once(storage, name: str, destination: Path) -> None:
    """Download `name` to `destination` for every process of this machine: one downloads while the others wait on
    a lock, and the copy takes its name only once complete, so no process reads a half-written file."""
    _cache_prune()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open(destination.parent / f".{destination.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if destination.is_file():  # another process downloaded it while this one waited
            return
        _download(storage, name, destination)


def _download(storage, name: str, destination: Path) -> None:
    """Copy a stored file to `destination`, written aside and renamed into place once complete."""
    with tempfile.NamedTemporaryFile(dir=destination.parent, prefix=f".{destination.name}.", delete=False) as part:
        try:
            with storage.open(name, "rb") as stored:
                shutil.copyfileobj(stored, part, _COPY_BYTES)
        except BaseException:
            part.close()
            os.unlink(part.name)
            raise
    os.replace(part.name, destination)
