"""How each block of a :class:`Document` looks: paragraph styles and ReportLab flowables.

Every string goes through ``fonts.markup`` (escaping and font fallback). One
function per block type (``BLOCKS``) makes the seam for a tagged-PDF layer or
another output format.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from handouts.content.brand import GREY
from handouts.content.spaces import NO_BREAK
from handouts.document.document import (
    Bullets,
    Calendar,
    Caution,
    Checklist,
    Diary,
    Document,
    Heading,
    Numbered,
    Online,
    Para,
    Picture,
    Section,
    Slots,
    SourceList,
    Tier,
    Tiers,
    Wording,
    WriteIn,
)
from handouts.errors import internal
from handouts.memo import MemoTable, file_stamp, hashed_once, memo, table, without_hash
from handouts.pdf import columns, fonts, pictures, tierbox
from handouts.pdf.logo import logo_flowable, qr_flowable
from handouts.pdf.pages import PdfCanvas
from handouts.pdf.paragraph import (
    DRAW_STATE,
    GoesOn,
    HeadingParagraph,
    Paragraph,
    WholeParagraph,
    words_after,
)
from handouts.pdf.private import private_text, shared_text
from handouts.pdf.tagging import (
    DataTable,
    Node,
    artifact,
    in_language,
    leaf,
    list_item,
    tag,
    unspoken,
)

NOTE_COLOUR = "#3D3D3D"
"""Evidence notes: 10.8:1 on white, still dark in grayscale."""
PADS = ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
TIER_FILL = {"emergency": "#8B1A1A", "call_today": None, "next_visit": GREY}
"""Header fill per tier (None: the primary colour). Tiers differ in words and symbol too."""


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    box_head: ParagraphStyle
    box_head_light: ParagraphStyle
    small: ParagraphStyle
    masthead: ParagraphStyle
    footer: ParagraphStyle
    sources: ParagraphStyle
    caution_title: ParagraphStyle
    caution_intro: ParagraphStyle
    prompt: ParagraphStyle
    table_head: ParagraphStyle
    toc_handout: ParagraphStyle
    toc_section: ParagraphStyle
    toc_page: ParagraphStyle
    primary: colors.Color
    accent: colors.Color
    text: colors.Color
    large: bool
    """Large print: bigger type, and rows to write in that are taller to match."""
    line: float
    """Height of a ruled line to write on."""
    gap: float = 5.0
    """Space after a list item; less on a visit handout, which has no room to spare."""
    pad: float = 3.0
    """Space inside a box (a tier, a boxed section) above and below each row."""
    sign_columns: int = 1
    """Columns of signs in a "When to get help" tier: two on a visit handout in regular
    print (each sign is a few words), one in large print."""
    fill: bool = False
    """Fill each page (a visit handout): a section's opening that does not fit where it
    is splits after its headings rather than move, and a group kept whole that is taller
    than a page flows on from where it is rather than leave a page part empty."""

    def __hash__(self) -> int:
        """Worked out once (the styles are in the key of nearly every memo table, a visit
        handout looks them up a few hundred times, and each colour hashes anew); equal
        styles still hash alike."""
        return hashed_once(self)

    def __getstate__(self) -> dict[str, object]:
        """Pickled or copied without the hash (:func:`handouts.memo.without_hash`)."""
        return without_hash(self)


SIZES = {
    # name: (regular size, leading), (large-print size, leading)
    "body": ((13, 19), (18, 27)),
    "small": ((10.5, 13), (14, 18)),
    "title": ((26, 31), (30, 36)),
    "subtitle": ((16, 21), (20, 26)),
    "h1": ((18, 23), (22, 28)),
    "h2": ((14.5, 19), (20, 26)),
    "box_head": ((14, 18), (20, 25)),
    "masthead": ((11, 14), (14, 18)),
    "sources": ((10, 12.5), (14, 18)),
    "table_head": ((12, 14), (18, 22)),
}
"""Type sizes in points. Large print: body 18, headings 20-22; the footer, masthead and
source list (reference lines, not reading text) 14."""


COMPACT = {
    "body": (12, 16),
    "title": (22, 26),
    "subtitle": (14, 18),
    "h1": (15, 19),
    "h2": (13, 17),
    "box_head": (13, 16),
    "masthead": (10.5, 13),
}
"""The visit handout's regular sizes where they differ from ``SIZES``: body 12 pt, the
least a handout prints its reading text at; headings closer to it."""
COMPACT_LARGE = {
    "body": (18, 24),
    "title": (26, 30),
    "subtitle": (20, 24),
    "h1": (20, 25),
    "h2": (20, 24),
    "box_head": (20, 24),
    "masthead": (14, 17),
}
"""The visit handout's large print where it differs from ``SIZES``: body 18 pt and
headings 20 pt, as in every large-print handout, with lines as close as the regular visit
handout's (a third of the type size apart) so that it fits on four pages."""


SNUG = {False: 14.5, True: 21.5}
"""The body's leading where a visit handout's lines are a little closer (``Document.snug``),
regular and large print: 1.2 times its type size (16 and 24 pt otherwise)."""


def _size(name: str, large: bool, compact: bool = False, snug: bool = False) -> dict[str, float]:
    table = (COMPACT_LARGE if large else COMPACT) if compact else {}
    size, leading = table.get(name, SIZES[name][large])
    if snug and name == "body":
        leading = SNUG[large]
    return {"fontSize": size, "leading": leading}


