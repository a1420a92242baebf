"""Draw a :class:`Document` (or a pack of them) as a print-ready PDF.

The personal part of a handout (who it is for, the care team's notes) is laid
out for each patient; the shared part is laid out once per content, paper and
starting height, and replayed (:mod:`handouts.pdf.pages`). The same input always
gives the same bytes, whatever was rendered before it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, Spacer, Table
from reportlab.platypus.doctemplate import LayoutError

from handouts.content.brand import Brand
from handouts.content.spaces import NO_BREAK, no_runt
from handouts.content.text import strings
from handouts.document.document import Document, Personal, Section, Wording
from handouts.errors import internal
from handouts.memo import clear_all, file_stamp, memo
from handouts.pdf import fitting, fonts
from handouts.pdf.flowables import (
    Styles,
    masthead,
    personal,
    section_flowables,
    styles,
    table_style,
    wording,
)
from handouts.pdf.pages import (
    BLANK,
    Composer,
    Geometry,
    PdfCanvas,
    Placed,
    Recording,
    layout,
    marks_of,
    planned,
    prefixed,
    replayable,
    scratch,
)
from handouts.pdf.paragraph import HeadingParagraph, Paragraph
from handouts.pdf.pdffile import Meta, Page
from handouts.pdf.private import private_text
from handouts.pdf.tagging import Node, Plan, artifact, plan_structure, tag

PAPER = {"letter": LETTER, "a4": A4}
MARGIN = 18 * mm
VISIT_MARGIN = 10 * mm
"""A visit handout's margins: a sheet's worth on one sheet (printers reach 6 mm)."""
FOOTER = {False: (16, 30), True: (12, 22)}
"""Millimetres kept for the footer (booklet, then visit handout; regular, then large
print): three lines, or two on a visit handout, whose dates and disclaimer run on."""

QUANTUM = 38.0
"""Each shared section starts on a grid of this many points (two lines of body text), so
that handouts whose earlier parts differ by a line still share its laid-out copy."""
RENDERED = "•☐⚠" + NO_BREAK
"""Characters the renderer itself prints (list marks, and the no-break spaces of dates
and numbers: ReportLab draws those as spaces, but text with a character outside the seed
is not replayed), seeded with the content's."""


def render(
    doc: Document, brand: Brand, paper: str | None = None, large_print: bool = False
) -> tuple[bytes, int]:
    """The PDF bytes for one handout in ``brand``'s look, and its number of pages."""
    st, g = _setup(brand, paper, large_print)
    seed = _seed((doc,))
    book = Composer(_canvas(brand, g, seed, doc, f"{doc.title}: {doc.subtitle}"))
    _add_handout(book, doc, brand, st, g, seed)
    return book.finish(), len(book.pages)


VISIT_PAGES = {False: 2, True: 4}
"""A visit handout's pages, regular and large print: both sides of one sheet (two)."""
VISIT_PAGES_AT_MOST = {False: 4, True: 6}
"""A visit handout's pages where what is never left out (the plan, the notes, the red
flags, the combination cautions, a medicine's first-rank cautions for the patient's
conditions …: :func:`handouts.document.visit.cut_order`) does not fit on
:data:`VISIT_PAGES` even with every cut made: both sides of one more sheet."""


class Laid:
    """A visit handout laid out and known to fit, not yet written."""

    def __init__(self, book: Composer, doc: Document, parts: list[Recording], st: Styles,
                 g: Geometry):  # fmt: skip
        self.book, self.doc, self.parts, self.st, self.g = book, doc, parts, st, g

    def finish(self) -> tuple[bytes, int]:
        """The PDF and its number of pages."""
        _compose(self.book, self.doc, self.parts, self.st, self.g)
        return self.book.finish(), len(self.book.pages)


class Tries:
    """One visit handout's tries at fitting: one canvas for them all, and the parts with
    patient text laid out once per starting height. It belongs to the one call that
    makes the handout and is forgotten with it (patient text is remembered nowhere)."""

    def __init__(self) -> None:
        self.canvas: PdfCanvas | None = None
        self.mine: dict[object, Recording | None] = {}


