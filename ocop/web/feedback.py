"""A form's or a service's refusal, said to the person, the same way whichever app refused.

Views that render a form again show the refusal on it (:func:`apply_errors`, :func:`submitted`);
views that act on a POST and redirect back flash it for the next page (:func:`flash_errors`,
:func:`act`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ocop.concurrency import EditConflict


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


def submitted(
    request, form, call: Callable[[], Any], *, success: str | Callable[[Any], str]
) -> tuple[Any, Any, int]:
    """Run the service a valid form asks for, for a view that shows the form again when refused.

    Returns (what the service returned, or :data:`REFUSED`; the form to show; the status to show
    it with). The refusal goes on the form: the field errors, or the fields someone else changed
    since the form was opened (:class:`~ocop.concurrency.EditConflict`, 409); out of reach is not
    found. On success the ``success`` message is said (a function of what the service returned,
    for a message that names it); the view then redirects.
    """
    try:
        result = call()
    except EditConflict as conflict:
        return REFUSED, form.refused(conflict), 409
    except ValidationError as exc:
        apply_errors(form, exc)
        return REFUSED, form, 200
    except PermissionDenied:
        raise Http404("Out of your jurisdiction.") from None
    messages.success(request, success(result) if callable(success) else success)
    return result, form, 200
