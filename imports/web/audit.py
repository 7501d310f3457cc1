"""The audit trail page: who uploaded, downloaded, retried, cancelled, looked at or deleted the company's sensitive
job data (claim look-ups), when, which way and from where; newest first, filtered by action.

Only the company's administrators see it: users holding the `imports.view_auditevent` permission (given in the
admin to a user or a group; superusers hold every permission). `is_staff` is not the test: staff sign in to the
Django admin, which shows every company, and a company's administrator needs none of that.
"""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from imports.jobs import lookup_selectors
from imports.models import AuditEvent
from imports.web.forms import PlainLabels

AUDIT_PERMISSION = "imports.view_auditevent"
EVENTS_PER_PAGE = 50


class AuditFilterForm(PlainLabels, forms.Form):
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "All"), *AuditEvent.Action.choices])


@login_required
@permission_required(AUDIT_PERMISSION, raise_exception=True)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_bound and form.is_valid() else None
    events = lookup_selectors.audit_event_list(company=request.user.company, action=action or None)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/audit_list.html", {
        "page": page, "form": form, "query": f"action={action}" if action else "",
    })