@memo(32)
def styles(
    primary: str,
    accent: str,
    text: str,
    large: bool = False,
    compact: bool = False,
    snug: bool = False,
) -> Styles:
    """Paragraph styles for a brand's colours, regular or large print, and for the visit
    handout's compact regular print (built once each); ``snug``, a visit handout's body
    lines closer (:data:`SNUG`)."""
    p, a, t = colors.HexColor(primary), colors.HexColor(accent), colors.HexColor(text)
    tight = compact  # a visit handout's spacing and type, in large print too
    compact = compact and not large
    z = partial(_size, large=large, compact=tight, snug=snug and tight)
    body = ParagraphStyle(
        "body",
        fontName=fonts.BODY,
        **z("body"),
        textColor=t,
        alignment=TA_LEFT,
        spaceAfter=4 if compact else 6,
        # a booklet's paragraph never leaves its last line alone at a page's top (a
        # visit handout's may: its fitting counts each line)
        allowWidows=int(tight),
    )
    small = ParagraphStyle("small", parent=body, **z("small"), spaceAfter=0)
    return Styles(
        body=body,
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=fonts.BOLD,
            **z("title"),
            textColor=p,
            spaceAfter=4,
        ),
        subtitle=ParagraphStyle("subtitle", parent=body, **z("subtitle"), spaceAfter=8),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=fonts.BOLD,
            **z("h1"),
            textColor=p,
            spaceBefore=6 if tight else 14,
            spaceAfter=4 if compact else 6,
            keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=fonts.BOLD,
            **z("h2"),
            spaceBefore=5 if tight else 8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        box_head=ParagraphStyle(
            "box_head",
            parent=body,
            fontName=fonts.BOLD,
            **z("box_head"),
            textColor=colors.white,
            spaceAfter=0,
        ),
        box_head_light=ParagraphStyle(
            "box_head_light",
            parent=body,
            fontName=fonts.BOLD,
            **z("box_head"),
            spaceAfter=0,
        ),
        small=small,
        masthead=ParagraphStyle("masthead", parent=small, **z("masthead")),
        footer=small,
        sources=ParagraphStyle(
            "sources",
            parent=body,
            **z("sources"),
            spaceAfter=2,
            leftIndent=SIZES["sources"][large][0] * 2.2,
            bulletFontName=fonts.BODY,
            bulletFontSize=SIZES["sources"][large][0],
        ),
        caution_title=ParagraphStyle(
            "caution_title", parent=body, fontName=fonts.BOLD, spaceAfter=2, keepWithNext=1
        ),
        caution_intro=ParagraphStyle("caution_intro", parent=body, spaceAfter=2),
        prompt=ParagraphStyle("prompt", parent=body, fontName=fonts.BOLD),
        table_head=ParagraphStyle(
            "table_head", parent=body, fontName=fonts.BOLD, **z("table_head"), spaceAfter=0
        ),
        toc_handout=ParagraphStyle("toc_handout", parent=body, fontName=fonts.BOLD, spaceAfter=0),
        toc_section=ParagraphStyle("toc_section", parent=body, leftIndent=16, spaceAfter=0),
        toc_page=ParagraphStyle("toc_page", parent=body, spaceAfter=0),
        primary=p,
        accent=a,
        text=t,
        large=large,
        line=36 if large else 26,
        gap=2.0 if tight else 5.0,
        pad=1.0 if tight else 3.0,
        sign_columns=2 if compact else 1,
        fill=tight,
    )


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style that sets the cell font too: the default, Helvetica, is not embedded."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.BODY), *commands])


def para(
    text: str,
    style: ParagraphStyle,
    lead: str | None = None,
    parent: Node | None = None,
    role: str = "P",
) -> Paragraph:
    """A paragraph (or a heading, by ``role``) of plain text, tagged under ``parent``."""
    bold = style.fontName == fonts.BOLD
    body = fonts.markup(text, bold)
    if lead:
        body = f"<b>{fonts.markup(lead, True)}</b> {body}"
    return tag(Paragraph(body, style), role, parent)  # type: ignore[no-any-return]


def masthead(
    doc: Document, logo: Path | None, st: Styles, width: float, logo_text: str | None = None
) -> list[Flowable]:
    """The clinic's name, logo and contact lines, the title and the subtitle."""
    contact = "<br/>".join(fonts.markup(x) for x in doc.contact_lines)
    clinic = Paragraph(
        f"<b>{fonts.markup(doc.clinic, True)}</b><br/>{contact}",
        st.masthead,
    )
    tag(clinic, "P", None)
    words = wording(doc)
    alt = logo_text or words.logo_alt
    picture = leaf(_Logo(logo), "Figure", None, alt) if logo else Spacer(1, 1)
    row: list[Flowable] = [picture, clinic]
    widths = [70.0, width - 70]
    online: list[Flowable] = []
    if doc.online:
        code, size, online = _online(doc.online, st, words)
        row.append(code)
        widths = [70.0, width - 70 - size - 8, size + 8]
    head = Table([row], colWidths=widths)
    head.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 2, st.primary),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return [
        head,
        Spacer(1, 10),
        HeadingParagraph(fonts.markup(doc.title, True), st.title, "title", 0, doc.title),
        *([para(doc.subtitle, st.subtitle)] if doc.subtitle and doc.subtitle_shown else []),
        *online,
    ]


