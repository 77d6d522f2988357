"""/manage/jobs/: the job queue's backlog and failures, for the central office only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocop.jobs.models import Job


def _job(owner, status, *, age_minutes=0, error="", finished_hours_ago=None):
    job = Job.objects.create(kind="registry.import", owner=owner, status=status, error=error)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        created_at=now - timedelta(minutes=age_minutes),
        started_at=now - timedelta(minutes=age_minutes) if status != "queued" else None,
        finished_at=now - timedelta(hours=finished_hours_ago) if finished_hours_ago is not None else None,
    )
    return job


@pytest.fixture
def queue(officer_a, owner_a):
    _job(officer_a, "queued", age_minutes=125)
    _job(owner_a, "queued", age_minutes=3)
    _job(officer_a, "running", age_minutes=1)
    _job(officer_a, "succeeded", finished_hours_ago=1)
    _job(owner_a, "failed", error="ValueError: sheet “DS” has no header row", finished_hours_ago=2)
    _job(officer_a, "failed", error="MemoryError", finished_hours_ago=30)


@pytest.mark.django_db
def test_the_central_office_sees_the_backlog_and_the_failures(central, queue):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(central)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/manage/jobs/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<td id="queued">2</td>' in page
    oldest = page.split('<td id="oldest-queued">')[1].split("</td>")[0]
    # Django's Vietnamese catalogue has no "hours"; the figure is what matters: the job of 125 minutes.
    assert oldest.replace("\xa0", " ") in {"2 giờ, 5 phút", "2 hours, 5 minutes"}, oldest
    assert '<td id="running">1</td>' in page
    assert '<td id="failed-recently">1</td>' in page
    failures = page.split('id="failures"')[1].split("</table>")[0]
    assert failures.count("<details>") == 2
    assert failures.index("has no header row") < failures.index("MemoryError")  # newest first
    assert "Hàng đợi công việc" in page and "Lỗi gần đây" in page
    # session, user, grants, the figures, the failures with their owners, the periodic work
    assert len(ctx.captured_queries) == 6


@pytest.mark.django_db
def test_only_the_central_office_has_the_page_and_its_menu_link(client, central, officer_a, owner_a, queue):
    client.force_login(central)
    assert 'href="/manage/jobs/"' in client.get("/jobs/").content.decode()
    for other in (officer_a, owner_a):
        client.force_login(other)
        assert client.get("/manage/jobs/").status_code == 404
        assert 'href="/manage/jobs/"' not in client.get("/jobs/").content.decode()


@pytest.mark.django_db
def test_an_empty_queue(client, central):
    client.force_login(central)
    page = client.get("/manage/jobs/").content.decode()
    assert '<td id="queued">0</td>' in page and '<td id="oldest-queued">—</td>' in page
    assert "No failed jobs." in page
