"""The unit a figure is about (the whole country, a province, a commune, of either era), the
producers that fall in it, and who may see its figures.

:func:`producer_q` turns a unit into a filter on producers, so that any count can be narrowed to
the unit: by today's province or commune for units in force today, and for the provinces before
1 July 2025 by the same placement rule as :func:`ocop.monitoring.selectors.programme_stats` (the
old province on record, else the one the producer's current commune mostly came from, else the
lowest-coded old province of its current province). Tests hold the two to the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.geo.models import Commune, CommuneSuccession, Province

COUNTRY, PROVINCE, COMMUNE = "country", "province", "commune"
# From a row about a product (a recognition, a dossier, a batch, a scan count) to its producer.
VIA_PRODUCT = "product__producer__"


@dataclass(frozen=True)
class Unit:
    """The whole country (``province`` and ``commune`` None), a province, or a commune, of an era."""

    era: str = CURRENT
    province: Province | None = None
    commune: Commune | None = None

    @property
    def level(self) -> str:
        if self.commune is not None:
            return COMMUNE
        return PROVINCE if self.province is not None else COUNTRY

    @property
    def code(self) -> str | None:
        unit = self.commune or self.province
        return unit.code if unit else None

    @property
    def name(self) -> str:
        if self.commune is not None:
            return f"{self.commune.name}, {self.province.name}"
        return self.province.name if self.province is not None else _("Viet Nam")

    @property
    def is_current(self) -> bool:
        return self.era == CURRENT


def country(era: str = CURRENT) -> Unit:
    return Unit(era=era)


def of_province(province: Province) -> Unit:
    return Unit(era=province.era_id, province=province)


def of_commune(commune: Commune) -> Unit:
    return Unit(era=commune.era_id, province=commune.province, commune=commune)


def reachable(user, unit: Unit) -> bool:
    """Whether ``user`` may see the unit's dashboard, report and figure lists: the central office
    everywhere; an officer within their jurisdiction (a province before 1 July 2025 belongs to
    the officers of the province it became part of). Asked through the permission gate."""
    actor = gate.actor_of(user)
    if actor.is_central:
        return True
    if unit.level == COUNTRY:
        return False
    if unit.commune is not None and unit.is_current:
        return gate.restrict(Commune.objects.filter(pk=unit.commune.pk), user, Action.PLACE).exists()
    province_id = unit.province.pk if unit.is_current else unit.province.successor_id
    return gate.restrict(Province.objects.filter(pk=province_id), user, Action.PLACE).exists()


def reachable_parts(user, unit: Unit, level: str, codes) -> set[str]:
    """Which of ``unit``'s parts (the provinces or communes of ``level`` with these ``codes``)
    ``user`` may see: :func:`reachable` of each, asked at once (a dashboard links only to them)."""
    codes = {code for code in codes if code}
    if gate.actor_of(user).is_central:
        return codes
    if level == COMMUNE and unit.is_current:
        communes = Commune.objects.filter(era_id=CURRENT, code__in=codes)
        return set(gate.restrict(communes, user, Action.PLACE).values_list("code", flat=True))
    if level == COMMUNE:  # an old province's communes are reached through the province
        return codes if reachable(user, Unit(era=unit.era, province=unit.province)) else set()
    placed = set(gate.restrict(Province.objects.all(), user, Action.PLACE).values_list("pk", flat=True))
    return {
        province.code
        for province in Province.objects.filter(era_id=unit.era, code__in=codes)
        if (province.pk if unit.is_current else province.successor_id) in placed
    }


def producer_q(unit: Unit, prefix: str = "") -> Q:
    """The producers in ``unit``, as a filter on a model reaching Producer through ``prefix``
    (:data:`VIA_PRODUCT` for recognitions, ``""`` for producers)."""
    if unit.level == COUNTRY:
        return Q()
    if unit.era == CURRENT:
        if unit.commune is not None:
            return Q(**{f"{prefix}commune_id": unit.commune.pk})
        return Q(**{f"{prefix}province_id": unit.province.pk})
    if unit.commune is not None:
        return _legacy_commune_q(unit.commune, prefix)
    return _legacy_province_q(unit.province, prefix)


def _decisive_predecessors(successor_ids) -> dict[int, tuple[int, int]]:
    """current commune id -> (old commune id, old province id) of its decisive predecessor: a
    primary one (an old commune whose main part went there) before a partial one, then the
    lowest code."""
    best: dict[int, tuple] = {}
    rows = CommuneSuccession.objects.filter(successor_id__in=successor_ids).values_list(
        "successor_id", "is_primary", "predecessor__code", "predecessor_id", "predecessor__province_id"
    )
    for successor_id, is_primary, code, commune_id, province_id in rows:
        key = (not is_primary, code)
        if successor_id not in best or key < best[successor_id][0]:
            best[successor_id] = (key, commune_id, province_id)
    return {successor: (commune, province) for successor, (_key, commune, province) in best.items()}


def _without_old_units(prefix: str) -> dict:
    return {f"{prefix}historical_province__isnull": True, f"{prefix}historical_commune__isnull": True}


def _legacy_province_q(province: Province, prefix: str) -> Q:
    on_record = Q(**{f"{prefix}historical_province_id": province.pk}) | Q(
        **{
            f"{prefix}historical_province__isnull": True,
            f"{prefix}historical_commune__province_id": province.pk,
        }
    )
    took_part = CommuneSuccession.objects.filter(predecessor__province=province).values("successor_id")
    decisive = _decisive_predecessors(took_part)
    communes = sorted(
        successor for successor, (_c, old_province) in decisive.items() if old_province == province.pk
    )
    q = on_record | Q(**{f"{prefix}commune_id__in": communes}, **_without_old_units(prefix))
    # Without a commune that has predecessors, a producer goes to the lowest-coded old province
    # that became part of its current province.
    lowest = (
        Province.objects.filter(era_id=LEGACY, successor_id=province.successor_id).order_by("code").first()
    )
    if province.successor_id and lowest is not None and lowest.pk == province.pk:
        no_predecessors = Q(**{f"{prefix}commune__isnull": True}) | ~Q(
            **{f"{prefix}commune_id__in": CommuneSuccession.objects.values("successor_id")}
        )
        q |= Q(
            no_predecessors, **{f"{prefix}province_id": province.successor_id}, **_without_old_units(prefix)
        )
    return q


def _legacy_commune_q(commune: Commune, prefix: str) -> Q:
    """Producers in an old commune: on record, else their current commune's decisive predecessor
    within the old province (as the statistics by commune place them)."""
    province = commune.province
    in_province = _legacy_province_q(province, prefix)
    on_record = Q(**{f"{prefix}historical_commune_id": commune.pk})
    successors = CommuneSuccession.objects.filter(predecessor=commune).values_list("successor_id", flat=True)
    placed = []
    for successor_id in successors:
        within = sorted(
            CommuneSuccession.objects.filter(successor_id=successor_id, predecessor__province=province)
            .values_list("is_primary", "predecessor__code", "predecessor_id")
            .order_by(),
            key=lambda row: (not row[0], row[1]),
        )
        if within and within[0][2] == commune.pk:
            placed.append(successor_id)
    by_successor = Q(**{f"{prefix}historical_commune__isnull": True, f"{prefix}commune_id__in": placed})
    return in_province & (on_record | by_successor)
