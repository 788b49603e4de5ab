"""A story's publication timeline as SVG, drawn on the server (no script): one row per version, a dot at
its publication date coloured by its role, linked to the version. Every text is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

ROLE_COLOURS = {"origin": "#2e7d32", "derived": "#b8860b", "independent": "#00838f"}
OTHER = "#777777"
MAX_ROWS = 80  # versions drawn; a larger story says how many more it has


class Dated(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def site(self) -> str | None: ...
    @property
    def published(self) -> str | None: ...
    @property
    def role(self) -> str: ...


def timeline_svg(entries: Sequence[Dated], href: Callable[[str], str], width: int = 880) -> str:
    """The versions (oldest first) on a time axis; undated ones in a column of their own at the right."""
    shown = list(entries[:MAX_ROWS])
    days = [_day(e.published) for e in shown]
    known = [d for d in days if d is not None]
    left, right, row, top = 230, 110, 20, 34
    first, last = (min(known), max(known)) if known else (None, None)
    span = max(1, (last - first).days) if first and last else 1
    plot = width - left - right
    height = top + row * len(shown) + 26 + (16 if len(entries) > MAX_ROWS else 0)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" height="{height}" '
              'font-family="sans-serif" font-size="12" role="img" aria-label="publication timeline">'),
             '<title>When each version was published</title>']
    if first and last:
        for tick in sorted({first, last, first + (last - first) / 2}):
            x = left + plot * (tick - first).days / span if last != first else left + plot / 2
            parts.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 22}" stroke="#ddd"/>'
                         f'<text x="{x:.1f}" y="{top - 14}" text-anchor="middle">{tick.isoformat()}</text>')
    parts.append(f'<text x="{width - right / 2:.0f}" y="{top - 14}" text-anchor="middle">undated</text>')
    for n, (entry, day) in enumerate(zip(shown, days, strict=True)):
        y = top + n * row + row / 2
        if day is None:
            x = width - right / 2
        else:
            x = left + plot * (day - first).days / span if first and last and last != first else left + plot / 2
        label = f"{entry.site or 'no site'} · {entry.id}"
        colour = ROLE_COLOURS.get(entry.role, OTHER)
        tip = f"{entry.role}: {label}, {entry.published or 'undated'}"
        parts.append(f'<text x="{left - 10}" y="{y + 4:.1f}" text-anchor="end">{escape(_short(label, 34))}</text>'
                     f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#f0f0ec"/>'
                     f'<a href={quoteattr(href(entry.id))}><circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}">'
                     f'<title>{escape(tip)}</title></circle></a>')
    if len(entries) > MAX_ROWS:
        parts.append(f'<text x="{left}" y="{height - 8}">and {len(entries) - MAX_ROWS} more versions, '
                     'listed below</text>')
    parts.append("</svg>")
    return "".join(parts)


def _day(published: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
