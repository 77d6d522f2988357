"""Administrative units and address resolution over HTTP."""

from datetime import date
from typing import Literal

from ninja import Query, Router, Schema

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, READ_ERRORS
from ocop.accounts.choices import Action
from ocop.web.edge import Code

from . import gazetteer as gz
from .models import Commune, District, Province

router = Router(tags=["geography"], auth=ANYONE)

ERA_PARAM = {"current": gz.CURRENT, "legacy": gz.LEGACY, gz.CURRENT: gz.CURRENT, gz.LEGACY: gz.LEGACY}


class UnitOut(Schema):
    era: str
    level: str
    code: str
    name: str
    short_name: str


class ProvinceOut(Schema):
    era: str
    code: str
    name: str
    short_name: str
    successor_code: str | None = None


class CommuneOut(Schema):
    era: str
    code: str
    name: str
    short_name: str
    province_code: str
    district_code: str | None = None
    successor_code: str | None = None


class CandidateOut(Schema):
    province: UnitOut | None = None
    district: UnitOut | None = None
    commune: UnitOut | None = None
    current_province: UnitOut | None = None
    current_commune: UnitOut | None = None


class ResolutionOut(Schema):
    status: Literal["resolved", "ambiguous", "unknown"]
    reason_code: str | None = None
    reason: str | None = None
    era: str | None = None
    province: UnitOut | None = None
    district: UnitOut | None = None
    commune: UnitOut | None = None
    current_province: UnitOut | None = None
    current_commune: UnitOut | None = None
    candidates: list[CandidateOut] = []


def _unit(unit):
    if unit is None:
        return None
    return {
        "era": unit.era,
        "level": unit.level,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
    }


def _province_out(p: Province) -> dict:
    return {
        "era": p.era_id,
        "code": p.code,
        "name": p.name,
        "short_name": p.short_name,
        "successor_code": p.successor.code if p.successor_id else None,
    }


def _commune_out(c: Commune) -> dict:
    return {
        "era": c.era_id,
        "code": c.code,
        "name": c.name,
        "short_name": c.short_name,
        "province_code": c.province.code,
        "district_code": c.district.code if c.district_id else None,
        "successor_code": c.successor.code if c.successor_id else None,
    }


@router.get("/provinces", response={200: list[ProvinceOut], **READ_ERRORS}, summary="Provinces of an era")
def provinces(request, era: Literal["current", "legacy"] = "current"):
    rows = gate.restrict(Province.objects.of_era(ERA_PARAM[era]), request.user, Action.VIEW)
    rows = rows.select_related("successor").order_by("code")
    return [_province_out(p) for p in rows]


@router.get(
    "/provinces/{code}/communes",
    response={200: list[CommuneOut], **READ_ERRORS},
    summary="Communes of a province",
)
def communes(request, code: Code, era: Literal["current", "legacy"] = "current"):
    province = gate.get_or_404(
        Province.objects.all(), request.user, Action.VIEW, era_id=ERA_PARAM[era], code=code
    )
    rows = province.communes.select_related("province", "district", "successor").order_by("code")
    return [_commune_out(c) for c in rows]


@router.get(
    "/districts/{code}/communes",
    response={200: list[CommuneOut], **READ_ERRORS},
    summary="Communes of an old district",
)
def district_communes(request, code: Code):
    district = gate.get_or_404(District.objects.all(), request.user, Action.VIEW, era_id=gz.LEGACY, code=code)
    rows = district.communes.select_related("province", "district", "successor").order_by("code")
    return [_commune_out(c) for c in rows]


@router.get(
    "/resolve", response={200: ResolutionOut, **READ_ERRORS}, summary="Resolve a free-text address to units"
)
def resolve_address(
    request,
    address: str = Query(..., example="Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh"),
    on: date | None = None,
):
    """Old-style (with district) or new-style addresses, with or without diacritics.
    ``on`` prefers the boundaries in force on that date when a name fits both eras."""
    from .resolver import resolve

    result = resolve(address, on=on)
    return {
        "status": result.status,
        "reason_code": result.reason_code,
        "reason": result.reason,
        "era": result.era,
        "province": _unit(result.province),
        "district": _unit(result.district),
        "commune": _unit(result.commune),
        "current_province": _unit(result.current_province),
        "current_commune": _unit(result.current_commune),
        "candidates": [
            {
                "province": _unit(c.province),
                "district": _unit(c.district),
                "commune": _unit(c.commune),
                "current_province": _unit(c.current_province),
                "current_commune": _unit(c.current_commune),
            }
            for c in result.candidates
        ],
    }
