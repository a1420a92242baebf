"""What the renderer can print, asked by the content, brand and patient checks.

Checks run before anything is drawn, so every problem is reported at once; but which
characters and pictures can be printed is the renderer's knowledge (its fonts, its picture
reader). A check is handed a :class:`Printer`, and the pipeline hands it the PDF renderer's
(:data:`handouts.pdf.printer.PDF`): content never imports the PDF layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Printer(Protocol):
    def unprintable(self, text: str) -> list[str]:
        """Characters in ``text`` that cannot be printed, in order, once each."""
        ...

    def picture_problem(self, path: Path) -> str | None:
        """Why the picture (a logo) cannot be printed, or None."""
        ...


def describe(ch: str) -> str:
    """``'王' (U+738B)`` — how a character is named in an error message."""
    return f"{ch!r} (U+{ord(ch):04X})"


def unprintable_problem(printer: Printer, text: str) -> str | None:
    """``no bundled font can print '王' (U+738B)``, or None when all of ``text`` prints."""
    bad = printer.unprintable(text) if text else []
    if not bad:
        return None
    return f"no bundled font can print {', '.join(describe(ch) for ch in bad)}"
