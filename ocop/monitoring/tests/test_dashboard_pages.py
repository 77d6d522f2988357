"""The dashboards, figure lists, targets page, reports and API as officers use them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.monitoring.dashboard import dashboard
from ocop.monitoring.units import Unit

from .test_queries import grow


@pytest.fixture
def filled(registry, units):
    grow(registry, units, 8)
    return registry


def _numbers(html: str) -> list[str]:
    return re.findall(r'<span class="stat">([\d.]+)</span>', html)


def test_the_national_dashboard_shows_its_figures_charts_and_map(client, officers, filled):
    client.force_login(officers.central)
    response = client.get("/manage/dashboard/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    board = dashboard(
        unit=Unit(era=CURRENT), as_of=timezone.localdate(), boundaries="current", user=officers.central
    )
    assert _numbers(html)[0] == str(board.products.value)
    assert board.products.value == 12  # 8 producers with 1-4 products of 2-5 stars: 0+1+2+3, twice
    # Seven charts and a map of the 34 provinces, all SVG, every province a link to its dashboard.
    assert html.count('<figure class="chart"') == 7
    assert html.count('<path d="M') >= 34
    assert html.count('href="/manage/dashboard/province/') >= 34
    assert "Quyết định 919/QĐ-TTg" in html  # the national targets, with their legal basis
    # Vietnamese writes decimals with a comma; SVG geometry must not (it drew nothing then).
    assert 'lang="vi"' in html
    assert not re.search(r'\b(?:x|y|x1|x2|y1|y2|width|height|cx|cy|viewBox)="[^"]*\d,\d', html)
    assert re.search(r'<rect x="\d+(\.\d+)?" y="\d+(\.\d+)?" width="\d+(\.\d+)?"', html)


def test_officers_are_sent_to_their_own_dashboard(client, officers, filled, units):
    client.force_login(officers.tay_ninh)
    response = client.get("/manage/dashboard/?as_of=2026-01-05")
    assert response.status_code == 302
    assert response.url == "/manage/dashboard/province/80/?as_of=2026-01-05"
    client.force_login(officers.ward)
    assert client.get("/manage/dashboard/").url == f"/manage/dashboard/commune/{units.long_an_ward.code}/"


def test_an_officer_sees_nothing_of_another_province(client, officers, filled, units):
    client.force_login(officers.vinh_long)
    assert client.get("/manage/dashboard/province/80/").status_code == 404
    assert client.get(f"/manage/dashboard/commune/{units.long_an_ward.code}/").status_code == 404
    assert client.get("/manage/dashboard/rows/?kind=counted&province=80&day=2026-01-01").status_code == 404
    assert client.get("/api/v1/monitoring/dashboard?province=80").status_code == 404
    # Before 1 July 2025, old Long An belongs to the officers of the province it became part of.
    history = "/manage/dashboard/province/80/?as_of=2025-03-31&boundaries=historical"
    assert client.get(history).status_code == 404
    client.force_login(officers.tay_ninh)
    response = client.get(history)
    assert response.status_code == 200
    assert "Tỉnh Long An" in response.content.decode()


def test_a_dashboard_costs_the_same_queries_whatever_the_registry_size(client, officers, registry, units):
    client.force_login(officers.central)
    grow(registry, units, 4)
    counts = []
    for more in (0, 30):
        grow(registry, units, more)
        for url in ("/manage/dashboard/", "/manage/dashboard/province/80/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:]
    assert counts[0] <= 60


def test_the_rows_behind_a_figure_as_a_page_and_a_csv(client, officers, filled, units):
    client.force_login(officers.tay_ninh)
    today = timezone.localdate().isoformat()
    page = client.get(f"/manage/dashboard/rows/?kind=counted&province=80&day={today}&stars=3")
    assert page.status_code == 200
    board = dashboard(
        unit=Unit(era=CURRENT, province=units.tay_ninh),
        as_of=timezone.localdate(),
        boundaries="current",
        user=officers.tay_ninh,
    )
    html = page.content.decode()
    assert f"<strong>{board.by_stars[3].value}</strong>" in html
    response = client.get(f"/manage/dashboard/rows/?kind=counted&province=80&day={today}&stars=3&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 8  # product, producer, where, stars, decision, three dates
    assert len(rows) - 1 == board.by_stars[3].value > 0
    assert {row[3] for row in rows[1:]} == {"★★★"}


def test_nonsense_figure_parameters_are_not_found(client, officers):
    client.force_login(officers.central)
    for query in (
        "kind=everything&day=2026-01-01",
        "kind=counted",
        "kind=new&day=2026-01-01",
        "kind=counted&day=2026-13-01",
        "kind=counted&day=2026-01-01&stars=9",
        "kind=counted&day=2026-01-01&province=99",
    ):
        assert client.get(f"/manage/dashboard/rows/?{query}").status_code == 404, query


def test_the_api_gives_the_dashboard_figures_with_their_links(client, officers, filled, units):
    client.force_login(officers.tay_ninh)
    body = client.get("/api/v1/monitoring/dashboard?province=80").json()
    board = dashboard(
        unit=Unit(era=CURRENT, province=units.tay_ninh),
        as_of=timezone.localdate(),
        boundaries="current",
        user=officers.tay_ninh,
    )
    assert body["unit"] == {"level": "province", "era": CURRENT, "code": "80", "name": "Tỉnh Tây Ninh"}
    assert body["products"]["value"] == board.products.value
    assert {k: v["value"] for k, v in body["by_stars"].items()} == {
        str(k): v.value for k, v in board.by_stars.items()
    }
    assert len(body["quarters"]) == 8
    assert body["products"]["rows_url"].startswith("http://testserver/manage/dashboard/rows/?kind=counted")
    listed = client.get(body["by_stars"]["5"]["rows_url"])
    assert f"<strong>{board.by_stars[5].value}</strong>" in listed.content.decode()
    bad = client.get("/api/v1/monitoring/dashboard?province=99")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "province"]


def test_targets_through_the_api(client, officers, units):
    client.force_login(officers.tay_ninh)
    created = client.post(
        "/api/v1/monitoring/targets",
        {
            "province": "80",
            "measure": "products_new",
            "stars": 3,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "value": "30",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] in ("on_track", "behind")
    refused = client.post(
        "/api/v1/monitoring/targets",
        {
            "province": "80",
            "measure": "products_new",
            "stars": 9,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "value": "30",
        },
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "stars"]
    listed = client.get("/api/v1/monitoring/targets?province=80").json()
    assert [t["measure"] for t in listed] == ["products_new"]
    national = client.get("/api/v1/monitoring/targets?province=national").json()
    assert {t["value"] for t in national if t["measure"] == "products_min_stars"} == {"10000.00"}


def test_a_province_officer_sets_a_target_on_the_page_and_sees_it(client, officers, units):
    client.force_login(officers.tay_ninh)
    form = client.get("/manage/targets/new/").content.decode()
    assert "Tỉnh Vĩnh Long" not in form  # only their province is offered
    response = client.post(
        "/manage/targets/new/",
        {
            "province": units.tay_ninh.pk,
            "measure": "showrooms",
            "period_start": "2026-01-01",
            "period_end": "2030-12-31",
            "value": "5",
        },
    )
    assert response.status_code == 302
    page = client.get("/manage/dashboard/province/80/").content.decode()
    assert "Điểm giới thiệu và bán sản phẩm OCOP" in page or "OCOP introduction and sales points" in page
    bad = client.post(
        "/manage/targets/new/",
        {
            "province": units.tay_ninh.pk,
            "measure": "showrooms",
            "stars": "4",
            "period_start": "2026-01-01",
            "period_end": "2030-12-31",
            "value": "5",
        },
    )
    assert bad.status_code == 200
    assert "errorlist" in bad.content.decode()


# --------------------------------------------------------------------------------------------
# Quarterly reports
# --------------------------------------------------------------------------------------------


def _report_form(units, **data) -> dict:
    """Tây Ninh's workbook for the first quarter of 2025, on today's boundaries, unless ``data``
    says otherwise."""
    form = {"province": units.tay_ninh.pk, "year": "2025", "quarter": "1", "boundaries": "current"}
    return {**form, "format": "xlsx", **data}


def _report(client, units, capture, **data):
    from ocop.jobs.models import Job

    with capture(execute=True):
        response = client.post("/manage/reports/", _report_form(units, **data))
    assert response.status_code == 302, response.content
    job = Job.objects.get(kind="monitoring.report")
    assert job.status == "succeeded", job.error
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    return job, b"".join(download.streaming_content) if hasattr(
        download, "streaming_content"
    ) else download.content


def test_the_quarterly_workbook_has_the_dashboard_figures_and_their_links(
    client, officers, filled, units, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    client.force_login(officers.tay_ninh)
    _job, content = _report(client, units, django_capture_on_commit_callbacks)
    book = load_workbook(io.BytesIO(content))
    summary = book.worksheets[0]
    assert summary["A1"].value.startswith(("Báo cáo", "Report"))
    board = dashboard(
        unit=Unit(era=CURRENT, province=units.tay_ninh),
        as_of=date(2025, 3, 31),
        boundaries="current",
        user=officers.tay_ninh,
    )
    # Row 7: OCOP products; column C: the end of the quarter, a link to its rows.
    assert summary["C7"].value == board.products.value
    assert summary["C7"].hyperlink.target.startswith(
        "http://testserver/manage/dashboard/rows/?kind=counted&province=80&day=2025-03-31"
    )
    assert [ws.title for ws in book.worksheets][:3] in (
        ["Tổng hợp", "Theo xã", "Chỉ tiêu"],
        ["Summary", "By commune", "Targets"],
    )
    by_commune = book.worksheets[1]
    listed = {row[0].value: row[2].value for row in by_commune.iter_rows(min_row=3) if row[0].value}
    assert sum(v for v in listed.values() if isinstance(v, int)) == sum(
        s.products.value for s in board.subunits
    )


def test_the_quarterly_pdf_on_historical_boundaries_reports_the_old_provinces(
    client, officers, filled, units, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    client.force_login(officers.tay_ninh)
    _job, content = _report(
        client, units, django_capture_on_commit_callbacks, boundaries="historical", format="pdf"
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    # One section per province of the time that formed today's Tây Ninh, in code order; each
    # section's first figure line is its products at the end of the previous quarter and now.
    sections = text.split("\nTỉnh ")[1:]
    assert [s.split("\n")[0] for s in sections] == ["Tây Ninh", "Long An"]
    for old, section in zip((units.old_tay_ninh, units.old_long_an), sections, strict=True):
        now = dashboard(
            unit=Unit(era=LEGACY, province=old),
            as_of=date(2025, 3, 31),
            boundaries="historical",
            user=officers.tay_ninh,
        )
        before = dashboard(
            unit=Unit(era=LEGACY, province=old),
            as_of=date(2024, 12, 31),
            boundaries="historical",
            user=officers.tay_ninh,
        )
        first = section.split("\n")[3]
        assert first.split()[-3:-1] == [str(before.products.value), str(now.products.value)], first


def test_the_quarterly_pdf_has_the_targets_and_the_recognitions_of_the_quarter_in_full(
    officers, filled, units
):
    from decimal import Decimal

    from django.utils import translation
    from pypdf import PdfReader

    from ocop.monitoring import presenting, reports
    from ocop.monitoring.charts import format_number
    from ocop.monitoring.choices import TargetStatus
    from ocop.monitoring.models import Target
    from ocop.officialpdf import vn_date

    Target.objects.create(
        province=units.tay_ninh,
        measure="products_min_stars",
        stars=3,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        value=Decimal(40),
    )
    producer = filled.producer(
        province=units.tay_ninh, name="Hợp tác xã Nông nghiệp Dịch vụ Tổng hợp Long An và Vùng phụ cận"
    )
    long_name = "Bánh tráng phơi sương Trảng Bàng loại đặc biệt đóng hộp quà tặng"
    filled.recognise(filled.product(producer, name=long_name), 4, date(2025, 2, 3))
    with translation.override("en"):
        report = reports.quarterly_report(
            province=units.tay_ninh,
            year=2025,
            quarter=1,
            boundaries="current",
            user=officers.tay_ninh,
            link=presenting.absolute_link("https://ocop.example"),
        )
        content = reports.write_pdf(report)
    lines = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split("\n")
    (row,) = report.sections[0].board.targets
    p = row.progress
    assert (p.target, p.actual) == (Decimal(40), Decimal(report.sections[0].board.products.value))
    figures = [format_number(float(v)) for v in (p.target, p.actual, p.pace_needed)]
    expected = f"{row.description} {figures[0]} {figures[1]} {TargetStatus(p.status).label} {figures[2]}"
    assert expected in lines
    # Section IV's headings each whole, on one line (narrow columns broke them into each other).
    assert "Target Target value Now Status Per quarter" in lines
    # An official document whatever the reader's language: national title and motto, the
    # province's people's committee, a number to fill in, the place and date, the signature block.
    head = lines[:8]
    for line in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH TÂY NINH",
        "Số: ……/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Tây Ninh, {vn_date(report.written_on)}",
    ):
        assert line in head, head
    assert "TM. ỦY BAN NHÂN DÂN" in lines and "(Ký, ghi rõ họ tên, đóng dấu)" in lines
    # The recognitions decided in the quarter, each name whole (a long one wraps in its cell).
    assert "Recognitions decided in the quarter (1)" in lines
    text = " ".join(lines)
    assert long_name in text and producer.name in text


def test_a_report_for_another_province_is_refused(client, officers, units):
    from ocop.jobs.models import Job

    client.force_login(officers.vinh_long)
    response = client.post("/manage/reports/", _report_form(units))
    assert response.status_code == 200  # the form offers only their province
    assert not Job.objects.exists()


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def test_the_commands_print_the_figures_of_the_api(client, officers, filled):
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("dashboard", "--province", "80", "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    client.force_login(officers.tay_ninh)
    served = client.get("/api/v1/monitoring/dashboard?province=80").json()
    assert printed["products"]["value"] == served["products"]["value"] > 0
    assert [q["counts"]["new"]["value"] for q in printed["quarters"]] == [
        q["counts"]["new"]["value"] for q in served["quarters"]
    ]
    out = io.StringIO()
    call_command("targets", "--province", "national", "--as-of", "2025-12-31", "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    served = client.get("/api/v1/monitoring/targets?province=national&as_of=2025-12-31").json()
    assert [(t["measure"], t["actual"], t["status"]) for t in printed] == [
        (t["measure"], t["actual"], t["status"]) for t in served
    ]
    assert len(printed) == 8


def test_the_commands_refuse_unknown_units(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="province"):
        call_command("dashboard", "--province", "99", stdout=io.StringIO())
    with pytest.raises(CommandError, match="99"):
        call_command("targets", "--province", "99", stdout=io.StringIO())


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cached_figures_change_with_any_write_to_what_they_count(client, settings, units, registry):
    """Database triggers change the data version on every write, however it is made: a bulk
    update here, which no service sees."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from ocop.accounts.models import Grant
    from ocop.monitoring.models import DataVersion
    from ocop.registry.models import Recognition

    settings.OCOP_DASHBOARD_CACHE_SECONDS = 600
    cache.clear()
    user = get_user_model().objects.create_user("c2", password="x")
    Grant.objects.create(user=user, role="central")
    grow(registry, units, 8)
    client.force_login(user)
    url = "/manage/dashboard/province/80/"
    first = _numbers(client.get(url).content.decode())[0]
    with CaptureQueriesContext(connection) as cold:
        client.get("/manage/dashboard/province/86/")
    with CaptureQueriesContext(connection) as warm:
        assert _numbers(client.get("/manage/dashboard/province/86/").content.decode())
    assert len(warm) < len(cold) // 2

    before = DataVersion.current()
    Recognition.objects.filter(product__producer__province=units.tay_ninh).update(revoked_on=date(2024, 2, 1))
    assert DataVersion.current() > before
    assert first != "0"
    assert _numbers(client.get(url).content.decode())[0] == "0"  # every recognition revoked: none count


