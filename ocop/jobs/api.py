"""Jobs over HTTP: poll a job's progress and fetch its result or file."""

from datetime import datetime
from uuid import UUID

from django.http import FileResponse, Http404
from django.urls import reverse
from ninja import Router, Schema

from ocop.accounts import gate
from ocop.accounts.api import SIGNED_IN, SIGNED_IN_READ_ERRORS
from ocop.accounts.choices import Action

from .models import Job

router = Router(tags=["jobs"], auth=SIGNED_IN)


class JobOut(Schema):
    id: UUID
    kind: str
    status: str
    done: int
    total: int
    percent: int | None
    message: str
    result: dict
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str
    download_url: str | None

    @staticmethod
    def resolve_url(obj, context):
        return context["request"].build_absolute_uri(reverse("api:get_job", args=[obj.pk]))

    @staticmethod
    def resolve_download_url(obj, context):
        if not obj.output_file:
            return None
        return context["request"].build_absolute_uri(reverse("api:download_job", args=[obj.pk]))

    @staticmethod
    def resolve_error(obj):
        # The traceback stays in the database for administrators; callers get the first line.
        return obj.error.splitlines()[0] if obj.error else ""


@router.get("/{job_id}", response={200: JobOut, **SIGNED_IN_READ_ERRORS}, url_name="get_job")
def get_job(request, job_id: UUID):
    return gate.get_or_404(Job.objects.all(), request.user, Action.VIEW, pk=job_id)


@router.get("/{job_id}/download", response={404: dict, 401: dict}, url_name="download_job")
def download_job(request, job_id: UUID):
    job = gate.get_or_404(Job.objects.all(), request.user, Action.VIEW, pk=job_id)
    if not job.output_file:
        raise Http404("This job has no file.")
    return FileResponse(
        job.output_file.open("rb"), as_attachment=True, filename=job.output_file.name.rsplit("/", 1)[-1]
    )
