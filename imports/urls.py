from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("<uuid:job_id>/error-report/", views.job_error_report, name="job_error_report"),
]
