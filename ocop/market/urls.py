from django.urls import path, re_path

from . import views

app_name = "market"

urlpatterns = [
    # The public catalogue
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/products/<id:pk>/", views.product_redirect, name="product_redirect"),
    # The registry's old public page of a product: the catalogue's page is the one public page.
    path("products/<id:pk>/", views.product_redirect, name="product_old"),
    path("catalogue/products/<id:pk>/<slug:slug>/", views.product, name="product"),
    path("catalogue/producers/<id:pk>/", views.producer, name="producer"),
    path("catalogue/producers/<id:pk>/enquire/", views.enquiry_create, name="enquiry_create"),
    path("catalogue/enquiries/<code:token>/", views.enquiry_thread, name="enquiry_thread"),
    path("catalogue/points-of-sale/", views.point_list, name="point_list"),
    path("catalogue/points-of-sale/coverage/", views.point_coverage, name="point_coverage"),
    path("catalogue/points-of-sale/<id:pk>/", views.point_detail, name="point_detail"),
    path("catalogue/fairs/", views.fair_list, name="fair_list"),
    path("catalogue/fairs/<id:pk>/", views.fair_detail, name="fair_detail"),
    # Open data
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/datapackage.json", views.open_data_package, name="open_data_package"),
    re_path(
        r"^open-data/(?P<dataset>products|producers|points-of-sale)\.(?P<fmt>csv|json)$",
        views.open_data_file,
        name="open_data_file",
    ),
    # Managing
    path("manage/market/", views.manage_home, name="manage_home"),
    path("manage/market/points-of-sale/", views.manage_points, name="manage_points"),
    path("manage/market/points-of-sale/new/", views.point_create, name="point_create"),
    path("manage/market/points-of-sale/<id:pk>/edit/", views.point_edit, name="point_edit"),
    path("manage/market/points-of-sale/<id:pk>/stock/", views.stock_add, name="stock_add"),
    path("manage/market/stock/<id:pk>/remove/", views.stock_remove, name="stock_remove"),
    path("manage/market/products/<id:pk>/supply/", views.supply_edit, name="supply_edit"),
    path("manage/market/producers/<id:pk>/channels/", views.channels, name="channels"),
    path("manage/market/channels/<id:pk>/end/", views.channel_end, name="channel_end"),
    path("manage/market/enquiries/", views.manage_enquiries, name="manage_enquiries"),
    path("manage/market/enquiries/<id:pk>/", views.manage_enquiry, name="manage_enquiry"),
    path("manage/market/enquiries/<id:pk>/close/", views.enquiry_close, name="enquiry_close"),
    path("manage/market/fairs/", views.manage_fairs, name="manage_fairs"),
    path("manage/market/fairs/new/", views.fair_create, name="fair_create"),
    path("manage/market/fairs/<id:pk>/edit/", views.fair_edit, name="fair_edit"),
    path("manage/market/fairs/<id:pk>/participants/", views.participant_add, name="participant_add"),
    path("manage/market/participants/<id:pk>/remove/", views.participant_remove, name="participant_remove"),
    path("manage/market/participants/<id:pk>/sales/", views.sales_report, name="sales_report"),
]
