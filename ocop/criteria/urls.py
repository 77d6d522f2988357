from django.urls import path

from . import views

app_name = "criteria"

# Set codes are DECISION/PRODUCT_SET ("148/I.1.a"): two path segments.
urlpatterns = [
    path("criteria/", views.set_list, name="set_list"),
    path("criteria/manage/upload/", views.upload, name="upload"),
    path("criteria/<code:decision>/<code:product_set>/", views.sheet, name="sheet"),
    path("criteria/<code:decision>/<code:product_set>/score/", views.score, name="score"),
]
