"""Permission cases for programme monitoring: statistics, dashboards, figure lists, targets,
reports, and their API."""

from __future__ import annotations

from datetime import date

from .framework import EVERYONE, SIGNED_IN, Case, api, count, page, version_of

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


# ---- dashboards, figure lists, targets and reports --------------------------------------------
# Province A is today's Tây Ninh (80), which took in old Long An (80) and old Tây Ninh (72);
# province B is Phú Thọ (25). Officers see their province's dashboard; commune officers their
# commune's; the country's is the central office's.


def setup(records, users):
    from datetime import date

    from ocop.monitoring.models import Target
    from ocop.registry.models import CraftVillage

    records.target_a = Target.objects.create(
        province=records.p.province,
        measure="products_new",
        stars=3,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        value=30,
    )
    records.target_national = Target.objects.get(key="qd919-products-3-stars")
    records.village_a = CraftVillage.objects.create(
        name="Làng bánh tráng Trảng Bàng", province=records.p.province
    )


A_DASHBOARD = {"central", "officer_a"}
A1_DASHBOARD = {"central", "officer_a", "commune_officer_a"}
SETTERS = {"central", "officer_a", "officer_b"}


def _target_form(r, geo, **changes):
    data = {
        "province": geo.province_a.pk,
        "measure": "showrooms",
        "stars": "",
        "producer_kind": "",
        "period_start": "2026-01-01",
        "period_end": "2030-12-31",
        "value": "5",
        "legal_basis": "Kế hoạch 1/KH-UBND",
        "note": "",
    }
    data.update(changes)
    return data


def _target_json(r, geo, **changes):
    return {
        "province": "80",
        "measure": "showrooms",
        "period_start": "2026-01-01",
        "period_end": "2030-12-31",
        "value": "5",
        **changes,
    }


