from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("manage/stats/", views.stats, name="stats"),
]