def lay_out_visit(
    doc: Document,
    brand: Brand,
    paper: str | None = None,
    large_print: bool = False,
    tries: Tries | None = None,
    stacked: bool = True,
    most: int | None = None,
) -> Laid | None:
    """A visit handout laid out, or None when it takes more than ``most`` pages (by
    default :data:`VISIT_PAGES`; the caller leaves something out and asks again, with the
    same ``tries``). With
    ``stacked``, a section that fits on the rest of its page is drawn from its pieces
    (:mod:`handouts.pdf.stacking`); False lays every section out (tests compare the two)."""
    st, g, seed, tries = _visit_setup(doc, brand, paper, large_print, tries)
    book = Composer(tries.canvas)
    parts = _lay_out(book, doc, brand, st, g, seed, tries.mine, added=stacked)
    if _pages(parts) > (VISIT_PAGES[large_print] if most is None else most):
        return None
    return Laid(book, doc, parts, st, g)


def fits_visit(
    doc: Document,
    brand: Brand,
    paper: str | None = None,
    large_print: bool = False,
    tries: Tries | None = None,
    added: bool = True,
    most: int | None = None,
) -> bool:
    """Whether a visit handout fits on ``most`` pages (by default :data:`VISIT_PAGES`),
    measured without drawing anything (a try at fitting; :func:`lay_out_visit` then draws
    the one that fits). ``added``: each section's height added up where that is sure
    (:mod:`handouts.pdf.fitting`), else laid out; False lays every section out (tests
    compare the two)."""
    st, g, seed, tries = _visit_setup(doc, brand, paper, large_print, tries)
    most = VISIT_PAGES[large_print] if most is None else most
    try:
        parts = _lay_out(Composer(tries.canvas), doc, brand, st, g, seed, tries.mine, most,
                         added)  # fmt: skip
    except LayoutError:  # a block taller than a page (a very long plan slot): no fit
        return False
    return _pages(parts) <= most


def _visit_setup(
    doc: Document, brand: Brand, paper: str | None, large_print: bool, tries: Tries | None
) -> tuple[Styles, Geometry, str, Tries]:
    """A visit handout's styles, page geometry and font seed, and its tries (their one
    canvas made on the first)."""
    st, g = _setup(brand, paper, large_print, compact=True, snug=doc.snug)
    g = _above_footer(g, _footer(doc, st, g, 1).h)
    seed = _seed((doc,))
    tries = tries or Tries()
    if tries.canvas is None:
        tries.canvas = _canvas(brand, g, seed, doc, f"{doc.title}: {doc.subtitle}")
    return st, g, seed, tries


@memo(32)
def _above_footer(g: Geometry, footer: float) -> Geometry:
    """``g``, with the text ending higher where a visit handout's footer (``footer``
    points of its words, two lines kept for them) needs more room above the margin: a
    language's longer words, or a clinic's longer footer (red team: the third line of a
    Spanish footer ended 5.6 mm from the edge, where a home printer may not reach)."""
    more = footer - (g.bottom - g.left - 1 * mm - 4)
    return g if more <= 0 else replace(g, bottom=g.bottom + math.ceil(more))


def render_pack(
    title: str,
    intro: str | None,
    docs: Sequence[Document],
    cover: Document,
    brand: Brand,
    paper: str | None = None,
    large_print: bool = False,
) -> tuple[bytes, int]:
    """A pack of handouts as one PDF, and its number of pages.

    A cover (clinic, patient, date, notes, contents with page numbers), then each
    handout starting on a right-hand (odd) page so the pack prints double-sided,
    numbered within the handout and within the pack, with a bookmark for each
    handout and its sections. ``cover`` carries the personal details and notes.
    """
    st, g = _setup(brand, paper, large_print)
    seed = _seed(tuple(docs))
    canvas = _canvas(brand, g, seed, cover, title)
    # a pack with a draft in it says so on its cover and blank pages too
    cover = replace(cover, title=title, subtitle=intro or "", draft=any(d.draft for d in docs))
    # Lay each handout out first (on the same canvas: pages are put in order when
    # composed), to learn its length and where its sections fall.
    trial = Composer(canvas)
    spans = []
    for doc in docs:
        first = len(trial.pages)
        _add_handout(trial, doc, brand, st, g, seed, Node("Part"))
        spans.append((first, len(trial.pages) - first))
    laid = [page for page, _, _ in trial.pages]
    cover_pages, rec = 1, None
    for _ in range(4):  # numbering the contents rarely changes the contents' own length
        starts, at = [], cover_pages + 1
        for _, count in spans:
            at += 1 - at % 2  # a handout starts on an odd, right-hand page
            starts.append(at)
            at += count
        entries = _contents(laid, spans, starts)
        with private_text():
            rec = layout(_cover(cover, entries, brand, st, g.width), g, canvas)
        if len(rec.pages) == cover_pages:
            break
        cover_pages = len(rec.pages)
    else:
        raise internal("the pack's contents did not settle on a number of pages")
    assert rec is not None
    total = at - 1
    book = Composer(canvas)
    pack_footer = _footer(cover, st, g, None, total)
    book.add(rec.pages, pack_footer, group=Node("Part"))
    blank = layout(_blank(st, wording(cover)), g, canvas)
    for n, ((first, count), start, doc) in enumerate(zip(spans, starts, docs, strict=True)):
        while len(book.pages) + 1 < start:
            book.add(blank.pages, pack_footer)
        pages = [prefixed(p, f"h{n + 1}-") for p in laid[first : first + count]]
        book.add(pages, _footer(doc, st, g, count, total))
    return book.finish(), total


