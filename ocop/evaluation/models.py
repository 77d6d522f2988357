"""The OCOP cycle: ideas and plans, dossiers with evidence per criterion, the commune check,
rounds, councils and their sittings, members' scoring sheets, decisions, certificates, notices.

Statuses change only through the services (:mod:`ocop.evaluation.services`); the database holds
the invariants it can (one open dossier per product, one sheet per member per dossier and
attempt, a frozen sheet never changes — a trigger refuses it, see migration 0002).
"""

from __future__ import annotations

import secrets
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.criteria.council import CouncilRules
from ocop.geo.fields import optional_unit
from ocop.registry.choices import ProductGroup
from ocop.storage import private_storage

from . import process as processes
from .choices import (
    EDITABLE_DOSSIER_STATUSES,
    OPEN_DOSSIER_STATUSES,
    CheckOutcome,
    DecisionStatus,
    DocumentKind,
    DossierKind,
    DossierStatus,
    Finding,
    IdeaStatus,
    Level,
    LocalCriterion,
    MarkerBasis,
    ReviewOutcome,
    RevocationGround,
    Rounding,
    RoundStatus,
    SeatRole,
    SheetStatus,
    SittingStatus,
)

USER = settings.AUTH_USER_MODEL


def _private_name(prefix: str, filename: str) -> str:
    """Uploads get a random name: nobody can guess the address of a file, and files are served
    only through views that ask the permission gate (never through /media/)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if not suffix.isalnum() or len(suffix) > 5:
        suffix = "bin"
    return f"evaluation/{prefix}/{secrets.token_urlsafe(18)}.{suffix}"


def evidence_path(instance, filename):
    return _private_name("evidence", filename)


def plan_path(instance, filename):
    return _private_name("plans", filename)


def certificate_path(instance, filename):
    return _private_name("certificates", filename)


# ---------------------------------------------------------------------------------------------
# Ideas and business plans
# ---------------------------------------------------------------------------------------------


def _producer_scope(path: str = "", **more) -> Scope:
    """The scope of rows that belong where their producer is (``path`` leads to the record that
    has the producer): its province's and commune's officers, and the producer's members."""
    return Scope(
        province=f"{path}producer__province",
        commune=f"{path}producer__commune",
        owner=f"{path}producer__members",
        **more,
    )


PRODUCER_SCOPE = _producer_scope()


class Idea(models.Model):
    """A product idea registered by a producer (new product, or an existing one to develop),
    accepted or returned by the commune, then followed by a business plan."""

    producer = models.ForeignKey(
        "registry.Producer", on_delete=models.PROTECT, related_name="ocop_ideas", verbose_name=_("producer")
    )
    product = models.ForeignKey(
        "registry.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ocop_ideas",
        verbose_name=_("product"),
    )
    is_new_product = models.BooleanField(_("new product"), default=True)
    name = models.CharField(_("product name"), max_length=250)
    group = models.CharField(_("product group"), max_length=20, choices=ProductGroup.choices)
    description = models.TextField(_("the idea"))
    status = models.CharField(
        _("status"), max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    plan_summary = models.TextField(_("business plan summary"), blank=True)
    plan_file = models.FileField(
        _("business plan"), upload_to=plan_path, storage=private_storage, max_length=200, blank=True
    )
    plan_name = models.CharField(max_length=200, blank=True)
    plan_filed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan_filed_at = models.DateTimeField(_("plan filed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = PRODUCER_SCOPE

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IdeaStatus.values), name="evaluation_idea_status"),
            models.CheckConstraint(
                condition=Q(is_new_product=True) | Q(product__isnull=False),
                name="evaluation_idea_existing_product",
            ),
        ]
        verbose_name = _("product idea")
        verbose_name_plural = _("product ideas")

    def __str__(self):
        return self.name


