"""Forms of traceability pages: short, one column on a phone, plain words."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import Province

from .choices import LinkType, ReportKind, StepKind, Unit
from .labels import LAYOUTS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _provinces():
    return Province.objects.current().alphabetical()


class BatchForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    lot = forms.CharField(
        label=_("Lot number"),
        max_length=20,
        help_text=_("As printed on the pack, e.g. L2511-01. Letters without accents, digits, - . / _"),
    )
    produced_on = forms.DateField(label=_("Production date"), widget=DateInput())
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=DateInput())
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=12, decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.PIECE)
    raw_material_area = forms.CharField(
        label=_("Raw-material area"),
        max_length=200,
        required=False,
        help_text=_("Where the raw materials come from: the field, garden, farm or village."),
    )

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["produced_on"].initial = timezone.localdate()


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=StepKind.choices)
    happened_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    place = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("The field or workshop; for shipping, the shop's name and address."),
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=None, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        min_value=0,
        max_digits=12,
        decimal_places=3,
        required=False,
        help_text=_("Leave empty for the whole batch."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _provinces()
        self.fields["happened_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class LabelsForm(forms.Form):
    count = forms.IntegerField(label=_("How many labels"), min_value=1, max_value=10_000, initial=24)
    per_page = forms.TypedChoiceField(
        label=_("Labels per page"),
        coerce=int,
        choices=[(n, _("%(n)s per A4 page") % {"n": n}) for n in LAYOUTS],
        initial=24,
    )
    format = forms.ChoiceField(label=_("File"), choices=[("pdf", "PDF"), ("svg", "SVG")], initial="pdf")


class LinkForm(forms.Form):
    link_type = forms.ChoiceField(label=_("Link type"), choices=LinkType.choices)
    href = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("any")), ("vi", "Tiếng Việt"), ("en", "English")]
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is wrong?"), choices=ReportKind.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Details (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not write your name, phone number or address."),
    )
    province = forms.ModelChoiceField(
        label=_("Where did you see it? (optional)"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _provinces()


class LocateForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Your province"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _provinces()
