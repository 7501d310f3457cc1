"""The export API:

    POST /api/exports/                 start an export: {target, columns, filters, format} or {template}: the job (202)
    GET  /api/exports/                 the company's export jobs, newest first
    POST /api/exports/preview          the first rows and the number of rows, without a job
    GET  /api/exports/columns?target=  the columns, filter operators and formats an export of a target offers
    GET  /api/exports/{id}             a job: status, progress, its file's link once written
    GET  /api/exports/{id}/file        the file, as an attachment (recorded in the audit trail)
    POST /api/exports/{id}/cancel      stop a job that has not ended

The views are thin: each parses the request, calls one export service of the core (imports.jobs.export_services),
the same the export builder and the command line call, and presents its answer. A refusal of the services
(ExportRefused) is answered with the status it names, a bad request naming the part of it at fault. A job is looked
up through the requesting user's company: another company's job, an import job, or an id that is no job are the
same 404. The OpenAPI description of each operation is in imports.api.export_docs.
"""

from django.http import FileResponse
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api import export_docs as docs
from imports.api.addresses import audit_address
from imports.api.errors import BadImportRequest, ExportRequestRefused, NotFoundHere
from imports.api.export_serializers import (
    ExportJobSerializer,
    ExportPreviewSerializer,
    ExportRequestSerializer,
    ExportTargetColumnsSerializer,
    first_refusal,
)
from imports.api.negotiation import IgnoreClientContentNegotiation
from imports.api.pagination import RecentJobsPagination
from imports.api.selectors import export_job_get, export_job_list
from imports.api.statuses import JOB_STATUSES
from imports.declare.targets import ImportTarget, all_targets, get_target
from imports.jobs.export_services import (
    ExportRefused,
    export_cancel,
    export_file_open,
    export_job_create,
    export_preview,
    export_request_resolve,
)
from imports.models import AuditEvent, ImportExportJob


def refused(error: ExportRefused) -> ExportRequestRefused:
    return ExportRequestRefused(str(error), error.status, error.part or None)


def target_names() -> str:
    return ", ".join(target.name for target in all_targets())


class ExportRouteMixin:
    """What every export view shares: JSON in and out, the requesting user's company, its jobs."""

    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def serializer_context(self) -> dict:
        return {"request": self.request}

    def job_or_404(self, job_id: str) -> ImportExportJob:
        job = export_job_get(company=self.request.user.company, job_id=job_id)
        if job is None:
            raise NotFoundHere(f"No export job {job_id} in your company.")
        return job

    def job_answer(self, job: ImportExportJob, code: int = status.HTTP_200_OK, **headers) -> Response:
        return Response(ExportJobSerializer(job, context=self.serializer_context()).data, status=code,
                        headers=headers)

    def export_asked(self) -> tuple[dict, object]:
        """The export the request's body asks for, as data for the services, and the template it names (or None);
        ExportRequestRefused naming the part at fault."""
        serializer = ExportRequestSerializer(data=self.request.data)
        if not serializer.is_valid():
            part, message = first_refusal(serializer.errors)
            raise ExportRequestRefused(message, part=part)
        try:
            return export_request_resolve(dict(serializer.validated_data), company=self.request.user.company)
        except ExportRefused as error:
            raise refused(error) from None


@docs.collection
class ExportJobCollectionView(ExportRouteMixin, GenericAPIView):
    """Start an export (POST) and list the company's export jobs (GET)."""

    serializer_class = ExportJobSerializer
    pagination_class = RecentJobsPagination

    def get_serializer_context(self):
        return self.serializer_context()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks which model this lists
            return ImportExportJob.objects.none()
        return export_job_list(company=self.request.user.company, target=self.listed_target(),
                               status=self.listed_status())

    def listed_target(self) -> ImportTarget | None:
        name = self.request.query_params.get("target")
        if not name:
            return None
        try:
            return get_target(name.strip())
        except KeyError:
            raise BadImportRequest(f"Unknown target '{name}': choose one of {target_names()}.") from None

    def listed_status(self) -> str | None:
        word = self.request.query_params.get("status")
        if not word:
            return None
        if word not in JOB_STATUSES:
            words = list(JOB_STATUSES)
            raise BadImportRequest(f"Unknown status '{word}': use {', '.join(words[:-1])} or {words[-1]}.")
        return JOB_STATUSES[word]

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request, *args, **kwargs):
        data, template = self.export_asked()
        try:
            job = export_job_create(data, company=request.user.company, via=AuditEvent.Via.API, user=request.user,
                                    template=template)
        except ExportRefused as error:
            raise refused(error) from None
        job.refresh_from_db()  # as queueing it on commit left it: queued, or waiting for its turn
        answer = self.job_answer(job, status.HTTP_202_ACCEPTED)
        answer["Location"] = answer.data["url"]
        return answer


@docs.preview
class ExportPreviewView(ExportRouteMixin, APIView):
    """The first rows of an export and how many it holds, without creating a job."""

    def post(self, request):
        data, _template = self.export_asked()
        try:
            preview = export_preview(data, company=request.user.company)
        except ExportRefused as error:
            raise refused(error) from None
        return Response(ExportPreviewSerializer(preview).data)


@docs.columns
class ExportColumnsView(ExportRouteMixin, APIView):
    """The columns, filter operators and formats an export of a target offers."""

    def get(self, request):
        name = request.query_params.get("target")
        if not name or not name.strip():
            raise BadImportRequest(f"Name the target: ?target=Customer (one of {target_names()}).")
        try:
            target = get_target(name.strip())
        except KeyError:
            raise BadImportRequest(f"Unknown target '{name}': choose one of {target_names()}.") from None
        return Response(ExportTargetColumnsSerializer(target).data)


@docs.detail
class ExportJobDetailView(ExportRouteMixin, APIView):
    """An export job's status and progress, and its file's link once written."""

    def get(self, request, job_id: str):
        return self.job_answer(self.job_or_404(job_id))


@docs.file_download
class ExportFileView(ExportRouteMixin, APIView):
    """An export's file as an attachment; a refusal is JSON whatever the client accepts."""

    content_negotiation_class = IgnoreClientContentNegotiation

    def get(self, request, job_id: str):
        job = self.job_or_404(job_id)
        try:
            handle, name, content_type = export_file_open(
                job, via=AuditEvent.Via.API, user=request.user, address=audit_address(request)
            )
        except ExportRefused as error:
            raise refused(error) from None
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@docs.cancel
class ExportCancelView(ExportRouteMixin, APIView):
    """Stop an export that has not ended; its partial file is never kept."""

    def post(self, request, job_id: str):
        job = self.job_or_404(job_id)
        try:
            job = export_cancel(job, user=request.user)
        except ExportRefused as error:
            raise refused(error) from None
        return self.job_answer(job)
