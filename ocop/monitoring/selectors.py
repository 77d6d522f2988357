"""Programme statistics: recognised products and their producers, by province or commune, on a day.

One function, :func:`programme_stats`, computes the figures for ``ocop stats``, the API and the
officer page, so the three can never disagree. It follows "Statistics as officials ask for them"
in shared/domain/REGISTRY-FORMAT.md:

* A product counts when it holds a recognition of 3 stars or more valid on the as-of day
  (:meth:`RecognitionQuerySet.valid_on`: recognised on or before it, not expired, revoked or
  superseded by then). When several recognitions are valid that day (a re-rating recorded
  without superseding the old one), the most recent decides: latest ``recognised_on``, then
  highest pk. A product whose deciding recognition has 1 or 2 stars does not count.
* A producer counts when at least one of its products counts; it is counted once.
* ``current`` boundaries count by today's provinces and communes (the producer's ``province``
  and ``commune``). ``historical`` boundaries count by the units in force on the as-of day: on
  or after 1 July 2025 that is the same as ``current``; before it, the legacy units:

  - province: the producer's ``historical_province``, else the province of its
    ``historical_commune``. A producer with neither (registered after the reform with a
    new-style address) is placed by its current commune's predecessors (``CommuneSuccession``
    rows whose successor is that commune): the decisive one is a primary predecessor (an old
    commune whose main part went there) before a partial one, then the lowest code; so when
    they span several old provinces, the primary predecessor with the lowest code decides.
    Without a commune (or one with no predecessors): the old province with the lowest code
    among those whose successor is its current province (new Vĩnh Long -> Bến Tre, 83);
  - commune: the producer's ``historical_commune``, else the decisive predecessor of its current
    commune among those in the province reported.

Every figure comes from one SQL aggregate (COUNT, COUNT DISTINCT, with FILTER), grouped by unit;
Python only adds up and places its grouped rows. The whole country by today's provinces costs two
queries (the provinces, the aggregate) whatever the size of the registry; historical boundaries
add one (the predecessors of the communes of producers without old units on record), a list of
communes one more.

The result is a plain dict with every key present, zeros included, in the order of the format
file. The whole country is ``{"code": None, "name": "Việt Nam"}`` in the ``province`` key, with
a ``provinces`` list (every province of the era, ordered by code). ``by="commune"`` (with a
province) adds a ``communes`` list: every commune of the province in the era, ordered by code,
zeros included, followed by one entry ``{"code": None, "name": None}`` only when some counted
producers have no commune on record (or one outside the province), so the list always adds up
to the province's figures.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.geo.gazetteer import CURRENT, LEGACY, REFORM_DATE
from ocop.geo.models import Commune, CommuneSuccession, Province
from ocop.registry.choices import ProducerType, ProductGroup
from ocop.registry.models import Producer, Recognition
from ocop.vntext import fold

from .units import VIA_PRODUCT

CURRENT_BOUNDARIES = "current"
HISTORICAL_BOUNDARIES = "historical"
BOUNDARIES = (CURRENT_BOUNDARIES, HISTORICAL_BOUNDARIES)
BY_COMMUNE = "commune"
STARS = (3, 4, 5)
GROUPS = tuple(ProductGroup.values)  # food, drinks, herbal, handicraft, ornamental, tourism
PRODUCER_TYPES = tuple(ProducerType.values)  # cooperative, cooperative_group, enterprise, household
COUNTRY = {"code": None, "name": "Việt Nam"}
UNRECORDED = {"code": None, "name": None}

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Prefixes people type before a province's name, folded ("Tỉnh", "Thành phố", "TP.").
_PROVINCE_PREFIXES = ("thanh pho ", "tinh ", "tp ")


class StatsError(ValueError):
    """A request for statistics that cannot be answered; ``field`` names the faulty input."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` -> date; anything else is a :class:`StatsError` saying how to write it."""
    value = (text or "").strip()
    try:
        if not _ISO_DAY.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise StatsError(
            _("Invalid date “%(value)s”: write it as YYYY-MM-DD, e.g. 2025-02-19.") % {"value": value},
            field="as_of",
        ) from None


