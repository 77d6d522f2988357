"""Checking every row of a list: values, addresses, jurisdiction, and rows against each other.

A row with any problem is left out of the plan; the problems are recorded on the report with
the row number and the column's header as written in the file.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.geo import gazetteer as gz
from ocop.geo.messages import describe
from ocop.geo.models import Commune, District, Province
from ocop.geo.resolver import resolve
from ocop.vntext import fold

from .. import listformat as lf
from ..choices import RecognitionLevel
from ..exporting import template_example_names
from ..identifiers import IdentifierError, normalise_gtin, normalise_tax_code
from ..listformat import ValueProblem
from ..models import ProductSet, Taxonomy
from ..services import identifier_message
from ..taxonomy import group_for_name
from .report import Problem, Report


@dataclass
class Row:
    """One product row, read and checked."""

    number: int
    product: str = ""
    product_en: str = ""
    producer: str = ""
    kind: str = ""
    kind_given: bool = False
    address: str = ""
    group: str = ""
    product_set_id: int | None = None
    stars: int = 0
    score: Decimal | None = None
    decision: str = ""
    recognised_on: date | None = None
    valid_until: date | None = None
    revoked_on: date | None = None
    revocation_reason: str = ""
    tax_code: str | None = None
    gtin: str | None = None
    level: str = ""
    level_given: bool = False
    note: str = ""
    province_id: int | None = None
    commune_id: int | None = None
    historical_province_id: int | None = None
    historical_district_id: int | None = None
    historical_commune_id: int | None = None
    # Why the row is outside the importer's level or jurisdiction ("outside_jurisdiction",
    # "central_only"), with the problem's column and parameters: such a row is accepted only if
    # it would change nothing (the planner decides), so that an officer's own export goes back in.
    outside: str = ""
    outside_column: str = ""
    outside_params: dict = field(default_factory=dict)

    @functools.cached_property
    def producer_key(self) -> tuple:
        if self.tax_code:
            return ("tax", self.tax_code)
        return ("name", self.commune_id or f"p{self.province_id}", fold(self.producer))

    @functools.cached_property
    def product_key(self) -> tuple:
        return (self.producer_key, fold(self.product))


class Units:
    """Unit rows by (era, code), loaded once per import."""

    def __init__(self):
        self.provinces = {
            (era, code): pk for pk, era, code in Province.objects.values_list("pk", "era_id", "code")
        }
        self.districts = {code: pk for pk, code in District.objects.values_list("pk", "code")}
        self.communes = {
            (era, code): pk for pk, era, code in Commune.objects.values_list("pk", "era_id", "code")
        }
        self.commune_province = dict(Commune.objects.values_list("pk", "province_id"))
        self.province_names = dict(Province.objects.values_list("pk", "name"))
        self.commune_names = dict(Commune.objects.filter(era_id=gz.CURRENT).values_list("pk", "name"))


class Checker:
    def __init__(self, header: lf.Header, rows: list[list], *, user, default_province: str, report: Report):
        self.header = header
        self.rows = rows
        self.user = user
        self.report = report
        self.default_province = default_province
        self.units = Units()
        self.actor = gate.actor_of(user) if user is not None else None
        self._resolved: dict[tuple[str, date | None], object] = {}
        self._groups: dict[str, str] = {}
        self._sets = {(s.taxonomy_id, fold(s.name_vi)): s for s in ProductSet.objects.all()}
        self._taxonomies = list(Taxonomy.objects.order_by("effective_from"))
        self._examples = {fold(name) for name in template_example_names()}

    def problem(self, row: int | None, column: str | None, code: str, cell: str = "", **params) -> None:
        """Record a problem; ``cell`` is the value as written, ``params`` fill the message."""
        label = self.header.labels.get(column, column) if column else None
        self.report.problems.append(Problem(row, label, code, params, cell))

    def cell(self, raw_row: list, name: str):
        index = self.header.positions.get(name)
        if index is None or index >= len(raw_row):
            return None
        return raw_row[index]

    def is_product_row(self, raw_row: list) -> bool:
        """Title, section and total rows fill fewer than three of the required columns."""
        filled = sum(1 for name in lf.required_columns() if lf.text(self.cell(raw_row, name)))
        return filled >= 3

    def check(self, progress) -> list[Row]:
        checked: list[Row] = []
        data = self.rows[self.header.row_index + 1 :]
        total = len(data)
        for offset, raw_row in enumerate(data):
            number = self.header.row_index + 2 + offset
            if offset % 500 == 0:
                progress(offset, total, _("Checking rows"))
            if not any(lf.text(cell) for cell in raw_row):
                continue
            if not self.is_product_row(raw_row):
                self.report.skipped_rows.append(number)
                continue
            self.report.rows += 1  # every product row read, with or without problems
            row = self.check_row(number, raw_row)
            if row is not None:
                checked.append(row)
        return checked

    def refuse_outside(self, row: Row, column: str = "") -> None:
        """Refuse a row outside the importer's level or jurisdiction that would change the
        registry, naming the column that differs (or the one that puts it outside)."""
        column = column or row.outside_column
        raw = self.rows[row.number - 1]
        self.problem(row.number, column, row.outside, lf.text(self.cell(raw, column)), **row.outside_params)

    def check_row(self, number: int, raw: list) -> Row | None:
        row = Row(number=number)
        problems_before = len(self.report.problems)

        def value(name: str, parser, **kwargs):
            cell = self.cell(raw, name)
            try:
                return parser(cell, **kwargs)
            except ValueProblem as problem:
                self.problem(number, name, problem.code, lf.text(cell), **problem.params)
                return None

        def required_text(name: str) -> str:
            content = lf.text(self.cell(raw, name))
            if not content:
                self.problem(number, name, "required")
            return content

        row.product = required_text("product")
        if row.product and fold(row.product) in self._examples:
            self.problem(number, "product", "template_example", row.product)
        row.producer = required_text("producer")
        row.address = required_text("address")
        row.product_en = lf.text(self.cell(raw, "product_name_en"))
        row.decision = lf.text(self.cell(raw, "decision"))
        row.note = lf.text(self.cell(raw, "note"))
        row.revocation_reason = lf.text(self.cell(raw, "revocation_reason"))
        row.stars = value("stars", lf.parse_stars) or 0
        row.recognised_on = value(
            "recognised_on", lf.parse_date, year_only="recognised_on" in self.header.year_only
        )
        if row.recognised_on and row.recognised_on > timezone.localdate():
            self.problem(
                number,
                "recognised_on",
                "date_in_future",
                row.recognised_on.strftime("%d/%m/%Y"),
                value=row.recognised_on.strftime("%d/%m/%Y"),
            )
        for name in ("valid_until", "revoked_on"):
            if lf.text(self.cell(raw, name)):
                setattr(row, name, value(name, lf.parse_date))
        if lf.text(self.cell(raw, "score")):
            row.score = value("score", lf.parse_score)

        # Producer type: the column when there is one, else the producer's name.
        if self.header.index_of("producer_type") is not None and lf.text(self.cell(raw, "producer_type")):
            row.kind = value("producer_type", lf.parse_producer_type) or ""
            row.kind_given = True
        elif row.producer:
            try:
                row.kind = lf.infer_producer_type(row.producer)
            except ValueProblem as problem:
                self.problem(number, "producer", problem.code, row.producer, **problem.params)

        group_text = required_text("group")
        if group_text:
            row.group = self._group(group_text)
            if not row.group:
                self.problem(number, "group", "group_unknown", group_text, value=group_text)
            else:
                row.product_set_id = self._product_set(group_text, row.recognised_on)

        if lf.text(self.cell(raw, "level")):
            row.level = value("level", lf.parse_level) or ""
            row.level_given = bool(row.level)
        elif row.stars and row.recognised_on:
            row.level = lf.default_level(row.stars, row.recognised_on)

        tax = lf.text(self.cell(raw, "tax_code"))
        if tax:
            try:
                row.tax_code = normalise_tax_code(tax)
            except IdentifierError as exc:
                self.problem(
                    number, "tax_code", "tax_code", tax, error=identifier_message("tax_code", exc, tax)
                )
        gtin = lf.text(self.cell(raw, "gtin"))
        if gtin:
            try:
                row.gtin = normalise_gtin(gtin)
            except IdentifierError as exc:
                self.problem(number, "gtin", "gtin", gtin, error=identifier_message("gtin", exc, gtin))

        if row.address:
            self.place(row, raw)
        self.check_rules(row)
        return row if len(self.report.problems) == problems_before else None

    def _group(self, text: str) -> str:
        if text not in self._groups:
            self._groups[text] = group_for_name(text) or ""
        return self._groups[text]

    def _product_set(self, group_text: str, day: date | None) -> int | None:
        """The product set named in the group column: in the taxonomy in force on the day, else
        in the newest taxonomy that has a set of that name (a product keeps its set)."""
        in_force = None
        for candidate in self._taxonomies:
            if day is None or candidate.effective_from <= day:
                in_force = candidate
        ordered = ([in_force] if in_force else []) + list(reversed(self._taxonomies))
        for taxonomy in ordered:
            found = self._sets.get((taxonomy.code, fold(group_text)))
            if found:
                return found.pk
        return None

    def place(self, row: Row, raw: list) -> None:
        commune_code = lf.text(self.cell(raw, "commune_code"))
        province_hint = lf.text(self.cell(raw, "province")) or self.default_province
        text = row.address
        if province_hint and fold(province_hint) not in fold(text):
            text = f"{text}, {province_hint}"
        resolution = self._resolve(text, row.recognised_on)
        if resolution.status != "resolved" and text != row.address:
            # The hint may be a province of the other era; the address alone may be enough.
            alone = self._resolve(row.address, row.recognised_on)
            if alone.status == "resolved":
                resolution = alone
        if commune_code:
            commune_id = self.units.communes.get((gz.CURRENT, commune_code.zfill(5)))
            if commune_id is None:
                self.problem(
                    row.number, "commune_code", "commune_code_unknown", commune_code, value=commune_code
                )
                return
            row.commune_id = commune_id
            row.province_id = self.units.commune_province[commune_id]
            if (
                resolution.status == "resolved"
                and resolution.current_commune
                and (self.units.communes.get((gz.CURRENT, resolution.current_commune.code)) == commune_id)
            ):
                self._historical(row, resolution)
        elif resolution.status != "resolved":
            self.problem(row.number, "address", "address", row.address, reason=describe(resolution))
            return
        else:
            row.province_id = self.units.provinces[(gz.CURRENT, resolution.current_province.code)]
            if resolution.current_commune is not None:
                row.commune_id = self.units.communes[(gz.CURRENT, resolution.current_commune.code)]
            self._historical(row, resolution)
        self._check_jurisdiction(row)

    def _historical(self, row: Row, resolution) -> None:
        if resolution.era != gz.LEGACY:
            return
        row.historical_province_id = self.units.provinces.get((gz.LEGACY, resolution.province.code))
        if resolution.district is not None:
            row.historical_district_id = self.units.districts.get(resolution.district.code)
        if resolution.commune is not None:
            row.historical_commune_id = self.units.communes.get((gz.LEGACY, resolution.commune.code))

    def _resolve(self, text: str, day: date | None):
        """Resolve once per address; the date matters only when the name fits both eras."""
        plain = self._resolved.get((text, None))
        if plain is None:
            plain = self._resolved[(text, None)] = resolve(text)
        if plain.reason_code != "ambiguous_era" or day is None:
            return plain
        key = (text, day)
        if key not in self._resolved:
            self._resolved[key] = resolve(text, on=day)
        return self._resolved[key]

    def _check_jurisdiction(self, row: Row) -> None:
        if self.actor is None or self.actor.is_central:
            return
        if row.province_id in self.actor.province_ids or (
            row.commune_id and row.commune_id in self.actor.commune_ids
        ):
            return
        unit = self.units.commune_names.get(row.commune_id) or self.units.province_names.get(row.province_id)
        row.outside, row.outside_column, row.outside_params = (
            "outside_jurisdiction",
            "address",
            {"unit": unit},
        )

    def check_rules(self, row: Row) -> None:
        if row.stars == 5 and row.level and row.level != RecognitionLevel.CENTRAL:
            self.problem(row.number, "level", "five_stars_not_central", row.level, level=row.level)
        if (
            (row.level == RecognitionLevel.CENTRAL or row.stars == 5)
            and self.actor
            and not self.actor.is_central
            and not row.outside  # outside the jurisdiction says more
        ):
            row.outside, row.outside_column = "central_only", "stars"
        if row.recognised_on and row.revoked_on and row.revoked_on < row.recognised_on:
            self.problem(row.number, "revoked_on", "revoked_before", row.revoked_on.strftime("%d/%m/%Y"))
        if row.recognised_on and row.valid_until and row.valid_until < row.recognised_on:
            self.problem(
                row.number, "valid_until", "valid_until_before", row.valid_until.strftime("%d/%m/%Y")
            )

    def check_across_rows(self, rows: list[Row]) -> None:
        """Rows that contradict each other: a product rated twice for one day, a producer in two
        communes, one GTIN on two products."""
        by_recognition: dict[tuple, list[Row]] = defaultdict(list)
        by_producer: dict[tuple, list[Row]] = defaultdict(list)
        by_gtin: dict[str, set] = defaultdict(set)
        gtin_rows: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            by_recognition[(row.product_key, row.recognised_on)].append(row)
            by_producer[row.producer_key].append(row)
            if row.gtin:
                by_gtin[row.gtin].add(row.product_key)
                gtin_rows[row.gtin].append(row.number)
        for (_product, day), group in by_recognition.items():
            if len({r.stars for r in group}) > 1:
                numbers = [r.number for r in group]
                for row in group:
                    self.problem(
                        row.number,
                        "stars",
                        "stars_conflict",
                        str(row.stars),
                        product=row.product,
                        day=day.strftime("%d/%m/%Y"),
                        rows=numbers,
                    )
        for key, group in by_producer.items():
            if key[0] == "tax" and len({(r.province_id, r.commune_id) for r in group}) > 1:
                numbers = [r.number for r in group]
                for row in group:
                    self.problem(
                        row.number,
                        "address",
                        "producer_conflict",
                        row.address,
                        producer=row.producer,
                        tax_code=row.tax_code,
                        rows=numbers,
                    )
        for gtin, products in by_gtin.items():
            if len(products) > 1:
                for number in gtin_rows[gtin]:
                    self.problem(number, "gtin", "gtin_conflict", gtin, gtin=gtin, rows=gtin_rows[gtin])
