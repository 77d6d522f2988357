"""Searching the catalogue the way Vietnamese shoppers type, and never showing stars that are
not valid. These run on SQLite and on PostgreSQL (./scripts/test with DATABASE_URL): the same
queries must find the same products on both."""

from datetime import timedelta

import pytest
from django.db import connection

from ocop.geo.models import Commune
from ocop.jobs import periodic
from ocop.market import matching, search, selectors, services
from ocop.market.models import CatalogueEntry, SearchTerm
from ocop.registry import services as registry_services
from ocop.registry.models import Recognition

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(registry, geo):
    """A small registry: bánh tráng in every state, honey, coffee, wine."""
    trang_bang = registry.producer("Hợp tác xã Bánh tráng Trảng Bàng")
    ong_vang = registry.producer("Công ty TNHH Ong Vàng", province=geo.province_b, kind="enterprise")
    items = {
        "suong": registry.product(
            trang_bang, "Bánh tráng phơi sương Trảng Bàng", stars=4, name_en="Dew-dried rice paper"
        ),
        "me_den": registry.product(ong_vang, "Bánh tráng nướng mè đen", stars=3),
        "deo": registry.product(trang_bang, "Bánh tráng dẻo", stars=4, state="expired"),
        "cuon": registry.product(trang_bang, "Bánh tráng cuốn thịt heo", stars=5, state="revoked"),
        "mat_ong": registry.product(ong_vang, "Mật ong hoa nhãn", stars=4, name_en="Longan honey"),
        "ruou": registry.product(ong_vang, "Rượu mật ong rừng", stars=5),
        "ca_phe": registry.product(
            trang_bang, "Cà phê Robusta rang xay", stars=3, name_en="Ground Robusta coffee"
        ),
        "draft": registry.product(trang_bang, "Bánh tráng chưa công nhận", state=None),
    }
    services.catalogue_refresh()
    return type("Shelf", (), {**items, "trang_bang": trang_bang, "ong_vang": ong_vang})


def names(query, **filters):
    results = selectors.catalogue_search(selectors.CatalogueFilters(q=query, **filters), user=None)
    return [entry.product.name_vi for entry in results.entries.select_related("product")]


def test_queries_without_diacritics_find_the_products_written_with_them(shelf):
    # The coffee comes last: found by its producer's name ("HTX Bánh tráng Trảng Bàng").
    expected = ["Bánh tráng phơi sương Trảng Bàng", "Bánh tráng nướng mè đen", "Cà phê Robusta rang xay"]
    assert names("banh trang") == expected
    assert names("bánh tráng") == expected
    assert names("BANH   TRANG") == expected
    assert names("mat ong") == ["Mật ong hoa nhãn", "Rượu mật ong rừng"]


def test_misspelt_queries_find_the_right_products_and_say_what_was_searched(shelf):
    for typed in ("bahn trang", "banh trag", "banhtrang", "bsnh trang"):
        results = selectors.catalogue_search(selectors.CatalogueFilters(q=typed), user=None)
        found = [e.product.name_vi for e in results.entries.select_related("product")]
        assert found[:2] == ["Bánh tráng phơi sương Trảng Bàng", "Bánh tráng nướng mè đen"], typed
        assert results.corrected and results.suggestion == "banh trang", typed
    assert names("mat onng")[:2] == ["Mật ong hoa nhãn", "Rượu mật ong rừng"]
    assert names("cofee") == ["Cà phê Robusta rang xay"]
    assert names("robsuta") == ["Cà phê Robusta rang xay"]


def test_a_misspelt_query_is_read_as_the_words_that_go_together(shelf, registry, client):
    # "Bình" is a commoner word than "bánh", and five vases hold "bình" and "tráng" both, but
    # never side by side: "bsnh trang" (s next to a on a keyboard) is "banh trang".
    potter = registry.producer("Công ty Gốm sứ Minh Long")
    for n in range(5):
        registry.product(potter, f"Bình gốm tráng men số {n + 1}")
    services.catalogue_refresh()
    typed = selectors.catalogue_search(selectors.CatalogueFilters(q="bsnh trang"), user=None)
    meant = selectors.catalogue_search(selectors.CatalogueFilters(q="banh trang"), user=None)
    assert typed.suggestion == "banh trang"
    # What is listed is exactly what the suggestion finds, and counted the same.
    assert list(typed.entries.values_list("product_id", flat=True)) == list(
        meant.entries.values_list("product_id", flat=True)
    )
    assert typed.total == meant.total == 3
    page = client.get("/catalogue/?q=bsnh+trang").content.decode()
    assert "showing results for “banh trang”" in page and "3 products found" in page


def test_no_correction_is_claimed_when_nothing_is_found(shelf, client):
    results = selectors.catalogue_search(selectors.CatalogueFilters(q="banh trang zzzzzz"), user=None)
    assert (results.total, results.corrected, results.suggestion) == (0, False, "")
    page = client.get("/catalogue/?q=banh+trang+zzzzzz").content.decode()
    assert "showing results for" not in page and "No OCOP product matches" in page


