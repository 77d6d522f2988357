"""Pages of the registry: officers' and producers' management pages, and the public product page.

Views parse input, fetch rows through the permission gate and call services; they hold no rules.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.geo.models import Commune, Province
from ocop.geo.services import LocationError, place
from ocop.jobs.models import Job
from ocop.jobs.services import job_start
from ocop.web.confirm import ask, confirmed
from ocop.web.edge import id_param
from ocop.web.feedback import REFUSED, apply_errors, flash_errors, submitted
from ocop.web.paging import paginate, query_without_page

from . import exporting, forms, selectors, services
from .models import Certification, IntellectualProperty, Producer, Product, ProductPhoto, Recognition

# ---------------------------------------------------------------------------------------------
# Management home
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_home(request):
    summary = selectors.jurisdiction_summary(request.user)
    return render(request, "registry/manage_home.html", {"summary": summary})


# ---------------------------------------------------------------------------------------------
# Producers
# ---------------------------------------------------------------------------------------------


def _filter_provinces(user):
    """Provinces offered in list filters: those the user's records are in."""
    managed = gate.restrict(Producer.objects.all(), user, Action.CHANGE).values("province_id")
    return Province.objects.current().filter(pk__in=managed).alphabetical()


@login_required
@require_GET
def producer_list(request):
    form = forms.ProducerFilterForm(request.GET or None, provinces=_filter_provinces(request.user))
    filters = selectors.ProducerFilters()
    if form.is_valid():
        filters = selectors.ProducerFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    page = paginate(request, selectors.managed_producers(request.user, filters))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = "registry/_producer_table.html" if request.htmx else "registry/producer_list.html"
    return render(request, template, context)


@login_required
@require_GET
def producer_detail(request, pk):
    producer = gate.get_or_404(
        Producer.objects.select_related("province", "commune", "historical_commune", "historical_district"),
        request.user,
        Action.VIEW,
        pk=pk,
    )
    products = selectors.with_recognitions(gate.restrict(producer.products.all(), request.user, Action.VIEW))
    return render(
        request,
        "registry/producer_detail.html",
        {
            "producer": producer,
            "products": products,
            "can_change": gate.allows(request.user, Action.CHANGE, producer),
            "can_add_product": gate.may_create(
                request.user,
                Product,
                province_id=producer.province_id,
                commune_id=producer.commune_id,
                owners=producer.members,
            ),
        },
    )


def _producer_location(form):
    """An address typed today is read on today's boundaries when nothing in it decides
    (an old address names its district, which does decide)."""
    data = form.cleaned_data
    try:
        return place(
            data.get("address", ""),
            province=data.get("province"),
            commune=data.get("commune"),
            on=timezone.localdate(),
        )
    except LocationError as exc:
        raise ValidationError({"address": [str(exc)]}) from None


@login_required
@require_http_methods(["GET", "POST"])
def producer_create(request):
    if not gate.can(request.user, Action.PLACE, Commune) and not gate.can(
        request.user, Action.PLACE, Province
    ):
        return render(request, "403.html", status=403)
    form = forms.ProducerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        producer, form, _status = submitted(
            request,
            form,
            lambda: services.producer_create(
                user=request.user, data=form.service_data(), location=_producer_location(form)
            ),
            success=lambda producer: _("Producer “%(name)s” registered.") % {"name": producer.name},
        )
        if producer is not REFUSED:
            return redirect("registry:producer_detail", pk=producer.pk)
    return render(request, "registry/producer_form.html", {"form": form, "producer": None})


@login_required
@require_http_methods(["GET", "POST"])
def producer_edit(request, pk):
    producer = gate.get_or_404(Producer.objects.all(), request.user, Action.CHANGE, pk=pk)
    form = forms.ProducerForm(request.POST or None, instance=producer, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        moved = (
            data.get("address") != producer.address
            or form.cleaned_data.get("commune") not in (None, producer.commune)
            or form.cleaned_data.get("province") not in (None, producer.province)
        )
        saved, form, status = submitted(
            request,
            form,
            lambda: services.producer_update(
                user=request.user,
                producer=producer,
                data=data,
                location=_producer_location(form) if moved else None,
                version=form.cleaned_data["version"],
            ),
            success=_("Changes saved."),
        )
        if saved is not REFUSED:
            return redirect("registry:producer_detail", pk=producer.pk)
    return render(request, "registry/producer_form.html", {"form": form, "producer": producer}, status=status)


@login_required
@require_GET
def commune_options(request):
    """htmx: the <option>s of the communes of a province the user may place records in."""
    province_id = id_param(request.GET, "province")
    communes = forms.placeable_communes(request.user).filter(province_id=province_id) if province_id else []
    return render(request, "registry/_commune_options.html", {"communes": communes})


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def product_list(request):
    provinces = Province.objects.current().filter(
        pk__in=gate.restrict(Producer.objects.all(), request.user, Action.CHANGE).values("province_id")
    )
    form = forms.ProductFilterForm(request.GET or None, provinces=provinces.alphabetical())
    filters = selectors.ProductFilters()
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        filters = selectors.ProductFilters(**data)
    page = paginate(request, selectors.managed_products(request.user, filters))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "today": timezone.localdate(),
    }
    template = "registry/_product_table.html" if request.htmx else "registry/product_list.html"
    return render(request, template, context)


