"""Vietnamese text folding for matching names the way people type them.

A pure core. Two keys:

* :func:`tone_key` keeps diacritics but puts tone marks where the "new" convention puts
  them, so "Hoà"/"Hòa" and "Thuỷ"/"Thủy" compare equal; case and spacing are folded.
* :func:`fold` drops every diacritic ("Đắk Lắk" -> "dak lak") for input typed without them.
"""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\u2010-\u2015\-_.,;:/\\()\[\]{}\"'`’‘“”!?*#&+|]")

# The five tone marks as combining characters (NFD).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aeiouyăâêôơư")


def _retone_syllable(syllable: str) -> str:
    """Move the tone mark of one lower-case NFC syllable to its "new style" vowel.

    For "oa", "oe", "uy" the traditional style puts the mark on the first vowel (hòa, thủy)
    and the 1980s school style on the second (hoà, thuỷ). We normalise to the latter; either
    way both spellings get the same key.
    """
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((ch for ch in decomposed if ch in _TONES), None)
    if tone is None:
        return syllable
    bare = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
    # Positions of vowels in the toneless syllable.
    vowel_positions = [i for i, ch in enumerate(bare) if ch in _VOWELS]
    if not vowel_positions:
        return syllable
    # "qu" and "gi": the u / i belong to the consonant.
    if bare.startswith(("qu", "gi")) and len(vowel_positions) > 1 and vowel_positions[0] == 1:
        vowel_positions = vowel_positions[1:]
    vowels = "".join(bare[i] for i in vowel_positions)
    ends_with_vowel = vowel_positions[-1] == len(bare) - 1
    # A vowel with its own diacritic (ơ, ê, â, ă, ô, ư) takes the tone; ươ takes it on ơ.
    marked = [i for i in vowel_positions if bare[i] in "ăâêôơư"]
    if marked:
        target = marked[-1]
    elif len(vowel_positions) == 1:
        target = vowel_positions[0]
    elif vowels in ("oa", "oe", "uy") or not ends_with_vowel:
        # hoà, khoẻ, thuỷ; toàn, quyết: closed syllables put it on the 2nd vowel too.
        target = vowel_positions[1] if len(vowel_positions) >= 2 else vowel_positions[0]
    elif len(vowel_positions) == 3:
        target = vowel_positions[1]  # "khuya", "ngoài" -> middle vowel
    else:
        target = vowel_positions[0]  # "mùa", "hai", "tài"
    chars = list(bare)
    chars[target] = unicodedata.normalize("NFC", chars[target] + tone)
    return "".join(chars)


def clean(text: str) -> str:
    """NFC, punctuation to spaces, spaces squeezed, lower-case."""
    text = unicodedata.normalize("NFC", text or "").lower()
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def tone_key(text: str) -> str:
    """Lower-case, punctuation-free, tone marks in the new-style position; diacritics kept."""
    return " ".join(_retone_syllable(word) for word in clean(text).split(" ") if word)


def fold(text: str) -> str:
    """Lower-case ASCII with diacritics removed: "Thủy Nguyên" -> "thuy nguyen"."""
    decomposed = unicodedata.normalize("NFD", clean(text).replace("đ", "d"))
    # Squeeze again: a stray combining mark after a space leaves the space behind.
    return _SPACES.sub(" ", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")).strip()


_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The folded words of a search query, runs of letters and digits: "Bánh-tráng 40%" ->
    ["banh", "trang", "40"]. Punctuation only separates words, so "-" or "_" has none."""
    return _WORD.findall(fold(text))


def has_diacritics(text: str) -> bool:
    lowered = unicodedata.normalize("NFC", text or "").lower()
    return fold(lowered) != clean(lowered)


# Syllables spelt with a free final i/y after a consonant: "Quí"/"Quý", "Sĩ"/"Sỹ", "Vĩ"/"Vỹ",
# "Mị"/"Mỵ". Official lists use both, so names are matched with every such y written as i.
_Y_TO_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")
_FREE_Y = re.compile(r"^(?:qu|[bcdđghklmnprstvx]+)[yýỳỷỹỵ]$")


def _spell_syllable(syllable: str) -> str:
    return syllable.translate(_Y_TO_I) if _FREE_Y.match(syllable) else syllable


def match_key(text: str, *, diacritics: bool = True) -> str:
    """The key names are compared by: :func:`tone_key` (or :func:`fold` with
    ``diacritics=False``) with a free final y after a consonant written as i, and numbers
    without leading zeros, so "Xã Quý Lộc"/"Xã Quí Lộc" and "Phường 01"/"Phường 1" agree.
    Vowel-initial and "uy" syllables keep their y ("Y Tý", "Thủy")."""
    base = tone_key(text) if diacritics else fold(text)
    return " ".join(
        str(int(word)) if word.isdecimal() else _spell_syllable(word) for word in base.split(" ") if word
    )


# Vietnamese alphabetical order (Thông tư 30/2014 lists "a ă â b c d đ e ê g h i k l m n o ô ơ p
# q r s t u ư v x y"), with the Latin letters Vietnamese does not use where the Latin alphabet
# has them, for foreign names. Tones count only between names spelt with the same letters, in
# the order dictionaries give them (ngang, huyền, hỏi, ngã, sắc, nặng), then case, lower first:
# the order of ICU's "vi" collation, which PostgreSQL uses (ocop/collation.py).
_LETTERS = {letter: rank for rank, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGITS = re.compile(r"\d+")


@functools.lru_cache(maxsize=4096)
def _letter(ch: str) -> tuple[tuple[int, int], int, bool]:
    """(primary weight, tone, is upper case) of one NFC character: "Ậ" -> ((3, rank of â), 5, True)."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = max((_TONE_RANK[mark] for mark in decomposed if mark in _TONE_RANK), default=0)
    letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_RANK))
    lower = letter.lower()
    rank = _LETTERS.get(lower)
    if rank is not None:
        weight = (3, rank)
    elif lower.isalpha():
        weight = (4, ord(lower[0]))  # letters of other alphabets, after Vietnamese's
    else:
        weight = (1, ord(lower[0]) if lower else 0)  # spaces and punctuation first
    return weight, tone, letter != lower


def sort_key(text: str) -> tuple:
    """The key that puts names in Vietnamese alphabetical order: "An" < "Ăn" < "Ân" < "Bắc" <
    "Bình" < "Dung" < "Đà" < "Ơn" < "Ưng"; "Ba" < "Bà" < "Bả" < "Bã" < "Bá" < "Bạ".

    Numbers compare by value ("Phường 2" before "Phường 10"); spaces and punctuation before
    digits, digits before letters. Equal keys only for equal texts."""
    text = unicodedata.normalize("NFC", text or "")
    primary, secondary, tertiary = [], [], []
    position = 0
    for match in [*_DIGITS.finditer(text), None]:
        end = match.start() if match else len(text)
        for ch in text[position:end]:
            weight, tone, upper = _letter(ch)
            primary.append(weight)
            secondary.append(tone)
            tertiary.append(upper)
        if match:
            primary.append((2, int(match.group())))
            secondary.append(0)
            tertiary.append(False)
            position = match.end()
    return tuple(primary), tuple(secondary), tuple(tertiary), text
