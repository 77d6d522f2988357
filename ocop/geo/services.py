"""Loading the administrative units into the database."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import gazetteer as gz
from .models import Commune, CommuneSuccession, District, Era, Province, ReferenceDataset

log = logging.getLogger(__name__)

DATASET = "geo"


def reference_version() -> str:
    """Changes whenever the package data or the committed succession table changes."""
    import vietnam_provinces

    digest = hashlib.sha256(gz.SUCCESSION_CSV.read_bytes() if gz.SUCCESSION_CSV.exists() else b"")
    return f"vietnam-provinces {vietnam_provinces.__version__} / succession {digest.hexdigest()[:12]}"


@transaction.atomic
def geo_reference_sync(*, force: bool = False) -> bool:
    """Load eras, units and successions unless the same version is already loaded.

    Units are keyed by (era, code) and updated in place, so rows that reference them
    (producers, officers' jurisdictions) keep pointing at the same unit.
    Returns True when anything was loaded.
    """
    version = reference_version()
    current = ReferenceDataset.objects.filter(name=DATASET).values_list("version", flat=True).first()
    if current == version and not force:
        return False
    gaz = gz.gazetteer()
    log.info("loading administrative units (%s)", version)

    for era in gz.ERAS:
        Era.objects.update_or_create(
            code=era.code,
            defaults={
                "name_vi": era.name_vi,
                "name_en": era.name_en,
                "valid_from": era.valid_from,
                "valid_until": era.valid_until,
            },
        )

    provinces = _upsert(
        Province,
        [Province(**_unit_fields(u)) for u in gaz.provinces.values()],
        ["name", "short_name", "division_type"],
    )
    districts = _upsert(
        District,
        [
            District(**_unit_fields(u), province_id=provinces[(u.era, u.province_code)])
            for u in gaz.districts.values()
        ],
        ["name", "short_name", "division_type", "province"],
    )
    communes = _upsert(
        Commune,
        [
            Commune(
                **_unit_fields(u),
                province_id=provinces[(u.era, u.province_code)],
                district_id=districts[(u.era, u.district_code)] if u.district_code else None,
            )
            for u in gaz.communes.values()
        ],
        ["name", "short_name", "division_type", "province", "district"],
    )

    # Successors of old provinces and communes.
    province_rows = []
    for legacy_code, current_codes in gaz.province_successions.items():
        province_rows.append(
            Province(
                pk=provinces[(gz.LEGACY, legacy_code)], successor_id=provinces[(gz.CURRENT, current_codes[0])]
            )
        )
    Province.objects.bulk_update(province_rows, ["successor"], batch_size=500)

    commune_rows = []
    succession_rows = []
    for legacy_code, succession in gaz.commune_successions.items():
        old_id = communes[(gz.LEGACY, legacy_code)]
        for index, current_code in enumerate(succession.current_codes):
            new_id = communes[(gz.CURRENT, current_code)]
            if index == 0:
                commune_rows.append(Commune(pk=old_id, successor_id=new_id))
            succession_rows.append(
                CommuneSuccession(
                    predecessor_id=old_id,
                    successor_id=new_id,
                    is_primary=index == 0,
                    is_partial=succession.partial,
                )
            )
    Commune.objects.bulk_update(commune_rows, ["successor"], batch_size=1000)
    CommuneSuccession.objects.all().delete()
    CommuneSuccession.objects.bulk_create(succession_rows, batch_size=2000)

    ReferenceDataset.objects.update_or_create(name=DATASET, defaults={"version": version})
    return True


def _unit_fields(unit) -> dict:
    """The columns every unit row has, from a gazetteer unit of any level."""
    return {
        "era_id": unit.era,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "division_type": unit.division_type,
    }


def _upsert(model, rows, update_fields) -> dict[tuple[str, str], int]:
    """Insert or update rows keyed by (era, code); return {(era, code): pk}."""
    existing = {(era, code): pk for pk, era, code in model.objects.values_list("pk", "era_id", "code")}
    new, changed = [], []
    for row in rows:
        pk = existing.get((row.era_id, row.code))
        if pk is None:
            new.append(row)
        else:
            row.pk = pk
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, update_fields, batch_size=1000)
    if new:
        model.objects.bulk_create(new, batch_size=1000)
    return {(era, code): pk for pk, era, code in model.objects.values_list("pk", "era_id", "code")}


# ---------------------------------------------------------------------------------------------
# Placing an address on the map of units
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where an address lies: its current units, and the units of its time when it predates them."""

    province: Province
    commune: Commune | None
    historical_province: Province | None
    historical_district: District | None
    historical_commune: Commune | None
    resolution: object  # the resolver's Resolution, for messages

    @property
    def fields(self) -> dict:
        return {
            "province": self.province,
            "commune": self.commune,
            "historical_province": self.historical_province,
            "historical_district": self.historical_district,
            "historical_commune": self.historical_commune,
        }


class LocationError(ValueError):
    """An address that does not lead to one unit: unknown, ambiguous, or against a picked unit."""

    def __init__(self, resolution=None, *, code: str = "", message: str = ""):
        from .messages import describe

        super().__init__(message or describe(resolution))
        self.resolution = resolution
        self.code = code or resolution.reason_code

    @classmethod
    def mismatch(cls, found: "Location", province: Province) -> "LocationError":
        return cls(
            found.resolution,
            code="province_mismatch",
            message=_("The address is in %(found)s, not in the chosen %(chosen)s.")
            % {"found": found.province.name, "chosen": province.name},
        )

    @classmethod
    def empty(cls) -> "LocationError":
        return cls(code="empty", message=_("Give an address or choose a province."))


def _unit_row(model, unit):
    if unit is None:
        return None
    return model.objects.get(era_id=unit.era, code=unit.code)


def current_units(province_code: str | None = None, commune_code: str | None = None):
    """The current province and commune that an API body names by code (either may be empty), or
    a ValidationError keyed by the field whose code names no current unit."""
    province = commune = None
    if province_code:
        province = Province.objects.filter(era_id=gz.CURRENT, code=province_code).first()
        if province is None:
            message = _("Unknown province code %(code)s.") % {"code": repr(province_code)}
            raise ValidationError({"province_code": [message]})
    if commune_code:
        commune = (
            Commune.objects.select_related("province").filter(era_id=gz.CURRENT, code=commune_code).first()
        )
        if commune is None:
            message = _("Unknown commune code %(code)s.") % {"code": repr(commune_code)}
            raise ValidationError({"commune_code": [message]})
    return province, commune


def locate(address: str, *, on: date | None = None) -> Location:
    """Resolve a free-text address to database units, or raise :class:`LocationError`."""
    from .resolver import resolve

    resolution = resolve(address, on=on)
    if resolution.status != "resolved":
        raise LocationError(resolution)
    legacy = resolution.era == gz.LEGACY
    return Location(
        province=_unit_row(Province, resolution.current_province),
        commune=_unit_row(Commune, resolution.current_commune),
        historical_province=_unit_row(Province, resolution.province) if legacy else None,
        historical_district=_unit_row(District, resolution.district) if legacy else None,
        historical_commune=_unit_row(Commune, resolution.commune) if legacy else None,
        resolution=resolution,
    )


def place(
    address: str, *, province: Province | None = None, commune: Commune | None = None, on: date | None = None
) -> Location:
    """Where a record with this address belongs, when a person may also have picked the unit.

    A picked current commune wins, keeping the units of the time when the address is an old one
    that became part of it. Otherwise the address decides, and must agree with a picked province;
    an address that cannot be resolved falls back to the picked province alone.
    """
    try:
        found = locate(address, on=on) if address else None
        error = None
    except LocationError as exc:
        found, error = None, exc
    if commune is not None:
        if found is not None and found.commune == commune:
            return found
        return Location(commune.province, commune, None, None, None, None)
    if found is not None:
        if province is not None and found.province != province:
            raise LocationError.mismatch(found, province)
        return found
    if province is not None:
        return Location(province, None, None, None, None, None)
    raise error or LocationError.empty()
