"""Lay flowables out into recorded pages, then compose recorded pages into one PDF.

Rendering is split in two so that the work shared by many patients is done once:

- :func:`layout` runs ReportLab's page layout and keeps what each page draws
  (its content-stream operators, split into artifacts and tagged pieces, links,
  bookmarks and pictures) as a :class:`Recording` with its structure plan, without
  writing a PDF. The renderer records each shared section (and the masthead) once
  per content, paper and starting height.
- :class:`Composer` puts recorded pages in order (a part that continues a page is
  placed on it), adds each page's footer with its page numbers (known by then, so no
  second pass), and has :mod:`handouts.pdf.pdffile` write the file.

Reuse is exact because every canvas is seeded alike: the same characters get the
same codes in the same font subsets, and the four fonts get the same internal names,
so recorded text draws the same on any canvas seeded with the same text. A handout
made from reused pages is byte-identical to one laid out on the spot, which tests
check.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate
from reportlab.platypus.doctemplate import ActionFlowable, _ktAllow
from reportlab.platypus.flowables import _ContainerSpace

from handouts.errors import internal
from handouts.memo import file_stamp, memo
from handouts.pdf import fonts, pdffile
from handouts.pdf.pdffile import Link, Mark, Meta, Page, Part, Sheet
from handouts.pdf.private import is_private
from handouts.pdf.tagging import (
    ARTIFACT,
    CLOSE,
    FOOTER,
    Node,
    Open,
    Plan,
    plan_structure,
    split_code,
)


@dataclass(frozen=True)
class Recording:
    pages: tuple[Page, ...]
    end_y: float
    """Height on the last page where the content ended (points from the bottom)."""
    top: float | None = None
    """Where the first page's content started; None for the top of a new page."""


@dataclass(frozen=True)
class Geometry:
    size: tuple[float, float]
    left: float
    right: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.size[0] - self.left - self.right

    @property
    def frame_top(self) -> float:
        return self.size[1] - self.top


