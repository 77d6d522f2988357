"""Loading the administrative units into the database."""

import hashlib
import logging

from django.db import transaction

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
        [
            Province(
                era_id=u.era, code=u.code, name=u.name, short_name=u.short_name, division_type=u.division_type
            )
            for u in gaz.provinces.values()
        ],
        ["name", "short_name", "division_type"],
    )
    districts = _upsert(
        District,
        [
            District(
                era_id=u.era,
                code=u.code,
                name=u.name,
                short_name=u.short_name,
                division_type=u.division_type,
                province_id=provinces[(u.era, u.province_code)],
            )
            for u in gaz.districts.values()
        ],
        ["name", "short_name", "division_type", "province"],
    )
    communes = _upsert(
        Commune,
        [
            Commune(
                era_id=u.era,
                code=u.code,
                name=u.name,
                short_name=u.short_name,
                division_type=u.division_type,
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
