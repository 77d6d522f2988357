"""Importing from the officer pages and the API: upload, progress, preview, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.jobs.models import Job
from ocop.registry.models import Producer, Recognition

from .listfiles import xlsx
from .test_import import HEADER, ROWS, TITLES


def _upload(rows=ROWS):
    return SimpleUploadedFile("ds-ocop.xlsx", xlsx(HEADER, rows, titles=TITLES))


@pytest.mark.django_db
def test_upload_check_preview_confirm(client, central, django_capture_on_commit_callbacks):
    client.force_login(central)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/imports/", {"file": _upload()})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert (job.status, job.result["status"], job.done, job.total) == ("succeeded", "checked", 5, 5)
    assert Producer.objects.count() == 0  # checked, not written

    page = client.get(response.url).content.decode()
    assert "Confirm the import" in page
    assert "Bánh tét lá cẩm" in page  # the preview names what will be created

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/imports/{job.pk}/confirm/")
    applied = Job.objects.exclude(pk=job.pk).get()
    assert applied.result["status"] == "applied"
    assert (Producer.objects.count(), Recognition.objects.count()) == (4, 5)
    page = client.get(response.url).content.decode()
    assert "The list was imported." in page

    # A checked job cannot be applied twice through its confirm button.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/manage/imports/{applied.pk}/confirm/")
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_a_rejected_list_shows_every_problem_on_the_page(client, central, django_capture_on_commit_callbacks):
    client.force_login(central)
    rows = [list(row) for row in ROWS]
    rows[2][5] = "7 sao"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/imports/", {"file": _upload(rows)})
    page = client.get(response.url).content.decode()
    assert "The list was rejected: nothing was written." in page
    assert '<td class="num">7</td><td>Hạng sao</td><td>7 sao</td>' in page
    assert "Confirm the import" not in page


@pytest.mark.django_db
def test_the_progress_partial_polls_until_the_job_ends(client, central):
    client.force_login(central)
    job = Job.objects.create(
        kind="registry.import",
        owner=central,
        status="running",
        done=1500,
        total=6000,
        message="Checking rows",
    )
    partial = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert '<progress max="6000" value="1500"' in partial
    assert "1500 of 6000 (25%)" in partial
    Job.objects.filter(pk=job.pk).update(status="succeeded", result={"status": "applied", "producers": {}})
    partial = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "every 1s" not in partial


@pytest.mark.django_db
def test_the_api_checks_then_imports(client, officer_a, django_capture_on_commit_callbacks):
    from ocop.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user=officer_a, name="import script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    long_an = [ROWS[4]]  # the only row in officer_a's province (the new Tây Ninh)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports", {"file": _upload(long_an)}, **auth)
    assert response.status_code == 202
    job = response.json()
    assert job["result"] == {} and job["status"] == "queued"
    polled = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()
    assert (polled["status"], polled["result"]["status"], polled["result"]["producers"]["create"]) == (
        "succeeded",
        "checked",
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{job['id']}/confirm", **auth)
    assert response.status_code == 202
    done = client.get(response.json()["url"], **auth).json()
    assert done["result"]["status"] == "applied"
    assert Producer.objects.get().province.code == "80"


@pytest.mark.django_db
def test_an_export_job_produces_a_download(client, central, records, django_capture_on_commit_callbacks):
    client.force_login(central)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/manage/products/export/", {"format": "csv", "province": records.p.province.code}
        )
    job = Job.objects.get(kind="registry.export")
    assert (job.status, job.result["products"]) == ("succeeded", 1)
    page = client.get(response.url).content.decode()
    assert f"/jobs/{job.pk}/download/" in page
    download = client.get(f"/jobs/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Bánh tráng phơi sương" in text and "Chè xanh Long Cốc" not in text