class _Logo(Flowable):
    """The logo, drawn once per file, place, canvas state and font seed, and its drawing
    put back after that (a masthead is laid out anew for every title, with the same
    logo): drawn again where it drew more than code (a PNG's picture), and where its
    words (an SVG's text) have a character outside the font seed (its code is the
    file's own, given out when the file first drew it)."""

    def __init__(self, path: Path):
        super().__init__()
        self.inner = logo_flowable(path)
        self.file = (path, file_stamp(path))
        self.text = _drawn_text(self.inner)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        if not isinstance(canvas, PdfCanvas) or not fonts.seeded(self.text, canvas.seed_chars):
            self.inner.drawOn(canvas, x, y, _sW)
            return
        state = tuple(getattr(canvas, a) for a in DRAW_STATE)
        key = (*self.file, self.width, self.height, x, y, _sW, state, canvas.seed)
        hit = _LOGOS.get(key)
        if hit is not None:
            canvas._code.extend(hit)
            return
        code = columns.drawn_code(canvas, self.inner, x, y, _sW)
        if code is not None:
            _LOGOS[key] = tuple(code)


_LOGOS: MemoTable[tuple[Any, ...], tuple[Any, ...]] = table("flowables._LOGOS", 64)
"""Each logo's drawing, by file, size, place, canvas state and font seed."""


def _drawn_text(node: object) -> str:
    """The words a logo's drawing draws (an SVG's text; none for a PNG)."""
    own = node.text if isinstance(node, String) else ""
    return own + "".join(_drawn_text(c) for c in getattr(node, "contents", ()))


def _online(url: str, st: Styles, words: Wording) -> tuple[Flowable, float, list[Flowable]]:
    """The QR code of the handout's online version (a figure with words), its size, and
    the line under the title that gives its short address."""
    short = url.split("://", 1)[-1]
    size = 72.0 if st.large else 56.0
    alt = words.qr_alt.format(address=short)
    code = leaf(qr_flowable(url, size), "Figure", None, alt)
    href = escape(url, {'"': "&quot;"})
    line = Paragraph(
        f"<b>{fonts.markup(words.read_online, True)}</b> "
        f'<a href="{href}" color="#1A1A1A"><u>{fonts.markup(short)}</u></a> '
        f"{fonts.markup(words.scan_hint)}",
        st.body,
    )
    return code, size, [tag(line, "P", None)]


def wording(doc: Document) -> Wording:
    """The document's fixed words (every assembled document has them)."""
    if doc.wording is None:
        raise internal("a document without its words (make it with assemble)")
    return doc.wording


def personal(doc: Document, st: Styles, width: float) -> list[Flowable]:
    """Who the handout is for, from whom and when, then the care team's notes: patient
    text, made into flowables with every cache passed by."""
    with private_text():
        return _personal(doc, st, width)