def boundary_era(as_of: date, boundaries: str) -> str:
    """The era whose units the figures are counted by."""
    if boundaries == HISTORICAL_BOUNDARIES and as_of < REFORM_DATE:
        return LEGACY
    return CURRENT


def _name_key(text: str) -> str:
    key = fold(text)
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _named(provinces: Iterable[Province], text: str) -> list[Province]:
    """Provinces whose full name is ``text`` ("Tỉnh X" and "Thành phố X" differ), else those
    whose name without its prefix is, ignoring case and diacritics."""
    provinces = list(provinces)
    full, key = fold(text), _name_key(text)
    exact = [p for p in provinces if fold(p.name) == full]
    return exact or [p for p in provinces if key and key in (fold(p.short_name), fold(p.name))]


def _listing(provinces: Iterable[Province]) -> str:
    return ", ".join(f"{p.name} ({p.code})" for p in provinces)


def find_province(text: str, *, era: str, provinces: list[Province] | None = None) -> Province:
    """The province of ``era`` that ``text`` names: a code ("80", "1") or a name with or without
    its prefix or diacritics ("Tây Ninh", "tinh tay ninh"). Raises :class:`StatsError` with a
    message saying why not: unknown, ambiguous, or a unit of the other era (an old province asked
    for on today's boundaries is refused, naming the province it became part of, rather than
    silently answered with the figures of that larger province)."""
    value = (text or "").strip()
    if provinces is None:
        provinces = list(Province.objects.order_by("era", "code"))
    in_era = [p for p in provinces if p.era_id == era]
    others = [p for p in provinces if p.era_id != era]
    if value.isdigit():
        code = value.zfill(2)
        matches = [p for p in in_era if p.code == code]
        elsewhere = [p for p in others if p.code == code]
        shown = code
    else:
        matches, elsewhere, shown = _named(in_era, value), _named(others, value), value
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise StatsError(
            _("“%(value)s” is ambiguous: %(options)s. Give the province's code.")
            % {"value": shown, "options": _listing(matches)},
            field="province",
        )
    if elsewhere and era == CURRENT:
        old = elsewhere[0]
        successor = next((p for p in provinces if p.pk == old.successor_id), None)
        raise StatsError(
            _(
                "%(name)s (%(code)s) is a province of the boundaries before 1 July 2025; since then it "
                "is part of %(successor)s. Ask for %(successor)s, or use historical boundaries with "
                "a date before 1 July 2025."
            )
            % {"name": old.name, "code": old.code, "successor": successor.name if successor else "?"},
            field="province",
        )
    if elsewhere:
        new = elsewhere[0]
        formed_from = [p for p in provinces if p.successor_id == new.pk]
        raise StatsError(
            _(
                "%(name)s (%(code)s) is a province of the boundaries since 1 July 2025 and did not "
                "exist on that date. It was formed from %(options)s: ask for one of those, or use "
                "current boundaries."
            )
            % {"name": new.name, "code": new.code, "options": _listing(formed_from) or "?"},
            field="province",
        )
    key = _name_key(value)
    suggestions = [p for p in in_era if key and (key in fold(p.short_name) or fold(p.short_name) in key)]
    if suggestions:
        raise StatsError(
            _("Unknown province “%(value)s”; did you mean %(options)s?")
            % {"value": value, "options": _listing(suggestions)},
            field="province",
        )
    raise StatsError(
        _("Unknown province “%(value)s”: give a code (e.g. 80) or a name (e.g. Tây Ninh).")
        % {"value": value},
        field="province",
    )


# ---------------------------------------------------------------------------------------------
# The counting
# ---------------------------------------------------------------------------------------------


