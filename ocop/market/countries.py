"""Names of export markets in the reader's language, from data/countries.csv."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from ocop.vntext import fold

COUNTRIES_CSV = Path(__file__).resolve().parent / "data" / "countries.csv"


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, str]]:
    with COUNTRIES_CSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["code"]: {"en": row["en"], "vi": row["vi"]} for row in rows}


def country_name(code: str, language: str = "vi") -> str:
    """The country's name in ``language`` ("vi" or "en"); empty for a code not listed."""
    names = _names().get((code or "").upper())
    return names["en" if language == "en" else "vi"] if names else ""


def export_market(partner: str, code: str, language: str = "vi") -> str:
    """An export channel as a reader sees it: the country in their language, then the partner
    when the producer named more than the country ("Nhật Bản" under JP is the country; "Aeon
    Japan" is an importer): "Japan — Aeon Japan". A code not listed: "partner (XX)"."""
    name = country_name(code, language)
    if not name:
        return f"{partner} ({code})" if code else partner
    known = {fold(n) for n in _names()[code.upper()].values()}
    if not partner or fold(partner) in known:
        return name
    return f"{name} — {partner}"
