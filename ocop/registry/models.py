"""The registry: producers (chủ thể), their products, and the recognitions products hold."""

import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop import images
from ocop.accounts.scope import Scope
from ocop.concurrency import Versioned, VersionedQuerySet
from ocop.geo.fields import optional_unit
from ocop.vntext import fold

from .choices import (
    CertificationKind,
    Confidence,
    IPKind,
    LegalForm,
    ProducerType,
    ProductGroup,
    RecognitionLevel,
    RecognitionStatus,
)

# ---------------------------------------------------------------------------------------------
# Product taxonomy: versioned, loaded from data/taxonomy.yaml
# ---------------------------------------------------------------------------------------------


class Taxonomy(models.Model):
    """A version of the product classification, tied to the decision that set it."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("product taxonomy")
        verbose_name_plural = _("product taxonomies")

    def __str__(self):
        return self.name


class ProductSet(models.Model):
    """A leaf of a taxonomy (bộ sản phẩm): the unit a scoring sheet is written for."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="product_sets")
    code = models.CharField(_("code"), max_length=16)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    path_vi = models.CharField(_("section and group"), max_length=400, blank=True)
    group = models.CharField(_("product group"), max_length=20, choices=ProductGroup.choices)
    lead_ministry = models.CharField(_("lead ministry"), max_length=200, blank=True)
    confidence = models.CharField(max_length=1, choices=Confidence.choices, default=Confidence.CONFIRMED)
    # An older set points at the set(s) of the newer taxonomy that replaced it.
    maps_to = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="mapped_from")

    class Meta:
        ordering = ["taxonomy", "code"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="registry_productset_code")]
        verbose_name = _("product set")
        verbose_name_plural = _("product sets")

    def __str__(self):
        return f"{self.code} {self.name_vi} ({self.taxonomy_id})"


# ---------------------------------------------------------------------------------------------
# Producers
# ---------------------------------------------------------------------------------------------


class CraftVillage(Versioned):
    """A craft village (làng nghề, or traditional craft village, làng nghề truyền thống) as the
    province recognised it. The programme counts the share of craft villages that have an OCOP
    product: a village has one when a producer of the village holds a counted recognition."""

    name = models.CharField(_("name"), max_length=200)
    craft = models.CharField(_("craft"), max_length=200, blank=True)
    is_traditional = models.BooleanField(_("traditional craft village"), default=False)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="craft_villages", verbose_name=_("province")
    )
    commune = optional_unit("geo.Commune", _("commune"), related_name="craft_villages")
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)
    decision_no = models.CharField(_("recognition decision"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()
    scope = Scope(province="province", commune="commune", public=Q)

    class Meta:
        ordering = ["province", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "commune", "name"], name="registry_craft_village_unique"
            )
        ]
        verbose_name = _("craft village")
        verbose_name_plural = _("craft villages")

    def __str__(self):
        return self.name

    def versioned_values(self):
        # The village's edit form also chooses its producers, kept on the producers' rows.
        values = super().versioned_values()
        values["producers"] = sorted(self.producers.values_list("pk", flat=True)) if self.pk else []
        return values


class ProducerQuerySet(VersionedQuerySet):
    def in_province(self, province):
        return self.filter(province=province)


class Producer(Versioned):
    """A producer (chủ thể OCOP): cooperative, cooperative group, enterprise or household business."""

    name = models.CharField(_("name"), max_length=250)
    name_key = models.CharField(max_length=250, editable=False, db_index=True)
    kind = models.CharField(_("producer type"), max_length=20, choices=ProducerType.choices)
    legal_form = models.CharField(_("legal form"), max_length=24, choices=LegalForm.choices, blank=True)
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Enterprise code (10 digits), branch code (10+3) or personal number (12)."),
    )
    registration_no = models.CharField(_("registration number"), max_length=40, blank=True)
    representative = models.CharField(_("legal representative"), max_length=120, blank=True)
    representative_is_woman = models.BooleanField(_("representative is a woman"), default=False)
    representative_is_ethnic_minority = models.BooleanField(
        _("representative is from an ethnic minority"), default=False
    )
    local_capital_pct = models.DecimalField(
        _("local community share of capital (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    # The address as written, and the units it resolves to, in force today and at the time.
    address = models.CharField(_("address"), max_length=300)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="producers", verbose_name=_("province")
    )
    commune = optional_unit("geo.Commune", _("commune"), related_name="producers")
    historical_province = optional_unit("geo.Province", _("province (before 1/7/2025)"))
    historical_district = optional_unit("geo.District", _("district (before 1/7/2025)"))
    historical_commune = optional_unit("geo.Commune", _("commune (before 1/7/2025)"))

    craft_village = models.ForeignKey(
        CraftVillage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="producers",
        verbose_name=_("craft village"),
    )

    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProducerMember", related_name="producers", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProducerQuerySet.as_manager()
    scope = Scope(province="province", commune="commune", owner="members")

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["province", "kind"], name="registry_producer_prov_kind"),
            models.Index(fields=["commune", "name_key"], name="registry_producer_commune_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(local_capital_pct__isnull=True)
                | Q(local_capital_pct__gte=0, local_capital_pct__lte=100),
                name="registry_producer_capital_pct",
            ),
        ]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = fold(self.name)
        if self.tax_code == "":
            self.tax_code = None
        super().save(*args, **kwargs)