def counted_recognitions(day: date, *, user=None) -> QuerySet:
    """One recognition per counted product: its most recent recognition valid on ``day``,
    when that has 3 stars or more."""
    valid = gate.restrict(Recognition.objects.all(), user, Action.VIEW).valid_on(day)
    # Which recognition decides is a fact of the registry, whoever asks: all of a product's
    # recognitions take part (they are public anyway).
    more_recent = Recognition.objects.valid_on(day).filter(
        Q(recognised_on__gt=OuterRef("recognised_on"))
        | Q(recognised_on=OuterRef("recognised_on"), pk__gt=OuterRef("pk")),
        product_id=OuterRef("product_id"),
    )
    return valid.filter(~Exists(more_recent), stars__gte=3)


def aggregates() -> dict:
    """The grouped counts behind every figure of the format file, as ORM aggregates."""
    producer = f"{VIA_PRODUCT}id"
    out = {"products": Count("pk"), "producers": Count(producer, distinct=True)}
    for stars in STARS:
        out[f"stars_{stars}"] = Count("pk", filter=Q(stars=stars))
    for group in GROUPS:
        out[f"group_{group}"] = Count("pk", filter=Q(product__group=group))
    for kind in PRODUCER_TYPES:
        out[f"type_{kind}"] = Count(producer, distinct=True, filter=Q(**{f"{VIA_PRODUCT}kind": kind}))
    return out


FIGURE_NAMES = tuple(aggregates())


def _sum(rows: Iterable[Mapping]) -> dict:
    total = dict.fromkeys(FIGURE_NAMES, 0)
    for row in rows:
        for name in FIGURE_NAMES:
            total[name] += row[name]
    return total


# ---------------------------------------------------------------------------------------------
# Where producers were before the reform
# ---------------------------------------------------------------------------------------------
#
# Most producers have their old province (and commune) on record. For the others the old unit
# is a function of their current commune or province alone, so the SQL aggregate groups them by
# those, and the few groups are placed here, in Python, from the succession tables. (Correlated
# subqueries in the GROUP BY say the same in SQL, but PostgreSQL then prices the query so high
# that it compiles it with JIT, which costs more than the whole count.)

_OLD_PROVINCE = "old_province"  # the producer's old province on record, directly or by its old commune


@dataclass(frozen=True)
class _Predecessor:
    decisive: tuple  # sort key: primary first, then the lowest code
    commune_id: int
    province_id: int


class _OldUnits:
    """The old units of producers without them on record, from their current units."""

    def __init__(self, provinces: list[Province], successions: Iterable[tuple]):
        self.predecessors: dict[int, list[_Predecessor]] = defaultdict(list)
        for successor_id, is_primary, code, commune_id, province_id in successions:
            self.predecessors[successor_id].append(
                _Predecessor((not is_primary, code), commune_id, province_id)
            )
        for rows in self.predecessors.values():
            rows.sort(key=lambda p: p.decisive)
        # current province id -> the old province with the lowest code among those that became it
        self.by_province: dict[int, int] = {}
        for province in sorted(provinces, key=lambda p: p.code):
            if province.era_id == LEGACY and province.successor_id:
                self.by_province.setdefault(province.successor_id, province.pk)

    def place(self, row: Mapping) -> tuple[int | None, int | None]:
        """(old province id, old commune id) of a group of the aggregate (see :func:`_legacy_groups`)."""
        province_id = row[_OLD_PROVINCE]
        if province_id is not None:
            commune_id = row.get("old_commune")
            if commune_id is None and row.get("commune"):
                within = [
                    p for p in self.predecessors.get(row["commune"], ()) if p.province_id == province_id
                ]
                commune_id = within[0].commune_id if within else None
            return province_id, commune_id
        predecessors = self.predecessors.get(row["commune"]) if row["commune"] else None
        if predecessors:
            return predecessors[0].province_id, predecessors[0].commune_id
        return self.by_province.get(row["province"]), None


def _old_units(provinces: list[Province]) -> _OldUnits:
    """One query: the predecessors of the current communes of producers with no old commune."""
    without = Producer.objects.filter(historical_commune__isnull=True, commune__isnull=False)
    successions = CommuneSuccession.objects.filter(successor_id__in=without.values("commune_id")).values_list(
        "successor_id", "is_primary", "predecessor__code", "predecessor_id", "predecessor__province_id"
    )
    return _OldUnits(provinces, successions)


