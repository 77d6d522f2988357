"""Charts as geometry for server-rendered SVG: no JavaScript, no build step, no database.

Functions take figures (labels, values, links) and return a :class:`Chart`: rectangles with
their value and link, axis ticks and category labels, in pixels. The template
``monitoring/_chart.html`` draws any chart; every bar is a link to the list behind it, carries
its value as a tooltip, and the same figures are repeated in a table for screen readers and
for copying into a report.

Colour classes for maps (:func:`classify`) use rounded quantile breaks, so that a map of very
unequal provinces still shows differences among the many small ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ocop.numbers import grouped

# Stars 3, 4, 5 and general series: colour-blind-safe hues from the Okabe-Ito palette.
STAR_COLOURS = {3: "#56b4e9", 4: "#0072b2", 5: "#e69f00"}
SERIES_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442"]
# Sequential ramp for choropleths (light to dark green), and the colour of zero.
RAMP = ["#e5f5e0", "#a1d99b", "#74c476", "#31a354", "#006d2c"]
ZERO = "#f4f4f4"


@dataclass(frozen=True)
class Item:
    label: str
    value: float
    url: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    items: Sequence[Item]  # one per category, in the categories' order


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str  # the category
    series: str
    colour: str
    url: str | None = None

    @property
    def value_x(self) -> float:
        """Where a horizontal bar's value is written: just past its end."""
        return round(self.x + self.width + 4, 1)

    @property
    def middle_y(self) -> float:
        return round(self.y + self.height / 2, 1)


@dataclass
class Chart:
    width: float
    height: float
    plot_left: float
    plot_top: float
    plot_width: float
    plot_height: float
    horizontal: bool = False
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (position, label) on the value axis
    categories: list[tuple[float, str]] = field(default_factory=list)  # (middle, label)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, name)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list] = field(default_factory=list)  # [label, Item, Item...]

    @property
    def plot_bottom(self) -> float:
        return self.plot_top + self.plot_height

    @property
    def plot_right(self) -> float:
        return self.plot_left + self.plot_width

    # Where axis texts go (templates do no arithmetic).
    @property
    def below_axis(self) -> float:
        return self.plot_bottom + 15

    @property
    def left_of_axis(self) -> float:
        return self.plot_left - 6


def nice_scale(maximum: float, ticks: int = 4) -> tuple[float, float]:
    """A round top for the value axis and its step: 0..top in ``ticks`` steps of 1, 2, 2.5 or 5
    times a power of ten (integers when the data are)."""
    if maximum <= 0:
        return 1.0, 1.0 / ticks if ticks else 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * power
        if step * ticks >= maximum:
            break
    if step < 1 and maximum >= 1:
        step = 1.0
    return step * ticks, step


def format_number(value: float) -> str:
    """Thousands with a dot and one decimal after a comma, as Vietnamese documents write them
    (10.000; 1.234,5), on every page and in every report whatever its language."""
    whole = value == int(value)
    return grouped(int(value) if whole else value, decimals=None if whole else 1, language="vi")


def _value_ticks(top: float, step: float, position) -> list[tuple[float, str]]:
    count = round(top / step)
    return [(position(i * step), format_number(round(i * step, 6))) for i in range(count + 1)]


def columns(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = True,
    width: float = 520,
    height: float = 220,
) -> Chart:
    """Vertical columns, one per category: stacked series (stars per year) or side by side
    (new / expired / revoked per quarter)."""
    left, top, bottom, right = 48.0, 12.0, 30.0, 8.0
    chart = Chart(width, height, left, top, width - left - right, height - top - bottom)
    totals = [
        (sum if stacked else max)([s.items[i].value for s in series] or [0]) for i in range(len(categories))
    ]
    top_value, step = nice_scale(max(totals or [0]))
    scale = chart.plot_height / top_value
    chart.ticks = _value_ticks(top_value, step, lambda v: round(chart.plot_bottom - v * scale, 1))
    slot = chart.plot_width / max(len(categories), 1)
    inner = slot * 0.7
    for i, category in enumerate(categories):
        x0 = left + i * slot + (slot - inner) / 2
        chart.categories.append((round(left + (i + 0.5) * slot, 1), category))
        base = chart.plot_bottom
        for j, s in enumerate(series):
            item = s.items[i]
            h = item.value * scale
            if stacked:
                x, w, y = x0, inner, base - h
                base -= h
            else:
                w = inner / len(series)
                x, y = x0 + j * w, chart.plot_bottom - h
            chart.bars.append(
                Bar(
                    round(x, 1),
                    round(y, 1),
                    round(w, 1),
                    round(h, 1),
                    item.value,
                    category,
                    s.name,
                    s.colour,
                    item.url,
                )
            )
    chart.legend = [(s.colour, s.name) for s in series]
    chart.table_head = [s.name for s in series]
    chart.table_rows = [[category, *[s.items[i] for s in series]] for i, category in enumerate(categories)]
    return chart


