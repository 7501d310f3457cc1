import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from companies.models import Company
from imports.sheet_rows import logged_sheet_row, row_label


def job_upload_path(job: "ImportExportJob", filename: str) -> str:
    return f"imports/{job.company_id}/{job.id}/{filename}"


def job_report_path(job: "ImportExportJob", filename: str) -> str:
    return f"reports/{job.company_id}/{job.id}/{filename}"


class ImportExportJob(models.Model):
    """One import or export run: what it read, with which options, how far it got and what came of each row.

    The job's counters and `processed_records` (the checkpoint) advance in the same transaction as each batch's
    rows, so the job always tells exactly what is in the database.
    """

    class JobType(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"
        LOOKUP = "lookup", "Look-up"
        BACKUP = "backup", "Backup"
        RESTORE = "restore", "Restore"
        UNDO = "undo", "Undo"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class FileFormat(models.TextChoices):
        CSV = "csv", "CSV"
        EXCEL = "excel", "Excel"
        JSON = "json", "JSON"
        PDF = "pdf", "PDF"
        ZIP = "zip", "ZIP archive"

    class Via(models.TextChoices):
        """The face that asked for the job; blank for jobs created before it was recorded."""

        WEB = "web", "Browser"
        API = "api", "API"
        CLI = "cli", "Command line"
        SCHEDULE = "schedule", "Schedule"

    # The labels are what office staff read on the options page and the job's page: plain words, no "upsert".
    class Mode(models.TextChoices):
        CREATE = "create", "Add new records only"
        UPDATE = "update", "Update existing records only"
        UPSERT = "upsert", "Add new and update existing"

    class DuplicateHandling(models.TextChoices):
        SKIP = "skip", "Skip the row"
        UPDATE = "update", "Update the record instead"
        ERROR = "error", "Report the row as failed"
        CREATE_NEW = "create_new", "Add it as a new record with a new number"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    job_type = models.CharField(max_length=20, choices=JobType.choices, db_index=True)
    via = models.CharField(max_length=10, choices=Via.choices, blank=True, help_text="Where the job was asked for.")
    job_status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    target_model = models.CharField(max_length=100)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices, blank=True)
    file = models.FileField(upload_to=job_upload_path, max_length=500, blank=True)
    file_name = models.CharField(max_length=255, blank=True, help_text="The file's name as the user gave it.")
    template = models.ForeignKey(
        "DataTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs",
        help_text="The export template it ran (a scheduled run, or run again from the template library).",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children",
        help_text="The job that started this one: a restore for its imports, a failed scheduled export for its retry.",
    )

    import_mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.UPSERT)
    duplicate_handling = models.CharField(
        max_length=20, choices=DuplicateHandling.choices, default=DuplicateHandling.SKIP
    )
    dry_run = models.BooleanField(default=False, help_text="Validate everything, write no records.")
    options = models.JSONField(default=dict, blank=True, help_text="Sheet, template, explicit mapping, batch size.")
    field_mapping = models.JSONField(default=dict, blank=True, help_text="File column to field, as applied.")
    validation_rules = models.JSONField(
        default=dict, blank=True, help_text="The company's own rules the rows were checked with, field to rules "
        "(imports.engine.validation_rules), as they were when the job was asked for.",
    )
    source_columns = models.JSONField(default=list, blank=True, help_text="The file's columns in their order.")

    total_records = models.IntegerField(default=0)
    processed_records = models.IntegerField(default=0)
    created_records = models.IntegerField(default=0)
    updated_records = models.IntegerField(default=0)
    unchanged_records = models.IntegerField(default=0, help_text="Also counted in skipped_records.")
    skipped_records = models.IntegerField(default=0)
    # "error records" is what the admin has always shown; the rows are counted as failed everywhere in the code.
    failed_records = models.IntegerField(default=0, verbose_name="error records")

    error_report = models.FileField(upload_to=job_report_path, max_length=500, blank=True)
    error_message = models.TextField(blank=True, help_text="Why the job as a whole failed.")
    layout = models.JSONField(
        default=dict, blank=True, help_text="Where the rows are: the (converted) file, delimiter, first data byte."
    )
    judged_on = models.DateField(
        null=True, blank=True, help_text="The day every row is judged against: the day the job was prepared."
    )
    writing = models.BooleanField(
        default=False, help_text="An all-or-nothing job whose rows all passed validation: it now writes them."
    )

    # Who is preparing the job (reading it through once before its chunks run), for the stale-job sweeper.
    lease = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    deaths = models.PositiveSmallIntegerField(default=0, help_text="Times its worker stopped while preparing it.")
    queued_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When a pending job's message was last sent to the workers; empty while it waits for its turn or "
        "for the broker.",
    )
    idempotency_key = models.CharField(
        max_length=255, blank=True, help_text="The API client's Idempotency-Key: a retried upload gets this job."
    )

    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When its file and results were deleted at the end of the retention period."
    )
    undone_at = models.DateTimeField(null=True, blank=True, help_text="When an undo took this import back.")
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who undid this import.",
    )
    changes_purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When what it changed was forgotten (IMPORT_UNDO_DAYS): it can no longer "
        "be undone.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Import/Export Job"
        verbose_name_plural = "Import/Export Jobs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["company", "job_type"], name="idx_company_job_type"),
            models.Index(fields=["job_status", "created_at"], name="idx_status_created"),
            models.Index(fields=["target_model"], name="idx_target_model"),
            models.Index(fields=["company", "-created_at"], name="idx_company_created"),
            models.Index(fields=["company", "job_status", "created_at"], name="idx_company_status_created"),
        ]
        constraints = [
            # Two retries of one upload arriving at once cannot both create a job.
            models.UniqueConstraint(
                fields=["company", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                name="uniq_job_idempotency_key",
            ),
        ]

    def __str__(self):
        return f"{self.get_job_type_display()} Job - {self.target_model}"

    @property
    def success_records(self) -> int:
        """Rows that went through without an error: created, updated, unchanged or skipped."""
        return self.created_records + self.updated_records + self.skipped_records

    @property
    def skipped_not_unchanged(self) -> int:
        """Rows skipped for a reason other than having nothing to change (skipped_records counts those too): what
        every page, summary and the API report as skipped, beside the unchanged, so that created + updated +
        unchanged + skipped + failed is the rows processed. (An undo's skipped_records are its kept records, and
        it counts nothing unchanged.)"""
        return self.skipped_records - self.unchanged_records

    @property
    def is_finished(self) -> bool:
        return self.job_status in (self.Status.COMPLETED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def progress_percent(self) -> int:
        if self.job_status == self.Status.COMPLETED:
            return 100
        if not self.total_records:
            return 0
        return min(100, self.processed_records * 100 // self.total_records)

    @property
    def duration(self):
        if self.started_at is None or self.completed_at is None:
            return None
        return self.completed_at - self.started_at


class ImportChunk(models.Model):
    """A range of a job's rows that one worker scans, then processes batch by batch from its last checkpoint.

    A chunk is first scanned (its keys and unique values spilled for the search for repeats), then, once every
    chunk of the job is scanned and the repeats are known, processed. Every batch's transaction first locks this
    row and checks the lease and the checkpoint, then writes the rows and moves the checkpoint: two workers can
    never write the same batch, and a worker that died is replaced by one that starts exactly where the last
    commit left off.
    """

    class Status(models.TextChoices):
        SCANNING = "scanning", "Scanning"
        SCANNED = "scanned", "Scanned"
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    job = models.ForeignKey(ImportExportJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    start_offset = models.BigIntegerField(help_text="Byte where the chunk's first row starts.")
    blank_keys = models.PositiveIntegerField(default=0, help_text="Rows with no key, to number from key_base.")
    key_base = models.BigIntegerField(null=True, blank=True, help_text="First generated key number reserved.")
    highest_key = models.BigIntegerField(default=0, help_text="Highest generated-form key number the rows name.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCANNING)
    checkpoint_row = models.PositiveIntegerField(help_text="Last row committed (first_row - 1 before any).")
    checkpoint_offset = models.BigIntegerField(help_text="Byte where the row after the checkpoint starts.")
    checkpoint_keys = models.PositiveIntegerField(default=0, help_text="Rows with no key up to the checkpoint.")
    lease = models.UUIDField(null=True, blank=True)
    lease_host = models.CharField(max_length=255, blank=True)
    lease_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    deaths = models.PositiveSmallIntegerField(default=0, help_text="Times a worker stopped while running it.")

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="uniq_chunk_index")]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="idx_chunk_status_heartbeat")]

    def __str__(self):
        return f"Rows {self.first_row}-{self.last_row} of job {self.job_id}"


class ImportDuplicate(models.Model):
    """A row whose value of a must-be-unique field already appeared on an earlier row of the same file.

    Found once, before any chunk runs, so every worker reaches the same verdict whatever order chunks run in. The
    same table keeps the verdicts on references within the file (`<field>:missing`, `<field>:cycle`, `<field>:row`;
    imports.engine.references) and, under `<field>:sheet`, the sheet row of an earlier row that blank rows push
    down, in `first_row` (imports.engine.planning.ImportContext.earlier_row).
    """

    job = models.ForeignKey(ImportExportJob, on_delete=models.CASCADE, related_name="duplicates")
    row_number = models.PositiveIntegerField()
    field = models.CharField(max_length=100)
    first_row = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["job", "row_number"], name="idx_duplicate_row")]

    def __str__(self):
        return f"Row {self.row_number}: {self.field} as on row {self.first_row}"


