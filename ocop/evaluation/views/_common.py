"""What the pages of the cycle share: a list's query without its page, the producers a person may
file for, a round fetched through the gate, a stored file served privately."""

from __future__ import annotations

from django.http import FileResponse, Http404

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name

from .. import selectors
from ..models import Idea, Round


def query_without_page(request) -> str:
    """The list's filters, for its page links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def own_producers(user, model=Idea):
    """The producers for whom ``user`` may file an idea (or a ``model`` such as a dossier)."""
    return selectors.producers_for_new(user, model).order_by(*by_name("name"))


def serve_file(field, name: str, content_type: str | None = None):
    """A private file (a plan, evidence, a certificate), shown in the browser and never cached."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=False, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def round_or_404(request, pk, action=Action.VIEW) -> Round:
    return gate.get_or_404(Round.objects.select_related("province"), request.user, action, pk=pk)
