"""Narratives per week as a stacked bar chart: SVG written directly (no dependency), PNG through matplotlib.

The chart shows the `TOP` narratives with the most articles; the rest are stacked as "other narratives".
Every text in the SVG is escaped; the file holds no script.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from unspun.errors import InputError, UnspunError
from unspun.store.narratives import NarrativeCount

TOP = 8
REST = "other narratives"
# Colour-blind-safe qualitative palette (Okabe-Ito), then grey for the rest.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GREY = "#999999"


def weekly_series(counts: list[NarrativeCount]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Weeks oldest first, and (label, articles per week) for the top narratives plus the rest, all sites summed."""
    weeks = sorted({c.week for c in counts})
    totals: dict[str, int] = {}
    for c in counts:
        totals[c.label] = totals.get(c.label, 0) + c.articles
    top = sorted(totals, key=lambda label: (-totals[label], label))[:TOP]
    column = {week: n for n, week in enumerate(weeks)}
    series = {label: [0] * len(weeks) for label in (*top, REST)}
    for c in counts:
        series[c.label if c.label in top else REST][column[c.week]] += c.articles
    ordered = [(label, series[label]) for label in top]
    if any(series[REST]):
        ordered.append((REST, series[REST]))
    return weeks, ordered


def write_chart(counts: list[NarrativeCount], path: Path, title: str) -> None:
    """Write the chart to `path`: .svg or .png (PNG needs matplotlib: the `charts` extra)."""
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InputError(f"{path}: the chart is written as .svg or .png; pick one of those names")
    if not counts:
        raise InputError("no narratives match, so there is nothing to chart")
    if suffix == ".svg":
        path.write_text(chart_svg(counts, title), encoding="utf-8")
    else:
        _write_png(counts, path, title)


def chart_svg(counts: list[NarrativeCount], title: str, link: Callable[[str, str], str] | None = None) -> str:
    """The stacked bars; ``link(label, week)`` makes each bar of a narrative a link (to its evidence)."""
    weeks, series = weekly_series(counts)
    bar, gap, left, top, height, legend_row = 28, 12, 56, 40, 260, 18
    width = max(640, left + len(weeks) * (bar + gap) + 40)
    peak = max(sum(values[i] for _, values in series) for i in range(len(weeks))) or 1
    scale = height / peak
    legend_top = top + height + 70
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
         f'height="{legend_top + legend_row * len(series) + 10}" font-family="sans-serif" font-size="12">'),
        f'<title>{escape(title)}</title>',
        f'<text x="{left}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + height}" x2="{width - 20}" y2="{top + height}" stroke="#444"/>',
    ]
    for tick in _ticks(peak):
        y = top + height - tick * scale
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
                     f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#ddd"/>')
    for i, week in enumerate(weeks):
        x, base = left + gap + i * (bar + gap), float(top + height)
        for n, (label, values) in enumerate(series):
            if values[i]:
                h = values[i] * scale
                base -= h
                rect = (f'<rect x="{x}" y="{base:.1f}" width="{bar}" height="{h:.1f}" fill="{_colour(n, label)}">'
                        f'<title>{escape(label)}, {escape(week)}: {values[i]} article(s)</title></rect>')
                parts.append(f'<a href={quoteattr(link(label, week))}>{rect}</a>' if link is not None and label != REST
                             else rect)
        parts.append(f'<text x="{x + bar / 2}" y="{top + height + 14}" text-anchor="end" '
                     f'transform="rotate(-45 {x + bar / 2} {top + height + 14})">{escape(week)}</text>')
    for n, (label, values) in enumerate(series):
        y = legend_top + n * legend_row
        parts.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{_colour(n, label)}"/>'
                     f'<text x="{left + 18}" y="{y}">{escape(label)} ({sum(values)})</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _colour(n: int, label: str) -> str:
    return GREY if label == REST else COLOURS[n % len(COLOURS)]


def _ticks(peak: int) -> list[int]:
    step = max(1, round(peak / 5))
    return list(range(0, peak + 1, step))


def _write_png(counts: list[NarrativeCount], path: Path, title: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise UnspunError("PNG charts need matplotlib: pip install 'unspun[charts]' (or write the chart as .svg)")
    weeks, series = weekly_series(counts)
    figure, axes = plt.subplots(figsize=(max(6.4, 0.5 * len(weeks) + 2), 4.8 + 0.25 * len(series)))
    bottom = [0] * len(weeks)
    for n, (label, values) in enumerate(series):
        axes.bar(weeks, values, bottom=bottom, color=_colour(n, label), label=f"{label} ({sum(values)})")
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(title)
    axes.set_ylabel("articles")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelrotation=45)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize="small", frameon=False)
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=120)
    plt.close(figure)
