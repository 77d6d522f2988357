"""Comparing checked rows with the registry: what to create, what to change, what is unchanged.

Nothing is written here; the plan is written by :mod:`.writing` in the import's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from ocop.vntext import fold

from ..choices import RecognitionLevel
from ..models import Producer, Product, Recognition
from ..services import validity_end
from .checking import Checker, Row
from .report import Report

PREVIEW_ROWS = 20

# The list's column that holds each field a row may change, to name it when a row outside the
# importer's level or jurisdiction would change the field.
COLUMN_OF_FIELD = {
    "name": "producer",
    "kind": "producer_type",
    "tax_code": "tax_code",
    "address": "address",
    "province_id": "address",
    "commune_id": "address",
    "historical_province_id": "address",
    "historical_district_id": "address",
    "historical_commune_id": "address",
    "name_vi": "product",
    "name_en": "product_name_en",
    "group": "group",
    "product_set_id": "group",
    "gtin": "gtin",
    "stars": "stars",
    "score": "score",
    "decision_no": "decision",
    "level": "level",
    "valid_until": "valid_until",
    "revoked_on": "revoked_on",
    "revocation_reason": "revocation_reason",
    "note": "note",
}


class NewRow(SimpleNamespace):
    """A row to insert: its column values as attributes (foreign keys as the related object or
    its id); ``pk`` is given when it is inserted. Lighter than a model instance by far."""

    pk = None


@dataclass
class Plan:
    new_producers: dict[tuple, Producer] = field(default_factory=dict)
    changed_producers: dict[int, tuple[Producer, list[str]]] = field(default_factory=dict)
    producer_of_key: dict[tuple, Producer] = field(default_factory=dict)
    new_products: dict[tuple, Product] = field(default_factory=dict)
    changed_products: dict[int, tuple[Product, list[str]]] = field(default_factory=dict)
    product_of_key: dict[tuple, Product] = field(default_factory=dict)
    new_recognitions: list[tuple[tuple, Recognition]] = field(default_factory=list)
    changed_recognitions: dict[int, tuple[Recognition, list[str]]] = field(default_factory=dict)


class Planner:
    """Works out creations and changes against what the database already holds."""

    def __init__(self, rows: list[Row], report: Report, checker: Checker):
        self.rows = rows
        self.report = report
        self.checker = checker
        self.plan = Plan()
        self.refused: set[int] = set()

    def run(self) -> Plan:
        self._producers()
        self._products()
        self._recognitions()
        # Rows outside the importer's reach that would change nothing are left as they were.
        self.report.kept = sum(1 for row in self.rows if row.outside)
        return self.plan

    def _refuse(self, row: Row, changes: list[str] | None = None) -> None:
        """Refuse a row outside the importer's reach that would create or change a record, naming
        the first column it changes (when the list has it). Once per row."""
        if row.number in self.refused:
            return
        self.refused.add(row.number)
        columns = [COLUMN_OF_FIELD[name] for name in changes or ()]
        present = [c for c in columns if c in self.checker.header.positions]
        self.checker.refuse_outside(row, present[0] if present else "")

    def _producers(self) -> None:
        tax_codes = {r.tax_code for r in self.rows if r.tax_code}
        name_keys = {fold(r.producer) for r in self.rows}
        by_tax = {p.tax_code: p for p in Producer.objects.filter(tax_code__in=tax_codes)}
        by_name: dict[tuple, Producer] = {}
        for producer in Producer.objects.filter(name_key__in=name_keys):
            by_name.setdefault(
                (producer.commune_id or f"p{producer.province_id}", producer.name_key), producer
            )
        for row in self.rows:
            key = row.producer_key
            if key in self.plan.producer_of_key:
                continue
            name_key = (row.commune_id or f"p{row.province_id}", fold(row.producer))
            existing = by_tax.get(row.tax_code) if row.tax_code else None
            if existing is None:
                existing = by_name.get(name_key)
                if (
                    existing is not None
                    and row.tax_code
                    and existing.tax_code
                    and existing.tax_code != row.tax_code
                ):
                    existing = None  # same name, another registered business
                if existing is None and row.tax_code and row.tax_code in by_tax:
                    existing = by_tax[row.tax_code]
            if existing is None:
                producer = NewRow(
                    name=row.producer,
                    name_key=fold(row.producer),
                    kind=row.kind,
                    tax_code=row.tax_code,
                    address=row.address,
                    province_id=row.province_id,
                    commune_id=row.commune_id,
                    historical_province_id=row.historical_province_id,
                    historical_district_id=row.historical_district_id,
                    historical_commune_id=row.historical_commune_id,
                )
                self.plan.new_producers[key] = producer
                self.plan.producer_of_key[key] = producer
                self.report.producers.create += 1
                if row.outside == "outside_jurisdiction":
                    self._refuse(row)
                continue
            changes = self._producer_changes(existing, row)
            self.plan.producer_of_key[key] = existing
            if changes and row.outside == "outside_jurisdiction":
                self._refuse(row, changes)
            if changes:
                self.plan.changed_producers[existing.pk] = (existing, changes)
                self.report.producers.update += 1
            else:
                self.report.producers.unchanged += 1

    @staticmethod
    def _producer_changes(producer: Producer, row: Row) -> list[str]:
        """Fields the list states and the registry holds otherwise. Empty cells change nothing;
        a type inferred from the name never overrides one on record."""
        wanted = {
            "name": row.producer,
            "address": row.address,
            "province_id": row.province_id,
            "commune_id": row.commune_id,
            "historical_province_id": row.historical_province_id,
            "historical_district_id": row.historical_district_id,
            "historical_commune_id": row.historical_commune_id,
        }
        if row.kind_given:
            wanted["kind"] = row.kind
        if row.tax_code:
            wanted["tax_code"] = row.tax_code
        changed = []
        for name, value in wanted.items():
            if value is None and name.startswith("historical_"):
                continue
            if getattr(producer, name) != value:
                setattr(producer, name, value)
                changed.append(name)
        if "name" in changed:
            producer.name_key = fold(producer.name)
        return changed

    def _products(self) -> None:
        producer_ids = {p.pk for p in self.plan.producer_of_key.values() if p.pk}
        existing: dict[tuple, Product] = {
            (p.producer_id, p.name_key): p for p in Product.objects.filter(producer_id__in=producer_ids)
        }
        gtins = {r.gtin for r in self.rows if r.gtin}
        gtin_owner = {p.gtin: p for p in Product.objects.filter(gtin__in=gtins).select_related("producer")}
        # A product's set and English name may be given on any of its rows (the latest wins).
        set_of: dict[tuple, int] = {}
        name_en_of: dict[tuple, str] = {}
        for row in sorted(self.rows, key=lambda r: r.recognised_on):
            if row.product_set_id:
                set_of[row.product_key] = row.product_set_id
            if row.product_en:
                name_en_of[row.product_key] = row.product_en
        for row in self.rows:
            key = row.product_key
            if key in self.plan.product_of_key:
                continue
            producer = self.plan.producer_of_key[row.producer_key]
            product = existing.get((producer.pk, fold(row.product))) if producer.pk else None
            if row.gtin and row.gtin in gtin_owner and gtin_owner[row.gtin] != product:
                self.checker.problem(
                    row.number,
                    "gtin",
                    "gtin_taken",
                    row.gtin,
                    gtin=row.gtin,
                    product=gtin_owner[row.gtin].name_vi,
                )
                continue
            if product is None:
                product = NewRow(
                    producer=producer,
                    name_vi=row.product,
                    name_en=name_en_of.get(key, ""),
                    name_key=fold(row.product),
                    group=row.group,
                    product_set_id=set_of.get(key),
                    gtin=row.gtin,
                )
                self.plan.new_products[key] = product
                self.plan.product_of_key[key] = product
                self.report.products.create += 1
                if row.outside == "outside_jurisdiction":
                    self._refuse(row)
                continue
            self.plan.product_of_key[key] = product
            changes = []
            wanted = {"group": row.group}
            if key in set_of:
                wanted["product_set_id"] = set_of[key]
            if key in name_en_of:
                wanted["name_en"] = name_en_of[key]
            if row.gtin:
                wanted["gtin"] = row.gtin
            if row.product != product.name_vi:
                wanted["name_vi"] = row.product
            for name, value in wanted.items():
                if getattr(product, name) != value:
                    setattr(product, name, value)
                    changes.append(name)
            if changes and row.outside == "outside_jurisdiction":
                self._refuse(row, changes)
            if changes:
                self.plan.changed_products[product.pk] = (product, changes)
                self.report.products.update += 1
            else:
                self.report.products.unchanged += 1

    def _recognitions(self) -> None:
        product_ids = {p.pk for p in self.plan.product_of_key.values() if p.pk}
        existing: dict[tuple, Recognition] = {}
        for recognition in Recognition.objects.filter(product_id__in=product_ids):
            existing.setdefault((recognition.product_id, recognition.recognised_on), recognition)
        seen: set[tuple] = set()
        for row in self.rows:
            product = self.plan.product_of_key.get(row.product_key)
            if product is None:
                continue
            marker = (row.product_key, row.recognised_on)
            if marker in seen:
                continue  # the same recognition listed twice with the same stars
            seen.add(marker)
            values = {
                "stars": row.stars,
                "level": row.level,
                "valid_until": row.valid_until or validity_end(row.recognised_on),
            }
            if row.score is not None:
                values["score"] = row.score
            if row.decision:
                values["decision_no"] = row.decision
            if row.revoked_on:
                values["revoked_on"] = row.revoked_on
                values["revocation_reason"] = row.revocation_reason
            if row.note:
                values["note"] = row.note[:300]
            current = existing.get((product.pk, row.recognised_on)) if product.pk else None
            if current is None:
                recognition = NewRow(
                    product=product,
                    recognised_on=row.recognised_on,
                    issuer_province_id=row.historical_province_id or row.province_id,
                    **values,
                )
                self.plan.new_recognitions.append((row.product_key, recognition))
                self.report.recognitions.create += 1
                if row.outside:
                    self._refuse(row)
                continue
            if not row.level_given:
                values.pop("level")
            if not row.valid_until:
                values.pop("valid_until")
            changes = [name for name, value in values.items() if getattr(current, name) != value]
            actor = self.checker.actor
            if changes and current.level == RecognitionLevel.CENTRAL and actor and not actor.is_central:
                row.outside = row.outside or "central_only"  # whatever level the row now states
            if changes and row.outside:
                self._refuse(row, changes)
            for name in changes:
                setattr(current, name, values[name])
            if changes:
                self.plan.changed_recognitions[current.pk] = (current, changes)
                self.report.recognitions.update += 1
            else:
                self.report.recognitions.unchanged += 1


def preview(plan: Plan) -> list[dict]:
    rows = []
    for producer in list(plan.new_producers.values())[:PREVIEW_ROWS]:
        rows.append({"action": "create", "kind": "producer", "name": producer.name})
    for producer, fields in list(plan.changed_producers.values())[:PREVIEW_ROWS]:
        rows.append({"action": "update", "kind": "producer", "name": producer.name, "fields": fields})
    for product in list(plan.new_products.values())[:PREVIEW_ROWS]:
        rows.append({"action": "create", "kind": "product", "name": product.name_vi})
    for product, fields in list(plan.changed_products.values())[:PREVIEW_ROWS]:
        rows.append({"action": "update", "kind": "product", "name": product.name_vi, "fields": fields})
    return rows