class IdeaReview(models.Model):
    """The commune's answer to an idea: accepted, or returned with the reason."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField()

    scope = _producer_scope("idea__")

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=ReviewOutcome.ACCEPTED) | ~Q(reason=""),
                name="evaluation_review_return_reason",
            )
        ]
        verbose_name = _("idea review")
        verbose_name_plural = _("idea reviews")

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.reviewed_at:%d/%m/%Y})"


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


class Round(models.Model):
    """An evaluation round (đợt đánh giá) at one level: a province's, or the central one.

    Its date chooses the process in force (:mod:`ocop.evaluation.process`), stored as a code."""

    name = models.CharField(_("name"), max_length=150)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = optional_unit("geo.Province", _("province"))
    held_on = models.DateField(_("date of the round"))
    process = models.CharField(_("process"), max_length=10, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(province="province", council="councils__seats__user")

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=Level.CENTRAL, province__isnull=True)
                | (~Q(level=Level.CENTRAL) & Q(province__isnull=False)),
                name="evaluation_round_central_has_no_province",
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="evaluation_round_level"),
        ]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")

    def __str__(self):
        return self.name

    @property
    def rules(self) -> processes.Process:
        return processes.process_by_code(self.process)

    @property
    def level_rule(self) -> processes.LevelRule:
        return self.rules.level(self.level)


# ---------------------------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------------------------


class Dossier(models.Model):
    """A product's dossier (hồ sơ) for one evaluation: first rating, upgrade or re-rating.

    It enters at the first level of its round's process and may be proposed upwards; ``level``
    is where it is now. The self-assessment is scored on ``criteria_set`` (which this locks)."""

    product = models.ForeignKey(
        "registry.Product", on_delete=models.PROTECT, related_name="ocop_dossiers", verbose_name=_("product")
    )
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("round")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DossierKind.choices)
    # Empty only on a draft whose product set has no criteria set in force yet: the producer
    # prepares it meanwhile, and it gets the set once one is in force (it cannot be submitted before).
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criteria set"),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous dossier"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    # The producer's self-assessment: criterion code -> option (as the engine reads it), and the
    # yes/no checks ticked; the total and stars once every criterion is answered.
    answers = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    self_total = models.PositiveSmallIntegerField(_("self-assessed score"), null=True, blank=True)
    self_stars = models.PositiveSmallIntegerField(_("self-assessed stars"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    scope = _producer_scope("product__", council="assignments__sitting__council__seats__user")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status__in=OPEN_DOSSIER_STATUSES),
                name="evaluation_one_open_dossier_per_product",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DossierStatus.values), name="evaluation_dossier_status"
            ),
            models.CheckConstraint(
                condition=Q(self_total__isnull=True) | Q(self_total__lte=100),
                name="evaluation_dossier_self_total",
            ),
            models.CheckConstraint(
                condition=Q(criteria_set__isnull=False) | Q(status=DossierStatus.DRAFT),
                name="evaluation_dossier_sheet_unless_draft",
            ),
        ]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def __str__(self):
        return f"{self.product} — {self.get_kind_display()} ({self.round})"

    @property
    def rules(self) -> processes.Process:
        return self.round.rules

    @property
    def editable(self) -> bool:
        """Whether the producer may still change the dossier (answers, evidence) and submit it:
        while it is a draft, or after the commune returned it."""
        return self.status in EDITABLE_DOSSIER_STATUSES


class CriteriaGap(models.Model):
    """A product set without a criteria set in force, made known to a province's officers once:
    a producer of the province opened (or tried to open) a dossier for a product of that set."""

    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    product_set = models.ForeignKey(
        "registry.ProductSet", on_delete=models.PROTECT, related_name="+", verbose_name=_("product set")
    )
    product = models.ForeignKey(
        "registry.Product",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("first product"),
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    scope = Scope(province="province")

    class Meta:
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["province", "product_set"], name="evaluation_criteria_gap_once"),
        ]
        verbose_name = _("product set without criteria")
        verbose_name_plural = _("product sets without criteria")

    def __str__(self):
        return f"{self.product_set} — {self.province_id}"


class Evidence(models.Model):
    """A file in a dossier: evidence for one criterion, or one of the fixed documents.

    Files carried over from a previous dossier are new rows pointing at the same stored file
    (``carried_from``); replacing one adds a new file and leaves the previous dossier intact."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.CharField(_("criterion"), max_length=20, blank=True)
    document = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices, blank=True)
    file = models.FileField(upload_to=evidence_path, storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried over from"),
    )
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField()

    scope = _producer_scope(
        "dossier__product__", council="dossier__assignments__sitting__council__seats__user"
    )

    class Meta:
        ordering = ["document", "criterion", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(criterion="") & ~Q(document="")) | (~Q(criterion="") & Q(document="")),
                name="evaluation_evidence_one_slot",
            )
        ]
        indexes = [models.Index(fields=["dossier", "criterion"], name="evaluation_evidence_slot")]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name

    @property
    def slot(self) -> str:
        return f"c:{self.criterion}" if self.criterion else f"d:{self.document}"


