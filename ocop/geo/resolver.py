"""Free-text Vietnamese addresses to administrative units, old or new.

A pure core: no Django. :func:`resolve` reads an address the way people write it, in the
old three-level style ("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh") or the new two-level
one ("Xã Tiểu Cần, Tỉnh Vĩnh Long"), with or without the unit prefixes and their
abbreviations, with or without diacritics, and says which units it names and what they are
today. It never guesses: an address that fits two places is ``ambiguous`` and the
:class:`Resolution` says why, naming them.

How an address is read. The text is cut into words, remembering where commas (hard breaks)
and hyphens (soft breaks) were. Units are matched from the right: a province ending the
text, then a district ending where the province starts, then a commune ending where that
starts; each level may be missing, and whatever is left on the left (house number, street,
hamlet) is ignored. A name matches on its diacritics when the typed words carry any, so
"Phù Mỹ" never matches "Phú Mỹ", and on folded ASCII only when they carry none. Among the
readings, the one that explains the most words wins; then one that keeps to one era (an
old commune named with the new province it is part of, "Xã Phú Cần, Tỉnh Vĩnh Long", counts
only when nothing else fits); then the one whose typed prefixes ("Xã", "Phường", ...)
agree with the units' types; then the one reading the last part as
the highest level (an address ending in "Bắc Giang" names the old province, not the ward);
then the era in force on ``on``. A unit that contains another reading of the same words
wins over it ("Tiểu Cần, Trà Vinh" is the district; the town of the same name lies in it).
What remains is grouped by the current unit it maps to: one group is resolved.

The indexes are built once per :class:`~ocop.geo.gazetteer.Gazetteer` and cached.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ocop import vntext
from ocop.geo import gazetteer as gz
from ocop.geo.gazetteer import COMMUNE, CURRENT, DISTRICT, LEGACY, PROVINCE, Gazetteer, Unit

RESOLVED = "resolved"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"

# Other names people write for a province, by the province's short name in the data. An
# alias is looked up in every era that has a province of that short name, so "Huế" is both
# the old and the new Thành phố Huế. Spellings differing only by tone-mark placement
# ("Hoà Bình"/"Hòa Bình"), by diacritics ("Dak Lak") or by hyphens ("Bà Rịa Vũng Tàu") need
# no entry here.
PROVINCE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "Hồ Chí Minh": ("TP.HCM", "TPHCM", "HCM", "HCMC", "Sài Gòn", "Saigon", "SG", "Hồ Chí Minh City"),
    "Hà Nội": ("HN", "Hanoi"),
    "Huế": ("Thừa Thiên Huế", "TT Huế", "TTH"),
    "Bà Rịa - Vũng Tàu": ("BR-VT", "BRVT"),
    "Đắk Lắk": ("Đắc Lắc", "Đắk Lắc", "Đắc Lắk", "Đăk Lăk", "Đak Lak", "Daklak"),
    "Đắk Nông": ("Đắc Nông", "Đăk Nông", "Daknong"),
    "Bắc Kạn": ("Bắc Cạn",),
    "Kon Tum": ("Kontum",),
}

# Unit prefixes as typed, with the division type they name and the levels they can stand
# before. Abbreviations lose their dot when the text is cut into words ("TP." -> "tp").
_PREFIX_SPELLINGS: Mapping[str, tuple[str, frozenset[str]]] = {
    **dict.fromkeys(("tỉnh", "tinh", "t"), ("tỉnh", frozenset({PROVINCE}))),
    **dict.fromkeys(("thành phố", "thanh pho", "tp", "t p"), ("thành phố", frozenset({PROVINCE, DISTRICT}))),
    **dict.fromkeys(("huyện", "huyen", "h"), ("huyện", frozenset({DISTRICT}))),
    **dict.fromkeys(("quận", "quan", "q"), ("quận", frozenset({DISTRICT}))),
    **dict.fromkeys(("thị xã", "thi xa", "tx"), ("thị xã", frozenset({DISTRICT}))),
    **dict.fromkeys(("thị trấn", "thi tran", "tt"), ("thị trấn", frozenset({COMMUNE}))),
    **dict.fromkeys(("xã", "xa", "x"), ("xã", frozenset({COMMUNE}))),
    **dict.fromkeys(("phường", "phuong", "p", "f"), ("phường", frozenset({COMMUNE}))),
    **dict.fromkeys(("đặc khu", "dac khu"), ("đặc khu", frozenset({COMMUNE}))),
}
# Single letters are read as prefixes before a name ("P 14", "Q1"), but they are taken to
# announce a place nothing else names only when written with their dot ("P. Bến Nghé").
_LOOSE_PREFIXES = frozenset({"t", "h", "q", "x", "p", "f", "t p"})
# Spellings of one word inside unit names: "Thị trấn NT Mộc Châu" is "Nông trường Mộc Châu".
_NAME_ABBREVIATIONS: tuple[tuple[str, ...], ...] = (("nt", "n t", "nông trường"),)

_RANK = {PROVINCE: 0, DISTRICT: 1, COMMUNE: 2}
_HARD_BREAK = re.compile(r"[,;\n\r|]+")
_SOFT_BREAK = re.compile(r"[-\u2010-\u2015]+")
_WORD = re.compile(r"[^\W_]+\.?")
_GLUED_NUMBER = re.compile(r"^(p|q|f|phuong|quan|phường|quận)(\d+)$")
_MAX_LISTED = 8


# -- results ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Candidate:
    """One way to read an address: its units (ancestors filled in) and what they are today.

    ``current_communes`` lists every new commune that took part of an old commune, the
    primary one (``current_commune``) first.
    """

    era: str
    province: Unit
    district: Unit | None
    commune: Unit | None
    current_province: Unit
    current_commune: Unit | None
    current_communes: tuple[Unit, ...]

    @property
    def unit(self) -> Unit:
        """The most specific unit of this reading."""
        return self.commune or self.district or self.province

    @property
    def level(self) -> str:
        """The level of :attr:`unit`."""
        return self.unit.level

    def label(self) -> str:
        """How reasons name this reading: "Xã Tân Tiến (Huyện Lục Ngạn, Tỉnh Bắc Giang (old))",
        "Xã Tiểu Cần (Tỉnh Vĩnh Long)", "Tỉnh Long An (old)"."""
        if self.level == PROVINCE:
            return _province_label(self.province)
        within = [self.district.name] if self.commune and self.district else []
        return f"{self.unit.name} ({', '.join([*within, _province_label(self.province)])})"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What an address names.

    ``status`` is ``"resolved"``, ``"ambiguous"`` or ``"unknown"``. When resolved, ``era``,
    ``province``, ``district`` (old era only) and ``commune`` are the units found (a field is
    None when the address stops above that level, or when readings that agree on today's
    unit differ on it), and ``current_province`` / ``current_commune`` / ``current_communes``
    what they are today. ``candidates`` holds every reading that fits (for ambiguous: one per
    interpretation). When not resolved, ``reason`` says why in English, built by
    :func:`reason_text` from the stable ``reason_code`` and ``reason_params``, so the
    message can be translated.
    """

    text: str
    status: str
    era: str | None = None
    province: Unit | None = None
    district: Unit | None = None
    commune: Unit | None = None
    current_province: Unit | None = None
    current_commune: Unit | None = None
    current_communes: tuple[Unit, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    reason: str | None = None
    reason_code: str | None = None
    reason_params: Mapping[str, object] = field(default_factory=dict)

    @property
    def resolved(self) -> bool:
        """True when the address names one place (at whatever level it stops)."""
        return self.status == RESOLVED

    @property
    def level(self) -> str | None:
        """The level the address was resolved to, or None."""
        unit = self.commune or self.district or self.province
        return unit.level if unit else None

    @property
    def split(self) -> bool:
        """True when an old commune was divided between several new ones."""
        return len(self.current_communes) > 1


# -- reasons ------------------------------------------------------------------------------
OLD_SUFFIX = " (old)"


def _province_label(unit: Unit) -> str:
    """A province's name, marked "(old)" when it is one of the 63 pre-2025 provinces.

    The marker is a fixed suffix so that translations can replace it (Vietnamese: "(cũ)").
    """
    return f"{unit.name}{OLD_SUFFIX}" if unit.era == LEGACY else unit.name


def _listing(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def reason_text(code: str, params: Mapping[str, object]) -> str:
    """The English sentence for a reason code and its parameters.

    The only place reasons are worded; a translation needs the same codes and parameters.
    """
    p = dict(params)
    options = _listing(p.get("options", ()))
    suggestions = p.get("suggestions") or ()
    did_you_mean = f"; did you mean {' or '.join(suggestions)}?" if suggestions else "."
    match code:
        case "empty":
            return "The address is empty."
        case "ambiguous_commune" | "ambiguous_district" | "ambiguous_province":
            level = code.removeprefix("ambiguous_")
            if p["scope"] == "province":
                return (
                    f"{p['name']} exists in {p['count']} provinces ({options}); add the province"
                    + (" and the district" if p.get("legacy_only") and level == COMMUNE else "")
                    + "."
                )
            if p["scope"] == "district":
                return f"{p['name']} exists in {p['count']} districts of {p['within']} ({options}); add the district."
            if p["scope"] == "diacritics":
                return (
                    f"'{p['name']}' fits {p['count']} {level}s of {p['within']} ({options});"
                    " type the name with its diacritics."
                )
            return (
                f"'{p['name']}' fits {p['count']} {level}s of {p['within']} ({options});"
                " add the type (Xã, Phường, Thị trấn, ...)."
            )
        case "ambiguous_era":
            olds = "; ".join(
                f"{old}, now part of {now}" for old, now in zip(p["old"], p["old_now"], strict=True)
            )
            return (
                f"{p['name']} fits both the new {' and '.join(p['new'])} and the old {olds};"
                " add the old district for an old address, or give the date of the address."
            )
        case "ambiguous_level":
            return (
                f"'{p['name']}' fits {p['count']} places ({options}); add the type (Huyện, Quận, Xã,"
                " Phường, ...) or the commune."
            )
        case "unknown_province":
            return f"'{p['name']}' is not the name of a province, old or new{did_you_mean}"
        case "unknown_district":
            within = f" in {p['within']}" if p.get("within") else ""
            return f"There is no district '{p['name']}'{within}{did_you_mean}"
        case "unknown_commune":
            within = f" in {p['within']}" if p.get("within") else ""
            return f"There is no commune '{p['name']}'{within}{did_you_mean}"
        case "commune_not_in_province" | "commune_not_in_district" | "district_not_in_province":
            return f"{p['name']} is not in {p['within']}; it exists in {options}."
    raise ValueError(f"unknown reason code {code!r}")


# -- words --------------------------------------------------------------------------------
class _Token(NamedTuple):
    raw: str  # as typed, NFC
    tone: str  # vntext.match_key with diacritics
    fold: str  # vntext.match_key without
    accented: bool  # the comma-separated part it is in carries diacritics
    dotted: bool  # an abbreviation's dot followed it
    start: bool  # first word after a comma or hyphen (or of the text)
    hard: bool  # first word after a comma (or of the text)

    def key(self) -> str:
        return self.tone if self.accented else self.fold


@functools.lru_cache(maxsize=1 << 16)
def _word_forms(word: str) -> tuple[str, str, bool]:
    """(key with diacritics, key without, whether it has any) of one word."""
    if word.isascii():
        key = vntext.match_key(word, diacritics=False)
        return key, key, False
    return vntext.match_key(word), vntext.match_key(word, diacritics=False), vntext.has_diacritics(word)


def _split_word(word: str) -> list[str]:
    if not word[-1].isdigit():
        return [word]
    glued = _GLUED_NUMBER.match(word.lower())
    return [word[: glued.end(1)], word[glued.end(1) :]] if glued else [word]


@functools.lru_cache(maxsize=1 << 14)
def _part_words(part: str) -> tuple[tuple[str, str, str, bool, bool], ...]:
    """(raw, tone, fold, accented, dotted) of the words of one comma/hyphen-free part; parts
    repeat a lot between addresses ("Huyện Tiểu Cần"), so they are cached."""
    words = []
    for match in _WORD.finditer(part):
        dotted = match.group().endswith(".")
        for word in _split_word(match.group().rstrip(".")):
            tone, folded, accented = _word_forms(word)
            if tone:
                words.append((word, tone, folded, accented, dotted))
    return tuple(words)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    text = unicodedata.normalize("NFC", text or "")
    for segment in _HARD_BREAK.split(text):
        parts = [_part_words(part.strip()) for part in _SOFT_BREAK.split(segment)]
        # Diacritics are judged per comma-separated part: in "Xã Thanh An, TP. HCM" the
        # words "Thanh An" are written with their (absent) marks, unlike in "xa Thanh An".
        accented = any(word[3] for words in parts for word in words)
        hard = True
        for words in parts:
            start = True
            for raw, tone, folded, _, dotted in words:
                tokens.append(_Token(raw, tone, folded, accented, dotted, start, hard))
                start = hard = False
    # Drop what ends an address without naming a unit: the country, a postal code.
    while tokens:
        last = tokens[-1].fold
        if (last.isdigit() and len(tokens[-1].raw) >= 5) or last in ("vietnam", "vn"):
            tokens.pop()
        elif last == "nam" and len(tokens) >= 2 and tokens[-2].fold == "viet":
            del tokens[-2:]
        else:
            break
    return tokens


def _name_keys(text: str) -> tuple[str, str]:
    """(key with diacritics, key without) of a name, cut into words as addresses are."""
    words = [t for w in _WORD.findall(unicodedata.normalize("NFC", text)) for t in _split_word(w.rstrip("."))]
    forms = [_word_forms(w) for w in words]
    return " ".join(f[0] for f in forms if f[0]), " ".join(f[1] for f in forms if f[1])


def _prefix_of(tokens: list[_Token]) -> tuple[str, frozenset[str]] | None:
    """The (division type, levels) a run of words names as a prefix, if it is one."""
    return _PREFIX_SPELLINGS.get(" ".join(t.key() for t in tokens))


def _prefixed_tail(words: list[_Token], levels: frozenset[str]) -> tuple[list[_Token], str, str] | None:
    """The last words introduced by a prefix of one of ``levels`` ("..., Xã Phú Cần"), up to
    the next comma, with the level and the division type the prefix names.

    Used to find a unit left unplaced, so single-letter abbreviations count only with their
    dot, and a prefix right after a house number is part of a street name ("123 Xã Đàn")."""
    for k in range(len(words) - 1, -1, -1):
        for size in (3, 2, 1):
            if k + size >= len(words):
                continue
            head = words[k : k + size]
            prefix = _prefix_of(head)
            if prefix is None or not prefix[1] & levels:
                continue
            if " ".join(t.key() for t in head) in _LOOSE_PREFIXES and not head[-1].dotted:
                continue
            if k > 0 and not head[0].start and words[k - 1].fold.isdigit():
                continue
            tail = words[k + size :]
            stop = next((i for i, t in enumerate(tail) if t.hard), len(tail))
            if stop == 0:
                continue
            level = min(prefix[1] & levels, key=lambda lv: _RANK[lv])
            return tail[:stop], level, prefix[0]
    return None


def _text(tokens: Iterable[_Token]) -> str:
    return " ".join(t.raw for t in tokens)


# -- readings -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Match:
    level: str
    start: int  # first word, prefix included
    name_start: int
    end: int
    units: tuple[Unit, ...]
    typed: str | None  # the division type the prefix names


class _Scan:
    """One address's words, with the lookups made on them so far."""

    __slots__ = ("_prefixes", "found", "spans", "tokens")

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.spans: dict[int, list[tuple[int, bool, str]]] = {}
        self.found: dict[tuple[int, str], list[_Match]] = {}
        self._prefixes: dict[int, list[tuple[int, str, frozenset[str]]]] = {}

    def prefixes(self, start: int) -> list[tuple[int, str, frozenset[str]]]:
        """(size, division type, levels) of the prefixes ending just before word ``start``."""
        found = self._prefixes.get(start)
        if found is None:
            found = []
            for size in (1, 2, 3):
                if size > start:
                    break
                prefix = _prefix_of(self.tokens[start - size : start])
                if prefix:
                    found.append((size, prefix[0], prefix[1]))
            self._prefixes[start] = found
        return found


@dataclass(frozen=True, slots=True)
class _Reading:
    candidate: Candidate
    start: int
    mixed: bool  # an old unit named with the new province it is part of
    mismatches: int  # typed prefixes that disagree with the unit's type
    top_rank: int  # rank of the level read from the last words
    name: str  # the most specific name as typed


def _type_of(unit: Unit) -> str:
    return "thành phố" if unit.division_type == "thành phố trung ương" else unit.division_type


class _Index:
    """Name lookups over one gazetteer, built once."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        # accented? -> level -> key -> units
        self.names: dict[bool, dict[str, dict[str, list[Unit]]]] = {
            flag: {PROVINCE: {}, DISTRICT: {}, COMMUNE: {}} for flag in (True, False)
        }
        self.maxlen = dict.fromkeys(_RANK, 1)
        aliases = {vntext.match_key(name): spellings for name, spellings in PROVINCE_ALIASES.items()}
        for table in (gaz.provinces, gaz.districts, gaz.communes):
            for unit in table.values():
                for variant in self._variants(unit, aliases):
                    self._add(unit, variant)
        self.lookup = {
            flag: {lv: {k: tuple(v) for k, v in t.items()} for lv, t in d.items()}
            for flag, d in self.names.items()
        }
        # every run of last words of a name, to stop looking left as soon as none can match
        self.suffixes: dict[bool, set[str]] = {True: set(), False: set()}
        for flag, levels in self.lookup.items():
            for table in levels.values():
                for key in table:
                    words = key.split(" ")
                    self.suffixes[flag].update(" ".join(words[i:]) for i in range(len(words)))
        self.longest = max(self.maxlen.values())
        self.communes_of: dict[tuple[str, str], list[Unit]] = {}
        for unit in gaz.communes.values():
            self.communes_of.setdefault((unit.era, unit.district_code or unit.province_code), []).append(unit)
            if unit.district_code:
                self.communes_of.setdefault((unit.era, unit.province_code), []).append(unit)
        self.districts_of: dict[str, list[Unit]] = {}
        for unit in gaz.districts.values():
            self.districts_of.setdefault(unit.province_code, []).append(unit)
        # new commune -> the old districts its predecessors were in
        self.predecessor_districts: dict[str, set[str]] = {}
        for legacy_code, succession in gaz.commune_successions.items():
            district = gaz.commune(LEGACY, legacy_code).district_code
            for code in succession.current_codes:
                self.predecessor_districts.setdefault(code, set()).add(district)
        self._candidates: dict[tuple[str, str, str], Candidate] = {}
        self._district_current = self._map_districts()

    @staticmethod
    def _variants(unit: Unit, aliases: Mapping[str, tuple[str, ...]]) -> list[str]:
        variants = [unit.short_name]
        if unit.level == PROVINCE:
            variants += aliases.get(vntext.match_key(unit.short_name), ())
        if unit.level == COMMUNE:
            padded = f" {_name_keys(unit.short_name)[0]} "
            for spellings in _NAME_ABBREVIATIONS:
                for written in (s for s in spellings if f" {s} " in padded):
                    variants += [padded.replace(f" {written} ", f" {other} ").strip() for other in spellings]
        return variants

    def _add(self, unit: Unit, variant: str) -> None:
        tone, folded = _name_keys(variant)
        for flag, key in ((True, tone), (False, folded)):
            bucket = self.names[flag][unit.level].setdefault(key, [])
            if unit not in bucket:
                bucket.append(unit)
        self.maxlen[unit.level] = max(self.maxlen[unit.level], len(tone.split()))

    def _map_districts(self) -> dict[str, tuple[Unit, Unit | None]]:
        """Old district -> (the new province most of it went to, the new commune it became when
        it had no communes: the island districts that are special zones now)."""
        gaz = self.gaz
        mapped: dict[str, tuple[Unit, Unit | None]] = {}
        for district in gaz.districts.values():
            votes: dict[str, int] = {}
            for commune in self.communes_of.get((LEGACY, district.code), ()):
                successor = gaz.current_commune_of(commune.code)
                if successor:
                    votes[successor.province_code] = votes.get(successor.province_code, 0) + 1
            if votes:
                province = gaz.province(CURRENT, max(votes, key=lambda c: votes[c]))
                mapped[district.code] = (province, None)
                continue
            province = gaz.current_province_of(district.province_code)
            tone, _ = _name_keys(district.short_name)
            same_name = [
                u
                for u in self.lookup[True][COMMUNE].get(tone, ())
                if u.era == CURRENT and u.province_code == province.code
            ]
            mapped[district.code] = (province, same_name[0] if len(same_name) == 1 else None)
        return mapped

    # -- candidates ---------------------------------------------------------------------
    def candidate(self, unit: Unit) -> Candidate:
        """The reading of ``unit`` with its ancestors and current units, cached."""
        cached = self._candidates.get(unit.key)
        if cached is not None:
            return cached
        gaz = self.gaz
        province = gaz.province(unit.era, unit.province_code)
        district = gaz.district(unit.district_code) if unit.district_code else None
        commune = unit if unit.level == COMMUNE else None
        if unit.era == CURRENT:
            current_province, current_communes = province, (commune,) if commune else ()
        elif commune is not None:
            succession = gaz.commune_successions.get(commune.code)
            codes = succession.current_codes if succession else ()
            current_communes = tuple(gaz.commune(CURRENT, code) for code in codes)
            current_province = (
                gaz.province(CURRENT, current_communes[0].province_code)
                if current_communes
                else gaz.current_province_of(province.code)
            )
        elif district is not None:
            current_province, special_zone = self._district_current[district.code]
            current_communes = (special_zone,) if special_zone else ()
        else:
            current_province, current_communes = gaz.current_province_of(province.code), ()
        made = Candidate(
            unit.era,
            province,
            district,
            commune,
            current_province,
            current_communes[0] if current_communes else None,
            current_communes,
        )
        self._candidates[unit.key] = made
        return made

    # -- matching -----------------------------------------------------------------------
    def find(self, tokens: list[_Token], level: str) -> tuple[Unit, ...]:
        """Units of ``level`` named exactly by ``tokens`` (no prefix)."""
        accented = any(t.accented for t in tokens)
        key = " ".join(t.tone if accented else t.fold for t in tokens)
        return self.lookup[accented][level].get(key, ())

    def _spans(self, scan: _Scan, end: int) -> list[tuple[int, bool, str]]:
        """(start, accented, key) of the word runs ending at ``end`` that could end a name,
        longest last; a run no name ends with stops the search."""
        spans = scan.spans.get(end)
        if spans is not None:
            return spans
        spans = []
        tones: list[str] = []
        folds: list[str] = []
        accented = False
        for start in range(end - 1, max(-1, end - 1 - self.longest), -1):
            token = scan.tokens[start]
            tones.insert(0, token.tone)
            folds.insert(0, token.fold)
            accented = accented or token.accented
            tone = " ".join(tones)
            if accented:
                if tone not in self.suffixes[True]:
                    break
                spans.append((start, True, tone))
                continue
            folded = " ".join(folds)
            if folded in self.suffixes[False]:
                spans.append((start, False, folded))
            elif tone not in self.suffixes[True]:
                break  # not even an accented word on the left could make it a name
        scan.spans[end] = spans
        return spans

    def matches(self, scan: _Scan, end: int, level: str) -> list[_Match]:
        """Names of ``level`` ending at word ``end``, bare or after a prefix."""
        found = scan.found.get((end, level))
        if found is not None:
            return found
        found = []
        for start, accented, key in self._spans(scan, end):
            units = self.lookup[accented][level].get(key)
            if not units:
                continue
            # A bare number is a house or hamlet number unless a prefix says otherwise.
            if not key.isdigit():
                found.append(_Match(level, start, start, end, units, None))
            for size, typed, levels in scan.prefixes(start):
                if level in levels:
                    found.append(_Match(level, start - size, start, end, units, typed))
        scan.found[(end, level)] = found
        return found

    def readings(self, tokens: list[_Token]) -> list[_Reading]:
        """Every way to read ``tokens`` as [commune] [district] [province] ending the text."""
        n = len(tokens)
        scan = _Scan(tokens)
        out: list[_Reading] = []
        for pm in (None, *self.matches(scan, n, PROVINCE)):
            e1 = pm.start if pm else n
            provinces = {(u.era, u.code) for u in pm.units} if pm else None
            for dm in (None, *self.matches(scan, e1, DISTRICT)):
                e2 = dm.start if dm else e1
                districts: dict[str, bool] | None = None  # code -> named with a new province
                if dm:
                    districts = {}
                    for u in dm.units:
                        fits, mixed = self._in(u, provinces)
                        if fits:
                            districts[u.code] = mixed
                    if not districts:
                        continue
                for cm in (None, *self.matches(scan, e2, COMMUNE)):
                    first = cm or dm or pm
                    if first is None:
                        continue
                    if first.typed is None and first is not pm and not tokens[first.start].start:
                        continue  # a bare commune or district name must begin a part of the address
                    top_rank = _RANK[(pm or dm or cm).level]
                    named = cm or dm or pm
                    name = _text(tokens[named.name_start : named.end])
                    for unit in named.units:
                        if cm and districts is not None:
                            if unit.district_code not in districts:
                                continue
                            mixed = districts[unit.district_code]
                        elif cm or dm:
                            if dm and unit.code not in districts:
                                continue
                            fits, mixed = self._in(unit, provinces)
                            if not fits:
                                continue
                        else:
                            mixed = False
                        candidate = self.candidate(unit)
                        mismatches = sum(
                            1
                            for m, u in (
                                (pm, candidate.province),
                                (dm, candidate.district),
                                (cm, candidate.commune),
                            )
                            if m and m.typed and u and m.typed != _type_of(u)
                        )
                        out.append(_Reading(candidate, first.start, mixed, mismatches, top_rank, name))
        return out

    def contains(self, outer: Candidate, inner: Candidate) -> bool:
        """Whether ``outer`` is a larger unit holding all of ``inner``: the same era's province
        or district around it, or an old district every predecessor of a new commune was in
        ("Đống Đa, Hà Nội": the old Quận Đống Đa holds all of the new Phường Đống Đa)."""
        if _RANK[outer.level] >= _RANK[inner.level]:
            return False
        if outer.era != inner.era:
            return (
                outer.level == DISTRICT
                and inner.era == CURRENT
                and self.predecessor_districts.get(inner.unit.code) == {outer.unit.code}
            )
        if outer.level == PROVINCE:
            return inner.province.code == outer.province.code
        return inner.district is not None and inner.district.code == outer.unit.code

    def _in(self, unit: Unit, provinces: set[tuple[str, str]] | None) -> tuple[bool, bool]:
        """Whether ``unit`` lies in one of ``provinces``, and whether only as an old unit
        named with the new province it became part of ("Xã Phú Cần, Tỉnh Vĩnh Long")."""
        if provinces is None or (unit.era, unit.province_code) in provinces:
            return True, False
        if unit.era == LEGACY and (CURRENT, self.candidate(unit).current_province.code) in provinces:
            return True, True
        return False, False

    # -- resolving ----------------------------------------------------------------------
    def resolve(self, text: str, on: date | None) -> Resolution:
        tokens = _tokenize(text)
        if not tokens:
            return _unknown(text, "empty", {})
        readings = self.readings(tokens)
        if not readings:
            return self._nothing_found(text, tokens)
        start = min(r.start for r in readings)
        readings = [r for r in readings if r.start == start]
        if not all(r.mixed for r in readings):
            readings = [r for r in readings if not r.mixed]
        fewest = min(r.mismatches for r in readings)
        readings = [r for r in readings if r.mismatches == fewest]
        top = min(r.top_rank for r in readings)
        readings = [r for r in readings if r.top_rank == top]
        if on is not None:
            era = gz.era_on(on)
            readings = [r for r in readings if r.candidate.era == era] or readings
        unique: dict[tuple[str, str, str], _Reading] = {}
        for r in readings:
            unique.setdefault(r.candidate.unit.key, r)
        readings = list(unique.values())
        readings = [r for r in readings if not any(self.contains(o.candidate, r.candidate) for o in readings)]

        if start > 0 and all(r.candidate.commune is None for r in readings):
            unplaced = self._unplaced(text, tokens[:start], readings)
            if unplaced is not None:
                return unplaced

        groups: dict[tuple[str, str | None], list[_Reading]] = {}
        for r in readings:
            c = r.candidate
            target = (c.current_province.code, c.current_commune.code if c.current_commune else None)
            groups.setdefault(target, []).append(r)
        candidates = tuple(r.candidate for r in readings)
        if len(groups) == 1:
            return _resolved(text, candidates)
        code, params = _explain(readings)
        return Resolution(
            text,
            AMBIGUOUS,
            candidates=candidates,
            reason=reason_text(code, params),
            reason_code=code,
            reason_params=params,
        )

    def _unplaced(self, text: str, left: list[_Token], readings: list[_Reading]) -> Resolution | None:
        """A unit named left of what was read that the reading does not contain: "Xã Phú Cần,
        Tỉnh Bắc Giang" names a commune that is not in that province. None when the words
        left over are a street or a hamlet."""
        scope = readings[0].candidate
        levels = frozenset({COMMUNE} if scope.district else {COMMUNE, DISTRICT})
        found = _prefixed_tail(left, levels)
        if found is None:
            # Unprefixed: only a whole part naming a unit somewhere counts.
            segment = left[max(i for i, t in enumerate(left) if t.hard) :]
            level = next((lv for lv in (COMMUNE, DISTRICT) if lv in levels and self.find(segment, lv)), None)
            if level is None:
                return None
            found = (segment, level, None)
        chunk, level, typed = found
        within_unit = scope.district or scope.province
        province_names = {r.candidate.province.name for r in readings}
        province = (
            _province_label(scope.province)
            if len({r.candidate.era for r in readings}) == 1
            else scope.province.name
        )
        if len(province_names) > 1:
            province = " / ".join(sorted(province_names))
        within = f"{scope.district.name}, {province}" if scope.district else province
        elsewhere = self.find(chunk, level)
        elsewhere = tuple(u for u in elsewhere if _type_of(u) == typed) or elsewhere
        if elsewhere:
            labels = sorted({self.candidate(u).label() for u in elsewhere})
            code = (
                "district_not_in_province"
                if level == DISTRICT
                else ("commune_not_in_district" if scope.district else "commune_not_in_province")
            )
            name = elsewhere[0].name if len({u.name for u in elsewhere}) == 1 else _text(chunk)
            params = {"name": name, "within": within, "options": labels, "count": len(labels)}
        else:
            code = "unknown_district" if level == DISTRICT else "unknown_commune"
            params = {
                "name": _text(chunk),
                "within": within,
                "suggestions": _suggest(chunk, self._pool(level, within_unit)),
            }
        return _unknown(text, code, params, tuple(r.candidate for r in readings))

    def _pool(self, level: str, within: Unit) -> list[Unit]:
        if level == DISTRICT:
            return self.districts_of.get(within.code, []) if within.era == LEGACY else []
        key = within.code if within.level == DISTRICT else within.province_code
        return self.communes_of.get((within.era, key), [])

    def _nothing_found(self, text: str, tokens: list[_Token]) -> Resolution:
        """Nothing ends the text as a unit: the last part, the province by convention, is
        unknown (or the unit its prefix names)."""
        segment = tokens[max(i for i, t in enumerate(tokens) if t.hard) :]
        found = _prefixed_tail(segment, frozenset({PROVINCE, DISTRICT, COMMUNE}))
        chunk, level, _ = found if found else (segment, PROVINCE, None)
        if level == PROVINCE:
            params = {"name": _text(chunk), "suggestions": _suggest(chunk, self.gaz.provinces.values())}
            return _unknown(text, "unknown_province", params)
        code = "unknown_district" if level == DISTRICT else "unknown_commune"
        return _unknown(text, code, {"name": _text(chunk), "within": None, "suggestions": ()})


def _suggest(chunk: list[_Token], pool: Iterable[Unit]) -> tuple[str, ...]:
    """Names in ``pool`` close to what was typed (compared without diacritics)."""
    typed = " ".join(t.fold for t in chunk)
    by_key: dict[str, set[str]] = {}
    for unit in pool:
        by_key.setdefault(_name_keys(unit.short_name)[1], set()).add(
            _province_label(unit) if unit.level == PROVINCE else unit.name
        )
    close = difflib.get_close_matches(typed, list(by_key), n=3, cutoff=0.75)
    return tuple(sorted({name for key in close for name in by_key[key]}))


def _unknown(
    text: str, code: str, params: Mapping[str, object], candidates: tuple[Candidate, ...] = ()
) -> Resolution:
    return Resolution(
        text,
        UNKNOWN,
        candidates=candidates,
        reason=reason_text(code, params),
        reason_code=code,
        reason_params=dict(params),
    )


def _resolved(text: str, candidates: tuple[Candidate, ...]) -> Resolution:
    """All ``candidates`` map to the same unit today. Report the current reading when there
    is one; else the old units they share."""
    chosen = next((c for c in candidates if c.era == CURRENT), None)
    if chosen is None and len(candidates) == 1:
        chosen = candidates[0]
    if chosen is not None:
        return Resolution(
            text,
            RESOLVED,
            era=chosen.era,
            province=chosen.province,
            district=chosen.district,
            commune=chosen.commune,
            current_province=chosen.current_province,
            current_commune=chosen.current_commune,
            current_communes=chosen.current_communes,
            candidates=candidates,
        )
    first = candidates[0]

    def shared(attr: str) -> Unit | None:
        values = {getattr(c, attr) for c in candidates}
        return values.pop() if len(values) == 1 else None

    return Resolution(
        text,
        RESOLVED,
        era=first.era,
        province=shared("province"),
        district=shared("district"),
        commune=shared("commune"),
        current_province=first.current_province,
        current_commune=first.current_commune,
        current_communes=(first.current_commune,) if first.current_commune else (),
        candidates=candidates,
    )


def _explain(readings: list[_Reading]) -> tuple[str, dict[str, object]]:
    """Why several readings remain: the reason code and its parameters."""
    cands = [r.candidate for r in readings]
    units = [c.unit for c in cands]
    same_name = len({u.name for u in units}) == 1
    name = units[0].name if same_name else readings[0].name
    levels = {c.level for c in cands}
    eras = {c.era for c in cands}
    labels = sorted({c.label() for c in cands})
    if len(levels) > 1:
        return "ambiguous_level", {"name": readings[0].name, "count": len(labels), "options": labels}
    (level,) = levels
    if len(eras) == 2 and len({c.province.short_name for c in cands}) == 1:
        olds = sorted((c for c in cands if c.era == LEGACY), key=Candidate.label)
        return "ambiguous_era", {
            "name": name if same_name else f"'{name}'",
            "new": sorted(c.label() for c in cands if c.era == CURRENT),
            "old": [c.label() for c in olds],
            "old_now": [(c.current_commune or c.current_province).name for c in olds],
        }
    code = f"ambiguous_{level}"
    provinces = {(c.era, c.province.code) for c in cands}
    if len(provinces) > 1 or level == PROVINCE:
        options = sorted({_province_label(c.province) for c in cands})
        return code, {
            "name": name if same_name else f"'{name}'",
            "count": len(options),
            "scope": "province",
            "options": options,
            "legacy_only": eras == {LEGACY},
        }
    province = cands[0].province
    districts = {c.district.code for c in cands if c.district}
    if level == COMMUNE and len(districts) > 1:
        options = sorted({c.district.name for c in cands if c.district})
        return code, {
            "name": name if same_name else f"'{name}'",
            "count": len(options),
            "scope": "district",
            "within": _province_label(province),
            "options": options,
        }
    within_unit = cands[0].district if level == COMMUNE and cands[0].district else None
    within = f"{within_unit.name}, {_province_label(province)}" if within_unit else _province_label(province)
    options = sorted({u.name for u in units})
    folded = {vntext.match_key(u.short_name, diacritics=False) for u in units}
    toned = {vntext.match_key(u.short_name) for u in units}
    scope = "diacritics" if len(folded) == 1 and len(toned) > 1 else "type"
    return code, {
        "name": readings[0].name,
        "count": len(options),
        "scope": scope,
        "within": within,
        "options": options,
    }


# -- entry points ---------------------------------------------------------------------------
_INDEXES: dict[int, tuple[weakref.ref, _Index]] = {}


def _index_for(gaz: Gazetteer) -> _Index:
    entry = _INDEXES.get(id(gaz))
    if entry is not None and entry[0]() is gaz:
        return entry[1]
    index = _Index(gaz)
    key = id(gaz)

    def forget(_ref: weakref.ref) -> None:
        _INDEXES.pop(key, None)

    _INDEXES[key] = (weakref.ref(gaz, forget), index)
    return index


def resolve(text: str, gazetteer: Gazetteer | None = None, *, on: date | None = None) -> Resolution:
    """Resolve a free-text Vietnamese address to administrative units, old or new.

    ``gazetteer`` defaults to the process-wide one; its indexes are built on first use and
    cached. ``on`` is the date the address was valid: readings in the era in force that day
    are preferred (an old and a new unit of the same name otherwise make it ambiguous, unless
    they are the same unit today).
    """
    return _index_for(gazetteer or gz.gazetteer()).resolve(text, on)


def resolve_many(
    texts: Iterable[str], gazetteer: Gazetteer | None = None, *, on: date | None = None
) -> list[Resolution]:
    """:func:`resolve` for many addresses, resolving each distinct text once."""
    index = _index_for(gazetteer or gz.gazetteer())
    done: dict[str, Resolution] = {}
    out = []
    for text in texts:
        if text not in done:
            done[text] = index.resolve(text, on)
        out.append(done[text])
    return out
