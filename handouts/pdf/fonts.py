"""Bundled fonts: registration, glyph coverage, and paragraph markup with fallback.

Logical names map to files in ``fonts/``. Text goes into ReportLab paragraphs
only through :func:`markup`, which escapes ``& < >`` and wraps any character
the main face lacks in the fallback face, or raises if no bundled font has it.

Font subsets are made and compressed once (:mod:`handouts.pdf.pdffile`) and reused by every
handout that uses the same characters (:func:`seed_subsets` makes that the usual case).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from handouts import paths
from handouts.content.printable import describe
from handouts.errors import RenderError
from handouts.memo import memo
from handouts.pdf.private import is_private

FONT_DIR = paths.FONTS

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


@memo(None, shared=True)
def register() -> Coverage:
    """Register the bundled fonts with ReportLab once; fail loudly if a file is missing."""
    missing = [name for name in FACES.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise RenderError(f"bundled font files are missing from {FONT_DIR}: {', '.join(missing)}")
    for logical, file in FACES.items():
        font = TTFont(logical, str(FONT_DIR / file))
        pdfmetrics.registerFont(font)
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


COMMON = frozenset(range(0xC0, 0x100))
"""Accented Latin-1 letters, always in the subset (about 3 KB a file), so that most
patients' names do not change it."""


def seed_subsets(doc: object, text: str) -> None:
    """Give ``text``'s characters their places in ``doc``'s font subsets first, in order
    (worked out once per ``text``, then copied).

    ReportLab numbers non-ASCII characters in the order they are first drawn, so a
    patient's name with an accent would reorder the subset. Seeding with the sorted
    characters of the shared content gives those characters the same codes in every
    handout with that content, so its pages can be laid out once and replayed
    (:mod:`handouts.pdf.pages`); a name's other characters are numbered after them. The
    faces are also named (F1…F4) in a fixed order.
    """
    made = _seeded_states(text)
    for name, state in made[0]:
        font = pdfmetrics.getFont(name)
        copy = font.State()
        copy.assignments = dict(state.assignments)
        copy.subsets = [list(s) for s in state.subsets]
        copy.nextCode, copy.internalName, copy.frozen = (
            state.nextCode,
            state.internalName,
            state.frozen,
        )
        font.state[doc] = copy
    doc.fontMapping.update(made[1])  # type: ignore[attr-defined]
    doc.delayedFonts.extend(made[2])  # type: ignore[attr-defined]


@memo(8)
def _seeded_states(text: str) -> tuple[tuple[tuple[str, Any], ...], dict[str, str], list[Any]]:
    """The four faces' subset states, the font names and the fonts to write, of a document
    seeded with ``text``: made once per seed, then copied into each new document."""
    doc = pdfdoc.PDFDocument()
    _seed(doc, text)
    states = tuple((name, pdfmetrics.getFont(name).state[doc]) for name in SEEDED)
    return states, dict(doc.fontMapping), list(doc.delayedFonts)


def _seed(doc: object, text: str) -> None:
    main = register().main
    wanted = sorted({ord(ch) for ch in text if ord(ch) > 126} | COMMON)
    for names, chars in (
        ((BODY, BOLD), [c for c in wanted if c in main]),
        ((FALLBACK, FALLBACK_BOLD), [c for c in wanted if c not in main]),
    ):
        for name in names:
            font = pdfmetrics.getFont(name)
            have = font.face.charToGlyph
            font.splitString("".join(chr(c) for c in chars if c in have), doc)
    for name in SEEDED:  # the same internal names (F1…F4) in every document
        pdfmetrics.getFont(name).getSubsetInternalName(0, doc)


SEEDED = (BODY, BOLD, FALLBACK, FALLBACK_BOLD)
"""The faces every handout uses, named in this order in every PDF."""


def codes_in_use(doc: pdfdoc.PDFDocument) -> tuple[object, ...]:
    """How many codes each seeded face has given out in ``doc``, and which fonts it uses:
    if drawing something leaves these as they were, the drawing replays on any canvas
    seeded alike."""
    codes = tuple(pdfmetrics.getFont(name).state[doc].nextCode for name in SEEDED)
    return (*codes, len(doc.fontMapping))


def seeded(text: str, seed: frozenset[str]) -> bool:
    """Whether every character of ``text`` has a fixed code in a canvas seeded with ``seed``."""
    return all(ch in seed or ord(ch) < 127 or ord(ch) in COMMON for ch in text)


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


def markup(text: str, bold: bool = False) -> str:
    """Escape ``text`` for a ReportLab paragraph and switch to the fallback face where needed.

    Line breaks become ``<br/>``. Raises :class:`RenderError` for a character no font has.
    Shared text is done once; patient text (:mod:`handouts.pdf.private`) is never kept.
    """
    return _markup(text, bold) if is_private() else _shared_markup(text, bold)


def _markup(text: str, bold: bool = False) -> str:
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


_shared_markup = memo(8192)(_markup)
