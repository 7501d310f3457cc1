"""The API's routes: each target that declares an `api_path` gets its own (/api/<api_path>/import, bound to the
target), and the generic /api/imports/ serves any target. URL names are "<route>-jobs", "<route>-job" and
"<route>-job-errors"; a target's route is its api_path."""

from django.urls import path

from imports.api.views import (
    AnyTargetImportJobCollectionView,
    ImportJobCollectionView,
    ImportJobDetailView,
    ImportJobErrorsView,
    ImportTargetListView,
)
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
    ]


urlpatterns = [
    *(route for target in all_targets() if target.api_path is not None for route in target_routes(target)),
    path("imports/", AnyTargetImportJobCollectionView.as_view(), name="imports-jobs"),
    # Before the job routes, which would otherwise read "targets" as a job id.
    path("imports/targets", ImportTargetListView.as_view(), name="imports-targets"),
    path("imports/<str:job_id>", ImportJobDetailView.as_view(), name="imports-job"),
    path("imports/<str:job_id>/errors", ImportJobErrorsView.as_view(), name="imports-job-errors"),
]
