from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="imports:job_list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("imports.web.urls")),
    path("customers/", include("customers.urls")),
    # The schema and its docs before the API's own routes; both are public (see SPECTACULAR_SETTINGS).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("imports.api.urls")),
    path("admin/", admin.site.urls),
]

# Django's own error answers: JSON under /api/, a short page elsewhere (imports.http.error_pages).
handler400 = "imports.http.error_pages.bad_request"
handler403 = "imports.http.error_pages.permission_denied"
handler404 = "imports.http.error_pages.page_not_found"
handler500 = "imports.http.error_pages.server_error"
