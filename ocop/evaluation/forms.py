"""Forms of the cycle's pages. They parse input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.registry.choices import ProductGroup

from .choices import (
    CheckOutcome,
    DocumentKind,
    DossierKind,
    Finding,
    Level,
    LocalCriterion,
    MarkerBasis,
    ReviewOutcome,
    RevocationGround,
    Rounding,
    SeatRole,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdeaForm(forms.Form):
    producer = forms.ModelChoiceField(queryset=None, label=_("Producer"))
    product = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Existing product"),
        help_text=_("Leave empty for a new product."),
    )
    name = forms.CharField(label=_("Product name"), max_length=250)
    group = forms.ChoiceField(label=_("Product group"), choices=ProductGroup.choices)
    description = forms.CharField(
        label=_("The idea"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the product is, what makes it local and distinctive, who will buy it."),
    )

    def __init__(self, *args, producers, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = producers
        self.fields["product"].queryset = products
        if producers.count() == 1:
            self.fields["producer"].initial = producers.first()


class IdeaResubmitForm(forms.Form):
    name = forms.CharField(label=_("Product name"), max_length=250)
    group = forms.ChoiceField(label=_("Product group"), choices=ProductGroup.choices)
    description = forms.CharField(label=_("The idea"), widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Answer"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the idea is returned."),
    )


class PlanForm(forms.Form):
    plan_summary = forms.CharField(
        label=_("Business plan summary"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    plan_file = forms.FileField(label=_("Business plan (PDF or images)"), required=False)


class DossierCreateForm(forms.Form):
    product = forms.ModelChoiceField(queryset=None, label=_("Product"))
    kind = forms.ChoiceField(label=_("Kind of evaluation"), choices=DossierKind.choices)
    round = forms.ModelChoiceField(queryset=None, label=_("Round"))

    def __init__(self, *args, products, rounds, offer_draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["round"].queryset = rounds
        if offer_draft:
            self.fields["draft"] = forms.BooleanField(
                required=False, label=_("Save the dossier as a draft until the criteria set is in force")
            )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG or WebP)"))
    slot = forms.CharField(widget=forms.HiddenInput)
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_slot(self):
        slot = self.cleaned_data["slot"]
        kind, _sep, code = slot.partition(":")
        if kind not in ("c", "d") or not code:
            raise forms.ValidationError(_("Choose where the file belongs."))
        return slot

    def slot_fields(self) -> dict:
        kind, _sep, code = self.cleaned_data["slot"].partition(":")
        return {"criterion": code} if kind == "c" else {"document": code}


class CheckForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=CheckOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("What must be corrected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the dossier is returned."),
    )

    def __init__(self, *args, local_criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.local_criteria = list(local_criteria)
        for code in self.local_criteria:
            self.fields[f"finding_{code}"] = forms.ChoiceField(
                label=LocalCriterion(code).label, choices=[("", "—"), *Finding.choices], required=False
            )
            self.fields[f"note_{code}"] = forms.CharField(label=_("Note"), required=False, max_length=500)

    def findings(self) -> dict:
        return {
            code: {
                "finding": self.cleaned_data.get(f"finding_{code}"),
                "note": self.cleaned_data.get(f"note_{code}"),
            }
            for code in self.local_criteria
        }


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("For example “Round 2, 2026”."))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.PROVINCE)
    province = forms.ModelChoiceField(queryset=None, label=_("Province"), required=False)
    held_on = forms.DateField(
        label=_("Date of the round"),
        widget=DATE,
        help_text=_("It decides the evaluation process that applies."),
    )

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first()
        self.fields["held_on"].initial = timezone.localdate()


class CouncilForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    quorum_numerator = forms.IntegerField(label=_("Quorum: members present"), min_value=1, initial=3)
    quorum_denominator = forms.IntegerField(label=_("out of"), min_value=1, initial=4)
    chair_required = forms.BooleanField(label=_("The chair must score"), required=False, initial=True)
    max_spread = forms.DecimalField(
        label=_("Largest spread between members (points)"),
        required=False,
        min_value=0,
        initial=10,
        help_text=_("Empty: no limit."),
    )
    decimals = forms.IntegerField(label=_("Decimals of the mean"), min_value=0, max_value=4, initial=2)
    rounding = forms.ChoiceField(label=_("Rounding"), choices=Rounding.choices)
    band_on_rounded = forms.BooleanField(label=_("Read the band from the rounded mean"), required=False)
    marker_basis = forms.ChoiceField(label=_("Star markers are met by"), choices=MarkerBasis.choices)


class SeatForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    title = forms.CharField(label=_("Position"), max_length=200, required=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this user name."))
        self.cleaned_data["user"] = user
        return username


class SittingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class AssignForm(forms.Form):
    dossier = forms.ModelChoiceField(queryset=None, label=_("Dossier awaiting a council"))

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = dossiers


class RecusalForm(forms.Form):
    reason = forms.CharField(label=_("Conflict of interest"), max_length=300)


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Decision number"), max_length=80)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    signer = forms.CharField(label=_("Signed by"), max_length=200, help_text=_("Name and position."))


class RevocationForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=RevocationGround.choices)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision_no = forms.CharField(label=_("Revocation decision number"), max_length=80)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    revoked_on = forms.DateField(
        label=_("Revoked from"), widget=DATE, required=False, help_text=_("Empty: the date of the decision.")
    )
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)


DOCUMENT_LABELS = dict(DocumentKind.choices)
