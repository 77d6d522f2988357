"""Signing in and out, and a person's own page: their roles and API tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import ApiToken


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=80)


@login_required
@require_GET
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": user.grants.select_related("province", "commune", "commune__province"),
            "memberships": user.producer_memberships.select_related("producer"),
            "tokens": user.api_tokens.order_by("-created_at"),
            "token_form": TokenForm(),
            "now": timezone.now(),
        },
    )


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