class ImportReference(models.Model):
    """A written row's reference to another record of the job's target by its key (an account's parent account),
    kept while the job runs.

    The reference is linked at once when the record it names is stored already, else as soon as a later batch
    (or, for chunks that ran at once on other workers, the job's end) writes it. What is still unlinked when the
    job ends gets a warning on its row. Linked references stay until then too: the job's end checks that its
    links made no cycle, which rows of the file that failed can leave behind. Deleted when the job ends.
    """

    job = models.ForeignKey(ImportExportJob, on_delete=models.CASCADE, related_name="references")
    row_number = models.PositiveIntegerField()
    field = models.CharField(max_length=100)
    key = models.CharField(max_length=255, help_text="The key of the row's own record.")
    reference = models.CharField(max_length=255, help_text="The key of the record it names.")
    reference_row = models.PositiveIntegerField(default=0, help_text="The row of the file with that key (0: none).")
    linked = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["job", "linked", "reference"], name="idx_reference_job_linked")]

    def __str__(self):
        return f"Row {self.row_number}: {self.field} {self.reference}"


class ImportChange(models.Model):
    """A record an import updated, with the fields it changed as they were before and as the import left them; or
    a run of records it created, whose primary keys follow each other (`record_id` to `last_record_id`). Written
    set-based in the batch's own transaction; what an undo takes back.

    Created records are kept as runs because a batch's new keys are reserved together and nearly always follow
    each other: a million new records are a few hundred lines, not a million (the import stays nearly as fast as
    one that keeps nothing). Runs of one import never take in a record it updated, whose key existed before it.

    `written_at` is the `updated_at` the import gave the records: a record whose `updated_at` differs now was
    changed since (by a person, the admin or another import)."""

    class Action(models.TextChoices):
        CREATED = "c", "Created"
        UPDATED = "u", "Updated"

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(ImportExportJob, on_delete=models.CASCADE, related_name="changes", db_index=False)
    row_number = models.PositiveIntegerField(help_text="The data row that wrote the record (a run's first).")
    record_id = models.BigIntegerField(help_text="The record's primary key (a run's first).")
    last_record_id = models.BigIntegerField(help_text="A run's last primary key; an update's own record_id.")
    row_numbers = models.JSONField(
        null=True, blank=True, help_text="A run's data rows, one for each record in key order; none for an update.",
    )
    action = models.CharField(max_length=1, choices=Action.choices)
    written_at = models.DateTimeField()
    before = models.JSONField(null=True, blank=True, help_text="An update's changed fields before it.")
    after = models.JSONField(null=True, blank=True, help_text="An update's changed fields as it left them.")

    class Meta:
        # One index serves every read: an undo's walk of a job's records, the records a job wrote, and a record's
        # history (probed once for each of the company's imports of its target). A second index, on the record
        # alone, cost an import more than all the rest of its changeset.
        indexes = [models.Index(fields=["job", "record_id"], name="idx_change_job_record")]

    def __str__(self):
        if self.last_record_id != self.record_id:
            return f"Rows {self.row_number}…: created records {self.record_id} to {self.last_record_id}"
        return f"Row {self.row_number}: {self.get_action_display().lower()} record {self.record_id}"

    @property
    def records(self) -> int:
        """How many records the line stands for."""
        return self.last_record_id - self.record_id + 1


