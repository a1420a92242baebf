"""ReportLab paragraphs that do their work once for every handout that shares them.

Handouts for the same conditions share nearly all their sentences, so a
paragraph's markup is parsed once per text and style, its lines are broken once
per text, style and width, and its drawing (operators, and links relative to it)
is worked out once per lines, style and canvas state, then reused. Reuse never
changes a handout's bytes: tests compare warm renders with cold ones.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections import OrderedDict
from typing import Any

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from handouts.memo import MemoTable, memo, table
from handouts.pdf import bidi, fonts, longaddresses
from handouts.pdf.pages import PdfCanvas
from handouts.pdf.private import is_private
from handouts.pdf.shaping import said as shaped_letters
from handouts.pdf.tagging import (
    ACTUAL_CLOSE,
    ACTUAL_OPEN,
    LABEL_END,
    LANG_CLOSE,
    LANG_OPEN,
    Node,
    Open,
    Tagged,
    close_actual,
    close_lang,
    label_end,
    label_ends,
    language_after,
    open_actual,
    open_lang,
    start_language,
)
from handouts.pdf.wordbreaks import halves, word_breaks

longaddresses.install()  # a too-long web address breaks where a reader expects it


def _parse(text: str, style: ParagraphStyle) -> tuple[ParagraphStyle, tuple[Any, ...]]:
    """ReportLab's parse of a paragraph's markup, done once per text and style.

    Handouts for the same conditions share nearly all their text, so parsing
    (about an eighth of the render time) is not repeated. ReportLab copies a
    fragment before changing it, so the shared fragments are never altered.
    """
    style, frags = _fragments(cleanBlockQuotedText(text), style)
    textTransformFrags(frags, style)
    return style, tuple(frags)


def _fragments(markup: str, style: ParagraphStyle) -> tuple[ParagraphStyle, list[Any]]:
    """ReportLab's parse of ``markup`` (cleaned), its fragments not yet transformed."""
    parser = ParaParser()
    parser.caseSensitive = 1
    style, frags, _ = parser.parse(markup, style)
    if frags is None:
        raise ValueError(f"paragraph markup error ({parser.errors[0]}) in {markup[:30]!r}")
    return style, frags


_parsed = memo(16384)(_parse)


def _parse_private(text: str, style: ParagraphStyle) -> tuple[ParagraphStyle, list[Any]]:
    """:func:`_parse` of patient text, with its markup parsed once per shape: the text
    with each of its words put for a numbered stand-in (``w0``, ``w1``, …) is parsed once
    per style, then each handout's words are put back into copies of its fragments. The
    parser makes the same fragments whatever the words are, so long as they hold no
    ``&`` (an entity is a fragment of its own), ``<`` or ``>`` outside a tag, and its
    tags are only our own faces (:func:`_own_tag`), bold, italics, underlining and line
    breaks, each closed: other text is parsed as it is, and so is text of more than
    :data:`SHAPE_WORDS` words (a long note's shape seldom comes again). Only the shape
    is kept: those tags (so where letters in another face fall), the spaces and how
    many words, never a word."""
    clean = cleanBlockQuotedText(text)
    parts = _TAG.split(clean)
    data = parts[::2]
    words: list[str] = []

    def stand_in(m: re.Match[str]) -> str:
        words.append(m.group())
        return f"w{len(words) - 1}"

    if "&" not in clean and all(map(_own_tag, parts[1::2])):
        parts[::2] = [_WORD.sub(stand_in, d) for d in data]
    found = None  # (no word: nothing to put back)
    if words and len(words) <= SHAPE_WORDS and not any("<" in w or ">" in w for w in words):
        with contextlib.suppress(ValueError):  # a tag left open: the whole parse says so
            found = _shape_parsed("".join(parts), style)
    if found is None:
        style, whole = _parse(text, style)
        return style, list(whole)
    style, shaped = found
    frags = []
    for shape in shaped:
        frag = copy.copy(shape)
        if shape.text:
            frag.text = _STAND_IN.sub(lambda m: words[int(m.group(1))], shape.text)
        frags.append(frag)
    textTransformFrags(frags, style)
    return style, frags


