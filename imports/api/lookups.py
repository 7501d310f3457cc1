"""The look-up API, in the claims guide's shape: for each look-up service with an `api_path`,

    POST /api/<api_path>/bulk/upload/                upload a CSV of queries: the job, PENDING (201)
    GET  /api/<api_path>/csv-jobs/                   the company's jobs of the service, newest first
    GET  /api/<api_path>/csv-jobs/{id}/              a job, with its error log
    GET  /api/<api_path>/csv-jobs/{id}/progress/     its progress, in the guide's keys
    GET  /api/<api_path>/csv-jobs/{id}/results/      its results CSV, as an attachment
    POST /api/<api_path>/csv-jobs/{id}/retry/        run it again (202)
    POST /api/<api_path>/csv-jobs/{id}/cancel/       stop it

The views are thin: each parses the request, calls one look-up service of the core (imports.jobs.lookup_services)
and presents its answer; a refusal of the service (LookupRefused) is answered with the status it names. Every
request that touches a job's data is recorded in the audit trail by the service, with via=api and the client's
address. A job is looked up through the requesting user's company and the route's service: another company's job,
an import job, or an id that is no job are the same 404.

The upload answers 201 Created: the request creates a resource, the job, which exists (PENDING) at the URL in
`Location` when the answer comes; the work it stands for is the job's own business, followed at its progress URL.
A retry creates nothing and queues work on an existing job, so it answers 202 Accepted.
"""

from functools import cache

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api.addresses import audit_address
from imports.api.errors import BadImportRequest, LookupRequestRefused, NotFoundHere
from imports.api.lookup_docs import lookup_docs
from imports.api.lookup_serializers import (
    LookupJobSerializer,
    LookupJobSummarySerializer,
    LookupProgressSerializer,
    detail_serializer,
)
from imports.api.lookup_statuses import LOOKUP_STATUSES, status_from_word
from imports.api.negotiation import IgnoreClientContentNegotiation
from imports.api.pagination import RecentJobsPagination
from imports.api.selectors import lookup_job_get, lookup_job_list
from imports.api.uploads import file_part
from imports.declare.lookups import LookupService, get_lookup
from imports.jobs.lookup_services import (
    LookupRefused,
    lookup_cancel,
    lookup_job_create,
    lookup_results,
    lookup_retry,
    results_file_name,
)
from imports.models import AuditEvent, ImportExportJob


def refused(error: LookupRefused) -> LookupRequestRefused:
    return LookupRequestRefused(str(error), error.status)


class LookupRouteMixin:
    """What every look-up view shares: JSON answers, the route's service, the requesting user's company, and who
    is asking for the audit trail. `service_name` and `route` (the service's api_path, which names the URLs) are
    set by `lookup_views`."""

    renderer_classes = [JSONRenderer]
    service_name = ""
    route = ""

    def service(self) -> LookupService:
        try:
            return get_lookup(self.service_name)
        except KeyError:
            raise NotFoundHere(f"{self.service_name} look-ups are not offered on this server.") from None

    def serializer_context(self) -> dict:
        return {"request": self.request, "route": self.route}

    def job_or_404(self, job_id: str) -> ImportExportJob:
        service = self.service()
        job = lookup_job_get(company=self.request.user.company, job_id=job_id, service=service)
        if job is None:
            raise NotFoundHere(f"No {service.verbose_name} job {job_id} in your company.")
        return job

    def asker(self) -> dict:
        """Who makes the request, as the look-up services record it in the audit trail."""
        return {"via": AuditEvent.Via.API, "user": self.request.user, "address": self.address()}

    def address(self) -> str | None:
        return audit_address(self.request)

    def job_answer(self, job: ImportExportJob, code: int = status.HTTP_200_OK) -> Response:
        serializer = detail_serializer(self.service())
        return Response(serializer(job, context=self.serializer_context()).data, status=code)


class LookupUploadView(LookupRouteMixin, APIView):
    """Upload a CSV of queries: a new job, PENDING."""

    parser_classes = [MultiPartParser]

    def post(self, request):
        file = file_part(request, formats="a CSV file")
        try:
            job = lookup_job_create(
                company=request.user.company, service_name=self.service().name, file=file, file_name=file.name,
                **self.asker(),
            )
        except LookupRefused as error:
            raise refused(error) from None
        location = request.build_absolute_uri(reverse(f"api:{self.route}-csv-job", args=[str(job.pk)]))
        return Response(LookupJobSerializer(job).data, status=status.HTTP_201_CREATED, headers={"Location": location})


class LookupJobListView(LookupRouteMixin, GenericAPIView):
    """The company's jobs of the service, newest first, a page at a time."""

    serializer_class = LookupJobSummarySerializer
    pagination_class = RecentJobsPagination

    def get_serializer_context(self):
        return self.serializer_context()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks which model this lists
            return ImportExportJob.objects.none()
        return lookup_job_list(company=self.request.user.company, service=self.service(), status=self.listed_status())

    def listed_status(self) -> str | None:
        word = self.request.query_params.get("status")
        if not word:
            return None
        job_status = status_from_word(word)
        if job_status is None:
            words = list(LOOKUP_STATUSES.values())
            raise BadImportRequest(f"Unknown status '{word}': use {', '.join(words[:-1])} or {words[-1]}.")
        return job_status

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class LookupJobView(LookupRouteMixin, APIView):
    """A job, with its error log."""

    def get(self, request, job_id: str):
        return self.job_answer(self.job_or_404(job_id))


class LookupProgressView(LookupRouteMixin, APIView):
    """A job's progress, in the guide's keys."""

    def get(self, request, job_id: str):
        return Response(LookupProgressSerializer(self.job_or_404(job_id)).data)


class LookupResultsView(LookupRouteMixin, APIView):
    """A job's results CSV, streamed as an attachment; a refusal is JSON whatever the client accepts."""

    content_negotiation_class = IgnoreClientContentNegotiation

    def get(self, request, job_id: str):
        job = self.job_or_404(job_id)
        try:
            content = lookup_results(job, **self.asker())
        except LookupRefused as error:
            raise refused(error) from None
        response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, results_file_name(job))
        return response


class LookupRetryView(LookupRouteMixin, APIView):
    """Run an ended job again."""

    def post(self, request, job_id: str):
        try:
            job = lookup_retry(self.job_or_404(job_id), **self.asker())
        except LookupRefused as error:
            raise refused(error) from None
        return self.job_answer(job, status.HTTP_202_ACCEPTED)


class LookupCancelView(LookupRouteMixin, APIView):
    """Stop a pending or running job."""

    def post(self, request, job_id: str):
        try:
            job = lookup_cancel(self.job_or_404(job_id), **self.asker())
        except LookupRefused as error:
            raise refused(error) from None
        return self.job_answer(job)


VIEWS = {
    "upload": LookupUploadView, "jobs": LookupJobListView, "job": LookupJobView, "progress": LookupProgressView,
    "results": LookupResultsView, "retry": LookupRetryView, "cancel": LookupCancelView,
}


@cache
def lookup_views(service: LookupService) -> dict[str, type[APIView]]:
    """The views of one service's routes, by key (see VIEWS): each bound to the service and described in the schema
    with its own columns and examples (imports.api.lookup_docs)."""
    docs = lookup_docs(service)
    prefix = "".join(character for character in service.name.title() if character.isalnum())
    views = {}
    for key, view in VIEWS.items():
        bound = type(f"{prefix}{view.__name__}", (view,), {
            "__doc__": view.__doc__, "__module__": __name__, "service_name": service.name, "route": service.api_path,
        })
        views[key] = extend_schema_view(**docs[key])(bound)
    return views
