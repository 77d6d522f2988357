"""Messages for the next page: what a form or a service refused, said to the person.

Used by views that act on a POST and redirect back (the page shows the messages), so a refusal
reads the same whichever app made it."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def flash_errors(request, source) -> None:
    """Each error of a bound form, or each message of a ValidationError, as an error message."""
    if isinstance(source, ValidationError):
        found = source.messages
    else:
        found = [error for errors in source.errors.values() for error in errors]
    for message in found:
        messages.error(request, message)
