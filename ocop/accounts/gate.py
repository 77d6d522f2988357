"""The one permission gate. Every page, endpoint, export and admin screen gets its rows here.

``restrict(queryset, user, action)`` narrows a queryset to the rows ``user`` may act on.
What each role may do to each model is the :data:`POLICY` table; *where* a row belongs is
declared on the model as a :class:`~ocop.accounts.scope.Scope`. Callers fetch single objects
through :func:`get_or_404`, so a record outside someone's reach is "not found", not "forbidden",
and nobody learns that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .choices import Action, Role

VIEW, ADD, CHANGE, DELETE, PLACE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.PLACE
ALL = frozenset(Action.values)

# A product's photos, certifications and intellectual-property rights: whoever may change the
# product may add, change and remove them.
_PRODUCT_ATTACHMENTS = {
    label: frozenset({VIEW, ADD, CHANGE, DELETE})
    for label in ("registry.productphoto", "registry.certification", "registry.intellectualproperty")
}
# Officers keep their jurisdiction's producers and products alike at both levels (province, commune).
_OFFICER_REGISTRY = {
    "registry.producer": frozenset({VIEW, ADD, CHANGE}),
    "registry.product": frozenset({VIEW, ADD, CHANGE}),
    **_PRODUCT_ATTACHMENTS,
}

# role -> model label -> actions. The central office may do everything ("*").
# PRODUCER applies through a model's ``owner`` path, COUNCIL_MEMBER through its ``council``
# path, PUBLIC to everyone (signed in or not) through its ``public`` rows.
POLICY: dict[str, dict[str, frozenset[str]]] = {
    Role.CENTRAL: {"*": ALL},
    Role.PROVINCE_OFFICER: {
        "geo.province": frozenset({VIEW, PLACE}),
        "geo.commune": frozenset({VIEW, PLACE}),
        **_OFFICER_REGISTRY,
        "registry.recognition": frozenset({VIEW, ADD, CHANGE}),
        "registry.craftvillage": frozenset({VIEW, ADD, CHANGE, DELETE}),
        "accounts.auditevent": frozenset({VIEW}),
    },
    Role.COMMUNE_OFFICER: {
        "geo.commune": frozenset({VIEW, PLACE}),
        **_OFFICER_REGISTRY,
        "registry.recognition": frozenset({VIEW}),
        "registry.craftvillage": frozenset({VIEW}),
    },
    # Applies through a model's ``owner`` path: producers' staff, and anyone's own jobs.
    Role.PRODUCER: {
        "jobs.job": frozenset({VIEW}),
        "registry.producer": frozenset({VIEW, CHANGE}),
        "registry.product": frozenset({VIEW, ADD, CHANGE}),
        **_PRODUCT_ATTACHMENTS,
        "registry.recognition": frozenset({VIEW}),
    },
    Role.COUNCIL_MEMBER: {
        "registry.product": frozenset({VIEW}),
        "registry.producer": frozenset({VIEW}),
    },
    Role.PUBLIC: {
        "registry.product": frozenset({VIEW}),
        "registry.productphoto": frozenset({VIEW}),
        "registry.certification": frozenset({VIEW}),
        "registry.intellectualproperty": frozenset({VIEW}),
        "registry.recognition": frozenset({VIEW}),
        "registry.craftvillage": frozenset({VIEW}),
        "geo.province": frozenset({VIEW}),
        "geo.commune": frozenset({VIEW}),
        "geo.district": frozenset({VIEW}),
        "criteria.criteriaset": frozenset({VIEW}),  # published criteria sets are public law
    },
}


def extend_policy(entries: dict[str, dict[str, set[str] | frozenset[str]]]) -> None:
    """Let an app declare what each role may do to its models, from its AppConfig.ready():
    ``extend_policy({Role.PROVINCE_OFFICER: {"evaluation.dossier": {VIEW, CHANGE}}})``.
    An app may only add entries for its own models; it never widens another app's."""
    for role, models in entries.items():
        table = POLICY.setdefault(role, {})
        for label, actions in models.items():
            if label in table and table[label] != frozenset(actions):
                raise ImproperlyConfigured(f"policy for {role} on {label} is declared twice")
            table[label] = frozenset(actions)


def allowed(role: str, label: str, action: str) -> bool:
    table = POLICY.get(role, {})
    return action in table.get("*", ()) or action in table.get(label, ())


@dataclass(frozen=True)
class Actor:
    """A user with their grants resolved once per request."""

    user: object | None
    is_central: bool
    province_ids: frozenset[int]
    commune_ids: frozenset[int]

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_officer(self) -> bool:
        return self.is_central or bool(self.province_ids or self.commune_ids)