def _legacy_groups(counted: QuerySet, *, communes: bool) -> QuerySet:
    """The aggregate grouped by what decides a producer's old units: its old province on record,
    else its current commune, else its current province (and, for communes, its old commune on
    record, else its current commune). Each group key is a function of the producer, so a
    producer falls in one group only and distinct producer counts add up across groups."""
    rows = counted.annotate(
        **{
            _OLD_PROVINCE: Coalesce(
                F(f"{VIA_PRODUCT}historical_province_id"), F(f"{VIA_PRODUCT}historical_commune__province_id")
            )
        }
    )
    needs_commune = Q(**{f"{_OLD_PROVINCE}__isnull": True})
    if communes:
        needs_commune |= Q(**{f"{VIA_PRODUCT}historical_commune__isnull": True})
        rows = rows.annotate(old_commune=F(f"{VIA_PRODUCT}historical_commune_id"))
    rows = rows.annotate(
        commune=Case(When(needs_commune, then=F(f"{VIA_PRODUCT}commune_id")), output_field=IntegerField()),
        province=Case(
            When(Q(**{f"{_OLD_PROVINCE}__isnull": True}), then=F(f"{VIA_PRODUCT}province_id")),
            output_field=IntegerField(),
        ),
    )
    keys = [_OLD_PROVINCE, "commune", "province", *(["old_commune"] if communes else [])]
    return rows.values(*keys).annotate(**aggregates()).order_by()


def _in_old_province(counted: QuerySet, province: Province) -> QuerySet:
    """Recognitions of producers that may have been in ``province`` (an old one): those with it on
    record, and those without an old province whose current unit took part of it. A superset;
    :meth:`_OldUnits.place` decides."""
    took_part = CommuneSuccession.objects.filter(predecessor__province=province).values("successor_id")
    return counted.filter(
        Q(**{f"{VIA_PRODUCT}historical_province": province})
        | Q(
            **{
                f"{VIA_PRODUCT}historical_province__isnull": True,
                f"{VIA_PRODUCT}historical_commune__province": province,
            }
        )
        | Q(
            Q(**{f"{VIA_PRODUCT}commune_id__in": took_part})
            | Q(**{f"{VIA_PRODUCT}province_id": province.successor_id}),
            **{
                f"{VIA_PRODUCT}historical_province__isnull": True,
                f"{VIA_PRODUCT}historical_commune__isnull": True,
            },
        )
    )


# ---------------------------------------------------------------------------------------------
# Figures per unit
# ---------------------------------------------------------------------------------------------


def _per_province(counted: QuerySet, era: str, provinces: list[Province]) -> dict[int | None, dict]:
    """Figures per province id of ``era`` (None: no province on record)."""
    if era == CURRENT:
        rows = counted.values(unit_id=F(f"{VIA_PRODUCT}province_id")).annotate(**aggregates()).order_by()
        return {row.pop("unit_id"): row for row in rows}
    old_units = _old_units(provinces)
    placed = defaultdict(list)
    for row in _legacy_groups(counted, communes=False):
        placed[old_units.place(row)[0]].append(row)
    return {province_id: _sum(rows) for province_id, rows in placed.items()}


def _per_commune(counted: QuerySet, era: str, province: Province, provinces: list[Province]) -> dict:
    """Figures per commune id of ``era`` in ``province`` (None: no commune on record)."""
    if era == CURRENT:
        in_province = counted.filter(**{f"{VIA_PRODUCT}province": province})
        rows = in_province.values(unit_id=F(f"{VIA_PRODUCT}commune_id")).annotate(**aggregates()).order_by()
        return {row.pop("unit_id"): row for row in rows}
    old_units = _old_units(provinces)
    placed = defaultdict(list)
    for row in _legacy_groups(_in_old_province(counted, province), communes=True):
        province_id, commune_id = old_units.place(row)
        if province_id == province.pk:
            placed[commune_id].append(row)
    return {commune_id: _sum(rows) for commune_id, rows in placed.items()}


