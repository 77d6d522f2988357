"""Record ids in URLs: the pages' ``<id:pk>`` path converter and the API's :data:`Id`.

Primary keys are signed 64-bit integers on SQLite and PostgreSQL, so no record has an id above
2**63 - 1 (nor below 1): a larger number in a URL names nothing, and must not reach the
database either (SQLite cannot even bind it: a 500). Either way such a URL is "not found".
"""

from typing import Annotated

from django.http import Http404
from pydantic import AfterValidator, WithJsonSchema

MAX_ID = 2**63 - 1


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


def _possible_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise Http404("No record has this id.")
    return value


# An id in an API path: out of range it is "not found", like a page's, and the OpenAPI document
# says the range.
Id = Annotated[
    int,
    AfterValidator(_possible_id),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
]
