"""How a catalogue query is matched: words, typo corrections and the query plan. A pure core.

Documents and queries are folded with :func:`ocop.vntext.fold` (no diacritics, lower case), so
"banh trang" and "Bánh tráng" are the same words. A query is a *plan*: a list of groups, one per
word typed; a product matches when every group matches, and a group matches when one of its
alternatives does; an alternative is one or more words, each of which must begin a word of the
product's document ("trang" finds "tráng", "ong" does not find "dương").

The exact plan has one alternative per group, the word itself. When it finds nothing, the
corrected plan adds, for each word, the vocabulary's words within a small edit distance (a typo,
a missing or extra letter, two letters swapped) and the split of words typed together
("banhtrang" -> "banh trang"). Candidates come from trigram similarity, the measure PostgreSQL's
pg_trgm uses (:func:`similarity` reproduces it, so SQLite gives the same candidates), and are
kept only within the edit distance (:func:`distance`).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ocop.vntext import fold

_WORD = re.compile(r"[a-z0-9]+")

# Words shorter than this are never corrected (too many neighbours: "ca", "ba", "la").
MIN_CORRECTABLE = 4
# Trigram similarity a vocabulary word needs to be considered as a correction at all. One
# edit to a word of four letters leaves a similarity of 0.2-0.25 ("bahn"/"banh" 0.25).
CANDIDATE_SIMILARITY = 0.2
MAX_ALTERNATIVES = 5


def words(text: str) -> list[str]:
    """The folded words of a text, as the index and the query see them."""
    return list(_words(text or ""))


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    # Cached: an index build folds the same producer, place and category names thousands of times.
    return tuple(_WORD.findall(fold(text)))


def document(*parts: str) -> str:
    """The folded text of several fields, each word once, in order of first appearance."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in _words(part or ""):
            seen.setdefault(word, None)
    return " ".join(seen)


