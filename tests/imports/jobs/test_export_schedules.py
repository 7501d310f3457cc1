"""Scheduled exports: when a template runs next (daily, weekly, monthly; across summer time, month ends and leap
years), what a schedule may be, and the beat's work: each due template run once as a job of its own company, a
template that can no longer run recorded as a failed job, a failed run retried once."""

import threading
from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from imports.jobs import export_schedules, tasks
from imports.jobs.export_schedules import (
    export_schedule_set,
    next_run_after,
    schedule_describe,
    scheduled_exports_run,
    scheduled_failures_retry,
)
from imports.jobs.export_services import ExportRefused, export_job_create, export_template_save
from imports.jobs.inprocess import job_run
from imports.jobs.stopping import job_fail
from imports.models import DataTemplate, ImportExportJob
from tests.factories import CustomerFactory, UserFactory

Status = ImportExportJob.Status
SEVEN = time(7, 0)


def _site(*args) -> datetime:
    """A wall-clock time in the site's time zone."""
    return datetime(*args, tzinfo=timezone.get_default_timezone())


def _schedule(frequency: str, at: time = SEVEN, weekday: int | None = None, day: int | None = None) -> DataTemplate:
    return DataTemplate(template_type=DataTemplate.TemplateType.EXPORT, schedule=frequency, schedule_time=at,
                        schedule_weekday=weekday, schedule_day=day)


@pytest.fixture
def new_york(settings):
    """A site time zone with summer time (2026: clocks jump forward on 8 March, fall back on 1 November)."""
    settings.TIME_ZONE = "America/New_York"


def _template(company, *, name="Daily customers", columns=("account_number", "status"), user=None) -> DataTemplate:
    return export_template_save({"target": "Customer", "columns": list(columns), "format": "csv"},
                                company=company, name=name, user=user)


def _due(template: DataTemplate, *, since: datetime) -> DataTemplate:
    """The template scheduled daily at 07:00, its run due since `since`."""
    export_schedule_set(template, frequency="daily", at=SEVEN, now=since - timedelta(days=1))
    DataTemplate.objects.filter(pk=template.pk).update(next_run_at=since)
    template.refresh_from_db()
    return template


def _exports(company=None):
    jobs = ImportExportJob.objects.filter(job_type=ImportExportJob.JobType.EXPORT)
    return jobs.filter(company=company) if company is not None else jobs


# --- When the next run is --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("schedule", "after", "expected"), [
    # daily: the same day when its time is still ahead, strictly after (a run at 07:00 is not "after 07:00")
    (_schedule("daily"), (2026, 5, 6, 6, 59), (2026, 5, 6, 7, 0)),
    (_schedule("daily"), (2026, 5, 6, 7, 0), (2026, 5, 7, 7, 0)),
    (_schedule("daily"), (2026, 12, 31, 8, 0), (2027, 1, 1, 7, 0)),
    # weekly: Wednesday 6 May 2026 -> the next Monday; on the Monday itself, before and after its time
    (_schedule("weekly", weekday=0), (2026, 5, 6, 12, 0), (2026, 5, 11, 7, 0)),
    (_schedule("weekly", weekday=0), (2026, 5, 11, 6, 0), (2026, 5, 11, 7, 0)),
    (_schedule("weekly", weekday=0), (2026, 5, 11, 7, 30), (2026, 5, 18, 7, 0)),
    (_schedule("weekly", weekday=6), (2026, 5, 6, 12, 0), (2026, 5, 10, 7, 0)),
    # monthly on the 15th
    (_schedule("monthly", day=15), (2026, 5, 6, 12, 0), (2026, 5, 15, 7, 0)),
    (_schedule("monthly", day=15), (2026, 12, 15, 7, 0), (2027, 1, 15, 7, 0)),
    # monthly on the 31st: the last day of shorter months, back to the 31st when the month has one
    (_schedule("monthly", day=31), (2026, 1, 31, 7, 0), (2026, 2, 28, 7, 0)),
    (_schedule("monthly", day=31), (2026, 2, 28, 7, 0), (2026, 3, 31, 7, 0)),
    (_schedule("monthly", day=31), (2026, 4, 1, 0, 0), (2026, 4, 30, 7, 0)),
    # leap years: the 29th of February exists in 2028, not in 2026; 2100 is no leap year
    (_schedule("monthly", day=31), (2028, 1, 31, 7, 0), (2028, 2, 29, 7, 0)),
    (_schedule("monthly", day=29), (2026, 2, 1, 0, 0), (2026, 2, 28, 7, 0)),
    (_schedule("monthly", day=29), (2028, 2, 1, 0, 0), (2028, 2, 29, 7, 0)),
    (_schedule("monthly", day=30), (2028, 2, 29, 7, 0), (2028, 3, 30, 7, 0)),
    (_schedule("monthly", day=29), (2100, 2, 1, 0, 0), (2100, 2, 28, 7, 0)),
], ids=lambda value: value.schedule if isinstance(value, DataTemplate) else None)
def test_the_next_run_is_the_first_after_the_moment_given(schedule, after, expected):
    assert next_run_after(schedule, _site(*after)) == _site(*expected)


