"""People, the roles they are granted, their API tokens, and the audit trail."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.geo.fields import optional_unit
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA

from .choices import GRANTED_ROLES, Role, audit_actions
from .scope import Scope


class User(AbstractUser):
    """A person who signs in. What they may do comes from grants and from the records they
    are attached to (a producer's staff, a council's members), never from flags on the user."""

    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        """The name in Vietnamese order, family and middle names first, then the given name:
        "Nguyễn Văn" + "Minh" -> "Nguyễn Văn Minh" (Django's own is "Minh Nguyễn Văn").
        ``last_name`` holds the family and middle names, ``first_name`` the given name."""
        return " ".join(part for part in (self.last_name.strip(), self.first_name.strip()) if part)

    @property
    def display_name(self) -> str:
        """What pages call the person: the full name, or the username of an account without one."""
        return self.get_full_name() or self.get_username()


class Grant(models.Model):
    """A role with its jurisdiction: central (everything), a province, or a commune."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.label) for r in GRANTED_ROLES])
    province = optional_unit("geo.Province", _("province"), limit_choices_to={"era_id": CURRENT_ERA})
    commune = optional_unit("geo.Commune", _("commune"), limit_choices_to={"era_id": CURRENT_ERA})
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role=Role.CENTRAL, province__isnull=True, commune__isnull=True)
                    | Q(role=Role.PROVINCE_OFFICER, province__isnull=False, commune__isnull=True)
                    | Q(role=Role.COMMUNE_OFFICER, province__isnull=True, commune__isnull=False)
                ),
                name="accounts_grant_jurisdiction_fits_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province", "commune"], name="accounts_grant_unique"
            ),
        ]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")

    def __str__(self):
        where = self.province or self.commune
        return f"{self.user} — {self.get_role_display()}" + (f" ({where})" if where else "")


class AuditEvent(models.Model):
    """One thing someone did, written by the service that did it, in the same transaction."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60, choices=audit_actions)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    scope = Scope(province="province")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="accounts_audit_object")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the key is shown once."""

    PREFIX = "ocop_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def issue(cls, *, user, name: str, expires_at=None) -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=_hash_token(raw), key_hint=raw[:10], expires_at=expires_at
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        """The active token's user, or None."""
        if not raw or not raw.startswith(cls.PREFIX):
            return None
        token = cls.objects.active().select_related("user").filter(key_hash=_hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
