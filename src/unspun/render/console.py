"""A Rich console that shows the control characters of article text instead of sending them to the terminal.

A hostile page can carry ANSI escape sequences ("\\x1b[2J" clears the screen, others move the cursor or
rewrite the window title), so text that reaches an analyst's terminal shows each C0/C1 control character,
except newline and tab, as a visible stand-in: the Unicode control picture ("␛" for ESC), one cell wide like
the character a terminal would have drawn. Rich's own styling travels apart from the text (in segment styles),
so it is untouched. JSON escapes control characters itself and HTML is escaped by its templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400..U+241F: ␀ .. ␟
    return "\u2421" if code == 0x7F else "\ufffd"  # ␡ for DEL; C1 controls have no picture


def printable(text: str) -> str:
    """text with every control character but newline and tab made visible and harmless."""
    return _CONTROL.sub(_picture, text)


class SafeConsole(Console):
    """Console whose rendered text never carries a control character from the content."""

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and _CONTROL.search(segment.text):
                yield Segment(printable(segment.text), segment.style)
            else:
                yield segment
