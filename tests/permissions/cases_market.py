"""Permission cases for the catalogue and trade promotion: public pages, points of sale, supply
figures, channels, buyer enquiries, fairs, open data, and their API."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

from .framework import EVERYONE, OFFICERS, REACH_P, SIGNED_IN, api, count, page, version_of

# Point of sale "point_a" is in province A, commune a1.
REACH_POINT_A = {"central", "officer_a", "commune_officer_a"}
# Fair "fair_a" is managed by province A.
ORGANISERS_A = {"central", "officer_a"}
# Enquiries to producer P reach its staff (and the central office), no officer.
ENQUIRY_P = {"central", "owner_a"}
FAIR_ADDERS = {"central", "officer_a", "officer_b"}


def setup(records, users):
    from django.core.cache import cache
    from django.utils import timezone

    from ocop.market import services
    from ocop.market.models import (
        Enquiry,
        EnquiryMessage,
        Fair,
        FairParticipant,
        PointOfSale,
        SalesChannel,
        Stock,
    )

    cache.clear()  # rate limits of the enquiry form count per address, across tests
    today = timezone.localdate()
    geo_a, commune_a1 = records.p.province, records.p.commune
    records.point_a = PointOfSale.objects.create(
        name="Điểm OCOP A",
        kind="ocop_point",
        address="1 Hùng Vương",
        province=geo_a,
        commune=commune_a1,
        latitude=Decimal("10.54"),
        longitude=Decimal("106.41"),
    )
    records.stock_a = Stock.objects.create(point=records.point_a, product=records.p_recognised)
    records.channel_p = SalesChannel.objects.create(
        producer=records.p,
        kind="ecommerce",
        partner="Shopee",
        url="https://shopee.example/p",
        started_on=today,
    )
    records.enquiry = Enquiry.objects.create(
        producer=records.p,
        product=records.p_recognised,
        buyer_kind="exporter",
        buyer_organisation="Công ty Sao Mai",
        buyer_name="Khoa",
        buyer_email="khoa@example.com",
        key="k3y",
    )
    EnquiryMessage.objects.create(enquiry=records.enquiry, side="buyer", body="Xin báo giá 2 tấn.")
    records.enquiry_token = services.enquiry_token(records.enquiry)
    records.fair_a = Fair.objects.create(
        name="Hội chợ OCOP A",
        starts_on=today - timedelta(days=3),
        ends_on=today - timedelta(days=1),
        province=geo_a,
        organiser_province=geo_a,
    )
    records.hidden_fair = Fair.objects.create(
        name="Hội chợ chưa công bố",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=32),
        province=geo_a,
        organiser_province=geo_a,
        is_published=False,
    )
    records.participant_p = FairParticipant.objects.create(
        fair=records.fair_a, producer=records.p, booth="A1"
    )
    services.catalogue_refresh()


def _enquiry_form(r, g):
    from ocop.market import services

    return {
        "buyer_kind": "shop",
        "buyer_organisation": "Cửa hàng Quê Nhà",
        "buyer_name": "Lan",
        "buyer_email": "lan@example.com",
        "message": "Xin báo giá 50 kg mỗi tháng.",
        "contact_time": "",
        "started": services.form_started_token(time.time() - 30),
    }


CASES = [
    # ---- the public catalogue -------------------------------------------------------------------
    page("market:catalogue", lambda r: "/catalogue/?q=banh+trang", EVERYONE, anonymous=200),
    page(
        "market:product_redirect",
        lambda r: f"/catalogue/products/{r.p_recognised.pk}/",
        EVERYONE,
        ok=301,
        anonymous=301,
    ),
    # The registry's old public page: moved for good to the catalogue's, for whoever may see
    # the product there (a draft stays 404 for the public, as it was).
    page("market:product_old", lambda r: f"/products/{r.p_recognised.pk}/", EVERYONE, ok=301, anonymous=301),
    page("market:product_old#draft", lambda r: f"/products/{r.p_draft.pk}/", REACH_P, ok=301, anonymous=404),
    page(
        "market:product",
        lambda r: f"/catalogue/products/{r.p_recognised.pk}/banh-trang-phoi-suong/",
        EVERYONE,
        anonymous=200,
    ),
    # A draft is shown only to whoever may see it in the registry (a preview).
    page(
        "market:product#draft",
        lambda r: f"/catalogue/products/{r.p_draft.pk}/mut-dua-non/",
        REACH_P,
        anonymous=404,
    ),
    page("market:producer", lambda r: f"/catalogue/producers/{r.p.pk}/", EVERYONE, anonymous=200),
    page(
        "market:enquiry_create", lambda r: f"/catalogue/producers/{r.p.pk}/enquire/", EVERYONE, anonymous=200
    ),
    page(
        "market:enquiry_create#post",
        lambda r: f"/catalogue/producers/{r.p.pk}/enquire/",
        EVERYONE,
        method="post",
        data=_enquiry_form,
        ok=302,
        anonymous=302,
        effect=lambda r, actor: count("market.enquiry", buyer_email="lan@example.com") == 1,
    ),
    page(
        "market:enquiry_thread",
        lambda r: f"/catalogue/enquiries/{r.enquiry_token}/",
        EVERYONE,
        anonymous=200,
    ),
    page(
        "market:enquiry_thread#post",
        lambda r: f"/catalogue/enquiries/{r.enquiry_token}/",
        EVERYONE,
        method="post",
        data=lambda r, g: {"message": "Chúng tôi cần hàng trước tháng 3."},
        ok=302,
        anonymous=302,
        effect=lambda r, actor: count("market.enquirymessage", enquiry=r.enquiry) == 2,
    ),
    page(
        "market:enquiry_thread#forged",
        lambda r: f"/catalogue/enquiries/{r.enquiry.pk}.k3y:forged/",
        set(),
        anonymous=404,
    ),
    page("market:point_list", lambda r: "/catalogue/points-of-sale/?view=map", EVERYONE, anonymous=200),
    page("market:point_coverage", lambda r: "/catalogue/points-of-sale/coverage/", EVERYONE, anonymous=200),
    page(
        "market:point_detail", lambda r: f"/catalogue/points-of-sale/{r.point_a.pk}/", EVERYONE, anonymous=200
    ),
    page("market:fair_list", lambda r: "/catalogue/fairs/", EVERYONE, anonymous=200),
    page("market:fair_detail", lambda r: f"/catalogue/fairs/{r.fair_a.pk}/", EVERYONE, anonymous=200),
    page(
        "market:fair_detail#unpublished",
        lambda r: f"/catalogue/fairs/{r.hidden_fair.pk}/",
        ORGANISERS_A,
        anonymous=404,
    ),
    page("market:open_data", lambda r: "/open-data/", EVERYONE, anonymous=200),
    page("market:open_data_package", lambda r: "/open-data/datapackage.json", EVERYONE, anonymous=200),
    page("market:open_data_file", lambda r: "/open-data/products.csv", EVERYONE, anonymous=200),
    # ---- managing -------------------------------------------------------------------------------
    page("market:manage_home", lambda r: "/manage/market/", SIGNED_IN),
    page("market:manage_points", lambda r: "/manage/market/points-of-sale/", SIGNED_IN),
    page("market:point_create", lambda r: "/manage/market/points-of-sale/new/", OFFICERS, denied=403),
    page(
        "market:point_create#post",
        lambda r: "/manage/market/points-of-sale/new/",
        REACH_POINT_A,
        method="post",
        data=lambda r, g: {
            "name": "Siêu thị Mới",
            "kind": "supermarket",
            "address": "9 Lê Lợi",
            "commune": g.a1.pk,
        },
        ok=302,
        denied=(200, 403),
        effect=lambda r, actor: count("market.pointofsale", name="Siêu thị Mới") == 1,
    ),
    page("market:point_edit", lambda r: f"/manage/market/points-of-sale/{r.point_a.pk}/edit/", REACH_POINT_A),
    page(
        "market:point_edit#post",
        lambda r: f"/manage/market/points-of-sale/{r.point_a.pk}/edit/",
        REACH_POINT_A,
        method="post",
        data=lambda r, g: {
            "name": "Điểm OCOP A (mới)",
            "kind": "ocop_point",
            "address": "1 Hùng Vương",
            "hours_text": "Daily 7-21",
            "version": version_of("market.pointofsale", r.point_a.pk),
        },
        ok=302,
        effect=lambda r, actor: count("market.pointofsale", pk=r.point_a.pk, name="Điểm OCOP A (mới)") == 1,
    ),
    page(
        "market:stock_add",
        lambda r: f"/manage/market/points-of-sale/{r.point_a.pk}/stock/",
        REACH_POINT_A,
        method="post",
        data=lambda r, g: {"product": str(r.q_recognised.pk)},
        ok=302,
        effect=lambda r, actor: count("market.stock", point=r.point_a, product=r.q_recognised) == 1,
    ),
    page(
        "market:stock_remove",
        lambda r: f"/manage/market/stock/{r.stock_a.pk}/remove/",
        REACH_POINT_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("market.stock", pk=r.stock_a.pk) == 0,
    ),
    page("market:supply_edit", lambda r: f"/manage/market/products/{r.p_recognised.pk}/supply/", REACH_P),
    page(
        "market:supply_edit#post",
        lambda r: f"/manage/market/products/{r.p_recognised.pk}/supply/",
        REACH_P,
        method="post",
        data=lambda r, g: {
            "volume": "1200",
            "volume_unit": "kg",
            "period": "month",
            "accepts_enquiries": "on",
        },
        ok=302,
        effect=lambda r, actor: count("market.supplycapacity", product=r.p_recognised, volume=1200) == 1,
    ),
    page("market:channels", lambda r: f"/manage/market/producers/{r.p.pk}/channels/", REACH_P),
    page(
        "market:channels#post",
        lambda r: f"/manage/market/producers/{r.p.pk}/channels/",
        REACH_P,
        method="post",
        data=lambda r, g: {"kind": "supermarket_chain", "partner": "Co.opmart"},
        ok=302,
        effect=lambda r, actor: count("market.saleschannel", producer=r.p, partner="Co.opmart") == 1,
    ),
    page(
        "market:channel_end",
        lambda r: f"/manage/market/channels/{r.channel_p.pk}/end/",
        REACH_P,
        method="post",
        ok=302,
        effect=lambda r, actor: count("market.saleschannel", pk=r.channel_p.pk, ended_on__isnull=False) == 1,
    ),
    page("market:manage_enquiries", lambda r: "/manage/market/enquiries/", SIGNED_IN),
    page("market:manage_enquiry", lambda r: f"/manage/market/enquiries/{r.enquiry.pk}/", ENQUIRY_P),
    page(
        "market:manage_enquiry#post",
        lambda r: f"/manage/market/enquiries/{r.enquiry.pk}/",
        ENQUIRY_P,
        method="post",
        data=lambda r, g: {"message": "Chào anh, HTX báo giá trong ngày mai."},
        ok=302,
        effect=lambda r, actor: count("market.enquiry", pk=r.enquiry.pk, status="answered") == 1,
    ),
    page(
        "market:enquiry_close",
        lambda r: f"/manage/market/enquiries/{r.enquiry.pk}/close/",
        ENQUIRY_P,
        method="post",
        ok=302,
        effect=lambda r, actor: count("market.enquiry", pk=r.enquiry.pk, status="closed") == 1,
    ),
    page("market:manage_fairs", lambda r: "/manage/market/fairs/", SIGNED_IN),
    page("market:fair_create", lambda r: "/manage/market/fairs/new/", FAIR_ADDERS, denied=403),
    page(
        "market:fair_create#post",
        lambda r: "/manage/market/fairs/new/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {
            "name": "Phiên chợ OCOP",
            "kind": "fair",
            "starts_on": "2027-01-10",
            "ends_on": "2027-01-12",
            "province": g.province_a.pk,
            "organiser_province": g.province_a.pk,
            "is_published": "on",
        },
        ok=302,
        denied=(200, 403),
        effect=lambda r, actor: count("market.fair", name="Phiên chợ OCOP") == 1,
    ),
    page("market:fair_edit", lambda r: f"/manage/market/fairs/{r.fair_a.pk}/edit/", ORGANISERS_A),
    page(
        "market:fair_edit#post",
        lambda r: f"/manage/market/fairs/{r.fair_a.pk}/edit/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {
            "name": "Hội chợ OCOP A 2026",
            "kind": "fair",
            "starts_on": str(r.fair_a.starts_on),
            "ends_on": str(r.fair_a.ends_on),
            "province": g.province_a.pk,
            "organiser_province": g.province_a.pk,
            "is_published": "on",
            "version": version_of("market.fair", r.fair_a.pk),
        },
        ok=302,
        effect=lambda r, actor: count("market.fair", pk=r.fair_a.pk, name="Hội chợ OCOP A 2026") == 1,
    ),
    page(
        "market:participant_add",
        lambda r: f"/manage/market/fairs/{r.fair_a.pk}/participants/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {"producer": r.q.pk, "booth": "B7"},
        ok=302,
        effect=lambda r, actor: count("market.fairparticipant", fair=r.fair_a, producer=r.q, booth="B7") == 1,
    ),
    page(
        "market:participant_remove",
        lambda r: f"/manage/market/participants/{r.participant_p.pk}/remove/",
        ORGANISERS_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("market.fairparticipant", pk=r.participant_p.pk) == 0,
    ),
    page(
        "market:sales_report",
        lambda r: f"/manage/market/participants/{r.participant_p.pk}/sales/",
        ORGANISERS_A | {"owner_a"},
    ),
    page(
        "market:sales_report#post",
        lambda r: f"/manage/market/participants/{r.participant_p.pk}/sales/",
        ORGANISERS_A | {"owner_a"},
        method="post",
        data=lambda r, g: {"sales_vnd": "12000000", "contracts": "2"},
        ok=302,
        effect=lambda r, actor: (
            count("market.fairparticipant", pk=r.participant_p.pk, sales_vnd=12000000) == 1
        ),
    ),
    # ---- API ----------------------------------------------------------------------------------
    api("GET /api/v1/market/catalogue", lambda r: "/api/v1/market/catalogue?q=banh", EVERYONE, anonymous=200),
    api(
        "GET /api/v1/market/products/{product_id}",
        lambda r: f"/api/v1/market/products/{r.p_recognised.pk}",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "GET /api/v1/market/products/{product_id}#draft",
        lambda r: f"/api/v1/market/products/{r.p_draft.pk}",
        REACH_P,
        anonymous=404,
    ),
    api(
        "GET /api/v1/market/open/products", lambda r: "/api/v1/market/open/products", EVERYONE, anonymous=200
    ),
    api(
        "GET /api/v1/market/open/producers",
        lambda r: "/api/v1/market/open/producers",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "GET /api/v1/market/open/points-of-sale",
        lambda r: "/api/v1/market/open/points-of-sale?changes_since=2025-01-01",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "GET /api/v1/market/points-of-sale",
        lambda r: "/api/v1/market/points-of-sale",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "GET /api/v1/market/points-of-sale/{point_id}",
        lambda r: f"/api/v1/market/points-of-sale/{r.point_a.pk}",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "POST /api/v1/market/points-of-sale",
        lambda r: "/api/v1/market/points-of-sale",
        REACH_POINT_A,
        data=lambda r, g: {
            "name": "Cửa hàng API",
            "kind": "specialty_shop",
            "address": "3 Lê Lợi",
            "commune_code": g.a1.code,
            "opening_hours": "T2-T7 8-20",
        },
        ok=201,
        denied=(403, 422),
        effect=lambda r, actor: count("market.pointofsale", name="Cửa hàng API") == 1,
    ),
    api(
        "POST /api/v1/market/points-of-sale/{point_id}/stock",
        lambda r: f"/api/v1/market/points-of-sale/{r.point_a.pk}/stock",
        REACH_POINT_A,
        data=lambda r, g: {"product_id": r.q_recognised.pk},
        ok=201,
        effect=lambda r, actor: count("market.stock", point=r.point_a, product=r.q_recognised) == 1,
    ),
    api("GET /api/v1/market/coverage", lambda r: "/api/v1/market/coverage", EVERYONE, anonymous=200),
    api(
        "GET /api/v1/market/channel-share", lambda r: "/api/v1/market/channel-share", EVERYONE, anonymous=200
    ),
    api(
        "GET /api/v1/market/producers/{producer_id}/channels",
        lambda r: f"/api/v1/market/producers/{r.p.pk}/channels",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "POST /api/v1/market/producers/{producer_id}/channels",
        lambda r: f"/api/v1/market/producers/{r.p.pk}/channels",
        REACH_P,
        data=lambda r, g: {"kind": "export", "partner": "Hàn Quốc", "country": "kr"},
        ok=201,
        effect=lambda r, actor: count("market.saleschannel", producer=r.p, country="KR") == 1,
    ),
    api("GET /api/v1/market/fairs", lambda r: "/api/v1/market/fairs", EVERYONE, anonymous=200),
    api(
        "GET /api/v1/market/fairs/{fair_id}",
        lambda r: f"/api/v1/market/fairs/{r.fair_a.pk}",
        EVERYONE,
        anonymous=200,
    ),
    api("GET /api/v1/market/enquiries", lambda r: "/api/v1/market/enquiries", SIGNED_IN),
    api(
        "POST /api/v1/market/enquiries/{enquiry_id}/answers",
        lambda r: f"/api/v1/market/enquiries/{r.enquiry.pk}/answers",
        ENQUIRY_P,
        data=lambda r, g: {"message": "Chúng tôi gửi báo giá kèm theo."},
        ok=201,
        effect=lambda r, actor: count("market.enquiry", pk=r.enquiry.pk, status="answered") == 1,
    ),
]
