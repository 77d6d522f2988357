"""/health/ for load balancers, an unreachable database answered with 503, and the request log."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from ocop.jobs.choices import JobStatus
from ocop.jobs.models import Job


def _refuse(statement: str, message: str):
    """An execute wrapper that fails ``statement`` as psycopg does when PostgreSQL is gone."""

    def wrapper(execute, sql, params, many, context):
        if statement in sql:
            raise OperationalError(message) from psycopg.OperationalError(message)
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.django_db
def test_health_reports_database_cache_and_queue(client, central):
    old = Job.objects.create(kind="registry.import", owner=central)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    Job.objects.create(kind="registry.import", owner=central)
    Job.objects.create(kind="registry.export", owner=central, status=JobStatus.RUNNING)
    Job.objects.create(kind="registry.export", owner=central, status=JobStatus.SUCCEEDED)

    response = client.get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    queue = body["checks"]["queue"]
    assert (queue["ok"], queue["queued"], queue["running"], queue["backend"]) == (True, 2, 1, "immediate")
    assert 600 <= queue["oldest_queued_seconds"] < 3600


@pytest.mark.django_db
def test_health_with_an_empty_queue_has_no_oldest_job(client):
    queue = client.get("/health/").json()["checks"]["queue"]
    assert (queue["queued"], queue["oldest_queued_seconds"], queue["running"]) == (0, None, 0)


@pytest.mark.django_db
def test_health_writes_no_session_and_sets_no_cookie(client, central):
    client.force_login(central)
    session_key = client.cookies["sessionid"].value
    response = client.get("/health/")
    assert response.status_code == 200
    assert not response.cookies  # neither the session nor a CSRF token
    assert client.cookies["sessionid"].value == session_key


@pytest.mark.django_db
def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_health_is_503_without_the_database_and_names_no_host(client):
    with connection.execute_wrapper(_refuse("SELECT 1", 'connection to server at "db.internal" failed')):
        response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["queue"]["ok"] is False  # not read without a database
    assert body["checks"]["cache"]["ok"] is True
    assert b"db.internal" not in response.content


@pytest.mark.django_db
def test_health_is_503_when_the_cache_cannot_be_reached(client, settings):
    # Nothing listens on port 1: Redis' client is refused at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["checks"]["cache"]["ok"], body["checks"]["database"]["ok"]) == (
        "down",
        False,
        True,
    )


@pytest.mark.django_db
def test_health_is_503_when_the_cache_keeps_nothing(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


@pytest.mark.django_db
def test_a_page_is_503_with_retry_after_while_postgresql_is_unreachable(client, settings, records):
    settings.OCOP_BUSY_RETRY_AFTER_SECONDS = 7
    with connection.execute_wrapper(_refuse("SELECT", "server closed the connection unexpectedly")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"


@pytest.mark.django_db
def test_the_api_is_503_while_postgresql_is_unreachable(client, records):
    with connection.execute_wrapper(_refuse("SELECT", "connection failed: Connection refused")):
        response = client.get("/api/v1/stats/")
    assert response.status_code == 503
    assert "Retry-After" in response


@pytest.mark.django_db
def test_other_database_errors_stay_errors(client, records):
    # A programming mistake is not an outage: it must not be hidden behind a 503.
    def wrapper(execute, sql, params, many, context):
        raise OperationalError("no such column: x")

    client.raise_request_exception = True
    with connection.execute_wrapper(wrapper), pytest.raises(OperationalError):
        client.get("/")


def _request_lines(caplog):
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == "ocop.requests"]


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_timing_and_no_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="ocop.requests"):
        client.get("/health/?token=s3cret")
    (line,) = _request_lines(caplog)
    assert {k: line[k] for k in ("method", "path", "status", "user")} == {
        "method": "GET",
        "path": "/health/",
        "status": 200,
        "user": "-",
    }
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    assert "s3cret" not in caplog.text


@pytest.mark.django_db
def test_the_request_log_names_the_signed_in_user_and_the_status(client, central, caplog):
    client.force_login(central)
    with caplog.at_level(logging.INFO, logger="ocop.requests"):
        client.get("/accounts/me/")
        client.get("/manage/no-such-page/")
    lines = _request_lines(caplog)
    assert [(line["path"], line["status"], line["user"]) for line in lines] == [
        ("/accounts/me/", 200, central.pk),
        ("/manage/no-such-page/", 404, central.pk),
    ]


@pytest.mark.django_db
def test_the_request_log_hides_password_reset_tokens(client, caplog):
    with caplog.at_level(logging.INFO, logger="ocop.requests"):
        client.get("/accounts/reset/MQ/cb1x2y-0123456789abcdef/")
    (line,) = _request_lines(caplog)
    assert line["path"] == "/accounts/reset/…/"
    assert "0123456789abcdef" not in caplog.text
