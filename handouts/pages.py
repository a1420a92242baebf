"""Lay flowables out into recorded pages, then compose recorded pages into one PDF.

Rendering is split in two so that the work shared by many patients is done once:

- :func:`layout` runs ReportLab's page layout and keeps what each page draws
  (its content-stream operators, links and bookmarks) as a :class:`Recording`,
  without writing a PDF. The renderer records each shared section (and the
  masthead) once per content, paper and starting height.
- :class:`Composer` puts recorded pages in order (a part that continues a page
  is drawn onto it), replays them onto one :class:`PdfCanvas`, adds each
  page's footer with its page numbers (known by then, so no second pass), and
  returns the bytes.

Replaying is exact because every canvas is seeded alike: the same characters
get the same codes in the same font subsets, and the four fonts get the same
internal names, so recorded text draws the same on any canvas seeded with the
same text. A replayed handout is byte-identical to one recorded on the spot,
which a test checks.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from . import fonts
from .errors import RenderError
from .pdfwriter import Raw


@dataclass(frozen=True)
class Link:
    url: str
    rect: tuple[float, float, float, float]
    """In page coordinates."""


@dataclass(frozen=True)
class Mark:
    """A bookmark (outline entry) on a page."""

    key: str
    level: int
    title: str


@dataclass(frozen=True)
class Page:
    """What one page draws, ready to replay."""

    code: tuple[str, ...]
    links: tuple[Link, ...] = ()
    marks: tuple[Mark, ...] = ()
    forms: tuple[str, ...] = ()
    """Images and forms the page uses (e.g. a PNG logo)."""

    def __add__(self, other: Page) -> Page:
        """This page with ``other``'s drawing on top (content that continues down a page)."""
        return Page(
            self.code + other.code,
            self.links + other.links,
            self.marks + other.marks,
            self.forms + other.forms,
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
    """A canvas whose fonts are seeded for replay, and that can record pages.

    While ``recording`` is true, finished pages are kept in ``pages`` instead of
    being written, and links and bookmarks are kept with them.
    """

    def __init__(self, out: Any, geometry: Geometry, seed: str, **meta: Any):
        super().__init__(
            out,
            pagesize=geometry.size,
            invariant=1,
            initialFontName=fonts.BODY,
            initialFontSize=13,
            lang=meta.pop("lang", None),
        )
        fonts.seed_subsets(self._doc, seed)
        self.seed = seed
        self.seed_chars = _chars(seed)
        self.meta = meta
        """Title, author, subject, keywords, creator: set when the PDF is written."""
        self.setViewerPreference("DisplayDocTitle", "true")
        self.recording = True
        self.pages: list[Page] = []
        self._links: list[Link] = []
        self._marks: list[Mark] = []

    def log_links(self, stop: bool = False) -> list[tuple[str, Any]] | None:
        """Start (or stop) keeping the links drawn, as given (relative to the drawing)."""
        self._link_log: list[tuple[str, Any]] | None = None if stop else []
        return self._link_log

    def mark(self, key: str, level: int, title: str) -> None:
        self._marks.append(Mark(key, level, title))

    def linkURL(
        self, url: str, rect: Any, relative: int = 0, thickness: int = 0, **kw: Any
    ) -> None:
        log = getattr(self, "_link_log", None)
        if log is not None and relative:
            log.append((url, tuple(rect)))
        if not self.recording:
            super().linkURL(url, rect, relative, thickness, **kw)
            return
        x1, y1, x2, y2 = self._absRect(rect, relative)
        self._links.append(Link(url, (x1, y1, x2, y2)))

    def showPage(self) -> None:
        if not self.recording:
            super().showPage()
            return
        forms = tuple(self._formsinuse)
        self.pages.append(Page(tuple(self._code), tuple(self._links), tuple(self._marks), forms))
        self._links, self._marks = [], []
        self._startPage()

    def save(self) -> None:
        if self.recording:
            raise RenderError("internal: a recording canvas cannot be saved")
        super().save()

    def replay(self, page: Page, footer: Callable[[PdfCanvas], None]) -> None:
        """Draw ``page`` as the next page of the file, with its footer."""
        self._code = list(page.code)
        self._formsinuse = list(page.forms)
        for m in page.marks:
            self.bookmarkPage(m.key)
            self.addOutlineEntry(m.title, m.key, level=m.level, closed=False)
        for ln in page.links:
            self._addAnnotation(Raw(_link_annotation(ln)))
        footer(self)
        super().showPage()


@lru_cache(maxsize=16)
def _chars(seed: str) -> frozenset[str]:
    return frozenset(seed)


@lru_cache(maxsize=4096)
def _link_annotation(link: Link) -> bytes:
    """A link's annotation, written out once: source lists repeat across handouts."""
    probe = Canvas(io.BytesIO())
    Canvas.linkURL(probe, link.url, link.rect, relative=0, thickness=0)
    (name,) = [k for k in probe._doc.idToObject if k.startswith("Annot.")]
    return probe._doc.idToObject[name].format(probe._doc)


class _Template(BaseDocTemplate):
    """Page layout onto a recording canvas; headings with an outline become bookmarks."""

    def afterFlowable(self, flowable: Flowable) -> None:
        outline = getattr(flowable, "outline", None)
        if outline:
            self.canv.mark(*outline)

    def afterPage(self) -> None:
        self.end_y = self.frame._y


class _Continued(Frame):
    """A frame that continues a page: space before its first flowable is kept."""

    def _reset(self) -> None:
        super()._reset()
        self._atTop = 0


def layout(
    story: Sequence[Flowable],
    geometry: Geometry,
    canvas: PdfCanvas,
    top: float | None = None,
) -> Recording:
    """Lay ``story`` out onto recorded pages of ``canvas``.

    With ``top``, the first page's content starts that far up the page (under
    content drawn before it) instead of at the top margin.
    """
    g = geometry
    height = g.frame_top - g.bottom
    full = Frame(g.left, g.bottom, g.width, height, id="full", **_NO_PADDING)
    templates = [PageTemplate("full", [full])]
    if top is not None:
        part = _Continued(g.left, g.bottom, g.width, top - g.bottom, id="part", **_NO_PADDING)
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
    start = len(canvas.pages)
    canvas.recording = True
    tmpl.build(list(story), canvasmaker=lambda *a, **k: canvas)
    return Recording(tuple(canvas.pages[start:]), tmpl.end_y, top)


_NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


Footer = Callable[["PdfCanvas", int, int], None]
"""Draws a page's footer, given the page's number within its part and within the file."""


@dataclass
class Composer:
    """Pages in print order, each with its footer and its number within its part."""

    canvas: PdfCanvas
    pages: list[tuple[Page, Footer, int]] = field(default_factory=list)

    def add(self, pages: Sequence[Page], footer: Footer, continue_last: bool = False) -> None:
        """Append ``pages``; with ``continue_last`` the first is drawn on the last page so far."""
        pages = list(pages)
        if continue_last and self.pages and pages:
            last, last_footer, number = self.pages[-1]
            self.pages[-1] = (last + pages.pop(0), last_footer, number)
        number = sum(1 for _, f, _ in self.pages if f is footer)
        for page in pages:
            number += 1
            self.pages.append((page, footer, number))

    def finish(self) -> bytes:
        c = self.canvas
        c.recording = False
        for overall, (page, footer, local) in enumerate(self.pages, 1):
            c.replay(page, lambda canv: footer(canv, local, overall))  # noqa: B023
        for key, value in c.meta.items():  # page layout resets these, so they are set last
            getattr(c, f"set{key.capitalize()}")(value)
        out = io.BytesIO()
        c._filename = out
        c.save()
        return out.getvalue()
