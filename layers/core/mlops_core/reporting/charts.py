"""Charts as inline SVG strings: matplotlib's SVG backend, text kept as text, byte-for-byte repeatable output."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import wraps
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

SIZE = (5.2, 3.2)
COLORS = ("#1f5fa8", "#d9822b", "#3a9a5b", "#b23a48", "#7a5195", "#5c5c5c")
# Text stays <text> (no glyph paths, no font file); a fixed salt makes the element ids, and so the SVG, repeatable.
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "mlops-report", "text.parse_math": False, "font.size": 8,
         "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"], "axes.titlesize": 9,
         # A fixed title position: placing it automatically measures every tick label once more.
         "axes.titley": 1.02,
         "axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False}
# The XML prolog and the RDF metadata: the SVG goes inline into a page, which has its own.
_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def _styled(draw: Callable[..., str]) -> Callable[..., str]:
    """Draw under the report's style only: matplotlib's global settings stay as the caller left them."""

    @wraps(draw)
    def styled(*args: Any, **kwargs: Any) -> str:
        with rc_context(STYLE):
            return draw(*args, **kwargs)

    return styled


@_styled
def line_chart(series: Mapping[str, Sequence[tuple[str, float]]], title: str, y_label: str) -> str:
    """One line per series over time; x values are ISO dates or timestamps (other strings are spaced evenly)."""
    figure, axes = _figure(title)
    for color, (name, points) in zip(_cycle(), series.items(), strict=False):
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(_times(xs), ys, marker="o", markersize=3, linewidth=1.2, color=color, label=name)
    axes.set_ylabel(y_label)
    figure.autofmt_xdate()
    return _render(figure, axes, legend=len(series) > 1, bottom=0.24)


@_styled
def curve_chart(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], title: str, x_label: str,
                y_label: str, reference: str | None = None) -> str:
    """Curves given by their points (ROC, precision-recall, calibration); `reference` draws "diagonal" y = x."""
    figure, axes = _figure(title)
    if reference == "diagonal":
        axes.plot([0, 1], [0, 1], linestyle="--", linewidth=0.8, color="#999999")
    for color, (name, (xs, ys)) in zip(_cycle(), curves.items(), strict=False):
        axes.plot(xs, ys, linewidth=1.4, color=color, label=name, marker="o" if len(xs) <= 20 else None,
                  markersize=3)
    axes.set(xlabel=x_label, ylabel=y_label)
    return _render(figure, axes, legend=len(curves) > 1)


@_styled
def bar_chart(labels: Sequence[str], groups: Mapping[str, Sequence[float]], title: str, value_label: str,
              errors: Mapping[str, Sequence[tuple[float, float]]] | None = None) -> str:
    """Horizontal bars, one group of bars per label; `errors` gives a (low, high) interval per bar."""
    figure, axes = _figure(title, rows=len(labels))
    height = 0.8 / max(len(groups), 1)
    positions = np.arange(len(labels))
    for index, (color, (name, values)) in enumerate(zip(_cycle(), groups.items(), strict=False)):
        offsets = positions - 0.4 + height * (index + 0.5)
        values = np.asarray(values, dtype=float)
        spans = (errors or {}).get(name)
        xerr = None if spans is None else np.abs(np.array(spans, dtype=float).T - values)
        axes.barh(offsets, values, height=height, color=color, label=name, xerr=xerr,
                  error_kw={"elinewidth": 1, "capsize": 2})
    axes.set_yticks(positions, [_short(label) for label in labels])
    axes.invert_yaxis()
    axes.set_xlabel(value_label)
    return _render(figure, axes, legend=len(groups) > 1, labels=labels)


@_styled
def heatmap(matrix: Sequence[Sequence[float]], row_labels: Sequence[str], column_labels: Sequence[str], title: str,
            x_label: str, y_label: str) -> str:
    """A matrix as shaded cells with each cell's value written in it (a confusion matrix)."""
    values = np.asarray(matrix, dtype=float)
    figure, axes = _figure(title, rows=len(row_labels), square=True)
    # Cells as vector shapes: imshow would embed a bitmap.
    axes.pcolormesh(values, cmap="Blues", edgecolors="white", linewidth=0.5)
    axes.invert_yaxis()
    threshold = values.max() / 2 if values.size else 0
    for (row, column), value in np.ndenumerate(values):
        axes.text(column + 0.5, row + 0.5, f"{value:g}", ha="center", va="center",
                  color="white" if value > threshold else "black")
    axes.set_xticks(np.arange(len(column_labels)) + 0.5, [_short(label) for label in column_labels])
    axes.set_yticks(np.arange(len(row_labels)) + 0.5, [_short(label) for label in row_labels])
    axes.set(xlabel=x_label, ylabel=y_label)
    axes.spines[:].set_visible(False)
    return _render(figure, axes, labels=row_labels)


@_styled
def histogram_chart(edges: Sequence[float], shares: Mapping[str, Sequence[float]], title: str, x_label: str) -> str:
    """Distributions over the same bin edges drawn as outlines, so two of them read one over the other."""
    figure, axes = _figure(title)
    for color, (name, values) in zip(_cycle(), shares.items(), strict=False):
        axes.stairs(values, edges, color=color, linewidth=1.4, label=name, fill=False)
    axes.set(xlabel=x_label, ylabel="share of rows")
    return _render(figure, axes, legend=len(shares) > 1)


@_styled
def scatter_chart(x: Sequence[float], y: Sequence[float], title: str, x_label: str, y_label: str,
                  reference: str | None = None) -> str:
    """Points; `reference` draws "diagonal" (y = x) or "zero" (y = 0)."""
    figure, axes = _figure(title)
    axes.scatter(x, y, s=4, alpha=0.5, color=COLORS[0], linewidths=0)
    if reference == "diagonal" and len(x):
        low, high = float(min(np.min(x), np.min(y))), float(max(np.max(x), np.max(y)))
        axes.plot([low, high], [low, high], linestyle="--", linewidth=0.8, color="#999999")
    elif reference == "zero":
        axes.axhline(0, linestyle="--", linewidth=0.8, color="#999999")
    axes.set(xlabel=x_label, ylabel=y_label)
    return _render(figure, axes)


def _figure(title: str, rows: int = 0, square: bool = False) -> tuple[Figure, object]:
    height = max(SIZE[1], 0.9 + 0.22 * rows) if rows else SIZE[1]
    figure = Figure(figsize=(SIZE[1] + 1 if square else SIZE[0], height))
    axes = figure.add_subplot()
    # Few ticks: each is a handful of artists to lay out and draw, the bulk of a small chart's cost.
    axes.locator_params(nbins=5)
    axes.set_title(title)
    return figure, axes


def _render(figure: Figure, axes: object, legend: bool = False, labels: Sequence[object] = (),
            bottom: float = 0.16) -> str:
    if legend:
        axes.legend(loc="best")
    # Margins fixed rather than tight_layout's: that draws the figure twice, and reports stay cheap.
    longest = max((len(_short(label)) for label in labels), default=0)
    left = min(0.5, 0.13 + 0.075 * max(longest - 4, 0) / figure.get_figwidth())
    figure.subplots_adjust(left=left, right=0.97, bottom=bottom, top=0.9)
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    return _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1), count=1)


def _cycle():
    while True:
        yield from COLORS


def _times(values: Sequence[str]) -> list:
    try:
        return [datetime.fromisoformat(value.replace("Z", "+00:00")) for value in values]
    except (TypeError, ValueError):
        return list(values)


def _short(label: object, limit: int = 24) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"
