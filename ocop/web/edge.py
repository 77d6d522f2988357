"""What comes in from outside, checked at the edge: record ids and codes in URLs, and text.

* Primary keys are signed 64-bit integers on SQLite and PostgreSQL, so no record has an id above
  2**63 - 1 (nor below 1): a larger number in a URL names nothing, and must not reach the
  database either (SQLite cannot even bind it: a 500). Pages match ids with the ``<id:pk>`` path
  converter, the API with :data:`Id`; either way such a URL is "not found".
* Text may not hold a NUL character or an unpaired surrogate: PostgreSQL refuses both (a 500),
  SQLite stores them and the record's edit form then refuses its own values. A code in a URL
  holding one names nothing (404, ``<code:...>`` and :data:`Code`); the API refuses any body,
  query or form field holding one (422, naming the field; ``ocop.api``); page forms refuse them
  through Django's own validator on every ``CharField``.
"""

import re
from collections.abc import Iterator
from typing import Annotated, Any

from django.http import Http404
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, WithJsonSchema

MAX_ID = 2**63 - 1

# Page forms refuse NUL characters through Django's CharField with this message, which Django's
# Vietnamese catalogue leaves untranslated: ours translates it (LOCALE_PATHS is read first).
gettext_noop("Null characters are not allowed.")

_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def is_safe_text(text: str) -> bool:
    """Whether ``text`` holds no NUL character and no unpaired surrogate."""
    return _UNSAFE.search(text) is None


def unsafe_places(data: Any, *where: str | int) -> Iterator[tuple[str | int, ...]]:
    """Where in decoded JSON (or form fields) a text, or a key, is not :func:`is_safe_text`:
    ``("body", "events", 0, "name")``. Walked without recursion: any depth json.loads accepts."""
    stack = [(where, data, False)]
    while stack:
        place, value, bad_key = stack.pop()
        if bad_key:
            yield place  # the key itself (its value, if text, is not named twice)
        if isinstance(value, str):
            if not bad_key and not is_safe_text(value):
                yield place
        elif isinstance(value, dict):
            # Pushed last first, so that places come in the document's order.
            stack.extend(
                ((*place, key), item, isinstance(key, str) and not is_safe_text(key))
                for key, item in reversed(value.items())
            )
        elif isinstance(value, list | tuple):
            stack.extend(((*place, index), item, False) for index, item in reversed(list(enumerate(value))))


def text_param(params, name: str) -> str:
    """A query-string parameter as stripped text; "" when absent or not safe text (no code or
    word holds a NUL), for the pages that read a filter without a form."""
    value = (params.get(name) or "").strip()
    return value if is_safe_text(value) else ""


def id_param(params, name: str) -> int | None:
    """A query-string parameter naming a record by id; None when absent or not a possible id."""
    value = (params.get(name) or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 19):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


class IdConverter:
    """``<id:pk>``: digits naming a possible record; any other number does not match (404)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)  # a ValueError (more than 4,300 digits) is "no match" as well
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is not a record id")
        return number

    def to_url(self, value) -> str:
        return str(value)


class CodeConverter:
    """``<code:code>``: a path segment that could name something (a certificate, a province, a
    criteria set): Django's ``str`` without NUL characters (surrogates cannot come through a URL)."""

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


def _possible_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise Http404("No record has this id.")
    return value


def _possible_code(value: str) -> str:
    if not is_safe_text(value):
        raise Http404("No record has this code.")
    return value


def _empty_if_null(value: str | None) -> str:
    return "" if value is None else value


# A text field that may be empty, on an API write: null means empty (as in JSON Merge Patch,
# RFC 7396), rather than reaching a NOT NULL column (a 500).
BlankText = Annotated[str | None, AfterValidator(_empty_if_null)]

# An id in an API path: out of range it is "not found", like a page's, and the OpenAPI document
# says the range.
Id = Annotated[
    int,
    AfterValidator(_possible_id),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
]

# A code in an API path (a taxonomy's, a province's, a certificate's): not found if it is not
# safe text.
Code = Annotated[str, AfterValidator(_possible_code)]