def _personal(doc: Document, st: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = []
    per, words = doc.personal, wording(doc)
    parts = []
    if per.patient:
        parts.append((words.for_, per.patient))
    if per.clinician:
        parts.append((words.from_, per.clinician))
    if doc.printed_date:
        parts.append((words.date_, doc.printed_date))
    if parts:
        # a label keeps its value's first word on its line ("Date:" | "3 December 2026")
        text = "    ".join(
            f"<b>{fonts.markup(k, True)}</b>{NO_BREAK}{fonts.markup(v)}" for k, v in parts
        )
        story.append(tag(Paragraph(text, st.body), "P", None))
    for section in doc.front:
        story += section_flowables(section, st, width)
    return story


def section_flowables(
    section: Section, st: Styles, width: float, sect: Node | None = None
) -> list[Flowable]:
    """The section's flowables, under ``sect`` (a new section element when None)."""
    sect = sect or Node("Sect")
    with shared_text():  # a section's title is content, a private section's too
        head = HeadingParagraph(
            fonts.markup(section.title, True), st.h1, section.id, 1, section.title, sect
        )
    flows: list[Flowable] = []
    for n, block in enumerate(section.blocks):
        flows += BLOCKS[type(block)](block, st, width, f"{section.id}-{n}", sect)
    # Space after a section's last block would start a page of its own when it falls at
    # the foot of a page; the next section brings its own space.
    while flows and isinstance(flows[-1], Spacer):
        flows.pop()
    flows = kept_with_groups(flows)
    if section.boxed:
        flows = [_box(flows, st, width)]
    # A heading never ends a page alone: it travels with the start of its section,
    # and so does a sub-heading that opens the section.
    lead: list[Flowable] = [head]
    rest = list(flows)
    while rest:
        part = rest.pop(0)
        lead += part._content if isinstance(part, KeepTogether) else [part]
        if not part.getKeepWithNext():
            break
    if section.whole:  # one group: a group inside would say it is endless (0xffffff)
        whole = _ungrouped([head, *flows])
        tidy = all(b.tidy_breaks for b in section.blocks if isinstance(b, Tiers))
        return [_Whole(whole, [_Lead(lead, st.fill), *_ungrouped(rest)] if tidy else whole)]
    return [_Lead(lead, fill=st.fill), *rest]


def kept_with_groups(flows: list[Flowable]) -> list[Flowable]:
    """``flows`` with each flowable that keeps with the next put into the group after it,
    where that is a group kept together. ReportLab keeps a heading with the flowable after
    it, but never with a group (``_ktAllow``), so a sub-heading before a medicine card or
    a combination caution ended a page alone ("Your medicines", in 3 of 40 booklets and
    23 of 60 Spanish large-print ones)."""
    out: list[Flowable] = []
    for f in reversed(flows):
        if out and type(out[-1]) is KeepTogether and f.getKeepWithNext():
            out[-1] = KeepTogether([f, *out[-1]._content])
        else:
            out.append(f)
    return out[::-1]


def _ungrouped(flows: list[Flowable]) -> list[Flowable]:
    """``flows`` with every keep-together group opened into its parts."""
    out: list[Flowable] = []
    for f in flows:
        out += _ungrouped(f._content) if isinstance(f, KeepTogether) else [f]
    return out


class _Lead(KeepTogether):
    """A section's heading and its opening part, kept on one page.

    A short opening that does not fit moves to the next page with its heading.
    A long one (a boxed list) starts where it is when at least ``ROOM`` points
    are left, split after the heading, rather than leave most of a page empty.
    """

    ROOM = 120.0
    SPLITS_ALONE = True
    """Its split reads nothing of the document template but what ReportLab's group reads,
    so a layout without one may split it (:func:`handouts.pdf.pages.layout`)."""

    def __init__(self, flowables: list[Flowable], fill: bool = False):
        super().__init__(flowables)
        self.fill = fill  # the headings may be several (a section's, then a sub-heading's)

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        *heads, last = self._content
        if self._H > aH >= self.ROOM and (len(heads) == 1 or self.fill):
            used = 0.0
            for n, head in enumerate(heads):
                _, hh = head.wrapOn(self.canv, aW, aH)
                used += hh + (head.getSpaceAfter() if n < len(heads) - 1 else 0)
                if n:
                    used += head.getSpaceBefore()
            room = aH - used - heads[-1].getSpaceAfter() - last.getSpaceBefore()
            parts = last.splitOn(self.canv, aW, room) if room > 0 else []
            if parts:
                return [*heads, *parts]
        return super().split(aW, aH)


class _Whole(KeepTogether):
    """A section kept on one page when it fits on one; one taller than a page (large
    print) starts where it is rather than on a page of its own: ``loose``, its parts
    placed as usual (its heading still with its opening part, as when it is not kept
    whole; or, "When to get help" in a visit handout short of room, each part on its
    own: :attr:`~handouts.document.document.Tiers.tidy_breaks`)."""

    def __init__(self, flowables: list[Flowable], loose: list[Flowable]):
        super().__init__(flowables)
        self.loose = loose

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        peek = self._doctemplateAttr("_peekNextFrame")
        page = peek()._height if peek else aH
        if page < self._H:  # put back in the story, each part placed as usual
            return [self.NullActionFlowable(), *self.loose]
        return super().split(aW, aH)


def _box(flows: list[Flowable], st: Styles, width: float) -> Table:
    """A tinted, bordered box that may split between its rows."""
    t = _Box([[f] for f in flows], colWidths=[width], splitInRow=1)
    t.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), st.accent),
                ("BOX", (0, 0), (-1, -1), 1.5, st.primary),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return t


