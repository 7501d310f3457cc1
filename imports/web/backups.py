"""The "Backup & restore" page: back the company up and download its archives; upload an archive, see its dry run
say what a restore would do with each file, then restore it for real.

Thin views over the backup services (imports.jobs.backup_services). Every job is looked up through the user's
company: another company's backup or restore is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from companies.addresses import client_address
from imports.engine.readers.limits import max_file_bytes
from imports.jobs.backup_selectors import backup_job_get, backup_job_list, restore_job_get, restore_job_list
from imports.jobs.backup_services import (
    BackupRefused,
    backup_file_open,
    backup_job_create,
    restore_job_create,
    restore_now,
    restore_results,
)
from imports.jobs.progress import job_progress_data
from imports.models import AuditEvent

WEB = AuditEvent.Via.WEB
LISTED = 10


class ArchiveForm(forms.Form):
    file = forms.FileField(label="Backup archive (.zip)")


def _asker(request) -> dict:
    return {"via": WEB, "user": request.user, "address": client_address(request) or None}


@login_required
def backups_page(request):
    company = request.user.company
    return render(request, "imports/backups/page.html", {
        "backups": backup_job_list(company=company)[:LISTED],
        "restores": restore_job_list(company=company)[:LISTED],
        "form": ArchiveForm(),
        "max_bytes": max_file_bytes(),
        "max_mb": max_file_bytes() // (1024 * 1024),
    })


@login_required
@require_POST
def backup_start(request):
    job = backup_job_create(company=request.user.company, via=WEB, user=request.user)
    messages.success(request, "The backup has started; its archive can be downloaded here once it is written.")
    return redirect("imports:backup_job", job.pk)


@login_required
def backup_job(request, job_id):
    job = _backup_or_404(request, job_id)
    return render(request, "imports/backups/backup_job.html", {
        "job": job, "progress": job_progress_data(job), "files": job.options.get("manifest", {}).get("targets", []),
    })


@login_required
def backup_download(request, job_id):
    """The backup's archive; every download is recorded in the audit trail."""
    job = _backup_or_404(request, job_id)
    try:
        handle, name, content_type = backup_file_open(job, **_asker(request))
    except BackupRefused as error:
        messages.error(request, str(error))
        return redirect("imports:backup_job", job.pk)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_POST
def restore_upload(request):
    """Check an uploaded archive and start its dry run; a refused archive is one sentence, and no job."""
    form = ArchiveForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = restore_job_create(company=request.user.company, file=file, file_name=file.name, dry_run=True,
                                     **_asker(request))
        except BackupRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:restore_job", job.pk)
    message = "; ".join(error for errors in form.errors.values() for error in errors)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect("imports:backups")


@login_required
def restore_job(request, job_id):
    """A restore or its dry run: each file of the archive and what the restore did (would do) with it."""
    job = _restore_or_404(request, job_id)
    return render(request, "imports/backups/restore_job.html", {
        "job": job, "progress": job_progress_data(job), "results": restore_results(job),
        "dry_run_job": _restore_or_none(request, job.options.get("dry_run_job")),
    })


@login_required
@require_POST
def restore_confirm(request, job_id):
    """Restore a completed dry run's archive for real."""
    dry_run = _restore_or_404(request, job_id)
    try:
        job = restore_now(dry_run, **_asker(request))
    except BackupRefused as error:
        messages.error(request, str(error))
        return redirect("imports:restore_job", dry_run.pk)
    messages.success(request, "The restore has started.")
    return redirect("imports:restore_job", job.pk)


def _backup_or_404(request, job_id):
    job = backup_job_get(company=request.user.company, job_id=job_id)
    if job is None:
        raise Http404("No such backup.")
    return job


def _restore_or_404(request, job_id):
    job = _restore_or_none(request, job_id)
    if job is None:
        raise Http404("No such restore.")
    return job


def _restore_or_none(request, job_id):
    return restore_job_get(company=request.user.company, job_id=job_id) if job_id else None