def clear_caches() -> None:
    """Forget everything the current memo tables hold (this thread's own, or the
    renderer's inside :meth:`handouts.pipeline.Renderer.make`), as a new renderer would.
    Another renderer's tables are its own: :meth:`handouts.pipeline.Renderer.clear`."""
    clear_all()


def _setup(
    brand: Brand, paper: str | None, large: bool, compact: bool = False, snug: bool = False
) -> tuple[Styles, Geometry]:
    fonts.register()
    c = brand.spec.colours
    st = styles(c.primary, c.accent, c.text, large, compact, snug)
    return st, _geometry(paper or brand.spec.paper, large, compact)


@memo(8)
def _geometry(paper: str, large: bool, visit: bool = False) -> Geometry:
    footer = FOOTER[visit][large] * mm
    m = VISIT_MARGIN if visit else MARGIN
    return Geometry(PAPER[paper], m, m, m, m + footer)


def _seed(docs: tuple[Document, ...]) -> str:
    """The font-subset seed: the library's characters (or, for a document built without
    one, its own shared text's) and the marks the renderer adds."""
    texts = [d.charset or "".join(strings((d.title, d.subtitle, d.sections))) for d in docs]
    return _sorted_chars(RENDERED + "".join(texts))


@memo(64)
def _sorted_chars(text: str) -> str:
    return "".join(sorted(set(text)))


def _canvas(brand: Brand, g: Geometry, seed: str, doc: Document, title: str) -> PdfCanvas:
    keywords, link = ", ".join(doc.keywords), wording(doc).web_page
    meta = Meta(title, doc.clinic, doc.subject, keywords, lang=doc.language, link_words=link)
    canvas = PdfCanvas(g, seed, meta)
    if brand.spec.colours.background.upper() != "#FFFFFF":
        canvas.background = colors.HexColor(brand.spec.colours.background)
    return canvas


def _add_handout(
    book: Composer,
    doc: Document,
    brand: Brand,
    st: Styles,
    g: Geometry,
    seed: str,
    group: Node | None = None,
) -> None:
    """The masthead (laid out once per title), the personal part laid out now, then each
    shared section (each laid out once per content and starting height) under it. In a
    pack, the handout is one part (``group``) of the structure tree."""
    parts = _lay_out(book, doc, brand, st, g, seed)
    _compose(book, doc, parts, st, g, group)


