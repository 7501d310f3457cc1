"""Files under MEDIA_ROOT that nothing refers to: an upload whose request died between writing the file and saving
its row, a partial write, a staged copy left in the folder of a job whose files have expired.

A file is kept while a job or a wizard upload refers to it, and so is everything in the folder of a job's upload
(the staged copy and the scan's spill files a running job reads). Any other file is deleted once it is older than
IMPORT_ORPHAN_GRACE_MINUTES: a younger one may be an upload being saved at this moment, whose row comes next.
"""

import contextlib
import os
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils import timezone

from imports.models import ImportExportJob, ImportUpload


def _referred() -> tuple[set[str], set[PurePosixPath]]:
    """The stored names rows refer to, and the folders of jobs' uploads (kept whole)."""
    names: set[str] = set()
    folders: set[PurePosixPath] = set()
    for file, report in ImportExportJob.objects.values_list("file", "error_report").iterator():
        if file:
            names.add(file)
            folders.add(PurePosixPath(file).parent)
        if report:
            names.add(report)
    names.update(name for name in ImportUpload.objects.values_list("file", flat=True).iterator() if name)
    return names, folders


def _kept(name: PurePosixPath, names: set[str], folders: set[PurePosixPath]) -> bool:
    return str(name) in names or any(parent in folders for parent in name.parents)


def media_orphans_purge(*, grace_minutes: int | None = None) -> int:
    """Delete files under MEDIA_ROOT that no job or upload refers to and that are older than the grace period,
    then the empty folders they leave; return how many files were deleted."""
    minutes = settings.IMPORT_ORPHAN_GRACE_MINUTES if grace_minutes is None else grace_minutes
    cutoff = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    root = Path(settings.MEDIA_ROOT)
    # Rows first: a file saved after this query is younger than the cutoff, so it is not mistaken for an orphan.
    names, folders = _referred()
    deleted = 0
    emptied: set[Path] = set()  # folders this purge deleted from: their own time is now, not their contents' age
    for folder, _subfolders, files in os.walk(root, topdown=False):
        here = Path(folder)
        for file_name in files:
            path = here / file_name
            if _kept(PurePosixPath(path.relative_to(root).as_posix()), names, folders):
                continue
            with contextlib.suppress(FileNotFoundError):  # deleted meanwhile, by its job's own clean-up
                if path.lstat().st_mtime < cutoff:
                    path.unlink()
                    deleted += 1
                    emptied.add(here)
        if here != root and _remove_if_empty(here, emptied_here=here in emptied, cutoff=cutoff):
            emptied.add(here.parent)
    return deleted


def _remove_if_empty(folder: Path, *, emptied_here: bool, cutoff: float) -> bool:
    """Remove an empty folder that this purge emptied or that is older than the cutoff (a younger one may be about
    to receive an upload)."""
    try:
        if (emptied_here or folder.stat().st_mtime < cutoff) and not any(folder.iterdir()):
            folder.rmdir()
            return True
    except OSError:
        pass  # a file arrived meanwhile, or the folder went
    return False
