from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from . import selectors
from .models import ImportExportLog


@login_required
def job_list(request):
    jobs = selectors.job_list(company=request.user.company)
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "imports/job_list.html", {"page": page})


@login_required
def job_detail(request, job_id):
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    level = request.GET.get("level") or None
    if level not in (None, *ImportExportLog.Level.values):
        level = None
    logs = Paginator(selectors.job_logs(job=job, level=level), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/job_detail.html",
        {"job": job, "logs": logs, "level": level, "levels": ImportExportLog.Level.choices},
    )


@login_required
def job_error_report(request, job_id):
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    if not job.error_report:
        raise Http404("This job has no error report.")
    return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=job.error_report.name.rsplit("/")[-1])