# ---------------------------------------------------------------------------------------------
# Similarity and distance
# ---------------------------------------------------------------------------------------------


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in re.findall(r"[0-9a-z]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)``: shared trigrams over all trigrams of either."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def distance(a: str, b: str, limit: int = 3) -> int:
    """Edit distance counting an adjacent swap as one edit (optimal string alignment);
    anything above ``limit`` is reported as ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def allowed_edits(word: str) -> int:
    """One edit in a syllable, two in a longer word (English names: "vegetabels")."""
    if len(word) < MIN_CORRECTABLE:
        return 0
    return 1 if len(word) <= 6 else 2


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------

Alternative = tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """Groups of alternatives; see the module's docstring."""

    groups: tuple[tuple[Alternative, ...], ...]
    corrected: bool = False

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def phrase(self) -> str:
        """The best reading of the query as one phrase (each group's first alternative)."""
        return " ".join(" ".join(group[0]) for group in self.groups)

    def tsquery(self) -> str:
        """The plan as a PostgreSQL tsquery with prefix matching: (a:* | b:*) & c:*."""

        def alternative(words: Alternative) -> str:
            text = " & ".join(f"{word}:*" for word in words)
            return f"( {text} )" if len(words) > 1 else text

        parts = []
        for group in self.groups:
            text = " | ".join(alternative(alt) for alt in group)
            parts.append(f"( {text} )" if len(group) > 1 else text)
        return " & ".join(parts)


# The words that name a kind of administrative unit, as typed before a place's name ("tỉnh Tây
# Ninh", "thành phố Hà Nội", "xã Tân Phú"). Documents hold places by their short names, and
# queries are matched without these words.
UNIT_WORDS = (
    ("thanh", "pho"),
    ("thi", "xa"),
    ("thi", "tran"),
    ("dac", "khu"),
    ("tinh",),
    ("xa",),
    ("phuong",),
    ("huyen",),
    ("quan",),
)


def without_unit_words(query: str) -> str:
    """The folded query without the words naming kinds of units: "tinh tay ninh" -> "tay
    ninh", "thanh pho ho chi minh" -> "ho chi minh"; a query of nothing else is kept whole."""
    typed = words(query)
    kept: list[str] = []
    i = 0
    while i < len(typed):
        unit = next((u for u in UNIT_WORDS if tuple(typed[i : i + len(u)]) == u), None)
        if unit is None:
            kept.append(typed[i])
            i += 1
        else:
            i += len(unit)
    return " ".join(kept) if kept else " ".join(typed)


def exact_plan(query: str) -> Plan:
    return Plan(tuple(((word,),) for word in dict.fromkeys(words(query))))


def candidate_probes(query: str) -> tuple[list[str], list[str]]:
    """What to ask the vocabulary for: the words to find similar terms for, and exact terms:
    those that would split a run-together word ("banhtrang" -> "banh", "trang", "banht", ...)
    and the word with two neighbouring letters swapped ("xnah" -> "xanh"), a typo trigrams
    miss in short words (they share a single trigram)."""
    typed = [w for w in dict.fromkeys(words(query)) if allowed_edits(w)]
    parts: set[str] = set()
    for word in typed:
        for cut in range(2, len(word) - 1):
            parts.update((word[:cut], word[cut:]))
        for i in range(len(word) - 1):
            if word[i] != word[i + 1]:
                parts.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return typed, sorted(parts)


def _corrections(word: str, vocabulary: Mapping[str, int]) -> list[tuple[tuple[int, int, int], Alternative]]:
    """The vocabulary's corrections of ``word``, best first, each with its key: (edits, 0 for a
    close word or 1 for a split, minus how many products use it)."""
    alternatives: list[tuple[tuple[int, int, int], Alternative]] = []
    edits = allowed_edits(word)
    if not edits:
        return alternatives
    for term, frequency in vocabulary.items():
        if term == word:
            continue
        d = distance(word, term, edits)
        if d <= edits:
            alternatives.append(((d, 0, -frequency), (term,)))
    for cut in range(2, len(word) - 1):
        left, right = word[:cut], word[cut:]
        if left in vocabulary and right in vocabulary:
            weight = min(vocabulary[left], vocabulary[right])
            alternatives.append(((1, 1, -weight), (left, right)))
    alternatives.sort()
    return alternatives[:MAX_ALTERNATIVES]


def _known(word: str, vocabulary: Mapping[str, int]) -> bool:
    return word in vocabulary or any(term.startswith(word) for term in vocabulary)


def corrected_plan(query: str, vocabulary: Mapping[str, int]) -> Plan:
    """The plan with corrections drawn from ``vocabulary`` (term -> number of products using
    it; the candidates returned for :func:`candidate_probes`). Each group keeps the typed word
    first, then the closest, most used terms; the first correction leads when the typed word
    is not a word of the vocabulary. The broadest reading of a misspelt query: the catalogue
    prefers one of its :func:`readings` and falls back to this when none finds anything."""
    groups = []
    changed = False
    for word in dict.fromkeys(words(query)):
        best = [alt for _key, alt in _corrections(word, vocabulary)]
        if best:
            changed = True
        known = _known(word, vocabulary)
        group = [(word,), *best] if known or not best else [*best[:1], (word,), *best[1:]]
        groups.append(tuple(group))
    return Plan(tuple(groups), corrected=changed)


@dataclass(frozen=True)
class Reading:
    """One way of reading a misspelt query: one alternative per word typed, and the number of
    edits it takes from what was typed."""

    plan: Plan
    cost: int


def readings(query: str, vocabulary: Mapping[str, int], *, limit: int = 12) -> list[Reading]:
    """The ``limit`` cheapest readings of ``query`` with at least one correction, cheapest first.

    Each word is read as typed (when the vocabulary knows it, or it is too short to correct)
    or as one of its corrections; a word neither known nor correctable leaves no reading. The
    catalogue counts, for each reading, the products holding all its words, and shows the
    cheapest reading that finds some, preferring the one whose words go together most often:
    "bsnh trang" is read "banh trang" rather than "binh trang" although "bình" is the more
    common word, because far more products are "bánh tráng" than "bình … tráng"."""
    options: list[list[tuple[int, Alternative]]] = []
    for word in dict.fromkeys(words(query)):
        choices: list[tuple[int, Alternative]] = []
        if not allowed_edits(word) or _known(word, vocabulary):
            choices.append((0, (word,)))
        choices += [(key[0], alternative) for key, alternative in _corrections(word, vocabulary)]
        if not choices:
            return []
        options.append(choices)
    if not options:
        return []
    # The cheapest combinations first: a best-first walk over index vectors (each word's
    # choices are sorted by edits, so a step to the next choice never makes a reading cheaper).
    start = (0,) * len(options)
    heap = [(sum(choices[0][0] for choices in options), start)]
    seen = {start}
    found: list[Reading] = []
    while heap and len(found) < limit:
        cost, index = heapq.heappop(heap)
        if cost > 0:
            groups = tuple((options[i][j][1],) for i, j in enumerate(index))
            found.append(Reading(Plan(groups, corrected=True), cost))
        for i, j in enumerate(index):
            if j + 1 < len(options[i]):
                following = (*index[:i], j + 1, *index[i + 1 :])
                if following not in seen:
                    seen.add(following)
                    step = options[i][j + 1][0] - options[i][j][0]
                    heapq.heappush(heap, (cost + step, following))
    return found


def rank_corrections(plan: Plan) -> list[str]:
    """The words that were corrected, for a "showing results for" note."""
    return [" ".join(group[0]) for group in plan.groups]


def vocabulary_counts(documents: Iterable[str]) -> dict[str, int]:
    """Term -> number of documents containing it."""
    counts: dict[str, int] = {}
    for text in documents:
        for word in set(text.split()):
            counts[word] = counts.get(word, 0) + 1
    return counts
