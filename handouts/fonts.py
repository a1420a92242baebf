"""Bundled fonts: registration, glyph coverage, and paragraph markup with fallback.

Logical names map to files in ``fonts/``. Text goes into ReportLab paragraphs
only through :func:`markup`, which escapes ``& < >`` and wraps any character
the main face lacks in the fallback face, or raises if no bundled font has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .errors import RenderError

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

FACES = {
    "Body": "AtkinsonHyperlegible-Regular.ttf",
    "Body-Bold": "AtkinsonHyperlegible-Bold.ttf",
    "Body-Italic": "AtkinsonHyperlegible-Italic.ttf",
    "Body-BoldItalic": "AtkinsonHyperlegible-BoldItalic.ttf",
    "Fallback": "DejaVuSans.ttf",
    "Fallback-Bold": "DejaVuSans-Bold.ttf",
}
"""Logical font name → bundled file."""

BODY, BOLD, FALLBACK, FALLBACK_BOLD = "Body", "Body-Bold", "Fallback", "Fallback-Bold"

_ALLOWED_CONTROLS = {"\n", "\t", "\r"}


@dataclass(frozen=True)
class Coverage:
    """Which code points each face can draw."""

    main: frozenset[int]
    fallback: frozenset[int]


@cache
def register() -> Coverage:
    """Register the bundled fonts with ReportLab once; fail loudly if a file is missing."""
    missing = [name for name in FACES.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise RenderError(f"bundled font files are missing from {FONT_DIR}: {', '.join(missing)}")
    for logical, file in FACES.items():
        pdfmetrics.registerFont(TTFont(logical, str(FONT_DIR / file)))
    for family, regular, bold, italic, bold_italic in (
        ("Body", BODY, BOLD, "Body-Italic", "Body-BoldItalic"),
        ("Fallback", FALLBACK, FALLBACK_BOLD, FALLBACK, FALLBACK_BOLD),
    ):
        addMapping(family, 0, 0, regular)
        addMapping(family, 1, 0, bold)
        addMapping(family, 0, 1, italic)
        addMapping(family, 1, 1, bold_italic)
    return Coverage(
        main=_codepoints(BODY) & _codepoints(BOLD),
        fallback=_codepoints(FALLBACK) & _codepoints(FALLBACK_BOLD),
    )


def _codepoints(name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def unprintable(text: str) -> list[str]:
    """Characters in ``text`` that no bundled font can draw, in order, once each."""
    cov = register()
    out: list[str] = []
    for ch in text:
        if ch in _ALLOWED_CONTROLS:
            continue
        cp = ord(ch)
        drawable = cp in cov.main or cp in cov.fallback
        if (not drawable or cp < 32 or cp == 127) and ch not in out:
            out.append(ch)
    return out


def describe(ch: str) -> str:
    """``'王' (U+738B)`` — how a character is named in an error message."""
    return f"{ch!r} (U+{ord(ch):04X})"


@lru_cache(maxsize=8192)
def markup(text: str, bold: bool = False) -> str:
    """Escape ``text`` for a ReportLab paragraph and switch to the fallback face where needed.

    Line breaks become ``<br/>``. Raises :class:`RenderError` for a character no font has.
    """
    cov = register()
    fallback = FALLBACK_BOLD if bold else FALLBACK
    out: list[str] = []
    run: list[str] = []
    in_fallback = False

    def flush() -> None:
        if run:
            chunk = escape("".join(run))
            out.append(f'<font face="{fallback}">{chunk}</font>' if in_fallback else chunk)
            run.clear()

    for ch in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "):
        if ch == "\n":
            flush()
            out.append("<br/>")
            continue
        cp = ord(ch)
        if cp < 32 or cp == 127:
            raise RenderError(f"cannot print the control character {describe(ch)}")
        need_fallback = cp not in cov.main
        if need_fallback and cp not in cov.fallback:
            raise RenderError(f"no bundled font has the character {describe(ch)}")
        if need_fallback != in_fallback:
            flush()
            in_fallback = need_fallback
        run.append(ch)
    flush()
    return "".join(out)