def _lay_out(
    book: Composer,
    doc: Document,
    brand: Brand,
    st: Styles,
    g: Geometry,
    seed: str,
    mine: dict[object, Recording | None] | None = None,
    most: int | None = None,
    added: bool = True,
) -> list[Recording]:
    """The handout's parts laid out, each on from the last or on a new page.
    ``mine``: the parts with patient text already laid out for this same handout, by
    what they hold and where they start (a visit handout's tries). ``most``: measured
    without drawing (where each part ends is all a try needs), and only until the parts
    take more than ``most`` pages (a try that does not fit); with ``added``, a section's
    height is added up where that is sure (:mod:`handouts.pdf.fitting`), and a visit
    handout's section is drawn from its pieces there (:mod:`handouts.pdf.stacking`)."""
    measure = most is not None
    mine = {} if mine is None else mine
    head, own = _front(book.canvas, doc, brand, st, g, seed, mine)
    parts = [head] if own is None else [head, own]
    front = parts[-1]
    pages = _pages(parts)  # so far: kept up as each section is added
    # a visit handout starts each section a line under the last (it has no room to
    # spare); a booklet on a coarser grid, so that more handouts share a section's layout
    quantum = st.body.leading / 2 if doc.visit else QUANTUM
    top = _start(front.end_y, g, quantum)
    for section in doc.sections:
        if section.new_page or (section.after_summary and _on_page_one(head, parts)):
            top = None
        if section.private:  # patient text: laid out for this handout, remembered nowhere
            rec = _private(section, st, g, book.canvas, top, mine)
        elif measure:
            rec = _tried(section, st, g, seed, top, quantum, added, pages == most)
        else:  # a visit handout's section stacked from its pieces where it fits, as tried
            placed = None
            if doc.visit and added and top is None:
                placed = fitting.placed_on_new_page(section, st, g, seed, quantum)
            elif doc.visit and added:
                if fitting.starts_next_page(section, st, g, seed, top):
                    placed = _on_next_page(section, st, g, seed, top, quantum)
                else:
                    placed = fitting.placed(
                        section, st, g, seed, top, quantum
                    ) or fitting.split_at_foot(section, st, g, seed, top, quantum, measure=False)
            rec = placed or _shared(section, st, g, seed, top)
        pages += len(rec.pages) - _continues(parts[-1], rec)
        parts.append(rec)
        if most is not None and pages > most:  # pages only ever add up: no fit
            break
        top = _start(rec.end_y, g, quantum) if rec.pages else top
    return parts


def _front(
    canvas: PdfCanvas,
    doc: Document,
    brand: Brand,
    st: Styles,
    g: Geometry,
    seed: str,
    mine: dict[object, Recording | None],
) -> tuple[Recording, Recording | None]:
    """The masthead (laid out once per title), and the patient's part under it (who it
    is for, from whom and when, the notes; None without any), laid out once per handout
    and where it starts (``mine``). Patient text is drawn even for a try: the handout
    that fits draws the same part."""
    logo, alt = brand.logo_path, brand.spec.logo_text
    head = None
    if logo is None or logo.suffix.lower() == ".svg":  # drawn, not an image in the file
        head = _masthead(
            doc.clinic,
            doc.contact_lines,
            doc.title,
            doc.subtitle if doc.subtitle_shown else "",
            doc.online,
            logo,
            file_stamp(logo) if logo else None,
            alt,
            _masthead_words(wording(doc)),
            st,
            g,
            seed,
        )
    if head is None:
        head = layout(masthead(doc, logo, st, g.width, alt), g, canvas)
    key = ("personal", doc.personal, doc.front, doc.printed_date, head.end_y, st)
    if key not in mine:
        story = personal(doc, st, g.width)
        with private_text():  # the pages with patient text are remembered nowhere
            mine[key] = layout(story, g, canvas, head.end_y) if story else None
    return head, mine[key]


class FrontShape(NamedTuple):
    """A visit handout's front as its tries see it (:func:`front_shape`)."""

    head_end: float
    """Where the masthead ends, with its subtitle shown."""
    own_end: float | None
    """Where the patient's part under it ends (None without one)."""
    plan_height: float | None = None
    """How tall a typed plan's section is (None without one)."""


