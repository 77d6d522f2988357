"""Building the demo dataset and its accounts.

The data is invented and written straight into the tables with ``bulk_create`` (the workflow
services check permissions and write an audit event per record: right for people, far too slow
for eighteen thousand products). The fields ``save()`` would compute are computed by the
generator (``name_key``, empty identifiers as ``None``), and the dataset is written in one
transaction together with a marker row, so it is either there completely or not at all.
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone, translation

from ocop.accounts.choices import Role
from ocop.accounts.models import Grant
from ocop.geo.models import Commune, Province, ReferenceDataset
from ocop.registry.models import (
    Certification,
    IntellectualProperty,
    Producer,
    ProducerMember,
    Product,
    ProductSet,
    Recognition,
)

from .generator import Planner, load_units

DATASET = "demo"
PASSWORD = "demo"
DEFAULT_SEED = 2025
SHOWCASE_PROVINCE = "80"  # Tây Ninh: the province, commune and producer accounts live there
BATCH = 2000


@dataclass(frozen=True)
class Login:
    username: str
    role_vi: str
    role_en: str
    where_vi: str
    where_en: str


def demo_marker() -> ReferenceDataset | None:
    return ReferenceDataset.objects.filter(name=DATASET).first()


@contextlib.contextmanager
def _fast_sqlite():
    """Skip fsync during the bulk load on SQLite (a crash then loses the demo, nothing else)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={int(previous)}")


def demo_build(*, seed: int = DEFAULT_SEED, scale: float = 1.0, today: date | None = None) -> dict:
    """Create the demo dataset and accounts; return the figures of what was made.

    Refuses (``ValueError``) when the database already holds the demo or real producers.
    """
    if demo_marker() is not None:
        raise ValueError("The demo data is already loaded.")
    existing = Producer.objects.count()
    if existing:
        raise ValueError(f"The database already holds {existing} producers that are not demo data.")
    taken = sorted(
        get_user_model()
        .objects.filter(username__in=[a[0] for a in ACCOUNTS])
        .values_list("username", flat=True)
    )
    if taken:
        raise ValueError(f"User names needed by the demo already exist: {', '.join(taken)}.")
    today = today or timezone.localdate()
    product_sets = {
        (taxonomy, code): pk
        for pk, taxonomy, code in ProductSet.objects.values_list("pk", "taxonomy_id", "code")
    }
    plan = Planner(load_units(), seed=seed, scale=scale, today=today, product_sets=product_sets).plan()

    with _fast_sqlite(), transaction.atomic():
        Producer.objects.bulk_create([p.row for p in plan.producers], batch_size=BATCH)
        Product.objects.bulk_create(plan.products, batch_size=BATCH)
        for layer in plan.recognition_layers:
            Recognition.objects.bulk_create(layer, batch_size=BATCH)
        Certification.objects.bulk_create(plan.certifications, batch_size=BATCH)
        IntellectualProperty.objects.bulk_create(plan.ip_rights, batch_size=BATCH)
        accounts = _create_accounts(plan)
        plan.summary["extensions"] = _populate_extensions(seed=seed, scale=scale, today=today)
        ReferenceDataset.objects.create(
            name=DATASET, version=f"seed={seed} scale={scale:g} on {today.isoformat()}"
        )
    plan.summary["accounts"] = accounts
    if connection.vendor == "postgresql":
        # Planner statistics for the tables just filled: without them (autovacuum may be off or
        # late) PostgreSQL scans whole tables for the catalogue's and dashboards' lookups.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return plan.summary


# Apps that add their own demo records on top of the registry (dossiers and councils, batches
# and events, points of sale, targets...): each has a module ``demo`` with
# ``populate(*, seed, scale, today) -> dict`` of printable figures ({"Vietnamese / English": n}).
EXTENSIONS = ["evaluation", "trace", "market", "monitoring"]


def _populate_extensions(*, seed: int, scale: float, today: date) -> dict:
    figures = {}
    for app in EXTENSIONS:
        path = f"ocop.{app}.demo"
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name in (path, f"ocop.{app}"):
                continue
            raise
        figures[app] = module.populate(seed=seed, scale=scale, today=today)
    return figures


# username, role, what it is granted
ACCOUNTS = [
    ("central", Role.CENTRAL),
    ("hanoi", Role.PROVINCE_OFFICER),
    ("tayninh", Role.PROVINCE_OFFICER),
    ("xa", Role.COMMUNE_OFFICER),
    ("hoidong", Role.COUNCIL_MEMBER),
    ("sanxuat", Role.PRODUCER),
]


