"""Scheduled exports: an export template that runs daily, weekly or monthly at a chosen time of the site's time zone,
each run an export job on the dashboard, a failed run retried once.

The schedule is kept on the template itself (`DataTemplate.schedule`, `schedule_time`, `schedule_weekday`,
`schedule_day`, and `next_run_at`, the next run worked out when the schedule is set and after each run), and one
Celery beat entry (`run-scheduled-exports` in config/settings.py, every minute) starts the runs that are due.
Why our own columns rather than django-celery-beat: a schedule is a company's data, edited by office staff beside
the template's columns and filters, saved in the same transaction as the template and tested with plain queries.
django-celery-beat would add a PeriodicTask row per template that must be kept in step with it, an admin of its
own, and a scheduler process that re-reads that table: more moving parts for the same result.

The database decides what runs, so the beat may be late, down or running twice:
- each due template is taken in a transaction of its own under `select_for_update(skip_locked=True)` and its
  `next_run_at` moved past now in that same transaction: two beats never run one template twice;
- the next run is the first after *now*, not after the run that was due: a beat that was down for three days
  runs each template once, not three times;
- a template that can no longer run as saved (a column removed since) gets a FAILED job saying why, shown on the
  dashboard, and its schedule still moves on.

A scheduled run that failed is retried once, at the next beat, as a new job whose parent is the failed one; a
failed retry is not retried again, and failures older than a day are left alone (a deploy after a long outage
does not retry last month's runs).
"""

import calendar
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from imports.jobs.export_services import (
    SCHEDULE,
    ExportRefused,
    export_job_create,
    export_template_data,
    scheduled_run_title,
)
from imports.jobs.status import job_log
from imports.jobs.stopping import job_fail
from imports.models import DataTemplate, ImportExportJob

logger = logging.getLogger(__name__)

Frequency = DataTemplate.Schedule
Status = ImportExportJob.Status

# A failure older than this is not retried: the retry is for a run that just failed, not for history.
RETRY_WINDOW = timedelta(days=1)

# Monday first, as `schedule_weekday` counts; written out, since calendar.day_name follows the process's locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class _Refused(ExportRefused):
    """A schedule that cannot be kept: a bad request about the schedule part of the template."""

    def __init__(self, message: str):
        super().__init__(message, 400, "schedule")


# --- Setting and describing a schedule -----------------------------------------------------------------------


def export_schedule_set(
    template: DataTemplate, *, frequency: str, at: time | None, weekday: int | None = None, day: int | None = None,
    now: datetime | None = None,
) -> DataTemplate:
    """Schedule the export template (`frequency` "daily", "weekly" or "monthly", at the time of day `at`, on
    `weekday` 0 Monday to 6 Sunday for a weekly one, on `day` 1 to 31 of the month for a monthly one), or, with
    `frequency` "", stop its schedule; save it with its next run, the first after `now`.

    What the frequency does not use is not kept (a daily schedule ignores a weekday). The time counts to the
    minute: the beat looks once a minute. ExportRefused (part "schedule") with one sentence when the schedule
    cannot be kept.
    """
    if template.template_type != DataTemplate.TemplateType.EXPORT:
        raise _Refused("Only an export template can run on a schedule.")
    frequency = (frequency or "").strip().casefold()
    if frequency not in Frequency.values:
        raise _Refused("Choose how often the export runs: daily, weekly or monthly.")
    at_minute = weekday_kept = day_kept = None
    if frequency:
        if not isinstance(at, time):
            raise _Refused("Choose the time of day the export runs.")
        at_minute = at.replace(second=0, microsecond=0, tzinfo=None)
        if frequency == Frequency.WEEKLY:
            weekday_kept = _whole_in(weekday, 0, 6, "Choose the day of the week the export runs.")
        if frequency == Frequency.MONTHLY:
            day_kept = _whole_in(day, 1, 31, "Choose the day of the month the export runs, 1 to 31.")
    # Only once the whole schedule is known good does the template change: a refusal leaves it as it was.
    template.schedule, template.schedule_time = frequency, at_minute
    template.schedule_weekday, template.schedule_day = weekday_kept, day_kept
    template.next_run_at = next_run_after(template, now or timezone.now())
    template.save(update_fields=[
        "schedule", "schedule_time", "schedule_weekday", "schedule_day", "next_run_at", "updated_at",
    ])
    return template


