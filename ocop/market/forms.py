"""Forms of the catalogue and trade-promotion pages. They parse input; the services decide."""

from __future__ import annotations

import re
import time

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.concurrency import VersionedForm
from ocop.geo.models import Commune, Province
from ocop.registry.choices import CertificationKind, ProducerType, ProductGroup
from ocop.registry.forms import AddressedForm, DateInput
from ocop.registry.identifiers import IdentifierError, normalise_gtin
from ocop.registry.models import Producer, Product, ProductSet
from ocop.web.edge import text_param

from . import hours, services
from .choices import CatalogueSort, CatalogueStatus, WhereSold
from .models import Enquiry, Fair, FairParticipant, PointOfSale, SalesChannel, SupplyCapacity


def _blank(label):
    return [("", label)]


def current_provinces():
    return Province.objects.current().alphabetical()


_CHOICES: dict[str, tuple[float, list]] = {}
CHOICES_SECONDS = 600


def _reference_choices(key: str, build) -> list:
    """Provinces and product sets change only when reference data is reloaded: keep their
    choices for a few minutes rather than read them on every catalogue page."""
    now = time.monotonic()
    cached = _CHOICES.get(key)
    if cached is None or now - cached[0] > CHOICES_SECONDS:
        cached = (now, build())
        _CHOICES[key] = cached
    return cached[1]


def province_choices() -> list[tuple[str, str]]:
    return _reference_choices("provinces", lambda: [(p.code, p.name) for p in current_provinces()])


