"""Forms of the monitoring pages. They parse input; selectors and services decide what it means."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.concurrency import VersionedForm
from ocop.registry.choices import ProducerType

from . import selectors
from .choices import Measure


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


BOUNDARY_CHOICES = [
    (selectors.CURRENT_BOUNDARIES, _("Current (34 provinces)")),
    (selectors.HISTORICAL_BOUNDARIES, _("In force on that day")),
]


class StatsForm(forms.Form):
    as_of = forms.DateField(
        label=_("Valid on"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )
    boundaries = forms.ChoiceField(label=_("Boundaries"), required=False, choices=BOUNDARY_CHOICES)
    province = forms.CharField(
        label=_("Province"),
        required=False,
        max_length=80,
        help_text=_("Code or name; empty: the whole country."),
        widget=forms.TextInput(attrs={"list": "stats-provinces", "autocomplete": "off"}),
    )


class DashboardForm(forms.Form):
    as_of = forms.DateField(label=_("On"), required=False, widget=DateInput(), help_text=_("Empty: today."))
    boundaries = forms.ChoiceField(label=_("Boundaries"), required=False, choices=BOUNDARY_CHOICES)


class TargetForm(VersionedForm):
    """A province's target (the central office may also set national ones)."""

    province = forms.ModelChoiceField(
        label=_("Province"), queryset=None, required=False, empty_label=_("The whole country")
    )
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        required=False,
        coerce=int,
        empty_value=0,
        choices=[("", "—"), (3, "3★"), (4, "4★"), (5, "5★")],
        help_text=_("For measures of stars."),
    )
    producer_kind = forms.ChoiceField(
        label=_("Producer type"),
        required=False,
        choices=[("", "—"), *ProducerType.choices],
        help_text=_("For shares of a producer type."),
    )
    period_start = forms.DateField(label=_("Period starts"), widget=DateInput())
    period_end = forms.DateField(label=_("Period ends"), widget=DateInput())
    value = forms.DecimalField(
        label=_("Target value"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("A count, or a percentage for shares."),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=400)

    def __init__(self, *args, provinces, allow_national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["province"].required = not allow_national


class ReportForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2019, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(1, "I"), (2, "II"), (3, "III"), (4, "IV")]
    )
    boundaries = forms.ChoiceField(
        label=_("Boundaries"),
        choices=[
            (selectors.CURRENT_BOUNDARIES, _("Current (34 provinces)")),
            (selectors.HISTORICAL_BOUNDARIES, _("In force at the end of the quarter")),
        ],
    )
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("pdf", "PDF")])

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces


class CraftVillageForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    craft = forms.CharField(label=_("Craft"), max_length=200, required=False)
    is_traditional = forms.BooleanField(label=_("Traditional craft village"), required=False)
    province = forms.ModelChoiceField(label=_("Province"), queryset=None, empty_label=None)
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=None, required=False)
    recognised_on = forms.DateField(label=_("Recognised on"), required=False, widget=DateInput())
    decision_no = forms.CharField(label=_("Recognition decision"), max_length=80, required=False)
    producers = forms.ModelMultipleChoiceField(
        label=_("Producers of the village"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Producers of the province; hold Ctrl to choose several."),
    )

    def __init__(self, *args, provinces, communes, producers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["commune"].queryset = communes
        self.fields["producers"].queryset = producers
