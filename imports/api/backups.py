"""The backup and restore API:

    POST /api/backups/                      back the company up: the job, pending (202)
    GET  /api/backups/                      the company's backups, newest first
    GET  /api/backups/{id}                  a backup: its status and, once done, the files it holds
    GET  /api/backups/{id}/file             its archive, as an attachment (recorded in the audit trail)
    POST /api/restores/                     upload an archive (multipart, `file` and `dry_run`): the job (202)
    GET  /api/restores/                     the company's restores and dry runs, newest first
    GET  /api/restores/{id}                 a restore: what it did (a dry run: would do) with each file
    POST /api/restores/{id}/restore         restore a completed dry run's archive for real: a new job (202)

The views are thin: each parses the request, calls one backup service (imports.jobs.backup_services) and presents
its answer; a refusal of the service is answered with the status it names. A job is looked up through the
requesting user's company: another company's job, a job of another kind, or an id that is no job are the same 404.
"""

import ipaddress

from django.http import FileResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.addresses import client_address
from imports.api.backup_serializers import BackupJobSerializer, RestoreJobSerializer, RestoreUploadSerializer
from imports.api.errors import BadImportRequest, NotFoundHere
from imports.api.negotiation import IgnoreClientContentNegotiation
from imports.api.pagination import RecentJobsPagination
from imports.api.serializers import ErrorSerializer
from imports.api.uploads import file_part, form_text
from imports.jobs.backup_selectors import backup_job_get, backup_job_list, restore_job_get, restore_job_list
from imports.jobs.backup_services import (
    BackupRefused,
    backup_file_open,
    backup_job_create,
    restore_job_create,
    restore_now,
)
from imports.models import AuditEvent, ImportExportJob

JOB_ID = OpenApiParameter("job_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The job's id.")
WHY = {
    400: "The archive is not a backup this product can restore: not a ZIP file, no manifest or one that names an "
    "unknown kind of record or a missing file, a file that is not CSV, unsafe file names, too many files, or an "
    "archive over IMPORT_MAX_UNZIPPED_MB or IMPORT_MAX_ZIP_RATIO; or `dry_run` is not true or false.",
    401: "No token, or not a valid one: send `Authorization: Bearer <token>`.",
    404: "No such job in your company: an unknown id, another company's job, or a job of another kind.",
    409: "Not now: the backup has not completed (no file yet), or the job is not a dry run that completed.",
    410: "The file was deleted after its retention period.",
    413: "The archive is over IMPORT_MAX_FILE_MB.",
    415: "The request is not multipart/form-data.",
}


def refusals(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer, description=WHY[code]) for code in codes}


class BackupRequestRefused(APIException):
    """A request the backup services refused, answered with the status they name."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The backup or restore cannot do that."
    default_code = "backup_refused"

    def __init__(self, error: BackupRefused):
        super().__init__(str(error))
        self.status_code = error.status


class CompanyJobsMixin:
    """JSON answers, the requesting user's company, and who asks, for the audit trail."""

    renderer_classes = [JSONRenderer]

    def serializer_context(self) -> dict:
        return {"request": self.request}

    def asker(self) -> dict:
        """Who makes the request, for the audit trail: the user and the client's address (None when it is no IP
        address, which a client behind a proxy could otherwise write into the trail)."""
        address = client_address(self.request)
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            address = None
        return {"via": AuditEvent.Via.API, "user": self.request.user, "address": address}


class BackupCollectionView(CompanyJobsMixin, GenericAPIView):
    """Back the company up (POST) and list its backups (GET)."""

    serializer_class = BackupJobSerializer
    pagination_class = RecentJobsPagination

    def get_serializer_context(self):
        return self.serializer_context()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks which model this lists
            return ImportExportJob.objects.none()
        return backup_job_list(company=self.request.user.company)

    @extend_schema(summary="List the company's backups", responses={200: BackupJobSerializer(many=True),
                                                                    **refusals(401)})
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Back the company up",
        description=(
            "Starts a backup of every kind of record of the company: each as a CSV file an import reads back, in one "
            "ZIP archive with a manifest (the kinds of record, their files and row counts, when it was made). The "
            "answer is the pending job (202, its URL in `Location`); poll it until `status` is completed, then "
            "download the archive at `file_url`. The archive holds health data (claims): every download is recorded "
            "in the audit trail."
        ),
        request=None,
        responses={202: BackupJobSerializer, **refusals(401)},
    )
    def post(self, request, *args, **kwargs):
        job = backup_job_create(company=request.user.company, via=AuditEvent.Via.API, user=request.user)
        answer = BackupJobSerializer(job, context=self.serializer_context()).data
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})


