"""A job's page: its progress while it runs (polled with htmx), then its result; and the whole
queue for the central office."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import select_template
from django.views.decorators.http import require_GET

from ocop.accounts import gate
from ocop.accounts.choices import Action

from . import selectors
from .models import Job


def _job(request, pk) -> Job:
    return gate.get_or_404(Job.objects.all(), request.user, Action.VIEW, pk=pk)


def result_template(job: Job):
    """Each kind of job may show its result its own way (jobs/result_<kind>.html)."""
    return select_template([f"jobs/result_{job.kind.replace('.', '_')}.html", "jobs/result_default.html"])


@login_required
@require_GET
def job_list(request):
    jobs = gate.restrict(Job.objects.all(), request.user, Action.VIEW).filter(owner=request.user)[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
@require_GET
def job_queue(request):
    """The whole queue, for the central office: others are told it does not exist."""
    if not gate.actor_of(request.user).is_central:
        raise Http404("No page here.")
    return render(request, "jobs/queue.html", {"queue": selectors.queue_state()})


@login_required
@require_GET
def job_detail(request, pk):
    job = _job(request, pk)
    return render(request, "jobs/job.html", {"job": job, "result_template": result_template(job)})


@login_required
@require_GET
def job_progress(request, pk):
    job = _job(request, pk)
    return render(request, "jobs/_progress.html", {"job": job, "result_template": result_template(job)})


@login_required
@require_GET
def job_download(request, pk):
    job = _job(request, pk)
    if not job.output_file:
        raise Http404("This job has no file.")
    name = job.output_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=name)
