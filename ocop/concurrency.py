"""Optimistic concurrency for edits: no edit made from a stale copy silently undoes another.

A versioned record carries a ``version`` number that every write raises by one in the same
UPDATE: ``save()``, ``QuerySet.update()`` and ``bulk_update()`` (which imports use) alike, so
any writer makes older copies stale without knowing about this module.

Whoever edits holds a *token* of the record as they read it: its version, then a short keyed
fingerprint of each editable field. An edit form carries the token in a hidden field; the API
hands it out as the ``ETag`` and takes it back in ``If-Match``. A service given a token locks the
row and, when the version moved on, refuses the edit with :class:`EditConflict` before writing
anything. The version alone decides; the fingerprints only tell which fields changed since, so
that the person sees what someone else saved next to what they sent.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import models
from django.http import JsonResponse, QueryDict
from django.utils import formats
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop import cells

_DIGEST_BYTES = 3  # per field: names changed fields; a collision could only leave one unnamed
_SALT = "ocop.concurrency.field"


class VersionedQuerySet(models.QuerySet):
    """``update()`` (and so ``bulk_update()``) raises the version of every row it writes."""

    def update(self, **kwargs):
        kwargs.setdefault("version", models.F("version") + 1)
        return super().update(**kwargs)


class Versioned(models.Model):
    """A record whose edits are checked against the version they were made from."""

    version = models.PositiveIntegerField(
        gettext_lazy("version"),
        default=1,
        editable=False,
        help_text=gettext_lazy("Raised by every change; an edit made from an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            return super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if not update_fields:
                return super().save(*args, **kwargs)
            kwargs["update_fields"] = {*update_fields, "version"}
        known = self.version
        # In the UPDATE itself, so that two writers who did not lock cannot both write version n+1.
        self.version = models.F("version") + 1
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = known
            raise
        self.refresh_from_db(fields=["version"])

    def versioned_values(self) -> dict[str, object]:
        """What a token fingerprints, by name: every editable field (foreign keys as ids). A
        model adds what its edit form changes outside its own row (and then raises its version
        when that changes)."""
        return {f.name: getattr(self, f.attname) for f in tracked_fields(type(self))}


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def tracked_fields(model) -> list[models.Field]:
    """The fields a token fingerprints: every editable concrete field, in declaration order."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def _canonical(value) -> str:
    """One spelling per value, whether it comes from the database or from a form."""
    if value is None or value == "":
        return ""
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return ",".join(sorted(_canonical(item) for item in value))
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _digest(value) -> bytes:
    # Keyed, so that a token handed out in an ETag tells nothing about the values it covers.
    return salted_hmac(_SALT, _canonical(value), algorithm="sha256").digest()[:_DIGEST_BYTES]


def token(record: Versioned) -> str:
    """``<version>.<fingerprints>`` of the record as it is in memory. A record not saved yet
    (a form that will create it) is version 0, which no stored row has: if someone else creates
    it first, the edit is refused like any other made from a stale copy."""
    digests = b"".join(_digest(value) for value in record.versioned_values().values())
    version = 0 if record._state.adding else record.version
    return f"{version}.{base64.urlsafe_b64encode(digests).decode().rstrip('=')}"


def _parse(text: str | None) -> tuple[int, list[bytes] | None] | None:
    """(version, per-field digests or None if unreadable), or None when no version is readable."""
    version, _sep, encoded = (text or "").strip().partition(".")
    if not (version.isascii() and version.isdigit()) or len(version) > 18:
        return None
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        raw = b""
    digests = [raw[i : i + _DIGEST_BYTES] for i in range(0, len(raw), _DIGEST_BYTES)]
    return int(version), digests or None


def changed_since(record: Versioned, text: str | None) -> list[str] | None:
    """Names of the fields whose value differs from the token's; None if it cannot be told
    (no token, or one made for another set of fields)."""
    loaded = _loaded_digests(record, text)
    if loaded is None:
        return None
    return [name for name, value in record.versioned_values().items() if _digest(value) != loaded[name]]


def _loaded_digests(record: Versioned, text: str | None) -> dict[str, bytes] | None:
    parsed = _parse(text)
    names = list(record.versioned_values())
    if parsed is None or parsed[1] is None or len(parsed[1]) != len(names):
        return None
    return dict(zip(names, parsed[1], strict=True))


class EditConflict(Exception):
    """An edit made from an older version of the record, refused before anything was written.

    ``record`` is the record as it is now, ``changed`` the fields changed since the editor's
    copy (None when that cannot be told), ``token`` the current token."""

    def __init__(self, record: Versioned, changed: list[str] | None):
        self.record = record
        self.changed = changed
        self.token = token(record)
        super().__init__(f"{record._meta.label} {record.pk} changed since the edit's copy: {changed}")


