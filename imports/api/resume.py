"""POST /api/imports/{id}/resume (and /api/<api_path>/import/{id}/resume on a target's own route): continue a
cancelled or failed import from its checkpoints (imports.jobs.resuming)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api.errors import ImportActionRefused
from imports.api.serializers import ImportJobSerializer
from imports.api.views import JOB_EXAMPLE, JOB_ID, CompanyImportsMixin, refusals
from imports.jobs.resuming import ResumeRefused, job_resume


class ImportJobResumeView(CompanyImportsMixin, APIView):
    """Continue a cancelled or failed import on the same job."""

    @extend_schema(
        summary="Continue a cancelled or failed import",
        description=(
            "Continues the job from where it stopped, with the same file, options and mapping: rows already "
            "imported are not imported again, generated account numbers stay as they would be in one clean run, "
            "and the counts go on from where they were. No body is needed. The answer is the job, pending again "
            "(202, its URL in `Location`); poll it as after an upload. Refused (409, `detail` says why) for a job "
            "that completed, is still pending or processing, is a dry run (validateOnly), stopped because rows "
            "failed under all-or-nothing, or whose file was deleted after the retention period."
        ),
        parameters=[JOB_ID],
        request=None,
        responses={
            202: OpenApiResponse(ImportJobSerializer, description="The job, continuing."),
            **refusals(401, 404, 409, why={409: "The job cannot be continued: `detail` says why."}),
        },
        examples=[
            JOB_EXAMPLE,
            OpenApiExample(
                "Completed already", response_only=True, status_codes=["409"],
                value={"detail": "The import has completed: there is nothing left to continue."},
            ),
        ],
    )
    def post(self, request, job_id: str):
        job = self.job_or_404(job_id)
        try:
            job = job_resume(job, user=request.user)
        except ResumeRefused as refusal:
            raise ImportActionRefused(str(refusal)) from None
        answer = ImportJobSerializer(job, context=self.serializer_context()).data
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})
