"""The API's routes: each target that declares an `api_path` gets its own (/api/<api_path>/import, bound to the
target), and the generic /api/imports/ serves any target. URL names are "<route>-jobs", "<route>-job",
"<route>-job-errors" and "<route>-job-resume"; a target's route is its api_path.

Each look-up service that declares an `api_path` gets the claims guide's routes (imports.api.lookups):
/api/<api_path>/bulk/upload/ and /api/<api_path>/csv-jobs/..., named "<api_path>-bulk-upload", "<api_path>-csv-jobs",
"<api_path>-csv-job" and "<api_path>-csv-job-<progress, results, retry or cancel>".

Exports have one set of routes for every target (imports.api.exports): /api/exports/ and below it, named
"exports-<jobs, preview, columns, job, job-file or job-cancel>"."""

from django.urls import path

from imports.api.backups import (
    BackupCollectionView,
    BackupDetailView,
    BackupFileView,
    RestoreCollectionView,
    RestoreDetailView,
    RestoreNowView,
)
from imports.api.cancel import ImportJobCancelView
from imports.api.exports import (
    ExportCancelView,
    ExportColumnsView,
    ExportFileView,
    ExportJobCollectionView,
    ExportJobDetailView,
    ExportPreviewView,
)
from imports.api.lookups import lookup_views
from imports.api.resume import ImportJobResumeView
from imports.api.retries import ImportJobRetryView
from imports.api.undo import ImportUndoView
from imports.api.views import (
    AnyTargetImportJobCollectionView,
    ImportJobCollectionView,
    ImportJobDetailView,
    ImportJobErrorsView,
    ImportTargetListView,
)
from imports.declare.lookups import LookupService, all_lookups
from imports.declare.targets import ImportTarget, all_targets

app_name = "api"


def target_routes(target: ImportTarget) -> list:
    """The three routes of one target: the upload (and its job list), a job, a job's error report."""
    route, prefix = target.api_path, f"{target.api_path}/import"
    bound = {"route": route, "target_name": target.name}
    return [
        path(prefix, ImportJobCollectionView.as_view(**bound), name=f"{route}-jobs"),
        path(f"{prefix}/<str:job_id>", ImportJobDetailView.as_view(**bound), name=f"{route}-job"),
        path(f"{prefix}/<str:job_id>/errors", ImportJobErrorsView.as_view(**bound), name=f"{route}-job-errors"),
        path(f"{prefix}/<str:job_id>/resume", ImportJobResumeView.as_view(**bound), name=f"{route}-job-resume"),
    ]


def lookup_routes(service: LookupService) -> list:
    """The guide's seven routes of one look-up service: the upload, the job list, a job, and a job's progress,
    results, retry and cancel."""
    route, views = service.api_path, lookup_views(service)
    job = f"{route}/csv-jobs/<str:job_id>"
    return [
        path(f"{route}/bulk/upload/", views["upload"].as_view(), name=f"{route}-bulk-upload"),
        path(f"{route}/csv-jobs/", views["jobs"].as_view(), name=f"{route}-csv-jobs"),
        path(f"{job}/", views["job"].as_view(), name=f"{route}-csv-job"),
        *(
            path(f"{job}/{action}/", views[action].as_view(), name=f"{route}-csv-job-{action}")
            for action in ("progress", "results", "retry", "cancel")
        ),
    ]


urlpatterns = [
    *(route for service in all_lookups() if service.api_path is not None for route in lookup_routes(service)),
    *(route for target in all_targets() if target.api_path is not None for route in target_routes(target)),
    path("imports/", AnyTargetImportJobCollectionView.as_view(), name="imports-jobs"),
    # Before the job routes, which would otherwise read "targets" as a job id.
    path("imports/targets", ImportTargetListView.as_view(), name="imports-targets"),
    path("imports/<str:job_id>", ImportJobDetailView.as_view(), name="imports-job"),
    path("imports/<str:job_id>/errors", ImportJobErrorsView.as_view(), name="imports-job-errors"),
    path("imports/<str:job_id>/retry", ImportJobRetryView.as_view(), name="imports-job-retry"),
    path("imports/<str:job_id>/undo", ImportUndoView.as_view(), name="imports-job-undo"),
    path("imports/<str:job_id>/resume", ImportJobResumeView.as_view(), name="imports-job-resume"),
    path("imports/<str:job_id>/cancel", ImportJobCancelView.as_view(), name="imports-job-cancel"),
    path("exports/", ExportJobCollectionView.as_view(), name="exports-jobs"),
    # Before the job routes, which would otherwise read "preview" and "columns" as job ids.
    path("exports/preview", ExportPreviewView.as_view(), name="exports-preview"),
    path("exports/columns", ExportColumnsView.as_view(), name="exports-columns"),
    path("exports/<str:job_id>", ExportJobDetailView.as_view(), name="exports-job"),
    path("exports/<str:job_id>/file", ExportFileView.as_view(), name="exports-job-file"),
    path("exports/<str:job_id>/cancel", ExportCancelView.as_view(), name="exports-job-cancel"),
    # A company's backups and restores (imports.api.backups).
    path("backups/", BackupCollectionView.as_view(), name="backups"),
    path("backups/<str:job_id>", BackupDetailView.as_view(), name="backup"),
    path("backups/<str:job_id>/file", BackupFileView.as_view(), name="backup-file"),
    path("restores/", RestoreCollectionView.as_view(), name="restores"),
    path("restores/<str:job_id>", RestoreDetailView.as_view(), name="restore"),
    path("restores/<str:job_id>/restore", RestoreNowView.as_view(), name="restore-now"),
]
