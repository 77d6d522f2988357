"""The engine's reasons in the reader's language.

The engine (a pure core) words its reasons in English with :func:`engine.reason_text`; this module
says the same things through gettext, from the same stable codes and parameters.
"""

from django.utils.translation import gettext as _


def describe(code: str, params) -> str:
    p = dict(params)
    match code:
        case "below_star_minimum":
            return (
                _(
                    "Not %(stars)s stars: criterion %(criterion)s scores %(points)s, below the %(stars)s-star "
                    "minimum of %(minimum)s."
                )
                % p
            )
        case "star_minimum_not_applicable":
            return (
                _(
                    "Not %(stars)s stars: criterion %(criterion)s does not apply (criterion %(condition)s scores "
                    "below %(at_least)s), so its %(stars)s-star minimum of %(minimum)s is not met."
                )
                % p
            )
        case "star_minimum_ignored":
            return (
                _(
                    "Criterion %(criterion)s scores %(points)s, below the %(stars)s-star minimum of %(minimum)s; "
                    "this set does not cap stars by its markers."
                )
                % p
            )
        case "stopped_by_points":
            return (
                _(
                    "Evaluation stopped at criterion %(criterion)s: it scores %(points)s, below %(stops_below)s; "
                    "the criteria after it are not evaluated and there are no stars."
                )
                % p
            )
        case "stopped_by_check":
            return (
                _(
                    "Evaluation stopped after criterion %(criterion)s: %(check)s (%(text)s); the criteria after it "
                    "are not evaluated and there are no stars."
                )
                % p
            )
        case "disqualified":
            return _("Disqualified: %(check)s (%(text)s).") % p
        case "answer_ignored_not_applicable":
            return (
                _(
                    "The answer to criterion %(criterion)s is ignored: it applies only when criterion "
                    "%(condition)s scores at least %(at_least)s."
                )
                % p
            )
        case "answer_ignored_after_stop":
            return (
                _(
                    "The answer to criterion %(criterion)s is ignored: the evaluation stopped at criterion "
                    "%(stopped_at)s."
                )
                % p
            )
    from .engine import reason_text

    return reason_text(code, p)


def improvement(item) -> str:
    """One step of an upgrade plan."""
    params = {"criterion": item.criterion, "to": item.to_points, "gain": item.gain}
    if item.from_option is None:
        return _("Criterion %(criterion)s: make it apply and reach %(to)s points (+%(gain)s)") % params
    params["from"] = item.from_points
    if item.required:
        return (
            _("Criterion %(criterion)s: from %(from)s to %(to)s points (+%(gain)s), required for the star")
            % params
        )
    return _("Criterion %(criterion)s: from %(from)s to %(to)s points (+%(gain)s)") % params
