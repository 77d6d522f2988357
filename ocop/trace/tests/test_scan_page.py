"""The scan page: the live status first, the batch's chain, where to buy, reporting a problem."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ocop.registry import services as registry
from ocop.trace import services
from ocop.trace.models import LocatedScan, ProblemReport, ScanCount, ScanFlag

pytestmark = pytest.mark.django_db


def banner(response) -> tuple[str, str]:
    html = response.content.decode()
    match = re.search(r'<section id="status" class="status (\w+)" role="status">(.*?)</section>', html, re.S)
    return match.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()


def test_a_valid_product_shows_its_stars_and_the_date_it_is_valid_until(client, batch_p, records):
    kind, text = banner(client.get(f"/scan/b/{batch_p.pk}/?s=3"))
    assert kind == "valid"
    assert text.startswith("★★★★ OCOP 4-star product The OCOP recognition is valid until")
    assert records.r_p.valid_until.strftime("%d/%m/%Y") in text


def test_a_revocation_shows_at_the_next_request(client, batch_p, records, officer_a):
    url = f"/scan/b/{batch_p.pk}/"
    assert banner(client.get(url))[0] == "valid"
    registry.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=date.today(), reason="Vi phạm ATTP"
    )
    kind, text = banner(client.get(url))
    assert kind == "revoked"
    assert "OCOP recognition revoked" in text and "Vi phạm ATTP" in text
    assert "★" not in text


def test_caching_keeps_a_revocation_within_a_minute(client, batch_p, settings):
    response = client.get(f"/scan/b/{batch_p.pk}/")
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    # A proxy and a browser may each keep the page this long: together under 60 seconds.
    assert "public" in response["Cache-Control"]
    assert 2 * max_age < 60
    assert settings.OCOP_TRACE_RESOLVE_CACHE_SECONDS + max_age <= 60


def test_an_expired_recognition_and_a_product_never_recognised(client, batch_p, batch_draft, records):
    records.r_p.valid_until = date.today() - timedelta(days=1)
    records.r_p.save(update_fields=["valid_until"])
    kind, text = banner(client.get(f"/scan/b/{batch_p.pk}/"))
    assert kind == "expired" and "OCOP recognition expired" in text and "★" not in text
    kind, text = banner(client.get(f"/scan/b/{batch_draft.pk}/"))
    assert kind == "never" and "Not an OCOP-recognised product" in text


def test_codes_never_issued_are_announced(client, batch_p):
    html = client.get(f"/scan/b/{batch_p.pk}/?s=99&unknown=serial").content.decode()
    assert "serial number was never issued" in html
    html = client.get(f"/scan/p/{batch_p.product_id}/?unknown=lot").content.decode()
    assert "batch code was never issued" in html


def test_the_chain_of_the_batch_in_order_and_where_to_buy(client, batch_p, owner_a, geo):
    now = timezone.now()
    for kind, hours, place in [
        ("packing", 30, ""),
        ("shipping", 5, "Cửa hàng OCOP Tân An"),
        ("harvest", 100, "Ruộng ấp 3"),
    ]:
        services.batch_step_record(
            user=owner_a,
            batch=batch_p,
            kind=kind,
            happened_at=now - timedelta(hours=hours),
            place=place,
            province=geo.province_a,
        )
    html = client.get(f"/scan/b/{batch_p.pk}/").content.decode()
    chain = re.search(r'<ol class="chain">(.*?)</ol>', html, re.S).group(1)
    labels = re.findall(r"<b>(.*?)</b>", chain)
    assert labels == ["Produced", "Harvested", "Packed", "Shipped to a shop"]
    assert 'id="where-to-buy"' in html


def test_the_page_is_light_needs_no_script_and_fits_a_phone(client, batch_p):
    response = client.get(f"/scan/b/{batch_p.pk}/")
    html = response.content.decode()
    assert len(response.content) < 100_000
    assert "<script" not in html
    assert '<link rel="stylesheet"' not in html  # styles inline: one request
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert all('loading="lazy"' in tag for tag in re.findall(r"<img[^>]*>", html))


def test_vietnamese_by_default_and_english_on_request(batch_p):
    html = Client(HTTP_ACCEPT_LANGUAGE="vi").get(f"/scan/b/{batch_p.pk}/").content.decode()
    assert '<html lang="vi">' in html
    assert 'hreflang="en"' in html
    english = Client(HTTP_ACCEPT_LANGUAGE="vi").get(f"/scan/b/{batch_p.pk}/?lang=en").content.decode()
    assert '<html lang="en">' in english and "OCOP 4-star product" in english


def test_a_shopper_reports_a_problem_and_nothing_about_them_is_kept(client, batch_p, geo):
    response = client.post(
        "/scan/report/",
        {
            "product": batch_p.product_id,
            "batch": batch_p.pk,
            "kind": "expired_mark",
            "message": "Tem còn in 5 sao",
            "province": geo.province_b.pk,
        },
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/scan/b/{batch_p.pk}/?thanks=report#report"
    report = ProblemReport.objects.get()
    assert (report.kind, report.message, report.province_id, report.batch_id) == (
        "expired_mark",
        "Tem còn in 5 sao",
        geo.province_b.pk,
        batch_p.pk,
    )
    assert "198.51.100.7" not in str(list(ProblemReport.objects.values()))


def test_reports_are_rate_limited_per_client(client, batch_p, settings):
    settings.OCOP_TRACE_REPORTS_PER_HOUR = 2
    data = {"product": batch_p.product_id, "kind": "other"}
    statuses = [client.post("/scan/report/", data, REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert client.post("/scan/report/", data, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert ProblemReport.objects.count() == 3


def test_report_limits_read_the_client_address_as_sign_in_throttling_does(client, batch_p, settings):
    """Forwarding headers are the client's own words unless a trusted proxy wrote them
    (``OCOP_PROXY_COUNT``): a new X-Real-IP or X-Forwarded-For per request buys no new quota."""
    settings.OCOP_TRACE_REPORTS_PER_HOUR = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.OCOP_PROXY_COUNT = 0
    data = {"product": batch_p.product_id, "kind": "other"}
    statuses = [
        client.post(
            "/scan/report/",
            data,
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_REAL_IP=f"192.0.2.{n}",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(2)
    ]
    assert statuses == [302, 429]
    # Behind one proxy: the address it appended counts, whatever the client put before it.
    settings.OCOP_PROXY_COUNT = 1
    behind = [
        client.post(
            "/scan/report/", data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5"
        ).status_code
        for n in range(2)
    ]
    assert behind == [302, 429]
    other = client.post("/scan/report/", data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302
    assert ProblemReport.objects.count() == 3


def test_the_same_label_in_distant_provinces_is_flagged(client, batch_p, geo):
    from ocop.geo.models import Province

    hanoi = Province.objects.current().get(code="01")
    assert (
        client.post(f"/scan/b/{batch_p.pk}/where/", {"province": geo.province_a.pk, "s": "7"}).status_code
        == 302
    )
    assert not ScanFlag.objects.exists()
    client.post(f"/scan/b/{batch_p.pk}/where/", {"province": hanoi.pk, "s": "7"}, REMOTE_ADDR="10.0.0.2")
    (flag,) = ScanFlag.objects.all()
    assert (flag.kind, flag.serial, flag.detail["provinces"]) == ("distant", "7", ["01", "80"])
    assert 1100 < flag.detail["km"] < 1250  # Hà Nội to Tân An
    assert LocatedScan.objects.count() == 2
    assert sorted(
        ScanCount.objects.filter(province__isnull=False).values_list("province__code", "count")
    ) == [("01", 1), ("80", 1)]


def test_near_provinces_and_old_scans_are_not_flagged(batch_p, geo):
    from ocop.geo.models import Province
    from ocop.trace import scans

    hcm = Province.objects.current().get(code="79")
    scans.scan_locate(batch=batch_p, serial="8", province=geo.province_a)
    scans.scan_locate(batch=batch_p, serial="8", province=hcm)  # about 40 km away
    scans.scan_locate(
        batch=batch_p, serial="9", province=geo.province_b, when=timezone.now() - timedelta(days=5)
    )
    scans.scan_locate(batch=batch_p, serial="9", province=geo.province_a)
    assert not ScanFlag.objects.exists()


def test_a_product_page_without_a_batch(client, gtins):
    kind, _text = banner(client.get(f"/scan/p/{gtins.p_recognised.pk}/"))
    assert kind == "valid"
    assert client.get(f"/scan/p/{gtins.p_draft.pk}/").status_code == 404  # no recognition, no batch


def test_where_to_buy_falls_back_to_the_shops_the_batch_went_to(client, batch_p, owner_a, geo, monkeypatch):
    from django.template.loader import get_template

    from ocop.trace import views

    monkeypatch.setattr(views, "select_template", lambda names: get_template(names[-1]))  # no market app
    html = client.get(f"/scan/b/{batch_p.pk}/").content.decode()
    assert "has not yet said which shops sell this batch" in html
    services.batch_step_record(
        user=owner_a,
        batch=batch_p,
        kind="shipping",
        happened_at=timezone.now(),
        place="Cửa hàng OCOP Tân An",
        province=geo.province_a,
    )
    buy = (
        client.get(f"/scan/b/{batch_p.pk}/")
        .content.decode()
        .split('id="where-to-buy"')[1]
        .split("</section>")[0]
    )
    assert "Cửa hàng OCOP Tân An, Tỉnh Tây Ninh" in buy
    assert "This batch was delivered to" not in client.get(f"/scan/b/{batch_p.pk}/").content.decode()


def test_step_times_are_local(batch_p, owner_a):
    moment = timezone.make_aware(datetime(2025, 11, 20, 8, 30))
    event = services.batch_step_record(
        user=owner_a, batch=batch_p, kind="packing", happened_at=moment, quantity=Decimal(50)
    )
    assert event.document["eventTimeZoneOffset"] == "+07:00"
    assert event.document["eventTime"] == "2025-11-20T01:30:00.000Z"


def test_located_scans_are_not_kept_beyond_a_month(batch_p, geo):
    from ocop.trace import scans

    scans.scan_locate(
        batch=batch_p, serial="1", province=geo.province_a, when=timezone.now() - timedelta(days=40)
    )
    scans.scan_locate(
        batch=batch_p, serial="2", province=geo.province_a, when=timezone.now() - timedelta(days=3)
    )
    scans.scan_locate(batch=batch_p, serial="3", province=geo.province_b)
    assert sorted(LocatedScan.objects.values_list("serial", flat=True)) == ["2", "3"]
    # The counts per province and day stay.
    assert sum(ScanCount.objects.filter(batch=batch_p).values_list("count", flat=True)) == 3


def test_with_the_catalogue_the_shops_the_batch_went_to_still_show(client, batch_p, owner_a, geo):
    html = client.get(f"/scan/b/{batch_p.pk}/").content.decode()
    assert "This batch was delivered to" not in html
    services.batch_step_record(
        user=owner_a,
        batch=batch_p,
        kind="shipping",
        happened_at=timezone.make_aware(datetime(2025, 11, 20, 9, 0)),
        place="Cửa hàng OCOP Tân An",
        province=geo.province_a,
    )
    html = client.get(f"/scan/b/{batch_p.pk}/").content.decode()
    assert "This batch was delivered to: Cửa hàng OCOP Tân An, Tỉnh Tây Ninh (20/11/2025)" in html
