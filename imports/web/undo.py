"""Undoing an import in the browser: a page that says what the undo will do before anything happens (with a dry
run to check first), and a record's page with what each import did to it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from imports.declare.targets import get_target
from imports.jobs import selectors
from imports.jobs.change_selectors import change_counts, record_history
from imports.jobs.undo_services import UndoRefused, undo_create, undo_latest, undo_refusal
from imports.models import ImportExportJob
from imports.web.masking import mask
from imports.web.targets import target_or_404


@login_required
def undo_confirm(request, job_id):
    """GET: what undoing the import will do, the box to take back records changed since too, and the buttons to
    check first (a dry run) or undo. POST: the undo (or its dry run) as a job; its page shows how it goes."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    if job.job_type != ImportExportJob.JobType.IMPORT:
        raise Http404("Only an import can be undone.")
    if request.method == "POST":
        try:
            undo = undo_create(job, via=ImportExportJob.Via.WEB, user=request.user, dry_run="dry_run" in request.POST,
                               force=request.POST.get("force") == "on")
        except UndoRefused as error:
            messages.error(request, str(error))
            return redirect("imports:job_detail", job.pk)
        return redirect("imports:job_detail", undo.pk)
    return render(request, "imports/undo_confirm.html", {
        "job": job, "refusal": undo_refusal(job), "counts": change_counts(job),
        "rehearsal": undo_latest(job, dry_run=True),
        "target": get_target(job.target_model),
    })


@login_required
def record_page(request, target_name: str, record_id: int):
    """One record's fields and what each import did to it (job, date, field: before → after)."""
    target = target_or_404(target_name)
    fields = target.record_fields
    values = target.export_queryset(request.user.company).filter(pk=record_id).values_list(
        *(field.name for field in fields)
    ).first()
    if values is None:
        raise Http404(f"No {target.model._meta.verbose_name} {record_id} in your company.")
    # Health data is masked here, as on the records page (which shows it on request, audited).
    shown = [
        (field.name, mask(field.to_text(value)) if field.name in target.sensitive_fields else field.to_text(value))
        for field, value in zip(fields, values, strict=True)
    ]
    return render(request, "imports/record.html", {
        "target": target, "record_id": record_id, "fields": shown, "noun": target.model._meta.verbose_name,
        "key": dict(shown).get(target.key, ""),
        "history": record_history(company=request.user.company, target=target, record_id=record_id),
        "records_url": reverse("imports:records", args=[target.name]), "undo_days": settings.IMPORT_UNDO_DAYS,
    })