def _whole_in(value, lowest: int, highest: int, refusal: str) -> int:
    """`value` as a whole number from `lowest` to `highest` (a form's "3" too); else ExportRefused."""
    if isinstance(value, bool) or value is None:
        raise _Refused(refusal)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _Refused(refusal) from None
    if not lowest <= number <= highest:
        raise _Refused(refusal)
    return number


def schedule_describe(template: DataTemplate) -> str:
    """The schedule in words ("Every Monday at 07:00"); "" when the template is not scheduled."""
    if not _complete(template):
        return ""
    at = f"at {template.schedule_time:%H:%M}"
    if template.schedule == Frequency.DAILY:
        return f"Every day {at}"
    if template.schedule == Frequency.WEEKLY:
        return f"Every {_WEEKDAYS[template.schedule_weekday]} {at}"
    shorter = " (the last day in shorter months)" if template.schedule_day > 28 else ""
    return f"Monthly on day {template.schedule_day} {at}{shorter}"


# --- When the next run is --------------------------------------------------------------------------------------


def next_run_after(template: DataTemplate, after: datetime) -> datetime | None:
    """The template's first run strictly after `after` (None when it is not scheduled), as a UTC time.

    Each run is its day's wall-clock time, so a daily 07:00 stays 07:00 across a change to or from summer time.
    A time that the clocks skip that day (02:30 when they jump from 02:00 to 03:00) runs as much after the jump
    (03:30); a time they pass twice (01:30 when they fall back) runs at its first passing only. A monthly run on a
    day the month lacks (the 31st, the 29th of February) runs on the month's last day.
    """
    if not _complete(template):
        return None
    zone = timezone.get_default_timezone()
    # From the day before `after`'s: the first candidate must not be later than the run wanted.
    days = _run_days(template, after.astimezone(zone).date() - timedelta(days=1))
    # Compared in UTC: Python compares two times of one zone by their wall clocks, blind to the hour that repeats
    # when the clocks fall back.
    runs = (datetime.combine(day, template.schedule_time, tzinfo=zone).astimezone(UTC) for day in days)
    after_utc = after.astimezone(UTC)
    # Given in UTC as well: an hour that repeats cannot be told apart from its twin in the site's zone (Python
    # never finds such a time equal to one of another zone), and the database keeps UTC anyway.
    return next(run for run in runs if run > after_utc)


def _complete(template: DataTemplate) -> bool:
    """Whether the template has a schedule with everything its frequency needs (as export_schedule_set keeps it)."""
    if template.schedule not in (Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY):
        return False
    if template.schedule == Frequency.WEEKLY and template.schedule_weekday not in range(7):
        return False
    if template.schedule == Frequency.MONTHLY and template.schedule_day not in range(1, 32):
        return False
    return template.schedule_time is not None


def _run_days(template: DataTemplate, start: date) -> Iterator[date]:
    """The days the template runs, from `start` on, in order (endless)."""
    if template.schedule == Frequency.MONTHLY:
        year, month = start.year, start.month
        while True:
            run = date(year, month, min(template.schedule_day, calendar.monthrange(year, month)[1]))
            if run >= start:
                yield run
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = start
    while True:
        if template.schedule == Frequency.DAILY or day.weekday() == template.schedule_weekday:
            yield day
        day += timedelta(days=1)


# --- Running what is due ---------------------------------------------------------------------------------------


