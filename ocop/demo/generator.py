"""The demo dataset, planned in memory: producers, products, recognitions, certificates and
intellectual-property rights as unsaved model instances, ready for ``bulk_create``.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, over units read in a
fixed order, so a seed always gives the same dataset. Nothing here touches the database except
:func:`load_units`, which reads the administrative units once.

The dynamics follow shared/domain/OCOP.md: recognitions since 2019 in rounds concentrated in a
few months of the year; 3-4★ recognised by the province under QĐ 1048, 3★ by the district and
4★ by the province under QĐ 148 (24/02/2023 - 05/07/2025), 3-4★ by the province again after
QĐ 1489 (06/07/2025); 5★ always by the ministry. A recognition is valid 36 months; most
products are re-rated around expiry (sometimes with another star), some lapse, a few are revoked.
"""

from __future__ import annotations

import bisect
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ocop.geo.gazetteer import CURRENT, LEGACY, REFORM_DATE
from ocop.geo.models import Commune, Province
from ocop.registry.choices import (
    CertificationKind,
    IPKind,
    LegalForm,
    ProducerType,
    RecognitionLevel,
)
from ocop.registry.models import (
    Certification,
    IntellectualProperty,
    Producer,
    Product,
    Recognition,
)
from ocop.registry.services import validity_end
from ocop.vntext import fold

from . import vocabulary as vocab

QD148 = date(2023, 2, 24)  # QĐ 148: district recognises 3★
QD1489 = date(2025, 7, 6)  # QĐ 1489: the province recognises 3★ again
MAE_MERGER = date(2025, 3, 1)  # the ministry becomes Bộ Nông nghiệp và Môi trường
FIRST_ROUND = date(2019, 9, 1)  # QĐ 1048 was signed on 21/08/2019

NATIONAL_PRODUCERS = 10_000
NATIONAL_PRODUCTS = 18_000

# Products first recognised each year (relative weights). With most products re-rated at
# expiry, this gives valid ≥3★ counts close to the national series: ~8,500 (10/2022),
# ~10,300 (12/2023), ~15,600 (12/2024), ~18,000 (12/2025).
FIRST_RECOGNITION_YEARS = {
    2019: 1000,
    2020: 2100,
    2021: 2400,
    2022: 2500,
    2023: 2400,
    2024: 5800,
    2025: 1500,
    2026: 300,
}
KIND_WEIGHTS = {
    ProducerType.COOPERATIVE: 32,
    ProducerType.ENTERPRISE: 23,
    ProducerType.HOUSEHOLD: 40,
    ProducerType.COOPERATIVE_GROUP: 5,
}
# How strongly each kind attracts a second, third... product.
EXTRA_PRODUCT_PULL = {
    ProducerType.COOPERATIVE: 2.0,
    ProducerType.ENTERPRISE: 2.4,
    ProducerType.HOUSEHOLD: 0.5,
    ProducerType.COOPERATIVE_GROUP: 0.8,
}
ENTERPRISE_FORMS = {
    LegalForm.LLC_ONE_MEMBER: 35,
    LegalForm.LLC_MULTI_MEMBER: 25,
    LegalForm.JOINT_STOCK: 25,
    LegalForm.PRIVATE_ENTERPRISE: 15,
}
GS1_MEMBER = {
    ProducerType.ENTERPRISE: 0.62,
    ProducerType.COOPERATIVE: 0.38,
    ProducerType.HOUSEHOLD: 0.12,
    ProducerType.COOPERATIVE_GROUP: 0.05,
}

# Where the national figures can be compared with the dataset (shared/domain/OCOP.md §7.2).
CHECKPOINTS = [
    (date(2022, 10, 31), 8565),
    (date(2023, 12, 31), 10322),
    (date(2024, 12, 31), 15590),
    (date(2025, 12, 20), 18243),
]


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """An old commune with its old district and province and the current units it became."""

    commune_id: int
    commune_name: str
    commune_short: str
    commune_code: str
    commune_type: str
    district_id: int
    district_name: str
    district_short: str
    district_code: str
    old_province_id: int
    old_province_name: str
    old_province_code: str
    current_commune_id: int
    current_commune_name: str
    current_commune_short: str
    current_commune_code: str
    current_commune_type: str
    province_id: int
    province_code: str
    province_name: str

    @property
    def region(self) -> str:
        return vocab.REGION.get(self.old_province_code, "N")

    @property
    def coastal(self) -> bool:
        return self.old_province_code in vocab.COASTAL


@dataclass(frozen=True, slots=True)
class Units:
    places: tuple[Place, ...]
    provinces: dict[str, tuple[int, str]]  # current code -> (pk, name)