def test_no_schedule_has_no_next_run():
    assert next_run_after(_schedule(""), _site(2026, 5, 6, 12, 0)) is None


def test_a_daily_run_keeps_its_wall_clock_time_across_both_changes_of_summer_time(new_york):
    # given a daily 07:00 in New York, then its runs stay at 07:00 local as the offset to UTC changes
    schedule = _schedule("daily")
    before_spring = next_run_after(schedule, datetime(2026, 3, 7, 11, 0, tzinfo=UTC))
    after_spring = next_run_after(schedule, before_spring)
    assert before_spring == datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # 07:00 EST
    assert after_spring == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 07:00 EDT, 23 hours later
    before_autumn = next_run_after(schedule, datetime(2026, 10, 31, 10, 0, tzinfo=UTC))
    after_autumn = next_run_after(schedule, before_autumn)
    assert before_autumn == datetime(2026, 10, 31, 11, 0, tzinfo=UTC)  # 07:00 EDT
    assert after_autumn == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 07:00 EST, 25 hours later
    assert [run.astimezone(timezone.get_default_timezone()).hour for run in (after_spring, after_autumn)] == [7, 7]


def test_a_time_the_clocks_skip_runs_as_long_after_the_jump(new_york):
    # given 02:30, which does not exist on 8 March 2026 in New York (02:00 jumps to 03:00)
    schedule = _schedule("daily", at=time(2, 30))
    skipped = next_run_after(schedule, datetime(2026, 3, 8, 5, 0, tzinfo=UTC))
    assert skipped == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert next_run_after(schedule, skipped) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # 02:30 EDT


def test_a_time_the_clocks_pass_twice_runs_once(new_york):
    # given 01:30, which passes twice on 1 November 2026 in New York (02:00 EDT falls back to 01:00 EST)
    schedule = _schedule("daily", at=time(1, 30))
    first = next_run_after(schedule, datetime(2026, 11, 1, 4, 0, tzinfo=UTC))
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    # then after that run the next is the following day, not the second 01:30 an hour later
    assert next_run_after(schedule, first) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST


def test_a_monthly_run_on_the_31st_across_summer_time(new_york):
    schedule = _schedule("monthly", day=31)
    assert next_run_after(schedule, datetime(2026, 2, 28, 12, 0, tzinfo=UTC)) == datetime(2026, 3, 31, 11, 0,
                                                                                           tzinfo=UTC)


# --- Setting and describing a schedule -------------------------------------------------------------------------


def test_setting_a_schedule_saves_it_with_its_next_run(company, user):
    template = _template(company, user=user)

    export_schedule_set(template, frequency="weekly", at=time(7, 0, 45), weekday=0, now=_site(2026, 5, 6, 12, 0))

    template.refresh_from_db()
    assert (template.schedule, template.schedule_time, template.schedule_weekday, template.schedule_day) == (
        "weekly", SEVEN, 0, None
    )
    assert template.next_run_at == _site(2026, 5, 11, 7, 0)
    assert schedule_describe(template) == "Every Monday at 07:00"


def test_a_schedule_keeps_only_what_its_frequency_uses(company):
    template = _template(company)

    export_schedule_set(template, frequency="daily", at=SEVEN, weekday=3, day=12, now=_site(2026, 5, 6, 12, 0))

    template.refresh_from_db()
    assert (template.schedule_weekday, template.schedule_day) == (None, None)
    assert template.next_run_at == _site(2026, 5, 7, 7, 0)


def test_no_frequency_stops_the_schedule(company):
    template = _template(company)
    export_schedule_set(template, frequency="monthly", at=SEVEN, day=31, now=_site(2026, 5, 6, 12, 0))

    export_schedule_set(template, frequency="", at=None)

    template.refresh_from_db()
    assert (template.schedule, template.schedule_time, template.schedule_day, template.next_run_at) == (
        "", None, None, None
    )
    assert schedule_describe(template) == ""