def bars(
    items: Sequence[Item],
    *,
    colour: str = SERIES_COLOURS[0],
    name: str = "",
    width: float = 360,
    label_width: float = 150,
) -> Chart:
    """Horizontal bars, one per item (groups, producer types); labels longer than
    ``label_width`` pixels are shortened (the full label is the bar's tooltip and in the table)."""
    row, left, right, top = 22.0, label_width, 56.0, 4.0
    fits = int(label_width / 6.2)  # characters of an 11-px sans-serif font
    height = top + row * len(items) + 22
    chart = Chart(width, height, left, top, width - left - right, row * len(items), horizontal=True)
    top_value, step = nice_scale(max([item.value for item in items] or [0]), ticks=3)
    scale = chart.plot_width / top_value
    chart.ticks = _value_ticks(top_value, step, lambda v: round(left + v * scale, 1))
    for i, item in enumerate(items):
        y = top + i * row + 3
        label = item.label if len(item.label) <= fits else item.label[: fits - 1].rstrip(" ,") + "…"
        chart.categories.append((round(top + (i + 0.5) * row, 1), label))
        chart.bars.append(
            Bar(
                left,
                round(y, 1),
                round(item.value * scale, 1),
                row - 6,
                item.value,
                item.label,
                name,
                colour,
                item.url,
            )
        )
    chart.table_head = [name]
    chart.table_rows = [[item.label, item] for item in items]
    return chart


@dataclass(frozen=True)
class Classes:
    """Colour classes of a choropleth: ``breaks[i]`` is the lowest value of class ``i``."""

    breaks: list[float]
    colours: list[str]

    def colour(self, value: float) -> str:
        if not value:
            return ZERO
        chosen = self.colours[0]
        for low, colour in zip(self.breaks, self.colours, strict=True):
            if value >= low:
                chosen = colour
        return chosen

    def legend(self) -> list[tuple[str, str]]:
        """(colour, "from–to") for each class, then zero."""
        out = []
        for i, (low, colour) in enumerate(zip(self.breaks, self.colours, strict=True)):
            high = self.breaks[i + 1] - 1 if i + 1 < len(self.breaks) else None
            label = (
                f"{format_number(low)}–{format_number(high)}"
                if high is not None and high > low
                else (f"≥ {format_number(low)}" if high is None else format_number(low))
            )
            out.append((colour, label))
        out.append((ZERO, "0"))
        return out


def _round_break(value: float) -> float:
    if value < 10:
        return float(math.floor(value))
    power = 10 ** (len(str(int(value))) - 2)
    return float(math.floor(value / power) * power)


def classify(values: Sequence[float], *, classes: int = len(RAMP)) -> Classes:
    """Quantile classes of the non-zero values, with round lower bounds, at most ``classes``."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return Classes([1.0], [RAMP[0]])
    breaks: list[float] = []
    for i in range(classes):
        low = max(1.0, _round_break(positive[int(i * len(positive) / classes)]))
        if not breaks or low > breaks[-1]:
            breaks.append(low)
    ramp = (
        RAMP
        if len(breaks) == len(RAMP)
        else [RAMP[round(i * (len(RAMP) - 1) / max(len(breaks) - 1, 1))] for i in range(len(breaks))]
    )
    return Classes(breaks, ramp)
