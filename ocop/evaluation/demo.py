"""Demo records of the OCOP cycle, added by ``ocop demo`` after the registry and the accounts.

A current provincial round in Tây Ninh (the ``tayninh`` officer organises it) with a council on
which ``hoidong`` sits, and dossiers of the province's fresh-produce products at every stage: an
idea awaiting the commune, a draft of the ``sanxuat`` producer's, one submitted (the ``xa``
officer checks it), one forwarded to the province, the rest on the agenda of an open sitting
that ``hoidong`` has not scored yet — and two at the cycle's end, recognised by an issued decision
with their certificates. Written straight to the tables like the rest of the demo (the workflow
services are for people), except the end of the cycle, which goes through the services so that the
registry, the certificates and /verify/ agree; it adds no products, so the registry's figures stay
as the generator made them; deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from ocop.criteria import engine
from ocop.criteria import selectors as criteria_selectors
from ocop.criteria.models import CriteriaSet
from ocop.registry.models import Producer, Product

from . import process as processes
from .models import Assignment, Council, Dossier, DossierCheck, Evidence, Idea, Round, Seat, Sheet, Sitting

PROVINCE = "80"
SET = "148/I.1.a"
PASSWORD = "demo"
DOCUMENTS = ("registration_form", "business_registration", "food_safety", "quality_declaration")
EVIDENCE_FOR = ("1.a", "2.a", "5.b", "9.a", "10")
# A small well-formed PDF the demo evidence points at (one stored file, shared by its rows).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _answers(data, rng: random.Random, level: float) -> dict:
    """A plausible sheet: each criterion near ``level`` (0 lowest option .. 1 highest)."""
    answers = {}
    for criterion in data.criteria:
        ranked = sorted(criterion.blocks[0].options, key=lambda o: (o.points, o.position))
        index = round(level * (len(ranked) - 1) + rng.uniform(-0.8, 0.8))
        option = ranked[max(0, min(len(ranked) - 1, index))]
        answers[criterion.code] = (
            {"case": 1, "option": option.position} if criterion.has_cases else option.position
        )
    return answers


def populate(*, seed: int, scale: float, today: date) -> dict:
    rng = random.Random(seed * 7 + 5)
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["tayninh", "xa", "hoidong", "sanxuat"])}
    criteria_set = CriteriaSet.objects.filter(code=SET, is_current=True).select_related("product_set").first()
    showcase = (
        Producer.objects.filter(memberships__user=users.get("sanxuat")).select_related("province").first()
    )
    if (
        criteria_set is None
        or showcase is None
        or "tayninh" not in users
        or showcase.province.code != PROVINCE
    ):
        return {}
    province = showcase.province
    data = criteria_selectors.definition(criteria_set)
    tz = timezone.get_current_timezone()

    def at(day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=tz)

    # The province's fresh-produce products (the sheet in force is 148/I.1.a), the producer
    # account's and the commune officer's first, so each demo account has something to do.
    xa_commune = users["xa"].grants.values_list("commune_id", flat=True).first() if "xa" in users else None
    product_sets = {criteria_set.product_set_id} | set(
        criteria_set.product_set.mapped_from.values_list("pk", flat=True)
    )
    candidates = list(
        Product.objects.filter(producer__province=province, product_set_id__in=product_sets)
        .select_related("producer")
        .prefetch_related("recognitions")
        .order_by("pk")
    )
    rng.shuffle(candidates)
    candidates.sort(key=lambda p: (p.producer_id != showcase.pk, p.producer.commune_id != xa_commune))
    products = [p for p in candidates if not any(r.stars == 5 for r in p.recognitions.all())][:8]
    if not products:
        return {}

    tayninh, owner = users["tayninh"], users["sanxuat"]
    held_on = max(today - timedelta(days=10), processes.process_by_code("1489").effective_from)
    round_ = Round.objects.create(
        name=f"Đợt 2 năm {held_on.year} — Tây Ninh",
        level="province",
        province=province,
        held_on=held_on,
        process=processes.process_on(held_on).code,
        created_by=tayninh,
    )
    council = Council.objects.create(
        round=round_, name="Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Tây Ninh"
    )
    password = make_password(PASSWORD)
    # Two more members (kept when the demo is rebuilt without dropping accounts).
    chair, _created = User.objects.update_or_create(
        username="chutich", defaults={"password": password, "last_name": "Nguyễn Văn", "first_name": "Minh"}
    )
    second, _created = User.objects.update_or_create(
        username="thanhvien", defaults={"password": password, "last_name": "Trần Thị", "first_name": "Lan"}
    )
    seats = [
        Seat.objects.create(council=council, user=chair, role="chair", title="Phó Chủ tịch UBND tỉnh"),
        Seat.objects.create(
            council=council, user=users["hoidong"], role="member", title="Sở Nông nghiệp và Môi trường"
        ),
        Seat.objects.create(council=council, user=second, role="member", title="Sở Công Thương"),
        Seat.objects.create(
            council=council, user=tayninh, role="secretary", title="Văn phòng Điều phối NTM tỉnh"
        ),
    ]
    # Evidence is private: kept where the evidence field keeps it, read only through the gate.
    storage = Evidence._meta.get_field("file").storage
    evidence_file = "evaluation/evidence/demo-minh-chung.pdf"
    if not storage.exists(evidence_file):
        storage.save(evidence_file, ContentFile(PDF))

    def kind(product) -> str:
        recognitions = list(product.recognitions.all())
        if not recognitions:
            return "first"
        return "upgrade" if any(r.status_on(today) == "valid" for r in recognitions) else "rerating"

    def evidence(row, *, document="", criterion="") -> Evidence:
        return Evidence(
            dossier=row,
            document=document,
            criterion=criterion,
            file=evidence_file,
            original_name=f"{document or 'minh-chung-' + criterion}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            uploaded_by=owner,
            uploaded_at=at(today - timedelta(days=20)),
        )

    def dossier(product, status, answers, submitted_days_ago=None) -> Dossier:
        try:
            scored = engine.score(data, answers)
        except engine.AnswerError:
            scored = None
        row = Dossier.objects.create(
            product=product,
            round=round_,
            kind=kind(product),
            criteria_set=criteria_set,
            level="province",
            status=status,
            answers=answers,
            self_total=scored.total if scored else None,
            self_stars=scored.stars if scored else None,
            created_by=owner,
            submitted_at=at(today - timedelta(days=submitted_days_ago))
            if submitted_days_ago is not None
            else None,
        )
        documents = DOCUMENTS[:2] if status == "draft" else DOCUMENTS
        Evidence.objects.bulk_create(
            [evidence(row, document=d) for d in documents]
            + [evidence(row, criterion=c) for c in EVIDENCE_FOR]
        )
        if status not in ("draft", "submitted"):
            DossierCheck.objects.create(
                dossier=row,
                outcome="forwarded",
                findings={c: {"finding": "meets", "note": ""} for c in processes.LOCAL_CRITERIA},
                checked_by=users.get("xa"),
                checked_at=at(today - timedelta(days=5)),
            )
        return row

    Idea.objects.create(
        producer=showcase,
        name="Rượu mãng cầu Bà Đen",
        group="drinks",
        description="Rượu lên men từ mãng cầu của chủ thể, đóng chai thủy tinh, bán cho khách du lịch núi Bà Đen.",
        submitted_by=owner,
        submitted_at=at(today - timedelta(days=3)),
    )
    # The producer account's product is the draft; a product of the commune officer's commune
    # awaits the commune's check; the next one awaits the province; the rest are in the sitting.
    remaining = list(products)

    def take(prefer) -> Product | None:
        chosen = next((p for p in remaining if prefer(p)), remaining[0] if remaining else None)
        if chosen is not None:
            remaining.remove(chosen)
        return chosen

    draft = take(lambda p: p.producer_id == showcase.pk)
    dossier(draft, "draft", dict(list(_answers(data, rng, 0.6).items())[:18]))
    submitted = take(lambda p: p.producer.commune_id == xa_commune)
    if submitted is not None:
        dossier(submitted, "submitted", _answers(data, rng, 0.55), submitted_days_ago=4)
        if submitted.producer.commune_id != xa_commune and "xa" in users:
            # No product of xa's commune is scored on the sheet in force: xa serves the commune of
            # the dossier awaiting its check, so the commune officer's demo has work to do.
            users["xa"].grants.filter(commune__isnull=False).update(commune_id=submitted.producer.commune_id)
    decided = [take(lambda p: True), take(lambda p: True)]
    awaiting = take(lambda p: True)
    if awaiting is not None:
        dossier(awaiting, "forwarded", _answers(data, rng, 0.6), submitted_days_ago=8)
    stages = iter(remaining)
    # An open sitting today: the chair and the second member have scored; hoidong has not.
    sitting = Sitting.objects.create(
        council=council,
        held_on=today,
        place="Hội trường UBND tỉnh Tây Ninh",
        status="open",
        opened_by=tayninh,
        opened_at=at(today, 8),
    )
    for position, (product, level) in enumerate(zip(stages, (0.55, 0.7, 0.85), strict=False), start=1):
        row = dossier(product, "in_sitting", _answers(data, rng, level), submitted_days_ago=12)
        assignment = Assignment.objects.create(sitting=sitting, dossier=row, position=position)
        for seat in (seats[0], seats[2]):
            answers = _answers(data, rng, level)
            result = engine.score(data, answers)
            Sheet.objects.create(
                assignment=assignment,
                seat=seat,
                answers=answers,
                total=result.total,
                stars=result.stars,
                status="submitted",
                submitted_at=at(today, 10),
            )
    certificates = _decide(
        [p for p in decided if p is not None],
        dossier=dossier,
        council=council,
        scorers=[chair, users["hoidong"], second],
        officer=tayninh,
        answers=lambda: _answers(data, rng, 0.75),
        today=today,
    )
    return {
        "Đợt đánh giá / Evaluation rounds": 1,
        "Giấy chứng nhận đã cấp / Certificates issued": certificates,
        "Hồ sơ OCOP / Dossiers": Dossier.objects.filter(round=round_).count(),
        "Hồ sơ trong phiên họp đang mở / Dossiers in the open sitting": sitting.assignments.count(),
        "Phiếu đánh giá / Scoring sheets": Sheet.objects.filter(assignment__sitting=sitting).count(),
    }


def _decide(products, *, dossier, council, scorers, officer, answers, today: date) -> int:
    """The end of the cycle for ``products``: a sitting held a week ago where every member scored
    them, closed, and a recognition decision issued with a certificate each — through the cycle's
    own services (a few records), so the registry, the certificates and /verify/ agree."""
    from . import services

    if not products:
        return 0
    sitting = services.sitting_create(
        user=officer,
        council=council,
        held_on=today - timedelta(days=7),
        place="Hội trường UBND tỉnh Tây Ninh",
    )
    assignments = [
        services.assignment_add(
            user=officer,
            sitting=sitting,
            dossier=dossier(product, "forwarded", answers(), submitted_days_ago=20),
        )
        for product in products
    ]
    services.sitting_open(user=officer, sitting=sitting)
    for assignment in assignments:
        given = answers()  # one view of the product: the members' totals stay within the council's spread
        for member in scorers:
            services.sheet_save(user=member, assignment=assignment, answers=given, replace=True)
            services.sheet_submit(user=member, assignment=assignment)
    services.sitting_close(user=officer, sitting=sitting)
    decision = services.decision_create(
        user=officer,
        round=council.round,
        number=f"{today.timetuple().tm_yday}/QĐ-UBND",
        signed_on=today - timedelta(days=2),
        signer="Phó Chủ tịch UBND tỉnh Tây Ninh",
    )
    decision, _job = services.decision_issue(user=officer, decision=decision)
    return sum(1 for item in decision.items.all() if item.recognition_id)
