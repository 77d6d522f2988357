"""The OCOP product taxonomies (QĐ 1048/2019 and QĐ 148/2023) as plain data.

A pure core: no Django. ``data/taxonomy.yaml`` holds each version of the classification
(sections -> groups -> product sets, "bộ sản phẩm"), the set each old set became in the newer
version, and the names people write for groups in registry lists. This module loads and
validates that file and answers one question for importers: which of the six canonical groups
(``food, drinks, herbal, handicraft, ornamental, tourism``) does a written group name mean?

Public API:

* :func:`load_taxonomies` -> ``list[TaxonomyData]``, validated; raises :class:`TaxonomyError`.
* :func:`group_for_name` -> canonical group code or ``None`` (unknown or ambiguous text).
* :func:`taxonomy_on` -> the taxonomy in force on a date.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ocop import yamlfile
from ocop.vntext import clean, fold, tone_key

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "taxonomy.yaml"

# The contract with the rest of the platform (= ocop.registry.choices.ProductGroup values).
CANONICAL_GROUPS = ("food", "drinks", "herbal", "handicraft", "ornamental", "tourism")
CONFIDENCE_MARKS = ("C", "S", "U")
PATH_SEPARATOR = " › "


class TaxonomyError(ValueError):
    """The taxonomy file is malformed or inconsistent; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class ProductSetData:
    """A leaf of the classification: one "bộ sản phẩm", scored with one criteria sheet."""

    code: str
    name_vi: str
    name_en: str
    path_vi: str  # the parents' names, e.g. "Thực phẩm › Thực phẩm chế biến"
    group: str  # canonical group code
    lead_ministry: str
    confidence: str  # C / S / U
    maps_to: tuple[str, ...] = ()  # codes of sets in the superseding taxonomy
    note: str = ""


@dataclass(frozen=True, slots=True)
class GroupData:
    """A "nhóm". When it has no subgroups it is itself a product set (one entry in ``product_sets``)."""

    code: str
    name_vi: str
    name_en: str
    group: str
    product_sets: tuple[ProductSetData, ...]


@dataclass(frozen=True, slots=True)
class SectionData:
    """A top-level "ngành" / "nhóm sản phẩm" (I–VI in 148)."""

    code: str
    name_vi: str
    name_en: str
    group: str
    groups: tuple[GroupData, ...]


@dataclass(frozen=True, slots=True)
class TaxonomyData:
    code: str
    name: str
    legal_basis: str
    effective_from: date
    effective_until: date | None  # last day in force, inclusive
    superseded_by: str | None
    official_codes: bool  # False when the numbering is ours, not the decision's (not matched in lists)
    sections: tuple[SectionData, ...]
    product_sets: tuple[ProductSetData, ...]
    # Other names written in registry lists -> canonical group.
    aliases: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    def product_set(self, code: str) -> ProductSetData | None:
        return next((s for s in self.product_sets if s.code == code), None)


@dataclass(frozen=True, slots=True)
class CanonicalGroupData:
    code: str
    name_en: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Catalog:
    path: Path
    canonical_groups: tuple[CanonicalGroupData, ...]
    generic_prefixes: tuple[str, ...]
    taxonomies: tuple[TaxonomyData, ...]


# --- loading -------------------------------------------------------------------------------------


def load_taxonomies(path: str | Path = DEFAULT_PATH) -> list[TaxonomyData]:
    """Read and validate the taxonomy file; oldest taxonomy first.

    Raises :class:`TaxonomyError` naming the file and the offending entry when the file does not
    parse, a field is missing, a code repeats within a taxonomy, a group is not one of the six,
    a ``maps_to`` points at no set of the superseding taxonomy (or crosses groups), the counts per
    group differ from ``expected_counts``, or two names of different groups read the same.
    """
    return list(_load(Path(path)).taxonomies)


def taxonomy_on(day: date, taxonomies: Iterable[TaxonomyData] | None = None) -> TaxonomyData | None:
    """The taxonomy in force on ``day`` (None before the first one)."""
    candidates = _default_catalog().taxonomies if taxonomies is None else taxonomies
    return next((t for t in candidates if t.covers(day)), None)