class DossierCheck(models.Model):
    """The commune's check of a submitted dossier: returned for correction (with the reasons),
    or forwarded to the province with the commune's assessment of the local criteria."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="commune_checks")
    outcome = models.CharField(_("outcome"), max_length=10, choices=CheckOutcome.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    # local criterion code -> {"finding": Finding, "note": str}
    findings = models.JSONField(_("assessment of the local criteria"), default=dict, blank=True)
    checked_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    checked_at = models.DateTimeField()

    scope = _producer_scope(
        "dossier__product__", council="dossier__assignments__sitting__council__seats__user"
    )

    class Meta:
        ordering = ["checked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=CheckOutcome.RETURNED) | ~Q(reasons=""),
                name="evaluation_check_return_reasons",
            )
        ]
        verbose_name = _("commune check")
        verbose_name_plural = _("commune checks")

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.checked_at:%d/%m/%Y})"

    def findings_shown(self) -> list[tuple[str, str, str]]:
        """(local criterion, finding, note) as people read them: labels, never the stored codes."""
        return [
            (
                LocalCriterion(code).label if code in LocalCriterion.values else code,
                Finding(item.get("finding")).label if item.get("finding") in Finding.values else "",
                item.get("note") or "",
            )
            for code, item in self.findings.items()
        ]


# ---------------------------------------------------------------------------------------------
# Councils and sittings
# ---------------------------------------------------------------------------------------------


class Council(models.Model):
    """A council (hội đồng) of a round, with its own rules (quy chế) as configuration."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="councils", verbose_name=_("round")
    )
    name = models.CharField(_("name"), max_length=200)
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum (numerator)"), default=3)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum (denominator)"), default=4)
    chair_required = models.BooleanField(_("the chair must score"), default=True)
    max_spread = models.DecimalField(
        _("largest spread between members (points)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=10,
    )
    decimals = models.PositiveSmallIntegerField(_("decimals of the mean"), default=2)
    rounding = models.CharField(
        _("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP
    )
    band_on_rounded = models.BooleanField(_("read the band from the rounded mean"), default=False)
    marker_basis = models.CharField(
        _("star markers are met by"), max_length=12, choices=MarkerBasis.choices, default=MarkerBasis.MEAN
    )
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(province="round__province", council="seats__user")

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_numerator__gte=1, quorum_denominator__gte=1)
                & Q(quorum_numerator__lte=F("quorum_denominator")),
                name="evaluation_council_quorum_share",
            ),
            models.CheckConstraint(
                condition=Q(max_spread__isnull=True) | Q(max_spread__gte=0), name="evaluation_council_spread"
            ),
            models.CheckConstraint(condition=Q(decimals__lte=4), name="evaluation_council_decimals"),
        ]
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self):
        return self.name

    def rules(self) -> CouncilRules:
        return CouncilRules(
            quorum=Fraction(self.quorum_numerator, self.quorum_denominator),
            chair_required=self.chair_required,
            max_spread=self.max_spread,
            decimals=self.decimals,
            rounding=self.rounding,
            band_on_rounded=self.band_on_rounded,
            marker_basis=self.marker_basis,
        )