# --------------------------------------------------------------------------------------------
# Names that look like formulas stay text in every file officers download
# --------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def test_a_formula_like_name_is_text_in_the_rows_csv_and_the_quarterly_workbook(
    client, officers, registry, units, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    producer = registry.producer(province=units.tay_ninh, commune=units.long_an_ward)
    registry.recognise(registry.product(producer, name=FORMULA), 3, date(2025, 2, 1))
    client.force_login(officers.tay_ninh)

    response = client.get("/manage/dashboard/rows/?kind=counted&province=80&day=2025-03-31&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'" + FORMULA]  # shown by a spreadsheet, never run

    _job, content = _report(client, units, django_capture_on_commit_callbacks)
    decided = load_workbook(io.BytesIO(content)).worksheets[3]
    cell = decided["A4"]
    assert (cell.value, cell.data_type) == (FORMULA, "s")  # a text cell, not a formula


def test_the_national_dashboard_on_historical_boundaries_counts_the_old_provinces(client, officers, filled):
    """Before 1 July 2025 the country had 63 provinces: the national dashboard on historical
    boundaries counts by them (it once refused, as if the country were a unit of today only)."""
    client.force_login(officers.central)
    response = client.get("/manage/dashboard/?boundaries=historical&as_of=2024-06-30")
    assert response.status_code == 200
    html = response.content.decode()
    board = dashboard(
        unit=Unit(era=LEGACY), as_of=date(2024, 6, 30), boundaries="historical", user=officers.central
    )
    assert _numbers(html)[0] == str(board.products.value) == "12"
    assert len(board.subunits) == 63
    # Old Long An (code 80, today new Tây Ninh's) holds the four producers of Phường Long An, all
    # from old Tân An: two with one 2-star product (not OCOP), two with one of three stars.
    long_an = next(s for s in board.subunits if s.code == "80")
    assert (long_an.name, long_an.products.value) == ("Tỉnh Long An", 2)
    assert 'href="/manage/dashboard/province/80/?as_of=2024-06-30&amp;boundaries=historical"' in html
    # The same figures as the API gives for the country on those boundaries.
    api = client.get("/api/v1/monitoring/dashboard?boundaries=historical&as_of=2024-06-30").json()
    assert api["unit"]["era"] == LEGACY
    assert api["products"]["value"] == board.products.value
