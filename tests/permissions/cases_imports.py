"""Permission cases for importing and exporting lists, and for background jobs."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from .framework import OFFICERS, SIGNED_IN, api, count, page

# The jobs below belong to officer_a; the central office may see everyone's.
JOB_OWNER = {"central", "officer_a"}


def _list_file():
    header = "Tên sản phẩm,Tên chủ thể,Địa chỉ,Nhóm sản phẩm,Hạng sao,Ngày công nhận\n"
    row = (
        'Mứt gừng,HTX Gừng Tây Ninh,"Xã Thái Bình, Huyện Châu Thành, Tỉnh Tây Ninh",Thực phẩm,3,01/06/2022\n'
    )
    return SimpleUploadedFile("ds.csv", (header + row).encode("utf-8"), content_type="text/csv")


def setup(records, users):
    """A checked import and a finished export of officer_a's."""
    from ocop.jobs.models import Job

    records.checked_import = Job.objects.create(
        kind="registry.import",
        owner=users["officer_a"],
        status="succeeded",
        params={"dry_run": True, "file_name": "ds.csv"},
        result={"status": "checked", "problems": []},
    )
    records.checked_import.input_file.save("ds.csv", ContentFile(_list_file().read()), save=True)
    records.export = Job.objects.create(kind="registry.export", owner=users["officer_a"], status="succeeded")
    records.export.output_file.save("ocop-80.csv", ContentFile(b"STT\n"), save=True)


def _jobs_of(actor, **filters):
    return count("jobs.job", owner__username=actor, **filters)


CASES = [
    page("registry:import_start", lambda r: "/manage/imports/", OFFICERS, denied=403),
    page(
        "registry:import_start#post",
        lambda r: "/manage/imports/",
        OFFICERS,
        method="post",
        denied=403,
        data=lambda r, g: {"file": _list_file()},
        ok=302,
        effect=lambda r, actor: _jobs_of(actor, kind="registry.import", params__dry_run=True) >= 1,
    ),
    page("registry:import_template", lambda r: "/manage/imports/template/", OFFICERS, denied=403),
    page(
        "registry:import_confirm",
        lambda r: f"/manage/imports/{r.checked_import.pk}/confirm/",
        JOB_OWNER,
        method="post",
        ok=302,
        effect=lambda r, actor: _jobs_of(actor, kind="registry.import", params__dry_run=False) == 1,
    ),
    page(
        "registry:product_export",
        lambda r: "/manage/products/export/",
        SIGNED_IN,
        method="post",
        data=lambda r, g: {"format": "csv", "status": "valid"},
        ok=302,
        effect=lambda r, actor: _jobs_of(actor, kind="registry.export", params__format="csv") == 1,
    ),
    page("jobs:list", lambda r: "/jobs/", SIGNED_IN),
    page("jobs:queue", lambda r: "/manage/jobs/", {"central"}),
    page("jobs:detail", lambda r: f"/jobs/{r.checked_import.pk}/", JOB_OWNER),
    page("jobs:progress", lambda r: f"/jobs/{r.checked_import.pk}/progress/", JOB_OWNER),
    page("jobs:download", lambda r: f"/jobs/{r.export.pk}/download/", JOB_OWNER),
    api(
        "POST /api/v1/imports",
        lambda r: "/api/v1/imports",
        OFFICERS,
        ok=202,
        denied=403,
        data=lambda r, g: {"file": _list_file(), "dry_run": "true"},
        extra={"multipart": True},
        effect=lambda r, actor: _jobs_of(actor, kind="registry.import") >= 1,
    ),
    api("GET /api/v1/imports/template", lambda r: "/api/v1/imports/template", OFFICERS, denied=403),
    api(
        "POST /api/v1/imports/{job_id}/confirm",
        lambda r: f"/api/v1/imports/{r.checked_import.pk}/confirm",
        JOB_OWNER,
        ok=202,
        effect=lambda r, actor: _jobs_of(actor, kind="registry.import", params__dry_run=False) == 1,
    ),
    api(
        "POST /api/v1/exports",
        lambda r: "/api/v1/exports",
        SIGNED_IN,
        ok=202,
        data=lambda r, g: {"format": "xlsx", "province": "80"},
        effect=lambda r, actor: _jobs_of(actor, kind="registry.export", params__format="xlsx") == 1,
    ),
    api("GET /api/v1/jobs/{job_id}", lambda r: f"/api/v1/jobs/{r.checked_import.pk}", JOB_OWNER),
    api("GET /api/v1/jobs/{job_id}/download", lambda r: f"/api/v1/jobs/{r.export.pk}/download", JOB_OWNER),
]
