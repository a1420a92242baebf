"""The assembled handout: what to say, in order, with no knowledge of PDF.

``assemble`` produces a :class:`Document`; a renderer (PDF today; a tagged
PDF, another language or a web page for clinicians later) draws it. Every
string here is plain text: renderers escape it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handouts.memo import hashed_once, without_hash


@dataclass(frozen=True)
class Item:
    """A line in a list: the text, and an optional plain-words note after it."""

    text: str
    note: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    lead: str | None = None
    """Bold words that start the paragraph, e.g. ``What we know:``."""


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Checklist:
    """Tick-box list of actions."""

    items: tuple[Item, ...]


@dataclass(frozen=True)
class Point:
    """A risk, what to do about it, and how sure we are."""

    risk: str
    action: str
    note: str
    lead: str | None = None
    """Which part of a medicine card it is (``Pregnancy:``), printed in bold first."""


@dataclass(frozen=True)
class Caution:
    """A medicine (or combination) and its cautions."""

    title: str
    intro: str | None
    points: tuple[Point, ...]
    what_to_do: str
    """The words before each point's action (``What to do:``)."""
    whole_start: bool = False
    """Whether its title and what it is for keep its first point on their page (a full
    booklet's cards; a visit handout's would take room its fitting gives to content)."""
    continued: str = ""
    """Said over the rest of its points where they start a page ("Triptans, continued"):
    a caution at the top of a page, the medicine's name overleaf, would say "Do not stop
    suddenly" of no medicine the reader can see. Empty: nothing is said."""
    hang: bool = True
    """Whether each point's lines after the first start under its first line's words, not
    under its "⚠" (a large-print visit handout short of room gives that up first: the
    lines under the sign are 11.9 points wider)."""


@dataclass(frozen=True)
class Tier:
    key: str
    """``emergency``, ``call_today`` or ``next_visit``."""
    heading: str
    symbol: str
    items: tuple[str, ...]
    note: str | None = None
    """A line after the signs (the route when the clinic is closed)."""
    sign: str | None = None
    """Words for the tier's drawn sign (a visit handout draws one beside its heading)."""


@dataclass(frozen=True)
class Tiers:
    tiers: tuple[Tier, ...]
    contact: str
    """How to reach the care team, printed with the tiers."""
    may_split: bool = False
    """A tier's box may run on to the next page (a visit handout short of room); otherwise
    each tier's box is kept on one page."""
    tidy_breaks: bool = True
    """A page break in a tier's box leaves two of its rows (signs, or the note) on each
    side, and the section kept whole but taller than a page (large print) keeps its
    heading and the contact line with the first tier's start: else a tier's heading may
    be said again over one sign or the note alone, and "When to get help" may end a page
    with no tier under it (a visit handout in large print short of room)."""


@dataclass(frozen=True)
class WriteIn:
    """Ruled space for the reader to write in."""

    prompts: tuple[str, ...]
    lines: int


@dataclass(frozen=True)
class SourceList:
    entries: tuple[tuple[str, str, str | None], ...]
    """(the source's title as cited, with its year; words after it in the handout's
    language, such as "Undated.", or ""; web address or None)."""
    titles_in: str | None = None
    """The language the titles are in, where it is not the handout's (sources are cited
    as published, in English): a screen reader reads them in that language's voice."""


@dataclass(frozen=True)
class Diary:
    """A page of ruled rows, one per day, for the reader to fill in."""

    intro: tuple[str, ...]
    """How to use it, and what to look for (e.g. the painkiller-day limits)."""
    columns: tuple[str, ...]
    """Column headings; the first is the day."""
    days: int = 31
    total: str | None = None
    """A last row to add up the month, e.g. ``Painkiller days this month``."""


@dataclass(frozen=True)
class Numbered:
    """Steps to follow in order, printed 1, 2, 3 (a calming practice). Content only, never
    patient text (a clinician picks a practice of the library, and types none of it): made
    with the caches even in a plan that holds typed slots (:mod:`handouts.pdf.private`)."""

    items: tuple[str, ...]
    lead: str | None = None
    """Words before the steps, e.g. ``Slow breathing, 5 minutes twice a day:``."""
    heading: str | None = None
    """A sub-heading above them."""


@dataclass(frozen=True)
class Slots:
    """Part of a plan: a heading and the filled slots, (label, what the clinician wrote),
    in a fixed order. Slots left blank are not here at all."""

    heading: str
    rows: tuple[tuple[str, str], ...]
    typed: tuple[bool, ...] = ()
    """Which rows' values the clinician typed for this patient (patient text, made into
    flowables without any cache: :mod:`handouts.pdf.private`); the rest is content (a
    plan template's words, filled in) and shared as any content is. Empty: not said, so
    every value is as private as the section it is in."""
    aligned: tuple[str, ...] = ()
    """The labels of every part its label column lines up with (its own among them): the
    column is as wide as the widest needs. Empty: its own labels alone."""
    continued: str = ""
    """Its heading said again where its slots go on at a page's top ("In an attack,
    continued"), drawn for the eye only; empty: not said."""