def ensure_current(record: Versioned, expected: str | Sequence[str] | None) -> None:
    """Refuse an edit whose copy is not the current version of ``record`` (locked by the
    caller). ``expected`` is the token the edit was made from, or several (an If-Match list);
    None means the caller asked for no check (imports, commands, API calls without If-Match)."""
    if expected is None:
        return
    candidates = [expected] if isinstance(expected, str) else list(expected)
    readable = [p for p in map(_parse, candidates) if p is not None]
    if any(version == record.version for version, _digests in readable):
        return
    readable_text = next((c for c in candidates if _parse(c) is not None), None)
    raise EditConflict(record, changed_since(record, readable_text))


# ---------------------------------------------------------------------------------------------
# HTTP: ETag and If-Match
# ---------------------------------------------------------------------------------------------

_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def etag(record: Versioned) -> str:
    """A strong ETag: the record's token. It changes with every write to the record."""
    return f'"{token(record)}"'


class PreconditionRequired(Exception):
    """A write without If-Match where the site requires it (``OCOP_API_REQUIRE_IF_MATCH``)."""

    def __init__(self, model):
        self.model = model
        super().__init__(f"{model._meta.label}: If-Match required")


def if_match_tokens(header: str | None, model) -> list[str] | None:
    """The tokens an If-Match header names, for :func:`ensure_current`; None (no check) when
    there is no header, or it is ``*`` (any version of a record that exists).

    A weak form (``W/"..."``) of one of our tags counts as the same version: compression in
    front of the application (nginx ``gzip``) weakens strong ETags in transit, and the version
    inside still names exactly one state of the record."""
    if header is None or not header.strip():
        if settings.OCOP_API_REQUIRE_IF_MATCH:
            raise PreconditionRequired(model)
        return None
    if header.strip() == "*":
        return None
    return _TAG.findall(header) or [header.strip()]


def problem(status: int, detail: str, **extra) -> JsonResponse:
    """An RFC 9457 problem response (its ``detail`` also reads like every other API error's)."""
    title = {412: "Precondition Failed", 428: "Precondition Required"}[status]
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def conflict_response(conflict: EditConflict) -> JsonResponse:
    values = {"record": conflict.record._meta.verbose_name}
    if conflict.changed:
        values["fields"] = ", ".join(conflict.changed)
        detail = _(
            "This %(record)s was changed after the version named in If-Match (fields: %(fields)s)."
            " Nothing was saved: read it again, re-apply your change and send its new ETag."
        )
    else:
        detail = _(
            "If-Match does not name the current version of this %(record)s. Nothing was saved:"
            " read it again, re-apply your change and send its new ETag."
        )
    response = problem(412, capfirst(detail % values), changed_fields=conflict.changed)
    response["ETag"] = f'"{conflict.token}"'
    return response


def precondition_required_response(exc: PreconditionRequired) -> JsonResponse:
    detail = _(
        "Send the %(record)s's ETag in If-Match (read it with GET first), so that no one else's"
        " change is lost."
    ) % {"record": exc.model._meta.verbose_name}
    return problem(428, capfirst(detail))


# The OpenAPI declarations of the above, for the operations that use them.
_ETAG_HEADER = {
    "ETag": {
        "description": "Strong entity tag of the record's current version; send it back in If-Match.",
        "schema": {"type": "string"},
    }
}
_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "changed_fields": {
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
            "description": "Fields changed since the version named in If-Match (null: unknown).",
        },
    },
}
IF_MATCH_DESCRIPTION = (
    "The ETag of the copy this change was made from. If the record changed since, nothing is"
    " written and the answer is 412 naming the changed fields. Optional unless the site sets"
    " OCOP_API_REQUIRE_IF_MATCH (then 428 without it)."
)
# Status codes as integers, as django-ninja keys its own responses: a "200" string beside
# ninja's 200 made the document hold the key twice, and Swagger UI refuses such a document.
READ_OPENAPI = {"responses": {200: {"headers": _ETAG_HEADER}}}
WRITE_OPENAPI = {
    "responses": {
        200: {"headers": _ETAG_HEADER},
        412: {
            "description": "The record changed since the version named in If-Match; nothing was saved.",
            "headers": _ETAG_HEADER,
            "content": {"application/problem+json": {"schema": _PROBLEM}},
        },
        428: {
            "description": "If-Match is required on this site and was not sent; nothing was saved.",
            "content": {"application/problem+json": {"schema": _PROBLEM}},
        },
    }
}


# ---------------------------------------------------------------------------------------------
# Edit forms
# ---------------------------------------------------------------------------------------------


def _shown(field: forms.Field, value) -> str:
    """A value as a person reads it in a message."""
    if isinstance(value, (list, tuple, models.QuerySet)):
        return ", ".join(str(item) for item in value) or _("(empty)")
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("ticked") if value else _("not ticked")  # as the form's box shows it
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime)):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(field, forms.ModelChoiceField):
        labels = {}
        for key, label in choices:
            if isinstance(label, (list, tuple)):
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        value = labels.get(str(value), value)
    return Truncator(str(value)).chars(160)


