from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("manage/", views.manage_home, name="manage_home"),
    path("manage/producers/", views.producer_list, name="producer_list"),
    path("manage/producers/new/", views.producer_create, name="producer_create"),
    path("manage/producers/communes/", views.commune_options, name="commune_options"),
    path("manage/producers/<id:pk>/", views.producer_detail, name="producer_detail"),
    path("manage/producers/<id:pk>/edit/", views.producer_edit, name="producer_edit"),
    path("manage/producers/<id:producer_pk>/products/new/", views.product_create, name="product_create"),
    path("manage/products/", views.product_list, name="product_list"),
    path("manage/products/export/", views.product_export, name="product_export"),
    path("manage/imports/", views.import_start, name="import_start"),
    path("manage/imports/template/", views.import_template, name="import_template"),
    path("manage/imports/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("manage/products/<id:pk>/", views.product_detail, name="product_detail"),
    path("manage/products/<id:pk>/edit/", views.product_edit, name="product_edit"),
    path("manage/products/<id:pk>/recognitions/new/", views.recognition_create, name="recognition_create"),
    path("manage/products/<id:pk>/certifications/", views.certification_add, name="certification_add"),
    path("manage/products/<id:pk>/ip-rights/", views.ip_right_add, name="ip_right_add"),
    path("manage/products/<id:pk>/photos/", views.photo_add, name="photo_add"),
    path("manage/recognitions/<id:pk>/revoke/", views.recognition_revoke, name="recognition_revoke"),
    path("manage/certifications/<id:pk>/remove/", views.certification_remove, name="certification_remove"),
    path("manage/ip-rights/<id:pk>/remove/", views.ip_right_remove, name="ip_right_remove"),
    path("manage/photos/<id:pk>/remove/", views.photo_remove, name="photo_remove"),
]
