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


def private_unprintable_problem(printer: Printer, text: str) -> str | None:
    """Like :func:`unprintable_problem`, for a patient's details: how many characters, never
    which (a message must not give enough of a name or note to read it)."""
    unprintable = set(printer.unprintable(text)) if text else set()
    bad = [ch for ch in text if ch in unprintable]
    if not bad:
        return None
    many = f"{len(bad)} characters" if len(bad) != 1 else "1 character"
    return (
        f"{many} that no bundled font can print (not shown: patient details stay out of "
        "messages); spell it with letters the handout's fonts have, or leave it out"
    )
