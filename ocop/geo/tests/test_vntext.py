"""Folding Vietnamese text for matching names (ocop.vntext)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.vntext import clean, fold, has_diacritics, match_key, sort_key, tone_key, words

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
vietnamese_text = st.text(
    alphabet=VIETNAMESE_LETTERS
    + VIETNAMESE_LETTERS.upper()
    + "0123456789 ,.-'()/\u0300\u0301\u0303\u0309\u0323",
    max_size=40,
)
ONSETS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "ph",
    "qu",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
NUCLEI = [
    "a",
    "ă",
    "â",
    "e",
    "ê",
    "i",
    "o",
    "ô",
    "ơ",
    "u",
    "ư",
    "y",
    "oa",
    "oe",
    "uy",
    "uê",
    "ia",
    "iê",
    "yê",
    "ua",
    "uô",
    "ưa",
    "ươ",
    "ai",
    "ao",
    "au",
    "ay",
    "âu",
    "ây",
    "eo",
    "êu",
    "iu",
    "oi",
    "ôi",
    "ơi",
    "ui",
    "ưi",
    "oai",
    "uôi",
    "ươi",
    "iêu",
    "uyê",
]
CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


@st.composite
def syllables(draw):
    """A well-formed syllable with its tone mark on any vowel, old style or new."""
    nucleus = draw(st.sampled_from(NUCLEI))
    at = draw(st.integers(0, len(nucleus) - 1))
    marked = nucleus[: at + 1] + draw(st.sampled_from(TONES)) + nucleus[at + 1 :]
    word = draw(st.sampled_from(ONSETS)) + marked + draw(st.sampled_from(CODAS))
    word = unicodedata.normalize("NFC", word)
    return word.upper() if draw(st.booleans()) else word


names = st.lists(syllables(), min_size=1, max_size=4).map(" ".join)


def test_clean_lowercases_and_turns_punctuation_into_single_spaces():
    assert clean("  Xã  Phú-Cần, (Trà Vinh) ") == "xã phú cần trà vinh"


def test_clean_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Hà Nội")
    assert clean(decomposed) == "hà nội"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hòa Bình", "Hoà Bình"),
        ("Thủy Nguyên", "Thuỷ Nguyên"),
        ("Thanh Hóa", "Thanh Hoá"),
        ("Khánh Hòa", "KHÁNH HOÀ"),
        ("Khỏe", "Khoẻ"),
        ("Tùy", "Tuỳ"),
        ("Thụy", "Thuỵ"),
    ],
)
def test_tone_key_equates_old_and_new_tone_mark_placement(a, b):
    assert tone_key(a) == tone_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Phù Mỹ", "Phú Mỹ"), ("Hoằng Đông", "Hoằng Đồng"), ("Ba Tơ", "Ba Tô"), ("Sa Pa", "Sa Pả")]
)
def test_tone_key_keeps_distinct_names_apart(a, b):
    assert tone_key(a) != tone_key(b)


def test_tone_key_value():
    assert tone_key("THUỶ  Nguyên") == "thuỷ nguyên"
    assert tone_key("Hòa Bình") == "hoà bình"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đắk Lắk", "dak lak"),
        ("Thủy Nguyên", "thuy nguyen"),
        ("Bà Rịa - Vũng Tàu", "ba ria vung tau"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "expected"), [("Ha Noi", False), ("Hà Nội", True), ("đ", True), ("Phường 14", True), ("", False)]
)
def test_has_diacritics(text, expected):
    assert has_diacritics(text) is expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Xã Quý Lộc", "Xã Quí Lộc"),
        ("Sỹ Bình", "Sĩ Bình"),
        ("Ô Long Vỹ", "Ô Long Vĩ"),
        ("Mỵ Hòa", "Mị Hoà"),
        ("Phường 01", "Phường 1"),
    ],
)
def test_match_key_equates_free_i_y_spellings_and_leading_zeros(a, b):
    assert match_key(a) == match_key(b)
    assert match_key(a, diacritics=False) == match_key(b, diacritics=False)


def test_match_key_keeps_y_that_is_not_free():
    assert match_key("Y Tý") == "y tí"
    assert match_key("Thủy") == "thuỷ"
    assert match_key("Huy") == "huy"


def test_match_key_leaves_other_digits_alone():
    assert match_key("m² 02") == "m² 2"


def test_match_key_without_diacritics():
    assert match_key("Xã Quý Lộc", diacritics=False) == "xa qui loc"


@given(st.text(max_size=60))
def test_fold_is_idempotent_on_any_text(text):
    assert fold(fold(text)) == fold(text)


@given(vietnamese_text)
def test_fold_is_idempotent_and_ascii_on_vietnamese_text(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert not has_diacritics(folded)


@given(names)
def test_tone_key_is_idempotent_and_folds_like_the_text(text):
    key = tone_key(text)
    assert tone_key(key) == key
    assert fold(key) == fold(text)


@given(names)
def test_tone_key_does_not_depend_on_where_the_tone_mark_sits(text):
    bare_words = []
    for word in text.split(" "):
        decomposed = unicodedata.normalize("NFD", word)
        tone = next((ch for ch in decomposed if ch in TONES[1:]), "")
        stripped = unicodedata.normalize("NFC", decomposed.replace(tone, "")) if tone else word
        # the same tone on the first vowel letter, wherever the text had it
        first_vowel = next((i for i, ch in enumerate(stripped.lower()) if ch in "aăâeêioôơuưy"), None)
        if tone and first_vowel is not None:
            stripped = unicodedata.normalize(
                "NFC", stripped[: first_vowel + 1] + tone + stripped[first_vowel + 1 :]
            )
        bare_words.append(stripped)
    moved = " ".join(bare_words)
    assert tone_key(moved) == tone_key(text)


@given(names)
def test_match_key_is_idempotent(text):
    for diacritics in (True, False):
        key = match_key(text, diacritics=diacritics)
        assert match_key(key, diacritics=diacritics) == key


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Bánh-tráng 40%", ["banh", "trang", "40"]),
        ("mật_ong.rừng", ["mat", "ong", "rung"]),
        ("-", []),
        ("_", []),
        ("*.%~^", []),
        ("", []),
    ],
)
def test_words_are_runs_of_letters_and_digits(text, found):
    assert words(text) == found


@given(vietnamese_text, vietnamese_text)
def test_sort_key_is_a_total_order_on_texts_whatever_their_normal_form(a, b):
    """Equal keys only for the same text; decomposed and composed spellings sort as one."""
    nfc = unicodedata.normalize
    assert (sort_key(a) == sort_key(b)) == (nfc("NFC", a) == nfc("NFC", b))
    assert sort_key(nfc("NFD", a)) == sort_key(a)
