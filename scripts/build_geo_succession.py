"""Regenerate ocop/geo/data/succession.csv from the ``vietnamadminunits`` package (MIT).

``vietnam-provinces`` (our source of units and codes) maps every old commune to the new
communes that took it, but for the communes split between several new ones it lists them
in no meaningful order, and it leaves out 28 old communes that were merged into a neighbour
shortly before the 2025 reform. ``vietnamadminunits`` 1.0.4 knows both: its
``converter_2025.json`` names a default new ward for every divided old ward
(``DICT_PROVINCE_WARD_DIVIDED`` / ``isDefaultNewWard``) and the single new ward of every
other one (``DICT_PROVINCE_WARD_NO_DIVIDED``), keyed by folded names such as
``tinhhaiduong_huyengialoc_xaleloi``. This script matches those names to our codes and
writes one row per old commune whose primary successor has to be stated.

It is a development tool, not a dependency of the project. Run it with an interpreter that
has both packages (``pip install -e '.[geodata]'``):

    python scripts/build_geo_succession.py            # writes the CSV, prints a report
    python scripts/build_geo_succession.py --check    # exits 1 if the CSV would change
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vietnam_provinces import _ward_conversion_2025 as ward_conversion  # noqa: E402

from ocop.geo import gazetteer as gz  # noqa: E402
from ocop.vntext import fold, tone_key  # noqa: E402

SOURCE = "vietnamadminunits 1.0.4"
HEADER = f"""\
# Primary successor of old communes, overlaid on vietnam-provinces' conversion table by
# ocop/geo/gazetteer.py. Derived from {SOURCE} (MIT licence, (c) 2025 Tran Ngoc Minh Hieu,
# https://github.com/tranngocminhhieu/vietnamadminunits): the default new ward of every old
# commune split between several new ones, and the new commune of the old communes that
# vietnam-provinces leaves out. Do not edit by hand; regenerate with
#   pip install -e '.[geodata]' && python scripts/build_geo_succession.py
"""


def key(text: str) -> str:
    """The package's key for a name: folded, without spaces ("Xã Lê Lợi" -> "xaleloi")."""
    return fold(text).replace(" ", "")


@dataclass(frozen=True)
class OldWard:
    """One row of vietnamadminunits' legacy table."""

    key: str  # province_district_ward, as in converter_2025.json
    code: str
    name: str
    province_code: str
    district_code: str
    district: str
    aliases: tuple[str, ...]


def load_vam():
    import vietnamadminunits

    data_dir = Path(vietnamadminunits.__file__).parent / "data"
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(data_dir / "dataset.db")
    old_wards = [
        OldWard(
            f"{pk}_{dk}_{wk}",
            code,
            ward,
            pcode,
            dcode,
            district,
            tuple(json.loads(alias)) if alias else (),
        )
        for pk, dk, wk, code, ward, pcode, dcode, district, alias in db.execute(
            "select provinceKey, districtKey, wardKey, wardCode, ward, provinceCode, districtCode,"
            " district, wardAlias from admin_units_legacy"
        )
    ]
    new_wards = {
        (pk, wk): (code, ward, pcode)
        for pk, wk, code, ward, pcode in db.execute(
            "select provinceKey, wardKey, wardCode, ward, provinceCode from admin_units"
        )
    }
    new_provinces = dict(db.execute("select distinct provinceKey, province from admin_units"))
    return converter, old_wards, new_wards, new_provinces