class ImportExportLog(models.Model):
    """An event of a job: a row that failed or carries a warning, or a note about the job as a whole.

    `record_number` is the data row (None for job-wide entries); `record_data` holds the row's original cells by
    column, so the error report can be rebuilt from the log alone; `details` lists each field's problem.
    """

    class Level(models.TextChoices):
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(ImportExportJob, on_delete=models.CASCADE, related_name="logs")
    record_number = models.IntegerField(null=True, blank=True)
    log_level = models.CharField(max_length=10, choices=Level.choices)
    message = models.TextField()
    record_data = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Import/Export Log"
        verbose_name_plural = "Import/Export Logs"
        ordering = ["job", "record_number", "created_at"]
        indexes = [
            models.Index(fields=["job", "log_level"], name="idx_job_log_level"),
            models.Index(fields=["job", "record_number"], name="idx_job_record"),
        ]

    def __str__(self):
        where = self.row_label if self.record_number is not None else "job"
        return f"{self.get_log_level_display()} ({where}): {self.message}"

    @property
    def sheet_row(self) -> int | None:
        """The row as the file's spreadsheet numbers it (imports.sheet_rows), where the entry keeps it."""
        return logged_sheet_row(self.record_data)

    @property
    def row_label(self) -> str:
        """'row 5, sheet row 10' for a row's entry; empty for a job-wide one."""
        return row_label(self.record_number, self.sheet_row) if self.record_number is not None else ""


