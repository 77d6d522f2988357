"""The job queue as the central office watches it: backlog, failures, periodic work."""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from .choices import JobStatus
from .models import Job, Schedule

FAILURE_WINDOW = timedelta(hours=24)


def queue_state(*, failures: int = 20) -> dict:
    """Jobs waiting and running (with the oldest waiting one's age), failures in the last 24
    hours, the latest ``failures`` failed jobs with their error, and the periodic work's last
    turns. Three queries, however long the queue."""
    now = timezone.now()
    figures = Job.objects.aggregate(
        queued=Count("pk", filter=Q(status=JobStatus.QUEUED)),
        running=Count("pk", filter=Q(status=JobStatus.RUNNING)),
        oldest_queued=Min("created_at", filter=Q(status=JobStatus.QUEUED)),
        oldest_running=Min("started_at", filter=Q(status=JobStatus.RUNNING)),
        failed_recently=Count("pk", filter=Q(status=JobStatus.FAILED, finished_at__gte=now - FAILURE_WINDOW)),
    )
    oldest = figures["oldest_queued"]
    return {
        **figures,
        "oldest_queued_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "failures": list(
            Job.objects.filter(status=JobStatus.FAILED)
            .select_related("owner")
            .order_by("-finished_at", "-created_at")[:failures]
        ),
        "schedules": list(Schedule.objects.order_by("name")),
    }
