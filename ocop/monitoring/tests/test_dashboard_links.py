"""A dashboard links only to what its viewer may open: each link is decided by the same gate
the page it opens asks."""

from __future__ import annotations

import re
from html import unescape

import pytest

from .test_queries import grow


@pytest.fixture
def filled(registry, units):
    grow(registry, units, 8)
    return registry


def _hrefs(html: str) -> set[str]:
    return {unescape(h) for h in re.findall(r'href="([^"#]+)"', html) if h.startswith("/")}


def _dashboard_links(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    return {h for h in _hrefs(response.content.decode()) if not h.startswith("/static/")}


def test_every_link_on_the_commune_officers_dashboard_opens(client, officers, filled, units):
    client.force_login(officers.ward)
    links = _dashboard_links(client, f"/manage/dashboard/commune/{units.long_an_ward.code}/")
    refused = sorted(h for h in links if client.get(h, follow=True).status_code != 200)
    assert refused == []
    # Their own figures are still linked; the country, the province and its reports are not.
    assert any(h.startswith("/manage/dashboard/rows/") for h in links)
    assert not any(h.startswith(("/manage/dashboard/?", "/manage/dashboard/province/")) for h in links)
    assert not any(h.startswith(("/manage/reports/", "/manage/craft-villages/")) for h in links)


def test_every_link_on_the_province_officers_dashboard_opens(client, officers, filled, units):
    client.force_login(officers.tay_ninh)
    links = _dashboard_links(client, f"/manage/dashboard/province/{units.tay_ninh.code}/")
    # Every page but the figures' lists, and a few of those (the commune officer's test opens all).
    rows = sorted(h for h in links if h.startswith("/manage/dashboard/rows/"))
    opened = (links - set(rows)) | set(rows[:: max(1, len(rows) // 10)])
    refused = sorted(h for h in opened if client.get(h, follow=True).status_code != 200)
    assert refused == []
    # The province's communes, its quarterly report; not the country's dashboard.
    assert any(h.startswith("/manage/dashboard/commune/") for h in links)
    assert any(h.startswith("/manage/reports/") for h in links)
    assert not any(h.startswith("/manage/dashboard/?") for h in links)
