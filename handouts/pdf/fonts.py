"""Bundled fonts: registration, glyph coverage, and paragraph markup with fallback.

Logical names map to files in ``fonts/``. Text goes into ReportLab paragraphs
only through :func:`markup`, which escapes ``& < >`` and wraps any character
the main face lacks in the fallback face, or raises if no bundled font has it.

Font subsets are made and compressed once (:mod:`handouts.pdf.pdffile`) and reused by every
handout that uses the same characters (:func:`seed_subsets` makes that the usual case).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from handouts import paths
from handouts.content.printable import describe
from handouts.content.spaces import keep_together
from handouts.errors import RenderError
from handouts.memo import memo
from handouts.pdf import shaping
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


@dataclass(frozen=True)
class Script:
    """A writing system a patient's name may be in, and the bundled faces that print it.

    Its faces are registered the first time a character of it is printed or checked (the
    CJK face alone is 5 MB), so a handout in Latin letters never loads them."""

    name: str
    regular: str
    bold: str
    ranges: tuple[tuple[int, int], ...]
    shaped: bool
    """Whether its letters change shape or place with their neighbours (HarfBuzz shapes
    them): Arabic joins, Devanagari forms conjuncts, Thai and Hebrew marks sit on letters,
    Ethiopic syllables are kerned."""
    index: int = 0
    """The face's index in a TrueType collection (``.ttc``)."""

    @property
    def face(self) -> str:
        return f"Script-{self.name}"

    @property
    def bold_face(self) -> str:
        return self.face if self.bold == self.regular else f"{self.face}-Bold"


SCRIPTS = (
    Script("Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
           ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
            (0xFE70, 0xFEFF)), shaped=True),
    Script("Hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf",
           ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)), shaped=True),
    Script("Devanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf",
           ((0x0900, 0x097F), (0xA8E0, 0xA8FF)), shaped=True),
    Script("Thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf",
           ((0x0E00, 0x0E7F),), shaped=True),
    Script("Ethiopic", "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf",
           ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F)), shaped=True),
    # Chinese, Japanese kana and Korean Hangul: WenQuanYi Micro Hei has one weight
    Script("CJK", "WenQuanYiMicroHei.ttc", "WenQuanYiMicroHei.ttc",
           ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF),
            (0x3100, 0x312F), (0x3130, 0x318F), (0x31A0, 0x31FF), (0x3200, 0x4DBF),
            (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF),
            (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF)), shaped=False),
)  # fmt: skip
"""The scripts beyond Latin, Greek and Cyrillic (which the body and fallback faces have)."""
SWITCHED_FACES = frozenset(
    {FALLBACK, FALLBACK_BOLD, *(f for s in SCRIPTS for f in (s.face, s.bold_face))}
)
"""The faces :func:`markup` switches to."""


def script_of(cp: int) -> Script | None:
    """The script (of :data:`SCRIPTS`) whose faces print code point ``cp``, if any."""
    for script in SCRIPTS:
        if any(lo <= cp <= hi for lo, hi in script.ranges):
            return script
    return None


_SCRIPT_LOCK = threading.Lock()


@memo(None, shared=True)
def script_coverage(name: str) -> frozenset[int]:
    """Register a script's faces with ReportLab (once), and the code points they print."""
    script = next(s for s in SCRIPTS if s.name == name)
    with _SCRIPT_LOCK:
        for face, file in ((script.face, script.regular), (script.bold_face, script.bold)):
            path = FONT_DIR / file
            if not path.is_file():
                raise RenderError(f"a bundled font file is missing from {FONT_DIR}: {file}")
            if face not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(face, str(path), subfontIndex=script.index))
        return _codepoints(script.face) & _codepoints(script.bold_face)


def _face_of(cp: int, cov: Coverage) -> str | None:
    """Which face prints ``cp``: "" for the body face, a script's or the fallback face's
    name, or None when no bundled face has it."""
    if cp in cov.main:
        return ""
    script = script_of(cp)
    if script is not None and cp in script_coverage(script.name):
        return script.name
    return "Fallback" if cp in cov.fallback else None


def shaped(text: str) -> bool:
    """Whether ``text`` has letters HarfBuzz must shape (a script whose letters join or
    combine: :attr:`Script.shaped`)."""
    return any((s := script_of(ord(ch))) is not None and s.shaped for ch in text if ord(ch) > 0x58F)


