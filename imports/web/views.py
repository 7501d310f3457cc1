"""The job dashboard, a job's page with its live progress, and the company's template library.

Every object is looked up through the user's company: another company's job or template is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from imports.declare.lookups import all_lookups
from imports.declare.targets import all_targets, get_target
from imports.http.downloads import error_report_download
from imports.jobs import selectors
from imports.jobs.change_selectors import change_counts
from imports.jobs.progress import job_progress_data
from imports.jobs.stopping import job_cancel
from imports.jobs.undo_services import undo_refusal
from imports.models import DataTemplate, ImportExportJob, ImportExportLog
from imports.web.cell_fixes import cell_edits_shown
from imports.web.exports import export_job_cancel, export_job_page
from imports.web.forms import PlainLabels, TemplateForm
from imports.web.lookups import lookup_job_cancel
from imports.web.resume import resume_offer
from imports.web.retries import retry_panel
from imports.web.template_library import template_library
from imports.web.validation_rules import job_rules_listed, rules_editor

Status = ImportExportJob.Status
JobType = ImportExportJob.JobType
# Jobs whose file leaves only through an audited way of its own: a look-up's (health data), and the files the product
# writes of a company's records (an export's, a backup's).
WRITES_ITS_FILE = (JobType.LOOKUP, JobType.EXPORT, JobType.BACKUP)
# Backups and restores have pages of their own (imports.web.backups).
BACKUP_PAGES = {
    ImportExportJob.JobType.BACKUP: "imports:backup_job", ImportExportJob.JobType.RESTORE: "imports:restore_job",
}


class JobFilterForm(PlainLabels, forms.Form):
    job_type = forms.ChoiceField(label="Type", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    target = forms.ChoiceField(label="Target", required=False)
    user = forms.ChoiceField(label="User", required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Dry runs write nothing and are many (one per wizard validation): hidden unless asked for, so the list reads
    # as what was done to the company's records.
    dry_runs = forms.BooleanField(label="Show dry runs", required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", "All")]
        self.fields["job_type"].choices = every + list(ImportExportJob.JobType.choices)
        self.fields["status"].choices = every + list(Status.choices)
        names = sorted({t.name for t in all_targets()} | {service.name for service in all_lookups()})
        self.fields["target"].choices = every + [(name, name) for name in names]
        users = get_user_model().objects.filter(company=company).order_by("username")
        self.fields["user"].choices = every + [(str(u.pk), u.username) for u in users]

    # Each filter and the query lookup it applies.
    LOOKUPS = {
        "job_type": "job_type", "status": "job_status", "target": "target_model", "user": "created_by_id",
        "date_from": "created_at__date__gte", "date_to": "created_at__date__lte",
    }

    def filter(self, jobs):
        """The jobs the filters keep; dry runs only when asked for (also when the form is blank or invalid)."""
        if not self.is_bound or not self.is_valid():
            return jobs.exclude(dry_run=True)
        for name, lookup in self.LOOKUPS.items():
            if self.cleaned_data.get(name):
                jobs = jobs.filter(**{lookup: self.cleaned_data[name]})
        if not self.cleaned_data["dry_runs"]:
            jobs = jobs.exclude(dry_run=True)
        return jobs


@login_required
def job_list(request):
    company = request.user.company
    form = JobFilterForm(request.GET or None, company=company)
    jobs = form.filter(selectors.job_list(company=company))
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    per_day = selectors.job_rows_per_day(company=company)
    highest = max((rows for _day, rows in per_day), default=0) or 1
    chart = [{"day": day, "rows": rows, "height": round(rows * 100 / highest)} for day, rows in per_day]
    return render(request, "imports/job_list.html", {
        "page": page, "form": form, "query": query.urlencode(), "chart": chart,
        "chart_total": sum(rows for _day, rows in per_day), "chart_highest": highest,
        "chart_from": per_day[0][0] if per_day else None, "chart_to": per_day[-1][0] if per_day else None,
    })


@login_required
def job_detail(request, job_id):
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    if job.job_type == ImportExportJob.JobType.LOOKUP:
        return redirect("imports:lookup_job", job.pk)  # its own page: results, masking, the audited actions
    if job.job_type == ImportExportJob.JobType.EXPORT:
        return export_job_page(request, job)  # its columns, filters, the audited download, run again
    if job.job_type in BACKUP_PAGES:
        return redirect(BACKUP_PAGES[job.job_type], job.pk)  # their own pages: files, audited downloads
    level = request.GET.get("level") or None
    if level not in (None, *ImportExportLog.Level.values):
        level = None
    logs = Paginator(selectors.job_logs(job=job, level=level), 100).get_page(request.GET.get("page"))
    records_url = reverse("imports:records", args=[job.target_model])
    return render(request, "imports/job_detail.html", {
        "job": job, "logs": logs, "level": level, "levels": ImportExportLog.Level.choices,
        "query": f"level={level}" if level else "", "progress": job_progress_data(job),
        "records_url": records_url, "resume": resume_offer(job), "retry": retry_panel(job),
        "cell_edits": cell_edits_shown(job), "validation_rules": job_rules_listed(job),
        **undo_context(job, records_url),
    })


def undo_context(job: ImportExportJob, records_url: str) -> dict:
    """What a job's page shows of undoing: for an import, the records it changed and whether it can be undone;
    for an undo, the import it takes back."""
    if job.job_type == JobType.UNDO:
        return {"undo_of": job.parent}
    if job.job_type != JobType.IMPORT or job.dry_run:
        return {}
    counts = change_counts(job)
    return {
        "changes": counts, "undo_refusal": undo_refusal(job), "undos": job.children.filter(job_type=JobType.UNDO),
        "created_url": f"{records_url}?import={job.pk}&change=created",
        "updated_url": f"{records_url}?import={job.pk}&change=updated",
    }


@login_required
def job_progress(request, job_id):
    """JSON for the progress bars, polled about once a second; it moves with every committed batch."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    return JsonResponse(job_progress_data(job))


