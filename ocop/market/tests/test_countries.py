"""Export markets read in the reader's language, from the code the producer gave."""

from ocop.market.countries import country_name, export_market


def test_a_country_is_named_in_the_readers_language():
    assert (country_name("JP", "en"), country_name("jp", "vi")) == ("Japan", "Nhật Bản")
    assert country_name("XX", "en") == ""


def test_an_export_channel_shows_the_country_then_any_partner_named():
    assert export_market("Đức", "DE", "en") == "Germany"  # typed in Vietnamese, read in English
    assert export_market("Germany", "DE", "vi") == "Đức"
    assert export_market("nhat ban", "JP", "en") == "Japan"  # without diacritics, still the country
    assert export_market("Aeon Japan", "JP", "en") == "Japan — Aeon Japan"  # an importer
    assert export_market("Peru", "PE", "vi") == "Peru (PE)"  # not listed: as typed, with the code
