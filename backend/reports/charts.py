"""The report's charts, drawn by matplotlib (Agg, no display) as PNG at a modest
resolution: one calm style for all of them, a missing day a gap in the line (never a
zero), a questionnaire's baseline as a dashed line.

Figures are made with ``matplotlib.figure.Figure`` rather than pyplot: no global
state, so threads of a web worker or a Celery worker can draw side by side.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

DPI = 100
WIDTH_INCHES = 6.8
INK = "#2f3a40"
GRID = "#dfe4e6"
MUTED = "#7b878c"
COLOURS = {"pain": "#b5523b", "stress": "#6a5a9c", "sleep": "#3a7ca5", "score": "#2e7d6b"}
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlecolor": INK,
    "axes.titlelocation": "left",
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.6,
    "lines.markersize": 3,
}


@dataclass(frozen=True)
class Chart:
    """A PNG and its size in inches (the PDF places it at that size)."""

    png: bytes
    width: float
    height: float


def _values(values: Sequence[float | None]) -> list[float]:
    """``None`` (not logged) as NaN: matplotlib leaves a gap there."""
    return [math.nan if value is None else float(value) for value in values]


def _png(figure: Figure, width: float, height: float) -> Chart:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return Chart(buffer.getvalue(), width, height)


def _date_axis(axes, start: dt.date, end: dt.date) -> None:
    axes.set_xlim(start - dt.timedelta(hours=12), end + dt.timedelta(hours=12))
    span = (end - start).days + 1
    axes.xaxis.set_major_locator(mdates.DayLocator(interval=7 if span <= 31 else 14))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def daily_chart(
    *,
    title: str,
    dates: Sequence[dt.date],
    values: Sequence[float | None],
    colour: str,
    low: float,
    high: float,
    unit: str = "",
    ticks: Sequence[float] = (),
    height: float = 1.6,
) -> Chart:
    """One daily score over the window: a line through the logged days, a gap where
    nothing was logged, a dot on each day (a day alone between gaps still shows)."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, height))
        # Fixed margins (in inches, as fractions): a layout engine draws everything twice.
        figure.subplots_adjust(
            left=0.5 / WIDTH_INCHES, right=0.985, top=1 - 0.25 / height, bottom=0.3 / height
        )
        axes = figure.add_subplot()
        axes.plot(list(dates), _values(values), color=colour, marker="o")
        axes.set_ylim(low, high)
        if ticks:
            axes.set_yticks(ticks)
        axes.set_title(title)
        if unit:
            axes.set_ylabel(unit)
        logged = sum(1 for value in values if value is not None)
        if not logged:
            axes.text(
                0.5, 0.5, "Nothing logged in these days", transform=axes.transAxes, ha="center", color=MUTED
            )
        _date_axis(axes, dates[0], dates[-1])
        return _png(figure, WIDTH_INCHES, height)


@dataclass(frozen=True)
class ScorePanel:
    title: str
    dates: list[dt.date]
    scores: list[float]
    baseline: float
    low: float
    high: float


def scores_chart(panels: Sequence[ScorePanel], start: dt.date, end: dt.date) -> Chart:
    """Each questionnaire's scores in the window, side by side, with its baseline
    (the first answer ever, maybe before the window) as a dashed line."""
    columns = min(len(panels), 2)
    rows = math.ceil(len(panels) / columns)
    height = 1.8 * rows
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, height))
        grid = figure.subplots(
            rows,
            columns,
            squeeze=False,
            gridspec_kw={
                "left": 0.5 / WIDTH_INCHES,
                "right": 0.985,
                "top": 1 - 0.25 / height,
                "bottom": 0.3 / height,
                "hspace": 0.55 / 1.8 * 2,
                "wspace": 0.2,
            },
        )
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            panel = panels[index]
            axes.axhline(panel.baseline, color=MUTED, linestyle="--", linewidth=1)
            axes.plot(panel.dates, panel.scores, color=COLOURS["score"], marker="o")
            axes.set_ylim(panel.low, panel.high)
            axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            axes.set_title(panel.title)
            axes.set_xlim(start - dt.timedelta(days=1), end + dt.timedelta(days=1))
            axes.xaxis.set_major_locator(mdates.DayLocator(interval=max(7, (end - start).days // 4)))
            axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        return _png(figure, WIDTH_INCHES, height)
