"""A company's records of one target, where an import's results can be looked at: newest first, found by words
and narrowed by a choice column's value, or to the records one import created or updated.

Health data (a patient's name, date of birth, subscriber id) is masked unless the user asks to see it, and never
searched (see record_search)."""

import uuid
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from companies.addresses import client_address
from imports.engine.record_search import WORDS_AT_MOST, choice_filters, records_matching, searched_fields
from imports.jobs import selectors
from imports.jobs.audit import audit_record
from imports.jobs.change_selectors import CHANGES, records_changed
from imports.models import AuditEvent
from imports.web.exports import builder_url
from imports.web.masking import mask
from imports.web.targets import target_or_404

RECORD_COLUMNS = 10
RECORDS_PER_PAGE = 50
SEARCH_CHARACTERS = 200


@login_required
def records(request, target_name: str):
    target = target_or_404(target_name)
    fields = list(target.record_fields[:RECORD_COLUMNS])
    queryset = target.export_queryset(request.user.company).order_by("-pk")
    narrowed = _import_narrowing(request, target)
    if narrowed is not None:
        queryset = records_changed(queryset, company=request.user.company, job_id=narrowed["job_id"],
                                   change=narrowed["change"])
    text = request.GET.get("q", "")[:SEARCH_CHARACTERS].strip()
    filters = choice_filters(target)
    chosen = {field.name: request.GET[field.name] for field in filters if request.GET.get(field.name) in field.values}
    if text or chosen:
        queryset = records_matching(queryset, target, text=text, chosen=chosen)
    page = Paginator(queryset.values_list("pk", *(f.name for f in fields)), RECORDS_PER_PAGE).get_page(
        request.GET.get("page"))
    sensitive = target.sensitive_fields
    show = bool(sensitive) and request.GET.get("show") == "details"
    masked = [field.name in sensitive and not show for field in fields]
    rows = [
        (pk, [mask(text) if hidden else text
              for hidden, text in zip(masked, (field.to_text(value) for field, value in zip(fields, values,
                                                                                            strict=True)),
                                      strict=True)])
        for pk, *values in page
    ]
    if show and rows:
        audit_record(
            company=request.user.company, action=AuditEvent.Action.DETAILS_SHOWN, via=AuditEvent.Via.WEB,
            user=request.user, address=client_address(request) or None,
        )
    kept = {
        **({"show": "details"} if show else {}),
        **({"import": narrowed["job_id"], "change": narrowed["change"]} if narrowed else {}),
        **({"q": text} if text else {}), **chosen,
    }
    return render(request, "imports/records.html", {
        "target": target, "columns": [f.label for f in fields], "rows": rows, "page": page,
        "sensitive": bool(sensitive), "show": show, "query": urlencode(kept), "export_url": builder_url(target),
        "narrowed": narrowed, "import_job": narrowed and narrowed["job"],
        "searched": _named([field.label.lower() for field in searched_fields(target)]), "words_at_most": WORDS_AT_MOST,
        "text": text, "filters": [_filter(target, field, chosen.get(field.name, "")) for field in filters],
        "searching": bool(text or chosen),
        "detail_query": urlencode({key: value for key, value in kept.items() if key != "show"}),
    })


def _named(labels: list[str], at_most: int = 6) -> str:
    """"first name, last name, email and 3 other fields": the help under the search box stays one line."""
    if len(labels) <= at_most:
        return ", ".join(labels[:-1]) + (" or " if len(labels) > 1 else "") + labels[-1] if labels else ""
    return f"{', '.join(labels[:at_most])} or {len(labels) - at_most} other fields"


def _filter(target, field, chosen: str) -> dict:
    """A choice column's select: its values with the model's labels ("Inactive", not "inactive")."""
    labels = dict(target.model._meta.get_field(field.name).choices or ())
    return {"name": field.name, "label": field.label, "chosen": chosen,
            "options": [(value, labels.get(value, value)) for value in field.values]}


def _import_narrowing(request, target) -> dict | None:
    """`?import=<job>&change=created|updated`: only the records that import of the user's company created or
    updated (a 404 for another company's job, as for any of its objects)."""
    job_id, change = request.GET.get("import"), request.GET.get("change")
    if not job_id or change not in CHANGES:
        return None
    try:
        job = selectors.job_get(company=request.user.company, job_id=uuid.UUID(job_id))
    except ValueError:
        raise Http404("No such import.") from None
    if job.target_model != target.name:
        raise Http404("That import is not of these records.")
    return {"job_id": job.pk, "change": change, "job": job}
