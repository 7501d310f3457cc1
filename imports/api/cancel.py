"""POST /api/imports/{id}/cancel: stop a pending or processing import after the batches being written (they stay);
the job ends cancelled and can be continued later (POST .../resume)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api.errors import ImportActionRefused
from imports.api.serializers import ImportJobSerializer
from imports.api.views import JOB_ID, CompanyImportsMixin, refusals
from imports.jobs.stopping import CancelRefused, job_cancel_asked


class ImportJobCancelView(CompanyImportsMixin, APIView):
    """Cancel an import that has not ended."""

    @extend_schema(
        summary="Cancel a pending or processing import",
        description=(
            "Stops the job: a pending job never starts, a processing one stops after the batches being written, "
            "which stay (so do the rows written before them). No body is needed. The answer is the job, cancelled "
            "(200); its counts are final once the batches being written have committed, a moment later. Continue it "
            "later with POST .../resume, or undo what it wrote with POST .../undo. Refused (409, `detail` says "
            "why) for a job that has already ended: completed, failed or cancelled."
        ),
        parameters=[JOB_ID],
        request=None,
        responses={
            200: OpenApiResponse(ImportJobSerializer, description="The job, cancelled."),
            **refusals(401, 404, 409, why={409: "The job has already ended: `detail` says how."}),
        },
        examples=[
            OpenApiExample(
                "Ended already", response_only=True, status_codes=["409"],
                value={"detail": "The job has already ended (completed): there is nothing to cancel."},
            ),
        ],
    )
    def post(self, request, job_id: str):
        job = self.job_or_404(job_id)
        try:
            job = job_cancel_asked(job, by=f"{request.user.username} (API)")
        except CancelRefused as refusal:
            raise ImportActionRefused(str(refusal)) from None
        return Response(ImportJobSerializer(job, context=self.serializer_context()).data)