@pytest.mark.parametrize(("schedule", "described"), [
    (_schedule("daily"), "Every day at 07:00"),
    (_schedule("weekly", weekday=0), "Every Monday at 07:00"),
    (_schedule("weekly", at=time(18, 30), weekday=6), "Every Sunday at 18:30"),
    (_schedule("monthly", day=1), "Monthly on day 1 at 07:00"),
    (_schedule("monthly", day=28), "Monthly on day 28 at 07:00"),
    (_schedule("monthly", day=31), "Monthly on day 31 at 07:00 (the last day in shorter months)"),
    (_schedule(""), ""),
])
def test_a_schedule_in_words(schedule, described):
    assert schedule_describe(schedule) == described


@pytest.mark.parametrize(("frequency", "at", "weekday", "day", "message"), [
    ("hourly", SEVEN, None, None, "Choose how often the export runs: daily, weekly or monthly."),
    ("daily", None, None, None, "Choose the time of day the export runs."),
    ("weekly", SEVEN, None, None, "Choose the day of the week the export runs."),
    ("weekly", SEVEN, 7, None, "Choose the day of the week the export runs."),
    ("weekly", SEVEN, "Monday", None, "Choose the day of the week the export runs."),
    ("monthly", SEVEN, None, None, "Choose the day of the month the export runs, 1 to 31."),
    ("monthly", SEVEN, None, 0, "Choose the day of the month the export runs, 1 to 31."),
    ("monthly", SEVEN, None, 32, "Choose the day of the month the export runs, 1 to 31."),
    ("monthly", None, None, 5, "Choose the time of day the export runs."),
])
def test_a_schedule_that_cannot_be_kept_is_refused_in_one_sentence(company, frequency, at, weekday, day, message):
    template = _template(company)

    with pytest.raises(ExportRefused) as refused:
        export_schedule_set(template, frequency=frequency, at=at, weekday=weekday, day=day)

    assert (str(refused.value), refused.value.part, refused.value.status) == (message, "schedule", 400)
    assert (template.schedule, template.schedule_time, template.next_run_at) == ("", None, None)
    assert DataTemplate.objects.filter(pk=template.pk, schedule="", next_run_at__isnull=True).exists()


def test_only_an_export_template_can_be_scheduled(company):
    template = DataTemplate.objects.create(company=company, template_name="Mapping", target_model="Customer",
                                           template_type=DataTemplate.TemplateType.IMPORT)

    with pytest.raises(ExportRefused) as refused:
        export_schedule_set(template, frequency="daily", at=SEVEN)

    assert (str(refused.value), refused.value.part) == ("Only an export template can run on a schedule.", "schedule")


# --- Running what is due ---------------------------------------------------------------------------------------


def test_a_due_template_runs_once_as_a_job_and_moves_to_its_next_run(company, user):
    template = _due(_template(company, user=user), since=_site(2026, 5, 6, 7, 0))
    now = _site(2026, 5, 6, 7, 0, 20)

    assert scheduled_exports_run(now=now) == 1
    assert scheduled_exports_run(now=now) == 0

    job = _exports().get()
    assert (job.company, job.template, job.created_by, job.parent) == (company, template, user, None)
    assert (job.job_status, job.options["via"], job.options["export"]["columns"]) == (
        Status.PENDING, "schedule", ["account_number", "status"]
    )
    assert job.logs.filter(message="Scheduled run of template Daily customers: export of customers as CSV.").exists()
    template.refresh_from_db()
    assert template.next_run_at == _site(2026, 5, 7, 7, 0)


def test_templates_not_due_unscheduled_or_deleted_do_not_run(company):
    later = _template(company, name="Later")
    export_schedule_set(later, frequency="daily", at=SEVEN, now=_site(2026, 5, 6, 7, 30))
    _template(company, name="Never")
    deleted = _due(_template(company, name="Deleted"), since=_site(2026, 5, 6, 7, 0))
    DataTemplate.objects.filter(pk=deleted.pk).update(is_active=False)

    assert scheduled_exports_run(now=_site(2026, 5, 6, 8, 0)) == 0

    assert not _exports().exists()
    later.refresh_from_db()
    assert later.next_run_at == _site(2026, 5, 7, 7, 0)


def test_a_beat_down_for_days_runs_a_template_once(company):
    template = _due(_template(company), since=_site(2026, 5, 3, 7, 0))

    assert scheduled_exports_run(now=_site(2026, 5, 6, 9, 15)) == 1

    assert _exports().count() == 1
    template.refresh_from_db()
    assert template.next_run_at == _site(2026, 5, 7, 7, 0)