class BackupDetailView(CompanyJobsMixin, APIView):
    """A backup's status and, once done, the files its archive holds."""

    @extend_schema(summary="A backup", parameters=[JOB_ID], responses={200: BackupJobSerializer, **refusals(401, 404)})
    def get(self, request, job_id: str):
        return Response(BackupJobSerializer(_backup_or_404(request, job_id), context=self.serializer_context()).data)


class BackupFileView(CompanyJobsMixin, APIView):
    """A completed backup's archive, as an attachment; a refusal is JSON whatever the client accepts."""

    content_negotiation_class = IgnoreClientContentNegotiation

    @extend_schema(
        summary="Download a backup's archive",
        description="The ZIP archive. Every download is recorded in the audit trail.",
        parameters=[JOB_ID],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The backup archive."),
            **refusals(401, 404, 409, 410),
        },
    )
    def get(self, request, job_id: str):
        job = _backup_or_404(request, job_id)
        try:
            handle, name, content_type = backup_file_open(job, **self.asker())
        except BackupRefused as error:
            raise BackupRequestRefused(error) from None
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class RestoreCollectionView(CompanyJobsMixin, GenericAPIView):
    """Upload an archive to restore or to dry-run (POST), and list the company's restores (GET)."""

    parser_classes = [MultiPartParser]
    serializer_class = RestoreJobSerializer
    pagination_class = RecentJobsPagination

    def get_serializer_context(self):
        return self.serializer_context()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportExportJob.objects.none()
        return restore_job_list(company=self.request.user.company)

    @extend_schema(summary="List the company's restores and dry runs",
                   responses={200: RestoreJobSerializer(many=True), **refusals(401)})
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Restore a backup archive (a dry run first)",
        description=(
            "Upload a backup archive (multipart/form-data). It is checked whole first (a refused archive creates no "
            "job); then each of its files is imported, creating new records and updating existing ones, in the "
            "order the records depend on each other (customer groups before accounts before contacts, customers "
            "before meter readings). With `dry_run` (the default) nothing is written: the answer's job, once "
            "completed, says exactly what a restore would create, update, leave unchanged and fail for each file; "
            "POST to its `restore_url` to restore it for real. The answer is the pending job (202)."
        ),
        request={"multipart/form-data": RestoreUploadSerializer},
        responses={202: RestoreJobSerializer, **refusals(400, 401, 413, 415)},
        examples=[OpenApiExample(
            "Not a backup", response_only=True, status_codes=["400"],
            value={"detail": "The archive has no manifest.json, so it is not a company backup (a backup holds its "
                             "manifest and a CSV file for each kind of record)."},
        )],
    )
    def post(self, request, *args, **kwargs):
        file = file_part(request, formats="a backup's .zip archive")
        dry_run = _dry_run(form_text(request, "dry_run"))
        try:
            job = restore_job_create(company=request.user.company, file=file, file_name=file.name, dry_run=dry_run,
                                     **self.asker())
        except BackupRefused as error:
            raise BackupRequestRefused(error) from None
        return _accepted(job, self.serializer_context())


class RestoreDetailView(CompanyJobsMixin, APIView):
    """A restore, with what it did (or, a dry run, would do) with each file."""

    @extend_schema(summary="A restore", parameters=[JOB_ID], responses={200: RestoreJobSerializer,
                                                                       **refusals(401, 404)})
    def get(self, request, job_id: str):
        job = _restore_or_404(request, job_id)
        return Response(RestoreJobSerializer(job, context=self.serializer_context()).data)


class RestoreNowView(CompanyJobsMixin, APIView):
    """Restore a completed dry run's archive for real."""

    @extend_schema(
        summary="Restore a dry run's archive for real",
        description="A new restore of the same archive (202), which shows the dry run's prediction beside its own "
        "counts.",
        request=None, parameters=[JOB_ID], responses={202: RestoreJobSerializer, **refusals(401, 404, 409, 410)},
    )
    def post(self, request, job_id: str):
        try:
            job = restore_now(_restore_or_404(request, job_id), **self.asker())
        except BackupRefused as error:
            raise BackupRequestRefused(error) from None
        return _accepted(job, self.serializer_context())


def _accepted(job: ImportExportJob, context: dict) -> Response:
    answer = RestoreJobSerializer(job, context=context).data
    return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})


def _dry_run(value: str | None) -> bool:
    if value is None or value == "":
        return True
    words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if value.strip().lower() not in words:
        raise BadImportRequest(f"dry_run must be true or false, not '{value[:40]}'.")
    return words[value.strip().lower()]


def _backup_or_404(request, job_id: str) -> ImportExportJob:
    job = backup_job_get(company=request.user.company, job_id=job_id)
    if job is None:
        raise NotFoundHere(f"No backup {job_id} in your company.")
    return job


def _restore_or_404(request, job_id: str) -> ImportExportJob:
    job = restore_job_get(company=request.user.company, job_id=job_id)
    if job is None:
        raise NotFoundHere(f"No restore {job_id} in your company.")
    return job