def load_units() -> Units:
    """Every old commune that has a successor, with its context, in code order (two queries)."""
    rows = (
        Commune.objects.filter(era_id=LEGACY, successor__isnull=False, district__isnull=False)
        .order_by("code")
        .values_list(
            "pk",
            "name",
            "short_name",
            "code",
            "division_type",
            "district_id",
            "district__name",
            "district__short_name",
            "district__code",
            "province_id",
            "province__name",
            "province__code",
            "successor_id",
            "successor__name",
            "successor__short_name",
            "successor__code",
            "successor__division_type",
            "successor__province_id",
            "successor__province__code",
            "successor__province__name",
        )
    )
    provinces = {
        code: (pk, name)
        for pk, code, name in Province.objects.filter(era_id=CURRENT)
        .order_by("code")
        .values_list("pk", "code", "name")
    }
    return Units(places=tuple(Place(*row) for row in rows), provinces=provinces)


# ---------------------------------------------------------------------------------------------
# Decision rounds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Round:
    day: date
    decision_no: str
    level: str
    issuer_province_id: int | None


ROUND_MONTHS = {3: 1, 4: 1, 5: 1, 6: 3, 7: 2, 8: 2, 9: 3, 10: 2, 11: 3, 12: 4}


class Rounds:
    """The dates on which each body decides, and the numbers of its decisions.

    Each issuer (an old province, an old district, a current province, the ministry) holds a
    few rounds a year; every recognition is dated on one of its issuer's rounds. The schedule
    of an issuer is drawn from its own generator seeded with (seed, issuer), so it does not
    depend on the order in which products ask for it.
    """

    def __init__(self, seed: int, today: date):
        self.seed = seed
        self.today = today
        self._cache: dict[tuple[str, str], tuple[list[date], list[Round]]] = {}

    def _schedule(self, kind: str, key: str, province_id: int | None):
        rng = random.Random(f"{self.seed}/rounds/{kind}/{key}")
        if kind == "district":
            start, end, per_year = date(2023, 5, 1), REFORM_DATE - timedelta(days=1), (1, 2)
        elif kind == "old_province":
            start, end, per_year = FIRST_ROUND, REFORM_DATE - timedelta(days=1), (2, 4 if key == "01" else 3)
        elif kind == "province":
            start, end, per_year = date(2025, 9, 1), self.today, (2, 4 if key == "01" else 3)
        else:  # central
            start, end, per_year = date(2020, 5, 1), self.today, (1, 2)
        end = min(end, self.today)
        days = set()
        for year in range(start.year, end.year + 1):
            months = [m for m in ROUND_MONTHS if start <= date(year, m, 28) and date(year, m, 1) <= end]
            if not months:
                continue
            count = min(len(months), rng.randint(*per_year))
            chosen = set()
            while len(chosen) < count:
                chosen.add(rng.choices(months, weights=[ROUND_MONTHS[m] for m in months])[0])
            for month in sorted(chosen):
                day = date(year, month, rng.randint(1, 28))
                if start <= day <= end:
                    days.add(day)
        rounds = []
        for day in sorted(days):
            # Decisions are numbered through the year: a province signs a few thousand.
            per_day = {"central": 14, "district": 6}.get(kind, 10)
            number = max(1, int(day.timetuple().tm_yday * per_day * rng.uniform(0.8, 1.2)))
            if kind == "central":
                suffix = "QĐ-BNNMT" if day >= MAE_MERGER else "QĐ-BNN-VPĐP"
                level = RecognitionLevel.CENTRAL
            else:
                suffix = "QĐ-UBND"
                level = RecognitionLevel.DISTRICT if kind == "district" else RecognitionLevel.PROVINCE
            rounds.append(Round(day, f"{number}/{suffix}", level, province_id))
        return [r.day for r in rounds], rounds

    def _next(self, kind: str, key: str, province_id: int | None, on: date):
        schedule = self._cache.get((kind, key))
        if schedule is None:
            schedule = self._cache[(kind, key)] = self._schedule(kind, key, province_id)
        days, rounds = schedule
        index = bisect.bisect_left(days, on)
        return rounds[index] if index < len(rounds) else None

    def _last(self, kind: str, key: str, province_id: int | None, on: date):
        self._next(kind, key, province_id, on)
        days, rounds = self._cache[(kind, key)]
        index = bisect.bisect_right(days, on)
        return rounds[index - 1] if index else None

    def next_for(self, producer: PlannedProducer, stars: int, on: date, *, or_before=False) -> Round | None:
        """The first round on or after ``on`` that can recognise ``stars`` for this producer
        (or, with ``or_before``, the last one before it when there is none left)."""
        found = self._find(producer, stars, on)
        if found is None and or_before:
            found = self._find_before(producer, stars, on)
        return found

    def _find(self, producer: PlannedProducer, stars: int, on: date) -> Round | None:
        place = producer.place
        if stars == 5:
            return self._next("central", "", None, on)
        if producer.legacy and on < REFORM_DATE:
            if stars == 3 and on >= QD148:
                found = self._next("district", place.district_code, place.old_province_id, on)
            else:
                found = self._next("old_province", place.old_province_code, place.old_province_id, on)
                if found is not None and stars == 3 and found.day >= QD148:
                    # The next provincial round is already under QĐ 148: 3★ went to the district.
                    return self._find(producer, stars, QD148)
            if found is not None:
                return found
        return self._next("province", place.province_code, place.province_id, max(on, QD1489))

    def _find_before(self, producer: PlannedProducer, stars: int, on: date) -> Round | None:
        place = producer.place
        if stars == 5:
            return self._last("central", "", None, on)
        if not producer.legacy or on >= QD1489:
            found = self._last("province", place.province_code, place.province_id, on)
            if found is not None or not producer.legacy:
                return found
        if stars == 3 and on >= QD148:
            found = self._last("district", place.district_code, place.old_province_id, on)
            if found is not None:
                return found
        found = self._last("old_province", place.old_province_code, place.old_province_id, on)
        if found is not None and stars == 3 and found.day >= QD148:
            return self._last("district", place.district_code, place.old_province_id, on)
        return found


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class PlannedProducer:
    row: Producer
    place: Place
    legacy: bool
    main_group: str
    name_place: str
    brand: str
    n_products: int = 1
    first_days: list[date] = field(default_factory=list)
    specialty: vocab.Template | None = None
    gs1_company: str | None = None
    gs1_next: int = 0
    products: list[Product] = field(default_factory=list)