@memo(256)
def _shape_parsed(shape: str, style: ParagraphStyle) -> tuple[ParagraphStyle, tuple[Any, ...]]:
    """ReportLab's parse of a shape of patient text (:func:`_parse_private`), its words'
    stand-ins not yet transformed (upper case and the like: the words are put back
    first)."""
    style, frags = _fragments(shape, style)
    return style, tuple(frags)


SHAPE_WORDS = 40
"""The most words patient text may have to be parsed by its shape (a patient's line has
a handful; a long note is parsed whole)."""
_TAG = re.compile(r"(<[^>]*>)")
_PLAIN_TAGS = frozenset({"<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<br/>", "</font>"})


def _own_tag(tag: str) -> bool:
    """Whether ``tag`` is one :func:`handouts.pdf.fonts.markup` or the handout's own
    markup writes: bold, italics, underlining, a line break, or a bundled face."""
    return tag in _PLAIN_TAGS or (
        tag.startswith('<font face="') and tag.endswith('">') and tag[12:-2] in fonts.SWITCHED_FACES
    )


_WORD = re.compile(r"[^ ]+")
_STAND_IN = re.compile(r"w(\d+)")


def _letters(text: Any) -> str:
    """A line's piece of text as typed: a shaped run's letters, not its glyphs."""
    return text if type(text) is str else shaped_letters(text) or text


