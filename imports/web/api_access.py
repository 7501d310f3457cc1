"""A user's API access: their token (created on first visit), a way to rotate it when it may have leaked, and
where the API's documentation is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from companies.services import api_token_for, api_token_rotate


@login_required
def api_access(request):
    return render(request, "imports/api_access.html", {
        "token": api_token_for(user=request.user),
        "base_url": request.build_absolute_uri("/api/"),
    })


@login_required
@require_POST
def api_token_new(request):
    api_token_rotate(user=request.user)
    messages.success(request, "Your API token was replaced: the old one no longer works. Give the new one to the "
                              "programs that use the API.")
    return redirect("imports:api_access")