def front_shape(
    doc: Document,
    brand: Brand,
    paper: str | None = None,
    large_print: bool = False,
    tries: Tries | None = None,
    snug: bool = False,
) -> FrontShape | None:
    """A visit handout's front as its tries see it: where the masthead ends with its
    subtitle shown (the lowest it ends: a cut may leave the subtitle out), where the
    patient's part under it ends (None without one), and with a typed plan, how tall its
    section is (:func:`_plan_height`). The patient's part is laid out into ``tries`` (the
    tries and the drawing reuse it). None when that part runs past page 1 there: laid
    out from another height it may break elsewhere (and with a typed plan, when the plan
    or a part above it is not on page 1, or a block is taller than a page). On page 1
    from the lowest start, it is laid out the same from any higher one (a cut's
    masthead), only moved up, so two handouts with the same content and the same front
    shape fit with the same cuts (its patient text aside, the rest of a handout is
    content; the caller makes sure of that). Its lines as far apart as they are before
    the cut that sets them closer, whatever the cuts of ``doc``; with ``snug``, as close
    as that cut sets them (two fronts of one shape may end apart then: a handout that
    made that cut is known by both shapes). A typed plan is measured where ``doc``
    starts it (under its own masthead, with or without its subtitle; the lines as
    ``snug`` sets them): two handouts whose plans are as tall fit with the same cuts
    only where that height has room on page 1 from the lowest start any try gives it
    (the caller asks :func:`plan_room`); from every start above that, it is then laid
    out the same, only moved, so it is as tall from any of them."""
    tall = doc
    if not doc.subtitle_shown or doc.snug != snug:
        tall = replace(doc, subtitle_shown=True, snug=snug)
    st, g, seed, tries = _visit_setup(tall, brand, paper, large_print, tries)
    assert tries.canvas is not None
    try:
        head, own = _front(tries.canvas, tall, brand, st, g, seed, tries.mine)
    except LayoutError:  # a block taller than a page: the tries will say it does not fit
        return None
    if len(head.pages) != 1:
        return None
    if own is not None and len(own.pages) != 1:  # (it starts under the masthead, on page 1)
        return None
    front = FrontShape(head.end_y, None if own is None else own.end_y)
    if not any(s.private for s in tall.sections):
        return front
    # the plan measured under doc's own masthead (the drawing of a handout with doc's
    # cuts, and its first try, reuse it): the tall front, unless doc leaves its subtitle out
    above = own or head
    try:
        if not doc.subtitle_shown:
            drawn = doc if doc.snug == snug else replace(doc, snug=snug)
            short, part = _front(tries.canvas, drawn, brand, st, g, seed, tries.mine)
            above = part or short
        height = _plan_height(doc, above, st, g, seed, tries)
    except LayoutError:  # a plan slot taller than a page: the tries will say it does not fit
        return None
    return None if height is None else front._replace(plan_height=height)


def _plan_height(
    doc: Document, front: Recording, st: Styles, g: Geometry, seed: str, tries: Tries
) -> float | None:
    """How tall a typed plan's section is, laid out where ``doc`` starts it under
    ``front`` (:func:`plan_start`; into ``tries``: the tries from the same start reuse
    it), when it is on page 1 there and every part above it is; else None."""
    assert tries.canvas is not None
    found = plan_start(doc, front.end_y, st, g, seed)
    if found is None:
        return None
    plan, top = found
    rec = _private(plan, st, g, tries.canvas, top, tries.mine)
    return top - rec.end_y if len(rec.pages) == 1 else None


def plan_room(
    doc: Document,
    lowest: Document,
    shape: FrontShape,
    brand: Brand,
    paper: str | None = None,
    large_print: bool = False,
    tries: Tries | None = None,
    snug: bool = False,
) -> bool:
    """Whether the typed plan of ``doc``, whose front has ``shape`` (:func:`front_shape`'s,
    with ``snug``: where the masthead with its subtitle and the patient's part end, and
    the plan's height), fits on page 1 with a grid step to spare from the lowest start
    any try of ``doc`` gives it: under that front and the parts above the plan in
    ``lowest``, the same handout with none of its cuts made (the main points all there,
    and a draft box where anything it prints is a draft). From every start its tries
    reach, the plan is then laid out the same, only moved up, so another handout with the
    same content and front shape fits with the same cuts. False for a shape without a
    plan height."""
    head_end, own_end, height = shape
    if height is None:
        return False
    tall = replace(doc, subtitle_shown=True, snug=snug)
    st, g, seed, _tries = _visit_setup(tall, brand, paper, large_print, tries)
    found = plan_start(lowest, head_end if own_end is None else own_end, st, g, seed)
    return found is not None and found[1] - height - g.bottom >= st.body.leading / 2


def plan_start(
    doc: Document, front_end: float, st: Styles, g: Geometry, seed: str
) -> tuple[Section, float] | None:
    """A visit handout's typed plan section (its first private one), and where its parts
    start it (as :func:`_lay_out` goes on from one part to the next) under a front that
    ends at ``front_end``: None without one, or where a part above it (or the plan)
    starts a page, or a part above it does not end on page 1."""
    quantum = st.body.leading / 2  # as a visit handout's parts go on (_lay_out)
    top: float | None = _start(front_end, g, quantum)
    for section in doc.sections:
        if top is None or section.new_page or section.after_summary:
            return None
        if section.private:
            return section, top
        rec = _tried(section, st, g, seed, top, quantum, True, False)
        if len(rec.pages) != 1:
            return None
        top = _start(rec.end_y, g, quantum)
    return None


