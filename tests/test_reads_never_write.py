"""Reads never write: every GET the permission matrix knows, walked as a few actors, sends no
statement that changes the database. A GET that writes queues behind every writer (SQLite has
one) and turns a slow write elsewhere into a failed page here (issue 11, finding 8)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.permissions.framework import Case
from tests.test_permission_matrix import CASES, _call, world  # noqa: F401  (world is a fixture)

GETS: list[Case] = [case for case in CASES if case.method == "get"]
ACTORS = ["anonymous", "central", "officer_a", "owner_a"]
WRITE = re.compile(
    r"^\s*(SAVEPOINT|BEGIN|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE)\b", re.IGNORECASE
)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_no_get_writes_to_the_database(client, world, actor, settings):  # noqa: F811
    # Whatever work a read might find due is due on every request.
    settings.OCOP_CATALOGUE_REFRESH_SECONDS = 0
    settings.OCOP_TRACE_SCAN_FLUSH_SECONDS = 0
    records, geo, users = world
    if users[actor] is not None:
        client.force_login(users[actor])
    writes: list[tuple[str, str]] = []
    current: list[str] = [""]

    def spy(execute, sql, params, many, context):
        if WRITE.match(sql):
            writes.append((current[0], sql[:120]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        for case in GETS:
            current[0] = case.key
            response = _call(client, case, records, geo)
            assert response.status_code < 500, (case.key, response.status_code)
    assert sorted(set(writes)) == [], "\n".join(map(str, sorted(set(writes))))
