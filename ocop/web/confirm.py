"""Asking before an irreversible step, on a page of its own, so it works without JavaScript.

A POST view whose service cannot be undone (submit a sheet or a dossier, issue a decision, close a
sitting, revoke a recognition, deactivate an account) first answers with :func:`ask`: a page
saying what will happen, with "Confirm" (the same POST again, its fields kept, plus
``confirmed=1``) and "Go back". The service runs only when :func:`confirmed` says so; the view
fetches its record through the gate before either step, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.shortcuts import render

FIELD = "confirmed"
_NOT_CARRIED = {FIELD, "csrfmiddlewaretoken"}


def confirmed(request) -> bool:
    """The person said "Confirm" on the page :func:`ask` showed."""
    return request.method == "POST" and request.POST.get(FIELD) == "1"


def ask(
    request,
    *,
    title: str,
    consequence: str,
    back: str,
    facts: Iterable[tuple[str, object]] = (),
    action: str = "",
    final: bool = True,
    carry: bool = True,
):
    """The confirmation page for the step ``request`` asked for.

    ``consequence`` says what will happen; ``facts`` (label, value) name what it happens to;
    ``final`` adds that it cannot be undone. "Confirm" posts to ``action`` (the same address by
    default) with the fields of this POST kept (``carry``), so a form's entries are not lost;
    "Go back" opens ``back``.
    """
    carried = []
    if carry and request.method == "POST":
        carried = [
            (name, value)
            for name in request.POST
            if name not in _NOT_CARRIED
            for value in request.POST.getlist(name)
        ]
    return render(
        request,
        "includes/confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "facts": list(facts),
            "final": final,
            "action": action or request.path,
            "carried": carried,
            "back": back,
        },
    )
