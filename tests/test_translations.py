"""The Vietnamese catalogue is complete, and the committed .mo says what the .po says."""

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

LOCALE = Path(__file__).resolve().parents[1] / "ocop" / "locale" / "vi" / "LC_MESSAGES"


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(block: str) -> str:
    joined = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), joined)


def po_entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:
        if not block.strip() or block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or re.search(r"^#,.*fuzzy", block, re.M) is not None
        msgid = _unquote(re.search(r"^msgid ((?:\".*\"\n?)+)", block, re.M).group(1))
        context = re.search(r"^msgctxt ((?:\".*\"\n?)+)", block, re.M)
        if context:  # a .mo keeps a pgettext entry under "context\x04msgid"
            msgid = _unquote(context.group(1)) + "\x04" + msgid
        plural_id = re.search(r"^msgid_plural ((?:\".*\"\n?)+)", block, re.M)
        plural = re.search(r"^msgstr\[0\] ((?:\".*\"\n?)+)", block, re.M)
        single = re.search(r"^msgstr ((?:\".*\"\n?)+)", block, re.M)
        msgstr = _unquote((plural or single).group(1))
        entries.append((msgid, msgstr, fuzzy, _unquote(plural_id.group(1)) if plural_id else None))
    return entries


def test_every_message_has_a_vietnamese_translation():
    entries = po_entries()
    assert len(entries) > 300
    untranslated = [msgid for msgid, msgstr, fuzzy, _plural in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_placeholders_survive_translation():
    for msgid, msgstr, _fuzzy, plural in po_entries():
        # Vietnamese has one plural form, written from the plural msgid.
        source = plural if plural is not None else msgid
        assert sorted(set(re.findall(r"%\(\w+\)s", source))) == sorted(
            set(re.findall(r"%\(\w+\)s", msgstr))
        ), msgid


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for msgid, msgstr, _fuzzy, plural in po_entries():
        if plural is not None:
            continue  # plural entries are looked up with ngettext; msgfmt checked their format
        assert catalogue.gettext(msgid) == msgstr, (
            f"django.mo is stale for {msgid!r}: run ./scripts/translations"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "Sản phẩm OCOP Việt Nam"), ("en", "OCOP products of Viet Nam")],
)
def test_pages_speak_the_chosen_language(language, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get("/").content.decode()
    assert f'<html lang="{language}">' in page
    assert expected in page


@pytest.mark.django_db
def test_vietnamese_is_the_default_when_the_browser_asks_for_neither():
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/").content.decode()
    assert '<html lang="vi">' in page
