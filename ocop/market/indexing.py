"""What the catalogue's index holds for a product, computed from plain rows. A pure core.

:func:`recognition_columns` reproduces the registry's rule for the recognition that decides a
product's status (``Product.current_recognition`` and ``Recognition.status_on``) over tuples,
so that the whole registry's recognitions can be read in one query; a test holds the two to
agreement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from . import matching


class RecognitionRow(NamedTuple):
    product_id: int
    pk: int
    stars: int
    recognised_on: date
    valid_until: date
    revoked_on: date | None
    superseded_on: date | None


def status_on(row: RecognitionRow, day: date) -> str:
    """``Recognition.status_on`` over a row."""
    if row.recognised_on > day:
        return "pending"
    if row.revoked_on and row.revoked_on <= day:
        return "revoked"
    if row.superseded_on and row.superseded_on <= day:
        return "superseded"
    if row.valid_until < day:
        return "expired"
    return "valid"


def last_valid_day(row: RecognitionRow) -> date:
    """The last day the recognition is in force, ending early when revoked or superseded."""
    end = row.valid_until
    for stop in (row.revoked_on, row.superseded_on):
        if stop is not None:
            end = min(end, stop - timedelta(days=1))
    return end


@dataclass(frozen=True)
class Columns:
    valid_stars: int
    valid_from: date | None
    valid_to: date | None
    status: str
    last_recognised_on: date | None

    def as_tuple(self) -> tuple:
        return (self.valid_stars, self.valid_from, self.valid_to, self.status, self.last_recognised_on)


def by_product(rows: Iterable[RecognitionRow]) -> dict[int, list[RecognitionRow]]:
    grouped: dict[int, list[RecognitionRow]] = {}
    for row in rows:
        grouped.setdefault(row.product_id, []).append(row)
    return grouped


def deciding(recognitions: list[RecognitionRow], day: date) -> RecognitionRow | None:
    """The recognition that decides a product's status on ``day``: the latest in force, else
    the latest started (``Product.current_recognition``); None when none has started."""
    started = sorted(
        (r for r in recognitions if r.recognised_on <= day),
        key=lambda r: (r.recognised_on, r.pk),
        reverse=True,
    )
    for row in started:
        if status_on(row, day) == "valid":
            return row
    return started[0] if started else None


def columns_for(recognitions: list[RecognitionRow], day: date) -> Columns:
    row = deciding(recognitions, day)
    last = max((r.recognised_on for r in recognitions if r.recognised_on <= day), default=None)
    if row is None:
        return Columns(0, None, None, "pending", None)
    if status_on(row, day) == "valid":
        return Columns(row.stars, row.recognised_on, last_valid_day(row), "valid", last)
    return Columns(0, None, None, status_on(row, day), last)


def recognition_columns(rows: Iterable[RecognitionRow], day: date) -> dict[int, Columns]:
    """Per product: the stars valid on ``day`` and the days they stay valid, and the status
    of the recognition that decides."""
    return {pid: columns_for(recognitions, day) for pid, recognitions in by_product(rows).items()}


class ProductRow(NamedTuple):
    """The fields of a product (with its producer and places) that its document is made of."""

    pk: int
    name_vi: str
    name_en: str
    group: str
    product_set_id: int | None
    gtin: str | None
    updated_at: object
    producer_id: int
    producer_name: str
    producer_kind: str
    producer_updated_at: object
    province_id: int
    province_name: str
    commune_id: int | None
    commune_name: str | None
    old_province_name: str | None
    old_district_name: str | None
    old_commune_name: str | None
    set_name_vi: str | None
    set_name_en: str | None


def text_columns(row: ProductRow, labels: dict[str, str]) -> dict:
    """The folded text columns of an entry. ``labels`` maps group and producer-type codes to
    their labels in every language, joined ("food" -> "Thực phẩm Food")."""
    gtin = row.gtin or ""
    short_gtin = gtin[1:] if len(gtin) == 14 and gtin.startswith("0") else ""
    words = matching.document(
        row.name_vi,
        row.name_en,
        row.producer_name,
        row.commune_name or "",
        row.province_name,
        row.old_commune_name or "",
        row.old_district_name or "",
        row.old_province_name or "",
        row.set_name_vi or "",
        row.set_name_en or "",
        labels.get(row.group, ""),
        labels.get(row.producer_kind, ""),
        gtin,
        short_gtin,
    )
    return {
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "producer_name": row.producer_name,
        "sort_name": " ".join(matching.words(row.name_vi))[:250],
        # Padded with a space at each end, so that one LIKE '% word%' tests that a word begins
        # with ``word``, and one LIKE '% word %' that it is ``word``.
        "names": f" {matching.document(row.name_vi, row.name_en)} ",
        "document": f" {words} ",
    }
