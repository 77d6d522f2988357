"""The statistics page's form. It parses input; the selector decides what it means."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StatsForm(forms.Form):
    as_of = forms.DateField(
        label=_("Valid on"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )
    boundaries = forms.ChoiceField(
        label=_("Boundaries"),
        required=False,
        choices=[
            (selectors.CURRENT_BOUNDARIES, _("Current (34 provinces)")),
            (selectors.HISTORICAL_BOUNDARIES, _("In force on that day")),
        ],
    )
    province = forms.CharField(
        label=_("Province"),
        required=False,
        max_length=80,
        help_text=_("Code or name; empty: the whole country."),
        widget=forms.TextInput(attrs={"list": "stats-provinces", "autocomplete": "off"}),
    )
