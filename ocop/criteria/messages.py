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


def problem(item) -> str:
    """An :class:`engine.AnswerProblem` in the reader's language (its English ``message`` when the
    code is one this module does not know)."""
    p = {"criterion": item.criterion, **item.params}
    match item.code:
        case "missing_answer":
            text = _("Criterion %(criterion)s has no answer.") % p
        case "malformed_answers":
            text = _("The answers must give an option for each criterion code.")
        case "unknown_criterion":
            text = _("Criterion %(criterion)s is not on sheet %(sheet)s.") % p
        case "case_group_mismatch":
            text = (
                _(
                    "Criterion %(criterion)s is answered for case %(case)s (%(case_code)s) but criterion "
                    "%(other)s for case %(other_case)s (%(other_case_code)s); a product is one or the other."
                )
                % p
            )
        case "malformed_answer":
            text = _("Criterion %(criterion)s: the answer %(value)s is not a case and an option.") % p
        case "case_required":
            text = (
                _(
                    "Criterion %(criterion)s has alternative cases (%(cases)s): choose the case and the option."
                )
                % p
            )
        case "unknown_case" if p.get("cases", 1) > 1:
            text = _("Criterion %(criterion)s has cases 1 to %(cases)s, not case %(case)s.") % p
        case "unknown_case":
            text = _("Criterion %(criterion)s has no alternative cases, not case %(case)s.") % p
        case "none_not_allowed" if p.get("has_zero"):
            text = _("Criterion %(criterion)s: it has a 0-point option; choose that one.") % p
        case "none_not_allowed":
            text = _("Criterion %(criterion)s: this set requires one of the options.") % p
        case "option_not_in_case":
            text = (
                _(
                    "Criterion %(criterion)s has options 1 to %(options)s in this case; option %(option)s "
                    "belongs to case %(other_case)s."
                )
                % p
            )
        case "unknown_option":
            text = _("Criterion %(criterion)s has options 1 to %(options)s, not option %(option)s.") % p
        case "unknown_check":
            text = _("Check %(check)s is not on this sheet (checks: %(known)s).") % p
        case "malformed_check":
            text = _("Check %(check)s must be yes or no, not %(value)s.") % p
        case _:
            return item.message
    if "member" in p:
        return _("Sheet of %(member)s: %(problem)s") % {"member": p["member"], "problem": text}
    return text
