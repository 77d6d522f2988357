from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("manage/stats/", views.stats, name="stats"),
    path("manage/dashboard/", views.dashboard_home, name="dashboard"),
    path("manage/dashboard/province/<code:code>/", views.dashboard_province, name="dashboard_province"),
    path("manage/dashboard/commune/<code:code>/", views.dashboard_commune, name="dashboard_commune"),
    path("manage/dashboard/rows/", views.figure_rows, name="figure_rows"),
    path("manage/targets/", views.target_list, name="targets"),
    path("manage/targets/new/", views.target_create, name="target_create"),
    path("manage/targets/<id:pk>/edit/", views.target_edit, name="target_edit"),
    path("manage/targets/<id:pk>/delete/", views.target_delete, name="target_delete"),
    path("manage/reports/", views.reports, name="reports"),
    path("manage/craft-villages/", views.craft_villages, name="craft_villages"),
    path("manage/craft-villages/new/", views.craft_village_edit, name="craft_village_create"),
    path("manage/craft-villages/<id:pk>/edit/", views.craft_village_edit, name="craft_village_edit"),
]
