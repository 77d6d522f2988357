"""Programme statistics over HTTP: the figures of ``ocop stats --format json``, from the same selector.

Statistics of recognised products are public: anyone may ask, signed in or not. The rows are
still fetched through the permission gate (recognitions are public to every role).
"""

from datetime import date
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from ocop.accounts.api import ANYONE, READ_ERRORS

from . import selectors

router = Router(tags=["statistics"])


class UnitRef(Schema):
    code: str | None
    name: str | None


class StarsOut(Schema):
    three: int = Field(..., alias="3")
    four: int = Field(..., alias="4")
    five: int = Field(..., alias="5")


class GroupsOut(Schema):
    food: int
    drinks: int
    herbal: int
    handicraft: int
    ornamental: int
    tourism: int


class ProductFiguresOut(Schema):
    total: int
    by_stars: StarsOut
    by_group: GroupsOut


class TypesOut(Schema):
    cooperative: int
    cooperative_group: int
    enterprise: int
    household: int


class ProducerFiguresOut(Schema):
    total: int
    by_type: TypesOut


class ProvinceFiguresOut(Schema):
    province: UnitRef
    products: ProductFiguresOut
    producers: ProducerFiguresOut


class CommuneFiguresOut(Schema):
    commune: UnitRef = Field(
        ..., description="code and name null: counted producers with no commune on record"
    )
    products: ProductFiguresOut
    producers: ProducerFiguresOut


class StatsOut(Schema):
    province: UnitRef = Field(..., description='The whole country: {"code": null, "name": "Việt Nam"}')
    as_of: date
    boundaries: Literal["current", "historical"]
    products: ProductFiguresOut
    producers: ProducerFiguresOut
    provinces: list[ProvinceFiguresOut] | None = Field(
        None, description="Without a province: every province of the era, by code"
    )
    communes: list[CommuneFiguresOut] | None = Field(None, description="With by=commune")


class StatsQuery(Schema):
    province: str = Field("", description="Province code or name; empty for the whole country")
    as_of: date | None = Field(None, description="YYYY-MM-DD; default today")
    boundaries: Literal["current", "historical"] = "current"
    by: Literal["commune"] | None = Field(None, description="With a province: a row per commune")


@router.get(
    "/",
    response={200: StatsOut, **READ_ERRORS},
    auth=ANYONE,
    summary="Programme statistics",
    # "3", "4", "5" are aliases; absent lists (provinces / communes) stay absent, nulls stay null.
    by_alias=True,
    exclude_unset=True,
)
def programme_stats(request, query: Query[StatsQuery]):
    """Products rated 3 stars or more with a recognition valid on ``as_of``, and their producers,
    for the whole country (with every province) or one province (``by=commune``: with its
    communes), counted by today's boundaries or by those in force on ``as_of``. The same figures
    as ``ocop stats --format json``."""
    try:
        return selectors.programme_stats(
            user=request.user,
            as_of=query.as_of,
            boundaries=query.boundaries,
            province=query.province,
            by=query.by,
        )
    except selectors.StatsError as exc:
        return Status(
            422, {"detail": [{"loc": ["query", exc.field], "msg": str(exc), "type": "value_error"}]}
        )
