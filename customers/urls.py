from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("addresses/review/", views.address_review, name="address_review"),
    path("addresses/<int:customer_id>/accept/", views.address_accept, name="address_accept"),
    path("addresses/<int:customer_id>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:customer_id>/dismiss/", views.address_dismiss, name="address_dismiss"),
]