def test_english_names_producers_and_places_are_searched_too(shelf, geo):
    assert names("longan honey") == ["Mật ong hoa nhãn"]
    assert names("rice paper") == ["Bánh tráng phơi sương Trảng Bàng"]
    # By producer: what the producer makes, by valid stars.
    assert names("ong vang") == ["Rượu mật ong rừng", "Mật ong hoa nhãn", "Bánh tráng nướng mè đen"]
    # By place, current and before 1 July 2025.
    province_b = matching.words(geo.province_b.name)
    assert set(names(" ".join(province_b))) == {
        "Bánh tráng nướng mè đen",
        "Mật ong hoa nhãn",
        "Rượu mật ong rừng",
    }
    old = Commune.objects.filter(era_id="pre-2025-07", province__code="72").order_by("code").first()
    shelf.trang_bang.historical_commune = old
    shelf.trang_bang.save()  # updated_at moves: the index picks it up on the next read
    services.catalogue_refresh()
    assert "Cà phê Robusta rang xay" in names(old.name)


def test_the_kinds_of_units_are_no_words_of_every_product(shelf, registry, geo):
    """Places are indexed by their short names: "tinh" finds the essential oils (tinh dầu), not
    every product of every "Tỉnh"; typed before a place, the kind is dropped silently."""
    oil = registry.product(shelf.ong_vang, "Tinh dầu sả chanh", stars=4)
    services.catalogue_refresh()
    assert names("tinh") == [oil.name_vi]
    place = " ".join(matching.words(geo.province_b.name))  # "tinh phu tho"
    assert place.startswith("tinh ")
    results = selectors.catalogue_search(selectors.CatalogueFilters(q=place), user=None)
    assert results.total == 4 and not results.corrected
    assert "tinh dau sa chanh" in CatalogueEntry.objects.get(product=oil).document
    # "xa phong": the soap first, though the match is on "phong" (a place here) alone.
    soap = registry.product(shelf.trang_bang, "Xà phòng sả chanh", stars=3)
    services.catalogue_refresh()
    assert names("xa phong")[0] == soap.name_vi
    assert " tinh " not in f" {CatalogueEntry.objects.get(product=shelf.mat_ong).document} "


def test_an_index_built_the_old_way_is_rebuilt_whole(shelf):
    from ocop.market.models import CatalogueState

    CatalogueState.objects.update(fingerprint="2026-01-01|old")  # a format before this one
    CatalogueEntry.objects.update(document="stale")
    report = services.catalogue_refresh()
    assert report.created == CatalogueEntry.objects.count() == 7
    assert not CatalogueEntry.objects.filter(document="stale").exists()
    assert services.catalogue_refresh().changed is False


def test_name_matches_rank_first_then_valid_stars(shelf, registry):
    late = registry.product(registry.producer("HTX Bắc Kạn"), "Mật ong bạc hà", stars=5)
    other = registry.product(registry.producer("HTX Mật ong Ba Bể"), "Phấn hoa rừng", stars=5)
    services.catalogue_refresh()
    # Names that begin with the query, by stars (5 before 4); then a name holding it; last
    # the product found by its producer's name, whatever its stars.
    assert names("mat ong") == [late.name_vi, "Mật ong hoa nhãn", "Rượu mật ong rừng", other.name_vi]


def test_by_default_only_valid_recognitions_are_listed(shelf):
    listed = names("")
    assert "Bánh tráng dẻo" not in listed and "Bánh tráng cuốn thịt heo" not in listed
    assert "Bánh tráng chưa công nhận" not in names("", status="all")  # never recognised: not public
    assert set(names("banh trang", status="lapsed")) == {"Bánh tráng dẻo", "Bánh tráng cuốn thịt heo"}
    # A star filter counts valid stars only: the expired 4★ and the revoked 5★ are not 4★ / 5★ products.
    assert names("", stars=4) == ["Bánh tráng phơi sương Trảng Bàng", "Mật ong hoa nhãn"]
    assert names("", stars=5, status="all") == ["Rượu mật ong rừng"]


def test_expired_and_revoked_products_never_show_stars_even_when_the_index_is_stale(client, shelf, officer_a):
    page = client.get("/catalogue/?status=all&sort=name").content.decode()
    card = _card(page, shelf.deo.pk)
    assert "★" not in card and "expired" in card
    card = _card(page, shelf.cuon.pk)
    assert "★" not in card and "revoked" in card
    assert "★★★★" in _card(page, shelf.suong.pk)

    # The index is brought up to date every so often in the background; revoke a product
    # between two turns.
    recognition = shelf.suong.recognitions.get()
    registry_services.recognition_revoke(
        user=officer_a, recognition=recognition, revoked_on=recognition.recognised_on, reason="Vi phạm"
    )
    stale = client.get("/catalogue/?q=banh+trang").content.decode()
    card = _card(stale, shelf.suong.pk)  # still listed until the next check...
    assert "★" not in card and "revoked" in card  # ...but never as certified
    api = client.get("/api/v1/market/catalogue?q=banh+trang").json()
    item = next(i for i in api["items"] if i["id"] == shelf.suong.pk)
    assert (item["stars"], item["status"]) == (None, "revoked")

    assert services.catalogue_stale()
    periodic.run_due(names=["market.catalogue_refresh"])  # the next turn
    assert not services.catalogue_stale()
    assert "Bánh tráng phơi sương Trảng Bàng" not in names("banh trang")
    assert CatalogueEntry.objects.get(product=shelf.suong).status == "revoked"