def _load(path: Path) -> _Catalog:
    try:
        raw = yamlfile.parse(path.read_text(encoding="utf-8"), source=str(path))
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read taxonomy file ({exc})") from exc
    except yamlfile.YamlError as exc:
        raise TaxonomyError(f"{path}: invalid YAML: {exc.detail}") from exc
    catalog = _Parser(path).catalog(raw)
    _build_index(catalog)  # name clashes between groups are data errors too
    return catalog


class _Parser:
    """Turns the raw YAML into dataclasses, checking every entry; errors name file and entry."""

    def __init__(self, path: Path):
        self.path = path
        self.expected_counts: dict[str, dict] = {}
        self.cross_group: set[tuple[str, str]] = set()  # (taxonomy, set) allowed to map across groups

    def error(self, where: str, message: str) -> TaxonomyError:
        return TaxonomyError(f"{self.path}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def items(self, entry: dict, key: str, where: str) -> list:
        value = entry.get(key)
        if not isinstance(value, list) or not value:
            raise self.error(where, f"{key!r} must be a non-empty list")
        return value

    def text(self, value: Any, what: str, where: str, *, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise self.error(where, f"missing or empty {what}")
        return " ".join(str(value).split())

    def code(self, entry: dict, where: str) -> str:
        return self.text(entry.get("code"), "'code'", where)

    def flag(self, value: Any, what: str, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(where, f"{what} must be true or false, got {value!r}")
        return value

    def group_code(self, value: Any, where: str) -> str:
        if value not in CANONICAL_GROUPS:
            raise self.error(
                where, f"unknown group {value!r} (expected one of {', '.join(CANONICAL_GROUPS)})"
            )
        return value

    def day(self, value: Any, what: str, where: str) -> date:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        if not isinstance(value, date):
            raise self.error(where, f"{what} must be a date (YYYY-MM-DD), got {value!r}")
        return value

    def claim(self, taxonomy: str, code: str, seen: set[str]) -> None:
        if code in seen:
            raise self.error(f"taxonomy {taxonomy}, entry {code}", "duplicate code")
        seen.add(code)

    # The file ---------------------------------------------------------------------------------

    def catalog(self, raw: Any) -> _Catalog:
        raw = self.mapping(raw, "top level")
        canonical = tuple(self.canonical_group(e) for e in self.items(raw, "canonical_groups", "top level"))
        if sorted(g.code for g in canonical) != sorted(CANONICAL_GROUPS):
            raise self.error("canonical_groups", f"must list each of {', '.join(CANONICAL_GROUPS)} once")
        prefixes = raw.get("generic_prefixes") or []
        if not isinstance(prefixes, list):
            raise self.error("generic_prefixes", "must be a list")
        prefixes = tuple(self.text(p, "prefix", "generic_prefixes") for p in prefixes)
        taxonomies = [self.taxonomy(e) for e in self.items(raw, "taxonomies", "top level")]
        taxonomies.sort(key=lambda t: t.effective_from)
        self.check_across(taxonomies)
        return _Catalog(self.path, canonical, prefixes, tuple(taxonomies))

    def canonical_group(self, entry: Any) -> CanonicalGroupData:
        entry = self.mapping(entry, "canonical_groups")
        code = self.code(entry, "canonical_groups")
        where = f"canonical group {code}"
        self.group_code(code, where)
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            raise self.error(where, "'aliases' must be a list")
        return CanonicalGroupData(
            code,
            self.text(entry.get("name_en"), "'name_en'", where),
            tuple(self.text(a, "alias", where) for a in aliases),
        )

    def taxonomy(self, entry: Any) -> TaxonomyData:
        entry = self.mapping(entry, "taxonomies")
        code = self.code(entry, "taxonomies")
        where = f"taxonomy {code}"
        effective_from = self.day(entry.get("effective_from"), "'effective_from'", where)
        effective_until = entry.get("effective_until")
        if effective_until is not None:
            effective_until = self.day(effective_until, "'effective_until'", where)
            if effective_until < effective_from:
                raise self.error(where, "'effective_until' is before 'effective_from'")
        self.expected_counts[code] = self.mapping(entry.get("expected_counts"), f"{where}, expected_counts")
        seen: set[str] = set()
        sections = tuple(self.section(code, e, seen) for e in self.items(entry, "sections", where))
        aliases = {}
        for name, group in self.mapping(entry.get("aliases") or {}, f"{where}, aliases").items():
            alias = self.text(name, "alias", f"{where}, aliases")
            aliases[alias] = self.group_code(group, f"{where}, alias {alias!r}")
        return TaxonomyData(
            code=code,
            name=self.text(entry.get("name"), "'name'", where),
            legal_basis=self.text(entry.get("legal_basis"), "'legal_basis'", where),
            effective_from=effective_from,
            effective_until=effective_until,
            superseded_by=self.text(entry.get("superseded_by"), "superseded_by", where, required=False)
            or None,
            official_codes=self.flag(entry.get("official_codes"), "official_codes", where),
            sections=sections,
            product_sets=tuple(s for section in sections for g in section.groups for s in g.product_sets),
            aliases=MappingProxyType(aliases),
        )

    def section(self, taxonomy: str, entry: Any, seen: set[str]) -> SectionData:
        entry = self.mapping(entry, f"taxonomy {taxonomy}, sections")
        code = self.code(entry, f"taxonomy {taxonomy}, sections")
        where = f"taxonomy {taxonomy}, section {code}"
        self.claim(taxonomy, code, seen)
        group = self.group_code(entry.get("group"), where)
        name_vi = self.text(entry.get("name_vi"), "'name_vi'", where)
        groups = tuple(
            self.group(taxonomy, e, seen, group, name_vi) for e in self.items(entry, "groups", where)
        )
        return SectionData(code, name_vi, self.text(entry.get("name_en"), "'name_en'", where), group, groups)

    def group(self, taxonomy: str, entry: Any, seen: set[str], group: str, section_name: str) -> GroupData:
        entry = self.mapping(entry, f"taxonomy {taxonomy}, groups")
        code = self.code(entry, f"taxonomy {taxonomy}, groups")
        where = f"taxonomy {taxonomy}, group {code}"
        self.claim(taxonomy, code, seen)
        if "group" in entry:
            raise self.error(where, "'group' belongs on the section (groups and sets inherit it)")
        name_vi = self.text(entry.get("name_vi"), "'name_vi'", where)
        name_en = self.text(entry.get("name_en"), "'name_en'", where)
        if "sets" not in entry:  # no subgroups: the group is itself the product set
            return GroupData(
                code, name_vi, name_en, group, (self.product_set(taxonomy, entry, group, section_name),)
            )
        path = f"{section_name}{PATH_SEPARATOR}{name_vi}"
        sets = []
        for set_entry in self.items(entry, "sets", where):
            set_entry = self.mapping(set_entry, f"{where}, sets")
            self.claim(taxonomy, self.code(set_entry, f"{where}, sets"), seen)
            sets.append(self.product_set(taxonomy, set_entry, group, path))
        return GroupData(code, name_vi, name_en, group, tuple(sets))

    def product_set(self, taxonomy: str, entry: dict, group: str, path: str) -> ProductSetData:
        code = self.code(entry, f"taxonomy {taxonomy}, sets")
        where = f"taxonomy {taxonomy}, set {code}"
        if "group" in entry:
            raise self.error(where, "'group' belongs on the section (groups and sets inherit it)")
        confidence = entry.get("confidence")
        if confidence not in CONFIDENCE_MARKS:
            raise self.error(
                where, f"confidence must be one of {', '.join(CONFIDENCE_MARKS)}, got {confidence!r}"
            )
        maps_to = entry.get("maps_to") or []
        if not isinstance(maps_to, list) or not all(isinstance(c, str) and c.strip() for c in maps_to):
            raise self.error(where, "'maps_to' must be a list of set codes")
        if len(set(maps_to)) != len(maps_to):
            raise self.error(where, "'maps_to' repeats a code")
        if "cross_group" in entry:
            self.text(entry["cross_group"], "reason in 'cross_group'", where)
            self.cross_group.add((taxonomy, code))
        return ProductSetData(
            code=code,
            name_vi=self.text(entry.get("name_vi"), "'name_vi'", where),
            name_en=self.text(entry.get("name_en"), "'name_en'", where),
            path_vi=path,
            group=group,
            lead_ministry=self.text(entry.get("lead_ministry"), "'lead_ministry'", where),
            confidence=confidence,
            maps_to=tuple(maps_to),
            note=self.text(entry.get("note"), "'note'", where, required=False),
        )

    # Across taxonomies ------------------------------------------------------------------------

    def check_across(self, taxonomies: list[TaxonomyData]) -> None:
        by_code: dict[str, TaxonomyData] = {}
        for tax in taxonomies:
            if tax.code in by_code:
                raise self.error(f"taxonomy {tax.code}", "duplicate taxonomy code")
            by_code[tax.code] = tax
        for tax in taxonomies:
            self.check_counts(tax)
            newer = by_code.get(tax.superseded_by or "")
            if tax.superseded_by and newer is None:
                raise self.error(
                    f"taxonomy {tax.code}", f"superseded_by {tax.superseded_by!r}: no such taxonomy"
                )
            for product_set in tax.product_sets:
                self.check_maps_to(tax, product_set, newer)
        for older, newer in itertools.pairwise(taxonomies):
            if older.effective_until is None or older.effective_until >= newer.effective_from:
                raise self.error(
                    f"taxonomy {older.code}",
                    f"in force until {older.effective_until or 'further notice'}, "
                    f"overlapping taxonomy {newer.code} (from {newer.effective_from})",
                )

    def check_maps_to(
        self, tax: TaxonomyData, product_set: ProductSetData, newer: TaxonomyData | None
    ) -> None:
        where = f"taxonomy {tax.code}, set {product_set.code}"
        if newer is None:
            if product_set.maps_to:
                raise self.error(where, "'maps_to' given but the taxonomy has no 'superseded_by'")
            return
        if not product_set.maps_to:
            raise self.error(where, f"'maps_to' must name the set(s) of taxonomy {newer.code} it became")
        for target_code in product_set.maps_to:
            target = newer.product_set(target_code)
            if target is None:
                raise self.error(where, f"maps_to {target_code!r}: no such set in taxonomy {newer.code}")
            if target.group != product_set.group and (tax.code, product_set.code) not in self.cross_group:
                raise self.error(
                    where,
                    f"maps_to {target_code!r} is in group {target.group!r} but this set is in "
                    f"{product_set.group!r} (add 'cross_group: <reason>' if that is intended)",
                )

    def check_counts(self, tax: TaxonomyData) -> None:
        where = f"taxonomy {tax.code}, expected_counts"
        expected = self.expected_counts[tax.code]
        for group in expected:
            self.group_code(group, where)
        actual = dict.fromkeys(CANONICAL_GROUPS, 0)
        for product_set in tax.product_sets:
            actual[product_set.group] += 1
        for group in CANONICAL_GROUPS:
            want = expected.get(group, 0)
            if not isinstance(want, int) or actual[group] != want:
                raise self.error(where, f"{group}: {actual[group]} product sets, expected {want!r}")


# --- matching written names ----------------------------------------------------------------------

_NON_WORD = re.compile(r"\W+")
_CODE_SEPARATORS = re.compile(r"[\s.\-_/]+")
_CODE_SHAPE = re.compile(r"^(?:[IVX]+|\d+)(?:\.\d+)(?:\.[A-Z])?$")
# A code written before a name: "I.3.c - Chế biến từ rau, củ, quả, hạt", "1.6. Cà phê, ca cao".
_LEADING_CODE = re.compile(
    r"^\s*((?:[IVXivx]+|\d+)[\s.\-]*\d+(?:[\s.\-]*[a-eA-E](?![^\W\d_]))?)[\s.:\-\u2013\u2014)]+(.+)$"
)


def _spaced(text: str) -> str:
    """Punctuation of any kind (›, –, parentheses ...) to spaces."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text or "")).replace("_", " ")


# "mỹ"/"mĩ", "kỹ"/"kĩ", "lý"/"lí": after a consonant, a final y and i are spelling variants.
_FINAL_Y = re.compile(r"^(b|ch|c|d|đ|gh|g|h|kh|k|l|m|ngh|ng|nh|n|ph|p|qu|r|s|th|tr|t|v|x)([yýỳỷỹỵ])$")
_Y_TO_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")


def _words(key: str) -> str:
    words = (_FINAL_Y.sub(lambda m: m.group(1) + m.group(2).translate(_Y_TO_I), w) for w in key.split(" "))
    return "".join(words)


def _tone_compact(text: str) -> str:
    """Diacritics kept, tone marks in one place, case, punctuation and spaces ignored."""
    return _words(tone_key(_spaced(text)))


def _fold_compact(text: str) -> str:
    """ASCII, case, punctuation and spaces ignored."""
    return _words(fold(_spaced(text)))


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _without_tone(char: str) -> str:
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", char) if c not in _TONE_MARKS)
    )


def _omits_marks_of(text_key: str, name_key: str) -> bool:
    """True when ``text_key`` is ``name_key`` with some marks left out (tone, or all diacritics)."""
    if len(text_key) != len(name_key):
        return False
    return all(
        t == n or t == _without_tone(n) or t == fold(n) for t, n in zip(text_key, name_key, strict=True)
    )


def _code_key(text: str) -> str | None:
    """'I.3.c', 'i 3 c', 'I-3-C' -> 'I.3.C'; None unless it looks like a group or set code."""
    key = _CODE_SEPARATORS.sub(".", fold(text).strip().upper()).strip(".")
    return key if _CODE_SHAPE.match(key) else None


@dataclass(frozen=True, slots=True)
class _NameIndex:
    by_code: Mapping[str, str]
    by_tone: Mapping[str, str]  # unambiguous by construction
    by_fold: Mapping[str, tuple[tuple[str, str], ...]]  # folded key -> (tone key, group) of each name
    prefixes: tuple[tuple[str, ...], ...]  # folded words of generic prefixes, longest first

    def lookup(self, text: str) -> str | None:
        if not text or not text.strip():
            return None
        found = self._exact(text)
        if found is not None:
            return found
        stripped = self._strip_prefix(text)
        if stripped is not None:
            return self._exact(stripped) or self._with_code(stripped)
        return self._with_code(text)

    def _exact(self, text: str) -> str | None:
        code = _code_key(text)
        if code is not None:
            return self.by_code.get(code)
        tone = _tone_compact(text)
        found = self.by_tone.get(tone)
        if found is not None:
            return found
        # Typed without (some) diacritics: names that read the same once folded, and whose marks
        # the text leaves out rather than contradicts ("Hoà" is not "Hoa").
        groups = {
            group for name, group in self.by_fold.get(_fold_compact(text), ()) if _omits_marks_of(tone, name)
        }
        return groups.pop() if len(groups) == 1 else None

    def _with_code(self, text: str) -> str | None:
        """A code followed by a name: both must agree when both are known."""
        match = _LEADING_CODE.match(text)
        if match is None:
            return None
        code, name = match.groups()
        if len(_fold_compact(name)) < 2:  # "I.3.f": a subgroup letter, not a name
            return None
        by_code, by_name = self._exact(code), self._exact(name)
        if by_code and by_name and by_code != by_name:
            return None
        return by_code or by_name

    def _strip_prefix(self, text: str) -> str | None:
        words = clean(_spaced(text)).split(" ")
        folded = [fold(w) for w in words]
        stripped = False
        for _ in range(2):  # "Nhóm: Sản phẩm ..." carries two
            for prefix in self.prefixes:
                if len(folded) > len(prefix) and tuple(folded[: len(prefix)]) == prefix:
                    words, folded, stripped = words[len(prefix) :], folded[len(prefix) :], True
                    break
            else:
                break
        return " ".join(words) if stripped else None


def _build_index(catalog: _Catalog) -> _NameIndex:
    """Index every name of every node, alias and canonical group; clashes are data errors."""
    by_code: dict[str, str] = {}
    by_tone: dict[str, tuple[str, str]] = {}  # key -> (group, where it came from)
    by_fold: dict[str, dict[str, str]] = {}

    def add_name(name: str, group: str, origin: str) -> None:
        tone = _tone_compact(name)
        if not tone:
            raise TaxonomyError(f"{catalog.path}: {origin}: name {name!r} has no letters")
        if _code_key(name) is not None:
            raise TaxonomyError(f"{catalog.path}: {origin}: name {name!r} reads as a code")
        previous = by_tone.get(tone)
        if previous is not None and previous[0] != group:
            raise TaxonomyError(
                f"{catalog.path}: {origin}: name {name!r} means {group!r} here but {previous[0]!r} "
                f"in {previous[1]}"
            )
        by_tone.setdefault(tone, (group, origin))
        by_fold.setdefault(_fold_compact(name), {})[tone] = group

    def add_code(code: str, group: str, origin: str) -> None:
        key = _code_key(code)
        if key is None:
            raise TaxonomyError(f"{catalog.path}: {origin}: code {code!r} is not shaped like I.3.c or 1.3.c")
        if by_code.setdefault(key, group) != group:
            raise TaxonomyError(f"{catalog.path}: {origin}: code {code!r} means {by_code[key]!r} elsewhere")

    for canonical in catalog.canonical_groups:
        origin = f"canonical group {canonical.code}"
        for name in (canonical.code, canonical.name_en, *canonical.aliases):
            add_name(name, canonical.code, origin)
    for tax in catalog.taxonomies:
        for section in tax.sections:
            add_name(section.name_vi, section.group, f"taxonomy {tax.code}, section {section.code}")
            add_name(section.name_en, section.group, f"taxonomy {tax.code}, section {section.code}")
            for group in section.groups:
                origin = f"taxonomy {tax.code}, group {group.code}"
                if tax.official_codes:
                    add_code(group.code, group.group, origin)
                for name in (
                    group.name_vi,
                    group.name_en,
                    f"{section.name_vi}{PATH_SEPARATOR}{group.name_vi}",
                ):
                    add_name(name, group.group, origin)
                for product_set in group.product_sets:
                    origin = f"taxonomy {tax.code}, set {product_set.code}"
                    if tax.official_codes:
                        add_code(product_set.code, product_set.group, origin)
                    full_path = f"{product_set.path_vi}{PATH_SEPARATOR}{product_set.name_vi}"
                    for name in (product_set.name_vi, product_set.name_en, full_path):
                        add_name(name, product_set.group, origin)
        for alias, group in tax.aliases.items():
            add_name(alias, group, f"taxonomy {tax.code}, alias {alias!r}")
    prefixes = sorted(
        {tuple(fold(w) for w in clean(_spaced(p)).split(" ")) for p in catalog.generic_prefixes},
        key=len,
        reverse=True,
    )
    return _NameIndex(
        by_code=MappingProxyType(by_code),
        by_tone=MappingProxyType({key: group for key, (group, _origin) in by_tone.items()}),
        by_fold=MappingProxyType({key: tuple(names.items()) for key, names in by_fold.items()}),
        prefixes=tuple(prefixes),
    )


@functools.cache
def _default_catalog() -> _Catalog:
    return _load(DEFAULT_PATH)


@functools.cache
def _default_index() -> _NameIndex:
    return _build_index(_default_catalog())


def group_for_name(text: str | None) -> str | None:
    """The canonical group ("food", "drinks" ...) for a group, set or section name as written.

    Matches the names of both taxonomies, their aliases, set and group codes ("I.3.c"), the
    canonical codes and their English names, ignoring case, diacritics, tone-mark placement,
    punctuation and spaces; a leading "Nhóm", "Ngành hàng" ... is ignored when the whole text
    matches nothing. Returns None for unknown text, and for text that only matches names of
    different groups once diacritics are dropped: never a guess.
    """
    if not isinstance(text, str):  # an empty or numeric spreadsheet cell
        return None
    return _default_index().lookup(text)
