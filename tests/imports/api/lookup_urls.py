"""A URL configuration with the look-up routes of a stand-in service (routes are built when imports.api.urls is
imported, from the services registered then): the project's own URLs, with the stand-in's routes added to the
API's."""

from django.urls import include, path

from config import urls as project
from imports.api import urls as api
from imports.api.urls import lookup_routes

from .lookup_stand_in import CodeLookup

API = [*lookup_routes(CodeLookup()), *api.urlpatterns]

urlpatterns = [
    path("api/schema/", project.SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", project.SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include((API, "api"))),
    *(route for route in project.urlpatterns if not str(route.pattern).startswith("api/")),
]
