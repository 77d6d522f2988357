"""Long work done in the background (imports, exports, label sheets), with its progress."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.storage import private_storage

from .choices import JobStatus
from .kinds import LABELS


def _job_path(instance, filename):
    return f"jobs/{instance.pk}/{filename}"


class Job(models.Model):
    """One piece of background work, owned by the person who asked for it.

    Progress and results live here, not in the task queue, so that the page, the API and the
    command show the same thing whichever backend ran the work.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to=_job_path, storage=private_storage, blank=True)
    output_file = models.FileField(upload_to=_job_path, storage=private_storage, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # host:pid:start of the process running the job, so that a job whose process died (killed,
    # out of memory) is found instead of staying "running" (jobs_recover): queued again when its
    # kind may run again and it has runs left (``attempts`` counts the runs begun), else failed.
    worker = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(owner="owner")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="jobs_owner_created")]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        return str(LABELS.get(self.kind, self.kind))

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Schedule(models.Model):
    """When a piece of periodic work (:mod:`ocop.jobs.periodic`) is next due, and how its last
    turn went. A process runs a turn only when its conditional update moved ``due_at`` on, so
    of all the web processes exactly one does each turn."""

    name = models.CharField(_("name"), max_length=60, primary_key=True)
    due_at = models.DateTimeField(_("next due"))
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("periodic work")
        verbose_name_plural = _("periodic work")

    def __str__(self):
        return self.name
