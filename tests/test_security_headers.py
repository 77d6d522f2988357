"""Every HTML page carries the Content-Security-Policy, and no template needs a looser one: no
inline script, no on*= handler, no javascript: link (issue 11, finding 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.permissions.framework import Case
from tests.test_permission_matrix import CASES, _call, world  # noqa: F401  (world is a fixture)

GETS: list[Case] = [case for case in CASES if case.method == "get"]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parsed = {}
    for part in header.split(";"):
        name, _space, value = part.strip().partition(" ")
        if name:
            parsed[name] = value.strip()
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["anonymous", "central", "owner_a"])
def test_every_html_page_carries_the_policy(client, world, actor):  # noqa: F811
    records, geo, users = world
    if users[actor] is not None:
        client.force_login(users[actor])
    pages = 0
    for case in GETS:
        response = _call(client, case, records, geo)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        header = response.get("Content-Security-Policy")
        assert header, f"{case.key} ({response.status_code}) has no Content-Security-Policy"
        found = directives(header)
        assert {name: found.get(name) for name in POLICY} == POLICY, case.key
    assert pages > 40


@pytest.mark.django_db
def test_error_pages_admin_and_api_documentation_carry_the_policy(client, central):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    client.force_login(central)
    for url in ("/admin/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response["Content-Security-Policy"])["script-src"] == "'self'", url


PACKAGE = Path(__file__).resolve().parent.parent / "ocop"


SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_no_template_holds_an_inline_script_or_event_handler():
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    assert len(templates) > 100
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(PACKAGE)
        for match in SCRIPT.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and not DATA_BLOCK.search(attributes):
                found.append(f"{name}: inline <script{attributes}>")
        found += [f"{name}: handler {m.group(0)[-40:]!r}" for m in HANDLER.finditer(text)]
        found += [f"{name}: javascript: URL" for _m in JAVASCRIPT_URL.finditer(text)]
    assert found == []
