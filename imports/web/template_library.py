"""The template library: a company's import templates (a file's column mapping) and export templates (columns,
filters, format and schedule), each export template with its actions (run now, change in the builder, delete) and
its schedule form; and what a company can start from: the guide's blank template of each target, and built-in
mappings of files other systems export, added to its templates with one click. A refused run or schedule
re-renders the library with the sentence beside that template and the schedule as it was entered."""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from imports.declare.targets import all_targets, get_target
from imports.engine.exports.columns import columns_available
from imports.engine.exports.spec import FORMAT_LABELS
from imports.jobs import export_selectors, selectors
from imports.jobs.export_schedules import schedule_describe
from imports.jobs.export_services import ExportRefused, export_spec_read, export_template_data
from imports.jobs.source_templates import SourceTemplate, SourceTemplateRefused, source_template_add, source_templates
from imports.models import DataTemplate

Schedule = DataTemplate.Schedule
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class ScheduleInput:
    """The schedule form as entered (text, so a refused one is shown back unchanged)."""

    frequency: str = ""
    time: str = ""
    weekday: str = ""
    day: str = ""

    @classmethod
    def from_post(cls, post) -> "ScheduleInput":
        return cls(*(post.get(name, "").strip() for name in ("frequency", "time", "weekday", "day")))

    @classmethod
    def of(cls, template: DataTemplate) -> "ScheduleInput":
        return cls(
            template.schedule,
            template.schedule_time.strftime("%H:%M") if template.schedule_time else "",
            "" if template.schedule_weekday is None else str(template.schedule_weekday),
            "" if template.schedule_day is None else str(template.schedule_day),
        )

    def parsed(self) -> tuple[str, dt.time | None, int | None, int | None]:
        """(frequency, time, weekday, day) for the schedule service, with only what the frequency uses (a weekday
        left selected from an earlier weekly schedule does not spoil a daily one); ExportRefused when a value
        cannot be read."""
        if self.frequency not in Schedule.values:
            raise ExportRefused("Choose how often it runs: not scheduled, daily, weekly or monthly.", 400,
                                "frequency")
        if not self.frequency:
            return "", None, None, None
        at = None
        if self.time:
            try:
                at = dt.time.fromisoformat(self.time)
            except ValueError:
                raise ExportRefused(f"'{self.time}' is not a time: give hours and minutes, e.g. 07:00.", 400,
                                    "time") from None
        weekday = day = None
        if self.frequency == Schedule.WEEKLY and self.weekday:
            if self.weekday not in {str(number) for number in range(7)}:
                raise ExportRefused("Choose a day of the week.", 400, "weekday")
            weekday = int(self.weekday)
        if self.frequency == Schedule.MONTHLY and self.day:
            if not self.day.isdigit():
                raise ExportRefused(f"'{self.day}' is not a day of the month: give a number from 1 to 31.", 400,
                                    "day")
            day = int(self.day)
        return self.frequency, at, weekday, day


@dataclass
class ExportTemplateCard:
    template: DataTemplate
    target_label: str
    columns: list[str]
    format_label: str
    filters: list[str]
    problem: str
    schedule: str
    entered: ScheduleInput
    errors: dict[str, str]


def export_template_card(template: DataTemplate, *, entered: ScheduleInput | None = None,
                         errors: dict[str, str] | None = None) -> ExportTemplateCard:
    try:
        target = get_target(template.target_model)
    except KeyError:
        target = None
    labels = {column.name: column.label for column in columns_available(target)} if target else {}
    try:
        spec = export_spec_read(export_template_data(template), company=template.company)
    except ExportRefused as refused:
        filters, problem = [], f"This template cannot run as saved: {refused}"
    else:
        filters, problem = spec.filters_described(), ""
    return ExportTemplateCard(
        template=template, target_label=target.verbose_name_plural if target else template.target_model,
        columns=[labels.get(name, name) for name in template.columns],
        format_label=FORMAT_LABELS.get(template.file_format, template.file_format),
        filters=filters, problem=problem, schedule=schedule_describe(template),
        entered=entered or ScheduleInput.of(template), errors=errors or {},
    )


def library_entries(company) -> list[SourceTemplate]:
    """For each target, the guide's blank template (an entry without a source), then its built-in mappings."""
    by_target: dict[str, list[SourceTemplate]] = {}
    for entry in source_templates(company=company):
        by_target.setdefault(entry.target.name, []).append(entry)
    return [
        entry for target in all_targets()
        for entry in [SourceTemplate(target, "", {}, None), *by_target.get(target.name, [])]
    ]


@login_required
@require_POST
def source_template_add_view(request):
    """Add a built-in mapping to the user's company's templates; a refusal is shown on the library page."""
    try:
        template = source_template_add(company=request.user.company, user=request.user,
                                       target_name=request.POST.get("target", ""),
                                       source=request.POST.get("source", ""))
    except SourceTemplateRefused as refused:
        return template_library(request, library_refusal=str(refused), status=400)
    messages.success(request, f"'{template.template_name}' is now one of your import templates.")
    return redirect(f"{reverse('imports:template_list')}#library-title")


def template_library(request, *, refusals: dict | None = None, entered: dict | None = None, status: int = 200,
                     library_refusal: str = ""):
    """The library page; `refusals` ({template id: {"run" or "schedule": sentence}}) and `entered` ({template id:
    ScheduleInput}) show a refused request beside its template."""
    company = request.user.company
    refusals, entered = refusals or {}, entered or {}
    imports = selectors.import_template_list(company=company)
    exports = [
        export_template_card(template, entered=entered.get(template.pk), errors=refusals.get(template.pk))
        for template in export_selectors.export_template_list(company=company)
    ]
    return render(request, "imports/template_list.html", {
        "templates": imports, "export_templates": exports, "frequencies": Schedule.choices,
        "weekdays": list(enumerate(WEEKDAYS)), "library": library_entries(company), "library_refusal": library_refusal,
    }, status=status)
