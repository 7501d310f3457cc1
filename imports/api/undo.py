"""Undoing an import through the API: `POST /api/imports/{id}/undo` asks for it (or for its dry run), `GET` shows
the latest undo of the import, with every record it kept and why."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api.errors import ImportActionRefused, NotFoundHere
from imports.api.statuses import api_status
from imports.api.views import JOB_ID, CompanyImportsMixin, refusals
from imports.jobs.undo_services import UndoRefused, undo_create, undo_latest
from imports.models import ImportExportJob, ImportExportLog

KEPT_LISTED = 1000  # an answer lists this many kept records; `kept` counts them all




class UndoRequestSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False, help_text="Say what the undo would do; change nothing.")
    force = serializers.BooleanField(
        default=False, help_text="Take back records changed since the import too (their later changes are lost). "
        "Records others depend on are kept all the same.",
    )


class KeptRecordSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="record_number", help_text="The import's row that wrote the record.")
    record_id = serializers.SerializerMethodField()
    message = serializers.CharField(help_text="Which record, and why it was kept.")

    def get_record_id(self, log: ImportExportLog) -> int | None:
        return log.record_data.get("record_id")


class UndoJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    import_job_id = serializers.UUIDField(source="parent_id")
    dry_run = serializers.BooleanField(help_text="A dry run changed nothing: its counts are what the undo would do.")
    status = serializers.SerializerMethodField()
    changes = serializers.IntegerField(source="total_records", help_text="The import's changes the undo takes back.")
    done = serializers.IntegerField(source="processed_records")
    deleted = serializers.IntegerField(source="created_records", help_text="Records the import created, deleted.")
    restored = serializers.IntegerField(source="updated_records", help_text="Records it updated, given back.")
    kept = serializers.IntegerField(source="skipped_records", help_text="Records left as they are (listed).")
    kept_records = serializers.SerializerMethodField()
    error_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField()

    def get_status(self, job: ImportExportJob) -> str:
        return api_status(job)

    def get_kept_records(self, job: ImportExportJob) -> list[dict]:
        kept = job.logs.filter(log_level=ImportExportLog.Level.WARNING, record_number__isnull=False)
        return KeptRecordSerializer(kept.order_by("record_number")[:KEPT_LISTED], many=True).data


class ImportUndoView(CompanyImportsMixin, APIView):
    """Undo an import, or see how its undo went."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Undo an import (or rehearse its undo)",
        description=(
            "Deletes the records the import created and gives the records it updated their values back, as a job "
            "(poll this URL with GET). A record changed since the import is kept and listed, unless `force`; a "
            "record the import created that others now depend on (readings of a customer, contacts of an account) "
            "is always kept and listed. With `dry_run`, the undo is worked out exactly and nothing changes. 409 "
            "when the import is running, was a dry run, was undone already, or its changes were forgotten "
            "(IMPORT_UNDO_DAYS)."
        ),
        parameters=[JOB_ID],
        request=UndoRequestSerializer,
        responses={202: UndoJobSerializer, **refusals(400, 401, 404, 409)},
    )
    def post(self, request, job_id: str):
        job = self.job_or_404(job_id)
        asked = UndoRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            undo = undo_create(job, via=ImportExportJob.Via.API, user=request.user, **asked.validated_data)
        except UndoRefused as error:
            raise ImportActionRefused(str(error)) from None
        return Response(UndoJobSerializer(undo).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The latest undo of an import",
        description="Its status, counts and the records it kept (the first 1,000; `kept` counts them all).",
        parameters=[JOB_ID],
        responses={200: UndoJobSerializer, **refusals(401, 404, why={
            404: "No import job with this id in your company, or it was never undone nor its undo rehearsed."
        })},
    )
    def get(self, request, job_id: str):
        job = self.job_or_404(job_id)
        undo = undo_latest(job)
        if undo is None:
            raise NotFoundHere(f"Import job {job.pk} has not been undone, nor its undo rehearsed.")
        return Response(UndoJobSerializer(undo).data)
