"""Traceability routes. Included at the site root: the Digital Link paths (``/01/…`` and the
platform's ``/t/…``) and the EPCIS interface (``/epcis/…``) must sit where labels and partners
expect them."""

from django.urls import path

from . import epcis_views, views

app_name = "trace"

urlpatterns = [
    # Labels and scans (public)
    path("01/<path:rest>", views.resolve, name="resolve_gtin"),
    path("t/<path:rest>", views.resolve, name="resolve_code"),
    path(".well-known/gs1resolver", views.resolver_description, name="resolver_description"),
    path("scan/b/<id:pk>/", views.scan_batch, name="scan_batch"),
    path("scan/b/<id:pk>/where/", views.locate, name="locate"),
    path("scan/p/<id:pk>/", views.scan_product, name="scan_product"),
    path("scan/report/", views.report, name="report"),
    # EPCIS 2.0 REST interface
    path("epcis/capture", epcis_views.capture, name="epcis_capture"),
    path("epcis/capture/<uuid:pk>", epcis_views.capture_detail, name="epcis_capture_detail"),
    path("epcis/events", epcis_views.events, name="epcis_events"),
    # Producers' batches, officers' flags and reports
    path("trace/", views.batch_list, name="batch_list"),
    path("trace/batches/new/", views.batch_create, name="batch_create"),
    path("trace/batches/<id:pk>/", views.batch_detail, name="batch_detail"),
    path("trace/batches/<id:pk>/steps/", views.step_add, name="step_add"),
    path("trace/batches/<id:pk>/labels/", views.labels, name="labels"),
    path("trace/products/<id:pk>/links/", views.link_list, name="link_list"),
    path("trace/links/<id:pk>/remove/", views.link_remove, name="link_remove"),
    path("trace/flags/", views.flag_list, name="flag_list"),
    path("trace/reports/", views.report_list, name="report_list"),
]