class DataTemplate(models.Model):
    """A saved configuration for one target, reusable by name: an import's column mapping (the wizard, the command
    line), or an export's columns, filters and format, which may run on a schedule."""

    class TemplateType(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Schedule(models.TextChoices):
        NONE = "", "Not scheduled"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="data_templates")
    template_name = models.CharField(max_length=200)
    target_model = models.CharField(max_length=100)
    template_type = models.CharField(max_length=20, choices=TemplateType.choices, default=TemplateType.IMPORT)
    field_mapping = models.JSONField(default=dict, help_text='File column to field: {"E-mail Address": "email"}.')
    value_fixes = models.JSONField(
        default=dict, blank=True, help_text="An import's date formats, value maps and ZIP padding "
        "(imports.engine.value_fixes), applied with its mapping.",
    )
    validation_rules = models.JSONField(
        default=dict, blank=True, help_text="An import's own rules, field to rules (imports.engine.validation_rules): "
        "required, a pattern, allowed values, a minimum or maximum, unique in the file, each with its message.",
    )
    columns = models.JSONField(default=list, blank=True, help_text="An export's columns, in order.")
    filters = models.JSONField(default=list, blank=True, help_text='An export\'s filters: [{"field", "op", "value"}].')
    file_format = models.CharField(max_length=10, choices=ImportExportJob.FileFormat.choices, blank=True)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, blank=True, default=Schedule.NONE)
    schedule_time = models.TimeField(null=True, blank=True, help_text="When a scheduled export runs (site time).")
    schedule_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weekly: the day it runs (0 Monday to 6 Sunday)."
    )
    schedule_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Monthly: the day of the month it runs (the month's last day if shorter)."
    )
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="A scheduled export's next run.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_templates"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Data Template"
        verbose_name_plural = "Data Templates"
        ordering = ["template_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "target_model", "template_type", "template_name"], name="uniq_template_name"
            ),
        ]

    def __str__(self):
        return f"{self.template_name} ({self.target_model})"

    @property
    def mapped_column_count(self) -> int:
        """Columns an import template sends to a field; the columns it names to be ignored are not counted."""
        return sum(1 for name in self.field_mapping.values() if name)


class KeySequence(models.Model):
    """The last number handed out by a company's named sequence (e.g. customer account numbers)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="key_sequences")
    name = models.CharField(max_length=50)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="uniq_key_sequence")]

    def __str__(self):
        return f"{self.company_id}/{self.name} at {self.last_value}"


def upload_path(upload: "ImportUpload", filename: str) -> str:
    return f"uploads/{upload.company_id}/{upload.id}/{filename}"


class ImportUpload(models.Model):
    """A file brought to the import wizard, and the choices made about it so far (sheet, mapping, options).

    Validating it and importing it each create a job from the same file and choices; "fix your file and upload
    again" starts a new upload that keeps the mapping and options of this one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="import_uploads")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_uploads"
    )
    target_model = models.CharField(max_length=100)
    file = models.FileField(upload_to=upload_path, max_length=500)
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    sheet = models.CharField(max_length=255, blank=True)
    sheet_names = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True, help_text="The file's columns in their order.")
    sample_rows = models.JSONField(
        default=list, blank=True, help_text="The first data rows as [row number, cells], read once for the preview."
    )
    mapping = models.JSONField(default=dict, blank=True, help_text="File column to field (null: ignored).")
    match_confidence = models.JSONField(default=dict, blank=True, help_text="File column to how sure the match is.")
    value_fixes = models.JSONField(
        default=dict, blank=True, help_text="Date formats, value maps and ZIP padding chosen with the mapping."
    )
    template_name = models.CharField(max_length=200, blank=True, help_text="The template the mapping came from.")
    import_mode = models.CharField(
        max_length=10, choices=ImportExportJob.Mode.choices, default=ImportExportJob.Mode.UPSERT
    )
    duplicate_handling = models.CharField(
        max_length=20, choices=ImportExportJob.DuplicateHandling.choices,
        default=ImportExportJob.DuplicateHandling.SKIP,
    )
    all_or_nothing = models.BooleanField(default=False)
    validation_job = models.ForeignKey(
        ImportExportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    import_job = models.ForeignKey(ImportExportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="idx_upload_company_created")]

    def __str__(self):
        return f"{self.file_name} ({self.target_model})"


