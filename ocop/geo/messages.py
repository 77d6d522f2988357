"""Resolver reasons in the reader's language.

The resolver (a pure core) words its reasons in English with :func:`resolver.reason_text`;
this module says the same things through gettext, from the same stable codes and parameters,
so officers read them in Vietnamese.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .resolver import OLD_SUFFIX

MAX_LISTED = 6


def _listing(items) -> str:
    items = list(items)
    shown = ", ".join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += " " + _("and %(n)s more") % {"n": len(items) - MAX_LISTED}
    return shown


def _did_you_mean(params) -> str:
    suggestions = params.get("suggestions") or ()
    if not suggestions:
        return "."
    return "; " + _("did you mean %(names)s?") % {"names": _(" or ").join(suggestions)}


def describe(resolution) -> str:
    """Why an address did not resolve, translated."""
    # Old provinces carry the resolver's fixed "(old)" marker; say it in the reader's language.
    return _describe(resolution).replace(OLD_SUFFIX, " " + _("(old)"))


def _describe(resolution) -> str:
    code, p = resolution.reason_code, dict(resolution.reason_params or {})
    options = _listing(p.get("options", ()))
    if code == "empty":
        return _("The address is empty.")
    if code in {"ambiguous_commune", "ambiguous_district", "ambiguous_province"}:
        if p.get("scope") == "province":
            return ngettext(
                "%(name)s exists in %(count)s province (%(options)s); add the province.",
                "%(name)s exists in %(count)s provinces (%(options)s); add the province.",
                p["count"],
            ) % {"name": p["name"], "count": p["count"], "options": options}
        if p.get("scope") == "district":
            return _(
                "%(name)s exists in %(count)s districts of %(within)s (%(options)s); add the district."
            ) % {
                "name": p["name"],
                "count": p["count"],
                "within": p["within"],
                "options": options,
            }
        if p.get("scope") == "diacritics":
            return _(
                "“%(name)s” fits %(count)s places in %(within)s (%(options)s); type the name with its diacritics."
            ) % {
                "name": p["name"],
                "count": p["count"],
                "within": p["within"],
                "options": options,
            }
        return _(
            "“%(name)s” fits %(count)s places in %(within)s (%(options)s); add the type (Xã, Phường, Thị trấn…)."
        ) % {
            "name": p["name"],
            "count": p["count"],
            "within": p.get("within", ""),
            "options": options,
        }
    if code == "ambiguous_era":
        olds = "; ".join(
            _("%(old)s, now part of %(now)s") % {"old": old, "now": now}
            for old, now in zip(p["old"], p["old_now"], strict=True)
        )
        return _(
            "%(name)s fits both the new %(new)s and the old %(olds)s; add the old district for an old address, "
            "or give the date of the address."
        ) % {"name": p["name"], "new": _(" and ").join(p["new"]), "olds": olds}
    if code == "ambiguous_level":
        return _(
            "“%(name)s” fits %(count)s places (%(options)s); add the type (Huyện, Quận, Xã, Phường…) or the commune."
        ) % {
            "name": p["name"],
            "count": p["count"],
            "options": options,
        }
    if code == "unknown_province":
        return _("“%(name)s” is not the name of a province, old or new") % {
            "name": p["name"]
        } + _did_you_mean(p)
    if code == "unknown_district":
        if p.get("within"):
            return _("There is no district “%(name)s” in %(within)s") % p + _did_you_mean(p)
        return _("There is no district “%(name)s”") % p + _did_you_mean(p)
    if code == "unknown_commune":
        if p.get("within"):
            return _("There is no commune “%(name)s” in %(within)s") % p + _did_you_mean(p)
        return _("There is no commune “%(name)s”") % p + _did_you_mean(p)
    if code in {"commune_not_in_province", "commune_not_in_district", "district_not_in_province"}:
        return _("%(name)s is not in %(within)s; it exists in %(options)s.") % {
            "name": p["name"],
            "within": p["within"],
            "options": options,
        }
    return resolution.reason or code
