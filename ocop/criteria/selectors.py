"""Reading criteria sets through the permission gate, and their definitions for the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.registry.choices import ProductGroup
from ocop.registry.models import ProductSet, Taxonomy

from . import schema
from .choices import CriteriaSetStatus
from .models import CriteriaSet


def visible_sets(user):
    """The current version of every set the user may see (published ones for everyone)."""
    rows = CriteriaSet.objects.current().select_related("product_set", "product_set__taxonomy")
    return gate.restrict(rows, user, Action.VIEW).order_by("-effective_from", "code")


def find_set(code: str, version: int | None = None) -> CriteriaSet:
    """A set by its stable code or an alias ("1048/1.3.c"), current version unless ``version``,
    with no permission check (commands run by the server's operator). Raises ``Http404``."""
    try:
        return _rows().get(**_lookup(schema.nfc(code), version))
    except CriteriaSet.DoesNotExist:
        _missing(code)


def _rows():
    return CriteriaSet.objects.select_related("product_set", "product_set__taxonomy", "superseded_by")


def _missing(code: str):
    raise Http404(f"No criteria set {code}.")


def _lookup(code: str, version: int | None) -> dict:
    canonical = code
    if not CriteriaSet.objects.filter(code=code).exists():
        # Aliases are few and live in a JSON list: look them up among the sets of that decision.
        decision = code.partition("/")[0]
        owners = [
            row.code
            for row in CriteriaSet.objects.current().filter(decision=decision).only("code", "aliases")
            if code in row.aliases
        ]
        if not owners:
            _missing(code)
        canonical = owners[0]
    lookup: dict = {"code": canonical}
    if version is None:
        lookup["is_current"] = True
    else:
        lookup["version"] = version
    return lookup


def set_for(user, code: str, version: int | None = None) -> CriteriaSet:
    """:func:`find_set` through the permission gate: 404 also when the user may not see it."""
    return gate.get_or_404(_rows(), user, Action.VIEW, **_lookup(schema.nfc(code), version))


def versions_of(user, row: CriteriaSet):
    return gate.restrict(CriteriaSet.objects.filter(code=row.code), user, Action.VIEW).order_by("-version")


def definition(row: CriteriaSet) -> schema.CriteriaSet:
    """The validated set behind a row (parsed once per content)."""
    return _parse(row.pk, row.source_hash, row.source_file, row)


# Parsed definitions by (row, content): the JSON is validated once per process, not per request.
_DEFINITIONS: dict[tuple[int, str], schema.CriteriaSet] = {}


def _parse(pk: int, source_hash: str, source_file: str, row: CriteriaSet) -> schema.CriteriaSet:
    key = (pk, source_hash)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = schema.parse_set(row.definition, source=source_file)
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found


# ---------------------------------------------------------------------------------------------
# Coverage: which product sets have a sheet in force
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Covered:
    """A product set and the criteria set in force for it (None: not loaded yet)."""

    product_set: ProductSet
    criteria_set: CriteriaSet | None


@dataclass(frozen=True)
class GroupCoverage:
    group: str  # ProductGroup code
    label: str
    rows: list[Covered]


@dataclass(frozen=True)
class TaxonomyCoverage:
    taxonomy: Taxonomy
    on: date  # the day the sets are in force: today, or the taxonomy's last day when it has ended
    groups: list[GroupCoverage]

    @property
    def total(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def loaded(self) -> int:
        return sum(1 for g in self.groups for row in g.rows if row.criteria_set is not None)


def coverage(user, today: date | None = None) -> list[TaxonomyCoverage]:
    """Every product set of every taxonomy (newest taxonomy first, sets grouped by product group
    in the order of the decision) with the current, published criteria set in force for it on
    ``today`` — or, for a taxonomy no longer in force, on its last day. Three queries."""
    today = today or timezone.localdate()
    taxonomies = list(Taxonomy.objects.order_by("-effective_from", "code"))
    product_sets = list(ProductSet.objects.order_by("pk"))
    rows = gate.restrict(CriteriaSet.objects.current(), user, Action.VIEW).filter(
        status=CriteriaSetStatus.PUBLISHED
    )
    sets = list(rows.defer("definition", "source_text", "history").order_by("-effective_from", "code"))
    out = []
    for taxonomy in taxonomies:
        on = min(today, taxonomy.effective_until) if taxonomy.effective_until else today
        by_product_set: dict[int, CriteriaSet] = {}
        for row in sets:  # latest in force first: the first one found wins
            if row.effective_from <= on and (row.effective_until is None or row.effective_until >= on):
                by_product_set.setdefault(row.product_set_id, row)
        groups = []
        for group in ProductGroup:
            members = [
                Covered(product_set=ps, criteria_set=by_product_set.get(ps.pk))
                for ps in product_sets
                if ps.taxonomy_id == taxonomy.code and ps.group == group
            ]
            if members:
                groups.append(GroupCoverage(group=group.value, label=str(group.label), rows=members))
        out.append(TaxonomyCoverage(taxonomy=taxonomy, on=on, groups=groups))
    return out
