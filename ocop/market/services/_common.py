"""What the market's services share."""

from __future__ import annotations

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.registry.models import Product


def public_products():
    """The products anyone may see (the registry's public rule, through the gate)."""
    return gate.restrict(Product.objects.all(), None, Action.VIEW)