def _as_data(field: forms.Field, value) -> str:
    """A value as the browser would post it for ``field``."""
    value = field.prepare_value(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return cells.plain(value)


class VersionedForm(forms.Form):
    """Base of an edit form of a versioned record (mix it in before ``forms.ModelForm``).

    It carries the token of the record as loaded in the hidden ``version`` field; after a
    refusal, :meth:`refused` gives the form to show instead."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __new__(cls, *args, **kwargs):
        form = super().__new__(cls)
        form._made_with = (args, dict(kwargs))  # to make the same form again with other data
        return form

    def __init__(self, *args, record: Versioned | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record if record is not None else getattr(self, "instance", None)
        if self.record is not None:
            self.initial["version"] = token(self.record)

    def _theirs(self, record, name, current):
        """The current value of a field as the form holds it (a related row, not its id)."""
        field = self.fields[name]
        if isinstance(field, forms.ModelMultipleChoiceField):
            return list(field.queryset.filter(pk__in=current[name]))
        if isinstance(field, forms.ModelChoiceField):
            return getattr(record, name)
        return current[name]

    def refused(self, conflict: EditConflict) -> VersionedForm:
        """The form to show after ``conflict``: nothing was saved. It now carries the current
        token. A field someone else changed and this person did not takes their value; one both
        changed keeps this person's; each is explained with both values."""
        record, sent = conflict.record, self.cleaned_data
        current = record.versioned_values()
        loaded = _loaded_digests(record, sent.get("version")) or {}
        changed = conflict.changed
        unknown_base = changed is None
        if unknown_base:
            # No readable copy: show every field where the record differs from what was sent.
            changed = [
                name
                for name in self.fields
                if name in current and _digest(current[name]) != _digest(sent.get(name))
            ]
        data = self.data.copy() if hasattr(self.data, "setlist") else QueryDict(mutable=True)
        if not hasattr(self.data, "setlist"):  # a form made from a plain dict (in code, not a request)
            for key, value in self.data.items():
                data.setlist(key, value if isinstance(value, (list, tuple)) else [value])
        data["version"] = conflict.token
        notes: dict[str, str] = {}
        elsewhere = []
        for name in changed:
            if name not in self.fields:
                elsewhere.append(str(getattr(record._meta.get_field(name), "verbose_name", name)))
                continue
            field, theirs, yours = self.fields[name], self._theirs(record, name, current), sent.get(name)
            untouched = name in loaded and _digest(yours) == loaded[name]
            values = {"theirs": _shown(field, theirs), "yours": _shown(field, yours)}
            if untouched:
                if getattr(field.widget, "allow_multiple_selected", False):
                    data.setlist(name, [str(item) for item in field.prepare_value(theirs)])
                else:
                    data[name] = _as_data(field, theirs)
                notes[name] = (
                    _(
                        "Changed by someone else after you opened the form: they saved “%(theirs)s”,"
                        " you sent “%(yours)s”. The field now holds their value."
                    )
                    % values
                )
            elif unknown_base:
                notes[name] = _("The record holds “%(theirs)s”; you sent “%(yours)s”.") % values
            else:
                notes[name] = (
                    _(
                        "Changed by someone else after you opened the form: they saved “%(theirs)s”,"
                        " you sent “%(yours)s”. The field keeps your value: choose which to keep."
                    )
                    % values
                )
        args, kwargs = self._made_with
        kwargs = {key: value for key, value in kwargs.items() if key != "data"}
        kwargs["instance" if isinstance(self, forms.BaseModelForm) else "record"] = record
        form = type(self)(data, *args[1:], **kwargs)
        form.is_valid()
        what = record._meta.verbose_name
        if unknown_base:
            form.add_error(
                None,
                _(
                    "This form did not say which version of the %(record)s it was opened on (it may"
                    " be older than the site's last update), so nothing was saved. Check the fields"
                    " marked below and save again."
                )
                % {"record": what},
            )
        else:
            form.add_error(
                None,
                _(
                    "Someone else saved this %(record)s after you opened the form, so nothing was"
                    " saved. Their changes are marked below and your own changes are still in the"
                    " form: check them and save again."
                )
                % {"record": what},
            )
        if elsewhere:
            form.add_error(
                None,
                _("Also changed, outside this form: %(fields)s.") % {"fields": ", ".join(elsewhere)},
            )
        for name, message in notes.items():
            form.add_error(name, message)
        return form


class VersionedAdminForm(VersionedForm):
    """Mixed into a Django admin change form: a save made from an older copy is refused with the
    fields changed since. The admin saves in the transaction that validated the form, so the row
    locked here stays locked until the save."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = type(self.instance)._default_manager.select_for_update().get(pk=self.instance.pk)
            try:
                ensure_current(current, cleaned.get("version"))
            except EditConflict as conflict:
                names = [
                    str(getattr(current._meta.get_field(name), "verbose_name", name))
                    for name in conflict.changed or []
                ]
                raise forms.ValidationError(
                    _(
                        "Someone else saved this %(record)s after you opened the form, so nothing was"
                        " saved. Open it again to see their changes (%(fields)s) and make yours again."
                    )
                    % {"record": current._meta.verbose_name, "fields": ", ".join(names) or "—"}
                ) from None
        return cleaned
