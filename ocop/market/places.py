"""Where each current province's administrative centre is, from data/province_centres.csv."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

CENTRES_CSV = Path(__file__).resolve().parent / "data" / "province_centres.csv"


class Centre(NamedTuple):
    code: str
    name: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def province_centres() -> dict[str, Centre]:
    """{province code: Centre} for the 34 provinces in force since 1 July 2025."""
    with CENTRES_CSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {
            row["code"]: Centre(row["code"], row["centre"], float(row["lat"]), float(row["lon"]))
            for row in rows
        }
