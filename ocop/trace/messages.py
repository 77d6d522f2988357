"""The Digital Link parser's errors in the reader's language.

The parser (a pure core) words its errors in English; the resolver's pages and problem documents
say the same things through gettext, from the error's stable code and parameters.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .digitallink import DigitalLinkError

BY_CODE = {
    "empty-value": _("A value in the code is empty."),
    "too-long": _("A value in the code is longer than GS1 allows."),
    "bad-character": _("A value in the code holds characters GS1 does not allow."),
    "bad-length": _("A number in the code does not have the length GS1 requires."),
    "bad-number": _("A number in the code does not have the length GS1 requires."),
    "check-digit": _("The check digit of a number in the code is wrong."),
    "bad-date": _("A date in the code does not exist or is not written YYMMDD."),
    "unknown-ai": _("The code holds an application identifier this resolver does not know."),
    "not-a-key": _("The address does not start with a GS1 primary key (such as /01/ and a GTIN)."),
    "no-key": _("The address holds no GS1 primary key (such as /01/ and a GTIN)."),
    "odd-path": _("The address ends with an identifier without its value."),
    "qualifier-not-allowed": _("The address qualifies its key with an identifier GS1 does not allow there."),
    "qualifier-order": _("The identifiers in the address are not in the order GS1 requires."),
    "repeated-qualifier": _("The address repeats an identifier."),
    "key-in-query": _("The address repeats its key in the query string."),
    "unsupported-key": _("This resolver serves products (01); codes of other kinds are not resolved here."),
    "bad-code": _("This is not a platform product code (7 letters and digits)."),
}


def describe(error: DigitalLinkError) -> str:
    """What went wrong, in the active language. In English, the parser's own sentence: it names
    the identifier and the value, which the sentences here leave out to be translatable."""
    if (get_language() or "").startswith("en"):
        return str(error)
    if error.code == "check-digit" and error.params:
        return _("%(subject)s: the check digit should be %(expected)s, not %(given)s.") % error.params
    text = BY_CODE.get(error.code)
    return str(text) if text is not None else str(error)
