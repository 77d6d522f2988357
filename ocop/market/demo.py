"""Demo records for the catalogue and trade promotion, on top of the demo registry.

Called by ``ocop demo`` inside its transaction, after producers, products, recognitions and
the demo accounts exist. Everything is drawn from ``random.Random(seed)`` in a fixed order over
rows read in a fixed order, so a seed always gives the same records. Written with
``bulk_create`` like the registry's demo (the services audit each record: right for people, slow
for thousands), then the catalogue's index is built.

Invented, plausible figures: around 70 points of sale in the largest provinces and a handful in
the smallest (Hà Nội had 85 in 2022), two provinces still without an OCOP point, channels for
about half of the producers, two fairs and one enquiry thread for the demo producer.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from ocop.geo.centres import province_centres
from ocop.geo.models import Commune, Province
from ocop.registry.models import Producer, ProducerMember, Recognition

from .choices import BuyerKind, CapacityPeriod, ChannelKind, EnquiryStatus, FairKind, PointKind, Side, Unit
from .models import (
    Enquiry,
    EnquiryMessage,
    Fair,
    FairParticipant,
    PointOfSale,
    SalesChannel,
    Stock,
    SupplyCapacity,
)
from .places import commune_centre
from .services import catalogue_refresh

BATCH = 2000
LARGEST = 70  # points of sale in the province with the most producers

KINDS = [
    (PointKind.OCOP_POINT, 34),
    (PointKind.SUPERMARKET, 18),
    (PointKind.CONVENIENCE, 10),
    (PointKind.SPECIALTY_SHOP, 22),
    (PointKind.TOURIST_SPOT, 10),
    (PointKind.MARKET, 6),
]
SUPERMARKETS = ["Co.opmart", "WinMart", "Lotte Mart", "MM Mega Market", "GO!", "Bách hóa Xanh"]
CONVENIENCE = ["WinMart+", "Co.op Food", "Circle K", "FamilyMart", "Bách hóa Xanh"]
MARKETPLACES = [
    ("Shopee", "shopee"),
    ("Lazada", "lazada"),
    ("Tiki", "tiki"),
    ("Postmart", "postmart"),
    ("Voso", "voso"),
]
LIVESTREAM = [("TikTok Shop", "tiktok"), ("Facebook Live", "facebook")]
EXPORT = [
    ("Nhật Bản", "JP"),
    ("Hàn Quốc", "KR"),
    ("Hoa Kỳ", "US"),
    ("Úc", "AU"),
    ("Đức", "DE"),
    ("Singapore", "SG"),
]
STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hùng Vương",
    "Quang Trung",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
]
HOURS = [
    [{"days": [0, 1, 2, 3, 4, 5, 6], "opens": "07:30", "closes": "21:30"}],
    [
        {"days": [0, 1, 2, 3, 4], "opens": "07:30", "closes": "17:00"},
        {"days": [5], "opens": "08:00", "closes": "12:00"},
    ],
    [{"days": [0, 1, 2, 3, 4, 5, 6], "opens": "08:00", "closes": "22:00"}],
    [{"days": [0, 1, 2, 3, 4, 5, 6], "opens": "06:00", "closes": "18:00"}],
]
VOLUMES = {  # group -> (unit, typical volume per season, minimum order)
    "food": (Unit.KG, (500, 20000), (20, 200)),
    "drinks": (Unit.BOTTLE, (2000, 50000), (48, 240)),
    "herbal": (Unit.KG, (100, 5000), (5, 50)),
    "handicraft": (Unit.ITEM, (200, 5000), (10, 100)),
    "ornamental": (Unit.POT, (50, 2000), (5, 20)),
    "tourism": (Unit.GUEST, (500, 10000), (10, 40)),
}


def _point_name(rng, kind, place: str) -> tuple[str, str]:
    if kind == PointKind.OCOP_POINT:
        return rng.choice(
            [
                (f"Điểm giới thiệu và bán sản phẩm OCOP {place}", "Trung tâm Xúc tiến Thương mại tỉnh"),
                (f"Trung tâm OCOP {place}", "Liên minh Hợp tác xã tỉnh"),
                (f"Cửa hàng OCOP {place}", "Hợp tác xã Thương mại Dịch vụ"),
            ]
        )
    if kind == PointKind.SUPERMARKET:
        chain = rng.choice(SUPERMARKETS)
        return f"{chain} {place}", chain
    if kind == PointKind.CONVENIENCE:
        chain = rng.choice(CONVENIENCE)
        return f"{chain} {place}", chain
    if kind == PointKind.SPECIALTY_SHOP:
        return rng.choice([f"Cửa hàng đặc sản {place}", f"Đặc sản quê {place}", f"Nông sản sạch {place}"]), ""
    if kind == PointKind.TOURIST_SPOT:
        return rng.choice([f"Quầy quà tặng khu du lịch {place}", f"Cửa hàng lưu niệm {place}"]), ""
    return f"Gian hàng OCOP chợ {place}", ""


def populate(*, seed: int, scale: float, today: date) -> dict:
    rng = random.Random(seed * 7 + 3)
    centres = province_centres()
    provinces = list(Province.objects.current().order_by("code"))
    communes: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for pk, province_id, name, short, code in (
        Commune.objects.current()
        .order_by("province_id", "code")
        .values_list("pk", "province_id", "name", "short_name", "code")
    ):
        communes[province_id].append((pk, name, short or name, code))
    valid = list(
        Recognition.objects.valid_on(today)
        .order_by("product_id")
        .values_list("product_id", "product__producer_id", "product__producer__province_id", "product__group")
        .distinct()
    )
    by_province: dict[int, list[int]] = defaultdict(list)
    group_of: dict[int, str] = {}
    producer_of: dict[int, int] = {}
    for product_id, producer_id, province_id, group in valid:
        by_province[province_id].append(product_id)
        group_of[product_id] = group
        producer_of[product_id] = producer_id
    producers_in = dict(Producer.objects.values_list("province_id").annotate(n=Count("pk")).order_by())
    most = max(producers_in.values(), default=1)

    # --- points of sale ----------------------------------------------------------------------
    points: list[PointOfSale] = []
    without_ocop_point = {p.pk for p in rng.sample(provinces, 2)} if len(provinces) > 10 else set()
    for province in provinces:
        weight = producers_in.get(province.pk, 0) / most
        count = max(2, round(LARGEST * weight**0.7 * scale))
        centre = centres.get(province.code)
        kinds = [k for k, _w in KINDS]
        weights = [w for _k, w in KINDS]
        for index in range(count):
            kind = rng.choices(kinds, weights=weights)[0]
            if index == 0:
                kind = PointKind.SUPERMARKET if province.pk in without_ocop_point else PointKind.OCOP_POINT
            if province.pk in without_ocop_point and kind == PointKind.OCOP_POINT:
                kind = PointKind.SPECIALTY_SHOP
            commune_id, commune_name, commune_short, commune_code = rng.choice(communes[province.pk])
            name, operator = _point_name(rng, kind, commune_short)
            if kind == PointKind.OCOP_POINT and operator.endswith("tỉnh"):
                operator = f"{operator} {province.short_name}"
            lat = lon = None
            if rng.random() < 0.9:
                # In its commune (a couple of kilometres around the middle of its cell), so
                # that the map shows points inside the province's outline.
                where = commune_centre(commune_code) or (centre and (centre.lat, centre.lon))
                if where:
                    lat = Decimal(str(round(where[0] + rng.gauss(0, 0.01), 5)))
                    lon = Decimal(str(round(where[1] + rng.gauss(0, 0.01), 5)))
            opened = today - timedelta(days=rng.randint(60, 2400))
            points.append(
                PointOfSale(
                    name=name[:200],
                    kind=kind,
                    operator=operator,
                    address=f"{rng.randint(1, 450)} {rng.choice(STREETS)}, {commune_name}, {province.name}",
                    province=province,
                    commune_id=commune_id,
                    latitude=lat,
                    longitude=lon,
                    opening_hours=rng.choice(HOURS),
                    phone=f"02{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    opened_on=opened,
                    closed_on=today - timedelta(days=rng.randint(1, 50)) if rng.random() < 0.03 else None,
                    description_vi=(
                        "Trưng bày, giới thiệu và bán các sản phẩm OCOP của tỉnh và các tỉnh bạn."
                        if kind == PointKind.OCOP_POINT
                        else ""
                    ),
                    description_en=(
                        "Shows and sells OCOP products of the province and of other provinces."
                        if kind == PointKind.OCOP_POINT
                        else ""
                    ),
                )
            )
    PointOfSale.objects.bulk_create(points, batch_size=BATCH)

    # --- what they stock ---------------------------------------------------------------------
    everywhere = [pid for pid, *_rest in valid]
    stock: list[Stock] = []
    for point in points:
        local = by_province.get(point.province_id, [])
        if point.kind == PointKind.OCOP_POINT:
            wanted, share_local = rng.randint(25, 80), 0.85
        elif point.kind in (PointKind.SUPERMARKET, PointKind.CONVENIENCE):
            wanted, share_local = rng.randint(10, 40), 0.5
        else:
            wanted, share_local = rng.randint(5, 25), 0.8
        chosen: set[int] = set()
        for _ in range(wanted):
            pool = local if local and rng.random() < share_local else everywhere
            if pool:
                chosen.add(rng.choice(pool))
        for product_id in sorted(chosen):
            stock.append(
                Stock(
                    point=point,
                    product_id=product_id,
                    since=point.opened_on + timedelta(days=rng.randint(0, 50)),
                )
            )
    Stock.objects.bulk_create(stock, batch_size=BATCH)

    # --- sales channels ----------------------------------------------------------------------
    producers = sorted({producer_id for _pid, producer_id, *_rest in valid})
    products_of: dict[int, list[int]] = defaultdict(list)
    for product_id, producer_id, *_rest in valid:
        products_of[producer_id].append(product_id)
    channels: list[SalesChannel] = []
    start_range = (today - date(2019, 6, 1)).days
    for producer_id in producers:
        roll = rng.random()
        if roll > 0.55:
            continue  # no declared channel
        count = 1 + (rng.random() < 0.45) + (rng.random() < 0.2)
        for _ in range(count):
            kind = rng.choices(
                [
                    ChannelKind.ECOMMERCE,
                    ChannelKind.SUPERMARKET_CHAIN,
                    ChannelKind.LIVESTREAM,
                    ChannelKind.CONVENIENCE_CHAIN,
                    ChannelKind.WEBSHOP,
                    ChannelKind.EXPORT,
                    ChannelKind.DISTRIBUTOR,
                ],
                weights=[34, 22, 14, 8, 8, 6, 8],
            )[0]
            url = country = ""
            slug = f"ocop-{producer_id}"
            if kind == ChannelKind.ECOMMERCE:
                partner, site = rng.choice(MARKETPLACES)
                url = f"https://{site}.demo.invalid/{slug}"
            elif kind == ChannelKind.LIVESTREAM:
                partner, site = rng.choice(LIVESTREAM)
                url = f"https://{site}.demo.invalid/@{slug}"
            elif kind == ChannelKind.WEBSHOP:
                partner, url = "Cửa hàng trực tuyến", f"https://{slug}.demo.invalid/"
            elif kind == ChannelKind.SUPERMARKET_CHAIN:
                partner = rng.choice(SUPERMARKETS)
            elif kind == ChannelKind.CONVENIENCE_CHAIN:
                partner = rng.choice(CONVENIENCE)
            elif kind == ChannelKind.EXPORT:
                partner, country = rng.choice(EXPORT)
            else:
                partner = "Nhà phân phối nông sản miền " + rng.choice(["Bắc", "Trung", "Nam"])
            started = today - timedelta(days=rng.randint(10, start_range))
            product_id = rng.choice(products_of[producer_id]) if rng.random() < 0.3 else None
            channels.append(
                SalesChannel(
                    producer_id=producer_id,
                    product_id=product_id,
                    kind=kind,
                    partner=partner,
                    url=url,
                    country=country,
                    started_on=started,
                    ended_on=(
                        started + timedelta(days=rng.randint(30, max(31, (today - started).days)))
                        if rng.random() < 0.1
                        else None
                    ),
                )
            )
    SalesChannel.objects.bulk_create(channels, batch_size=BATCH)

    # --- supply figures ----------------------------------------------------------------------
    supplies = []
    for product_id in everywhere:
        if rng.random() > 0.3:
            continue
        unit, (low, high), (order_low, order_high) = VOLUMES[group_of[product_id]]
        seasonal = group_of[product_id] in ("food", "ornamental") and rng.random() < 0.5
        start_month = rng.randint(1, 12)
        supplies.append(
            SupplyCapacity(
                product_id=product_id,
                volume=Decimal(rng.randrange(low, high, 50)),
                volume_unit=unit,
                period=CapacityPeriod.SEASON
                if seasonal
                else rng.choice([CapacityPeriod.MONTH, CapacityPeriod.YEAR]),
                season_from_month=start_month if seasonal else None,
                season_to_month=(start_month + rng.randint(1, 4) - 1) % 12 + 1 if seasonal else None,
                minimum_order=Decimal(rng.randint(order_low, order_high)),
                minimum_order_unit=unit,
                lead_time_days=rng.choice([3, 5, 7, 10, 14, 21, 30]),
                export_ready=rng.random() < 0.12,
            )
        )
    SupplyCapacity.objects.bulk_create(supplies, batch_size=BATCH)

    # --- fairs -------------------------------------------------------------------------------
    fairs = _fairs(rng, today=today, provinces=provinces, producers=producers, products_of=products_of)

    # --- an enquiry thread for the demo producer ----------------------------------------------
    enquiries = _enquiries(rng, today=today, products_of=products_of)

    report = catalogue_refresh(today=today)
    by_kind = defaultdict(int)
    for point in points:
        by_kind[point.kind] += 1
    covered = len({p.province_id for p in points if p.kind == PointKind.OCOP_POINT and p.closed_on is None})
    modern_producers = len(
        {
            c.producer_id
            for c in channels
            if c.ended_on is None and c.kind not in (ChannelKind.EXPORT, ChannelKind.DISTRIBUTOR)
        }
    )
    return {
        "Điểm bán / Points of sale": len(points),
        "Điểm giới thiệu và bán sản phẩm OCOP / OCOP points": by_kind[PointKind.OCOP_POINT],
        "Tỉnh có điểm OCOP / Provinces with an OCOP point": f"{covered}/{len(provinces)}",
        "Sản phẩm bày bán / Products stocked (listings)": len(stock),
        "Kênh bán / Sales channels": len(channels),
        "Chủ thể có kênh hiện đại / Producers in modern channels": (
            f"{modern_producers:,} / {len(producers):,} ({modern_producers / max(1, len(producers)):.0%})"
        ),
        "Năng lực cung ứng / Products with supply figures": len(supplies),
        "Hội chợ / Fairs": fairs,
        "Yêu cầu báo giá / Buyer enquiries": enquiries,
        "Mục danh mục / Catalogue entries": report.created,
    }


def _fairs(rng, *, today, provinces, producers, products_of) -> int:
    by_code = {p.code: p for p in provinces}
    hanoi, showcase = by_code.get("01"), by_code.get("80")
    if hanoi is None or not producers:
        return 0
    festival = Fair.objects.create(
        name="Festival OCOP Việt Nam",
        kind=FairKind.FESTIVAL,
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=36),
        venue="Hoàng thành Thăng Long",
        province=hanoi,
        organiser="Bộ Nông nghiệp và Môi trường",
        organiser_province=None,
        description_vi="Hội tụ các sản phẩm OCOP tiêu biểu của 34 tỉnh, thành phố.",
        description_en="Leading OCOP products of all 34 provinces and cities.",
    )
    fairs = [festival]
    participants = []
    for index, producer_id in enumerate(rng.sample(producers, min(60, len(producers)))):
        shown = rng.sample(products_of[producer_id], min(2, len(products_of[producer_id])))
        reported = rng.random() < 0.7
        participants.append(
            (
                FairParticipant(
                    fair=festival,
                    producer_id=producer_id,
                    booth=f"A{index + 1:02d}",
                    sales_vnd=Decimal(rng.randint(8, 250) * 1_000_000) if reported else None,
                    contracts=rng.randint(0, 6) if reported else None,
                    sales_reported_at=timezone.make_aware(
                        datetime.combine(festival.ends_on, datetime.min.time())
                    )
                    + timedelta(days=2)
                    if reported
                    else None,
                ),
                shown,
            )
        )
    if showcase is not None:
        fair = Fair.objects.create(
            name="Hội chợ OCOP Tây Ninh",
            kind=FairKind.FAIR,
            starts_on=today + timedelta(days=20),
            ends_on=today + timedelta(days=24),
            venue="Quảng trường Tân An",
            province=showcase,
            organiser="Sở Công Thương tỉnh Tây Ninh",
            organiser_province=showcase,
            description_vi="Hội chợ giới thiệu sản phẩm OCOP và kết nối giao thương.",
        )
        fairs.append(fair)
        local = list(
            Producer.objects.filter(province=showcase, pk__in=producers)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        member = (
            ProducerMember.objects.filter(producer__province=showcase)
            .values_list("producer_id", flat=True)
            .first()
        )
        chosen = rng.sample(local, min(24, len(local)))
        if member in products_of and member not in chosen:
            chosen[0] = member
        for index, producer_id in enumerate(chosen):
            shown = rng.sample(products_of[producer_id], min(2, len(products_of[producer_id])))
            participants.append(
                (FairParticipant(fair=fair, producer_id=producer_id, booth=f"B{index + 1:02d}"), shown)
            )
    FairParticipant.objects.bulk_create([p for p, _shown in participants], batch_size=BATCH)
    through = FairParticipant.products.through
    through.objects.bulk_create(
        [through(fairparticipant_id=p.pk, product_id=pid) for p, shown in participants for pid in shown],
        batch_size=BATCH,
    )
    return len(fairs)


def _enquiries(rng, *, today, products_of) -> int:
    membership = ProducerMember.objects.select_related("producer", "user").order_by("pk").first()
    if membership is None or membership.producer_id not in products_of:
        return 0
    producer, user = membership.producer, membership.user
    product_id = products_of[producer.pk][0]
    answered = Enquiry.objects.create(
        producer=producer,
        product_id=product_id,
        buyer_kind=BuyerKind.EXPORTER,
        buyer_organisation="Công ty TNHH Xuất nhập khẩu Sao Mai",
        buyer_name="Trần Minh Khoa",
        buyer_email="khoa@saomai.demo.invalid",
        destination="Osaka, Nhật Bản",
        quantity=Decimal(2000),
        unit=Unit.KG,
        wanted_from=today + timedelta(days=45),
        wanted_until=today + timedelta(days=120),
        status=EnquiryStatus.ANSWERED,
        key=f"demo{rng.getrandbits(64):016x}",
    )
    waiting = Enquiry.objects.create(
        producer=producer,
        product_id=product_id,
        buyer_kind=BuyerKind.SUPERMARKET,
        buyer_organisation="Chuỗi siêu thị Xanh",
        buyer_name="Lê Thu Hà",
        buyer_email="ha@xanh.demo.invalid",
        destination="TP. Hồ Chí Minh",
        quantity=Decimal(300),
        unit=Unit.KG,
        wanted_from=today + timedelta(days=14),
        status=EnquiryStatus.OPEN,
        key=f"demo{rng.getrandbits(64):016x}",
        language="vi",
    )
    EnquiryMessage.objects.bulk_create(
        [
            EnquiryMessage(
                enquiry=answered,
                side=Side.BUYER,
                body="Chúng tôi cần báo giá 2 tấn, đóng túi 500 g, giao cảng Cát Lái. Sản phẩm có chứng nhận HACCP không?",
            ),
            EnquiryMessage(
                enquiry=answered,
                side=Side.PRODUCER,
                author=user,
                body="Chào anh Khoa, HTX đáp ứng được 2 tấn trong 45 ngày, có HACCP. Giá FOB sẽ gửi trong ngày mai.",
            ),
            EnquiryMessage(
                enquiry=waiting,
                side=Side.BUYER,
                body="Chuỗi cần 300 kg mỗi tháng cho 12 cửa hàng, xin báo giá và điều kiện giao hàng.",
            ),
        ]
    )
    return 2