class ProducerMember(models.Model):
    """A user account that acts for a producer."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="producer_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["producer", "user"], name="registry_member_unique")]

    def __str__(self):
        return f"{self.user_id} @ {self.producer_id}"


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------


def _public_products() -> Q:
    # A product is public once it has been recognised; its page then tells the truth about
    # the recognition's status (valid, expired, revoked), never hiding that it lapsed.
    return Q(recognitions__isnull=False)


class ProductQuerySet(VersionedQuerySet):
    def valid_on(self, day: date):
        """Products holding a recognition valid on ``day``."""
        return self.filter(pk__in=Recognition.objects.valid_on(day).values("product_id"))


class Product(Versioned):
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="products", verbose_name=_("producer")
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_key = models.CharField(max_length=250, editable=False, db_index=True)
    group = models.CharField(_("product group"), max_length=20, choices=ProductGroup.choices)
    product_set = models.ForeignKey(
        ProductSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("product set"),
    )
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    story_vi = models.TextField(_("product story (Vietnamese)"), blank=True)
    story_en = models.TextField(_("product story (English)"), blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, null=True, blank=True, unique=True)
    ocop_code = models.CharField(_("OCOP product code"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()
    scope = Scope(
        province="producer__province",
        commune="producer__commune",
        owner="producer__members",
        public=_public_products,
    )

    class Meta:
        ordering = ["name_vi", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(group__in=ProductGroup.values), name="registry_product_group"),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name_vi

    def save(self, *args, **kwargs):
        self.name_key = fold(self.name_vi)
        if self.gtin == "":
            self.gtin = None
        super().save(*args, **kwargs)

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi

    def current_recognition(self, day: date | None = None):
        """The recognition that decides the product's status today: the latest one in force
        or, if none is in force, the latest one recorded (which then shows as expired/revoked)."""
        day = day or timezone.localdate()
        recognitions = sorted(self.recognitions.all(), key=lambda r: (r.recognised_on, r.pk), reverse=True)
        started = [r for r in recognitions if r.recognised_on <= day]
        for recognition in started:
            if recognition.status_on(day) == RecognitionStatus.VALID:
                return recognition
        return started[0] if started else None


# Photos, certifications and IP rights belong where their product does.
ATTACHMENT_SCOPE = Scope(
    province="product__producer__province",
    commune="product__producer__commune",
    owner="product__producer__members",
    public=lambda: Q(product__recognitions__isnull=False),
)


def _photo_path(instance, filename):
    """A random name with the extension of the type the photo was decoded and re-encoded as
    (services.photo_add): never a name the uploader chose, so nothing they send makes the web
    server serve a page or a script, and the photo of a product not yet public cannot be guessed."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in images.EXTENSIONS.values():
        raise ValueError(f"a photo is stored as .jpg, .png or .webp, not {filename!r}")
    return f"products/{instance.product_id}/{secrets.token_urlsafe(18)}.{extension}"


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    scope = ATTACHMENT_SCOPE

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.caption or self.image.name


class Certification(models.Model):
    """A certificate the product (or its production) holds: food safety, VietGAP, organic..."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(_("kind"), max_length=20, choices=CertificationKind.choices)
    number = models.CharField(_("number"), max_length=80, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    scope = ATTACHMENT_SCOPE

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
                name="registry_certification_dates",
            )
        ]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class IntellectualProperty(models.Model):
    """A trademark, collective or certification mark, or geographical indication."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="ip_rights")
    kind = models.CharField(_("kind"), max_length=30, choices=IPKind.choices)
    title = models.CharField(_("name of the mark or indication"), max_length=200)
    number = models.CharField(_("certificate number"), max_length=80, blank=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    scope = ATTACHMENT_SCOPE

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("intellectual property right")
        verbose_name_plural = _("intellectual property rights")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


# ---------------------------------------------------------------------------------------------
# Recognitions
# ---------------------------------------------------------------------------------------------


class RecognitionQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        """In force on ``day``: decided on or before it, not expired, revoked or superseded by then."""
        return (
            self.filter(recognised_on__lte=day, valid_until__gte=day)
            .exclude(revoked_on__lte=day)
            .exclude(superseded_on__lte=day)
        )


class Recognition(models.Model):
    """A star rating granted to a product by a recognition decision (quyết định công nhận)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="recognitions")
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    level = models.CharField(_("level"), max_length=10, choices=RecognitionLevel.choices)
    decision_no = models.CharField(_("decision number"), max_length=80, blank=True)
    recognised_on = models.DateField(_("recognised on"))
    valid_until = models.DateField(_("valid until"))
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("criteria version")
    )
    issuer_province = optional_unit("geo.Province", _("issuing province (at the time)"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecognitionQuerySet.as_manager()
    scope = Scope(
        province="product__producer__province",
        commune="product__producer__commune",
        owner="product__producer__members",
        public=Q,
    )

    class Meta:
        ordering = ["-recognised_on", "-pk"]
        indexes = [
            models.Index(fields=["recognised_on", "valid_until"], name="registry_recog_validity"),
            models.Index(fields=["product", "recognised_on"], name="registry_recog_product"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="registry_recognition_stars"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="registry_recognition_score",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("recognised_on")), name="registry_recognition_validity"
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=models.F("recognised_on")),
                name="registry_recognition_revoked_after",
            ),
        ]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")

    def __str__(self):
        return f"{self.product} — {self.stars}★ ({self.recognised_on:%d/%m/%Y})"

    def status_on(self, day: date) -> str:
        if self.recognised_on > day:
            return RecognitionStatus.PENDING
        if self.revoked_on and self.revoked_on <= day:
            return RecognitionStatus.REVOKED
        if self.superseded_on and self.superseded_on <= day:
            return RecognitionStatus.SUPERSEDED
        if self.valid_until < day:
            return RecognitionStatus.EXPIRED
        return RecognitionStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return RecognitionStatus(self.status).label
