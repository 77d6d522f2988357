from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from ocop.admin_site import CentralOnly, ReadOnly

from .models import Job, Schedule


@admin.register(Job)
class JobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "owner", "status", "done", "total", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username"]
    list_select_related = ["owner"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "due_at", "started_at", "finished_at"]


def _central_task_results_admin():
    # django-tasks-db registers its queue with Django's default permissions; put it behind the
    # same gate as everything else (the central office may inspect and clear the queue).
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, type("DBTaskResultAdmin", (CentralOnly, DBTaskResultAdmin), {}))


_central_task_results_admin()
