"""Signing in and out, passwords, a person's own page (roles, e-mail address, API tokens), and
officers' accounts managed by the central office and by each province."""

from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.collation import by_name
from ocop.web.confirm import ask, confirmed
from ocop.web.edge import text_param
from ocop.web.feedback import act, apply_errors
from ocop.web.paging import paginate

from . import gate, services
from .forms import EmailForm, GrantForm, OfficerForm, PasswordResetRequestForm
from .models import ApiToken, Grant, User
from .throttling import reset_allowed


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        # The header's "Sign in" link carries the page it was clicked on; from the public home
        # that says nothing, and the person goes to their work instead.
        url = super().get_redirect_url()
        return "" if url == reverse("home") else url

    def get_default_redirect_url(self):
        return services.landing_url(self.request.user)


def public_base_url(request) -> str:
    """Where links in mail point: the configured public address. Only a server without one
    (a developer's) falls back to the request's host, which Django checks against ALLOWED_HOSTS."""
    return settings.OCOP_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=80)


def _profile(request, *, email_form=None, status=200):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": user.grants.select_related("province", "commune", "commune__province"),
            "memberships": user.producer_memberships.select_related("producer"),
            "tokens": user.api_tokens.order_by("-created_at"),
            "token_form": TokenForm(),
            "email_form": email_form or EmailForm(user=user),
            "manages_accounts": gate.manages_accounts(user),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def profile(request):
    return _profile(request)


@login_required
@require_POST
def email_change(request):
    form = EmailForm(request.POST, user=request.user)
    if not form.is_valid():
        return _profile(request, email_form=form, status=400)
    services.email_change(user=request.user, email=form.cleaned_data["email"])
    messages.success(request, _("Your e-mail address is saved."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("accounts:profile")
    token, raw = services.token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])
    # Shown once: only the hash is kept.
    messages.success(
        request,
        _("New token “%(name)s”: %(key)s — copy it now, it will not be shown again.")
        % {"name": token.name, "key": raw},
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


# ---------------------------------------------------------------------------------------------
# Passwords: Django's views, with the platform's templates, audit and reset throttling
# ---------------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.audit_record(
            actor=self.request.user, action="account.password_change", obj=self.request.user
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not an account has the address, and a limit per client and per
    address asked for (settings.OCOP_PASSWORD_RESET_LIMIT an hour)."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        client_ok, address_ok = reset_allowed(self.request, form.cleaned_data["email"])
        if not client_ok:
            form.add_error(None, _("Too many requests from here. Try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if address_ok:
            # Past its own limit an address gets no more mail, and the asker the same answer.
            form.save(base_url=public_base_url(self.request))
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"days": settings.PASSWORD_RESET_TIMEOUT // 86400}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever holds the mailbox may sign in again at once, without waiting out a lock that
        # failed guesses at this username put on it.
        axes_reset(username=form.user.get_username())
        services.audit_record(actor=None, action="account.password_reset", obj=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# ---------------------------------------------------------------------------------------------
# Officers' accounts: the central office any, a province its own (ocop.accounts.gate)
# ---------------------------------------------------------------------------------------------


def _managed(request):
    """The accounts the person may manage; 404 for anyone who manages none."""
    if not gate.manages_accounts(request.user):
        raise Http404
    return gate.accounts_in_reach(User.objects.all(), request.user)


def _grants():
    return Prefetch(
        "grants",
        queryset=Grant.objects.select_related("province", "commune", "commune__province").order_by(
            "role", "pk"
        ),
    )


@login_required
@require_GET
def officer_list(request):
    accounts = _managed(request).filter(grants__isnull=False).distinct()
    query = text_param(request.GET, "q")
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    page = paginate(
        request,
        accounts.prefetch_related(_grants()).order_by(
            "-is_active", *by_name("first_name", "last_name"), "username"
        ),
    )
    return render(
        request,
        "accounts/officer_list.html",
        {"page": page, "q": query, "query": urlencode({"q": query}) if query else ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request):
    _managed(request)
    form = OfficerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.officer_create(
                actor=request.user, **form.account(), **form.grant(), base_url=public_base_url(request)
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Account opened: a link to choose a password was sent to %(email)s.")
                % {"email": user.email},
            )
            return redirect("accounts:officer_detail", pk=user.pk)
    return render(request, "accounts/officer_form.html", {"form": form}, status=400 if form.errors else 200)


def _account_or_404(request, pk):
    return get_object_or_404(_managed(request).prefetch_related(_grants()), pk=pk)


@login_required
@require_GET
def officer_detail(request, pk):
    account = _account_or_404(request, pk)
    return _officer_page(request, account, GrantForm(actor=request.user))


def _officer_page(request, account, grant_form, status=200):
    grants = [(grant, gate.may_grant(request.user, **_where(grant))) for grant in account.grants.all()]
    return render(
        request,
        "accounts/officer_detail.html",
        {
            "account": account,
            "grants": grants,
            "grant_form": grant_form,
            "is_self": account.pk == request.user.pk,
        },
        status=status,
    )


def _where(grant) -> dict:
    return {"role": grant.role, "province": grant.province, "commune": grant.commune}


@login_required
@require_POST
def grant_add(request, pk):
    account = _account_or_404(request, pk)
    form = GrantForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            services.grant_add(actor=request.user, user=account, **form.grant())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:officer_detail", pk=account.pk)
    return _officer_page(request, account, form, status=400)


@login_required
@require_POST
def grant_remove(request, pk):
    grant = get_object_or_404(
        Grant.objects.select_related("province", "commune", "user"), pk=pk, user__in=_managed(request)
    )
    act(
        request, lambda: services.grant_remove(actor=request.user, grant=grant), success=_("Role taken back.")
    )
    return redirect("accounts:officer_detail", pk=grant.user_id)


def _set_active(request, pk, *, active: bool, success: str):
    account = _account_or_404(request, pk)
    act(
        request,
        lambda: services.officer_set_active(actor=request.user, user=account, active=active),
        success=success,
    )
    return redirect("accounts:officer_detail", pk=account.pk)


@login_required
@require_POST
def officer_deactivate(request, pk):
    if not confirmed(request):
        account = _account_or_404(request, pk)
        return ask(
            request,
            title=_("Deactivate the account"),
            consequence=_("The account can no longer sign in or use its API tokens until it is reactivated."),
            facts=[(_("Account"), account.get_full_name() or account.username)],
            back=reverse("accounts:officer_detail", args=[account.pk]),
            final=False,
        )
    return _set_active(request, pk, active=False, success=_("Account deactivated: it can no longer sign in."))


@login_required
@require_POST
def officer_reactivate(request, pk):
    return _set_active(request, pk, active=True, success=_("Account reactivated."))


@login_required
@require_POST
def officer_password_mail(request, pk):
    account = _account_or_404(request, pk)
    if not account.is_active or not account.email:
        messages.error(request, _("Only an active account with an e-mail address can be sent a link."))
    else:
        services.password_mail(user=account, base_url=public_base_url(request))
        messages.success(
            request, _("A link to choose a password was sent to %(email)s.") % {"email": account.email}
        )
    return redirect("accounts:officer_detail", pk=account.pk)
