"""The sign-in lock-out's rules and page. django-axes calls these at each sign-in, so LOGIN_FAILURE_LIMIT and
LOGIN_LOCKOUT_MINUTES are read then, not when the process starts."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None) -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def duration_text(duration: timedelta) -> str:
    seconds = round(duration.total_seconds())
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The sign-in page again, with the reason it refused (429); the admin's sign-in gets it too."""
    message = (
        f"Too many failed sign-ins: after {settings.LOGIN_FAILURE_LIMIT} wrong passwords this username is locked out "
        f"from your address for {duration_text(cool_off(request))} (LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES)."
    )
    context = {"lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
