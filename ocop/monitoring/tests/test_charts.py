"""The chart and map geometry (pure cores): scales, bars inside their frame, colour classes."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ocop.monitoring import charts
from ocop.monitoring.charts import Item, Series
from ocop.monitoring.templatetags.monitoring import vnnum


def test_round_scales():
    assert charts.nice_scale(10_670) == (20_000, 5_000)
    assert charts.nice_scale(4) == (4, 1)
    assert charts.nice_scale(9) == (10, 2.5)
    assert charts.nice_scale(0) == (1.0, 0.25)


def test_numbers_as_vietnamese_documents_write_them():
    assert charts.format_number(18243) == "18.243"
    assert charts.format_number(1234.5) == "1.234,5"
    assert charts.format_number(0) == "0"


def _as_written_before(value: float) -> str:
    """The hand-made formatting Django's replaced: what every page and report showed."""
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_read_the_same_whatever_the_page_language(language):
    with translation.override(language):
        shown = [charts.format_number(v) for v in (18243, 1234567, 1234.5, 12.25, 99.96, -1234.5, 0.04)]
        assert shown == ["18.243", "1.234.567", "1.234,5", "12,2", "100,0", "-1.234,5", "0,0"]
        assert [vnnum(v) for v in ("18243", 66.67, None, "n/a")] == ["18.243", "66,7", "—", "n/a"]


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | st.integers(-(10**12), 10**12))
def test_numbers_are_written_as_before(value):
    for language in ("vi", "en"):
        with translation.override(language):
            assert charts.format_number(value) == _as_written_before(value)


def test_stacked_columns_stack_to_their_total_and_stay_in_the_frame():
    years = ["2023", "2024"]
    series = [
        Series("3★", "#111", [Item("2023", 30, "/a"), Item("2024", 50)]),
        Series("4★", "#222", [Item("2023", 10), Item("2024", 20)]),
    ]
    chart = charts.columns(years, series)
    first_year = [bar for bar in chart.bars if bar.label == "2023"]
    # One pixel scale for all: the stack of 2023 (40) is 40/70 of the stack of 2024 (70).
    heights = {label: sum(b.height for b in chart.bars if b.label == label) for label in years}
    assert abs(heights["2023"] / heights["2024"] - 40 / 70) < 0.01
    assert first_year[0].url == "/a" and first_year[1].url is None
    # The 4★ part sits right on top of the 3★ part.
    assert abs(first_year[1].y + first_year[1].height - first_year[0].y) < 0.2
    for bar in chart.bars:
        assert chart.plot_top - 0.1 <= bar.y and bar.y + bar.height <= chart.plot_bottom + 0.1
    assert [label for _pos, label in chart.ticks] == ["0", "20", "40", "60", "80"]
    assert chart.table_rows[1][0] == "2024" and chart.table_rows[1][2].value == 20


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_side_by_side_bars_never_leave_the_plot(values):
    items = [Item(str(i), v) for i, v in enumerate(values)]
    chart = charts.columns([i.label for i in items], [Series("a", "#000", items)], stacked=False)
    for bar in chart.bars:
        assert bar.height >= 0
        assert bar.y >= chart.plot_top - 0.1
        assert bar.x + bar.width <= chart.plot_right + 0.1


def test_horizontal_bars_shorten_long_labels_only():
    chart = charts.bars(
        [Item("Thực phẩm", 5), Item("Đang trong phiên họp hội đồng đánh giá", 3)], label_width=150
    )
    labels = [label for _pos, label in chart.categories]
    assert labels[0] == "Thực phẩm"
    assert labels[1].endswith("…") and len(labels[1]) <= 24
    assert chart.table_rows[1][0] == "Đang trong phiên họp hội đồng đánh giá"  # the table keeps it whole


def test_map_classes_separate_the_many_small_provinces():
    values = [0, 3, 5, 8, 12, 40, 45, 120, 130, 900, 3000]
    classes = charts.classify(values)
    assert classes.breaks[0] == 3
    assert classes.colour(0) == charts.ZERO
    assert classes.colour(3000) == charts.RAMP[-1]
    assert classes.colour(3) != classes.colour(130)
    assert len(set(classes.breaks)) == len(classes.breaks) == len(classes.colours)
    legend = classes.legend()
    assert legend[-1] == (charts.ZERO, "0") and legend[-2][1].startswith("≥")