class _Box(Table):
    """A box's table, which splits between its rows and inside a row that splits (a long
    paragraph), but never leaves a row with nothing in it. Where its first row does not
    fit and will not split (a list item, kept whole), ReportLab's split inside it gives a
    part of no content, the row's padding high, and the rest; the frame places that part
    and asks again, to the page's foot: a main-points box ran on empty for 15 such parts.
    Where the row's words fit but not its padding below them, the empty part is the
    rest's first row (a review), at the next page's top. Either way the box goes on to
    the next page."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2 and (_hollow(parts[0]._cellvalues[-1])
                                or _hollow(parts[1]._cellvalues[0])):  # fmt: skip
            return []
        return parts


def _hollow(row: list[Any]) -> bool:
    """Whether a table's row holds nothing (the part of a row split inside it that is
    left with none of its flowables)."""
    return not any(cell for cell in row)


def _para(b: Para, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    return [para(b.text, st.body, b.lead, parent)]


def _heading(b: Heading, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    return [HeadingParagraph(fonts.markup(b.text, True), st.h2, key, 2, b.text, parent)]


def _item_text(text: str, note: str | None) -> str:
    body = fonts.markup(text)
    if note:
        body += f' <font color="{NOTE_COLOUR}">({fonts.markup(note)})</font>'
    return body


def _marked(mark: str, body: str, st: Styles, parent: Node, indent: float = 0,
            again: Flowable | None = None, hang: bool = True) -> Paragraph:  # fmt: skip
    """A list item of list ``parent``: ``mark`` (its label) hangs in the margin, the text
    wraps beside it. An item is never split between pages; with ``again``, it says that
    above itself where it starts a page (:class:`~handouts.pdf.paragraph.GoesOn`)."""
    face = fonts.BODY if ord(mark) in fonts.register().main else fonts.FALLBACK
    style = _item_style(st, face, indent, mark, hang)
    if again is None:
        item = WholeParagraph(body, style, bulletText=mark)
    else:
        item = GoesOn(body, style, bulletText=mark)
        item.again = again
    return list_item(item, parent)  # type: ignore[no-any-return]


@memo(256)
def _item_style(
    st: Styles, face: str, indent: float, mark: str = "•", hang: bool = True
) -> ParagraphStyle:
    """A list item's style, for items labelled ``mark`` (the widest of a list's labels):
    with ``hang``, its lines after the first start where the first line's words do.
    ReportLab starts those words after the label and a gap (:func:`words_after`), wherever
    the indent is less (a red team: in a large-print visit handout a caution's second
    line started 11.9 points left of its first, under the "⚠"; a bullet's, 3.7)."""
    size = st.body.fontSize
    words = words_after(mark, face, size, indent)
    base = indent + (15 if st.fill else 22)
    return ParagraphStyle(
        f"item-{face}-{indent}-{st.gap}-{mark}-{hang}",
        parent=st.body,
        leftIndent=max(base, words) if hang else base,
        bulletIndent=indent,
        bulletFontName=face,
        bulletFontSize=size,
        spaceAfter=st.gap,
    )


def _bullets(b: Bullets, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    items = Node("L", parent)
    return [_marked("•", _item_text(i.text, i.note), st, items) for i in b.items]


def _checklist(b: Checklist, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    items = Node("L", parent)
    return [_marked("☐", _item_text(i.text, i.note), st, items) for i in b.items]


def _caution(b: Caution, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    flows: list[Flowable] = [para(b.title, st.caution_title, parent=parent, role="H3")]
    if b.intro:
        flows.append(para(b.intro, st.caution_intro, parent=parent))
    # a title never ends a page alone; with what the medicine is for, in a booklet, it
    # keeps the first caution too (a review found the two at a page's foot, the cautions
    # overleaf); a visit handout's fitting gives that room to content
    head = 3 if b.intro and b.whole_start else 2
    items = Node("L", parent)
    for pt in b.points:
        lead = f"<b>{fonts.markup(pt.lead, True)}</b> " if pt.lead else ""
        body = f"{lead}{fonts.markup(pt.risk)} "
        if pt.action:  # a short caution says what to do in its own words
            body += f"<b>{fonts.markup(b.what_to_do, True)}</b> {fonts.markup(pt.action)} "
        body += _item_text("", pt.note).strip()
        # a point that may start a page says whose it is there (the title, continued)
        again = None
        if b.continued and len(flows) >= head:
            again = artifact(Paragraph(fonts.markup(b.continued, True), st.caution_title))
        flows.append(_marked("⚠", body, st, items, again=again, hang=b.hang))
    return [KeepTogether(flows[:head]), *flows[head:], Spacer(1, 4)]


def _tiers(b: Tiers, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    flows: list[Flowable] = []
    # the contact line stays with the first tier
    lead: list[Flowable] = [para(b.contact, st.body, parent=parent)] if b.contact else []
    for tier in b.tiers:
        fill = TIER_FILL[tier.key]
        head_fill = colors.HexColor(fill) if fill else st.primary
        dark = tier.key != "next_visit"
        head_style = st.box_head if dark else st.box_head_light
        border = 3 if tier.key == "emergency" else 1.5
        ink = head_fill if dark else colors.black
        if st.sign_columns == 2:  # a visit handout in regular print: drawn from its parts
            box = _tier_box(tier, st, width, parent, head_fill, head_style, border, ink)
        else:
            box = _tier_table(tier, st, width, parent, head_fill, head_style, border, ink, b)
        flows += [_kept(b, lead, box, st.fill), Spacer(1, 8 if st.gap > 2 else 4)]
        lead = []
    return flows


def _kept(b: Tiers, lead: list[Flowable], box: Flowable, fill: bool) -> Flowable:
    """A tier's box (with the contact line before the first) kept on one page, or where
    the tiers may split over pages, the contact line still with the first box's start.
    In a booklet (not ``fill``), one taller than a page never leaves a page empty
    (:class:`_TallTier`)."""
    if not b.may_split:
        return KeepTogether([*lead, box]) if fill else _TallTier([*lead, box])
    return _Lead([*lead, box], fill=True) if lead else box


class _TallTier(KeepTogether):
    """A booklet's tier kept on one page where it fits, else moved to the next page's
    top, as ReportLab's group does; but where that page would give it no more room than
    it has (the space after the tier before it moved to this page's top), it splits where
    it is. ReportLab's group broke to the next page all the same, and left this one with
    nothing on it but that space: a review found a blank page 12 in a large-print
    booklet (a tier taller than a page), and a second one the same for a tier a few
    points shorter than a page."""

    SLACK = 12.0
    """Points less than a whole page that still count as a whole page."""

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        peek = self._doctemplateAttr("_peekNextFrame")
        page = peek()._height if peek is not None else None
        if page is not None and self._H > aH >= page - self.SLACK:
            return [self.NullActionFlowable(), *self._content]
        return super().split(aW, aH)


def _tier_head(tier: Tier, st: Styles, width: float, fill: colors.Color,
               head_style: ParagraphStyle, parent: Node | None) -> Flowable:  # fmt: skip
    """A tier's heading (an H3): its symbol and words, or its drawn sign (a figure)
    beside its words. With no ``parent``, the same heading for the eye only (an
    artifact), where a tier's box goes on over a page and repeats it."""
    if not (tier.sign and st.fill):
        symbol = fonts.markup(tier.symbol, True)
        if parent is None:
            return artifact(Paragraph(f"{symbol}  {fonts.markup(tier.heading, True)}", head_style))
        heading = f"{unspoken(symbol)}  {fonts.markup(tier.heading, True)}"  # the words say it
        return tag(Paragraph(heading, head_style), "H3", parent)
    dark = tier.key != "next_visit"
    size = head_style.fontSize * 1.2
    ink, paper = (fill, colors.white) if dark else (colors.black, fill)
    drawn = pictures.tier_sign(tier.key, size, ink, paper)
    words = Paragraph(fonts.markup(tier.heading, True), head_style)
    if parent is None:  # a drawing outside the structure is an artifact
        sign, words = drawn, artifact(words)
    else:
        sign, words = leaf(drawn, "Figure", parent, tier.sign), tag(words, "H3", parent)
    head = Table([[sign, words]], colWidths=[size + 6, width - size - 28])
    head.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               *[(p, (0, 0), (-1, -1), 0) for p in PADS]]))  # fmt: skip
    return head


def _tier_table(tier: Tier, st: Styles, width: float, parent: Node, fill: colors.Color,
                head_style: ParagraphStyle, border: float, ink: colors.Color,
                b: Tiers) -> Flowable:  # fmt: skip
    """A tier as a table of one column (a booklet, large print): its heading, a row for
    each sign, then its note."""
    rows: list[list[Flowable]] = [[_tier_head(tier, st, width, fill, head_style, parent)]]
    items = Node("L", parent)
    rows += [[_marked("•", _item_text(item, None), st, items)] for item in tier.items]
    if tier.note:
        rows.append([para(tier.note, st.body, parent=parent)])
    t = _TierTable(rows, colWidths=[width], repeatRows=1, splitInRow=b.may_split)
    t.again = lambda: _tier_head(tier, st, width, fill, head_style, None)
    t.rows = _TierTable.rows if b.tidy_breaks else 1
    t.setStyle(
        table_style(
            [
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), fill),
                ("BOX", (0, 0), (-1, -1), border, ink),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad + 1),
            ]
        )
    )
    return t