@dataclass(frozen=True)
class Calendar:
    """A month to tick each painkiller day, and a row of boxes to fill, one per painkiller
    day, with a line drawn at the limit: a picture, with words for screen readers."""

    limit: int
    """The painkiller-day limit: the line is drawn at this box."""
    how: str
    """How to use it, printed above."""
    at_limit: str
    """The words at the line (``Call us``)."""
    alt: str
    """What the picture shows, for a screen reader."""
    month: bool = True
    """False: the boxes alone, without the month (the painkiller-day rule's own boxes,
    on a visit handout whose calendar is cut to fit)."""


@dataclass(frozen=True)
class Picture:
    """A drawing from the renderer's set, with its printed labels and words for screen
    readers. ``stroke-signs``: face, arms, speech, time (FAST)."""

    name: str
    labels: tuple[str, ...]
    alt: str
    caption: str | None = None


@dataclass(frozen=True)
class Online:
    """Where the full version is: a QR code and its short address (or, when the clinic has
    no online address, how to ask for it)."""

    text: str
    url: str | None = None
    alt: str | None = None
    """What the QR code is, for a screen reader."""


Block = (
    Para | Heading | Bullets | Checklist | Caution | Tiers | WriteIn | SourceList | Diary
    | Numbered | Slots | Calendar | Picture | Online
)  # fmt: skip


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    """Content, never patient text: made with the caches even in a private section."""
    blocks: tuple[Block, ...]
    boxed: bool = False
    """Drawn in a tinted box (key points, clinician notes)."""
    new_page: bool = False
    """Starts on a fresh page (a page to fill in, such as the diary)."""
    after_summary: bool = False
    """Starts page 2 when everything before it fits on page 1 (the handout's summary)."""
    private: bool = False
    """Holds patient text (a visit handout's plan): laid out for this handout only, and
    remembered nowhere."""
    whole: bool = False
    """Never split between pages (a visit handout's "When to get help", its calendar)."""

    def __hash__(self) -> int:
        """Worked out once (a section is looked up in many memo tables, and hashing walks
        every block in it); equal sections still hash alike."""
        return hashed_once(self)

    def __getstate__(self) -> dict[str, object]:
        """Pickled or copied without the hash (:func:`handouts.memo.without_hash`)."""
        return without_hash(self)


@dataclass(frozen=True)
class Personal:
    """Patient details, printed as given (escaped, never evaluated)."""

    patient: str | None = None
    clinician: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Provenance:
    """A piece of content a handout uses, and when it was and must next be checked."""

    item: str
    """``condition:lupus``, ``step:relax-daily``, ``rule:triptan-with-snri`` …"""
    last_reviewed: dt.date
    next_review: dt.date
    draft: bool = False
    """Still needs clinical sign-off."""


@dataclass(frozen=True)
class Wording:
    """The fixed words a renderer prints around the content, in the document's language
    (from its catalogue: :mod:`handouts.content.words`). A web page prints the same."""

    disclaimer: str
    checked: str
    """The review dates, written out (``Content checked 1 Nov 2026; next check due …``),
    each date on one line."""
    draft_footer: str
    """Every page's footer line instead of ``checked`` when the handout is a draft."""
    page_of: str
    """``Page {page} of {pages}``: the renderer puts the numbers in."""
    pack_page_of: str
    in_this_pack: str
    contents_page: str
    """``page {page}``: a handout's or section's page in a pack's contents."""
    blank_page: str
    for_: str
    from_: str
    date_: str
    read_online: str
    scan_hint: str
    qr_alt: str
    """What the QR code is, for a screen reader: ``… online at {address}``."""
    logo_alt: str
    """``{clinic} logo``, when the brand gives no words for its logo."""
    web_page: str
    """What a screen reader says of a link: ``Web page: {address}``."""


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    personal: Personal
    clinic: str
    contact_lines: tuple[str, ...]
    web: str | None
    footer: str
    reviewed: dt.date
    next_review: dt.date
    subject: str
    keywords: tuple[str, ...] = field(default_factory=tuple)
    provenance: tuple[Provenance, ...] = ()
    """Every content item used; the footer's dates are the earliest of these."""
    online: str | None = None
    """Web address of the handout's online version (printed as a QR code and a short
    link), when the brand gives a base address."""
    front: tuple[Section, ...] = ()
    """Sections printed with the personal details, before the shared content (the
    clinician's notes). Everything in ``sections`` is the same for every patient."""
    draft: bool = False
    """Uses content that still needs clinical sign-off: marked as a draft on every page."""
    language: str = "en-US"
    """Its language tag (the PDF's /Lang)."""
    wording: Wording | None = None
    """The fixed words around the content (``assemble`` always gives them)."""
    printed_date: str | None = None
    """The patient's date, written out in the document's language (``3 December 2026``)."""
    visit: bool = False
    """A visit handout: both sides of one sheet (four pages in large print; one more
    sheet where what is never left out needs it)."""
    subtitle_shown: bool = True
    """Whether the subtitle prints under the title (a visit handout short of room leaves
    it out; the file's title keeps it)."""
    snug: bool = False
    """A visit handout's lines a little closer, to fit before a medicine's own cautions
    are left out (its body type stays 12 pt, 18 pt in large print)."""
    visit_order: tuple[str, ...] = ()
    """A visit handout: what may be left out to fit, first to last."""
    charset: str = field(default="", compare=False, repr=False)
    """Every character the library and brand can print, sorted (not printed itself).
    Every handout from one library seeds its fonts with it, so a section laid out
    for one handout can be replayed in another."""
