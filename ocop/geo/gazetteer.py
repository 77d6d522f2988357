"""The administrative units of Vietnam, old and new, as plain data.

A pure core: no Django. The gazetteer is built from the ``vietnam-provinces`` package
(official statistics-office codes for the 34 provinces / 3,321 communes in force since
1 July 2025, and the 63 provinces / 696 districts / 10,051 communes before it) and from
``data/succession.csv``, which says for every old commune which new commune it became
part of. The database tables in :mod:`ocop.geo.models` are loaded from this same object,
and the address resolver reads it directly, so both always agree.

Codes are the statistics office's, zero-padded: provinces 2 digits, districts 3, communes 5.
Codes repeat across eras (new commune 00004 is Phường Ba Đình, old commune 00004 is
Phường Trúc Bạch), so a unit is identified by ``(era, code)``.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SUCCESSION_CSV = DATA_DIR / "succession.csv"

CURRENT = "2025-07"
LEGACY = "pre-2025-07"
REFORM_DATE = date(2025, 7, 1)

PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"


@dataclass(frozen=True, slots=True)
class EraInfo:
    code: str
    name_vi: str
    name_en: str
    valid_from: date | None
    valid_until: date | None  # last day in force, inclusive

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


ERAS = (
    EraInfo(
        LEGACY,
        "63 tỉnh, thành phố (trước 01/07/2025)",
        "63 provinces (before 1 July 2025)",
        None,
        date(2025, 6, 30),
    ),
    EraInfo(
        CURRENT, "34 tỉnh, thành phố (từ 01/07/2025)", "34 provinces (since 1 July 2025)", REFORM_DATE, None
    ),
)


def era_on(day: date) -> str:
    """The era whose boundaries were in force on ``day``."""
    for era in ERAS:
        if era.covers(day):
            return era.code
    raise ValueError(f"no administrative boundaries known for {day}")


_PREFIXES = (
    "thành phố trung ương",
    "thành phố",
    "tỉnh",
    "huyện",
    "quận",
    "thị xã",
    "thị trấn",
    "xã",
    "phường",
    "đặc khu",
)


def short_name(name: str, division_type: str) -> str:
    """``Tỉnh Cao Bằng`` -> ``Cao Bằng``; names keep their prefix in the published data."""
    lowered = name.lower()
    candidates = [division_type, *_PREFIXES]
    for prefix in candidates:
        if lowered.startswith(prefix + " "):
            return name[len(prefix) + 1 :].strip()
    return name


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit of one era."""

    era: str
    level: str
    code: str
    name: str
    short_name: str
    division_type: str
    province_code: str
    district_code: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.era, self.level, self.code)


@dataclass(slots=True)
class Succession:
    """Where an old commune went: every new commune that took part of it, the primary first."""

    legacy_code: str
    current_codes: tuple[str, ...]
    partial: bool  # the old commune was split between several new ones
    source: str  # "vietnam-provinces" or the note from succession.csv


