"""Permission cases for programme statistics: the officers' page and the public API."""

from __future__ import annotations

from .framework import EVERYONE, SIGNED_IN, Case, api, page

CASES: list[Case] = [
    # ---- the statistics page: any signed-in person (the figures are public) ------------------
    page("monitoring:stats", lambda r: "/manage/stats/", SIGNED_IN),
    page("monitoring:stats#province", lambda r: "/manage/stats/?province=80", SIGNED_IN),
    page(
        "monitoring:stats#historical",
        lambda r: "/manage/stats/?province=Long+An&as_of=2025-02-19&boundaries=historical",
        SIGNED_IN,
    ),
    # An unknown province is a message on the page, not an error status.
    page("monitoring:stats#unknown", lambda r: "/manage/stats/?province=Atlantis", SIGNED_IN),
    # ---- the API: public ----------------------------------------------------------------------
    api("GET /api/v1/stats/", lambda r: "/api/v1/stats/", EVERYONE, anonymous=200),
    api(
        "GET /api/v1/stats/#province",
        lambda r: "/api/v1/stats/?province=80&by=commune",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "GET /api/v1/stats/#unknown",
        lambda r: "/api/v1/stats/?province=Atlantis",
        EVERYONE,
        ok=422,
        anonymous=422,
    ),
]