class PdfCanvas(Canvas):
    """A canvas whose fonts are seeded for replay, that records pages and tags them.

    Finished pages are kept in ``pages`` (nothing is written through ReportLab), with
    their links, bookmarks and pictures. A tagged flowable's drawing is opened with
    :meth:`open_tag` and closed with :meth:`close_tag` (:mod:`handouts.pdf.tagging`).
    """

    tagging = True

    background: Color | None = None
    """A page colour other than white, filled under each page when the file is written."""

    def __init__(self, geometry: Geometry, seed: str, meta: Meta | None = None):
        super().__init__(
            io.BytesIO(),
            pagesize=geometry.size,
            invariant=1,
            initialFontName=fonts.BODY,
            initialFontSize=13,
        )
        fonts.seed_subsets(self._doc, seed)
        self.seed = seed
        self.seed_chars = _chars(seed)
        self.meta = meta or Meta("")
        self.pages: list[Page] = []
        self._links: list[Link] = []
        self._marks: list[Mark] = []
        self._images: list[tuple[str, Path]] = []
        self._open: Open | None = None
        self._bullet: tuple[Any, ...] | None = None
        """Where and how the last list mark was drawn (:func:`handouts.pdf.tagging.label_end`)."""
        self._scopes = 0

    def new_scope(self) -> int:
        self._scopes += 1
        return self._scopes

    def open_tag(self, tag: Open) -> bool:
        """Start a tagged flowable's drawing; False (nothing to close) inside another."""
        if self._open is not None:
            return False
        self._code.append(tag)
        self._open = tag
        return True

    def close_tag(self) -> None:
        self._code.append(CLOSE)
        self._open = None

    def log_links(self, stop: bool = False) -> list[tuple[str, Any]] | None:
        """Start (or stop) keeping the links drawn, as given (relative to the drawing)."""
        self._link_log: list[tuple[str, Any]] | None = None if stop else []
        return self._link_log

    def mark(self, key: str, level: int, title: str) -> None:
        self._marks.append(Mark(key, level, title))

    def linkURL(
        self, url: str, rect: Any, relative: int = 0, thickness: int = 0, **kw: Any
    ) -> None:
        """A link over ``rect``; none where it has no width or height (ReportLab gives one
        at a line's end where a word in a link is broken after the words on that line:
        nothing to click, and a Link element with nothing to read)."""
        if abs(rect[2] - rect[0]) < 0.01 or abs(rect[3] - rect[1]) < 0.01:
            return
        log = getattr(self, "_link_log", None)
        if log is not None and relative:
            log.append((url, tuple(rect)))
        x1, y1, x2, y2 = self._absRect(rect, relative)
        tag = self._open
        owner = (tag.body or tag.node) if tag is not None else None
        self._links.append(Link(url, (x1, y1, x2, y2), owner))

    def drawImage(
        self, image: Any, x: float, y: float, width: Any = None, height: Any = None, **kw: Any
    ) -> Any:
        """A picture (a PNG logo), shown from the file's one copy of it."""
        path = Path(getattr(image, "fileName", image))
        name = _image_name(path)
        self._images.append((name, path))
        w, h = fp_str(width), fp_str(height)
        self._code.append(f"q {w} 0 0 {h} {fp_str(x)} {fp_str(y)} cm /{name} Do Q")
        return (width, height)

    def drawText(self, aTextObject: Any) -> None:
        super().drawText(aTextObject)
        # ReportLab's paragraphs give a text object a method bound to itself (_do_line),
        # and ours one that draws a space at a line's end (_textOut, see
        # handouts.pdf.paragraph): loops that would keep its words, perhaps a patient's,
        # until the garbage collector ran, broken once it is drawn, so it is freed at once
        aTextObject.__dict__.pop("_do_line", None)
        aTextObject.__dict__.pop("_textOut", None)

    def showPage(self) -> None:
        code = split_code(self._code)
        page = Page(
            code,
            tuple(self._links),
            tuple(self._marks),
            tuple(self._images),
            private=is_private(),
        )
        self.pages.append(page)
        self._links, self._marks, self._images = [], [], []
        self._startPage()

    def save(self) -> None:
        raise internal("a recording canvas is written by handouts.pdf.pdffile")

    def draw_apart(self, draw: Callable[[PdfCanvas], None]) -> str:
        """What ``draw`` draws on a fresh page state, as content code (for footers)."""
        self._startPage()
        draw(self)
        code = "\n".join(self._code)
        self._startPage()
        return code

    def write(self, sheets: Sequence[Sheet]) -> bytes:
        """The PDF file of ``sheets``, with the fonts and pictures drawn on this canvas."""
        doc = self._doc
        uses = []
        for name in doc.fontMapping:
            font = pdfmetrics.getFont(name)
            if not isinstance(font, TTFont):
                raise internal(f"the font {name} is not embedded")
            state = font.state[doc]
            uses += [
                pdffile.FontUse(f"{state.internalName}+{n}", font, n, tuple(subset))
                for n, subset in enumerate(state.subsets)
            ]
        images = {n: p for s in sheets for part in s.parts for n, p in part.page.images}
        preamble = self._preamble
        if self.background is not None:  # the paper's colour, under everything, unread
            r, g, b = (fp_str(v) for v in self.background.rgb())
            w, h = (fp_str(v) for v in self._pagesize)
            preamble += f"\n{ARTIFACT}\nq {r} {g} {b} rg 0 0 {w} {h} re f Q\nEMC"
        return pdffile.write(self._pagesize, sheets, uses, images, self.meta, preamble)


@memo(16)
def _chars(seed: str) -> frozenset[str]:
    return frozenset(seed)


def _image_name(path: Path) -> str:
    return _image_name_at(path, file_stamp(path))


@memo(16)
def _image_name_at(path: Path, stamp: tuple[int, int]) -> str:
    return "Im" + hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()[:10]


