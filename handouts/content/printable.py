"""What the renderer can print, asked by the content, brand and patient checks.

Checks run before anything is drawn, so every problem is reported at once; but which
characters and pictures can be printed is the renderer's knowledge (its fonts, its picture
reader). A check is handed a :class:`Printer`, and the pipeline hands it the PDF renderer's
(:data:`handouts.pdf.printer.PDF`): content never imports the PDF layer.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Protocol


class Printer(Protocol):
    def unprintable(self, text: str) -> list[str]:
        """Characters in ``text`` that cannot be printed, in order, once each."""
        ...

    def not_shared(self, text: str) -> list[str]:
        """Characters in ``text`` that text every handout shares (a clinic's words) cannot
        print, in order, once each: more than :meth:`unprintable` (a patient's name may
        use a script's own face)."""
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


def shared_text_problem(printer: Printer, text: str) -> str | None:
    """Why a clinic's own words cannot print in every handout, or None: ``no bundled font
    prints '王' (U+738B) in the words every handout shares (…)``."""
    bad = printer.not_shared(text) if text else []
    controls = [ch for ch in bad if unicodedata.category(ch) == "Cc"]
    if controls:
        return f"has a control character {', '.join(map(describe, controls))}; remove it"
    if not bad:
        return None
    return (
        f"no bundled font prints {', '.join(describe(ch) for ch in bad)} in the words every "
        "handout shares: write them in Latin, Greek or Cyrillic letters (a patient's name may "
        "use more scripts)"
    )


def private_text_problem(printer: Printer, text: str) -> str | None:
    """Why a patient's detail (a name, a note, a plan field) cannot print as typed, or
    None: how many characters and of what kind, never which (a message must not give
    enough of it to read). Refused: invisible characters that set the direction of text
    (they would change the order it is read in) and characters no bundled font has."""
    controls = [ch for ch in text if ch in DIRECTION_CONTROLS]
    if controls:
        them = "it" if len(controls) == 1 else "them"
        sets = "sets" if len(controls) == 1 else "set"
        return (
            f"{_count(len(controls))} that {sets} the direction of text (invisible, such as "
            f"U+202E), which would change the order it is read in; delete {them}"
        )
    unprintable = set(printer.unprintable(text)) if text else set()
    bad = [ch for ch in text if ch in unprintable]
    if bad:
        return (
            f"{_count(len(bad))} that no bundled font can print ({_kinds(bad)}; {_NOT_SHOWN}); "
            "spell it with letters the handout's fonts have, or leave it out"
        )
    return None


DIRECTION_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Unicode's explicit direction marks, embeddings, overrides and isolates."""
_NOT_SHOWN = "not shown: patient details stay out of messages"


def _count(n: int) -> str:
    return f"{n:,} characters" if n != 1 else "1 character"


def _kinds(chars: list[str]) -> str:
    """``2 emoji or symbols, 1 letter``: what kind of characters, so the clinician knows
    what to change, without which."""
    kinds: dict[str, int] = {}
    for ch in chars:
        kind = _KINDS.get(unicodedata.category(ch)[0], "other character")
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{n} {kind if n == 1 else _PLURAL[kind]}" for kind, n in kinds.items())


_KINDS = {"L": "letter", "M": "accent", "N": "digit", "S": "emoji or symbol"}
_PLURAL = {
    "letter": "letters",
    "accent": "accents",
    "digit": "digits",
    "emoji or symbol": "emoji or symbols",
    "other character": "other characters",
}