def _private(
    section: Section,
    st: Styles,
    g: Geometry,
    canvas: PdfCanvas,
    top: float | None,
    mine: dict[object, Recording | None],
) -> Recording:
    """A section with patient text (a typed plan) laid out from ``top``, once per
    handout and start (``mine``, the handout's own: remembered nowhere else)."""
    if (section, top, st) not in mine:
        with private_text():
            story = section_flowables(section, st, g.width)
            mine[section, top, st] = layout(story, g, canvas, top)
    rec = mine[section, top, st]
    assert rec is not None
    return rec


def _tried(
    section: Section,
    st: Styles,
    g: Geometry,
    seed: str,
    top: float | None,
    quantum: float,
    added: bool,
    last_page: bool,
) -> Recording:
    """A shared section measured for a try, where it goes on from the part above (with
    ``added``): its height added up when it surely fits under it; on the last page, two
    pages when it surely runs past the foot (the try does not fit, wherever it would
    end); a blank rest of the page and its pages laid out from the top of the next when
    it is kept whole and surely starts there; the pieces that fit added up and the rest
    laid out when it runs past the foot. Else (a new page, or none of these sure) it is
    laid out."""
    if added and top is None:
        rec = fitting.fitted_on_new_page(section, st, g, seed, quantum)
        if rec is not None:
            return rec
    elif added:
        rec = fitting.fitted(section, st, g, seed, top, quantum)
        if rec is not None:
            return rec
        if last_page and fitting.overflows(section, st, g, seed, top):
            return Recording((BLANK, BLANK), g.bottom, top)
        if fitting.starts_next_page(section, st, g, seed, top):
            laid = fitting.fitted_on_new_page(section, st, g, seed, quantum) or _measured(
                section, st, g, seed, None
            )
            return Recording((BLANK, *laid.pages), laid.end_y, top)
        rec = fitting.split_at_foot(section, st, g, seed, top, quantum, measure=True)
        if rec is not None:
            return rec
    return _measured(section, st, g, seed, top)


def _pages(parts: Sequence[Recording]) -> int:
    """How many pages ``parts`` take, each part after the first going on where the last
    ended (unless it starts a page)."""
    return sum(len(r.pages) for r in parts) - sum(
        1 for a, b in itertools.pairwise(parts) if _continues(a, b)
    )


def _compose(
    book: Composer,
    doc: Document,
    parts: list[Recording],
    st: Styles,
    g: Geometry,
    group: Node | None = None,
) -> None:
    """Put the laid-out ``parts`` on the book's pages, each page with its footer."""
    head = parts[0]
    footer = _footer(doc, st, g, _pages(parts))
    book.add(head.pages, footer, group=group)
    for before, rec in itertools.pairwise(parts):
        book.add(rec.pages, footer, continue_last=_continues(before, rec), group=group)


def _on_page_one(head: Recording, parts: list[Recording]) -> bool:
    """Whether everything so far (the masthead and the parts under it) is on page 1."""
    return all(len(r.pages) <= 1 and (r is head or r.top is not None) for r in parts)


def _continues(before: Recording, rec: Recording) -> bool:
    """Whether ``rec`` starts on the last page of ``before``."""
    return rec.top is not None and bool(before.pages)


def _start(end_y: float, g: Geometry, quantum: float = QUANTUM) -> float | None:
    """Where the next part starts: under the last, on a grid of ``quantum`` points; None
    for a new page (when less than three grid steps are left)."""
    top = g.frame_top - quantum * math.ceil((g.frame_top - end_y) / quantum - 1e-6)
    return top if top - g.bottom >= 3 * quantum else None


@memo(512)
def _shared(section: Section, st: Styles, g: Geometry, seed: str, top: float | None) -> Recording:
    """A shared section laid out from ``top`` down (None: a new page), once per content,
    paper and start: many handouts share their sections."""
    rec = replayable(section_flowables(section, st, g.width), g, seed, top)
    if rec is None:
        raise internal("the shared content drew a character or font its seed lacked")
    return rec


def _on_next_page(
    section: Section, st: Styles, g: Geometry, seed: str, top: float, quantum: float
) -> Recording:
    """A section kept whole that starts the next page (:func:`fitting.starts_next_page`),
    going on from ``top``: nothing more on this page, then the section as it is at the
    top of a page."""
    pages, end = _next_page(section, st, g, seed, quantum)
    return Recording(pages, end, top)


