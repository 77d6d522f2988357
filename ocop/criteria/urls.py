from django.urls import path

from . import views

app_name = "criteria"

# Set codes are DECISION/PRODUCT_SET ("148/I.1.a"): two path segments.
urlpatterns = [
    path("criteria/", views.set_list, name="set_list"),
    path("criteria/manage/upload/", views.upload, name="upload"),
    path("criteria/template.xlsx", views.template, name="template"),
    path("criteria/manage/workbooks/", views.workbook_upload, name="workbook_upload"),
    path("criteria/manage/workbooks/<id:pk>/", views.workbook, name="workbook"),
    path("criteria/manage/workbooks/<id:pk>/excel/", views.workbook_export, name="workbook_export"),
    path("criteria/manage/workbooks/<id:pk>/propose/", views.workbook_propose, name="workbook_propose"),
    path("criteria/manage/workbooks/<id:pk>/publish/", views.workbook_publish, name="workbook_publish"),
    path("criteria/<code:decision>/<code:product_set>/", views.sheet, name="sheet"),
    path("criteria/<code:decision>/<code:product_set>/score/", views.score, name="score"),
    path("criteria/<code:decision>/<code:product_set>/excel/", views.export, name="export"),
]
