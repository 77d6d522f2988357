"""How a model says where its rows belong, for the permission gate (:mod:`ocop.accounts.gate`).

Plain data, imported by models of every app; it imports nothing from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """Lookup paths from a model to the things that decide who may touch it.

    province: path to the *current* province (``geo.Province``) the row belongs to.
    commune:  path to the *current* commune the row belongs to.
    owner:    path to the user accounts that own the row (producers' staff).
    council:  path to the users who sit on a council that handles the row.
    public:   a function returning the Q of rows anyone may see, or None.
    """

    province: str | None = None
    commune: str | None = None
    owner: str | None = None
    council: str | None = None
    public: Callable[[], Q] | None = None
