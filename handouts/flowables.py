"""How each block of a :class:`Document` looks: paragraph styles and ReportLab flowables.

Every string goes through ``fonts.markup`` (escaping and font fallback). One
function per block type (``BLOCKS``) makes the seam for a tagged-PDF layer or
another output format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from . import fonts
from .document import (
    Bullets,
    Caution,
    Checklist,
    Diary,
    Document,
    Heading,
    Para,
    Section,
    SourceList,
    Tiers,
    WriteIn,
)
from .logo import logo_flowable
from .paragraph import HeadingParagraph, Paragraph

NOTE_COLOUR = "#3D3D3D"
"""Evidence notes: 10.8:1 on white, still dark in grayscale."""
TIER_FILL = {"emergency": "#8B1A1A", "call_today": None, "next_visit": "#E8E8E8"}
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


def _size(name: str, large: bool) -> dict[str, float]:
    size, leading = SIZES[name][large]
    return {"fontSize": size, "leading": leading}


@lru_cache(maxsize=32)
def styles(primary: str, accent: str, text: str, large: bool = False) -> Styles:
    """Paragraph styles for a brand's colours, regular or large print (built once each)."""
    p, a, t = colors.HexColor(primary), colors.HexColor(accent), colors.HexColor(text)
    z = partial(_size, large=large)
    body = ParagraphStyle(
        "body",
        fontName=fonts.BODY,
        **z("body"),
        textColor=t,
        alignment=TA_LEFT,
        spaceAfter=6,
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
            spaceBefore=14,
            spaceAfter=6,
            keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=fonts.BOLD,
            **z("h2"),
            spaceBefore=8,
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
    )


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style that sets the cell font too: the default, Helvetica, is not embedded."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.BODY), *commands])


def para(text: str, style: ParagraphStyle, lead: str | None = None) -> Paragraph:
    bold = style.fontName == fonts.BOLD
    body = fonts.markup(text, bold)
    if lead:
        body = f"<b>{fonts.markup(lead, True)}</b> {body}"
    return Paragraph(body, style)


def masthead(doc: Document, logo: Path | None, st: Styles, width: float) -> list[Flowable]:
    """The clinic's name, logo and contact lines, the title and the subtitle."""
    contact = "<br/>".join(fonts.markup(x) for x in doc.contact_lines)
    clinic = Paragraph(
        f"<b>{fonts.markup(doc.clinic, True)}</b><br/>{contact}",
        st.masthead,
    )
    picture = logo_flowable(logo, 44) if logo else Spacer(1, 1)
    head = Table([[picture, clinic]], colWidths=[70, width - 70])
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
        para(doc.subtitle, st.subtitle),
    ]


def personal(doc: Document, st: Styles, width: float) -> list[Flowable]:
    """Who the handout is for, from whom and when, then the care team's notes."""
    story: list[Flowable] = []
    per = doc.personal
    parts = []
    if per.patient:
        parts.append(("For:", per.patient))
    if per.clinician:
        parts.append(("From:", per.clinician))
    if per.date:
        parts.append(("Date:", f"{per.date.day} {per.date:%B %Y}"))
    if parts:
        text = "    ".join(f"<b>{fonts.markup(k, True)}</b> {fonts.markup(v)}" for k, v in parts)
        story.append(Paragraph(text, st.body))
    for section in doc.front:
        story += section_flowables(section, st, width)
    return story


def section_flowables(section: Section, st: Styles, width: float) -> list[Flowable]:
    head = HeadingParagraph(fonts.markup(section.title, True), st.h1, section.id, 1, section.title)
    flows: list[Flowable] = []
    for n, block in enumerate(section.blocks):
        flows += BLOCKS[type(block)](block, st, width, f"{section.id}-{n}")
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
    return [_Lead(lead), *rest]


class _Lead(KeepTogether):
    """A section's heading and its opening part, kept on one page.

    A short opening that does not fit moves to the next page with its heading.
    A long one (a boxed list) starts where it is when at least ``ROOM`` points
    are left, split after the heading, rather than leave most of a page empty.
    """

    ROOM = 120.0

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        *heads, last = self._content
        if self._H > aH >= self.ROOM and len(heads) == 1:
            head = heads[0]
            _, hh = head.wrapOn(self.canv, aW, aH)
            room = aH - hh - head.getSpaceAfter() - last.getSpaceBefore()
            parts = last.splitOn(self.canv, aW, room) if room > 0 else []
            if parts:
                return [head, *parts]
        return super().split(aW, aH)


def _box(flows: list[Flowable], st: Styles, width: float) -> Table:
    """A tinted, bordered box that may split between its rows."""
    t = Table([[f] for f in flows], colWidths=[width], splitInRow=1)
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


def _para(b: Para, st: Styles, width: float, key: str) -> list[Flowable]:
    return [para(b.text, st.body, b.lead)]