def right_to_left(text: str) -> bool:
    """Whether ``text`` has letters written right to left (Arabic, Hebrew)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text if ord(ch) > 0x58F)


_ALLOWED_CONTROLS = {"\n", "\t", "\r"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""The ASCII control characters that are not allowed (all but tab and line ends)."""


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
    shaping.install(frozenset(n for s in SCRIPTS if s.shaped for n in (s.face, s.bold_face)))
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


@memo(None, shared=True)
def _draws_ascii(cov: Coverage) -> bool:
    """Whether the body faces draw every printable ASCII character (the bundled ones do)."""
    return cov.main.issuperset(range(32, 127))


def _codepoints(name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def unprintable(text: str) -> list[str]:
    """Characters in ``text`` that no bundled font can draw, in order, once each."""
    cov = register()
    if text.isascii() and not _CONTROL.search(text) and _draws_ascii(cov):
        return []  # most content, checked at every start: no need to look letter by letter
    out: list[str] = []
    for ch in text:
        if ch in _ALLOWED_CONTROLS:
            continue
        cp = ord(ch)
        drawable = _face_of(cp, cov) is not None
        if (not drawable or cp < 32 or cp == 127) and ch not in out:
            out.append(ch)
    return out


def not_shared(text: str) -> list[str]:
    """Characters in ``text`` that text every handout shares (the clinic's words, the
    content) cannot draw, in order, once each: those no bundled font has, and those only
    a script's own face has (a face kept for patients' names: shared text is laid out once
    in the four seeded faces, :data:`SEEDED`)."""
    cov, bad = register(), set(unprintable(text))
    out: list[str] = []
    for ch in text:
        if ch not in out and (ch in bad or _face_of(ord(ch), cov) not in ("", "Fallback", None)):
            out.append(ch)
    return out


def markup(text: str, bold: bool = False) -> str:
    """Escape ``text`` for a ReportLab paragraph and switch to the fallback face where needed.

    Line breaks become ``<br/>``; a number keeps the word after it on its line
    (:func:`~handouts.content.spaces.keep_together`). Raises :class:`RenderError` for a
    character no font has.
    Shared text is done once; patient text (:mod:`handouts.pdf.private`) is never kept.
    """
    return _markup(text, bold) if is_private() else _shared_markup(text, bold)


def _markup(text: str, bold: bool = False) -> str:
    if _BODY_ONLY.fullmatch(text) and register().main.issuperset(map(ord, text)):
        return escape(keep_together(text))  # the body face draws it all (most names, dates)
    return _by_letter(text, bold)


def _by_letter(text: str, bold: bool = False) -> str:
    """:func:`markup`, letter by letter: each in the face that draws it."""
    cov = register()
    names = {"": "", "Fallback": FALLBACK_BOLD if bold else FALLBACK}
    for script in SCRIPTS:
        names[script.name] = script.bold_face if bold else script.face
    out: list[str] = []
    run: list[str] = []
    face = ""

    def flush() -> None:
        if run:
            chunk = escape("".join(run))
            out.append(f'<font face="{names[face]}">{chunk}</font>' if face else chunk)
            run.clear()

    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    for word in _WORDS.split(keep_together(text)):
        # a word with letters of a script: its digits and marks in that script's face too,
        # since HarfBuzz shapes a word in one face (the word's first)
        scripts = {s.name for ch in word if ord(ch) > 0x58F and (s := script_of(ord(ch)))}
        own = scripts.pop() if len(scripts) == 1 else None
        for ch in word:
            if ch == "\n":
                flush()
                out.append("<br/>")
                continue
            cp = ord(ch)
            if cp < 32 or cp == 127:
                raise RenderError(f"cannot print the control character {describe(ch)}")
            if own and cp > 127 and not ch.isalpha() and cp in script_coverage(own):
                need = own
            else:
                need = _face_of(cp, cov)
            if need is None:
                raise RenderError(f"no bundled font has the character {describe(ch)}")
            if need != face:
                flush()
                face = need
            run.append(ch)
    flush()
    return "".join(out)


_WORDS = re.compile(r"(\s+)")
_BODY_ONLY = re.compile(r"[^\x00-\x1f\x7f\u0590-\U0010ffff]*")
"""Text that may be drawn all in the body face, if it has every character: no control
characters or line ends, and nothing of a script that may want its own face (from
U+0590 on: see :func:`script_of`)."""


_shared_markup = memo(8192)(_markup)
