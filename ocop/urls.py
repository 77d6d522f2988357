from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from ocop import views
from ocop.api import api
from ocop.web import health
from ocop.web.edge import CodeConverter, IdConverter

# Ids and codes in every app's URLs: <id:pk> matches only ids a record can have, <code:code> only
# text that could name something (ocop/web/edge.py).
register_converter(IdConverter, "id")
register_converter(CodeConverter, "code")

handler400 = "ocop.views.bad_request"

urlpatterns = [
    # Label scans first: they are the busiest requests, and each pattern tried before them costs.
    path("", include("ocop.trace.urls")),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("health/", health.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("ocop.accounts.urls")),
    path("", include("ocop.registry.urls")),
    path("", include("ocop.criteria.urls")),
    path("", include("ocop.evaluation.urls")),
    path("", include("ocop.market.urls")),
    path("", include("ocop.monitoring.urls")),
    path("", include("ocop.jobs.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG or settings.OCOP_ENV != "production":
    # Uploaded photos on a developer machine; production serves MEDIA_ROOT from the web server,
    # with the same rules (docs/security.md): images as images, anything else as a download.
    urlpatterns.append(path("media/<path:path>", views.media))
