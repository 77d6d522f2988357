"""Forms of a person's own account (e-mail address, password reset request) and of officers'
accounts (open one, give a role). They check input; the rules live in the gate and services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import Commune, Province

from . import gate, services
from .choices import Action, Role
from .models import User


class EmailForm(forms.Form):
    """A person's own address, where password links are sent. Changing it asks for the password,
    so that someone at an unlocked screen cannot redirect the account's reset mail."""

    email = forms.EmailField(label=_("E-mail address"), required=False)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email"].initial = user.email

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if services.email_taken(email, exclude_pk=self.user.pk):
            raise forms.ValidationError(_("Another active account uses this address."))
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    """Django's form, with two differences: accounts an office opened, which have no password
    yet, may ask for a link too (this platform signs in only with passwords), and the link is
    built on the public address (the ``base_url`` the view passes), not on the Host header."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email):
        return User.objects.filter(is_active=True, email__iexact=email.strip()).exclude(email="")

    def save(self, *, base_url: str, **_ignored):
        for user in self.get_users(self.cleaned_data["email"]):
            services.password_mail(user=user, base_url=base_url)


class GrantForm(forms.Form):
    """A role with its jurisdiction, offered only as far as the person filling it in may grant."""

    role = forms.ChoiceField(label=_("Role"))
    province = forms.ModelChoiceField(queryset=Province.objects.none(), required=False, label=_("Province"))
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(),
        required=False,
        label=_("Commune"),
        help_text=_("For a commune officer: choose the province first."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        roles = [Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER]
        if gate.actor_of(actor).is_central:
            roles.insert(0, Role.CENTRAL)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        provinces = gate.restrict(Province.objects.current(), actor, Action.PLACE).alphabetical()
        self.fields["province"].queryset = provinces
        chosen = self.data.get(self.add_prefix("province")) or self.initial.get("province")
        if not chosen and provinces.count() == 1:
            chosen = provinces.get().pk
            self.initial["province"] = chosen
        communes = gate.restrict(Commune.objects.current(), actor, Action.PLACE)
        chosen = chosen if str(chosen).isdigit() else None
        self.fields["commune"].queryset = (
            communes.filter(province_id=chosen).alphabetical() if chosen else communes.none()
        )

    def clean(self):
        data = super().clean()
        role, province, commune = data.get("role"), data.get("province"), data.get("commune")
        if role == Role.CENTRAL:
            data["province"] = data["commune"] = None
        elif role == Role.PROVINCE_OFFICER:
            if province is None:
                self.add_error("province", _("Choose the province."))
            data["commune"] = None
        elif role == Role.COMMUNE_OFFICER:
            if commune is None:
                self.add_error("commune", _("Choose the commune."))
            data["province"] = None
        return data

    def grant(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("role", "province", "commune")}


class OfficerForm(GrantForm):
    """A new officer's account and first role. No password: the person chooses it from the link
    mailed to them, so the address is required."""

    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()], help_text=""
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("The link to choose a password is sent here.")
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    field_order = ["username", "last_name", "first_name", "email", "phone", "role", "province", "commune"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if services.email_taken(email):
            raise forms.ValidationError(_("Another active account uses this address."))
        return email

    def account(self) -> dict:
        return {
            key: self.cleaned_data[key] for key in ("username", "first_name", "last_name", "email", "phone")
        }
