"""Background job handlers of traceability: large EPCIS captures and label sheets.

Thin: they read the job's parameters and call the service or the renderer. Registered with the
jobs app in TraceConfig.ready.
"""

from django.core.files.base import ContentFile

from .models import Batch, CaptureJob
from .printing import label_sheet
from .services import capture_run


def capture(job, progress) -> dict:
    capture_job = CaptureJob.objects.get(pk=job.params["capture"])
    capture_job = capture_run(capture_job, progress=progress)
    return {
        "capture": str(capture_job.pk),
        "captured": capture_job.captured,
        "errors": len(capture_job.errors),
    }


def labels(job, progress) -> dict:
    params = job.params
    batch = Batch.objects.select_related("product").get(pk=params["batch"])
    serials = range(params["first"], params["first"] + params["count"])
    progress(0, len(serials), "")
    content, name, _content_type = label_sheet(
        batch, serials, per_page=params["per_page"], fmt=params["format"]
    )
    job.output_file.save(name, ContentFile(content), save=True)
    progress(len(serials), len(serials), "")
    return {"labels": len(serials), "first": serials.start, "last": serials[-1], "file": name}
