"""Open data: the datasets, their fields, their licence, and their CSV and JSON encodings.

The same rows (from :mod:`ocop.market.selectors`) feed the downloads and the API, so a CSV row
and the API's item for the same record hold the same values: dates as ISO 8601, empty cells
for missing values, stars only while a recognition is valid.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from ocop import cells

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = "Nền tảng OCOP / OCOP platform — https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema types: integer, string, date, number, boolean
    description: str  # lazily translated: in the language of the page or data package that shows it


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


# Where a record is, by today's units: the same four fields in every dataset.
PLACE = (
    Field("province_code", "string", _("Statistics office code of the current province")),
    Field("province_name", "string", _("Name of the current province")),
    Field("commune_code", "string", _("Statistics office code of the current commune")),
    Field("commune_name", "string", _("Name of the current commune")),
)
PRODUCTS = Dataset(
    "products",
    _("OCOP products"),
    _("Products ever recognised under the OCOP programme, with the live status of their recognition."),
    (
        Field("id", "integer", _("Stable identifier of the product on the platform")),
        Field("name_vi", "string", _("Name in Vietnamese")),
        Field("name_en", "string", _("Name in English, when the producer gave one")),
        Field("group", "string", _("Product group: food, drinks, herbal, handicraft, ornamental, tourism")),
        Field("product_set", "string", _("Product set as TAXONOMY:CODE (e.g. 148:I.3.c)")),
        Field("gtin", "string", _("GTIN (barcode), 14 digits")),
        Field("ocop_code", "string", _("OCOP product code")),
        Field("producer_id", "integer", _("Identifier of the producer (see the producers dataset)")),
        Field("producer_name", "string", _("Name of the producer")),
        Field("producer_kind", "string", _("cooperative, cooperative_group, enterprise or household")),
        *PLACE,
        Field(
            "status", "string", _("valid, expired, revoked, superseded or pending, on the day of the file")
        ),
        Field("stars", "integer", _("Stars of the recognition in force; empty when none is")),
        Field("recognised_on", "date", _("Date of the recognition that decides the status")),
        Field("valid_until", "date", _("Last day that recognition is (or was) valid")),
        Field("revoked_on", "date", _("Date of revocation, if revoked")),
    ),
)
PRODUCERS = Dataset(
    "producers",
    _("OCOP producers"),
    _(
        "Producers of OCOP-recognised products. No personal data: no representative, phone, e-mail or tax code."
    ),
    (
        Field("id", "integer", _("Stable identifier of the producer on the platform")),
        Field("name", "string", _("Name")),
        Field("kind", "string", _("cooperative, cooperative_group, enterprise or household")),
        *PLACE,
        Field("website", "string", _("Website")),
        Field("valid_products", "integer", _("Products whose recognition is valid on the day of the file")),
    ),
)
POINTS = Dataset(
    "points-of-sale",
    _("OCOP points of sale"),
    _("OCOP introduction and sales points, supermarkets and shops selling OCOP products."),
    (
        Field("id", "integer", _("Stable identifier of the point of sale")),
        Field("name", "string", _("Name")),
        Field(
            "kind",
            "string",
            _("ocop_point, supermarket, convenience, specialty_shop, tourist_spot, market, other"),
        ),
        Field("operator", "string", _("Who runs it")),
        Field("address", "string", _("Address")),
        *PLACE,
        Field("latitude", "number", _("WGS 84 latitude")),
        Field("longitude", "number", _("WGS 84 longitude")),
        Field("opening_hours", "string", _("schema.org openingHours, rules separated by '; '")),
        Field("phone", "string", _("Telephone of the shop")),
        Field("website", "string", _("Website")),
        Field("opened_on", "date", _("Opening date")),
        Field("closed_on", "date", _("Closing date, if closed")),
        Field("is_open", "boolean", _("Open on the day of the file")),
        Field("products", "integer", _("Number of OCOP products it lists")),
    ),
)
DATASETS = {d.slug: d for d in (PRODUCTS, PRODUCERS, POINTS)}


def cell(value):
    """A value as a CSV cell: ISO dates, true/false, empty for None; numbers stay numbers (the
    CSV writer neutralises texts that look like formulas, never a negative number)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return cells.plain(value)


def json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def to_csv(dataset: Dataset, rows: list[dict]) -> str:
    """UTF-8 CSV with a byte-order mark (spreadsheets then read Vietnamese correctly) and a
    header row of the field names."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = cells.csv_writer(buffer, lineterminator="\r\n")  # formula-like texts neutralised
    writer.writerow(dataset.names)
    for row in rows:
        writer.writerow([cell(row[name]) for name in dataset.names])
    return buffer.getvalue()


def envelope(dataset: Dataset, rows: list[dict], *, total: int, generated_at: datetime, since=None) -> dict:
    """The JSON form of a dataset (downloads and the API): licence, when, and the items."""
    return {
        "dataset": dataset.slug,
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "generated_at": generated_at.isoformat(),
        "changes_since": since.isoformat() if since else None,
        "count": total,
        "items": [{name: json_value(row[name]) for name in dataset.names} for row in rows],
    }


def to_json(dataset: Dataset, rows: list[dict], *, generated_at: datetime, since=None) -> str:
    return json.dumps(
        envelope(dataset, rows, total=len(rows), generated_at=generated_at, since=since), ensure_ascii=False
    )


def parse_since(text: str | None) -> datetime | None:
    """``changes_since`` as an aware datetime: an ISO date-time (with or without zone; a date
    alone means its midnight in Viet Nam). None for empty; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    # An unencoded "+07:00" arrives as " 07:00" in a query string.
    value = parse_datetime(text.replace(" ", "+") if "T" in text else text) if ":" in text else None
    if value is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(text)
        value = datetime.combine(day, time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def datapackage(base_url: str) -> dict:
    """A Frictionless Data Package describing the downloads."""
    return {
        "name": "ocop-open-data",
        "title": "OCOP open data (Viet Nam)",
        "licenses": [LICENCE],
        "resources": [
            {
                "name": dataset.slug,
                "title": str(dataset.title),
                "description": str(dataset.description),
                "path": f"{base_url}/open-data/{dataset.slug}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": {
                    "fields": [
                        {"name": f.name, "type": f.type, "description": str(f.description)}
                        for f in dataset.fields
                    ],
                    "primaryKey": "id",
                },
            }
            for dataset in DATASETS.values()
        ],
    }