class CellEdit(models.Model):
    """A cell of an uploaded file changed in the browser: who, which cell, what it said before and after.

    Edits are made on an upload (the wizard's review page), and every job started from it afterwards gets its own
    copy of them, which it reads its rows with (imports.engine.cell_edits): the job keeps the edits it ran with,
    whatever is edited later. A cell edited twice has two entries; the later one counts. `column` is the file's
    column as its header names it; `before` is the file's text, or the earlier edit's.
    """

    upload = models.ForeignKey(
        "ImportUpload", on_delete=models.SET_NULL, null=True, blank=True, related_name="cell_edits"
    )
    job = models.ForeignKey(
        ImportExportJob, on_delete=models.CASCADE, null=True, blank=True, related_name="cell_edits",
        help_text="The job that read its rows with this edit; empty while the edit waits on its upload.",
    )
    row_number = models.PositiveIntegerField(help_text="The data row (1 = the first data row).")
    sheet_row = models.PositiveIntegerField(null=True, blank=True, help_text="The row as the spreadsheet shows it.")
    column = models.CharField(max_length=255)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [
            models.Index(fields=["job", "row_number"], name="idx_cell_edit_job_row"),
            models.Index(fields=["upload", "job", "row_number"], name="idx_cell_edit_upload_row"),
        ]

    def __str__(self):
        return f"Row {self.row_number}, {self.column}: {self.before!r} -> {self.after!r}"


class LookupResult(models.Model):
    """One row's answer in a look-up job (a claim look-up): recorded with its chunk's checkpoint, so a row with a
    result is never looked up again, whichever worker dies when.

    `values` holds the result's columns as texts, some of them health data: results are deleted with the job's
    files at the end of the retention period.
    """

    job = models.ForeignKey(ImportExportJob, on_delete=models.CASCADE, related_name="lookup_results")
    row_number = models.PositiveIntegerField(help_text="The data row of the file (1 = the first data row).")
    success = models.BooleanField()
    retryable = models.BooleanField(default=False, help_text="A failed look-up that a retry asks again.")
    error = models.TextField(blank=True)
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="uniq_lookup_result_row")]

    def __str__(self):
        return f"Row {self.row_number} of job {self.job_id}: {'found' if self.success else self.error}"


class AuditEvent(models.Model):
    """Who did what to a job's data, when, from where: every upload, results download, retry, cancel and purge of
    a job whose data is sensitive (claim look-ups), every page that showed its sensitive values unmasked, and every
    download of a file an export or a backup made. Kept after the data itself is gone."""

    class Action(models.TextChoices):
        UPLOAD = "upload", "Uploaded"
        RESULTS_DOWNLOAD = "results_download", "Results downloaded"
        RETRY = "retry", "Retried"
        CANCEL = "cancel", "Cancelled"
        PURGE = "purge", "Data deleted"
        DETAILS_SHOWN = "details_shown", "Details shown"
        DOWNLOAD = "download", "File downloaded"

    class Via(models.TextChoices):
        WEB = "web", "Browser"
        API = "api", "API"
        CLI = "cli", "Command line"
        SYSTEM = "system", "Retention schedule"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="audit_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    job = models.ForeignKey(
        ImportExportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    via = models.CharField(max_length=10, choices=Via.choices)
    address = models.GenericIPAddressField(null=True, blank=True, help_text="The client's address (web and API).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="idx_audit_company_created")]

    def __str__(self):
        return f"{self.get_action_display()} job {self.job_id} by {self.user_id} via {self.via}"