def _heading(b: Heading, st: Styles, width: float, key: str) -> list[Flowable]:
    return [HeadingParagraph(fonts.markup(b.text, True), st.h2, key, 2, b.text)]


def _item_text(text: str, note: str | None) -> str:
    body = fonts.markup(text)
    if note:
        body += f' <font color="{NOTE_COLOUR}">({fonts.markup(note)})</font>'
    return body


def _marked(mark: str, body: str, st: Styles, indent: float = 0) -> Paragraph:
    """A list item: ``mark`` hangs in the margin, the text wraps beside it."""
    face = fonts.BODY if ord(mark) in fonts.register().main else fonts.FALLBACK
    return Paragraph(body, _item_style(st, face, indent), bulletText=mark)


@lru_cache(maxsize=64)
def _item_style(st: Styles, face: str, indent: float) -> ParagraphStyle:
    return ParagraphStyle(
        f"item-{face}-{indent}",
        parent=st.body,
        leftIndent=indent + 22,
        bulletIndent=indent,
        bulletFontName=face,
        bulletFontSize=st.body.fontSize,
        spaceAfter=5,
    )


def _bullets(b: Bullets, st: Styles, width: float, key: str) -> list[Flowable]:
    return [_marked("•", _item_text(i.text, i.note), st) for i in b.items]


def _checklist(b: Checklist, st: Styles, width: float, key: str) -> list[Flowable]:
    return [_marked("☐", _item_text(i.text, i.note), st) for i in b.items]


def _caution(b: Caution, st: Styles, width: float, key: str) -> list[Flowable]:
    flows: list[Flowable] = [
        para(
            b.title,
            st.caution_title,
        )
    ]
    if b.intro:
        flows.append(para(b.intro, st.caution_intro))
    for pt in b.points:
        body = (
            f"{fonts.markup(pt.risk)} <b>{fonts.markup('What to do:', True)}</b> "
            f"{fonts.markup(pt.action)} {_item_text('', pt.note).strip()}"
        )
        flows.append(_marked("⚠", body, st))
    return [KeepTogether(flows[:2]), *flows[2:], Spacer(1, 4)]


def _tiers(b: Tiers, st: Styles, width: float, key: str) -> list[Flowable]:
    flows: list[Flowable] = []
    lead: list[Flowable] = [para(b.contact, st.body)]  # the contact line stays with the first tier
    for tier in b.tiers:
        fill = TIER_FILL[tier.key]
        head_fill = colors.HexColor(fill) if fill else st.primary
        dark_head = tier.key != "next_visit"
        head_style = st.box_head if dark_head else st.box_head_light
        heading = f"{fonts.markup(tier.symbol, True)}  {fonts.markup(tier.heading, True)}"
        rows: list[list[Flowable]] = [[Paragraph(heading, head_style)]]
        rows += [[_marked("•", _item_text(item, None), st)] for item in tier.items]
        t = Table(rows, colWidths=[width])
        border = 3 if tier.key == "emergency" else 1.5
        t.setStyle(
            table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), head_fill),
                    ("BOX", (0, 0), (-1, -1), border, head_fill if dark_head else colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        flows += [KeepTogether([*lead, t]), Spacer(1, 8)]
        lead = []
    return flows


def _write_in(b: WriteIn, st: Styles, width: float, key: str) -> list[Flowable]:
    flows: list[Flowable] = []
    per = max(2, b.lines // len(b.prompts))
    for prompt in b.prompts:
        rows = [[para(prompt, st.prompt)]]
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


def _sources(b: SourceList, st: Styles, width: float, key: str) -> list[Flowable]:
    flows: list[Flowable] = []
    for n, (cite, url) in enumerate(b.entries, 1):
        text = fonts.markup(cite)
        if url:
            href = escape(url, {'"': "&quot;"})
            text += f' <a href="{href}" color="#1A1A1A"><u>{fonts.markup(url)}</u></a>'
        # The number hangs in the margin, so the entry's text (and its line breaks,
        # worked out once) is the same whatever its number in this handout.
        flows.append(Paragraph(text, st.sources, bulletText=f"{n}."))
    return flows


def _diary(b: Diary, st: Styles, width: float, key: str) -> list[Flowable]:
    """Ruled rows, one per day, the header repeated if the table runs onto a second page."""
    flows: list[Flowable] = [para(line, st.body) for line in b.intro]
    head = [para(c, st.table_head) for c in b.columns]
    rows: list[list[Any]] = [head] + [
        [str(d)] + [""] * (len(b.columns) - 1) for d in range(1, b.days + 1)
    ]
    day = 48 if st.large else 34
    rest = (width - day) / (len(b.columns) - 1)
    t = Table(
        rows,
        colWidths=[day] + [rest] * (len(b.columns) - 1),
        rowHeights=[None] + [st.line - 2] * b.days,
        repeatRows=1,
    )
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
    return [*flows, Spacer(1, 4), t]


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
}
"""How each block type is drawn; a new block type must be added here."""