@memo(256)
def _next_page(
    section: Section, st: Styles, g: Geometry, seed: str, quantum: float
) -> tuple[tuple[Page, ...], float]:
    """:func:`_on_next_page`'s pages and where they end: the same wherever the page
    before ends, so made once for every handout that has the section there. Stacked
    from its pieces where a try adds its height up, else laid out."""
    stacked = fitting.placed_on_new_page(section, st, g, seed, quantum)
    if stacked is not None:  # one page, planned with its pieces' sections as one
        (page,) = stacked.pages
        assert page.plan is not None
        blank = planned(Page(()), Plan(0, (), (), (), (), page.plan.total))
        return (blank, page), stacked.end_y
    laid = _shared(section, st, g, seed, None)
    pages = (Page(()), *(Page(p.code, p.links, p.marks, p.images) for p in laid.pages))
    plans = plan_structure(pages)
    return tuple(map(planned, pages, plans)), laid.end_y


@memo(2048)
def _measured(section: Section, st: Styles, g: Geometry, seed: str, top: float | None) -> Recording:
    """A shared section measured from ``top`` down (its pages blank): how far it runs."""
    return layout(section_flowables(section, st, g.width), g, scratch(g, seed), top, True)


@memo(1024)
def _masthead(
    clinic: str,
    contact: tuple[str, ...],
    title: str,
    subtitle: str,
    online: str | None,
    logo: Path | None,
    logo_stamp: tuple[int, int] | None,
    logo_text: str | None,
    words: Wording,
    st: Styles,
    g: Geometry,
    seed: str,
) -> Recording | None:
    """The masthead laid out once per clinic, title and logo file (``logo_stamp``: laid
    out again when the file changes); None when it cannot be replayed
    (a title character outside the font seed, or text in an SVG logo in another font)."""
    doc = Document(
        title,
        subtitle,
        (),
        Personal(),
        clinic,
        contact,
        None,
        "",
        _DAY,
        _DAY,
        "",
        online=online,
        wording=words,
    )
    return replayable(masthead(doc, logo, st, g.width, logo_text), g, seed)


_DAY = dt.date(2000, 1, 1)
_MASTHEAD_WORDS = frozenset({"read_online", "scan_hint", "qr_alt", "logo_alt"})


@memo(64)
def _masthead_words(words: Wording) -> Wording:
    """Only the fixed words a masthead prints, the others blank: the rest (the review
    dates) differ from one set of conditions to the next, and would lay it out anew."""
    return Wording(**{f.name: getattr(words, f.name) if f.name in _MASTHEAD_WORDS else ""
                      for f in fields(words)})  # fmt: skip


def _contents(
    pages: Sequence[Placed], spans: Sequence[tuple[int, int]], starts: Sequence[int]
) -> list[tuple[int, str, int]]:
    """(level, title, pack page) of each handout (level 0), and of its "when to get help"
    section (level 1) so a reader finds the warning signs at once. Every section has a
    bookmark too."""
    out = []
    for (first, count), start in zip(spans, starts, strict=True):
        for n, page in enumerate(pages[first : first + count]):
            out += [
                (m.level, m.title, start + n)
                for m in marks_of(page)
                if m.level == 0 or m.key in CONTENTS_SECTIONS
            ]
    return out


def _cover(
    cover: Document, entries: Sequence[tuple[int, str, int]], brand: Brand, st: Styles, width: float
) -> list[Flowable]:
    words = wording(cover)
    story = masthead(cover, brand.logo_path, st, width, brand.spec.logo_text)
    story += personal(cover, st, width)
    toc = Node("TOC")
    heading = words.in_this_pack
    story.append(HeadingParagraph(fonts.markup(heading, True), st.h1, "contents", 1, heading))
    rows = []
    for level, title, page in entries:
        style = st.toc_handout if level == 0 else st.toc_section
        number = st.toc_handout if level == 0 else st.toc_page
        entry = Node("TOCI", toc)
        rows.append(
            [
                tag(Paragraph(fonts.markup(title, level == 0), style), "Reference", entry),
                tag(
                    Paragraph(fonts.markup(words.contents_page.format(page=page)), number),
                    "P",
                    entry,
                ),
            ]
        )
    number = 100 if st.large else 70
    table = Table(rows, colWidths=[width - number, number], repeatRows=0)
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                *[("TOPPADDING", (0, i), (-1, i), 8) for i, e in enumerate(entries) if e[0] == 0],
            ]
        )
    )
    return [*story, table]