def _tier_box(tier: Tier, st: Styles, width: float, parent: Node, fill: colors.Color,
              head_style: ParagraphStyle, border: float,
              ink: colors.Color) -> Flowable:  # fmt: skip
    """A tier as a box drawn from parts found once (:mod:`handouts.pdf.tierbox`): its
    heading and note, each made from what it shows, and its signs in two balanced
    columns, down the left, then the right (one sign: across the box)."""
    look = (tier.key, tier.symbol, tier.heading, tier.sign, st.fill, head_style, fill, width)
    words = tier.symbol + tier.heading
    head = tierbox.Part(
        ("head", *look), lambda under: _tier_head(tier, st, width, fill, head_style, under), words
    )
    again = tierbox.Part(
        ("again", *look), lambda under: _tier_head(tier, st, width, fill, head_style, None), words
    )
    note = None
    if tier.note:
        note = tierbox.Part(
            ("note", tier.note, st.body),
            lambda under: para(tier.note, st.body, parent=under),
            tier.note,
        )
    texts = [_item_text(item, None) for item in tier.items]
    face = fonts.BODY if ord("•") in fonts.register().main else fonts.FALLBACK
    style = _item_style(st, face, 0)
    k = len(texts)
    if k > 1:
        k = _balance([columns.size(t, "•", style, width / 2 - 16) for t in texts])
    return tierbox.TierBox(head, again, texts, k, style, Node("L", parent), note, parent,
                           fill, border, ink, st.pad)  # fmt: skip


def _balance(sizes: list[tuple[float, float, float, float]]) -> int:
    """Where to split items of these sizes (:func:`handouts.pdf.columns.size`) into two
    columns so the taller is least tall."""
    heights = [h + after for _, h, _, after in sizes]
    total, best, upto = sum(heights), (float("inf"), 1), 0.0
    for k in range(1, len(heights)):
        upto += heights[k - 1]
        best = min(best, (max(upto, total - upto), k))
    return best[1]


class _TierTable(Table):
    """A tier's box. One longer than a page (large print, many signs) repeats its heading
    on the next page, as it looks (its symbol, or its drawn sign) but for the eye only: a
    screen reader has read it once."""

    again: Callable[[], Flowable] | None = None
    rows = 2
    """Rows (signs, or the note) a page break leaves on each side of it, at the least: a
    tier's heading with a single sign under it at a page's foot, or said again over one
    sign (or over the note alone) at the next page's top, reads as a tier of its own
    (1: wherever ReportLab breaks it, a visit handout short of room)."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = self._kept_apart(availWidth, availHeight)
        for part in parts:
            part.rows = self.rows
        if self.again:
            for part in parts[1:]:
                # a new row: the header row's list is shared with the table split (which
                # ReportLab may split again, or put back whole, after a trial split)
                part._cellvalues[0] = [self.again(), *part._cellvalues[0][1:]]
                part.again = self.again
        return parts

    def _kept_apart(self, aW: float, aH: float) -> list[Flowable]:
        """ReportLab's split, moved up a row at a time until it leaves :attr:`rows` rows
        after the break; none (the tier goes on whole) where that leaves fewer before it.
        At a page's top, where the tier is taller than the page, a split that cannot leave
        that many on both sides is ReportLab's own (there is no better page to go to)."""
        plain = list(super().split(aW, aH))
        if self.rows < 2 or len(plain) != 2:
            return plain
        frame = getattr(self, "_frame", None)
        give_up = plain if frame is not None and frame._atTop else []
        parts, room = plain, aH
        for _ in self._cellvalues:
            if len(parts) != 2:
                return give_up
            before, after = len(parts[0]._cellvalues) - 1, len(parts[1]._cellvalues) - 1
            if before < self.rows:
                return give_up
            if after >= self.rows:
                return parts
            # the room of the rows before the last one (and a hair, for rounding): that one
            # goes on too, whatever room the split left at the foot (a review: where the
            # row after the break was tall, taking off a short one's height moved nothing)
            room = sum(self._rowHeights[:before]) + 1e-6
            parts = list(super().split(aW, room))
        return give_up


