"""The counting rules of REGISTRY-FORMAT.md spelt out in plain Python over raw rows.

Independent of the selector (no shared code, no SQL aggregates): tests compare the selector's
figures with these on registries built for them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

REFORM = date(2025, 7, 1)


def valid_on(rec: dict, day: date) -> bool:
    return (
        rec["recognised_on"] <= day <= rec["valid_until"]
        and not (rec["revoked_on"] is not None and rec["revoked_on"] <= day)
        and not (rec["superseded_on"] is not None and rec["superseded_on"] <= day)
    )


def counted_stars(day: date) -> dict[int, int]:
    """product id -> stars, for the products that count on ``day``."""
    from ocop.registry.models import Recognition

    by_product = defaultdict(list)
    for rec in Recognition.objects.values():
        if valid_on(rec, day):
            by_product[rec["product_id"]].append(rec)
    out = {}
    for product_id, recs in by_product.items():
        latest = max(recs, key=lambda r: (r["recognised_on"], r["id"]))
        if latest["stars"] >= 3:
            out[product_id] = latest["stars"]
    return out


def legacy_province_of(producer: dict) -> int:
    """The rule for historical boundaries before the reform, step by step."""
    from ocop.geo.models import Commune, CommuneSuccession, Province

    if producer["historical_province_id"]:
        return producer["historical_province_id"]
    if producer["historical_commune_id"]:
        return Commune.objects.get(pk=producer["historical_commune_id"]).province_id
    if producer["commune_id"]:
        rows = list(
            CommuneSuccession.objects.filter(successor_id=producer["commune_id"]).select_related(
                "predecessor"
            )
        )
        if rows:
            best = sorted(rows, key=lambda s: (not s.is_primary, s.predecessor.code))[0]
            return best.predecessor.province_id
    olds = sorted(Province.objects.filter(successor_id=producer["province_id"]), key=lambda p: p.code)
    return olds[0].pk


def province_of(producer: dict, day: date, boundaries: str) -> int:
    if boundaries == "current" or day >= REFORM:
        return producer["province_id"]
    return legacy_province_of(producer)


def figures(day: date, boundaries: str = "current", *, province_id: int | None = None) -> dict:
    """Flat figures for the whole country or one province (by its id in the era counted)."""
    from ocop.registry.models import Producer, Product

    stars = counted_stars(day)
    products = {p["id"]: p for p in Product.objects.values()}
    producers = {p["id"]: p for p in Producer.objects.values()}
    out = {"products": 0, "stars": defaultdict(int), "groups": defaultdict(int), "producers": set()}
    for product_id, n in stars.items():
        product = products[product_id]
        producer = producers[product["producer_id"]]
        if province_id is not None and province_of(producer, day, boundaries) != province_id:
            continue
        out["products"] += 1
        out["stars"][n] += 1
        out["groups"][product["group"]] += 1
        out["producers"].add(producer["id"])
    kinds = defaultdict(int)
    for producer_id in out["producers"]:
        kinds[producers[producer_id]["kind"]] += 1
    return {
        "products": {
            "total": out["products"],
            "by_stars": {str(s): out["stars"][s] for s in (3, 4, 5)},
            "by_group": {
                g: out["groups"][g]
                for g in ("food", "drinks", "herbal", "handicraft", "ornamental", "tourism")
            },
        },
        "producers": {
            "total": len(out["producers"]),
            "by_type": {k: kinds[k] for k in ("cooperative", "cooperative_group", "enterprise", "household")},
        },
    }


def zero() -> dict:
    return {
        "products": {
            "total": 0,
            "by_stars": {"3": 0, "4": 0, "5": 0},
            "by_group": {"food": 0, "drinks": 0, "herbal": 0, "handicraft": 0, "ornamental": 0, "tourism": 0},
        },
        "producers": {
            "total": 0,
            "by_type": {"cooperative": 0, "cooperative_group": 0, "enterprise": 0, "household": 0},
        },
    }
