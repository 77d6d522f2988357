"""One page of a list: :func:`paginate` for pages (Django's Paginator, which shows the last page for
a number past it, and the first for one that is not a number), :func:`window` for the API's
page numbers.

A page past the last has no rows, however large its number: a page of 40 digits makes an offset
no database can bind (SQLite raises OverflowError), and there is nothing there to read anyway.
"""


def window(rows, *, offset: int, limit: int | None, count: int):
    """``rows[offset:offset + limit]`` (to the end with no limit), or none from ``count`` on."""
    if offset >= count:
        return rows[:0]
    return rows[offset : offset + limit] if limit is not None else rows[offset:]


def paginate(request, queryset, size: int | None = None):
    """The page of ``queryset`` the request's ``?page=`` asks for, of ``OCOP_PAGE_SIZE`` rows."""
    from django.conf import settings
    from django.core.paginator import Paginator

    return Paginator(queryset, size or settings.OCOP_PAGE_SIZE).get_page(request.GET.get("page"))


def page_number(request, count: int, size: int) -> int:
    """The request's ``?page=`` within 1..last page of ``count`` rows of ``size`` (lists that page
    their own rows, such as the catalogue's search results)."""
    import math

    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    return min(max(number, 1), max(1, math.ceil(count / size)))


def query_without_page(request) -> str:
    """The request's query string without ``page``, for the pagination links to append to."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
