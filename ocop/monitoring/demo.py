"""Demo records for programme monitoring: craft villages and provinces' own targets.

Called by ``ocop demo`` inside its transaction, after the registry and the other apps' demo
records. Drawn from ``random.Random(seed)`` over rows read in a fixed order, so a seed always
gives the same records. Invented but plausible: about 1,900 craft villages were recognised in
Viet Nam (the demo makes about 700, more where handicraft producers are), about a third of
which have a producer of the village on the registry; each province has targets for the
current year and for 2026-2030.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from ocop.geo.models import Commune, Province
from ocop.registry.models import CraftVillage, Producer

from .choices import Measure
from .models import Target

CRAFTS = [
    ("Làng nghề mây tre đan", "Mây tre đan"),
    ("Làng nghề gốm", "Gốm sứ"),
    ("Làng nghề dệt thổ cẩm", "Dệt thổ cẩm"),
    ("Làng nghề chiếu cói", "Dệt chiếu"),
    ("Làng nghề mộc", "Mộc mỹ nghệ"),
    ("Làng nghề bánh tráng", "Bánh tráng"),
    ("Làng nghề nón lá", "Nón lá"),
    ("Làng nghề nước mắm", "Nước mắm"),
    ("Làng nghề rèn", "Rèn"),
    ("Làng nghề hương", "Làm hương"),
    ("Làng nghề bún", "Bún, bánh phở"),
    ("Làng nghề sơn mài", "Sơn mài"),
    ("Làng hoa, cây cảnh", "Hoa, cây cảnh"),
    ("Làng nghề chè", "Chế biến chè"),
]
BATCH = 2000


def populate(*, seed: int, scale: float, today: date) -> dict:
    rng = random.Random(seed * 11 + 5)
    provinces = list(Province.objects.current().order_by("code"))
    communes: dict[int, list[int]] = defaultdict(list)
    for pk, province_id in Commune.objects.current().order_by("code").values_list("pk", "province_id"):
        communes[province_id].append(pk)
    producers_in_commune: dict[int, list[int]] = defaultdict(list)
    for pk, commune_id in (
        Producer.objects.filter(commune__isnull=False).order_by("pk").values_list("pk", "commune_id")
    ):
        producers_in_commune[commune_id].append(pk)

    villages: list[CraftVillage] = []
    for province in provinces:
        count = max(2, round(rng.randint(8, 36) * scale))
        for commune_id in rng.sample(communes[province.pk], min(count, len(communes[province.pk]))):
            name, craft = rng.choice(CRAFTS)
            villages.append(
                CraftVillage(
                    name=f"{name} {len(villages) + 1}",
                    craft=craft,
                    is_traditional=rng.random() < 0.7,
                    province=province,
                    commune_id=commune_id,
                    recognised_on=date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28)),
                    decision_no=f"{rng.randint(100, 3999)}/QĐ-UBND",
                )
            )
    CraftVillage.objects.bulk_create(villages, batch_size=BATCH)

    # A third of the villages have one to three of their commune's producers as members.
    linked: dict[int, int] = {}
    for village in villages:
        members = producers_in_commune.get(village.commune_id, [])
        if members and rng.random() < 0.45:
            for producer_id in rng.sample(members, min(len(members), rng.randint(1, 3))):
                linked.setdefault(producer_id, village.pk)
    for village_id in sorted(set(linked.values())):
        Producer.objects.filter(pk__in=[p for p, v in linked.items() if v == village_id]).update(
            craft_village_id=village_id
        )

    # Each province's own targets: new products this year, and products of 3 stars or more by 2030.
    targets = []
    for province in provinces:
        targets.append(
            Target(
                province=province,
                measure=Measure.PRODUCTS_NEW,
                stars=3,
                period_start=date(today.year, 1, 1),
                period_end=date(today.year, 12, 31),
                value=Decimal(rng.choice([20, 25, 30, 40, 50, 60])),
                legal_basis=f"Kế hoạch {rng.randint(10, 399)}/KH-UBND năm {today.year}",
                note="Dữ liệu mẫu",
            )
        )
        targets.append(
            Target(
                province=province,
                measure=Measure.SHOWROOMS,
                period_start=date(2026, 1, 1),
                period_end=date(2030, 12, 31),
                value=Decimal(rng.choice([3, 5, 8, 10])),
                legal_basis="Nghị quyết của HĐND tỉnh (dữ liệu mẫu)",
                note="Dữ liệu mẫu",
            )
        )
    Target.objects.bulk_create(targets, batch_size=BATCH)
    return {
        "Làng nghề / craft villages": len(villages),
        "Chủ thể thuộc làng nghề / producers in craft villages": len(linked),
        "Chỉ tiêu của tỉnh / province targets": len(targets),
    }