def _blank(st: Styles, words: Wording) -> list[Flowable]:
    note = ParagraphStyle("blank", parent=st.small, alignment=TA_CENTER)
    return [Spacer(1, 250), artifact(Paragraph(fonts.markup(words.blank_page), note))]


def _footer(
    doc: Document,
    st: Styles,
    g: Geometry,
    count: int | None,
    pack_total: int | None = None,
) -> _Footer:
    """Each page's footer: page numbers, review dates and the disclaimer.

    ``count`` is the handout's length (None for a pack's cover and blank pages);
    in a pack the pack's page number is printed too.
    """
    words = wording(doc)
    tail = " ".join(x for x in (words.disclaimer, doc.footer) if x)
    when = None
    if doc.draft:
        when = words.draft_footer
    elif count is not None:
        when = words.checked
    numbers = (words.page_of, words.pack_page_of)
    return _made_footer(tail, when, numbers, st, g, count, pack_total, doc.visit)


class _Footer:
    """A footer, drawn once per page number, paper and font seed for every handout alike."""

    def __init__(
        self,
        tail: str,
        when: str | None,
        numbers: tuple[str, str],
        st: Styles,
        g: Geometry,
        count: int | None,
        total: int | None,
        run_on: bool = False,
    ):
        self.page_of, self.pack_page_of = numbers
        # no paragraph of it ends with one word alone on its last line, on every page
        text = fonts.markup(no_runt(tail))
        if run_on and when is not None:  # a visit handout's: running on
            text = f"{fonts.markup(when)} {text}"
        elif when is not None:  # on a line of its own
            text = f"{fonts.markup(no_runt(when))}<br/>{text}"
        self.lines = Paragraph(text, st.footer)
        self.numbers_width = NUMBERS * st.footer.fontSize / 10.5
        _, self.h = self.lines.wrap(g.width - self.numbers_width, 200)
        self.top = g.bottom - 1 * mm
        self.st, self.g, self.count, self.total = st, g, count, total
        self.chars = tail + (when or "") + "".join(numbers)
        self.codes: dict[tuple[int, int, str], str] = {}

    def code(self, canvas: PdfCanvas, local: int, overall: int) -> str:
        key = (local, overall, canvas.seed)
        code = self.codes.get(key)
        if code is None:
            code = canvas.draw_apart(lambda canv: self.draw(canv, local, overall))
            if fonts.seeded(self.chars, canvas.seed_chars):  # the same on every such canvas
                self.codes[key] = code
        return code

    def draw(self, canv: PdfCanvas, local: int, overall: int) -> None:
        st, g, top = self.st, self.g, self.top
        canv.saveState()
        canv.setStrokeColor(st.primary)
        canv.setLineWidth(1)
        canv.line(g.left, top, g.size[0] - g.right, top)
        self.lines.drawOn(canv, g.left + self.numbers_width, top - 4 - self.h)
        canv.restoreState()
        canv.setFont(fonts.BOLD, st.footer.fontSize)
        canv.setFillColor(colors.black)
        numbers = []
        if self.count is not None:
            numbers.append(self.page_of.format(page=local, pages=self.count))
        if self.total is not None:
            numbers.append(self.pack_page_of.format(page=overall, pages=self.total))
        lines = [part for line in numbers for part in self._wrapped(line)]
        for n, line in enumerate(lines):
            canv.drawString(g.left, top - st.footer.leading * (n + 1), line)

    def _wrapped(self, line: str) -> list[str]:
        """A page-number line wider than its column ("Página 12 de 109 del paquete") on
        two lines or more, none with one word alone ("Página 12 de 109", "del paquete"):
        the column, and so the footer's words, keep their width, and the footer the
        height kept for it (a wider column ran a long footer off the page)."""
        size = self.st.footer.fontSize
        parts = simpleSplit(line, fonts.BOLD, size, self.numbers_width - GAP)
        if len(parts) > 1 and " " not in parts[-1]:
            head, _, word = parts[-2].rpartition(" ")
            if head:
                parts[-2:] = [head, f"{word} {parts[-1]}"]
        return parts


_made_footer = memo(64)(_Footer)
"""A footer made once per words, paper, font seed and page count, for every handout alike."""


CONTENTS_SECTIONS = frozenset({"get-help"})
"""Sections listed in a pack's contents under each handout."""
NUMBERS = 112
"""Width of the footer's page-number column at 10.5 pt (it grows with the type)."""
GAP = 4
"""Points a page-number line keeps clear of the footer's words, at the least."""
