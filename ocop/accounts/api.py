"""How API callers authenticate. Used by every app's router."""

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``, a token issued on the profile page."""

    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class Anonymous:
    """Lets a request through unauthenticated; the permission gate then shows only public rows."""

    def __call__(self, request):
        return AnonymousUser()


# Session authentication checks the CSRF token on unsafe methods.
SIGNED_IN = [TokenAuth(), SessionAuth()]
ANYONE = [TokenAuth(), SessionAuth(), Anonymous()]
