"""How API callers authenticate. Used by every app's router."""

from django.contrib.auth.models import AnonymousUser
from ninja import Schema
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


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


# Declared on every operation so the OpenAPI document lists what clients really receive: 400 for
# a body that cannot be read (not JSON, a multipart body without its boundary), 422 for values
# refused (by the schema, a service, or ocop.api's parser: text with a NUL character).
READ_ERRORS = {404: ErrorOut, 422: ValidationErrorOut}
SIGNED_IN_READ_ERRORS = {401: ErrorOut, **READ_ERRORS}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
