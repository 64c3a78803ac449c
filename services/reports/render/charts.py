"""Charts as self-contained SVG data URIs (matplotlib, no pyplot state, glyphs as paths).

An SVG inside <img> cannot run scripts, and with glyphs drawn as paths it needs no font
on the reader's machine or in WeasyPrint.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from services.reports.models import Distribution
from services.reports.render.fonts import cjk_font_or_none

INK, ACCENT, MUTED = "#1f2d3d", "#c0392b", "#7f8c8d"


def _font() -> FontProperties | None:
    path = cjk_font_or_none()
    return FontProperties(fname=str(path)) if path else None


def _data_uri(fig: Figure) -> str:
    # Glyphs as paths (the default) and fixed element ids, so the same data gives the same
    # bytes; set on the shared rcParams rather than in an rc_context, which is not thread-safe.
    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["svg.hashsalt"] = "jixiao"
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _labels(ax: object, font: FontProperties | None) -> None:
    for label in ax.get_xticklabels() + ax.get_yticklabels():  # type: ignore[attr-defined]
        if font is not None:
            label.set_fontproperties(font)
        label.set_fontsize(8)


def trend_chart(points: Sequence[tuple[str, float | None]], title: str = "") -> str:
    """The employee's monthly finals over the year; months without a score are gaps."""
    font = _font()
    fig = Figure(figsize=(6.4, 2.2), dpi=100)
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    ys = [float("nan") if v is None else v for _, v in points]
    ax.plot(xs, ys, marker="o", color=INK, linewidth=1.5, markersize=4)
    for x, (_, v) in zip(xs, points, strict=True):
        if v is not None:
            ax.annotate(f"{v:g}", (x, v), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
    ax.axhline(100, color=ACCENT, linewidth=0.8, linestyle="--")
    known = [v for _, v in points if v is not None]
    low = min(known + [100.0])
    ax.set_ylim(max(0.0, low - 10), max(known + [100.0]) + 8)
    ax.set_xticks(xs, [label for label, _ in points])
    if title:
        ax.set_title(title, fontproperties=font, fontsize=10)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    _labels(ax, font)
    return _data_uri(fig)


def histogram_chart(dist: Distribution, title: str = "") -> str:
    """Counts per score band (the same bands as the distribution table)."""
    font = _font()
    fig = Figure(figsize=(5.6, 2.2), dpi=100)
    ax = fig.add_subplot()
    labels = [label for label, _ in dist.bins]
    counts = [n for _, n in dist.bins]
    bars = ax.bar(labels, counts, color=INK, width=0.6)
    ax.bar_label(bars, fontsize=7)
    ax.set_ylim(0, max(counts + [1]) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title, fontproperties=font, fontsize=10)
    ax.set_ylabel("人数", fontproperties=font, fontsize=8, rotation=0, ha="right", va="center")
    _labels(ax, font)
    return _data_uri(fig)


def averages_chart(means: Sequence[tuple[str, float | None]], title: str = "各项目平均分") -> str:
    """One bar per project (its code), the group's projects side by side."""
    font = _font()
    fig = Figure(figsize=(min(6.4, 1.6 + 0.7 * len(means)), 2.4), dpi=100)
    ax = fig.add_subplot()
    labels = [code for code, _ in means]
    values = [v or 0.0 for _, v in means]
    bars = ax.bar(labels, values, color=MUTED, width=0.6)
    ax.bar_label(bars, labels=[f"{v:g}" if v is not None else "-" for _, v in means], fontsize=7)
    ax.set_ylim(0, max(values + [100.0]) * 1.15)
    ax.set_title(title, fontproperties=font, fontsize=10)
    _labels(ax, font)
    return _data_uri(fig)