class Seat(models.Model):
    """A person on a council: chair, member, secretary or advisory team. Chair and members score."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="ocop_seats", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=SeatRole.choices)
    title = models.CharField(_("position"), max_length=200, blank=True)

    scope = Scope(province="council__round__province", council="council__seats__user")

    class Meta:
        ordering = ["council", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="evaluation_seat_once"),
            models.UniqueConstraint(
                fields=["council"], condition=Q(role=SeatRole.CHAIR), name="evaluation_one_chair"
            ),
        ]
        verbose_name = _("council seat")
        verbose_name_plural = _("council seats")

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        return self.user.display_name

    @property
    def scores(self) -> bool:
        return self.role in (SeatRole.CHAIR, SeatRole.MEMBER)


class Sitting(models.Model):
    """A sitting (phiên họp) of a council: dossiers are assigned, members score while it is open,
    and closing it freezes every sheet and reveals them to the council (``revealed_to``)."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="sittings", verbose_name=_("council")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SittingStatus.choices, default=SittingStatus.PLANNED
    )
    opened_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when the sitting closes, to its own council: sheets reach the council's members and the
    # province through this path only, so before closing no member can read another's sheet.
    revealed_to = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope = Scope(province="council__round__province", council="council__seats__user")

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=SittingStatus.CLOSED) & Q(revealed_to=F("council")) & Q(closed_at__isnull=False)
                )
                | (~Q(status=SittingStatus.CLOSED) & Q(revealed_to__isnull=True)),
                name="evaluation_sitting_revealed_when_closed",
            ),
        ]
        verbose_name = _("council sitting")
        verbose_name_plural = _("council sittings")

    def __str__(self):
        return f"{self.council} — {self.held_on:%d/%m/%Y}"


class Assignment(models.Model):
    """A dossier on a sitting's agenda, with the council's result once the sitting closes.

    ``attempt`` counts scoring rounds: when members' totals are too far apart the organiser
    starts another, and members score again (the earlier sheets stay, frozen)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="assignments")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveSmallIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(_("scoring round"), default=1)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    band_stars = models.PositiveSmallIntegerField(null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    final = models.BooleanField(_("final result"), null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    scope = Scope(
        province="sitting__council__round__province",
        owner="dossier__product__producer__members",
        council="sitting__council__seats__user",
    )

    class Meta:
        ordering = ["sitting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "dossier"], name="evaluation_assignment_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="evaluation_assignment_score",
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="evaluation_assignment_attempt"),
        ]
        verbose_name = _("dossier in a sitting")
        verbose_name_plural = _("dossiers in sittings")

    def __str__(self):
        return f"{self.dossier.product} @ {self.sitting}"


class Recusal(models.Model):
    """A member's declared conflict of interest: they do not score this dossier."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="recusals")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="recusals")
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField()

    scope = Scope(
        province="assignment__sitting__council__round__province",
        owner="seat__user",
        council="assignment__sitting__council__seats__user",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "seat"], name="evaluation_recusal_once")]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")

    def __str__(self):
        return self.reason