def _product_for(request, pk, action):
    return gate.get_or_404(
        Product.objects.select_related(
            "producer", "producer__province", "producer__commune", "product_set", "product_set__taxonomy"
        ).prefetch_related(
            Prefetch(
                "recognitions",
                queryset=Recognition.objects.select_related("issuer_province", "superseded_by"),
            ),
            "certifications",
            "ip_rights",
            "photos",
        ),
        request.user,
        action,
        pk=pk,
    )


@login_required
@require_GET
def product_detail(request, pk):
    product = _product_for(request, pk, Action.VIEW)
    producer = product.producer
    return render(
        request,
        "registry/product_detail.html",
        {
            "product": product,
            "current": product.current_recognition(),
            "today": timezone.localdate(),
            "can_change": gate.allows(request.user, Action.CHANGE, product),
            "can_recognise": gate.may_create(
                request.user, Recognition, province_id=producer.province_id, commune_id=producer.commune_id
            ),
            "can_revoke": gate.can(request.user, Action.CHANGE, Recognition)
            and gate.restrict(product.recognitions.all(), request.user, Action.CHANGE).exists(),
            "certification_form": forms.CertificationForm(),
            "ip_form": forms.IntellectualPropertyForm(),
            "photo_form": forms.PhotoForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request, producer_pk):
    producer = gate.get_or_404(Producer.objects.all(), request.user, Action.VIEW, pk=producer_pk)
    if not gate.may_create(
        request.user,
        Product,
        province_id=producer.province_id,
        commune_id=producer.commune_id,
        owners=producer.members,
    ):
        return render(request, "404.html", status=404)
    form = forms.ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(user=request.user, producer=producer, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Product “%(name)s” added.") % {"name": product.name_vi})
            return redirect("registry:product_detail", pk=product.pk)
    return render(
        request, "registry/product_form.html", {"form": form, "producer": producer, "product": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    product = _product_for(request, pk, Action.CHANGE)
    form = forms.ProductForm(request.POST or None, instance=product)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, form, status = submitted(
            request,
            form,
            lambda: services.product_update(
                user=request.user,
                product=product,
                data=form.service_data(),
                version=form.cleaned_data["version"],
            ),
            success=_("Changes saved."),
        )
        if saved is not REFUSED:
            return redirect("registry:product_detail", pk=product.pk)
    return render(
        request,
        "registry/product_form.html",
        {"form": form, "producer": product.producer, "product": product},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recognition_create(request, pk):
    product = _product_for(request, pk, Action.VIEW)
    producer = product.producer
    if not gate.may_create(
        request.user, Recognition, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        return render(request, "404.html", status=404)
    form = forms.RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recognition_record(
                user=request.user,
                product=product,
                stars=data["stars"],
                recognised_on=data["recognised_on"],
                level=data["level"],
                decision_no=data["decision_no"],
                score=data["score"],
                valid_until=data["valid_until"],
                note=data["note"],
                issuer_province=producer.province,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recognition recorded."))
            return redirect("registry:product_detail", pk=product.pk)
    return render(request, "registry/recognition_form.html", {"form": form, "product": product})


def ask_revoke(request, recognition: Recognition, facts: list):
    """The page that asks before a recognition is revoked (here, and with its grounds in the
    cycle's revocation), naming the product, its stars and ``facts`` about the revocation."""
    return ask(
        request,
        title=_("Revoke a recognition"),
        consequence=_(
            "From the revocation date the public page shows the product as revoked, and it no "
            "longer counts as an OCOP product."
        ),
        facts=[(_("Product"), recognition.product.name_vi), (_("Stars"), recognition.stars), *facts],
        back=reverse("registry:product_detail", args=[recognition.product_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def recognition_revoke(request, pk):
    recognition = gate.get_or_404(
        Recognition.objects.select_related("product", "product__producer"), request.user, Action.CHANGE, pk=pk
    )
    form = forms.RevokeForm(request.POST or None, initial={"revoked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and not confirmed(request):
        return ask_revoke(
            request,
            recognition,
            [
                (_("Revoked on"), form.cleaned_data["revoked_on"].strftime("%d/%m/%Y")),
                (_("Reason"), form.cleaned_data["reason"]),
            ],
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.recognition_revoke(
                user=request.user,
                recognition=recognition,
                revoked_on=form.cleaned_data["revoked_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recognition revoked."))
            return redirect("registry:product_detail", pk=recognition.product_id)
    return render(request, "registry/revoke_form.html", {"form": form, "recognition": recognition})


def _attachment_post(request, pk, form_class, save, success_message):
    product = _product_for(request, pk, Action.CHANGE)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            save(product, form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, success_message)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("registry:product_detail", pk=product.pk)


@login_required
@require_POST
def certification_add(request, pk):
    return _attachment_post(
        request,
        pk,
        forms.CertificationForm,
        lambda product, data: services.attachment_add(
            user=request.user, product=product, model=Certification, data=data
        ),
        _("Certification added."),
    )


@login_required
@require_POST
def ip_right_add(request, pk):
    return _attachment_post(
        request,
        pk,
        forms.IntellectualPropertyForm,
        lambda product, data: services.attachment_add(
            user=request.user, product=product, model=IntellectualProperty, data=data
        ),
        _("Intellectual property right added."),
    )


@login_required
@require_POST
def photo_add(request, pk):
    return _attachment_post(
        request,
        pk,
        forms.PhotoForm,
        lambda product, data: services.photo_add(
            user=request.user, product=product, image=data["image"], caption=data["caption"]
        ),
        _("Photo added."),
    )


def _attachment_remove(request, model, pk, success_message):
    attachment = gate.get_or_404(model.objects.select_related("product"), request.user, Action.CHANGE, pk=pk)
    services.attachment_remove(user=request.user, attachment=attachment)
    messages.success(request, success_message)
    return redirect("registry:product_detail", pk=attachment.product_id)


@login_required
@require_POST
def certification_remove(request, pk):
    return _attachment_remove(request, Certification, pk, _("Certification removed."))


@login_required
@require_POST
def ip_right_remove(request, pk):
    return _attachment_remove(request, IntellectualProperty, pk, _("Intellectual property right removed."))


@login_required
@require_POST
def photo_remove(request, pk):
    photo = gate.get_or_404(
        ProductPhoto.objects.select_related("product"), request.user, Action.DELETE, pk=pk
    )
    product_id = photo.product_id
    services.photo_remove(user=request.user, photo=photo)
    messages.success(request, _("Photo removed."))
    return redirect("registry:product_detail", pk=product_id)


# ---------------------------------------------------------------------------------------------
# Importing and exporting lists (background jobs)
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    if not services.may_import(request.user):
        return render(request, "403.html", status=403)
    form = forms.ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        province = form.cleaned_data["province"]
        job = services.list_import_start(
            user=request.user,
            upload=form.cleaned_data["file"],
            default_province=province.name if province else "",
            language=request.LANGUAGE_CODE,
        )
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "registry/import_form.html", {"form": form})


@login_required
@require_GET
def import_template(request):
    """The list to fill in: the import's columns, an example row and a guide sheet."""
    if not services.may_import(request.user):
        return render(request, "403.html", status=403)
    name, content = exporting.template_file(request.LANGUAGE_CODE)
    response = HttpResponse(content, content_type=exporting.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def import_confirm(request, pk):
    checked = gate.get_or_404(Job.objects.all(), request.user, Action.VIEW, pk=pk, kind="registry.import")
    try:
        job = services.list_import_confirm(user=request.user, checked=checked)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("jobs:detail", pk=checked.pk)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def product_export(request):
    """Export the managed products matching the list's filters, as .xlsx or .csv, in the background."""
    form = forms.ProductFilterForm(request.POST, provinces=Province.objects.current())
    data = {}
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    fmt = "csv" if request.POST.get("format") == "csv" else "xlsx"
    scope = (
        Province.objects.current().filter(code=data.get("province")).values_list("name", flat=True).first()
    )
    job = job_start(
        kind="registry.export",
        owner=request.user,
        params={
            "filters": data,
            "format": fmt,
            "language": request.LANGUAGE_CODE,
            "scope": scope or _("your records"),
            "slug": data.get("province") or "registry",
        },
    )
    return redirect("jobs:detail", pk=job.pk)
