"""Tax codes and GTINs: normalised when right, refused with a usable message when wrong."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from ocop.registry.identifiers import IdentifierError, display_gtin, normalise_gtin, normalise_tax_code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0100233488", "0100233488"),
        ("01.00.233.488", "0100233488"),
        (" 0100 233 488 ", "0100233488"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("079201012345", "079201012345"),  # 12-digit personal number (household businesses since 7/2025)
    ],
)
def test_valid_tax_codes(raw, expected):
    assert normalise_tax_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0100233489", "checksum"),
        ("12345", "length"),
        ("01002334AB", "format"),
        ("", "empty"),
        ("999201012345", "format"),  # no such place code
    ],
)
def test_invalid_tax_codes(raw, code):
    with pytest.raises(IdentifierError) as error:
        normalise_tax_code(raw)
    assert error.value.code == code
    assert raw.strip() in str(error.value) or code == "empty"


@pytest.mark.parametrize(
    ("raw", "expected", "shown"),
    [
        ("8934563138165", "08934563138165", "8934563138165"),
        ("08934563138165", "08934563138165", "8934563138165"),
        ("96385074", "00000096385074", "96385074"),
        ("036000291452", "00036000291452", "036000291452"),
    ],
)
def test_valid_gtins(raw, expected, shown):
    assert normalise_gtin(raw) == expected
    assert display_gtin(expected) == shown


def test_a_wrong_check_digit_says_which_digit_was_expected():
    with pytest.raises(IdentifierError) as error:
        normalise_gtin("8934563138166")
    assert error.value.code == "checksum"
    assert str(error.value) == "GTIN '8934563138166': the check digit should be 5, not 6."


@pytest.mark.parametrize("raw", ["893456313816", "89345631381650", "89345abc38165", "123"])
def test_malformed_gtins(raw):
    with pytest.raises(IdentifierError):
        normalise_gtin(raw)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_twelve_digits_with_their_check_digit_make_a_gtin13(body):
    gtin = body + ean.calc_check_digit(body)
    assert normalise_gtin(gtin) == "0" + gtin
    wrong = body + str((int(ean.calc_check_digit(body)) + 1) % 10)
    with pytest.raises(IdentifierError):
        normalise_gtin(wrong)


REFUSED = [
    ("tax_code", normalise_tax_code, "0100233489"),
    ("tax_code", normalise_tax_code, "12345"),
    ("tax_code", normalise_tax_code, "01002334AB"),
    ("tax_code", normalise_tax_code, "999201012345"),
    ("tax_code", normalise_tax_code, " "),
    ("gtin", normalise_gtin, "8934563138166"),
    ("gtin", normalise_gtin, "123"),
    ("gtin", normalise_gtin, "89345abc38165"),
    ("gtin", normalise_gtin, ""),
]


@pytest.mark.parametrize(("kind", "normalise", "raw"), REFUSED)
def test_refusals_are_worded_for_people_as_the_core_words_them(kind, normalise, raw):
    """Forms, the API and import reports word a refusal through gettext (the pure core cannot);
    in English that wording is the core's own, for every kind of refusal."""
    from django.utils import translation

    from ocop.registry.services import identifier_message

    with pytest.raises(IdentifierError) as error:
        normalise(raw)
    message = identifier_message(kind, error.value, raw)  # worded when shown, in that language
    with translation.override("en"):
        assert str(message) == str(error.value)