# Old communes unknown to vietnamadminunits whose code neighbours went to different new
# communes: decided by hand, with the reason. Checked by decide_by_neighbours().
BY_HAND: dict[str, tuple[str, str]] = {
    # Xã Phù Mỹ, Huyện Đạ Huoai (formerly Cát Tiên), Lâm Đồng: its neighbours Xã Đức Phổ
    # (25183) and Xã Quảng Ngãi (25189) went to Xã Cát Tiên 2 and Xã Cát Tiên. Quảng Ngãi had
    # already absorbed Xã Tư Nghĩa (an alias in vietnamadminunits); none is recorded for Phù Mỹ.
    "25186": (
        "25180",
        "neighbours Xã Đức Phổ (25183, to Xã Cát Tiên 2) and Xã Quảng Ngãi (25189, to Xã Cát Tiên)"
        " disagree; taken with Đức Phổ since Quảng Ngãi had already absorbed Xã Tư Nghĩa."
        " UNVERIFIED: check the 2024 resolution on Lâm Đồng's communes",
    ),
}


def decide_by_neighbours(unit, legacy_units, gaz) -> tuple[str, str, str] | None:
    """A row for an old commune neither package follows after its pre-2025 merger.

    The statistics office numbers the communes of a district in geographic order, so the
    commune that absorbed it is almost always the one just before or just after it in code order:
    when both of those went to the same new commune, that is the answer.
    """
    district = [u for u in legacy_units if u.district_code == unit.district_code]
    index = district.index(unit)
    known = [u for u in district if u.code in gaz.commune_successions]
    before = next((u for u in reversed(district[:index]) if u in known), None)
    after = next((u for u in district[index + 1 :] if u in known), None)
    primary = {
        u.code: gaz.commune_successions[u.code].current_codes[0] for u in (before, after) if u is not None
    }
    if unit.code in BY_HAND:
        code, reason = BY_HAND[unit.code]
        return (unit.code, code, f"not in either package's table; decided by hand: {reason}")
    if len(set(primary.values())) == 1:
        (code,) = set(primary.values())
        target = gaz.commune(gz.CURRENT, code).name
        neighbours = " and ".join(f"{u.name} ({u.code})" for u in (before, after) if u is not None)
        return (
            unit.code,
            code,
            f"not in either package's table after a pre-2025 merger; its code neighbours"
            f" {neighbours} both went to {target}",
        )
    for u in (before, after):
        if u is not None:
            print(f"  neighbour of {unit.code} {unit.name}: {u.code} {u.name} -> {primary[u.code]}")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the CSV is out of date")
    args = parser.parse_args()

    gaz = gz.Gazetteer.from_package(succession_csv=None)  # the package's own table only
    converter, old_wards, new_wards, new_provinces = load_vam()
    report: list[str] = []

    # -- new wards: vietnamadminunits (province key, ward key) -> our current commune ---------
    current_by_province_name: dict[tuple[str, str], list[gz.Unit]] = defaultdict(list)
    for unit in gaz.units(gz.CURRENT, gz.COMMUNE):
        current_by_province_name[(unit.province_code, tone_key(unit.name))].append(unit)
    province_by_name = {tone_key(u.short_name): u for u in gaz.units(gz.CURRENT, gz.PROVINCE)}

    def current_province_code(province_key: str) -> str:
        name = gz.short_name(new_provinces[province_key], "")
        return province_by_name[tone_key(name)].code

    new_code_mismatch = 0

    def current_commune(province_key: str, ward_key: str) -> gz.Unit:
        nonlocal new_code_mismatch
        code, name, _ = new_wards[(province_key, ward_key)]
        pcode = current_province_code(province_key)
        unit = gaz.communes.get((gz.CURRENT, code))
        if unit and unit.province_code == pcode and tone_key(unit.name) == tone_key(name):
            return unit
        # Their code differs from the statistics office's: trust the name within the province.
        (unit,) = current_by_province_name[(pcode, tone_key(name))]
        new_code_mismatch += 1
        return unit

    # -- old wards: our legacy commune -> the vietnamadminunits row that stands for it ---------
    # Its legacy table is a later snapshot than ours (early-2025 mergers applied), so a row is
    # found by the statistics-office code (the same unit, perhaps renamed or respelt), else by
    # name in the same district (a merged ward that took the absorbed one's name, e.g. Phường 14,
    # Quận Bình Thạnh), else as the neighbour that lists our name among its former names.
    by_code = {w.code: w for w in old_wards}
    by_place: dict[tuple[str, str], list[OldWard]] = defaultdict(list)
    for ward in old_wards:
        by_place[(ward.province_code, tone_key(ward.name))].append(ward)

    def same_district(unit: gz.Unit, ward: OldWard) -> bool:
        district = gaz.district(unit.district_code)
        return unit.district_code == ward.district_code or key(district.short_name) == key(
            gz.short_name(ward.district, "")
        )

    how = Counter()
    legacy_of: dict[str, tuple[OldWard, str]] = {}  # our legacy code -> (row, how it was found)
    for unit in gaz.units(gz.LEGACY, gz.COMMUNE):
        ward = by_code.get(unit.code)
        if ward and ward.province_code == unit.province_code and same_district(unit, ward):
            if tone_key(ward.name) == tone_key(unit.name):
                found = "same code and name"
            elif key(ward.name) == key(unit.name):
                found = "same code, name spelt differently"
            elif {key(unit.name), key(unit.short_name)} & set(ward.aliases):
                found = "same code, renamed (old name among its aliases)"
            else:
                found = "same code, other name"
            legacy_of[unit.code] = (ward, found)
            how[found] += 1
            continue
        named = [w for w in by_place[(unit.province_code, tone_key(unit.name))] if same_district(unit, w)]
        if len(named) == 1:
            legacy_of[unit.code] = (named[0], "same name in the same district, other code")
            how["same name in the same district, other code"] += 1
            continue
        names = {key(unit.name), key(unit.short_name)}
        hosts = [
            w
            for w in old_wards
            if w.province_code == unit.province_code and names & set(w.aliases) and same_district(unit, w)
        ]
        if len(hosts) == 1:
            legacy_of[unit.code] = (hosts[0], "merged into a neighbour that lists it as a former name")
            how["merged into a neighbour that lists it as a former name"] += 1
            continue
        how["not found"] += 1

    divided = {k: v for wards in converter["DICT_PROVINCE_WARD_DIVIDED"].values() for k, v in wards.items()}
    province_of_new = {}
    not_divided = {}
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, olds in wards.items():
            for old_key in olds:
                not_divided[old_key] = (province_key, new_key)
    for province_key, wards in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key in wards:
            province_of_new[old_key] = province_key

    def vam_successors(ward: OldWard) -> tuple[gz.Unit, list[gz.Unit], str]:
        """(primary, all, how) according to vietnamadminunits."""
        if ward.key in not_divided:
            province_key, new_key = not_divided[ward.key]
            unit = current_commune(province_key, new_key)
            return unit, [unit], "not divided"
        province_key = province_of_new[ward.key]
        options = divided[ward.key]
        default = next(o["newWardKey"] for o in options if o["isDefaultNewWard"])
        return (
            current_commune(province_key, default),
            [current_commune(province_key, o["newWardKey"]) for o in options],
            "default new ward",
        )

    # -- the rows ----------------------------------------------------------------------------
    rows: list[tuple[str, str, str]] = []
    stats = Counter()
    disagreements: list[str] = []

    def names(codes) -> str:
        return ", ".join(gaz.commune(gz.CURRENT, c).name for c in codes)

    legacy_units = sorted(gaz.units(gz.LEGACY, gz.COMMUNE), key=lambda u: u.code)
    for unit in legacy_units:
        succession = gaz.commune_successions.get(unit.code)
        ward, found = legacy_of.get(unit.code, (None, ""))
        if succession and not succession.partial:
            if ward:  # only compared, for the report: the package's answer stands
                primary, _, _ = vam_successors(ward)
                if primary.code == succession.current_codes[0]:
                    stats["whole: same successor in both packages"] += 1
                else:
                    stats["whole: successors differ (package kept)"] += 1
                    disagreements.append(
                        f"{unit.code} {unit.name}: vietnam-provinces {names(succession.current_codes)},"
                        f" vietnamadminunits {primary.name}"
                    )
            continue
        if succession:  # split between several new communes: state the primary one
            if ward is None:
                stats["split: not found in vietnamadminunits"] += 1
                report.append(f"split, not found in vietnamadminunits: {unit.code} {unit.name}")
                continue
            primary, _, how_ = vam_successors(ward)
            if primary.code not in succession.current_codes:
                stats["split: default not among the package's successors"] += 1
                report.append(
                    f"split, default {primary.code} {primary.name} not among the package's"
                    f" {succession.current_codes}: {unit.code} {unit.name}"
                )
                continue
            others = names(c for c in succession.current_codes if c != primary.code)
            if how_ == "default new ward":
                stats["split: default new ward"] += 1
                note = f"split; default new ward in {SOURCE}; also part of {others}"
            else:
                stats["split: vietnamadminunits puts it whole in one of them"] += 1
                note = f"split; {SOURCE} puts it whole in {primary.name}; also part of {others}"
            rows.append((unit.code, primary.code, note))
            continue
        # Left out of vietnam-provinces' table: merged into a neighbour shortly before the reform.
        if ward is not None:
            primary, _, how_ = vam_successors(ward)
            stats[f"left out: {found}"] += 1
            if found.startswith("same code"):
                note = f"not in vietnam-provinces' table; {SOURCE} sends it to {primary.name}"
            else:
                note = (
                    f"not in vietnam-provinces' table; merged before 2025 into {ward.name} ({ward.code}),"
                    f" which {SOURCE} sends to {primary.name}"
                )
                # vietnam-provinces' table sometimes lists the merged ward under its own code.
                entry = ward_conversion.OLD_TO_NEW.get(int(ward.code))
                if entry is not None:
                    theirs = [f"{ref.code:05d}" for ref in entry.new_wards]
                    if theirs == [primary.code]:
                        note += f"; vietnam-provinces' table agrees for {ward.code}"
                    elif primary.code in theirs:
                        note += f"; vietnam-provinces' table splits {ward.code} between {names(theirs)}"
                    else:
                        report.append(f"{unit.code}: vietnam-provinces sends {ward.code} to {theirs}")
            rows.append((unit.code, primary.code, note))
            continue
        decided = decide_by_neighbours(unit, legacy_units, gaz)
        if decided is None:
            stats["left out: undecided"] += 1
            report.append(f"left out, undecided: {unit.code} {unit.name}")
            continue
        stats[
            f"left out: unknown to vietnamadminunits, {'by hand' if unit.code in BY_HAND else 'by neighbours'}"
        ] += 1
        rows.append(decided)

    out = io.StringIO()
    out.write(HEADER)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["legacy_code", "current_code", "note"])
    writer.writerows(rows)
    text = out.getvalue()

    print(f"our old communes: {len(legacy_units)}; found in vietnamadminunits: {len(legacy_of)}")
    for what, count in how.most_common():
        print(f"  {what}: {count}")
    print(f"new wards whose vietnamadminunits code differs from ours (matched by name): {new_code_mismatch}")
    for what, count in sorted(stats.items()):
        print(f"{what}: {count}")
    for line in disagreements:
        print(f"  {line}")
    for line in report:
        print(f"  PROBLEM {line}")
    print(f"rows: {len(rows)}")

    if args.check:
        current = gz.SUCCESSION_CSV.read_text(encoding="utf-8") if gz.SUCCESSION_CSV.exists() else ""
        if current != text:
            print(f"{gz.SUCCESSION_CSV} is out of date")
            return 1
        return 0
    gz.SUCCESSION_CSV.parent.mkdir(parents=True, exist_ok=True)
    gz.SUCCESSION_CSV.write_text(text, encoding="utf-8")
    print(f"wrote {gz.SUCCESSION_CSV.relative_to(ROOT)}")
    return 1 if report else 0


if __name__ == "__main__":
    raise SystemExit(main())
