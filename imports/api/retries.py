"""POST /api/imports/{id}/retry: retry an import's failed rows as a new import job, linked to the first (`retry_of`).

Without a body the failed rows are retried as they are (once their cause is fixed, say the meter they name now
exists); with a multipart part `file`, the corrected error report (or any file of the same columns) is imported
instead. Either way with the first job's options and mapping."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api.errors import BadImportRequest, ImportActionRefused
from imports.api.serializers import ImportJobSerializer
from imports.api.uploads import upload_form, uploaded_file
from imports.api.views import JOB_EXAMPLE, JOB_ID, CompanyImportsMixin, refusals
from imports.declare.errors import ImportFileError
from imports.jobs.retrying import RetryRefused, failed_rows_retry
from imports.models import ImportExportJob


class RetryUploadSerializer(serializers.Serializer):
    """The corrected error report, as multipart/form-data; leave the body out to retry the rows as they are."""

    file = serializers.FileField(
        required=False,
        help_text="The error report of the job, its rows fixed (CSV, Excel .xlsx or .xls, or JSON; checked like "
        "any upload, up to IMPORT_MAX_FILE_MB). Its row_number, error_message and sheet_row columns are ignored; "
        "the first job's mapping applies by column name.",
    )


class ImportJobRetryView(CompanyImportsMixin, APIView):
    """Retry the failed rows of an import job."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Retry an import job's failed rows",
        description=(
            "Starts a new import job of the same target, options (mode, duplicate strategy, all-or-nothing, batch "
            "size) and column mapping, whose `retry_of` is this job, and answers it (202, its URL in `Location`). "
            "Without a body, its file is every failed row of this job as it was: retry once the cause is fixed "
            "(the customer a reading names now exists). With a multipart part `file`, the corrected error report "
            "is imported instead (the CSV at `errors_url`, fixed in a spreadsheet). Only for jobs that have ended "
            "(completed, failed or cancelled) and were no dry run; retrying as they are also needs failed rows. "
            "Row numbers in the new job's errors count the rows of its own file."
        ),
        parameters=[JOB_ID],
        request={"multipart/form-data": RetryUploadSerializer},
        responses={
            202: ImportJobSerializer,
            **refusals(400, 401, 404, 409, 413, 415, why={
                400: "The corrected file cannot be imported: empty, no data rows, or over a read limit.",
                404: "No such import job in your company: an unknown id, or another company's job.",
                409: "The failed rows cannot be retried now: the job was a dry run, has not ended, has no failed "
                "rows (retrying as they are), was all or nothing and imported nothing, or its failed rows are being "
                "retried already (by the job the message names).",
            }),
        },
        examples=[
            JOB_EXAMPLE,
            OpenApiExample(
                "No failed rows", response_only=True, status_codes=["409"],
                value={"detail": "Job 0b9f6d4e-3c1a-4f0e-9a57-2f1d5a6b7c8d has no failed rows to retry."},
            ),
        ],
    )
    def post(self, request, job_id: str):
        job = self.job_or_404(job_id)
        upload = uploaded_file(request) if "file" in request.FILES or "file" in upload_form(request) else None
        try:
            retry = failed_rows_retry(job, via=ImportExportJob.Via.API, user=request.user, upload=upload)
        except RetryRefused as refusal:
            raise ImportActionRefused(str(refusal)) from None
        except ImportFileError as error:
            raise BadImportRequest(str(error)) from None
        answer = ImportJobSerializer(retry, context=self.serializer_context()).data
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})