ANONYMOUS = Actor(None, False, frozenset(), frozenset())


def actor_of(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_ocop_actor", None)
    if cached is not None:
        return cached
    central, provinces, communes = False, set(), set()
    for role, province_id, commune_id in user.grants.values_list("role", "province_id", "commune_id"):
        if role == Role.CENTRAL:
            central = True
        elif role == Role.PROVINCE_OFFICER:
            provinces.add(province_id)
        elif role == Role.COMMUNE_OFFICER:
            communes.add(commune_id)
    actor = Actor(user, central, frozenset(provinces), frozenset(communes))
    user._ocop_actor = actor
    return actor


def forget(user) -> None:
    """Drop the cached actor (after grants change within a request or a test)."""
    if hasattr(user, "_ocop_actor"):
        del user._ocop_actor


def _scope_of(model: type[Model]):
    scope = getattr(model, "scope", None)
    if scope is None:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no scope, so the permission gate cannot serve it"
        )
    return scope


def condition(model: type[Model], user, action: str) -> Q | None:
    """The Q selecting rows of ``model`` that ``user`` may ``action``; None means no rows."""
    label = model._meta.label_lower
    scope = _scope_of(model)
    actor = actor_of(user)
    if actor.is_central and allowed(Role.CENTRAL, label, action):
        return Q()
    parts: list[Q] = []
    if actor.province_ids and scope.province and allowed(Role.PROVINCE_OFFICER, label, action):
        parts.append(Q(**{f"{scope.province}__in": actor.province_ids}))
    if actor.commune_ids and scope.commune and allowed(Role.COMMUNE_OFFICER, label, action):
        parts.append(Q(**{f"{scope.commune}__in": actor.commune_ids}))
    # Multi-valued paths (members, councils, "has a recognition") go through a subquery so
    # the result has no duplicate rows and stays composable with counts and pagination.
    if actor.user is not None and scope.owner and allowed(Role.PRODUCER, label, action):
        parts.append(Q(pk__in=model._base_manager.filter(**{scope.owner: actor.user}).values("pk")))
    if actor.user is not None and scope.council and allowed(Role.COUNCIL_MEMBER, label, action):
        parts.append(Q(pk__in=model._base_manager.filter(**{scope.council: actor.user}).values("pk")))
    if scope.public is not None and allowed(Role.PUBLIC, label, action):
        public = scope.public()
        if not public.children:
            return Q()  # every row is public
        parts.append(Q(pk__in=model._base_manager.filter(public).values("pk")))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def restrict(queryset: QuerySet, user, action: str) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``."""
    q = condition(queryset.model, user, action)
    return queryset.none() if q is None else queryset.filter(q)


def get_or_404(queryset: QuerySet, user, action: str, **lookup):
    """One object the user may act on, or 404, whether it does not exist or is out of reach."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def allows(user, action: str, obj: Model) -> bool:
    """Whether ``user`` may ``action`` this saved object."""
    return restrict(type(obj)._base_manager.filter(pk=obj.pk), user, action).exists()


def require(user, action: str, obj: Model) -> None:
    """Raise PermissionDenied unless ``user`` may ``action`` this saved object: the first line
    of every service that acts on a record (views turn it into "not found")."""
    if not allows(user, action, obj):
        raise PermissionDenied


def can(user, action: str, model: type[Model]) -> bool:
    """Whether ``user`` may ``action`` *some* rows of ``model`` (to show a button or a menu)."""
    return condition(model, user, action) is not None


def may_create(user, model: type[Model], *, province_id=None, commune_id=None, owners=None) -> bool:
    """Whether ``user`` may add a ``model`` row that will belong to this province / commune / owner.

    New rows cannot be filtered by a queryset, so the caller states where the row will belong
    (from its parent: a product belongs where its producer does). ``owners`` is a queryset of
    the users who will own the row (the producer's members).
    """
    label = model._meta.label_lower
    actor = actor_of(user)
    if actor.user is None:
        return False
    if actor.is_central and allowed(Role.CENTRAL, label, ADD):
        return True
    if province_id in actor.province_ids and allowed(Role.PROVINCE_OFFICER, label, ADD):
        return True
    if commune_id in actor.commune_ids and allowed(Role.COMMUNE_OFFICER, label, ADD):
        return True
    if owners is not None and allowed(Role.PRODUCER, label, ADD):
        return owners.filter(pk=actor.user.pk).exists()
    return False
