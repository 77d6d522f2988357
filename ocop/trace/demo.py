"""Demo traceability records: batches with their steps (as EPCIS events), labels, scans, flags,
shoppers' reports and a few product links, for a sample of the demo products.

Called by ``ocop demo`` inside its transaction, after the registry and the demo accounts exist.
Deterministic for a seed; written in bulk (the services audit each record, right for people and
too slow here), through the same event builder and normaliser as the services, so every event
is a valid EPCIS 2.0 event.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province
from ocop.registry.models import ProducerMember, Product

from . import epcis, services
from .choices import FlagKind, LinkType, ReportKind, StepKind, Unit
from .models import Batch, LocatedScan, ProblemReport, ProductLink, ScanCount, ScanFlag

SHOPS = [
    "Điểm giới thiệu và bán sản phẩm OCOP {p}",
    "Siêu thị Co.opmart {p}",
    "Cửa hàng đặc sản {p}",
    "Chợ phiên nông sản {p}",
]
UNITS = {"food": Unit.PACKET, "drinks": Unit.BOTTLE, "herbal": Unit.BOX, "handicraft": Unit.PIECE}


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def populate(*, seed: int, scale: float, today: date) -> dict:
    rng = random.Random(seed * 31 + 6)
    scheme = services.platform_scheme()
    provinces = {p.code: p for p in Province.objects.filter(era_id=CURRENT)}
    showcase_user = get_user_model().objects.filter(username="sanxuat").first()
    own = set()
    if showcase_user is not None:
        own = set(
            Product.objects.filter(
                producer__in=ProducerMember.objects.filter(user=showcase_user).values("producer")
            ).values_list("pk", flat=True)
        )
    recognised = list(
        Product.objects.filter(recognitions__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = sorted(set(rng.sample(recognised, min(len(recognised), max(5, int(300 * scale))))) | own)
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=sample)
        .select_related("producer", "producer__province", "producer__commune")
        .prefetch_related("recognitions")
    }

    batches: list[Batch] = []
    for pk in sample:
        product = products[pk]
        for n in range(rng.choice([1, 1, 2, 3]) if pk not in own else 3):
            produced = today - timedelta(days=rng.randint(5, 300))
            batches.append(
                Batch(
                    product=product,
                    lot=f"L{produced:%y%m}-{n + 1:02d}",
                    produced_on=produced,
                    expires_on=produced + timedelta(days=rng.choice([180, 270, 365, 540])),
                    quantity=Decimal(rng.choice([200, 500, 800, 1200, 3000])),
                    unit=UNITS.get(product.group, Unit.PIECE),
                    raw_material_area=(
                        product.producer.commune.name
                        if product.producer.commune
                        else product.producer.province.name
                    ),
                    labels_issued=rng.choice([0, 48, 96, 240, 480]),
                )
            )
    Batch.objects.bulk_create(batches, batch_size=1000)

    items = []
    shipped = 0
    for batch in batches:
        product = batch.product
        province = product.producer.province
        steps = [("produced", batch.produced_on, "", None)]
        if product.group in ("food", "drinks", "herbal"):
            steps.insert(
                0,
                (
                    StepKind.HARVEST,
                    batch.produced_on - timedelta(days=rng.randint(1, 10)),
                    batch.raw_material_area,
                    province,
                ),
            )
            steps.append((StepKind.PROCESSING, batch.produced_on, "", province))
        steps.append((StepKind.PACKING, batch.produced_on + timedelta(days=rng.randint(0, 3)), "", province))
        for _shop in range(rng.choice([0, 1, 1, 2])):
            destination = provinces.get(rng.choice(["79", "01", province.code, province.code]), province)
            day = batch.produced_on + timedelta(days=rng.randint(3, 30))
            if day <= today:
                name = rng.choice(SHOPS).format(p=destination.short_name)
                steps.append((StepKind.SHIPPING, day, name, destination))
                shipped += 1
        for step, day, place, where in steps:
            ilmd = None
            if step == "produced":
                ilmd = {"cbvmda:lotNumber": batch.lot, "ocop:productionDate": batch.produced_on.isoformat()}
                if batch.expires_on:
                    ilmd["cbvmda:itemExpirationDate"] = batch.expires_on.isoformat()
                ilmd["ocop:rawMaterialArea"] = batch.raw_material_area
            event = services.platform_event(
                batch=batch,
                step=step,
                when=_aware(day, rng.randint(7, 17)),
                place=place,
                province=where,
                ilmd=ilmd,
                event_id=f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            )
            items.append((epcis.normalise(event, len(items), platform=scheme), product.producer_id, batch.pk))
    services.events_store(items, record_time=timezone.now())

    # Scans of the last month, counted per batch and day; a few told their province.
    counts = []
    located = []
    for batch in batches:
        if not batch.labels_issued:
            continue
        for back in range(0, 30, rng.choice([1, 2, 3])):
            day = today - timedelta(days=back)
            n = rng.randint(0, 12)
            if n:
                counts.append(
                    ScanCount(
                        key=f"{batch.product_id}:{batch.pk}:-:{day}",
                        product_id=batch.product_id,
                        batch=batch,
                        day=day,
                        count=n,
                    )
                )
        for where in rng.sample(["79", "01", "80", batch.product.producer.province.code], 2):
            day = today - timedelta(days=rng.randint(0, 20))
            counts.append(
                ScanCount(
                    key=f"{batch.product_id}:{batch.pk}:{provinces[where].pk}:{day}",
                    product_id=batch.product_id,
                    batch=batch,
                    province=provinces[where],
                    day=day,
                    count=rng.randint(1, 4),
                )
            )
    ScanCount.objects.bulk_create(counts, batch_size=2000, ignore_conflicts=True)

    # Flags: codes never issued, products scanned after their recognition lapsed, one label
    # scanned in distant provinces on the same day.
    flags = []
    labelled = [b for b in batches if b.labels_issued]
    now = timezone.now()
    for batch in rng.sample(labelled, min(len(labelled), max(2, int(20 * scale)))):
        serial = batch.labels_issued + rng.randint(1, 500)
        code = services.label_link(batch, serial).path()
        flags.append(
            ScanFlag(
                key=f"never_issued:{code}:{today}",
                kind=FlagKind.NEVER_ISSUED,
                product_id=batch.product_id,
                batch=batch,
                code=code,
                serial=str(serial),
                day=today,
                count=rng.randint(1, 9),
                first_at=now - timedelta(hours=5),
                last_at=now,
            )
        )
    for batch in labelled:
        current = batch.product.current_recognition(today)
        status = current.status_on(today) if current else "never"
        if status in (FlagKind.EXPIRED, FlagKind.REVOKED):
            flags.append(
                ScanFlag(
                    key=f"{status}:{batch.product_id}:{batch.pk}:{today}",
                    kind=status,
                    product_id=batch.product_id,
                    batch=batch,
                    code=services.label_link(batch).path(),
                    day=today,
                    count=rng.randint(1, 30),
                    first_at=now - timedelta(hours=8),
                    last_at=now,
                )
            )
    if labelled:
        batch = labelled[0]
        far = provinces["01"] if batch.product.producer.province.code != "01" else provinces["79"]
        here = batch.product.producer.province
        located += [
            LocatedScan(batch=batch, serial="7", province=here, at=now - timedelta(hours=3)),
            LocatedScan(batch=batch, serial="7", province=far, at=now - timedelta(hours=1)),
        ]
        flags.append(
            ScanFlag(
                key=f"distant:{batch.pk}:7:{today}",
                kind=FlagKind.DISTANT,
                product_id=batch.product_id,
                batch=batch,
                code=f"{batch.lot}/7",
                serial="7",
                province=far,
                day=today,
                count=1,
                first_at=now - timedelta(hours=1),
                last_at=now - timedelta(hours=1),
                detail={"provinces": sorted([here.code, far.code]), "km": 1000},
            )
        )
    ScanFlag.objects.bulk_create(flags, batch_size=1000, ignore_conflicts=True)
    LocatedScan.objects.bulk_create(located)

    reports = [
        ProblemReport(
            product_id=b.product_id,
            batch=b,
            kind=rng.choice(ReportKind.values),
            message=text,
            province=b.product.producer.province,
        )
        for b, text in zip(
            rng.sample(batches, min(len(batches), 3)),
            ["Tem OCOP trên bao bì còn in 5 sao.", "Mã trên tem không khớp với sản phẩm.", ""],
            strict=False,
        )
    ]
    ProblemReport.objects.bulk_create(reports)
    links = [
        ProductLink(
            product_id=pk,
            link_type=LinkType.RETAILERS,
            href="https://postmart.vn/",
            title="Postmart — sàn thương mại điện tử nông sản",
            language="vi",
        )
        for pk in sorted(own)[:3]
    ]
    ProductLink.objects.bulk_create(links)
    return {
        "Lô sản xuất / Batches": len(batches),
        "Sự kiện EPCIS / EPCIS events": len(items),
        "Giao tới cửa hàng / Shipments to shops": shipped,
        "Cờ cảnh báo quét / Scan flags": len(flags),
    }
