"""The pure core of matching: folded words, pg_trgm's similarity, edit distance, query plans."""

from hypothesis import given
from hypothesis import strategies as st

from ocop.market import matching

WORD = st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=10)


def test_words_are_folded_the_way_shoppers_type():
    assert matching.words("Bánh tráng phơi sương Trảng Bàng") == [
        "banh",
        "trang",
        "phoi",
        "suong",
        "trang",
        "bang",
    ]
    assert matching.words("Mật ong hoa nhãn — 500ml") == ["mat", "ong", "hoa", "nhan", "500ml"]
    assert matching.words("ĐẮK LẮK") == ["dak", "lak"]


def test_a_document_keeps_each_word_once_in_order():
    assert matching.document("Bánh tráng Trảng Bàng", "Rice paper", "HTX Trảng Bàng") == (
        "banh trang bang rice paper htx"
    )


def test_similarity_is_pg_trgm_s():
    # Values PostgreSQL gives for SELECT similarity(a, b) (pg_trgm 1.6).
    assert matching.similarity("bahn", "banh") == 0.25
    assert matching.similarity("trag", "trang") == 0.375
    assert matching.similarity("cofee", "coffee") == 0.625
    assert matching.similarity("a-b", "ab") == 1 / 6
    assert matching.similarity("banh", "banh") == 1.0
    assert matching.similarity("", "banh") == 0.0
    assert matching.trigrams("ab") == {"  a", " ab", "ab "}


@given(WORD, WORD)
def test_similarity_is_symmetric_and_bounded(a, b):
    assert matching.similarity(a, b) == matching.similarity(b, a)
    assert 0.0 <= matching.similarity(a, b) <= 1.0
    assert matching.similarity(a, a) == 1.0


def test_distance_counts_a_swap_as_one_edit():
    assert matching.distance("bahn", "banh") == 1
    assert matching.distance("cofee", "coffee") == 1
    assert matching.distance("vegetabels", "vegetables") == 1
    assert matching.distance("banh", "canh") == 1
    assert matching.distance("banh", "trang", limit=2) == 3


@given(WORD, WORD)
def test_distance_is_symmetric_and_zero_only_for_equal_words(a, b):
    assert matching.distance(a, b, 20) == matching.distance(b, a, 20)
    assert (matching.distance(a, b, 20) == 0) == (a == b)


def test_the_exact_plan_wants_every_word_at_the_start_of_a_word():
    plan = matching.exact_plan("Bánh  tráng bánh")
    assert plan.groups == ((("banh",),), (("trang",),))
    assert plan.tsquery() == "banh:* & trang:*"
    assert plan.phrase == "banh trang"
    assert not plan.corrected


def test_the_corrected_plan_offers_close_words_and_splits():
    vocabulary = {"banh": 900, "bank": 3, "trang": 400, "trung": 50, "tran": 10, "mat": 80}
    plan = matching.corrected_plan("bahn trag", vocabulary)
    assert plan.corrected
    assert plan.groups[0][0] == ("banh",)  # "bahn" is no word: the most used close word leads
    assert ("bahn",) in plan.groups[0]
    assert plan.groups[1][0] == ("trang",)  # one deletion away; "tran" is a prefix, but rarer
    assert plan.phrase == "banh trang"
    split = matching.corrected_plan("banhtrang", vocabulary)
    assert ("banh", "trang") in split.groups[0]
    assert split.tsquery().startswith("( ( banh:* & trang:* )") or "( banh:* & trang:* )" in split.tsquery()
    # Short words are never corrected: too many neighbours.
    assert not matching.corrected_plan("mst", vocabulary).corrected


def test_probes_ask_the_vocabulary_for_splits_of_long_words_only():
    typed, parts = matching.candidate_probes("banhtrang ca")
    assert typed == ["banhtrang"]
    assert "banh" in parts and "trang" in parts


def test_probes_ask_for_the_word_with_two_letters_swapped():
    # "xnah" and "xanh" share one trigram of nine: similarity alone would never offer it.
    assert matching.similarity("xnah", "xanh") < matching.CANDIDATE_SIMILARITY
    _typed, parts = matching.candidate_probes("buoi da xnah")
    assert "xanh" in parts
    plan = matching.corrected_plan("xnah", {"xanh": 40})
    assert plan.phrase == "xanh"


VOCABULARY = {"banh": 900, "binh": 2000, "trang": 400, "tran": 10, "tra": 700, "mat": 80, "ong": 90}


def test_readings_change_as_little_as_possible_first():
    found = matching.readings("bsnh trang", VOCABULARY)
    assert [(r.plan.phrase, r.cost) for r in found] == [
        ("binh trang", 1),  # the most used correction first; the catalogue then counts them
        ("banh trang", 1),
        ("binh tran", 2),  # known words have corrections too, for when nothing else matches
        ("banh tran", 2),
    ]
    # Every reading is one alternative per word, marked as corrected.
    assert all(r.plan.corrected and all(len(g) == 1 for g in r.plan.groups) for r in found)
    two = matching.readings("bsnh trag", VOCABULARY)
    assert [r.cost for r in two] == sorted(r.cost for r in two)
    assert {r.plan.phrase for r in two if r.cost == 2} >= {"banh trang", "binh tra"}
    assert matching.readings("banhtrang", VOCABULARY)[0].plan.groups == ((("banh", "trang"),),)


def test_readings_keep_known_and_short_words_as_typed():
    assert [r.plan.phrase for r in matching.readings("mat onng", VOCABULARY)] == ["mat ong"]
    # "ca" is too short to correct and unknown to the probes: kept as typed.
    # Among equal edits, the most used corrections first.
    assert [r.plan.phrase for r in matching.readings("ca trag", VOCABULARY)] == [
        "ca tra",
        "ca trang",
        "ca tran",
    ]
    # A long word neither known nor close to any: no reading can find anything.
    assert matching.readings("banh zzzzzz", VOCABULARY) == []


@given(st.lists(st.sampled_from(["bsnh", "trag", "mat", "onng", "banh", "xyz"]), min_size=1, max_size=5))
def test_readings_come_cheapest_first_without_repeats(typed):
    found = matching.readings(" ".join(typed), VOCABULARY, limit=50)
    assert [r.cost for r in found] == sorted(r.cost for r in found)
    assert len({r.plan for r in found}) == len(found)
    assert all(r.cost > 0 for r in found)


def test_the_kinds_of_units_typed_before_a_place_are_dropped():
    assert matching.without_unit_words("Tỉnh Tây Ninh") == "tay ninh"
    assert matching.without_unit_words("thanh pho Ho Chi Minh") == "ho chi minh"
    assert matching.without_unit_words("mật ong xã Tân Phú, huyện Đồng Phú") == "mat ong tan phu dong phu"
    # Not a unit: "phở" alone, "thanh" alone (Thanh Hóa), "xà phòng" keeps its "phong".
    assert matching.without_unit_words("pho thanh hoa") == "pho thanh hoa"
    assert matching.without_unit_words("xa phong") == "phong"  # "xà phòng" then ranks first
    assert matching.without_unit_words("tinh") == "tinh"  # nothing else: kept whole
