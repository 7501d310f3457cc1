"""The audit trail: a page for the company's administrators (the imports.view_auditevent permission) with the
company's events newest first, filtered by action; read-only in the admin, and look-up results kept out of it."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from imports.models import AuditEvent, ImportExportJob, LookupResult
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(company):
    user = UserFactory(company=company, username="ada")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="imports", codename="view_auditevent"))
    return user


@pytest.fixture
def events(company, other_company, user):
    """Three events of the company a minute apart (upload, download, cancel), one of another company."""
    job = ImportExportJob.objects.create(company=company, job_type="lookup", target_model="Claim",
                                         file_name="claims.csv")
    theirs = ImportExportJob.objects.create(company=other_company, job_type="lookup", target_model="Claim",
                                            file_name="theirs.csv")
    now = timezone.now()
    made = []
    for minutes, action in ((3, "upload"), (2, "results_download"), (1, "cancel")):
        event = AuditEvent.objects.create(company=company, job=job, user=user, action=action, via="web",
                                          address="203.0.113.9")
        AuditEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(minutes=minutes))
        made.append(event)
    AuditEvent.objects.create(company=other_company, job=theirs, action="upload", via="api")
    return made


def test_an_administrator_sees_the_companys_events_newest_first(client, administrator, events):
    client.force_login(administrator)

    response = client.get(reverse("imports:audit"))

    page = response.content.decode()
    assert response.status_code == 200
    assert [event.action for event in response.context["page"].object_list] == [
        "cancel", "results_download", "upload",
    ]
    assert "theirs.csv" not in page
    assert "203.0.113.9" in page
    assert "alice" in page
    assert "Browser" in page
    assert f'href="{reverse("imports:audit")}">Audit trail</a>' in page  # in the navigation


def test_the_trail_filters_by_action(client, administrator, events):
    client.force_login(administrator)

    response = client.get(reverse("imports:audit"), {"action": "results_download"})

    assert [event.action for event in response.context["page"].object_list] == ["results_download"]


def test_the_trail_is_paged(client, administrator, company, events):
    AuditEvent.objects.bulk_create(
        AuditEvent(company=company, action="upload", via="cli") for _ in range(60)
    )
    client.force_login(administrator)

    first = client.get(reverse("imports:audit"))
    second = client.get(reverse("imports:audit"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 13


def test_a_plain_user_is_refused_and_not_shown_the_link(client, user, events):
    client.force_login(user)

    response = client.get(reverse("imports:audit"))

    assert response.status_code == 403
    assert "Audit trail" not in client.get(reverse("imports:job_list")).content.decode()


def test_a_superuser_is_an_administrator_of_their_own_company_only(client, company, events):
    client.force_login(UserFactory(company=company, is_superuser=True))

    listed = client.get(reverse("imports:audit")).context["page"].object_list

    assert {event.company_id for event in listed} == {company.pk}


def test_the_admin_shows_audit_events_read_only(client, company, events):
    client.force_login(UserFactory(company=company, is_staff=True, is_superuser=True))
    event = events[0]

    assert client.get(reverse("admin:imports_auditevent_changelist")).status_code == 200
    detail = client.get(reverse("admin:imports_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="action"' not in detail.content.decode()  # shown, not editable
    assert client.get(reverse("admin:imports_auditevent_add")).status_code == 403
    client.post(reverse("admin:imports_auditevent_change", args=[event.pk]), {"action": "purge"})
    client.post(reverse("admin:imports_auditevent_delete", args=[event.pk]), {"post": "yes"})
    event.refresh_from_db()
    assert event.action == "upload"


def test_look_up_results_are_not_in_the_admin():
    assert not admin.site.is_registered(LookupResult)