def test_a_template_that_can_no_longer_run_records_a_failed_job_and_moves_on(company, user):
    broken = _due(_template(company, name="Broken", user=user), since=_site(2026, 5, 6, 7, 0))
    DataTemplate.objects.filter(pk=broken.pk).update(columns=["account_number", "shoe_size"])  # a column gone
    sound = _due(_template(company, name="Sound"), since=_site(2026, 5, 6, 7, 0))

    assert scheduled_exports_run(now=_site(2026, 5, 6, 7, 1)) == 2

    failed = _exports().get(template=broken)
    assert (failed.job_status, failed.company, failed.created_by, failed.options["via"]) == (
        Status.FAILED, company, user, "schedule"
    )
    assert failed.error_message.startswith("The scheduled export could not run: Unknown column 'shoe_size'")
    assert failed.logs.filter(message="Scheduled run of template Broken.").exists()
    assert _exports().get(template=sound).job_status == Status.PENDING
    for template in (broken, sound):
        template.refresh_from_db()
        assert template.next_run_at == _site(2026, 5, 7, 7, 0)


def test_one_templates_unexpected_fault_does_not_stop_the_others(company):
    first = _due(_template(company, name="First"), since=_site(2026, 5, 6, 6, 0))
    second = _due(_template(company, name="Second"), since=_site(2026, 5, 6, 7, 0))
    real_create = export_job_create

    def create(data, **kwargs):
        if kwargs["template"] == first:
            raise RuntimeError("disk on fire")
        return real_create(data, **kwargs)

    with mock.patch.object(export_schedules, "export_job_create", create):
        assert scheduled_exports_run(now=_site(2026, 5, 6, 7, 1)) == 1

    assert list(_exports().values_list("template", flat=True)) == [second.pk]
    first.refresh_from_db()
    assert first.next_run_at == _site(2026, 5, 6, 6, 0)  # still due: the next beat tries it again


def test_each_run_is_a_job_of_its_templates_company_only(company, other_company):
    mine = _due(_template(company), since=_site(2026, 5, 6, 7, 0))
    theirs = _template(other_company)
    export_schedule_set(theirs, frequency="daily", at=time(9, 0), now=_site(2026, 5, 6, 7, 0))
    CustomerFactory(company=company, account_number="1001")
    CustomerFactory(company=other_company, account_number="9001")

    assert scheduled_exports_run(now=_site(2026, 5, 6, 7, 1)) == 1

    job = _exports().get()
    assert (job.company, job.template) == (company, mine)
    assert not _exports(other_company).exists()
    theirs.refresh_from_db()
    assert theirs.next_run_at == _site(2026, 5, 6, 9, 0)
    job = job_run(job=job)
    assert job.job_status == Status.COMPLETED, job.error_message
    with job.file.open("rb") as handle:
        assert handle.read().decode("utf-8-sig").split() == ["account_number,status", "1001,active"]


# --- Retrying what failed --------------------------------------------------------------------------------------


@pytest.fixture
def failed_run(company, user):
    """A scheduled run of 'Daily customers' that failed just now."""
    _due(_template(company, user=user), since=timezone.now() - timedelta(minutes=5))
    scheduled_exports_run()
    job = _exports().get()
    job_fail(job, "The export file could not be written: No space left on device.")
    job.refresh_from_db()
    return job


def test_a_failed_scheduled_run_is_retried_exactly_once(failed_run, company, user):
    assert scheduled_failures_retry() == 1
    assert scheduled_failures_retry() == 0

    retry = _exports().get(parent=failed_run)
    assert (retry.company, retry.template, retry.created_by, retry.job_status) == (
        company, failed_run.template, user, Status.PENDING
    )
    assert (retry.options["via"], retry.options["retry"], retry.options["export"]) == (
        "schedule", True, failed_run.options["export"]
    )
    when = f"{timezone.localtime(failed_run.created_at):%Y-%m-%d %H:%M}"
    assert retry.logs.filter(
        message=f"Retry of the failed scheduled run of {when} (template Daily customers): export of customers as CSV."
    ).exists()


def test_a_failed_retry_is_not_retried_again(failed_run):
    scheduled_failures_retry()
    retry = _exports().get(parent=failed_run)
    job_fail(retry, "The export file could not be written: No space left on device.")

    assert scheduled_failures_retry() == 0
    assert _exports().count() == 2


def test_a_retry_runs_the_failed_runs_export_even_if_the_template_changed(failed_run):
    DataTemplate.objects.filter(pk=failed_run.template_id).update(columns=["email"])

    scheduled_failures_retry()

    retry = job_run(job=_exports().get(parent=failed_run))
    assert retry.job_status == Status.COMPLETED, retry.error_message
    with retry.file.open("rb") as handle:
        assert handle.read().decode("utf-8-sig").split() == ["account_number,status"]


