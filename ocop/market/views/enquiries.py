"""Buyers' enquiries: the buyer writes and follows through their link; producers answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.client import client_address
from ocop.collation import by_name
from ocop.registry.models import Product
from ocop.web.edge import text_param
from ocop.web.feedback import REFUSED, submitted
from ocop.web.language import page_language

from .. import forms, selectors, services
from ..models import Enquiry

# ---------------------------------------------------------------------------------------------
# Buyer enquiries (public side)
# ---------------------------------------------------------------------------------------------


def _client(request) -> str:
    """The key enquiries are rate-limited by: the client's address, read as sign-in throttling
    reads it (one setting, OCOP_PROXY_COUNT, serves both behind a proxy)."""
    return services.client_key(client_address(request))


@require_http_methods(["GET", "POST"])
def enquiry_create(request, pk):
    producer = selectors.public_producer(pk, user=None)
    products = gate.restrict(Product.objects.filter(producer=producer), None, Action.VIEW).order_by(
        *by_name("name_vi")
    )
    accepting = producer.memberships.exists()
    initial = {"started": services.form_started_token(), "product": request.GET.get("product")}
    form = forms.EnquiryForm(request.POST or None, products=products, initial=initial)
    if request.method == "POST" and accepting and form.is_valid():
        data = form.cleaned_data
        sent, form, _status = submitted(
            request,
            form,
            lambda: services.enquiry_submit(
                producer=producer,
                product=data["product"],
                data=form.service_data(),
                message=data["message"],
                client=_client(request),
                honeypot=data["contact_time"],
                started=data["started"],
                language=page_language(request),
            ),
            success=_(
                "Your enquiry was sent. Keep the address of this page: it is your access to the answer (we also e-mailed it)."
            ),
        )
        if sent is not REFUSED:
            _enquiry, token = sent
            return redirect("market:enquiry_thread", token=token)
    if request.method == "POST":
        # A new timestamp, so that a corrected form is not taken for a script's.
        form.data = form.data.copy()
        form.data["started"] = services.form_started_token()
    return render(
        request, "market/enquiry_form.html", {"form": form, "producer": producer, "accepting": accepting}
    )


@require_http_methods(["GET", "POST"])
def enquiry_thread(request, token):
    """The buyer's side of an enquiry, reached only through the signed link they were given."""
    enquiry = services.enquiry_from_token(token)
    if enquiry is None:
        raise Http404("No enquiry matches the given link.")
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved, form, _status = submitted(
            request,
            form,
            lambda: services.enquiry_buyer_reply(
                enquiry=enquiry, message=form.cleaned_data["message"], client=_client(request)
            ),
            success=_("Your message was sent to the producer."),
        )
        if saved is not REFUSED:
            return redirect("market:enquiry_thread", token=token)
    response = render(
        request,
        "market/enquiry_thread.html",
        {"enquiry": enquiry, "thread": selectors.enquiry_thread(enquiry), "form": form, "side": "buyer"},
    )
    # The link is the buyer's key: never leak it to other sites in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------------------------------------
# Managing enquiries (the producer's side)
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_enquiries(request):
    status = text_param(request.GET, "status")
    page = Paginator(selectors.enquiries_for(request.user, status=status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "market/manage_enquiries.html",
        {"page": page, "status": status, "query": f"status={status}" if status else ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_enquiry(request, pk):
    enquiry = gate.get_or_404(
        Enquiry.objects.select_related("producer", "product"), request.user, Action.VIEW, pk=pk
    )
    can_answer = gate.allows(request.user, Action.CHANGE, enquiry)
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise Http404
        if form.is_valid():
            saved, form, _status = submitted(
                request,
                form,
                lambda: services.enquiry_answer(
                    user=request.user, enquiry=enquiry, message=form.cleaned_data["message"]
                ),
                success=_("Your answer was sent. The buyer is told by e-mail."),
            )
            if saved is not REFUSED:
                return redirect("market:manage_enquiry", pk=enquiry.pk)
    return render(
        request,
        "market/enquiry_thread.html",
        {
            "enquiry": enquiry,
            "thread": selectors.enquiry_thread(enquiry),
            "form": form if can_answer else None,
            "side": "producer",
        },
    )


@login_required
@require_POST
def enquiry_close(request, pk):
    enquiry = gate.get_or_404(Enquiry.objects.all(), request.user, Action.CHANGE, pk=pk)
    services.enquiry_close(user=request.user, enquiry=enquiry)
    messages.success(request, _("Enquiry closed."))
    return redirect("market:manage_enquiry", pk=enquiry.pk)
