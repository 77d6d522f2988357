"""The Digital Link core: check digits, qualifier order, attributes, canonical form, EPC URNs."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.trace import codes
from ocop.trace import digitallink as dl

# ---------------------------------------------------------------------------------------------
# Check digits and the examples GS1 publishes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "digit"),
    [("0950110153000", "3"), ("893456700001", "7"), ("1061414107346", "4"), ("10614141234567890", "8")],
)
def test_check_digits_of_published_keys(body, digit):
    assert dl.check_digit(body) == digit


@pytest.mark.parametrize(
    ("urn", "canonical"),
    [
        # Tag Data Standard examples
        ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
        ("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"),
        ("urn:epc:idpat:sgtin:4012345.066666.*", "https://id.gs1.org/01/04012345666663"),
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
        ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
        ("urn:epc:id:sgln:0614141.07346.0", "https://id.gs1.org/414/0614141073467"),
        ("urn:epc:id:pgln:0614141.07346", "https://id.gs1.org/417/0614141073467"),
        ("urn:epc:id:grai:0614141.12345.400", "https://id.gs1.org/8003/00614141123452400"),
        ("urn:epc:id:giai:0614141.12345400", "https://id.gs1.org/8004/061414112345400"),
        ("urn:epc:id:sgtin:0614141.107346.A%2FB", "https://id.gs1.org/01/10614141073464/21/A%2FB"),
    ],
)
def test_epc_urns_become_canonical_digital_links_and_back(urn, canonical):
    link = dl.urn_to_link(urn)
    assert link.canonical() == canonical
    assert dl.link_to_urn(link, 7) == urn
    assert dl.canonical_key(urn) == canonical == dl.canonical_key(canonical)


def test_a_digital_link_on_any_domain_has_the_same_canonical_form():
    a = dl.parse("https://ocop.example.vn/01/8935001234562/10/L1?17=261231&linkType=all")
    b = dl.parse("http://id.gs1.org/01/08935001234562/10/L1")
    assert a == b.__class__(b.key, b.value, b.qualifiers, a.attributes)
    assert a.canonical() == b.canonical() == "https://id.gs1.org/01/08935001234562/10/L1"
    assert a.attribute("17") == "261231"
    assert a.param("linkType") == "all"
    assert a.element_string() == "(01)08935001234562(10)L1(17)261231"


# ---------------------------------------------------------------------------------------------
# What a resolver must refuse, and why
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "code", "status"),
    [
        ("/01/08935001234566", "", "check-digit", 400),  # bad check digit
        ("/01/123456789", "", "bad-length", 400),  # 9 digits: no GTIN has 9
        ("/01/08935001234562/21/5/10/L1", "", "qualifier-order", 400),  # serial before lot
        ("/01/08935001234562/10/L1/22/A", "", "qualifier-order", 400),  # CPV after lot
        ("/01/08935001234562/99/x", "", "unknown-ai", 400),  # unknown key
        ("/01/08935001234562/254/x", "", "qualifier-not-allowed", 400),  # GLN extension on a GTIN
        ("/01/08935001234562/10/L1/10/L2", "", "repeated-qualifier", 400),
        ("/01/08935001234562/10/L 1", "", "bad-character", 400),
        ("/01/08935001234562/10/" + "A" * 21, "", "too-long", 400),
        ("/01/08935001234562/10", "", "odd-path", 400),  # a qualifier without its value
        ("/01/08935001234562", "17=261301", "bad-date", 400),  # month 13
        ("/01/08935001234562", "99=1", "unknown-ai", 400),
        ("/01/08935001234562", "10=L1", "key-in-query", 400),  # a qualifier belongs in the path
        ("/99/12345", "", "unknown-ai", 400),
        ("/hello", "", "no-key", 400),
    ],
)
def test_malformed_digital_links_are_refused_with_a_reason(path, query, code, status):
    with pytest.raises(dl.DigitalLinkError) as error:
        dl.parse_path(path, query)
    assert error.value.code == code
    assert error.value.status == status
    assert str(error.value)  # a sentence a person can act on


def test_qualifiers_in_order_are_accepted_with_any_subset():
    for path in [
        "/01/08935001234562/22/V1",
        "/01/08935001234562/22/V1/21/9",
        "/01/08935001234562/10/L1/21/9",
    ]:
        assert dl.parse_path(path).path() == path


def test_day_zero_means_the_end_of_the_month():
    assert dl.parse_date("250200").isoformat() == "2025-02-28"
    assert dl.parse_date("240200").isoformat() == "2024-02-29"


def test_percent_encoded_values_are_decoded_per_segment():
    with pytest.raises(dl.DigitalLinkError):
        dl.parse_path("/01/08935001234562/10/A%20B")
    assert dl.parse_path("/01/08935001234562/10/A%2FB").lot == "A/B"
    assert dl.build("01", "08935001234562", [("10", "A/B")]).path() == "/01/08935001234562/10/A%2FB"


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

digits = st.text(string.digits, min_size=13, max_size=13)
cset82 = st.text(alphabet=sorted(dl.CSET82), min_size=1, max_size=20)


@given(digits)
def test_a_computed_check_digit_always_validates_and_any_other_does_not(body):
    right = dl.check_digit(body)
    assert dl.has_valid_check_digit(body + right)
    for wrong in set(string.digits) - {right}:
        assert not dl.has_valid_check_digit(body + wrong)


@given(digits, st.integers(0, 12), st.sampled_from(string.digits))
def test_any_single_digit_error_is_detected(body, position, replacement):
    gtin = body + dl.check_digit(body)
    changed = gtin[:position] + replacement + gtin[position + 1 :]
    assert dl.has_valid_check_digit(changed) == (changed == gtin)


@given(digits, st.one_of(st.none(), cset82), st.one_of(st.none(), cset82), st.one_of(st.none(), cset82))
def test_build_then_parse_gives_the_same_link(body, cpv, lot, serial):
    gtin = body + dl.check_digit(body)
    qualifiers = [(c, v) for c, v in (("22", cpv), ("10", lot), ("21", serial)) if v is not None]
    link = dl.build("01", gtin, qualifiers)
    assert dl.parse(link.uri("https://ocop.example.vn")) == link
    assert dl.parse(link.canonical()).canonical() == link.canonical()


@given(digits, st.integers(6, 12), cset82)
def test_urn_and_digital_link_convert_both_ways(body, prefix_length, serial):
    gtin = body + dl.check_digit(body)
    link = dl.build("01", gtin, [("21", serial)])
    urn = dl.link_to_urn(link, prefix_length)
    assert urn.startswith("urn:epc:id:sgtin:")
    assert dl.urn_to_link(urn) == link
    lot_link = dl.build("01", gtin, [("10", serial)])
    assert dl.urn_to_link(dl.link_to_urn(lot_link, prefix_length)) == lot_link


@given(st.lists(st.sampled_from(["22", "10", "21"]), min_size=2, max_size=3, unique=True))
def test_qualifiers_out_of_order_are_always_refused(order):
    path = "/01/08935001234562" + "".join(f"/{code}/X1" for code in order)
    expected = sorted(order, key=["22", "10", "21"].index)
    if order == expected:
        assert dl.parse_path(path).path() == path
    else:
        with pytest.raises(dl.DigitalLinkError) as error:
            dl.parse_path(path)
        assert error.value.code == "qualifier-order"


# ---------------------------------------------------------------------------------------------
# The platform's own codes
# ---------------------------------------------------------------------------------------------


@given(st.integers(1, 32**6 - 1))
def test_platform_codes_round_trip_and_read_as_typed(number):
    code = codes.encode(number)
    assert len(code) == 7
    assert codes.decode(code) == number
    assert codes.normalise_code(code.lower()) == code
    assert codes.normalise_code(code.replace("1", "l").replace("0", "O")) == code


@given(st.integers(1, 32**6 - 1), st.integers(0, 6), st.sampled_from(codes.ALPHABET))
def test_any_single_wrong_character_in_a_platform_code_is_detected(number, position, char):
    code = codes.encode(number)
    changed = code[:position] + char + code[position + 1 :]
    if changed != code:
        with pytest.raises(dl.DigitalLinkError):
            codes.normalise_code(changed)


@given(st.integers(1, 32**6 - 1), st.integers(0, 5))
def test_swapping_two_adjacent_characters_is_detected(number, position):
    code = codes.encode(number)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        with pytest.raises(dl.DigitalLinkError):
            codes.normalise_code(swapped)


@pytest.mark.parametrize("position", range(6))
def test_every_swap_of_neighbours_is_detected_whatever_the_characters(position):
    """Every pair of different characters at each place, the check character's place included
    (Luhn mod 32 let ``0`` and ``Z`` change places unnoticed)."""
    stem = codes.encode(12345)[:6]
    missed = []
    for x in codes.ALPHABET:
        for y in codes.ALPHABET:
            payload = stem[:position] + x + y + stem[position + 2 :]
            code = payload[:6] + codes.check_char(payload[:6])
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            if swapped == code:
                continue
            try:
                codes.normalise_code(swapped)
            except dl.DigitalLinkError:
                continue
            missed.append((code, swapped))
    assert missed == []


def test_platform_links_follow_the_digital_link_rules_for_lot_and_serial():
    code = codes.encode(42)
    link = codes.parse_platform_path(f"/t/{code}/10/L1/21/7")
    assert (link.code, link.lot, link.serial) == (code, "L1", "7")
    assert link.key() == f"ocop:t/{code}/10/L1/21/7"
    scheme = codes.PlatformScheme.for_urls("https://ocop.example.vn", "http://old.example.vn")
    assert scheme.key_of(f"http://old.example.vn/t/{code}/10/L1") == f"ocop:t/{code}/10/L1"
    assert scheme.key_of(f"https://elsewhere.vn/t/{code}/10/L1") is None
    with pytest.raises(dl.DigitalLinkError) as error:
        codes.parse_platform_path(f"/t/{code}/21/7/10/L1")
    assert error.value.code == "qualifier-order"


@pytest.mark.parametrize(
    ("path", "code", "message"),
    [
        (
            "/10/L1/22/X",
            "qualifier-not-allowed",
            "(22) cannot qualify a product code in the path; allowed there: 10, 21.",
        ),
        (
            "/21/7/10/L1",
            "qualifier-order",
            "(10) comes after (21); for a product code the order is /10/ then /21/.",
        ),
        ("/10/L1/10/L2", "repeated-qualifier", "(10) appears twice."),
        ("/99/1", "unknown-ai", "(99) is not an application identifier this resolver knows."),
        ("/10/L1/21", "odd-path", "The path ends with '21' without a value."),
    ],
)
def test_platform_paths_are_refused_by_the_digital_link_rules_in_the_same_words(path, code, message):
    with pytest.raises(dl.DigitalLinkError) as error:
        codes.parse_platform_path(f"/t/{codes.encode(42)}{path}")
    assert (error.value.code, str(error.value)) == (code, message)
