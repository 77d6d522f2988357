"""One page of a list, for the API's page numbers (the pages use Django's Paginator, which
clamps to the last page).

A page past the last has no rows, however large its number: a page of 40 digits makes an offset
no database can bind (SQLite raises OverflowError), and there is nothing there to read anyway.
"""


def window(rows, *, offset: int, limit: int | None, count: int):
    """``rows[offset:offset + limit]`` (to the end with no limit), or none from ``count`` on."""
    if offset >= count:
        return rows[:0]
    return rows[offset : offset + limit] if limit is not None else rows[offset:]
