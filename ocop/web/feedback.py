"""A form's or a service's refusal, said to the person, the same way whichever app refused.

Views that render a form again show the refusal on it (:func:`apply_errors`); views that act on
a POST and redirect back flash it for the next page (:func:`flash_errors`, :func:`act`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's field errors on the form; errors of fields it does not have go on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def flash_errors(request, source) -> None:
    """Each error of a bound form, or each message of a ValidationError, as an error message."""
    if isinstance(source, ValidationError):
        found = source.messages
    else:
        found = [error for errors in source.errors.values() for error in errors]
    for message in found:
        messages.error(request, message)


REFUSED: Any = object()  # what act() returns when the service refused


def act(request, call: Callable[[], Any], *, success: str = "") -> Any:
    """Run a service for a POST view that redirects back: its refusal becomes messages, its
    success message is said, and a PermissionDenied is a 404 (others' records are not found).

    Returns what the service returned, or :data:`REFUSED` when it refused.
    """
    try:
        result = call()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        flash_errors(request, exc)
        return REFUSED
    if success:
        messages.success(request, success)
    return result
