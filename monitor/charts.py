"""A small PNG chart of the last days' education coverage by tone (matplotlib, no display needed)."""

from __future__ import annotations

import io
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # before pyplot: servers and CI have no display

from matplotlib.figure import Figure  # noqa: E402  (after the backend choice, on purpose)
from matplotlib.ticker import MaxNLocator  # noqa: E402

from monitor.digest import SENTIMENT_LABELS, TrendDay  # noqa: E402

COLORS = {"positive": "#12b76a", "neutral": "#98a2b3", "negative": "#f04438"}
SHORT_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")  # Monday first, as date.weekday()


def trend_png(days: Sequence[TrendDay], *, title: str = "Tin giáo dục 7 ngày qua theo sắc thái",
              width_px: int = 600, height_px: int = 220, dpi: int = 100, label_every: int = 1, slots: int = 0) -> bytes:
    """Stacked bars (negative at the bottom, where the eye starts) with each day's total on top; fewer days than
    `slots` (a clipping's first week, the days before the monitoring left out) keep the width of a full chart, the
    empty places on the left.

    Uses matplotlib's object API (`Figure`, not pyplot) so nothing global is kept between calls and
    concurrent renders cannot draw into each other's figure.
    """
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(days)))
    bottom = [0] * len(days)
    for tone in ("negative", "neutral", "positive"):
        values = [getattr(d, tone) for d in days]
        ax.bar(x, values, bottom=bottom, color=COLORS[tone], label=SENTIMENT_LABELS[tone], width=0.65)
        bottom = [b + v for b, v in zip(bottom, values)]
    top = max(bottom, default=0)
    for xi, total in zip(x, bottom if len(days) <= 10 else ()):  # totals only where they fit
        ax.text(xi, total + max(top, 1) * 0.02, str(total), ha="center", va="bottom", fontsize=8, color="#344054")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{SHORT_WEEKDAYS[d.day.weekday()]}\n{d.day:%d/%m}" if i % label_every == 0 else ""
                        for i, d in enumerate(days)], fontsize=8)
    if len(days) < slots:
        ax.set_xlim(len(days) - slots - 0.5, len(days) - 0.5)
    ax.set_ylim(0, max(top, 1) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # articles come whole
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=10, loc="left", color="#101828")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