def figures(row: Mapping) -> dict:
    """Flat aggregates -> the nested figures of the format file, every key present, in order."""
    return {
        "products": {
            "total": row["products"],
            "by_stars": {str(stars): row[f"stars_{stars}"] for stars in STARS},
            "by_group": {group: row[f"group_{group}"] for group in GROUPS},
        },
        "producers": {
            "total": row["producers"],
            "by_type": {kind: row[f"type_{kind}"] for kind in PRODUCER_TYPES},
        },
    }


def flat(nested: Mapping) -> dict:
    """The nested figures of :func:`figures` back to the flat aggregates."""
    products, producers = nested["products"], nested["producers"]
    out = {"products": products["total"], "producers": producers["total"]}
    out.update({f"stars_{stars}": products["by_stars"][str(stars)] for stars in STARS})
    out.update({f"group_{group}": products["by_group"][group] for group in GROUPS})
    out.update({f"type_{kind}": producers["by_type"][kind] for kind in PRODUCER_TYPES})
    return out


def _unit(unit) -> dict:
    return {"code": unit.code, "name": unit.name}


def _listed(units: Iterable, per_unit: dict[int | None, dict], label: str) -> tuple[list[dict], dict]:
    """Every unit with its figures (zeros included), then the rows of no listed unit, if any."""
    empty = dict.fromkeys(FIGURE_NAMES, 0)
    listed, seen = [], set()
    for unit in units:
        seen.add(unit.pk)
        listed.append({label: _unit(unit), **figures(per_unit.get(unit.pk, empty))})
    unplaced = _sum(row for unit_id, row in per_unit.items() if unit_id not in seen)
    if unplaced["products"]:
        listed.append({label: dict(UNRECORDED), **figures(unplaced)})
    return listed, _sum(per_unit.values())


def programme_stats(
    *,
    user=None,
    as_of: date | None = None,
    boundaries: str = CURRENT_BOUNDARIES,
    province: str | None = None,
    by: str | None = None,
) -> dict:
    """The figures of the format file for the whole country or one province, on ``as_of``
    (default today), counted by ``current`` or ``historical`` boundaries; ``by="commune"`` adds
    the communes of the province. Raises :class:`StatsError` on input it cannot answer."""
    as_of = as_of or timezone.localdate()
    if boundaries not in BOUNDARIES:
        raise StatsError(
            _("Boundaries must be “current” or “historical”, not “%(value)s”.") % {"value": boundaries},
            field="boundaries",
        )
    if by not in (None, "", BY_COMMUNE):
        raise StatsError(_("Figures can be broken down by commune only."), field="by")
    if by and not (province or "").strip():
        raise StatsError(_("Figures by commune need a province."), field="by")
    era = boundary_era(as_of, boundaries)
    provinces = list(Province.objects.order_by("era", "code"))
    counted = counted_recognitions(as_of, user=user)
    result: dict = {"province": None, "as_of": as_of.isoformat(), "boundaries": boundaries}

    if not (province or "").strip():
        in_era = [p for p in provinces if p.era_id == era]
        listed, total = _listed(in_era, _per_province(counted, era, provinces), "province")
        result["province"] = dict(COUNTRY)
        result.update(figures(total))
        # Producers of no province (none in practice: every producer has a current one) count
        # in the country's figures but have no row.
        result["provinces"] = [entry for entry in listed if entry["province"]["code"] is not None]
        return result

    unit = find_province(province, era=era, provinces=provinces)
    result["province"] = _unit(unit)
    per_commune = _per_commune(counted, era, unit, provinces)
    if by == BY_COMMUNE:
        communes = Commune.objects.filter(province=unit).order_by("code")
        listed, total = _listed(communes, per_commune, "commune")
        result.update(figures(total))
        result["communes"] = listed
    else:
        result.update(figures(_sum(per_commune.values())))
    return result