@dataclass
class Plan:
    producers: list[PlannedProducer]
    products: list[Product]
    # Insertion layers: the latest recognition of every product first, then the ones they
    # superseded, so that ``superseded_by`` always points at a row already saved.
    recognition_layers: list[list[Recognition]]
    certifications: list[Certification]
    ip_rights: list[IntellectualProperty]
    summary: dict


_DIGITS = re.compile(r"\d")


def _usable(name: str) -> bool:
    return bool(name) and not _DIGITS.search(name)


class Planner:
    def __init__(self, units: Units, *, seed: int, scale: float, today: date, product_sets=None):
        self.units = units
        self.seed = seed
        self.scale = scale
        self.today = today
        self.rng = random.Random(seed)
        self.rounds = Rounds(seed, today)
        # {(taxonomy code, set code): ProductSet pk}; empty when the taxonomy is not loaded.
        self.product_sets = product_sets or {}
        self.taken_tax_codes: set[str] = set()
        self.taken_gs1: set[str] = set()
        self.producer_names: set[str] = set()
        self.product_names: set[str] = set()
        self.ocop_seq: Counter = Counter()
        self._fitting: dict[tuple, list[vocab.Template]] = {}
        self.templates_by_group: dict[str, list[vocab.Template]] = defaultdict(list)
        for template in vocab.TEMPLATES:
            self.templates_by_group[vocab.group_of_set(template.set148)].append(template)

    # --- where producers are ----------------------------------------------------------------

    def _places_by_province(self) -> dict[str, tuple[list[Place], list[float]]]:
        """Old communes of each current province with a weight: rural communes make more OCOP
        products than wards, and some communes far more than others (lognormal activity)."""
        type_weight = {"xã": 1.0, "thị trấn": 0.6, "phường": 0.2}
        grouped: dict[str, list[Place]] = defaultdict(list)
        for place in self.units.places:
            grouped[place.province_code].append(place)
        result = {}
        for code in sorted(grouped):
            places = grouped[code]
            weights = [
                type_weight.get(place.commune_type, 0.3) * self.rng.lognormvariate(0, 1.0) for place in places
            ]
            cumulative, total = [], 0.0
            for weight in weights:
                total += weight
                cumulative.append(total)
            result[code] = (places, cumulative)
        return result

    def _first_dates(self, count: int) -> list[date]:
        years = list(FIRST_RECOGNITION_YEARS)
        weights = [FIRST_RECOGNITION_YEARS[y] for y in years]
        last = self.today - timedelta(days=30)
        result = []
        for year in self.rng.choices(years, weights=weights, k=count):
            start = max(date(year, 1, 1), FIRST_ROUND)
            end = min(date(year, 12, 31), last)
            if end < start:
                start = end = last
            result.append(start + timedelta(days=self.rng.randint(0, (end - start).days)))
        return result

    # --- the whole plan ---------------------------------------------------------------------

    def plan(self) -> Plan:
        codes = list(self.units.provinces)
        shares = vocab.province_shares(codes)
        n_producers = max(len(codes), round(NATIONAL_PRODUCERS * self.scale))
        n_products = max(n_producers, round(NATIONAL_PRODUCTS * self.scale))
        producers_per = vocab.apportion(n_producers, shares)
        products_per = vocab.apportion(n_products, shares)
        places = self._places_by_province()

        producers: list[PlannedProducer] = []
        for code in codes:
            if code not in places:
                continue
            count = producers_per[code]
            planned = [self._producer(places[code]) for _ in range(count)]
            self._share_products(planned, max(products_per[code], count), showcase=code == "80")
            producers.extend(planned)

        products: list[Product] = []
        chains: list[list[Recognition]] = []
        certifications: list[Certification] = []
        ip_rights: list[IntellectualProperty] = []
        for planned in producers:
            self._name_producer(planned)
            for index, first_day in enumerate(planned.first_days):
                product, template = self._product(planned, index)
                chain = self._recognitions(planned, product, template, first_day)
                self._classify(planned, product, template, chain)
                certifications.extend(self._certifications(planned, product, template, chain))
                ip_rights.extend(self._ip_rights(planned, product, template, chain))
                products.append(product)
                chains.append(chain)

        layers: list[list[Recognition]] = []
        while layer := [chain[-1 - len(layers)] for chain in chains if len(chain) > len(layers)]:
            layers.append(layer)
        summary = self._summary(producers, products, chains)
        return Plan(producers, products, layers, certifications, ip_rights, summary)

    # --- producers ---------------------------------------------------------------------------

    def _producer(self, places) -> PlannedProducer:
        rng = self.rng
        candidates, cumulative = places
        place = rng.choices(candidates, cum_weights=cumulative)[0]
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        main_group = rng.choices(list(vocab.GROUP_WEIGHTS), weights=list(vocab.GROUP_WEIGHTS.values()))[0]
        producer = Producer(kind=kind, province_id=place.province_id, commune_id=place.current_commune_id)
        return PlannedProducer(
            row=producer,
            place=place,
            legacy=True,
            main_group=main_group,
            name_place="",
            brand="",
        )

    def _share_products(self, planned: list[PlannedProducer], total: int, *, showcase: bool) -> None:
        """Give every producer one product and spread the rest, more to firms and co-ops."""
        rng = self.rng
        extra = total - len(planned)
        weights = [EXTRA_PRODUCT_PULL[p.row.kind] * rng.lognormvariate(0, 0.8) for p in planned]
        if extra > 0:
            for index in rng.choices(range(len(planned)), weights=weights, k=extra):
                planned[index].n_products += 1
        if showcase and planned:
            # The demo producer account needs a producer here with several products.
            star = planned[0]
            while star.n_products < 4:
                donor = max(planned[1:], key=lambda p: p.n_products, default=None)
                if donor is None or donor.n_products <= 1:
                    break
                donor.n_products -= 1
                star.n_products += 1
        for p in planned:
            days = sorted(self._first_dates(p.n_products))
            # Products often go to the council together: later ones may share the first round.
            p.first_days = [days[0]] + [days[0] if rng.random() < 0.35 else d for d in days[1:]]
            p.legacy = days[0] < REFORM_DATE

    def _name_producer(self, planned: PlannedProducer) -> None:
        rng = self.rng
        place, producer = planned.place, planned.row
        region = place.region
        if planned.legacy:
            options = [place.commune_short, place.commune_short, place.district_short]
        else:
            options = [place.current_commune_short]
        usable = [o for o in options if _usable(o)] or [
            o for o in (place.district_short, place.current_commune_short) if _usable(o)
        ]
        planned.name_place = rng.choice(usable) if usable else place.province_name.split(" ", 1)[-1]
        planned.brand = vocab.brand_name(rng)
        woman = rng.random() < 0.35
        minority = rng.random() < vocab.MINORITY_SHARE[region]
        person = vocab.person_name(rng, woman=woman, minority=minority, region=region)
        producer.representative = person
        producer.representative_is_woman = woman
        producer.representative_is_ethnic_minority = minority
        template = self._pick_template(planned, planned.main_group)
        planned.specialty = template
        noun = template.noun

        for attempt in range(8):
            name = self._producer_name(planned, noun, person, attempt)
            if name not in self.producer_names:
                break
        else:
            name = f"{name} {place.district_short}"
        self.producer_names.add(name)
        producer.name = name
        producer.name_key = fold(name)

        kind = producer.kind
        prefix = vocab.TAX_PREFIX.get(place.old_province_code, "01")
        if kind == ProducerType.COOPERATIVE:
            producer.legal_form = (
                LegalForm.COOPERATIVE_UNION if name.startswith("Liên hiệp") else LegalForm.COOPERATIVE
            )
            if rng.random() < 0.9:
                producer.tax_code = vocab.tax_code(rng, prefix, self.taken_tax_codes)
                producer.registration_no = producer.tax_code
        elif kind == ProducerType.ENTERPRISE:
            if rng.random() < 0.93:
                producer.tax_code = vocab.tax_code(rng, prefix, self.taken_tax_codes)
            if (
                producer.legal_form in (LegalForm.JOINT_STOCK, LegalForm.LLC_MULTI_MEMBER)
                and rng.random() < 0.6
            ):
                producer.local_capital_pct = Decimal(rng.randrange(1000, 9500)) / 100
        elif kind == ProducerType.HOUSEHOLD:
            # Households registered after the reform use the owner's personal number as tax code.
            if rng.random() < (0.6 if not planned.legacy else 0.15):
                producer.tax_code = vocab.personal_number(rng, place.old_province_code, self.taken_tax_codes)
            letter = rng.choice("ABCDEFGH")
            producer.registration_no = f"{place.old_province_code}{letter}8{rng.randrange(10**6):06d}"
        else:
            producer.legal_form = LegalForm.COOPERATIVE_GROUP
        producer.tax_code = producer.tax_code or None

        producer.address = self._address(planned)
        if planned.legacy:
            producer.historical_commune_id = place.commune_id
            producer.historical_district_id = place.district_id
            producer.historical_province_id = place.old_province_id
        if rng.random() < 0.5:
            year = max(2005, planned.first_days[0].year - rng.randint(1, 15))
            producer.description_vi = f"Thành lập năm {year}, chuyên sản xuất {noun}."
        if rng.random() < GS1_MEMBER[kind]:
            while True:
                company = f"893{rng.randrange(10000, 100000)}"
                if company not in self.taken_gs1:
                    self.taken_gs1.add(company)
                    planned.gs1_company = company
                    planned.gs1_next = rng.randrange(1, 400)
                    break

    def _producer_name(self, planned: PlannedProducer, noun: str, person: str, attempt: int) -> str:
        rng = self.rng
        producer, place_name, group = planned.row, planned.name_place, planned.main_group
        kind = producer.kind
        if attempt >= 4:
            place_name = f"{place_name} {rng.choice(['Xanh', 'Mới', 'Tiến', 'Phát', 'Thịnh', 'An'])}"
        if kind == ProducerType.COOPERATIVE:
            sector = rng.choice(vocab.COOPERATIVE_SECTORS[group]).format(
                place=place_name, noun=noun, Noun=noun[:1].upper() + noun[1:]
            )
            if rng.random() < 0.01:
                return f"Liên hiệp Hợp tác xã {sector}"
            return f"{rng.choice(['Hợp tác xã', 'Hợp tác xã', 'HTX'])} {sector}"
        if kind == ProducerType.ENTERPRISE:
            if attempt == 0:
                form = rng.choices(list(ENTERPRISE_FORMS), weights=list(ENTERPRISE_FORMS.values()))[0]
                producer.legal_form = form
            form = producer.legal_form
            sector = rng.choice(vocab.ENTERPRISE_SECTORS[group])
            brand = planned.brand if attempt < 2 else vocab.brand_name(rng)
            if rng.random() < 0.25:
                brand = place_name
            if form == LegalForm.LLC_ONE_MEMBER:
                return f"Công ty TNHH {rng.choice(['MTV ', 'Một thành viên ', ''])}{sector} {brand}"
            if form == LegalForm.LLC_MULTI_MEMBER:
                return rng.choice([f"Công ty TNHH {brand}", f"Công ty TNHH {sector} {brand}"])
            if form == LegalForm.JOINT_STOCK:
                return f"Công ty Cổ phần {sector} {brand}"
            return f"Doanh nghiệp tư nhân {brand}"
        if kind == ProducerType.HOUSEHOLD:
            if attempt == 0:
                producer.legal_form = LegalForm.FARM if rng.random() < 0.12 else LegalForm.HOUSEHOLD_BUSINESS
            if producer.legal_form == LegalForm.FARM:
                return rng.choice([f"Trang trại {person}", f"Trang trại {noun} {place_name}"])
            if rng.random() < 0.5 or attempt:
                return f"Cơ sở sản xuất {noun} {person}"
            return f"Hộ kinh doanh {person}"
        return f"Tổ hợp tác {noun} {place_name}"

    def _address(self, planned: PlannedProducer) -> str:
        rng, place = self.rng, planned.place
        region = place.region
        ward = (place.commune_type if planned.legacy else place.current_commune_type) == "phường"
        if ward:
            locality = f"{'Khu phố' if region in 'SD' else 'Tổ dân phố'} {rng.randint(1, 12)}"
        elif region in "SD":
            locality = f"Ấp {rng.choice(['Chợ', 'Mới', 'Phú Hòa', 'Tân Thành', 'Bình An', 'Long Hưng', 'Mỹ Lợi', 'Trung', str(rng.randint(1, 9))])}"
        elif region == "M" and rng.random() < 0.5:
            locality = f"Bản {rng.choice(['Nà Lì', 'Pá Khoang', 'Co Mạ', 'Hua Tát', 'Nà Sản', 'Huổi Só', 'Pa Cốp', 'Mường Mô', 'Nậm Cang', 'Lả Ngà'])}"
        elif region == "H" and rng.random() < 0.4:
            locality = rng.choice(
                ["Buôn Ako Dhông", "Buôn Tơ Lơ", "Buôn Kô Sơ", "Làng Plei Ơp", "Làng Kon Klor", "Buôn Đôn"]
            )
        else:
            locality = f"{rng.choice(['Thôn', 'Thôn', 'Xóm'])} {rng.choice(['Đông', 'Tây', 'Trung', 'Bắc', 'Nam', 'Thượng', 'Hạ', 'Chợ', str(rng.randint(1, 12))])}"
        if planned.legacy:
            return f"{locality}, {place.commune_name}, {place.district_name}, {place.old_province_name}"
        return f"{locality}, {place.current_commune_name}, {place.province_name}"

    # --- products ----------------------------------------------------------------------------

    def _pick_template(self, planned: PlannedProducer, group: str, like: vocab.Template | None = None):
        place = planned.place
        key = (group, place.region, place.coastal)
        fitting = self._fitting.get(key)
        if fitting is None:
            templates = self.templates_by_group[group]
            fitting = self._fitting[key] = (
                [
                    t
                    for t in templates
                    if not t.where or place.region in t.where or ("K" in t.where and place.coastal)
                ]
                or [t for t in templates if not t.where]
                or templates
            )
        if like is not None and self.rng.random() < 0.5:
            related = [t for t in fitting if t.set148 == like.set148]
            if related:
                fitting = related
        return self.rng.choice(fitting)

    def _product(self, planned: PlannedProducer, index: int) -> tuple[Product, vocab.Template]:
        rng = self.rng
        if index == 0:
            template = planned.specialty
        elif rng.random() < 0.8:
            template = self._pick_template(planned, planned.main_group, like=planned.specialty)
        else:
            group = rng.choices(list(vocab.GROUP_WEIGHTS), weights=list(vocab.GROUP_WEIGHTS.values()))[0]
            template = self._pick_template(planned, group)
        group = vocab.group_of_set(template.set148)
        name_vi = template.vi.format(place=planned.name_place)
        name_en = template.en.format(place=planned.name_place)
        qualifiers = vocab.QUALIFIERS[group]
        tries = 0
        while name_vi in self.product_names:
            qualifier_vi, qualifier_en = qualifiers[tries % len(qualifiers)]
            if tries >= len(qualifiers):
                extra = planned.brand.split()[tries % 2]
                qualifier_vi, qualifier_en = f"{qualifier_vi} {extra}", f"{qualifier_en} {extra}"
            if tries >= 2 * len(qualifiers):
                qualifier_vi = qualifier_en = f"{planned.brand} {tries}"
            name_vi = f"{template.vi.format(place=planned.name_place)} {qualifier_vi}"
            name_en = f"{template.en.format(place=planned.name_place)}, {qualifier_en}"
            tries += 1
        self.product_names.add(name_vi)
        product = Product(
            producer=planned.row,
            name_vi=name_vi,
            name_en=name_en if rng.random() < 0.4 else "",
            name_key=fold(name_vi),
            group=group,
        )
        place = planned.place
        where = planned.row.address.split(", ", 1)[1] if ", " in planned.row.address else planned.row.address
        product.description_vi = f"{name_vi} do {planned.row.name} sản xuất tại {where}."
        if product.name_en:
            product.description_en = f"{name_en}, made by {planned.row.name} ({place.province_name})."
        if planned.gs1_company and rng.random() < 0.85:
            product.gtin = vocab.gtin13(planned.gs1_company, planned.gs1_next)
            planned.gs1_next += rng.randint(1, 3)
        planned.products.append(product)
        return product, template

    def _classify(self, planned: PlannedProducer, product: Product, template, chain) -> None:
        """Product set of the taxonomy it was last scored under, and the OCOP code."""
        latest = chain[-1]
        if latest.recognised_on >= QD148:
            product.product_set_id = self.product_sets.get(("148", template.set148))
        elif template.set1048:
            product.product_set_id = self.product_sets.get(("1048", template.set1048))
        first = chain[0]
        place = planned.place
        year = first.recognised_on.year
        if first.recognised_on < REFORM_DATE and planned.legacy:
            key = (place.old_province_code, place.commune_code, year)
            self.ocop_seq[key] += 1
            product.ocop_code = f"{place.old_province_code}-{place.district_code}-{place.commune_code}-{self.ocop_seq[key]}-{year}"
        else:
            key = (place.province_code, place.current_commune_code, year)
            self.ocop_seq[key] += 1
            product.ocop_code = (
                f"{place.province_code}-{place.current_commune_code}-{self.ocop_seq[key]:03d}-{year}"
            )

    # --- recognitions ------------------------------------------------------------------------

    def _recognition(self, product: Product, found: Round, stars: int) -> Recognition:
        rng = self.rng
        low, mode, high = {3: (5000, 5900, 6999), 4: (7000, 7600, 8999), 5: (9000, 9200, 10000)}[stars]
        score = Decimal(round(rng.triangular(low, high, mode))) / 100
        taxonomy = "1048" if found.day < QD148 else "148"
        return Recognition(
            product=product,
            stars=stars,
            score=score,
            level=found.level,
            decision_no=found.decision_no,
            recognised_on=found.day,
            valid_until=validity_end(found.day),
            taxonomy_id=taxonomy if self.product_sets else None,
            issuer_province_id=found.issuer_province_id,
        )

    def _recognitions(
        self, planned: PlannedProducer, product: Product, template, first_day: date
    ) -> list[Recognition]:
        rng, rounds, today = self.rng, self.rounds, self.today
        if template.set1048 == "" and first_day < QD148:
            # Ornamentals joined the programme with QĐ 148; QĐ 1048 had no set for them.
            first_day = QD148 + timedelta(days=rng.randint(60, 700))
        five_star_track = rng.random() < 0.016
        stars = 4 if five_star_track or rng.random() < 0.22 else 3
        found = rounds.next_for(planned, stars, first_day, or_before=True)
        if found is None:  # only at a tiny scale, for a province with no round yet
            found = rounds.next_for(planned, 4, first_day, or_before=True)
            stars = 4
        chain = [self._recognition(product, found, stars)]
        upgraded = False
        while True:
            current = chain[-1]
            following = None
            new_stars = current.stars
            if five_star_track and current.stars == 4 and not upgraded:
                # A potential 5★ product goes to the ministry within a year or so.
                upgraded = True
                following = rounds.next_for(
                    planned, 5, current.recognised_on + timedelta(days=rng.randint(120, 480))
                )
                new_stars = 5
                if following is not None and following.day > current.valid_until:
                    following = None
            elif current.stars == 3 and not upgraded and rng.random() < 0.06:
                # Upgraded to 4★ in the middle of the term.
                upgraded = True
                following = rounds.next_for(
                    planned, 4, current.recognised_on + timedelta(days=rng.randint(300, 800))
                )
                new_stars = 4
                if following is not None and following.day > current.valid_until:
                    following = None
            if following is None:
                if rng.random() < 0.85:
                    # Re-rated around expiry, usually with the same stars.
                    roll = rng.random()
                    if current.stars == 3:
                        new_stars = 4 if roll < 0.10 else 3
                    elif current.stars == 4:
                        new_stars = 3 if roll < 0.15 else 4
                    else:
                        new_stars = 5 if roll < 0.85 else 4
                    target = current.valid_until - timedelta(days=rng.randint(-60, 150))
                    following = rounds.next_for(
                        planned, new_stars, max(target, current.recognised_on + timedelta(days=1))
                    )
                    if following is None:
                        break  # due after today
                else:
                    if current.valid_until < today and rng.random() < 0.06:
                        revoked = current.valid_until + timedelta(days=rng.randint(30, 240))
                        current.revoked_on = min(revoked, today)
                        current.revocation_reason = vocab.REVOCATION_NOT_RERATED
                    break
            if following.day <= current.recognised_on:
                break
            new = self._recognition(product, following, new_stars)
            if following.day <= current.valid_until:
                current.superseded_on = following.day
                current.superseded_by = new
            chain.append(new)
        last = chain[-1]
        if last.revoked_on is None and rng.random() < 0.006:
            start = last.recognised_on + timedelta(days=60)
            end = min(last.valid_until, today)
            if start <= end:
                last.revoked_on = start + timedelta(days=rng.randint(0, (end - start).days))
                last.revocation_reason = rng.choice(vocab.REVOCATION_REASONS)
        return chain

    # --- certificates and rights -------------------------------------------------------------

    def _certifications(
        self, planned: PlannedProducer, product: Product, template, chain
    ) -> list[Certification]:
        rng, place = self.rng, planned.place
        result = []
        latest = chain[-1].recognised_on
        prefix = template.set148.split(".")[0]
        province = place.old_province_name if planned.legacy else place.province_name
        province_lower = province[:1].lower() + province[1:]
        needs_food_safety = prefix in ("I", "II") or template.set148 == "III.1"
        if needs_food_safety and rng.random() < 0.88:
            sector = vocab.FOOD_SAFETY_SECTOR.get(template.set148, "NN")
            issued = latest - timedelta(days=rng.randint(30, 500))
            result.append(
                Certification(
                    product=product,
                    kind=CertificationKind.FOOD_SAFETY,
                    number=f"{rng.randint(1, 900):03d}/{issued.year}/ATTP-CNĐK",
                    issuer=f"{vocab.FOOD_SAFETY_ISSUERS[sector]} {province_lower}",
                    issued_on=issued,
                    expires_on=issued + timedelta(days=3 * 365 - 1),
                )
            )
        if template.set148 in vocab.VIETGAP_SETS and rng.random() < 0.25:
            issued = latest - timedelta(days=rng.randint(0, 700))
            result.append(
                Certification(
                    product=product,
                    kind=CertificationKind.VIETGAP,
                    number=f"VietGAP-TT-{rng.randint(10, 99)}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}",
                    issuer=rng.choice(vocab.CERTIFIERS),
                    issued_on=issued,
                    expires_on=issued + timedelta(days=3 * 365 - 1),
                )
            )
        if prefix in ("I", "II", "III") and rng.random() < 0.04:
            issued = latest - timedelta(days=rng.randint(0, 700))
            result.append(
                Certification(
                    product=product,
                    kind=CertificationKind.ORGANIC,
                    number=f"TCVN 11041-{rng.randint(1000, 9999)}",
                    issuer=rng.choice(vocab.CERTIFIERS),
                    issued_on=issued,
                    expires_on=issued + timedelta(days=3 * 365 - 1),
                )
            )
        if planned.row.kind == ProducerType.ENTERPRISE and prefix in ("I", "II") and rng.random() < 0.15:
            issued = latest - timedelta(days=rng.randint(0, 900))
            result.append(
                Certification(
                    product=product,
                    kind=rng.choice([CertificationKind.ISO_22000, CertificationKind.HACCP]),
                    number=f"{rng.randint(1000, 9999)}/{issued.year}",
                    issuer=rng.choice(vocab.CERTIFIERS),
                    issued_on=issued,
                    expires_on=issued + timedelta(days=3 * 365 - 1),
                )
            )
        return result

    def _ip_rights(
        self, planned: PlannedProducer, product: Product, template, chain
    ) -> list[IntellectualProperty]:
        rng, place = self.rng, planned.place
        first = chain[0].recognised_on
        result = []
        chance = 0.35 if planned.row.kind == ProducerType.HOUSEHOLD else 0.7
        if rng.random() < chance:
            registered = first - timedelta(days=rng.randint(60, 1500))
            result.append(
                IntellectualProperty(
                    product=product,
                    kind=IPKind.TRADEMARK,
                    title=template.vi.format(place=planned.name_place),
                    number=f"4-0{rng.randint(150000, 520000)}-000",
                    holder=planned.row.name,
                    registered_on=registered,
                    expires_on=registered.replace(year=registered.year + 10)
                    if not (registered.month == 2 and registered.day == 29)
                    else date(registered.year + 10, 2, 28),
                )
            )
        if planned.legacy and product.group in ("food", "drinks", "handicraft") and rng.random() < 0.03:
            registered = first - timedelta(days=rng.randint(200, 2500))
            district = place.district_name[:1].lower() + place.district_name[1:]
            result.append(
                IntellectualProperty(
                    product=product,
                    kind=IPKind.COLLECTIVE_MARK,
                    title=template.vi.format(
                        place=place.district_short if _usable(place.district_short) else planned.name_place
                    ),
                    number=f"4-0{rng.randint(150000, 520000)}-000",
                    holder=f"Hội Nông dân {district}",
                    registered_on=registered,
                )
            )
        gi = vocab.GEOGRAPHICAL_INDICATIONS.get((place.old_province_code, template.key))
        if gi and rng.random() < 0.5:
            number = list(vocab.GEOGRAPHICAL_INDICATIONS.values()).index(gi) * 7 + 3
            province = place.old_province_name[:1].lower() + place.old_province_name[1:]
            result.append(
                IntellectualProperty(
                    product=product,
                    kind=IPKind.GEOGRAPHICAL_INDICATION,
                    title=gi,
                    number=f"{number:05d}",
                    holder=f"Ủy ban nhân dân {province}",
                )
            )
        return result

    # --- figures -----------------------------------------------------------------------------

    def _summary(self, producers, products, chains) -> dict:
        today = self.today

        def valid_on(chain, day):
            return next((r for r in chain if r.status_on(day) == "valid"), None)

        valid_by_stars: Counter = Counter()
        product_status: Counter = Counter()
        for chain in chains:
            valid = valid_on(chain, today)
            if valid is not None:
                valid_by_stars[valid.stars] += 1
                product_status["valid"] += 1
            else:
                started = [r for r in chain if r.recognised_on <= today]
                product_status[started[-1].status_on(today)] += 1
        recognition_status: Counter = Counter(r.status_on(today) for chain in chains for r in chain)
        return {
            "today": today,
            "producers": len(producers),
            "producers_by_kind": Counter(p.row.kind for p in producers),
            "legacy_addresses": sum(p.legacy for p in producers),
            "products": len(products),
            "products_by_group": Counter(p.group for p in products),
            "with_gtin": sum(1 for p in products if p.gtin),
            "with_name_en": sum(1 for p in products if p.name_en),
            "recognitions": sum(len(c) for c in chains),
            "recognitions_by_status": recognition_status,
            "products_recognised": sum(1 for c in chains if c),
            "products_by_status": product_status,
            "valid_by_stars": valid_by_stars,
            "five_star_products": sum(1 for c in chains if any(r.stars == 5 for r in c)),
            "revoked_products": sum(1 for c in chains if any(r.revoked_on for r in c)),
            "series": [
                (day, national, sum(1 for c in chains if valid_on(c, day) is not None))
                for day, national in CHECKPOINTS
                if day <= today
            ],
        }