@login_required
@require_POST
def job_cancel_view(request, job_id):
    """Stop the job after the batches being written: they stay, the job ends cancelled."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    if job.job_type == ImportExportJob.JobType.LOOKUP:
        return lookup_job_cancel(request, job.pk)  # recorded in the audit trail like any cancel of a look-up
    if job.job_type == ImportExportJob.JobType.EXPORT:
        return export_job_cancel(request, job)  # no partial file is kept
    if job.is_finished:
        messages.info(request, f"The job had already ended: {job.get_job_status_display().lower()}.")
    else:
        job_cancel(job, f"Cancelled by {request.user.username}; rows written before stay.")
        messages.success(request, "The job was cancelled; rows already written stay.")
    return redirect("imports:job_detail", job.pk)


@login_required
def job_error_report(request, job_id):
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    if not job.error_report:
        raise Http404("This job has no error report.")
    return error_report_download(job.error_report)


@login_required
def job_file(request, job_id):
    """The file an import read, as it was uploaded; not the files of WRITES_ITS_FILE."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    if job.job_type in BACKUP_PAGES:  # a whole company's data, claims included: downloaded there, audited
        return redirect(BACKUP_PAGES[job.job_type], job.pk)
    if job.job_type in WRITES_ITS_FILE or not job.file:
        raise Http404("This job's file has been deleted.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name or "upload")


# --- Template library ------------------------------------------------------------------------------------------


def _template_or_404(request, template_id) -> DataTemplate:
    return get_object_or_404(DataTemplate, pk=template_id, company=request.user.company)


@login_required
def template_list(request):
    return template_library(request)


@login_required
def template_edit(request, template_id):
    template = _template_or_404(request, template_id)
    if template.template_type == DataTemplate.TemplateType.EXPORT:
        return redirect(f"{reverse('imports:export_builder')}?template={template.pk}")
    form = TemplateForm(request.POST or None, instance=template, target=get_target(template.target_model))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Template '{template.template_name}' saved.")
        return redirect("imports:template_list")
    return render(request, "imports/template_edit.html", {"template": template, "form": form,
                                                          **rules_editor(template)})


@login_required
@require_POST
def template_delete(request, template_id):
    template = _template_or_404(request, template_id)
    template.delete()
    messages.success(request, f"Template '{template.template_name}' deleted.")
    return redirect("imports:template_list")
