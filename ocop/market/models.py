"""The catalogue and trade promotion: the search index of public products, supply capacity,
points of sale and what they stock, sales channels, buyer enquiries, fairs and events."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.concurrency import Versioned, VersionedQuerySet
from ocop.geo.fields import optional_unit

from . import hours
from .choices import (
    BuyerKind,
    CapacityPeriod,
    ChannelKind,
    EnquiryStatus,
    FairKind,
    PointKind,
    Side,
    Unit,
)

# ---------------------------------------------------------------------------------------------
# The catalogue's index
# ---------------------------------------------------------------------------------------------


class CatalogueEntry(models.Model):
    """One public product as the catalogue searches, filters and orders it.

    A product is in the catalogue once it has been recognised (the registry's public rule), so
    every entry is public. The text columns are folded copies of the product's names, its
    producer's name, its places (current and before 1 July 2025) and its classification; the
    recognition columns say which stars are valid between which days. Both are maintained by
    :func:`ocop.market.services.catalogue_refresh` from the registry's ``updated_at`` stamps
    and a fingerprint of the recognitions, never by signals. Pages show a product's status and
    stars from its recognitions themselves, so a stale entry can misplace a product in the
    order for a few seconds but never show stars that are not valid.
    """

    product = models.OneToOneField(
        "registry.Product", on_delete=models.CASCADE, primary_key=True, related_name="catalogue_entry"
    )
    producer = models.ForeignKey("registry.Producer", on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, null=True, related_name="+")
    group = models.CharField(max_length=20)
    producer_kind = models.CharField(max_length=20)
    product_set = models.ForeignKey(
        "registry.ProductSet", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Shown on catalogue cards as they are, so that a list needs no query per product.
    name_vi = models.CharField(max_length=250)
    name_en = models.CharField(max_length=250, blank=True)
    producer_name = models.CharField(max_length=250)
    sort_name = models.CharField(max_length=250)
    names = models.TextField()  # folded Vietnamese and English names
    document = models.TextField()  # every folded word the product is found by
    valid_stars = models.PositiveSmallIntegerField(default=0)  # 0: none in force
    valid_from = models.DateField(null=True)
    valid_to = models.DateField(null=True)
    status = models.CharField(max_length=12)
    last_recognised_on = models.DateField(null=True)
    product_stamp = models.DateTimeField()
    producer_stamp = models.DateTimeField()

    scope = Scope(public=Q)

    class Meta:
        indexes = [
            models.Index(fields=["-valid_stars", "sort_name", "product"], name="market_entry_stars"),
            models.Index(fields=["sort_name", "product"], name="market_entry_name"),
            models.Index(fields=["-last_recognised_on", "product"], name="market_entry_newest"),
            models.Index(fields=["province", "group"], name="market_entry_province"),
            models.Index(fields=["valid_to", "valid_from"], name="market_entry_validity"),
        ]
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")

    def __str__(self):
        return self.sort_name

    def is_valid_on(self, day: date) -> bool:
        return bool(self.valid_from and self.valid_to and self.valid_from <= day <= self.valid_to)


class CatalogueState(models.Model):
    """The one row saying when the index was last brought up to date, and against what."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    day = models.DateField(null=True)
    fingerprint = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"catalogue v{self.version} ({self.day})"


class SearchTerm(models.Model):
    """A word of the catalogue's documents, with the number of products using it: the
    vocabulary misspelt queries are corrected against."""

    term = models.CharField(max_length=80, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.term


# Records attached to a product belong where the product does, and are public with it.
PRODUCT_SCOPE = Scope(
    province="product__producer__province",
    commune="product__producer__commune",
    owner="product__producer__members",
    public=lambda: Q(product__recognitions__isnull=False),
)

# ---------------------------------------------------------------------------------------------
# Supply capacity
# ---------------------------------------------------------------------------------------------


class SupplyCapacity(Versioned):
    """What a buyer needs to know before asking: how much, from how little, how soon."""

    product = models.OneToOneField(
        "registry.Product", on_delete=models.CASCADE, primary_key=True, related_name="supply"
    )
    volume = models.DecimalField(
        _("volume"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    volume_unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    period = models.CharField(
        _("per"), max_length=10, choices=CapacityPeriod.choices, default=CapacityPeriod.SEASON
    )
    season_from_month = models.PositiveSmallIntegerField(
        _("season starts (month)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    season_to_month = models.PositiveSmallIntegerField(
        _("season ends (month)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    minimum_order = models.DecimalField(
        _("minimum order"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    minimum_order_unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), null=True, blank=True)
    export_ready = models.BooleanField(_("ready to export"), default=False)
    accepts_enquiries = models.BooleanField(_("accepts buyer enquiries"), default=True)
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()
    scope = PRODUCT_SCOPE

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(season_from_month__isnull=True, season_to_month__isnull=True)
                | Q(
                    season_from_month__gte=1,
                    season_from_month__lte=12,
                    season_to_month__gte=1,
                    season_to_month__lte=12,
                ),
                name="market_supply_season_months",
            ),
            models.CheckConstraint(
                condition=Q(volume__isnull=True) | Q(volume__gte=0), name="market_supply_volume"
            ),
            models.CheckConstraint(
                condition=Q(minimum_order__isnull=True) | Q(minimum_order__gte=0),
                name="market_supply_minimum_order",
            ),
        ]
        verbose_name = _("supply capacity")
        verbose_name_plural = _("supply capacities")

    def __str__(self):
        return f"{self.product_id}: {self.volume} {self.volume_unit}"

    @property
    def year_round(self) -> bool:
        return self.season_from_month is None

    def is_empty(self) -> bool:
        return self.volume is None and self.minimum_order is None and self.lead_time_days is None


# ---------------------------------------------------------------------------------------------
# Points of sale
# ---------------------------------------------------------------------------------------------


class PointOfSale(Versioned):
    """An OCOP introduction and sales point, a supermarket or a shop selling OCOP products."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PointKind.choices)
    operator = models.CharField(_("run by"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    commune = optional_unit("geo.Commune", _("commune"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    opening_hours = models.JSONField(_("opening hours"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()
    scope = Scope(province="province", commune="commune", public=Q)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["province", "kind"], name="market_point_province"),
            models.Index(fields=["updated_at"], name="market_point_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="market_point_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="market_point_dates",
            ),
        ]
        verbose_name = _("point of sale")
        verbose_name_plural = _("points of sale")

    def __str__(self):
        return self.name

    def is_open_on(self, day: date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (
            self.closed_on is None or self.closed_on > day
        )

    @property
    def opening_rules(self) -> list[hours.Rule]:
        return hours.from_json(self.opening_hours)

    def versioned_values(self):
        # The edit form holds the opening hours as text (hours_text): fingerprint what it shows.
        values = super().versioned_values()
        values["hours_text"] = hours.to_text(self.opening_rules)
        del values["opening_hours"]
        return values

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return float(self.latitude), float(self.longitude)


class Stock(models.Model):
    """A product a point of sale carries."""

    point = models.ForeignKey(PointOfSale, on_delete=models.CASCADE, related_name="stock")
    product = models.ForeignKey("registry.Product", on_delete=models.CASCADE, related_name="stocked_at")
    since = models.DateField(_("stocked since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(province="point__province", commune="point__commune", public=Q)

    class Meta:
        ordering = ["point", "pk"]
        constraints = [models.UniqueConstraint(fields=["point", "product"], name="market_stock_unique")]
        verbose_name = _("stocked product")
        verbose_name_plural = _("stocked products")

    def __str__(self):
        return f"{self.product_id} @ {self.point_id}"


# ---------------------------------------------------------------------------------------------
# Sales channels
# ---------------------------------------------------------------------------------------------


class SalesChannelQuerySet(models.QuerySet):
    def active_on(self, day: date):
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class SalesChannel(models.Model):
    """Where a producer sells: a supermarket chain, an online shop, livestreams, an export
    market. Without a product it covers all the producer's products."""

    producer = models.ForeignKey("registry.Producer", on_delete=models.CASCADE, related_name="sales_channels")
    product = models.ForeignKey(
        "registry.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_channels",
        verbose_name=_("product"),
    )
    kind = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    partner = models.CharField(
        _("partner or market"),
        max_length=120,
        help_text=_("The chain, the marketplace or the country: Co.opmart, Shopee, Japan…"),
    )
    url = models.URLField(_("link"), blank=True)
    country = models.CharField(
        _("country code"), max_length=2, blank=True, help_text=_("For export markets: JP, KR, US…")
    )
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SalesChannelQuerySet.as_manager()
    scope = Scope(
        province="producer__province", commune="producer__commune", owner="producer__members", public=Q
    )

    class Meta:
        ordering = ["kind", "partner", "pk"]
        indexes = [models.Index(fields=["kind", "started_on"], name="market_channel_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="market_channel_dates",
            )
        ]
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.partner}"

    def is_active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


# ---------------------------------------------------------------------------------------------
# Buyer enquiries
# ---------------------------------------------------------------------------------------------


class Enquiry(models.Model):
    """A buyer asking a producer for a quote. The buyer has no account: they follow a signed
    link sent to their e-mail. Their e-mail is kept to send that link and notices, and is shown
    to nobody; the producer's contacts are never shown to the buyer. Replies go through here."""

    producer = models.ForeignKey("registry.Producer", on_delete=models.CASCADE, related_name="enquiries")
    product = models.ForeignKey(
        "registry.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="enquiries"
    )
    buyer_kind = models.CharField(_("type of buyer"), max_length=20, choices=BuyerKind.choices)
    buyer_organisation = models.CharField(_("company or organisation"), max_length=200)
    buyer_name = models.CharField(_("your name"), max_length=120)
    buyer_email = models.EmailField(_("your e-mail"))
    destination = models.CharField(_("deliver to"), max_length=120, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    wanted_until = models.DateField(_("wanted until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN
    )
    language = models.CharField(max_length=8, default="vi")  # of the buyer's notices
    # A secret of the buyer's link: signed with the site's key, checked against this column,
    # so that neither a copy of the database nor the key alone opens a thread.
    key = models.CharField(max_length=40, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(owner="producer__members")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["producer", "status"], name="market_enquiry_producer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(wanted_until__isnull=True)
                | Q(wanted_from__isnull=True)
                | Q(wanted_until__gte=models.F("wanted_from")),
                name="market_enquiry_dates",
            )
        ]
        verbose_name = _("buyer enquiry")
        verbose_name_plural = _("buyer enquiries")

    def __str__(self):
        return f"{self.buyer_organisation} → {self.producer_id}"


class EnquiryMessage(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(owner="enquiry__producer__members")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.side} @ {self.enquiry_id}"


# ---------------------------------------------------------------------------------------------
# Fairs and events
# ---------------------------------------------------------------------------------------------


def _published_fairs() -> Q:
    return Q(is_published=True)


class Fair(Versioned):
    """A fair, festival or trade event where producers show their products."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FairKind.choices, default=FairKind.FAIR)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    organiser = models.CharField(_("organised by"), max_length=200, blank=True)
    # Who manages the record: that province's officers, or the central office when empty.
    organiser_province = optional_unit("geo.Province", _("managed by the province"))
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()
    scope = Scope(province="organiser_province", public=_published_fairs)

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="market_fair_dates")
        ]
        verbose_name = _("fair or event")
        verbose_name_plural = _("fairs and events")

    def __str__(self):
        return self.name

    def is_over_on(self, day: date) -> bool:
        return self.ends_on < day


class FairParticipant(models.Model):
    """A producer at a fair: their booth, the products shown, and the sales they report after."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="participants")
    producer = models.ForeignKey(
        "registry.Producer", on_delete=models.CASCADE, related_name="fair_participations"
    )
    booth = models.CharField(_("booth"), max_length=20, blank=True)
    products = models.ManyToManyField("registry.Product", blank=True, related_name="+")
    sales_vnd = models.DecimalField(
        _("sales (VND)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contracts = models.PositiveIntegerField(_("contracts or orders signed"), null=True, blank=True)
    sales_note = models.CharField(_("note"), max_length=300, blank=True)
    sales_reported_at = models.DateTimeField(null=True, blank=True)
    sales_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        province="fair__organiser_province",
        owner="producer__members",
        public=lambda: Q(fair__is_published=True),
    )

    class Meta:
        ordering = ["booth", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "producer"], name="market_participant_unique"),
            models.UniqueConstraint(
                fields=["fair", "booth"], condition=~Q(booth=""), name="market_participant_booth"
            ),
            models.CheckConstraint(
                condition=Q(sales_vnd__isnull=True) | Q(sales_vnd__gte=0), name="market_participant_sales"
            ),
        ]
        verbose_name = _("fair participant")
        verbose_name_plural = _("fair participants")

    def __str__(self):
        return f"{self.producer_id} @ {self.fair_id}"