class Paragraph(Tagged, _RLParagraph):
    """ReportLab's paragraph, with its markup parsed once per text and style, and its
    lines broken once per text, style and width (many handouts share their sentences)."""

    def _setup(self, text: str, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        self._source: tuple[Any, ...] | None = None
        self._bidi: bool | None = None  # shaped or right-to-left: reads right to left?
        self._rtl = False  # has right-to-left words (no space is added at a line's end)
        if frags is None and is_private():  # patient text: no word of it is kept
            said = bidi.plain(text)
            shaped = fonts.shaped(said)
            if shaped:  # letters that join or combine: HarfBuzz shapes them
                style = _shaping(style)
            self._rtl = fonts.right_to_left(said)
            if shaped or self._rtl:  # drawn by bidi.visual
                rtl = self._bidi = bidi.base_rtl(said)
                if rtl and style.alignment == TA_LEFT:
                    style = _right(style)
            style, frags = _parse_private(text, style)
        elif frags is None:
            style, self._source = _parsed(text, style)
            frags = list(self._source)
        super()._setup(text, style, bulletText, frags, cleaner)
        self._given = frags  # its text, for where a word ends (wrapping makes words of it)
        self._rest: str | None = None  # a split's half: its text (set by split)
        self._goes_on = False  # a split's first half: a space follows its last word
        self._off = False  # a split's half: no space is added at its lines' ends
        self._wrapped: tuple[float, tuple[float, float]] | None = None
        self._ends: tuple[bool, ...] | None = None  # while drawn in the order seen
        self._lang: str | None = None  # a split's part: the language its words start in

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Line breaking depends on the text, style and width only, so it is done once
        for each and reused (ReportLab only reads the broken lines afterwards)."""
        done = self._wrapped
        if done is not None and done[0] == availWidth and hasattr(self, "blPara"):
            return done[1]
        bullet = None if self._hanging() else self.bulletText  # a hanging mark moves nothing
        key = (id(self._source), self.style, bullet, availWidth) if self._source else None
        hit = _BROKEN.recall(key) if key else None
        if hit is not None:
            self.__dict__.update(hit[1])
            size = (self.width, self.height)
        else:
            size = super().wrap(availWidth, availHeight)
            if key and size[1] < 0x7FFFFFFF:
                _BROKEN[key] = (self._source, {a: getattr(self, a) for a in _WRAP_STATE})
        self._wrapped = (availWidth, size)
        return size

    def draw(self) -> None:
        """Drawing depends on the broken lines and the canvas's drawing state only, so the
        operators (and links, relative to the paragraph) are worked out once and reused.
        A list item's text is reused under another mark (a source numbered 7 here and 12
        there): only the mark is drawn again."""
        canv = self.canv
        key = body_key = None
        if self._source and isinstance(canv, PdfCanvas) and self._seeded(canv):
            state = tuple(getattr(canv, a) for a in DRAW_STATE)
            base = (id(self._source), self.style, self.width, self.height, state, canv.seed)
            key = (*base, self.bulletText)
            if self.bulletText and self._hanging():
                body_key = base
        hit = _DRAWN.recall(key) if key else None
        if hit is not None:
            code, links = hit[1], hit[2]
            canv._code.extend(code)
            for url, rect in links:
                canv.linkURL(url, rect, relative=1)
            return
        body = _BODIES.recall(body_key) if body_key else None
        if body is not None:
            _, before, (offset, cur_y, rtl), after, links = body
            canv._code.extend(before)
            label_end(canv, offset, cur_y, self.bulletText, self.style, rtl)
            canv._code.extend(after)
            for url, rect in links:
                canv.linkURL(url, rect, relative=1)
            return
        if self._bidi is not None and getattr(self.blPara, "kind", 0) == 1:
            self._draw_visual(canv)
            return
        start = len(canv._code)
        log = canv.log_links() if key else None
        codes = fonts.codes_in_use(canv._doc) if key else None
        canv._bullet = None
        _callbacks(canv)
        with label_ends():
            super().draw()
        if key and log is not None and fonts.codes_in_use(canv._doc) == codes:
            code = tuple(canv._code[start:])
            _DRAWN[key] = (self._source, code, tuple(log))
            mark = canv._bullet  # where the mark was drawn, and how (tagging.label_end)
            ends = [n for n, item in enumerate(code) if item is LABEL_END]
            if body_key and mark is not None and len(ends) == 1:
                at, *how = mark
                entry = (self._source, code[: at - start], tuple(how), code[ends[0] + 1 :])
                _BODIES[body_key] = (*entry, tuple(log))
        if log is not None:
            canv.log_links(stop=True)

    def beginText(self, x: float, y: float) -> Any:
        """ReportLab's text object for the lines, drawing a space after each line that
        ends a word. A tagged PDF's text holds the spaces a plain text would (ISO 32000-1,
        14.8.2.5), and a reader that goes by the structure read "one" at a line's end and
        "that" at the next's as "onethat". The space is drawn past the line's end, so it
        moves nothing."""
        tx = self.canv.beginText(x, y)
        if self._lang is not None:  # a part that starts inside words in another language
            start_language(tx, self._lang)
        ends = self._line_ends()
        if ends is None or not any(ends):
            return tx
        out, pending = tx._textOut, iter(ends)

        def text_out(text: Any, TStar: int = 0) -> None:  # ReportLab's names
            if TStar and next(pending, False):
                if type(text) is str:
                    text += " "
                else:  # a shaped word: shown as it is, then the space
                    out(text, 0)
                    text = " "
            out(text, TStar)

        tx._textOut = text_out
        return tx

    def _line_ends(self) -> tuple[bool, ...] | None:
        """Whether a space is drawn after each broken line (:mod:`handouts.pdf.wordbreaks`).
        None where nothing is added: a paragraph with right-to-left words (the end of a
        line as seen may be inside one), or one whose lines do not hold its text."""
        if self._ends is not None or self._rtl or self._off:
            return self._ends
        texts = self._texts()
        if texts is None:
            return None
        hard = [bool(getattr(line, "lineBreak", False)) for line in self.blPara.lines]
        return word_breaks(*texts, self._goes_on, hard if self.blPara.kind == 1 else ())

    def _texts(self) -> tuple[str, list[str]] | None:
        """The paragraph's text, and each broken line's (None before it is broken)."""
        bl = getattr(self, "blPara", None)
        if bl is None:
            return None
        if bl.kind == 0:
            lines = [" ".join(map(_letters, words)) for _, words in bl.lines]
        else:
            lines = ["".join(_letters(getattr(f, "text", "")) for f in line.words)
                     for line in bl.lines]  # fmt: skip
        if self._rest is not None:
            return self._rest, lines
        source = "".join(  # a split half of plain lines: its words
            f.text if hasattr(f, "text") else " ".join(getattr(f, "words", ())) for f in self._given
        )
        return source, lines

    def _draw_visual(self, canv: Any) -> None:
        """Patient text with right-to-left words, or letters HarfBuzz shapes, drawn with
        each line's words in the order they are seen (:mod:`handouts.pdf.bidi`); the broken
        lines stay in reading order, for a split to use (and for where words end)."""
        logical, kept = self.blPara, self._ends
        self._ends = self._line_ends() or ()  # () adds nothing
        self.blPara = bidi.visual(logical, bool(self._bidi))
        _callbacks(canv)
        canv._bullet = None
        try:
            with label_ends():
                super().draw()
        finally:
            self.blPara, self._ends = logical, kept

    def _hanging(self) -> bool:
        """Whether the paragraph's mark (if any) hangs within its indent, so that the lines
        and their drawing are the same whatever the mark (ReportLab's own test)."""
        mark = self.bulletText
        return not mark or (isinstance(mark, str) and _hangs(mark, self.style))

    def _seeded(self, canv: PdfCanvas) -> bool:
        """Only text whose every character is in the font seed draws the same on every
        canvas (a patient's or clinician's name may not be)."""
        key = (id(self._source), self.bulletText, canv.seed)
        ok = _SEEDED.get(key)
        if ok is None:
            text = "".join(getattr(f, "text", "") for f in self._source or ())
            ok = fonts.seeded(text + str(self.bulletText or ""), canv.seed_chars)
            _SEEDED[key] = (self._source, ok)
            return ok
        return ok[1]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """ReportLab's split edits the broken lines it splits, so it gets its own copy."""
        if not hasattr(self, "blPara"):  # as ReportLab does: split the lines it has
            self.wrap(availWidth, availHeight)
        if self._source:
            self.blPara = _own_lines(self.blPara)
        texts = None if self._rtl or self._off else self._texts()
        parts = super().split(availWidth, availHeight)
        for part in parts:  # both halves are the same element of the structure tree
            part.tag = self.tag
            part._bidi = self._bidi  # and drawn in the order seen, as the whole would be
            part._rtl = self._rtl
        if len(parts) == 2:  # each half's own text, for where its words end
            parts[0]._lang = self._lang  # and the language its words start in
            parts[1]._lang = language_after(parts[0].blPara.lines, self._lang)
            cut = None if texts is None else halves(*texts, len(parts[0].blPara.lines))
            if cut is None:
                parts[0]._off = parts[1]._off = True
            else:
                parts[0]._rest, parts[1]._rest, parts[0]._goes_on = cut
        return parts


def _callbacks(canv: Any) -> None:
    """The canvas callbacks a paragraph's markup may name (:func:`tagging.in_language`,
    :func:`tagging.unspoken`), or a shaped word's drawing (:mod:`handouts.pdf.bidi`)."""
    canv.setNamedCB(LANG_OPEN, open_lang)
    canv.setNamedCB(LANG_CLOSE, close_lang)
    canv.setNamedCB(ACTUAL_OPEN, open_actual)
    canv.setNamedCB(ACTUAL_CLOSE, close_actual)


@memo(256)
def _shaping(style: ParagraphStyle) -> ParagraphStyle:
    """``style``, with HarfBuzz shaping the words (only patient text that needs it: a
    name in Arabic or Devanagari; everything else is drawn as it always was)."""
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


@memo(256)
def _right(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` set to the right, for a paragraph that reads right to left."""
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


def words_after(mark: str, font: str, size: float, indent: float) -> float:
    """Where ReportLab starts a first line's words after its label ``mark`` set at
    ``indent``: past the label and a gap of 0.6 of its size, wherever the paragraph's own
    indent is less (``paragraph._drawBullet``)."""
    return indent + pdfmetrics.stringWidth(mark, font, size) + 0.6 * size


@memo(4096)
def _hangs(mark: str, st: ParagraphStyle) -> bool:
    after = words_after(mark, st.bulletFontName, st.bulletFontSize, st.bulletIndent)
    return bool(after <= st.leftIndent + st.firstLineIndent)


def _own_lines(bl: Any) -> Any:
    """A copy of broken lines for ReportLab's split to edit (it adds a space to the last
    word of each line it moves, and may change a last word's kind), sharing the rest."""
    new = copy.copy(bl)
    if bl.kind == 1:
        lines = []
        for line in bl.lines:
            own = copy.copy(line)
            own.words = [copy.copy(w) for w in line.words]
            lines.append(own)
        new.lines = lines
    else:
        new.lines = [(line[0], [copy.copy(w) for w in line[1]]) for line in bl.lines]
    return new


_WRAP_STATE = (
    "frags",
    "blPara",
    "width",
    "height",
    "_wrapWidths",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)
"""What ReportLab's wrap leaves on a paragraph."""
DRAW_STATE = (
    "_fontname",
    "_fontsize",
    "_leading",
    "_fillColorObj",
    "_strokeColorObj",
    "_textRenderMode",
    "_charSpace",
    "_wordSpace",
    "_horizScale",
    "_rise",
    "_lineWidth",
)
"""The canvas state a paragraph's drawing can depend on."""
REMEMBERED = 20_000
"""How many parsed texts' seed checks, drawings and broken lines a renderer remembers,
each (the newest)."""
_SEEDED: MemoTable[tuple[Any, ...], Any] = table("paragraph._SEEDED", REMEMBERED)
_DRAWN: MemoTable[tuple[Any, ...], tuple[Any, ...]] = table(
    "paragraph._DRAWN", REMEMBERED, OrderedDict
)
_BODIES: MemoTable[tuple[Any, ...], tuple[Any, ...]] = table(
    "paragraph._BODIES", REMEMBERED, OrderedDict
)
"""A list item's drawing around its mark: before it, how the mark is drawn, after it."""
_BROKEN: MemoTable[tuple[Any, ...], tuple[Any, ...]] = table(
    "paragraph._BROKEN", REMEMBERED, OrderedDict
)
"""Broken lines by (parsed text, style, width); each entry keeps its parsed text alive,
so the id in its key is never reused while the entry exists."""


class HeadingParagraph(Paragraph):
    """A heading at its level (0: the title, H1) that becomes a bookmark where it lands."""

    outline: tuple[str, int, str] | None = None

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        key: str = "",
        level: int = 0,
        title: str = "",
        parent: Node | None = None,
        **kwargs: Any,
    ):
        super().__init__(text, style, **kwargs)
        self.outline = (key, level, title) if key else None
        self.tag = Open(Node(f"H{level + 1}", parent))

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        if parts:
            parts[0].outline = self.outline  # a long heading split over pages keeps its bookmark
        return parts


class WholeParagraph(Paragraph):
    """A paragraph never split between pages (a list item: a tick-box step, a warning sign)."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []


class GoesOn(WholeParagraph):
    """A point of a card that says ``again`` (its title, continued: an artifact, seen and
    not read) above itself where it starts a page: a caution at the top of the back of a
    sheet is read under the name of its medicine, not of none. Where it falls anywhere
    else it is the paragraph alone. The frame tells: a page's frame is at its top until
    something is placed (a frame that goes on from a part of a page never is)."""

    again: Flowable | None = None
    _above = 0.0
    """How far its text starts below its top: the title's height and the space after it
    (the larger of its own space after and the point's space before, as a frame keeps)."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        width, height = super().wrap(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
        at_top = frame is not None and frame._atTop
        self._above = self.room(availWidth, availHeight) if at_top else 0.0
        return width, height + self._above

    def room(self, availWidth: float, availHeight: float) -> float:
        """How far its text starts below its top where it starts a page (0 without
        ``again``): :mod:`handouts.pdf.stacking` adds the same up."""
        again = self.again
        if again is None:
            return 0.0
        _w, title = again.wrap(availWidth, availHeight)
        return float(title + max(again.getSpaceAfter(), self.getSpaceBefore()))

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        if self._above and self.again is not None:
            self.again.drawOn(canvas, x, y + self.height + self._above - self.again.height)
        super().drawOn(canvas, x, y, _sW)
