"""Where each current province's administrative centre is (``data/province_centres.csv``, its
source in ``data/SOURCES.md``): read once, for the market's maps and trace's distances."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import NamedTuple

CENTRES_CSV = Path(__file__).resolve().parent / "data" / "province_centres.csv"


class Centre(NamedTuple):
    code: str
    name: str  # the town that is the seat ("Tân An")
    lat: float
    lon: float
    seat: str  # the same, with the province named after the 2025 mergers where it differs


@cache
def province_centres() -> dict[str, Centre]:
    """{province code: Centre} for the 34 provinces in force since 1 July 2025."""
    with CENTRES_CSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {
            row["code"]: Centre(
                row["code"], row["centre"], float(row["latitude"]), float(row["longitude"]), row["seat"]
            )
            for row in rows
        }