def _write_in(b: WriteIn, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    flows: list[Flowable] = []
    per = max(2, b.lines // len(b.prompts))
    for prompt in b.prompts:
        rows = [[para(prompt, st.prompt, parent=parent)]]
        rows += [[""] for _ in range(per)]
        t = Table(rows, colWidths=[width], rowHeights=[None] + [st.line] * per)
        t.setStyle(
            table_style(
                [
                    ("LINEBELOW", (0, 1), (-1, -1), 0.75, colors.HexColor("#555555")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        flows.append(KeepTogether([t]))
    return flows


def _sources(b: SourceList, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    flows: list[Flowable] = []
    items = Node("L", parent)
    for n, (title, after, url) in enumerate(b.entries, 1):
        text = fonts.markup(title)
        if after and b.titles_in:  # the title alone is in the titles' language
            text = in_language(text, b.titles_in)
        if after:
            text += " " + fonts.markup(after)
        if url:
            href = escape(url, {'"': "&quot;"})
            text += f' <a href="{href}" color="#1A1A1A"><u>{fonts.markup(url)}</u></a>'
        # The number hangs in the margin, so the entry's text (and its line breaks,
        # worked out once) is the same whatever its number in this handout. An entry
        # all in the titles' language is read in it (its number in the handout's); one
        # with the handout's own words after its title ("Sin fecha.") is read in the
        # handout's, but for its title.
        lang = None if after else b.titles_in
        item = list_item(Paragraph(text, st.sources, bulletText=f"{n}."), items, lang)
        flows.append(item)
    return flows


def _diary(b: Diary, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    """Ruled rows, one per day, the header repeated if the table runs onto a second page.
    It is tagged as a table: a header cell per column, then a row per day.

    In large print the columns are shared between two tables (three, then the rest), so
    each column's heading fits at full size and there is room to write large."""
    flows: list[Flowable] = [para(line, st.body, parent=parent) for line in b.intro]
    first, *columns = b.columns
    per = 3 if st.large else len(columns)
    for n in range(0, len(columns), per):
        flows += [Spacer(1, 4), _diary_table(b, [first, *columns[n : n + per]], st, width, parent)]
    if b.total:
        flows += [Spacer(1, 6), para(f"{b.total}: ________", st.body, parent=parent)]
    return flows


def _diary_table(b: Diary, columns: list[str], st: Styles, width: float, parent: Node) -> DataTable:
    # each heading's element is its header cell (DataTable), not a paragraph of its own
    head = [Paragraph(fonts.markup(c, True), st.table_head) for c in columns]
    rows: list[list[Any]] = [head] + [
        [str(d)] + [""] * (len(columns) - 1) for d in range(1, b.days + 1)
    ]
    day = 48 if st.large else 34
    rest = (width - day) / (len(columns) - 1)
    t = DataTable(
        rows,
        colWidths=[day] + [rest] * (len(columns) - 1),
        rowHeights=[None] + [st.line - 2] * b.days,
        repeatRows=1,
    ).tag_cells(parent)
    t.setStyle(
        table_style(
            [
                ("FONTSIZE", (0, 1), (0, -1), st.table_head.fontSize),
                ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor("#555555")),
                ("BACKGROUND", (0, 0), (-1, 0), st.accent),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return t


def _numbered(b: Numbered, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    """Steps in order, numbered: a sub-heading, the words before them, then 1, 2, 3. Content
    (:class:`Numbered`), made with the caches even in a plan that holds typed slots."""
    with shared_text():
        return _numbered_steps(b, st, key, parent)


def _numbered_steps(b: Numbered, st: Styles, key: str, parent: Node) -> list[Flowable]:
    flows: list[Flowable] = []
    if b.heading:
        flows.append(HeadingParagraph(fonts.markup(b.heading, True), st.h2, key, 2, b.heading,
                                      parent))  # fmt: skip
    if b.lead:
        flows.append(para(b.lead, st.caution_intro, parent=parent))
    items = Node("L", parent)
    style = _item_style(st, fonts.BODY, 0, f"{len(b.items)}.")  # the widest number
    for n, step in enumerate(b.items, 1):
        flows.append(list_item(WholeParagraph(fonts.markup(step), style, bulletText=f"{n}."),
                               items))  # fmt: skip
    return [KeepTogether(flows)]


def _slots(b: Slots, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    """Part of a plan: its sub-heading, then each filled slot, label and value side by side.
    The sub-heading, the labels and a template's words are content, made with the caches
    even in a plan that holds typed slots; what the clinician typed stays as private as
    the part it is in (:mod:`handouts.pdf.private`)."""
    typed = b.typed or (True,) * len(b.rows)  # not said: as private as the section
    with shared_text():
        head = HeadingParagraph(fonts.markup(b.heading, True), st.h2, key, 2, b.heading, parent)
        labels = [para(label, st.prompt, parent=parent) for label, _ in b.rows]
    rows = []
    for label, (_, value), mine in zip(labels, b.rows, typed, strict=True):
        with contextlib.nullcontext() if mine else shared_text():
            rows.append([label, para(value, st.body, parent=parent)])
    if not rows:
        return [head]
    label_w = _label_column(b.aligned or tuple(label for label, _ in b.rows), st, width)
    t = _SlotsTable(rows, colWidths=[label_w, width - label_w])
    if b.continued:
        t.again = partial(_said_again, b.continued, st)
    t.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [KeepTogether([head, t])]


def _said_again(words: str, st: Styles) -> Flowable:
    """A plan part's heading said again over its slots that go on at a page's top: seen,
    not read (a screen reader has read the heading once)."""
    return artifact(Paragraph(fonts.markup(words, True), st.h2))


class _SlotsTable(Table):
    """A plan part's slots, label and value side by side. Where a page break splits them,
    the rest says the part's heading again above itself (``again``: "In an attack,
    continued"), as a card's cautions say its name (:class:`~handouts.pdf.paragraph.GoesOn`):
    a row at a page's top read under no heading."""

    again: Callable[[], Flowable] | None = None
    said: Flowable | None = None
    """The heading drawn above this part: the rest of a split."""
    _said_room = 0.0

    def _room(self, availWidth: float, availHeight: float) -> float:
        if self.said is None:
            return 0.0
        _w, height = self.said.wrap(availWidth, availHeight)
        return float(height + self.said.getSpaceAfter())

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._said_room = self._room(availWidth, availHeight)
        width, height = super().wrap(availWidth, availHeight - self._said_room)
        return width, height + self._said_room

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        room = self._room(availWidth, availHeight)
        parts = super().split(availWidth, availHeight - room)
        if len(parts) == 2:
            first, rest = parts
            first.said, first.again = self.said, self.again
            rest.said = self.again() if self.again is not None else None
            rest.again = self.again
        return parts

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        # a split's rest always starts a page (the visit handout's one frame a page), so
        # it says the heading without asking the frame, as GoesOn does; the table is as
        # wide as the frame, so the heading starts where the table does
        if self.said is not None:
            table = self._height
            self.said.drawOn(canvas, x, y + table + self._said_room - self.said.height)
        super().drawOn(canvas, x, y, _sW)


LABELS = {False: 112.0, True: 150.0}
"""A plan part's label column, regular and large print, where its labels fit in it."""


def _label_column(labels: tuple[str, ...], st: Styles, width: float) -> float:
    """The width of a plan part's label column (``labels``: its own and those of the
    parts it lines up with): :data:`LABELS`, or wider where a label would wrap in it (a
    longer language's "How often:"), so that it takes one line, up to a third of the
    width."""
    room = LABELS[st.large]
    pad = 6.0  # the table's right padding of a cell
    widest = max(stringWidth(x, st.prompt.fontName, st.prompt.fontSize) for x in labels) + pad
    return min(max(room, math.ceil(widest)), width / 3)


BESIDE = 150.0
"""The narrowest the words beside the counting boxes may be (about 25 letters a line);
narrower, the boxes go under them."""


def _calendar(b: Calendar, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    how = para(b.how, st.body, parent=parent)
    boxes = 0.0 if b.month or st.large else pictures.counting_width(b.limit, b.at_limit, False)
    if boxes and width - boxes - 12 >= BESIDE:  # the boxes alone: beside their words, in one row
        drawing = pictures.calendar(b.limit, b.at_limit, boxes, st.large, month=False)
        row = Table([[how, leaf(drawing, "Figure", parent, b.alt)]],
                    colWidths=[width - boxes - 12, boxes + 12])  # fmt: skip
        row.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                  ("TOPPADDING", (0, 0), (-1, -1), 0),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                                  ("ALIGN", (1, 0), (1, 0), "RIGHT")]))  # fmt: skip
        return [row, Spacer(1, 8)]
    drawing = pictures.calendar(b.limit, b.at_limit, width, st.large, b.month)
    kept = KeepTogether([how, leaf(drawing, "Figure", parent, b.alt)])
    return [kept] if b.month else [kept, Spacer(1, 8)]  # apart from what follows


def _picture(b: Picture, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    draw = {"stroke-signs": pictures.stroke_signs}[b.name]
    flows: list[Flowable] = [leaf(draw(b.labels, width, st.large), "Figure", parent, b.alt)]
    if b.caption:
        flows.append(para(b.caption, st.body, parent=parent))
    return [KeepTogether(flows)]


def _online_block(b: Online, st: Styles, width: float, key: str, parent: Node) -> list[Flowable]:
    """Where the full version is: the words, the short address as a link, and its QR code."""
    if not b.url:
        return [para(b.text, st.body, parent=parent)]
    short = b.url.split("://", 1)[-1]
    href = escape(b.url, {'"': "&quot;"})
    words = Paragraph(
        f'{fonts.markup(b.text)} <a href="{href}" color="#1A1A1A"><u>{fonts.markup(short)}</u></a>',
        st.body,
    )
    size = 72.0 if st.large else 56.0
    code = leaf(qr_flowable(b.url, size), "Figure", parent, b.alt)
    t = Table([[tag(words, "P", parent), code]], colWidths=[width - size - 12, size + 12])
    t.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                            ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return [t]


BLOCKS: dict[type, Callable[..., list[Flowable]]] = {
    Para: _para,
    Heading: _heading,
    Bullets: _bullets,
    Checklist: _checklist,
    Caution: _caution,
    Tiers: _tiers,
    WriteIn: _write_in,
    SourceList: _sources,
    Diary: _diary,
    Numbered: _numbered,
    Slots: _slots,
    Calendar: _calendar,
    Picture: _picture,
    Online: _online_block,
}
"""How each block type is drawn; a new block type must be added here."""