@dataclass
class Gazetteer:
    provinces: dict[tuple[str, str], Unit] = field(default_factory=dict)
    districts: dict[tuple[str, str], Unit] = field(default_factory=dict)
    communes: dict[tuple[str, str], Unit] = field(default_factory=dict)
    # legacy commune code -> Succession
    commune_successions: dict[str, Succession] = field(default_factory=dict)
    # legacy province code -> current province codes that took part of it, primary first
    province_successions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # -- lookups -------------------------------------------------------------------------
    def province(self, era: str, code: str) -> Unit:
        return self.provinces[(era, code)]

    def district(self, code: str) -> Unit:
        return self.districts[(LEGACY, code)]

    def commune(self, era: str, code: str) -> Unit:
        return self.communes[(era, code)]

    def units(self, era: str, level: str) -> list[Unit]:
        table = {PROVINCE: self.provinces, DISTRICT: self.districts, COMMUNE: self.communes}[level]
        return [unit for (unit_era, _), unit in table.items() if unit_era == era]

    def current_commune_of(self, legacy_code: str) -> Unit | None:
        """The new commune an old commune became (the primary one when it was split)."""
        succession = self.commune_successions.get(legacy_code)
        if succession is None or not succession.current_codes:
            return None
        return self.communes[(CURRENT, succession.current_codes[0])]

    def current_province_of(self, legacy_code: str) -> Unit:
        """The new province an old province became part of (where most of its communes went)."""
        return self.provinces[(CURRENT, self.province_successions[legacy_code][0])]

    def current_of(self, unit: Unit) -> Unit | None:
        """The current unit at the same level that ``unit`` maps to; districts map to nothing."""
        if unit.era == CURRENT:
            return unit
        if unit.level == PROVINCE:
            return self.current_province_of(unit.code)
        if unit.level == COMMUNE:
            return self.current_commune_of(unit.code)
        return None

    # -- construction --------------------------------------------------------------------
    @classmethod
    def from_package(cls, succession_csv: Path | None = SUCCESSION_CSV) -> Gazetteer:
        """Build from ``vietnam-provinces`` and the committed succession table.

        ``succession_csv=None`` leaves the table out (the package's conversion alone), which
        is what ``scripts/build_geo_succession.py`` starts from.
        """
        import vietnam_provinces as vp
        from vietnam_provinces import _province_conversion_2025 as province_conversion
        from vietnam_provinces import _ward_conversion_2025 as ward_conversion
        from vietnam_provinces import legacy

        gaz = cls()

        def unit(era, level, item, width, province_code=None, district_code=None) -> Unit:
            code = f"{int(item.code):0{width}d}"
            kind = str(item.division_type)
            return Unit(
                era,
                level,
                code,
                item.name,
                short_name(item.name, kind),
                kind,
                province_code or code,
                district_code,
            )

        for p in vp.Province.iter_all():
            u = unit(CURRENT, PROVINCE, p, 2)
            gaz.provinces[(CURRENT, u.code)] = u
        for w in vp.Ward.iter_all():
            u = unit(CURRENT, COMMUNE, w, 5, f"{int(w.province_code):02d}")
            gaz.communes[(CURRENT, u.code)] = u
        for p in legacy.Province.iter_all():
            u = unit(LEGACY, PROVINCE, p, 2)
            gaz.provinces[(LEGACY, u.code)] = u
        for d in legacy.District.iter_all():
            u = unit(LEGACY, DISTRICT, d, 3, f"{int(d.province_code):02d}", f"{int(d.code):03d}")
            gaz.districts[(LEGACY, u.code)] = u
        for w in legacy.Ward.iter_all():
            district = gaz.districts[(LEGACY, f"{int(w.district_code):03d}")]
            u = unit(LEGACY, COMMUNE, w, 5, district.province_code, district.code)
            gaz.communes[(LEGACY, u.code)] = u

        for old_code, entry in ward_conversion.OLD_TO_NEW.items():
            code = f"{old_code:05d}"
            if (LEGACY, code) not in gaz.communes:
                continue
            news = tuple(f"{ref.code:05d}" for ref in entry.new_wards)
            gaz.commune_successions[code] = Succession(code, news, len(news) > 1, "vietnam-provinces")
        if succession_csv is not None:
            gaz._apply_succession_table(succession_csv)

        # A province goes where most of its communes went.
        votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for legacy_code, succession in gaz.commune_successions.items():
            old_province = gaz.communes[(LEGACY, legacy_code)].province_code
            if succession.current_codes:
                new_province = gaz.communes[(CURRENT, succession.current_codes[0])].province_code
                votes[old_province][new_province] += 1
        for old_code, entry in province_conversion.OLD_TO_NEW.items():
            code = f"{old_code:02d}"
            counted = votes.get(code, {})
            listed = [f"{ref.code:02d}" for ref in entry.new_provinces]
            gaz.province_successions[code] = tuple(sorted(listed, key=lambda c: -counted.get(c, 0)))
        return gaz

    def _apply_succession_table(self, path: Path) -> None:
        """Overlay the committed table: the primary new commune of split communes, and the
        communes the package's conversion table leaves out (merged before the 2025 reform)."""
        if not path.exists():
            return
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(line for line in fh if not line.startswith("#")):
                legacy_code = row["legacy_code"].zfill(5)
                primary = row["current_code"].zfill(5)
                if (LEGACY, legacy_code) not in self.communes or (CURRENT, primary) not in self.communes:
                    raise ValueError(f"{path.name}: unknown commune code in row {row}")
                existing = self.commune_successions.get(legacy_code)
                others = tuple(c for c in (existing.current_codes if existing else ()) if c != primary)
                self.commune_successions[legacy_code] = Succession(
                    legacy_code,
                    (primary, *others),
                    bool(others),
                    row.get("note") or path.name,
                )


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process."""
    return Gazetteer.from_package()
