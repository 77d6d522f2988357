"""Product links: the linkset a product's Digital Link resolves to, besides the platform's own
pages (the producer's shop, a recipe, instructions...)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.registry.models import Product

from ..choices import LinkType
from ..models import ProductLink
from ..selectors import may_add


@transaction.atomic
def link_add(
    *, user, product: Product, link_type: str, href: str, title: str, language: str = ""
) -> ProductLink:
    """Add a link to a product's linkset. Only its owner and officers may (the gate says who)."""
    producer = product.producer
    if not may_add(user, ProductLink, producer):
        raise PermissionDenied
    if link_type not in LinkType.values:
        raise ValidationError({"link_type": [_("Choose a link type.")]})
    if not (href or "").startswith("https://") and not (href or "").startswith("http://"):
        raise ValidationError({"href": [_("Enter a web address starting with https://.")]})
    link = ProductLink(
        product=product,
        link_type=link_type,
        href=href.strip(),
        title=(title or "").strip(),
        language=language or "",
        created_by=user,
    )
    link.full_clean()
    link.save()
    audit_record(
        actor=user,
        action="product.link_add",
        obj=product,
        province_id=producer.province_id,
        link=snapshot(link),
    )
    return link


@transaction.atomic
def link_remove(*, user, link: ProductLink) -> None:
    gate.require(user, Action.DELETE, link)
    product = link.product
    record = snapshot(link)
    link.delete()
    audit_record(
        actor=user,
        action="product.link_remove",
        obj=product,
        province_id=product.producer.province_id,
        link=record,
    )