def scheduled_exports_run(*, now: datetime | None = None) -> int:
    """Start an export job for every active scheduled export template whose run is due, each in its own company,
    and move each one's next run past `now`; return how many runs were started (refused ones included)."""
    now = now or timezone.now()
    due = DataTemplate.objects.filter(
        _due(now), template_type=DataTemplate.TemplateType.EXPORT, is_active=True,
    ).order_by("next_run_at").values_list("pk", flat=True)
    started = 0
    for template_id in list(due):
        try:
            started += _scheduled_run(template_id, now)
        except Exception:
            # One template's unexpected fault must not stop every company's schedules: it stays due, and the
            # next beat tries it again.
            logger.exception("The scheduled run of export template %s failed to start", template_id)
    return started


def _due(now: datetime) -> Q:
    return Q(next_run_at__lte=now) & ~Q(schedule=Frequency.NONE)


def _scheduled_run(template_id, now: datetime) -> int:
    """Run one due template, in one transaction with the move of its next run; 0 when another beat has it or ran
    it meanwhile."""
    with transaction.atomic():
        template = DataTemplate.objects.select_for_update(skip_locked=True).filter(
            _due(now), pk=template_id, template_type=DataTemplate.TemplateType.EXPORT, is_active=True,
        ).first()
        if template is None:
            return 0
        user = template.created_by
        data = export_template_data(template)
        try:
            export_job_create(data, company=template.company, via=SCHEDULE, user=user, template=template)
        except ExportRefused as refusal:
            _run_refused(data, company=template.company, template=template, user=user, parent=None,
                         reason=str(refusal))
        template.next_run_at = next_run_after(template, now)
        template.save(update_fields=["next_run_at"])
    return 1


def _run_refused(
    data: dict, *, company, template: DataTemplate | None, user, parent: ImportExportJob | None, reason: str
) -> ImportExportJob:
    """Record a run that could not start as a FAILED export job saying why, so the dashboard shows it."""
    options = {"export": data, "via": SCHEDULE, "filters": []}
    if parent is not None:
        options["retry"] = True
    job = ImportExportJob.objects.create(
        company=company, created_by=user,
        job_type=ImportExportJob.JobType.EXPORT, target_model=str(data.get("target") or ""),
        file_format=data.get("format") if data.get("format") in ImportExportJob.FileFormat.values else "",
        options=options, template=template, parent=parent,
    )
    job_log(job, f"{scheduled_run_title(template, parent)}.")
    job_fail(job, f"The scheduled export could not run: {reason}")
    return job


# --- Retrying what failed --------------------------------------------------------------------------------------


def scheduled_failures_retry(*, now: datetime | None = None) -> int:
    """Retry, once, each scheduled run that failed within the last day and has no retry yet (a retry itself is
    never retried), as a new export job of the same export whose parent is the failed run; return how many."""
    now = now or timezone.now()
    failed = ImportExportJob.objects.filter(
        job_type=ImportExportJob.JobType.EXPORT, job_status=Status.FAILED, options__via=SCHEDULE,
        template__isnull=False, template__is_active=True, parent__isnull=True, children__isnull=True,
        completed_at__gte=now - RETRY_WINDOW,
    ).order_by("completed_at").values_list("pk", flat=True)
    retried = 0
    for job_id in list(failed):
        try:
            retried += _failure_retry(job_id)
        except Exception:
            logger.exception("The retry of the failed scheduled export %s failed to start", job_id)
    return retried


def _failure_retry(job_id) -> int:
    """Retry one failed run, in one transaction that holds it; 0 when another beat has it or retried it."""
    with transaction.atomic():
        failed = ImportExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if failed is None or failed.children.exists():
            return 0
        template, user, data = failed.template, failed.created_by, failed.options.get("export") or {}
        try:
            export_job_create(data, company=failed.company, via=SCHEDULE, user=user, template=template,
                              parent=failed)
        except ExportRefused as refusal:
            _run_refused(data, company=failed.company, template=template, user=user, parent=failed,
                         reason=str(refusal))
    return 1