CASES += [
    page(
        "monitoring:dashboard",
        lambda r: "/manage/dashboard/",
        {"central", "officer_a", "officer_b", "commune_officer_a"},
        ok=(200, 302),  # officers are sent to their province's or commune's dashboard
    ),
    page("monitoring:dashboard_province", lambda r: "/manage/dashboard/province/80/", A_DASHBOARD),
    page(
        "monitoring:dashboard_province#b",
        lambda r: "/manage/dashboard/province/25/",
        {"central", "officer_b"},
    ),
    page(
        "monitoring:dashboard_province#historical",
        lambda r: "/manage/dashboard/province/80/?as_of=2025-03-31&boundaries=historical",  # old Long An
        A_DASHBOARD,
    ),
    page(
        "monitoring:dashboard_commune",
        lambda r: f"/manage/dashboard/commune/{r.p.commune.code}/",
        A1_DASHBOARD,
    ),
    page(
        "monitoring:figure_rows",
        lambda r: f"/manage/dashboard/rows/?kind=counted&province=80&day={date.today().isoformat()}",
        A_DASHBOARD,
    ),
    page(
        "monitoring:figure_rows#country",
        lambda r: f"/manage/dashboard/rows/?kind=counted&day={date.today().isoformat()}&format=csv",
        {"central"},
    ),
    page("monitoring:targets", lambda r: "/manage/targets/", SIGNED_IN),
    page("monitoring:target_create", lambda r: "/manage/targets/new/", SETTERS),
    page(
        "monitoring:target_create#post",
        lambda r: "/manage/targets/new/",
        {"central", "officer_a"},
        method="post",
        data=_target_form,
        ok=302,
        denied=(200, 404),  # officer B's form offers only province B: the choice is refused
        effect=lambda r, actor: count("monitoring.target", measure="showrooms", province=r.p.province) == 1,
    ),
    page(
        "monitoring:target_edit", lambda r: f"/manage/targets/{r.target_a.pk}/edit/", {"central", "officer_a"}
    ),
    page(
        "monitoring:target_edit#post",
        lambda r: f"/manage/targets/{r.target_a.pk}/edit/",
        {"central", "officer_a"},
        method="post",
        data=lambda r, geo: _target_form(
            r,
            geo,
            measure="products_new",
            stars="3",
            value="45",
            version=version_of("monitoring.target", r.target_a.pk),
        ),
        ok=302,
        effect=lambda r, actor: count("monitoring.target", pk=r.target_a.pk, value=45) == 1,
    ),
    page(
        "monitoring:target_edit#national",
        lambda r: f"/manage/targets/{r.target_national.pk}/edit/",
        {"central"},
    ),
    page(
        "monitoring:target_delete",
        lambda r: f"/manage/targets/{r.target_a.pk}/delete/",
        {"central", "officer_a"},
        method="post",
        ok=302,
        effect=lambda r, actor: count("monitoring.target", pk=r.target_a.pk) == 0,
    ),
    page(
        "monitoring:target_delete#national",
        lambda r: f"/manage/targets/{r.target_national.pk}/delete/",
        {"central"},
        method="post",
        ok=302,
        effect=lambda r, actor: count("monitoring.target", pk=r.target_national.pk) == 0,
    ),
    page("monitoring:reports", lambda r: "/manage/reports/", SETTERS),
    page(
        "monitoring:reports#post",
        lambda r: "/manage/reports/",
        {"central", "officer_a"},
        method="post",
        data=lambda r, geo: {
            "province": geo.province_a.pk,
            "year": "2026",
            "quarter": "1",
            "boundaries": "current",
            "format": "xlsx",
        },
        ok=302,
        denied=(200, 404),
        effect=lambda r, actor: count("jobs.job", kind="monitoring.report") == 1,
    ),
    api(
        "GET /api/v1/monitoring/dashboard",
        lambda r: "/api/v1/monitoring/dashboard?province=80",
        A_DASHBOARD,
    ),
    api("GET /api/v1/monitoring/dashboard#country", lambda r: "/api/v1/monitoring/dashboard", {"central"}),
    api("GET /api/v1/monitoring/targets", lambda r: "/api/v1/monitoring/targets", EVERYONE, anonymous=200),
    api(
        "GET /api/v1/monitoring/targets/{target_id}",
        lambda r: f"/api/v1/monitoring/targets/{r.target_a.pk}",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "POST /api/v1/monitoring/targets",
        lambda r: "/api/v1/monitoring/targets",
        {"central", "officer_a"},
        data=_target_json,
        ok=201,
        effect=lambda r, actor: count("monitoring.target", measure="showrooms", province=r.p.province) == 1,
    ),
    api(
        "POST /api/v1/monitoring/targets#national",
        lambda r: "/api/v1/monitoring/targets",
        {"central"},
        data=lambda r, geo: _target_json(
            r, geo, province=None, measure="provinces_with_showroom", value="100"
        ),
        ok=201,
        effect=lambda r, actor: count("monitoring.target", measure="provinces_with_showroom") == 2,
    ),
    api(
        "PUT /api/v1/monitoring/targets/{target_id}",
        lambda r: f"/api/v1/monitoring/targets/{r.target_a.pk}",
        {"central", "officer_a"},
        data=lambda r, geo: _target_json(r, geo, measure="products_new", stars=3, value="45"),
        effect=lambda r, actor: count("monitoring.target", pk=r.target_a.pk, value=45) == 1,
    ),
    api(
        "DELETE /api/v1/monitoring/targets/{target_id}",
        lambda r: f"/api/v1/monitoring/targets/{r.target_a.pk}",
        {"central", "officer_a"},
        ok=204,
        effect=lambda r, actor: count("monitoring.target", pk=r.target_a.pk) == 0,
    ),
]


def _village_form(r, geo, **changes):
    return {
        "name": "Làng nghề mây tre đan",
        "craft": "Mây tre đan",
        "province": geo.province_a.pk,
        "commune": geo.a1.pk,
        "producers": [r.p.pk],
        **changes,
    }


CASES += [
    page("monitoring:craft_villages", lambda r: "/manage/craft-villages/?province=80", SETTERS),
    page("monitoring:craft_village_create", lambda r: "/manage/craft-villages/new/", SETTERS),
    page(
        "monitoring:craft_village_create#post",
        lambda r: "/manage/craft-villages/new/",
        {"central", "officer_a"},
        method="post",
        data=_village_form,
        ok=302,
        denied=(200, 404),  # officer B is offered only province B
        effect=lambda r, actor: (
            count("registry.producer", pk=r.p.pk, craft_village__name="Làng nghề mây tre đan") == 1
        ),
    ),
    page(
        "monitoring:craft_village_edit",
        lambda r: f"/manage/craft-villages/{r.village_a.pk}/edit/",
        {"central", "officer_a"},
    ),
    page(
        "monitoring:craft_village_edit#post",
        lambda r: f"/manage/craft-villages/{r.village_a.pk}/edit/",
        {"central", "officer_a"},
        method="post",
        data=lambda r, geo: _village_form(
            r,
            geo,
            name="Làng bánh tráng phơi sương",
            version=version_of("registry.craftvillage", r.village_a.pk),
        ),
        ok=302,
        effect=lambda r, actor: (
            count("registry.craftvillage", pk=r.village_a.pk, name="Làng bánh tráng phơi sương") == 1
        ),
    ),
]