def _card(page: str, pk: int) -> str:
    start = page.index(f'data-product="{pk}"')
    return page[start : page.index("</article>", start)]


def test_the_index_follows_the_registry(shelf, officer_a, day):
    registry_services.product_update(
        user=officer_a, product=shelf.ca_phe, data={"name_vi": "Cà phê Culi Trảng Bàng"}
    )
    services.catalogue_refresh()
    assert names("culi") == ["Cà phê Culi Trảng Bàng"]
    assert names("rang xay") == []

    registry_services.recognition_record(
        user=officer_a, product=shelf.draft, stars=3, recognised_on=day, level="province"
    )
    report = services.catalogue_refresh()
    assert report.created == 1
    assert "Bánh tráng chưa công nhận" in names("banh trang")
    assert services.catalogue_refresh().changed is False


def test_a_new_day_moves_products_whose_recognition_ended(shelf, day):
    recognition = shelf.me_den.recognitions.get()
    Recognition.objects.filter(pk=recognition.pk).update(valid_until=day + timedelta(days=1))
    services.catalogue_refresh(full=True)
    assert "Bánh tráng nướng mè đen" in names("banh trang")
    # Two days later, without any edit: the stored window has ended.
    later = day + timedelta(days=2)
    results = selectors.catalogue_search(selectors.CatalogueFilters(q="banh trang"), user=None, day=later)
    assert shelf.me_den.pk not in [e.product_id for e in results.entries]
    report = services.catalogue_refresh(today=later)
    assert report.status_updated >= 1
    assert CatalogueEntry.objects.get(product=shelf.me_den).status == "expired"


def test_a_full_rebuild_gives_the_same_index(shelf):
    fields = ["product_id", "document", "names", "valid_stars", "valid_from", "valid_to", "status"]
    before = list(CatalogueEntry.objects.order_by("product_id").values_list(*fields))
    services.catalogue_refresh(full=True)
    assert list(CatalogueEntry.objects.order_by("product_id").values_list(*fields)) == before


def test_the_vocabulary_offers_every_word_as_similar_as_the_threshold(shelf):
    """On PostgreSQL the candidates come from pg_trgm's ``%`` operator and its index, with the
    session's threshold set when the connection opens; they must be exactly the words whose
    similarity reaches :data:`matching.CANDIDATE_SIMILARITY`, as on SQLite."""
    vocabulary = dict(SearchTerm.objects.values_list("term", "frequency"))
    for query in ("bahn trag", "cofee robsuta", "mat onng", "banhtrang", "nuogn"):
        typed, parts = matching.candidate_probes(query)
        expected = {
            term: n
            for term, n in vocabulary.items()
            if term in parts
            or any(matching.similarity(term, word) >= matching.CANDIDATE_SIMILARITY for word in typed)
        }
        assert search.vocabulary_candidates(query) == expected, query
        assert len(expected) > 0, query


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's pg_trgm")
def test_the_sqlite_similarity_is_pg_trgm_s_on_postgresql():
    pairs = [
        ("bahn", "banh"),
        ("trag", "trang"),
        ("cofee", "coffee"),
        ("vegetabels", "vegetables"),
        ("mat", "mst"),
        ("banhtrang", "banh"),
        ("a", "ab"),
        ("robsuta", "robusta"),
        ("nuoc mam", "mam nuoc"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert cursor.fetchone()[0] == pytest.approx(matching.similarity(a, b), abs=1e-6), (a, b)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_the_search_indexes_keep_no_pending_list(shelf):
    """A GIN pending list is scanned by every search until VACUUM merges it: after a vocabulary
    rebuild it made the planner drop the trigram index (see migration 0004)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN (%s, %s) ORDER BY relname",
            ["market_entry_document_fts", "market_searchterm_trgm"],
        )
        assert cursor.fetchall() == [
            ("market_entry_document_fts", ["fastupdate=off"]),
            ("market_searchterm_trgm", ["fastupdate=off"]),
        ]


@pytest.mark.parametrize("query", ["-", "_", ".", "*", "%", "( )", "- _ ."])
def test_a_query_without_letters_lists_what_an_empty_box_lists(shelf, client, query):
    """Punctuation is not searched: a query of punctuation alone is no query, on the page and the
    API alike (the registry's search boxes follow the same rule)."""
    assert names(query) == names("") and len(names("")) == 5  # the valid ones
    page = client.get("/catalogue/", {"q": query})
    assert page.status_code == 200
    assert [c.product_id for c in page.context["cards"]] == [
        c.product_id for c in client.get("/catalogue/").context["cards"]
    ]
    api = client.get("/api/v1/market/catalogue", {"q": query}).json()
    assert (api["count"], api["suggestion"]) == (5, "")
    assert [i["id"] for i in api["items"]] == [
        i["id"] for i in client.get("/api/v1/market/catalogue").json()["items"]
    ]