class Sheet(models.Model):
    """One member's scoring sheet (phiếu đánh giá) for one dossier in one scoring round.

    Before its sitting closes only the member reaches it (``owner``); afterwards the council and
    the province do, through the sitting's ``revealed_to``. Frozen sheets never change: the
    services refuse, and a database trigger refuses any UPDATE of a frozen row."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="sheets")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="sheets")
    attempt = models.PositiveSmallIntegerField(default=1)
    answers = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    frozen = models.BooleanField(_("frozen"), default=False)
    frozen_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        province="assignment__sitting__revealed_to__round__province",
        owner="seat__user",
        council="assignment__sitting__revealed_to__seats__user",
    )

    class Meta:
        ordering = ["assignment", "attempt", "seat"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "seat", "attempt"], name="evaluation_one_sheet_per_member"
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__lte=100), name="evaluation_sheet_total"
            ),
            models.CheckConstraint(
                condition=Q(frozen=False) | Q(frozen_at__isnull=False), name="evaluation_sheet_frozen_at"
            ),
            models.CheckConstraint(
                condition=~Q(status=SheetStatus.SUBMITTED)
                | Q(total__isnull=False, submitted_at__isnull=False),
                name="evaluation_sheet_submitted_complete",
            ),
        ]
        verbose_name = _("scoring sheet")
        verbose_name_plural = _("scoring sheets")

    def __str__(self):
        return f"{self.seat} — {self.assignment}"


# ---------------------------------------------------------------------------------------------
# Decisions and certificates
# ---------------------------------------------------------------------------------------------


class Decision(models.Model):
    """A recognition decision (quyết định công nhận): number, date, signer, products with stars.
    Issuing it records the registry recognitions and one certificate per product."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("round")
    )
    number = models.CharField(_("decision number"), max_length=80)
    signed_on = models.DateField(_("signed on"))
    signer = models.CharField(_("signed by"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope = Scope(province="round__province")

    class Meta:
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="evaluation_decision_number"),
        ]
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")

    def __str__(self):
        return self.number


class DecisionItem(models.Model):
    """One product of a decision: its stars (none when not recognised at this level) and whether
    it is proposed to the next level."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="decision_items")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    forward_to = models.CharField(_("proposed to"), max_length=10, choices=Level.choices, blank=True)
    recognition = models.ForeignKey(
        "registry.Recognition", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope = _producer_scope("dossier__product__")

    class Meta:
        ordering = ["decision", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "dossier"], name="evaluation_item_once"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="evaluation_item_stars"
            ),
        ]
        verbose_name = _("product of a decision")
        verbose_name_plural = _("products of decisions")

    def __str__(self):
        return f"{self.decision} — {self.dossier_id}"


def _verification_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """The certificate (giấy chứng nhận) of one product of a decision. Its QR code opens the
    public verification page, which reads the live status of the registry recognition."""

    item = models.OneToOneField(DecisionItem, on_delete=models.PROTECT, related_name="certificate")
    recognition = models.ForeignKey(
        "registry.Recognition", on_delete=models.PROTECT, related_name="ocop_certificates"
    )
    number = models.CharField(_("certificate number"), max_length=100, unique=True)
    code = models.CharField(max_length=40, unique=True, default=_verification_code, editable=False)
    issued_on = models.DateField(_("issued on"))
    file = models.FileField(upload_to=certificate_path, storage=private_storage, max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Anyone may verify a certificate: that is what its QR code is for.
    scope = _producer_scope("recognition__product__", public=Q)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return self.number


class Revocation(models.Model):
    """The grounds and the decision behind a revoked recognition (the registry holds the date)."""

    recognition = models.OneToOneField(
        "registry.Recognition", on_delete=models.PROTECT, related_name="ocop_revocation"
    )
    ground = models.CharField(_("ground"), max_length=20, choices=RevocationGround.choices)
    details = models.TextField(_("details"), blank=True)
    decision_no = models.CharField(_("revocation decision number"), max_length=80)
    decided_on = models.DateField(_("decided on"))
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = _producer_scope("recognition__product__")

    class Meta:
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")

    def __str__(self):
        return self.decision_no


class ExpiryNotice(models.Model):
    """A notice that a recognition expires soon, sent once to the producer and the province.

    Rows are created by ``ocop send_expiry_notices`` and claimed with a conditional update, so
    two runs at once never send the same notice twice."""

    recognition = models.ForeignKey(
        "registry.Recognition", on_delete=models.CASCADE, related_name="ocop_expiry_notices"
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    due_on = models.DateField(_("due on"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = _producer_scope("recognition__product__")

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recognition", "days_before"], name="evaluation_notice_once"),
        ]
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="evaluation_notice_pending")]
        verbose_name = _("expiry notice")
        verbose_name_plural = _("expiry notices")

    def __str__(self):
        return f"{self.recognition_id} −{self.days_before}d"
