"""Forms for the officer and producer pages. They parse input; the services decide."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.concurrency import VersionedForm
from ocop.geo.models import Commune, Province

from .choices import ProducerType, ProductGroup, RecognitionLevel
from .models import Certification, IntellectualProperty, Producer, Product, ProductSet, Recognition
from .services import PRODUCER_FIELDS, PRODUCT_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def placeable_provinces(user):
    """Current provinces where the user may place producers (a province officer: theirs)."""
    return gate.restrict(Province.objects.current(), user, Action.PLACE).alphabetical()


def placeable_communes(user, province=None):
    communes = gate.restrict(Commune.objects.current(), user, Action.PLACE).select_related("province")
    if province is not None:
        communes = communes.filter(province=province)
    return communes.alphabetical()


class AddressedForm(forms.Form):
    """The fields of a record found at an address (a producer, a point of sale): its province and
    commune, picked or left empty to be read from the address, and its website."""

    province = forms.ModelChoiceField(
        queryset=Province.objects.none(),
        required=False,
        label=_("Province"),
        help_text=_("Leave empty to take it from the address."),
    )
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(),
        required=False,
        label=_("Commune"),
        help_text=_("Leave empty to take it from the address."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class ProducerForm(VersionedForm, AddressedForm, forms.ModelForm):
    # Where the producer is comes right after who it is; the other fields follow in Meta's order.
    field_order = ["name", "kind", "legal_form", "address", "province", "commune"]

    class Meta:
        model = Producer
        fields = [f for f in PRODUCER_FIELDS if f != "address"] + ["address"]
        widgets = {
            "description_vi": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "address": forms.TextInput(
                attrs={"placeholder": _("e.g. Ấp Chợ, Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh")}
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance if self.instance.pk else None
        communes = placeable_communes(user)
        provinces = Province.objects.current().filter(
            Q(pk__in=placeable_provinces(user).values("pk")) | Q(pk__in=communes.values("province_id"))
        )
        if instance is not None:
            # Keeping a producer where it is needs no right to place it there.
            provinces = Province.objects.current().filter(
                Q(pk__in=provinces.values("pk")) | Q(pk=instance.province_id)
            )
            communes = Commune.objects.current().filter(
                Q(pk__in=communes.values("pk")) | Q(pk=instance.commune_id)
            )
            self.initial.setdefault("province", instance.province_id)
            self.initial.setdefault("commune", instance.commune_id)
        self.fields["province"].queryset = provinces.alphabetical()
        chosen = self.data.get("province") or self.initial.get("province")
        if not chosen and provinces.count() == 1:
            chosen = provinces.get().pk
            self.initial["province"] = chosen
        self.fields["commune"].queryset = (
            communes.filter(province_id=chosen).alphabetical() if chosen else communes.none()
        )
        self.fields["tax_code"].validators = []  # the service normalises and validates

    def validate_unique(self):
        # Uniqueness is checked on the normalised tax code by the service.
        pass

    def service_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in PRODUCER_FIELDS if key in self.cleaned_data}


class ProductForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Product
        fields = PRODUCT_FIELDS
        widgets = {
            "description_vi": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "story_vi": forms.Textarea(attrs={"rows": 4}),
            "story_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_set"].queryset = ProductSet.objects.select_related("taxonomy").order_by(
            "-taxonomy__effective_from", "code"
        )
        self.fields["group"].required = False
        self.fields["group"].choices = [("", "—"), *ProductGroup.choices]
        self.fields["gtin"].validators = []
        self.fields["gtin"].max_length = 20
        self.fields["gtin"].widget.attrs["maxlength"] = 20

    def validate_unique(self):
        pass

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("group") and not cleaned.get("product_set"):
            self.add_error("group", _("Choose a product group or a product set."))
        return cleaned

    def service_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in PRODUCT_FIELDS if key in self.cleaned_data}


class RecognitionForm(forms.ModelForm):
    class Meta:
        model = Recognition
        fields = ["stars", "score", "level", "decision_no", "recognised_on", "valid_until", "note"]
        widgets = {"recognised_on": DateInput(), "valid_until": DateInput()}
        help_texts = {"valid_until": _("Leave empty: 36 months from the decision.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].required = False
        self.fields["stars"].widget = forms.Select(choices=[(n, "★" * n) for n in range(1, 6)])
        self.fields["level"].initial = RecognitionLevel.PROVINCE
        self.fields["recognised_on"].initial = timezone.localdate()


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("Revoked on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["kind", "number", "issuer", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}


class IntellectualPropertyForm(forms.ModelForm):
    class Meta:
        model = IntellectualProperty
        fields = ["kind", "title", "number", "holder", "registered_on", "expires_on"]
        widgets = {"registered_on": DateInput(), "expires_on": DateInput()}


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    group = forms.ChoiceField(
        label=_("Group"), required=False, choices=[("", _("All groups")), *ProductGroup.choices]
    )
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), (3, "★★★"), (4, "★★★★"), (5, "★★★★★")],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("valid", _("Valid")),
            ("expired", _("Expired")),
            ("revoked", _("Revoked")),
            ("never", _("Never recognised")),
        ],
    )
    producer_kind = forms.ChoiceField(
        label=_("Producer type"), required=False, choices=[("", _("All types")), *ProducerType.choices]
    )
    # Set by links from the statistics (no control of their own on the list).
    min_stars = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, n) for n in range(1, 6)],
        widget=forms.HiddenInput,
    )
    commune = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)

    def __init__(self, *args, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces"))] + [
            (p.code, p.name) for p in provinces or []
        ]


class ProducerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    kind = forms.ChoiceField(
        label=_("Producer type"), required=False, choices=[("", _("All types")), *ProducerType.choices]
    )

    def __init__(self, *args, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces"))] + [
            (p.code, p.name) for p in provinces or []
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("List file"), help_text=_(".xlsx, .xls, .ods or .csv"))
    province = forms.ModelChoiceField(
        queryset=Province.objects.none(),
        required=False,
        label=_("Province of the addresses"),
        help_text=_("For lists whose addresses do not name their province."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = placeable_provinces(user)
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.initial["province"] = provinces.get().pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.OCOP_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": round(upload.size / 1_048_576, 1),
                    "limit": round(settings.OCOP_IMPORT_MAX_BYTES / 1_048_576),
                }
            )
        return upload