def test_a_refused_run_gets_one_refused_retry_shown_as_failed(company):
    broken = _due(_template(company, name="Broken"), since=timezone.now() - timedelta(minutes=5))
    DataTemplate.objects.filter(pk=broken.pk).update(columns=["shoe_size"])
    scheduled_exports_run()
    refused = _exports().get()

    assert scheduled_failures_retry() == 1
    assert scheduled_failures_retry() == 0

    retry = _exports().get(parent=refused)
    assert (retry.job_status, retry.options["retry"], retry.template) == (Status.FAILED, True, broken)
    assert "Unknown column 'shoe_size'" in retry.error_message
    assert retry.logs.filter(message__startswith="Retry of the failed scheduled run of").exists()


def test_old_failures_other_exports_and_finished_runs_are_not_retried(failed_run, company, user):
    ImportExportJob.objects.filter(pk=failed_run.pk).update(completed_at=timezone.now() - timedelta(days=1, minutes=1))
    by_hand = export_job_create({"target": "Customer"}, company=company, via="web", user=user,
                                template=failed_run.template, enqueue=False)
    job_fail(by_hand, "The export file could not be written: No space left on device.")
    cancelled = export_job_create({"target": "Customer"}, company=company, via="schedule",
                                  template=failed_run.template, enqueue=False)
    ImportExportJob.objects.filter(pk=cancelled.pk).update(job_status=Status.CANCELLED, completed_at=timezone.now())

    assert scheduled_failures_retry() == 0
    assert not _exports().filter(parent__isnull=False).exists()


def test_a_failure_of_a_deleted_template_is_not_retried(failed_run):
    DataTemplate.objects.filter(pk=failed_run.template_id).update(is_active=False)

    assert scheduled_failures_retry() == 0


def test_retries_stay_in_the_failed_runs_company(failed_run, company, other_company):
    theirs = _due(_template(other_company, user=UserFactory(company=other_company, username="bob")),
                  since=timezone.now() - timedelta(minutes=5))
    scheduled_exports_run()
    job_fail(_exports(other_company).get(), "The export file could not be written: No space left on device.")

    assert scheduled_failures_retry() == 2

    assert _exports(company).get(parent=failed_run).template == failed_run.template
    assert _exports(other_company).get(parent__isnull=False).template == theirs


# --- The beat's task ---------------------------------------------------------------------------------------------


def test_the_beat_task_retries_failures_then_starts_the_due_runs(failed_run, company):
    due = _due(_template(company, name="Weekly customers"), since=timezone.now() - timedelta(minutes=1))

    assert tasks.run_scheduled_exports() == {"retried": 1, "started": 1}

    assert _exports().filter(parent=failed_run).count() == 1
    assert _exports().filter(template=due, parent__isnull=True).count() == 1
    due.refresh_from_db()
    assert due.next_run_at > timezone.now()


def test_beat_runs_the_task_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["run-scheduled-exports"]

    assert (entry["task"], entry["schedule"]) == (tasks.run_scheduled_exports.name, 60)
    assert entry["options"]["expires"] > entry["schedule"]


# --- Two beats at once -------------------------------------------------------------------------------------------


def _together(function, name: str, calls: int = 2) -> list:
    """Call `function` from `calls` threads (a database connection each) once every one of them has listed what
    is due: the step that acts on one item (`name`, in export_schedules) starts at the same instant in all."""
    together = threading.Barrier(calls, timeout=60)
    act = getattr(export_schedules, name)
    results, errors = [], []

    def acting(*args):
        together.wait()
        return act(*args)

    def call():
        try:
            results.append(function())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    with mock.patch.object(export_schedules, name, acting):
        threads = [threading.Thread(target=call) for _ in range(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_run_a_template_once(company):
    template = _due(_template(company), since=_site(2026, 5, 6, 7, 0))

    started = _together(lambda: scheduled_exports_run(now=_site(2026, 5, 6, 7, 0, 5)), "_scheduled_run")

    assert sorted(started) == [0, 1]
    assert _exports().count() == 1
    template.refresh_from_db()
    assert template.next_run_at == _site(2026, 5, 7, 7, 0)


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_retry_a_failure_once(failed_run):
    retried = _together(scheduled_failures_retry, "_failure_retry")

    assert sorted(retried) == [0, 1]
    assert _exports().filter(parent=failed_run).count() == 1