def _create_accounts(plan) -> dict:
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once, shared by every account
    users = {
        # People's names, not titles: last_name holds the family and middle names, first_name
        # the given name, shown "Nguyễn Thu Hà". Roles and places are their grants.
        username: User(username=username, password=password, first_name=first, last_name=last)
        for (username, _role), (first, last) in zip(
            ACCOUNTS,
            [
                ("Hà", "Nguyễn Thu"),
                ("Dũng", "Trần Quốc"),
                ("Hùng", "Lê Văn"),
                ("Mai", "Phạm Thị"),
                ("Đức", "Võ Minh"),
                ("Bình", "Huỳnh Thị"),
            ],
            strict=True,
        )
    }
    User.objects.bulk_create(users.values())
    provinces = dict(
        Province.objects.current().filter(code__in=["01", SHOWCASE_PROVINCE]).values_list("code", "pk")
    )

    showcase = [p for p in plan.producers if p.place.province_code == SHOWCASE_PROVINCE]
    producers_per_commune: dict[int, int] = {}
    for planned in showcase:
        commune = planned.row.commune_id
        producers_per_commune[commune] = producers_per_commune.get(commune, 0) + 1
    commune_id = min(producers_per_commune, key=lambda pk: (-producers_per_commune[pk], pk))
    owner = min(showcase, key=lambda p: (-len(p.products), p.row.name)).row

    Grant.objects.bulk_create(
        [
            Grant(user=users["central"], role=Role.CENTRAL),
            Grant(user=users["hanoi"], role=Role.PROVINCE_OFFICER, province_id=provinces["01"]),
            Grant(
                user=users["tayninh"], role=Role.PROVINCE_OFFICER, province_id=provinces[SHOWCASE_PROVINCE]
            ),
            Grant(user=users["xa"], role=Role.COMMUNE_OFFICER, commune_id=commune_id),
        ]
    )
    ProducerMember.objects.create(producer=owner, user=users["sanxuat"])
    return {"commune_id": commune_id, "producer_id": owner.pk}


def demo_logins() -> list[Login]:
    """The demo accounts with their jurisdiction, read from the database."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    grants = {
        g.user.username: g
        for g in Grant.objects.filter(user__in=users.values()).select_related("user", "province", "commune")
    }
    result = []
    for username, role in ACCOUNTS:
        if username not in users:
            continue
        grant = grants.get(username)
        if role == Role.CENTRAL:
            where_vi, where_en = "Toàn quốc", "Nationwide"
        elif role == Role.PROVINCE_OFFICER and grant:
            where_vi = where_en = grant.province.name
        elif role == Role.COMMUNE_OFFICER and grant:
            commune = Commune.objects.select_related("province").get(pk=grant.commune_id)
            where_vi = where_en = f"{commune.name}, {commune.province.name}"
        elif role == Role.PRODUCER:
            producer = (
                Producer.objects.filter(memberships__user=users[username]).select_related("province").first()
            )
            where_vi = where_en = f"{producer.name} ({producer.province.name})" if producer else "—"
        else:
            councils = _councils_of(users[username])
            if councils:
                where_vi = where_en = "; ".join(councils)
            else:
                where_vi, where_en = "Chưa được phân công hội đồng nào", "Not yet assigned to a council"
        result.append(Login(username, ROLE_VI[role], ROLE_EN[role], where_vi, where_en))
    return result + _council_logins(exclude={login.username for login in result})


def _council_logins(exclude: set[str]) -> list[Login]:
    """The other accounts the cycle's demo seats on its councils (chair, members), so that every
    council account is printed."""
    from django.apps import apps

    if not apps.is_installed("ocop.evaluation"):
        return []
    Seat = apps.get_model("evaluation", "Seat")
    seats = Seat.objects.exclude(user__username__in=exclude).select_related("user", "council").order_by("pk")
    found: dict[str, Login] = {}
    for seat in seats:
        if seat.user.username not in found:
            with translation.override("vi"):
                role_vi = str(seat.get_role_display())
            with translation.override("en"):
                role_en = str(seat.get_role_display())
            found[seat.user.username] = Login(
                seat.user.username,
                f"{ROLE_VI[Role.COUNCIL_MEMBER]} ({role_vi.lower()})",
                f"{ROLE_EN[Role.COUNCIL_MEMBER]} ({role_en.lower()})",
                seat.council.name,
                seat.council.name,
            )
    return list(found.values())


def _councils_of(user) -> list[str]:
    """The councils a demo member sits on (the cycle's demo seats them), if that app is here."""
    from django.apps import apps

    if not apps.is_installed("ocop.evaluation"):
        return []
    Seat = apps.get_model("evaluation", "Seat")
    return sorted(set(Seat.objects.filter(user=user).values_list("council__name", flat=True)))


ROLE_VI = {
    Role.CENTRAL: "Văn phòng Điều phối Trung ương",
    Role.PROVINCE_OFFICER: "Cán bộ cấp tỉnh",
    Role.COMMUNE_OFFICER: "Cán bộ cấp xã",
    Role.COUNCIL_MEMBER: "Thành viên hội đồng",
    Role.PRODUCER: "Chủ thể OCOP",
}
ROLE_EN = {
    Role.CENTRAL: "Central coordination office",
    Role.PROVINCE_OFFICER: "Province officer",
    Role.COMMUNE_OFFICER: "Commune officer",
    Role.COUNCIL_MEMBER: "Council member",
    Role.PRODUCER: "Producer",
}