@dataclass(frozen=True, eq=False)
class Drawn:
    """How far a recording canvas's page had been drawn when a flowable was placed: its
    code so far (the page's list, which the page is made from when it ends) and how many
    of each of its items there were."""

    code: list[Any]
    items: int
    links: int
    marks: int
    images: int


Placing = tuple[Flowable, float, float, Drawn]
"""A flowable placed, the frame's height and space after once it was, and the page's
drawing so far (:func:`layout`'s ``positions``)."""


class _Template(BaseDocTemplate):
    """Page layout onto a recording canvas; headings with an outline become bookmarks."""

    positions: list[Placing] | None = None
    """Where kept (:func:`layout`'s ``positions``): each flowable placed, with the frame's
    height and space after once it is placed, and how far the page's drawing had got."""

    def afterFlowable(self, flowable: Flowable) -> None:
        _placed(flowable, self.frame, self.canv, self.positions)

    def afterPage(self) -> None:
        self.end_y = self.frame._y


class _Frame(Frame):
    """A frame that ReportLab copies cheaply: a group's trial wrap (``_listWrapOn``, for
    every group kept together) deep-copies the frame, whose attributes are numbers, names
    and flags and one list (its backgrounds), copied here as a deep copy would."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Frame:
        new = object.__new__(type(self))
        new.__dict__.update(
            (k, list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items()
        )
        return new


class _Continued(_Frame):
    """A frame that continues a page: space before its first flowable is kept."""

    def _reset(self) -> None:
        super()._reset()
        self._atTop = 0


class _Measuring(_Frame):
    """A frame that places flowables as any frame does, and draws none of them: where
    things fall (pages, the height where the content ends) comes from wrapping and
    splitting alone, which drawing never changes."""

    def _add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:
        try:
            flowable.drawOn = _draw_nothing  # this placing only (a flowable is placed once)
        except AttributeError:  # a flowable that refuses new attributes: drawn after all
            return super()._add(flowable, canv, trySplit)
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            del flowable.drawOn

    add = _add


class _MeasuringContinued(_Continued, _Measuring):
    add = _Measuring._add


def _draw_nothing(*args: Any, **kwargs: Any) -> None:
    return None


def layout(
    story: Sequence[Flowable],
    geometry: Geometry,
    canvas: PdfCanvas,
    top: float | None = None,
    measure: bool = False,
    positions: list[Placing] | None = None,
) -> Recording:
    """Lay ``story`` out onto recorded pages of ``canvas``.

    With ``top``, the first page's content starts that far up the page (under
    content drawn before it) instead of at the top margin. With ``measure``, nothing is
    drawn: the pages are blank, and only how many there are and where the content ends
    count (a visit handout's tries at fitting). ``positions``: a list to add each
    flowable placed to, with the height the frame is at and the space after it keeps
    once it is placed, and how far the page's drawing had got (:class:`Drawn`). A story
    that fits on the page it starts on and needs nothing else of the template is drawn
    without it (:func:`_on_one_page`).
    """
    g = geometry
    start = len(canvas.pages)
    end_y = None if measure else _on_one_page(story, g, canvas, top, positions)
    if end_y is None:
        end_y = _by_template(story, g, canvas, top, measure, positions)
    pages = canvas.pages[start:]
    if measure:  # blank pages: counted, never composed
        del canvas.pages[start:]
        return Recording(tuple(pages), end_y, top)
    plans = plan_structure(pages)
    return Recording(tuple(map(planned, pages, plans)), end_y, top)


def _by_template(
    story: Sequence[Flowable],
    g: Geometry,
    canvas: PdfCanvas,
    top: float | None,
    measure: bool,
    positions: list[Placing] | None,
) -> float:
    """``story`` laid out by ReportLab's document template onto ``canvas``, from ``top``
    on: where the content ends on its last page."""
    templates = [PageTemplate("full", [_frame(g, None, measure)])]
    if top is not None:
        part = _frame(g, top, measure)
        templates.insert(0, PageTemplate("part", [part], autoNextPageTemplate="full"))
    tmpl = _Template(
        io.BytesIO(),
        pagesize=g.size,
        pageTemplates=templates,
        leftMargin=g.left,
        rightMargin=g.right,
        topMargin=g.top,
        bottomMargin=g.bottom,
    )
    tmpl._doSave = 0
    tmpl.positions = positions
    try:
        tmpl.build(list(story), canvasmaker=lambda *a, **k: canvas)
    finally:
        # ReportLab's template names itself in its namespace (doc=self), a loop through
        # its canvas and story that would keep them, perhaps a patient's words, until the
        # garbage collector ran: broken once laid out (or stopped), so they are freed now
        tmpl._nameSpace.clear()
    return float(tmpl.end_y)


def _frame(g: Geometry, top: float | None, measure: bool) -> Frame:
    """The frame of a page (``top`` None), or of the rest of one from ``top`` down."""
    if top is None:
        kind = _Measuring if measure else _Frame
        return kind(g.left, g.bottom, g.width, g.frame_top - g.bottom, id="full",
                    **_NO_PADDING)  # fmt: skip
    kind = _MeasuringContinued if measure else _Continued
    return kind(g.left, g.bottom, g.width, top - g.bottom, id="part", **_NO_PADDING)


def _on_one_page(
    story: Sequence[Flowable],
    g: Geometry,
    canvas: PdfCanvas,
    top: float | None,
    positions: list[Placing] | None,
) -> float | None:
    """``story`` drawn onto one page of ``canvas`` without a document template, where
    the template would only place each flowable in turn (most parts laid out are a few
    flowables that fit on the page they start on: a tier, a heading, the patient's
    line), doing what the template does there: the same frame places and draws each
    flowable, flowables kept with the next are grouped as the template groups them
    (:func:`_kept_with_next`), a group kept together is split as the template splits it
    (into its parts where it fits), and the page ends as the template ends it. Returns
    the height the content ends at, or None when the template must lay the story out: it
    holds anything else (a page or frame break, another kind of group), or a flowable
    does not fit where it falls. What was drawn is then taken back (font codes given out
    stay given out: the template gives them out again the same). The positions differ
    from the template's only in that it also lists the page's start, an action flowable,
    first (which their reader skips)."""
    if not story or not all(_plain(f) for f in story):  # (nothing: the template makes no page)
        return None
    frame = _one_frame(g, top)
    code, links, marks, images = canvas._code, canvas._links, canvas._marks, canvas._images
    drawn = (len(code), len(links), len(marks), len(images))
    at = len(positions) if positions is not None else 0
    kept: list[tuple[Flowable, dict[str, Any]]] = []  # keepWithNext cleared, to put back
    flows = list(story)
    while flows:
        if flows[0].getKeepWithNext() and not _kept_with_next(flows, kept):
            return _undone(canvas, drawn, positions, at, kept)
        f = flows.pop(0)
        if frame.add(f, canvas, trySplit=1):
            _placed(f, frame, canvas, positions)
            if getattr(frame, "_generated_content", None):  # the template would add it
                return _undone(canvas, drawn, positions, at, kept)
            continue
        if not _splits_alone(f) or (frame._atTop and not _fits_whole(f, frame, canvas)):
            # not a group (it does not fit: split, or on the next page), or a group at the
            # top of a page that does not fit whole: it asks the template for the next frame
            return _undone(canvas, drawn, positions, at, kept)
        parts = frame.split(f, canvas)
        if not parts or isinstance(parts[0], ActionFlowable):  # not here: the next frame
            return _undone(canvas, drawn, positions, at, kept)
        if not frame.add(parts[0], canvas, trySplit=0):  # (the template's LayoutError)
            return _undone(canvas, drawn, positions, at, kept)
        _placed(parts[0], frame, canvas, positions)
        flows[0:0] = parts[1:]
    canvas.setPageRotation(0)
    canvas.showPage()
    return float(frame._y)


def _plain(f: Flowable, member: bool = False) -> bool:
    """Whether the template would only place ``f`` (or, ``member``, the parts of a group
    kept together): no break, action or space moved along, and no group in a group (the
    parts that keep with the next are grouped again once the group is split)."""
    if isinstance(f, ActionFlowable) or getattr(f, "frameAction", None):
        return False
    if getattr(f, "locChanger", False):
        return False
    if getattr(f, "_SPACETRANSFER", False) or getattr(f, "_ZEROSIZE", False):
        return False
    style = getattr(f, "style", None)
    for o in (f, style):
        if getattr(o, "pageBreakBefore", 0) or getattr(o, "frameBreakBefore", 0):
            return False
    if isinstance(f, KeepTogether):
        return (
            _splits_alone(f)
            and not member
            and f._maxHeight is None
            and all(_plain(m, True) for m in f._content)
        )
    return not isinstance(f, _ContainerSpace)


def _splits_alone(f: Flowable) -> bool:
    """A group kept together whose split reads nothing of the template but what ReportLab's
    own reads (a group that does not fit asks it for the next frame): ReportLab's, or one
    that says so (``SPLITS_ALONE``)."""
    return type(f) is KeepTogether or getattr(type(f), "SPLITS_ALONE", False)


def _fits_whole(f: KeepTogether, frame: Frame, canvas: PdfCanvas) -> bool:
    """Whether a group at the top of ``frame`` fits whole in it, wrapped as the frame's
    split wraps it (which then wraps it no more): its split then asks nothing of the
    template, and gives its parts."""
    room = frame._y - frame._y1p
    f.wrapOn(canvas, frame._aW, room)
    return max(f._H, f._H0) <= room


def _kept_with_next(flows: list[Flowable], kept: list[tuple[Flowable, dict[str, Any]]]) -> bool:
    """The first of ``flows``, which keeps with the next, grouped as the template groups
    it (``handle_keepWithNext``): it and those after it that keep with the next, and the
    one after them, kept together, each but the last no longer keeping with the next
    (the pieces read that after the layout, as the template leaves it). What each had is
    added to ``kept``, to be put back if the template lays the story out after all.
    False where the template would not group it."""
    n = 0
    while n < len(flows) and flows[n].getKeepWithNext() and _ktAllow(flows[n]):
        n += 1
    if not n:
        return False
    if n < len(flows) and _ktAllow(flows[n]):
        n += 1
    group = KeepTogether(flows[:n])  # (the template's keepTogetherClass)
    for m in group._content[:-1]:
        had = {"keepWithNext": m.__dict__["keepWithNext"]} if "keepWithNext" in m.__dict__ else {}
        kept.append((m, had))
        m.__dict__["keepWithNext"] = 0
    flows[:n] = [group]
    return True


def _placed(
    f: Flowable, frame: Frame | None, canvas: PdfCanvas, positions: list[Placing] | None
) -> None:
    """What is done once a flowable is placed, by the template or without it: its
    bookmark set, and its position listed (with ``positions``)."""
    outline = getattr(f, "outline", None)
    if outline:
        canvas.mark(*outline)
    if positions is not None and frame is not None:
        drawn = Drawn(canvas._code, len(canvas._code), len(canvas._links),
                      len(canvas._marks), len(canvas._images))  # fmt: skip
        positions.append((f, frame._y, frame._prevASpace, drawn))


def _undone(canvas: PdfCanvas, drawn: tuple[int, int, int, int],
            positions: list[Placing] | None, at: int,
            kept: list[tuple[Flowable, dict[str, Any]]]) -> None:  # fmt: skip
    """The page as it was before :func:`_on_one_page` drew on it (each flowable drawn
    restores the graphics state it found; a font code given out stays given out, as the
    template gives it out again the same), and the flowables it grouped as they were."""
    for f, had in reversed(kept):
        f.__dict__.pop("keepWithNext", None)
        f.__dict__.update(had)
    code, links, marks, images = drawn
    del canvas._code[code:]
    del canvas._links[links:]
    del canvas._marks[marks:]
    del canvas._images[images:]
    if positions is not None:
        del positions[at:]
    return None


def _one_frame(g: Geometry, top: float | None) -> Frame:
    """The frame :func:`layout`'s template starts with, at the start of its page, its
    indents and backgrounds as ``handle_frameBegin`` sets them."""
    frame = _frame(g, top, False)
    frame._reset()
    frame._leftExtraIndent = frame._rightExtraIndent = 0.0
    frame._frameBGs = []
    return frame


def planned(page: Page, plan: Plan) -> Page:
    """``page`` with its structure planned (:func:`handouts.pdf.tagging.plan_structure`)."""
    return replace(page, plan=plan)


BLANK = Page(())
"""A measured page: a visit handout's tries count pages, and never draw them."""


_NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


class Footer(Protocol):
    def code(self, canvas: PdfCanvas, local: int, overall: int) -> str:
        """A page's footer drawing, given its number within its part and within the file."""
        ...


Placed = tuple[Part, ...]
"""A page of the file as the parts drawn on it, top to bottom."""


def marks_of(placed: Placed) -> tuple[Mark, ...]:
    return tuple(m for part in placed for m in part.page.marks)


def prefixed(placed: Placed, prefix: str) -> Placed:
    """The page with its bookmarks renamed, so two handouts' bookmarks never clash."""
    return tuple(
        replace(
            p,
            page=replace(
                p.page, marks=tuple(Mark(prefix + m.key, m.level, m.title) for m in p.page.marks)
            ),
        )
        if p.page.marks
        else p
        for p in placed
    )


@dataclass
class Composer:
    """Pages in print order, each with its footer and its number within its part."""

    canvas: PdfCanvas
    pages: list[tuple[Placed, Footer, int]] = field(default_factory=list)

    def add(
        self,
        pages: Sequence[Page | Placed],
        footer: Footer,
        continue_last: bool = False,
        group: Node | None = None,
    ) -> None:
        """Append ``pages``; with ``continue_last`` the first is drawn on the last page so far.
        Recorded pages' top-level elements go under ``group`` in the structure tree."""
        scope = self.canvas.new_scope()
        placed = [(Part(p, scope, group),) if isinstance(p, Page) else p for p in pages]
        if continue_last and self.pages and placed:
            last, last_footer, number = self.pages[-1]
            self.pages[-1] = (last + placed.pop(0), last_footer, number)
        # numbered within their part: the same footer (and group) as the pages before
        key = placed[0][0].group if placed else group
        number = sum(1 for p, f, _ in self.pages if f is footer and p[0].group is key)
        for page in placed:
            number += 1
            self.pages.append((page, footer, number))

    def finish(self) -> bytes:
        c = self.canvas
        sheets = []
        for overall, (parts, footer, local) in enumerate(self.pages, 1):
            code = footer.code(c, local, overall)
            sheets.append(Sheet(parts, f"{FOOTER}\n{code}\nEMC" if code.strip() else ""))
        return c.write(sheets)


def replayable(
    story: list[Flowable],
    g: Geometry,
    seed: str,
    top: float | None = None,
    positions: list[Placing] | None = None,
) -> Recording | None:
    """``story`` laid out on a canvas apart from any file's; None if it drew a character
    or font the seed lacked, since then it would not draw the same on another canvas.

    The canvas is seeded once and kept for the next story with the same seed, unless
    this story changed its fonts' codes."""
    canvas = scratch(g, seed)
    before = fonts.codes_in_use(canvas._doc)
    try:
        rec = layout(story, g, canvas, top, positions=positions)
    except BaseException:  # a canvas left mid-page must not be used again
        scratch.cache_clear()
        raise
    canvas.pages.clear()
    if fonts.codes_in_use(canvas._doc) != before:
        scratch.cache_clear()
        return None
    return rec


@memo(4)
def scratch(g: Geometry, seed: str) -> PdfCanvas:
    """A canvas apart from any file's, to lay out what many handouts share."""
    return PdfCanvas(g, seed)