def product_set_choices() -> list[tuple[int, str]]:
    return _reference_choices(
        "product_sets",
        lambda: [
            (s.pk, f"{s.code} {s.name_vi} ({s.taxonomy_id})")
            for s in ProductSet.objects.order_by("-taxonomy", "code")
        ],
    )


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    province = forms.ChoiceField(label=_("Province"), required=False)
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    group = forms.ChoiceField(
        label=_("Group"), required=False, choices=_blank(_("All groups")) + list(ProductGroup.choices)
    )
    product_set = forms.TypedChoiceField(label=_("Product set"), required=False, coerce=int, empty_value=None)
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[*_blank(_("Any")), (5, "★★★★★"), (4, "★★★★"), (3, "★★★")],
    )
    producer_kind = forms.ChoiceField(
        label=_("Producer"), required=False, choices=_blank(_("Any producer")) + list(ProducerType.choices)
    )
    certification = forms.ChoiceField(
        label=_("Certification"),
        required=False,
        choices=_blank(_("Any")) + list(CertificationKind.choices),
    )
    sold = forms.ChoiceField(
        label=_("Where sold"), required=False, choices=_blank(_("Anywhere")) + list(WhereSold.choices)
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=CatalogueStatus.choices)
    sort = forms.ChoiceField(
        label=_("Order"), required=False, choices=_blank(_("Best first")) + list(CatalogueSort.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = _blank(_("All provinces")) + province_choices()
        self.fields["product_set"].choices = _blank(_("All product sets")) + product_set_choices()
        code = text_param(self.data, "province") if self.is_bound else ""
        communes = (
            Commune.objects.current().filter(province__code=code).alphabetical().values_list("code", "name")
            if code
            else []
        )
        self.fields["commune"].choices = _blank(_("All communes")) + list(communes)


class PointForm(VersionedForm, AddressedForm, forms.ModelForm):
    hours_text = forms.CharField(
        label=_("Opening hours"),
        required=False,
        max_length=300,
        help_text=_("e.g. T2-T6 7:30-21:00; T7, CN 8:00-12:00 — or Daily 7-22, or 24/7."),
    )

    class Meta:
        model = PointOfSale
        fields = services.POINT_FIELDS
        widgets = {
            "opened_on": DateInput(),
            "closed_on": DateInput(),
            "description_vi": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["name", "kind", "operator", "address", "province", "commune", "hours_text"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = gate.restrict(
            Province.objects.current(), user, Action.PLACE
        ).alphabetical()
        self.fields["commune"].queryset = (
            gate.restrict(Commune.objects.current(), user, Action.PLACE)
            .select_related("province")
            .alphabetical()
        )
        self.fields["commune"].label_from_instance = lambda c: f"{c.name} ({c.province.name})"
        if self.instance.pk:
            self.fields["hours_text"].initial = hours.to_text(self.instance.opening_rules)
            self.fields["province"].initial = self.instance.province_id
            self.fields["commune"].initial = self.instance.commune_id

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class StockForm(forms.Form):
    product = forms.CharField(
        label=_("Product"),
        max_length=200,
        help_text=_("Its number (in the address of its catalogue page) or its barcode."),
    )
    since = forms.DateField(label=_("Stocked since"), required=False, widget=DateInput())

    def clean_product(self):
        text = self.cleaned_data["product"].strip()
        match = re.search(r"/catalogue/products/(\d+)", text) or re.fullmatch(r"#?(\d{1,7})", text)
        if match:
            product = Product.objects.filter(pk=int(match.group(1))).first()
        else:
            try:
                product = Product.objects.filter(gtin=normalise_gtin(text)).first()
            except IdentifierError:
                product = None
        if product is None:
            raise forms.ValidationError(_("No product has this number or barcode."))
        return product


class SupplyForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = SupplyCapacity
        fields = services.SUPPLY_FIELDS
        widgets = {"note_vi": forms.Textarea(attrs={"rows": 2}), "note_en": forms.Textarea(attrs={"rows": 2})}


class ChannelForm(forms.ModelForm):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label=_("Product"),
        empty_label=_("All the producer's products"),
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")

    class Meta:
        model = SalesChannel
        fields = ["kind", "partner", "url", "country", "started_on"]
        widgets = {"started_on": DateInput()}

    field_order = ["product", "kind", "partner", "url", "country", "started_on"]

    def __init__(self, *args, producer: Producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = producer.products.order_by(*by_name("name_vi"))
        self.fields["started_on"].required = False


class EnquiryForm(forms.ModelForm):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, label=_("Product"), empty_label=_("Several or any")
    )
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("What you need, packaging, certificates, where to deliver. No personal data please."),
    )
    # A field people never see (hidden by the page's style) and scripts fill in.
    contact_time = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Enquiry
        fields = services.ENQUIRY_FIELDS
        widgets = {"wanted_from": DateInput(), "wanted_until": DateInput()}
        help_texts = {
            "buyer_email": _("Only to send you the link to the conversation. The producer does not see it."),
        }

    field_order = ["product", "buyer_kind", "buyer_organisation", "buyer_name", "buyer_email"]

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products
        self.fields["contact_time"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class FairForm(VersionedForm, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Fair
        fields = services.FAIR_FIELDS
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description_vi": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = current_provinces()
        managed = gate.restrict(Province.objects.current(), user, Action.PLACE).alphabetical()
        self.fields["organiser_province"].queryset = managed
        actor = gate.actor_of(user)
        if not actor.is_central:
            self.fields["organiser_province"].required = True
            self.fields["organiser_province"].empty_label = None
        else:
            self.fields["organiser_province"].empty_label = _("The central office (a national event)")

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ParticipantForm(forms.Form):
    producer = forms.IntegerField(
        label=_("Producer number"),
        min_value=1,
        help_text=_("In the address of the producer's catalogue page."),
    )
    booth = forms.CharField(label=_("Booth"), required=False, max_length=20)
    products = forms.CharField(
        label=_("Products shown"),
        required=False,
        max_length=300,
        help_text=_("Their numbers, separated by commas; empty for none in particular."),
    )

    def clean_producer(self):
        producer = Producer.objects.filter(pk=self.cleaned_data["producer"]).first()
        if producer is None:
            raise forms.ValidationError(_("No producer has this number."))
        return producer

    def clean_products(self):
        numbers = [int(n) for n in re.findall(r"\d+", self.cleaned_data.get("products") or "")]
        products = list(Product.objects.filter(pk__in=numbers))
        if len(products) != len(set(numbers)):
            raise forms.ValidationError(_("Some of these numbers are not products."))
        return products


class SalesReportForm(forms.ModelForm):
    class Meta:
        model = FairParticipant
        fields = ["sales_vnd", "contracts", "sales_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sales_vnd"].required = True
