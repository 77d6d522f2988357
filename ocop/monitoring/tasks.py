"""Background job of the monitoring app: writing a quarterly report. Thin: reads the job's
parameters and calls :mod:`ocop.monitoring.reports`. Registered in MonitoringConfig.ready."""

from django.core.files.base import ContentFile
from django.utils import translation

from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province

from . import presenting, reports


def quarterly_report(job, progress) -> dict:
    params = job.params
    province = Province.objects.get(era_id=CURRENT, code=params["province"])
    with translation.override(params.get("language") or "vi"):
        report = reports.quarterly_report(
            province=province,
            year=int(params["year"]),
            quarter=int(params["quarter"]),
            boundaries=params.get("boundaries") or "current",
            user=job.owner,
            link=presenting.absolute_link(params.get("base_url") or ""),
            progress=progress,
        )
        if params.get("format") == "pdf":
            content, suffix = reports.write_pdf(report), "pdf"
        else:
            content, suffix = reports.write_xlsx(report), "xlsx"
    name = f"bao-cao-ocop-{province.code}-{report.year}-q{report.quarter}.{suffix}"
    job.output_file.save(name, ContentFile(content), save=True)
    sections = len(report.sections)
    progress(sections + 1, sections + 1, name, force=True)
    return {
        "province": province.name,
        "quarter": f"{report.quarter}/{report.year}",
        "products": sum(s.board.products.value for s in report.sections),
        "file": name,
    }
