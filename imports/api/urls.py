"""The API's routes: the FlowTrack guide's customer and meter reading paths (bound to their target), and the
generic /api/imports/ for any target. URL names are "<route>-jobs", "<route>-job" and "<route>-job-errors"."""

from django.urls import path

from imports.api.views import (
    AnyTargetImportJobCollectionView,
    ImportJobCollectionView,
    ImportJobDetailView,
    ImportJobErrorsView,
    ImportTargetListView,
)

app_name = "api"


def target_routes(route: str, prefix: str, target_name: str) -> list:
    """The three routes of one target: the upload (and its job list), a job, a job's error report."""
    bound = {"route": route, "target_name": target_name}
    return [
        path(prefix, ImportJobCollectionView.as_view(**bound), name=f"{route}-jobs"),
        path(f"{prefix}/<str:job_id>", ImportJobDetailView.as_view(**bound), name=f"{route}-job"),
        path(f"{prefix}/<str:job_id>/errors", ImportJobErrorsView.as_view(**bound), name=f"{route}-job-errors"),
    ]


urlpatterns = [
    *target_routes("customers", "customers/import", "Customer"),
    *target_routes("readings", "readings/import", "MeterReading"),
    path("imports/", AnyTargetImportJobCollectionView.as_view(), name="imports-jobs"),
    # Before the job routes, which would otherwise read "targets" as a job id.
    path("imports/targets", ImportTargetListView.as_view(), name="imports-targets"),
    path("imports/<str:job_id>", ImportJobDetailView.as_view(), name="imports-job"),
    path("imports/<str:job_id>/errors", ImportJobErrorsView.as_view(), name="imports-job-errors"),
]
