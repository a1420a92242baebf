"""Large print (`--large-print`), read back from the PDFs with pypdf, on Letter and A4.

The issue: a re-flowed layout, not a zoomed page — body at least 18 pt, headings 20–22 pt,
no italics, no all-caps runs, wider line spacing, the "when to get help" tiers still whole,
the same content with nothing dropped. One handout exercises every block type: key points,
paragraphs, sub-headings, checklists, cautions (combination and per-medicine), the three
help tiers, the glossary, write-in lines, the diary and sources. What the PDFs must say
(headings, tier items, sources) comes from the assembled document, which knows nothing of
PDF; everything measured comes from the PDF bytes.
"""

from __future__ import annotations

import difflib
import io
import itertools
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from handouts.content.brand import load_brand
from handouts.content.library import load_library
from handouts.document.assemble import assemble
from handouts.document.document import (
    Bullets,
    Caution,
    Checklist,
    Diary,
    Document,
    Heading,
    SourceList,
    Tiers,
)
from handouts.document.request import Allow, Request
from handouts.pipeline import PRINTER

from .conftest import CONTENT, ROOT, footer_words, main

CONDITIONS = ("migraine", "lupus", "fibromyalgia")
BUILD = ["build", "--conditions", *CONDITIONS, "--medicines", "sumatriptan", "ibuprofen"]
BUILD += ["--diary"]
PAGE_NUMBER = re.compile(r"^Page \d+ of \d+$")


@dataclass(frozen=True)
class Run:
    """A piece of text as drawn: its page (1-based), size in points, font and baseline."""

    page: int
    text: str
    size: float
    font: str
    x: float
    y: float


@dataclass(frozen=True)
class Pair:
    paper: str
    regular: bytes
    large: bytes


@pytest.fixture(scope="module")
def doc() -> Document:
    """The same handout, assembled (what it must say, independent of the PDF)."""
    req = Request(CONDITIONS, medicines=("triptans", "nsaids"), diary=True)
    return assemble(load_library(CONTENT, PRINTER), req, load_brand(None, PRINTER))


@pytest.fixture(scope="module", params=["letter", "a4"])
def pdfs(request, tmp_path_factory) -> Pair:
    """The regular and the large-print handout on one paper, built by the command line."""
    out = tmp_path_factory.mktemp(request.param)
    made = {}
    for large in (False, True):
        path = out / f"{large}.pdf"
        extra = ["--large-print"] if large else []
        assert main([*BUILD, *extra, "--paper", request.param, "--out", str(path)]) == 0
        made[large] = path.read_bytes()
    width = round(float(PdfReader(io.BytesIO(made[True])).pages[0].mediabox.width))
    assert width == {"letter": 612, "a4": 595}[request.param]
    return Pair(request.param, made[False], made[True])


def runs(data: bytes) -> list[Run]:
    """Every non-blank text run, its size the font size times the text and CTM scale."""
    found: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, 1):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                name = str((font or {}).get("/BaseFont", ""))
                found.append(Run(number, text.strip(), size * math.hypot(c, d), name, x, y))

        page.extract_text(visitor_text=visit)
    return found


def pages_lines(data: bytes) -> list[list[str]]:
    """Each page's text lines, whitespace folded; blank lines and "Page X of Y" dropped."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = (" ".join(line.split()) for line in (page.extract_text() or "").splitlines())
        pages.append([line for line in lines if line and not PAGE_NUMBER.match(line)])
    return pages


def footer_lines(data: bytes) -> list[str]:
    """The lines every page ends with (the footer, once the page number is dropped)."""
    pages = pages_lines(data)
    n = 0
    while all(len(p) > n for p in pages) and len({p[-1 - n] for p in pages}) == 1:
        n += 1
    assert n, "no footer common to every page"
    return pages[0][len(pages[0]) - n :]


def content_lines(data: bytes) -> list[list[str]]:
    """Each page's lines without the footer."""
    n = len(footer_lines(data))
    return [p[:-n] for p in pages_lines(data)]


def page_texts(data: bytes) -> list[str]:
    """Each page's text without the footer, lines joined by single spaces."""
    return [" ".join(p) for p in content_lines(data)]


def squash(text: str) -> str:
    return "".join(text.split())


def caps_runs(text: str) -> list[str]:
    """Runs of 3+ all-uppercase words of 2+ letters; numbers and one-letter words don't
    break a run, a word with a lowercase letter does (so acronyms alone pass)."""
    found: list[str] = []
    run: list[str] = []
    for token in [*text.split(), "end"]:  # the lowercase sentinel ends the last run
        if any(c.islower() for c in token):
            if sum(sum(c.isalpha() for c in t) >= 2 for t in run) >= 3:
                found.append(" ".join(run))
            run = []
        else:
            run.append(token)
    return found


def italic_fonts(data: bytes) -> set[str]:
    """Fonts in any page's resources (and its forms') that are italic or oblique."""
    found: set[str] = set()

    def scan(resources: DictionaryObject | None, seen: set[int]) -> None:
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            for f in [font.get_object(), *font.get_object().get("/DescendantFonts", [])]:
                f = f.get_object()
                desc = f.get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else {}
                name = str(f.get("/BaseFont", "")).lstrip("/")
                slanted = float(desc.get("/ItalicAngle", 0)) != 0 or int(desc.get("/Flags", 0)) & 64
                if slanted or "italic" in name.lower() or "oblique" in name.lower():
                    found.add(name)
        for ref in (resources.get("/XObject") or {}).values():
            form = ref.get_object()
            if form.get("/Subtype") == "/Form" and id(form) not in seen:
                seen.add(id(form))
                scan(form.get("/Resources"), seen)

    for page in PdfReader(io.BytesIO(data)).pages:
        scan(page.get("/Resources"), set())
    return found


def body_size(found: list[Run], doc: Document) -> float:
    """The size most reading characters are set in (the source list, a reference set
    smaller on purpose, left out: a handout with many sources would otherwise decide)."""
    (sources,) = blocks(doc, SourceList)
    listed = squash(" ".join(f"{t} {after} {url or ''}" for t, after, url in sources.entries))
    chars: Counter[float] = Counter()
    for r in found:
        if squash(r.text) not in listed:
            chars[round(r.size, 2)] += len(r.text)
    return chars.most_common(1)[0][0]


def heading_sizes(found: list[Run], heading: str) -> list[float]:
    """Sizes of the runs that spell ``heading`` (one or more lines), wherever it is drawn."""
    target, sizes = squash(heading), []
    for i in range(len(found)):
        text, j = "", i
        while j < len(found) and target.startswith(text + squash(found[j].text)):
            text += squash(found[j].text)
            j += 1
        if text == target:
            sizes += [r.size for r in found[i:j]]
    return sizes


def headings(doc: Document) -> list[str]:
    """Section titles, sub-headings and the help tiers' headings (with their symbols)."""
    texts = [s.title for s in doc.front + doc.sections]
    for block in (b for s in doc.front + doc.sections for b in s.blocks):
        if isinstance(block, Heading):
            texts.append(block.text)
        elif isinstance(block, Tiers):
            texts += [f"{t.symbol} {t.heading}" for t in block.tiers]
    return texts


def blocks(doc: Document, kind: type) -> list:
    return [b for s in doc.front + doc.sections for b in s.blocks if isinstance(b, kind)]


def line_gaps(found: list[Run], size: float) -> list[float]:
    """Baseline-to-baseline distances of consecutive reading lines in one column.

    Reading lines: lines with a regular-weight run at ``size`` (bold-only lines are labels:
    caution titles, prompts, the diary's column heads). A column: lines that start at the
    same x on a page. Consecutive: less than two lines apart (paragraph gaps included)."""
    columns: dict[tuple[int, float], set[float]] = {}
    for r in found:
        if abs(r.size - size) < 0.01 and "Bold" not in r.font:
            columns.setdefault((r.page, round(r.x, 1)), set()).add(round(r.y, 1))
    gaps = []
    for ys in columns.values():
        ordered = sorted(ys, reverse=True)
        gaps += [a - b for a, b in itertools.pairwise(ordered) if a - b < 2 * size]
    return gaps


def page_of(texts: list[str], text: str, start: int = 1) -> int | None:
    """1-based page, from ``start`` on, whose text holds all of ``text`` (whitespace
    folded), else None."""
    want = " ".join(text.split())
    return next((n for n, t in enumerate(texts, 1) if n >= start and want in t), None)


def content_stream(data: bytes, doc: Document) -> tuple[str, list[str]]:
    """All text but the footers, whitespace removed, with the diary's column heads taken
    out (they repeat on each page of the diary, and large print shares the columns
    between two tables), a help tier's heading once (a tier longer than a page repeats
    it), and no medicine card's name said again where its cautions go on over a page;
    and the column heads, in the order found."""
    text = squash(" ".join(" ".join(p) for p in content_lines(data)))
    for card in blocks(doc, Caution):
        text = text.replace(squash(card.continued), "") if card.continued else text
    (tiers,) = blocks(doc, Tiers)
    for tier in tiers.tiers:
        head = squash(f"{tier.symbol} {tier.heading}")
        first = text.index(head) + len(head)
        text = text[:first] + text[first:].replace(head, "")
    (diary,) = blocks(doc, Diary)
    heads = sorted((squash(c) for c in diary.columns), key=len, reverse=True)
    found = sorted(
        (m.start(), h) for h in heads for m in re.finditer(re.escape(h), text) if h != "Day"
    )
    for head in heads:
        text = text.replace(head, "")
    days = "".join(str(d) for d in range(1, diary.days + 1))  # each table's day numbers
    tables = text.count(days)
    return text.replace(days, "", tables - 1), [h for _, h in found]


# --- the helpers see what they look for -------------------------------------------------


def test_caps_runs_finds_shouting_and_passes_acronyms():
    assert caps_runs("Get help. CALL AN AMBULANCE NOW if you can.") == ["CALL AN AMBULANCE NOW"]
    assert caps_runs("CALL 911 OR GO to A&E") == ["CALL 911 OR GO"]
    assert caps_runs("Then GO TO HOSPITAL") == ["GO TO HOSPITAL"]
    assert caps_runs("NSAIDs, an NSAID, MS and CBT-I (SR/MA). J Headache") == []
    assert caps_runs("SLE: SR/MA. Nutrients") == []


def test_italic_fonts_sees_the_bundled_italic(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("LPItalic", ROOT / "fonts" / "AtkinsonHyperlegible-Italic.ttf"))
    out: Path = tmp_path / "italic.pdf"
    canvas = Canvas(str(out))
    canvas.setFont("LPItalic", 18)
    canvas.drawString(72, 720, "Emphasis")
    canvas.setFont("Helvetica-Oblique", 18)
    canvas.drawString(72, 690, "Emphasis")
    canvas.save()
    found = italic_fonts(out.read_bytes())
    assert {f.split("+")[-1] for f in found} == {"AtkinsonHyperlegible-Italic", "Helvetica-Oblique"}


# --- the large-print handout ------------------------------------------------------------


def test_type_sizes(pdfs, doc):
    """Nothing under 14 pt; body (most characters) 18 pt or more; everything under 18 pt
    is the footer, the masthead or the source list; every heading 20-22 pt."""
    found = runs(pdfs.large)
    assert min(r.size for r in found) >= 14
    assert body_size(found, doc) >= 18
    (sources,) = blocks(doc, SourceList)
    small_ok = [*footer_lines(pdfs.large), doc.clinic, *doc.contact_lines, doc.web or ""]
    small_ok += [f"{n}. {title} {after} {url or ''}"
                 for n, (title, after, url) in enumerate(sources.entries, 1)]  # fmt: skip
    allowed = "\n".join(squash(s) for s in small_ok)
    reading = [r for r in found if r.size < 18 and not PAGE_NUMBER.match(r.text)]
    assert [(r.page, r.size, r.text) for r in reading if squash(r.text) not in allowed] == []
    for heading in headings(doc):
        sizes = heading_sizes(found, heading)
        assert sizes, f"heading not found: {heading!r}"
        assert all(20 <= s <= 22 for s in sizes), (heading, sizes)


def test_no_italics(pdfs):
    """Neither handout uses an italic or oblique font (the bundled Italic is never used)."""
    assert italic_fonts(pdfs.large) == set()
    assert italic_fonts(pdfs.regular) == set()


def test_no_all_caps_runs(pdfs):
    for n, text in enumerate(page_texts(pdfs.large), 1):
        assert caps_runs(text) == [], f"page {n}"


def test_wider_line_spacing(pdfs, doc):
    """Consecutive reading lines are at least 1.4 times the body size apart, and wider
    for their size than in the regular handout (a zoom would keep the same ratio)."""
    ratios = {}
    for large, data in ((True, pdfs.large), (False, pdfs.regular)):
        found = runs(data)
        size = body_size(found, doc)
        gaps = line_gaps(found, size)
        assert len(gaps) > 100
        ratios[large] = min(gaps) / size
    assert ratios[True] >= 1.4, ratios
    assert ratios[True] > ratios[False], ratios


def test_help_tiers_are_whole(pdfs, doc):
    """Each tier's heading and all its items on one page; the section starts a page, with
    the contact line on the page of the first tier. In the regular handout too. A tier
    longer than a page (large print) starts a page and repeats its heading on the next."""
    (tiers,) = blocks(doc, Tiers)
    title = next(s.title for s in doc.sections if any(b is tiers for b in s.blocks))
    for data in (pdfs.large, pdfs.regular):
        texts = page_texts(data)
        first = page_of(texts, f"{tiers.tiers[0].symbol} {tiers.tiers[0].heading}")
        assert first is not None
        assert page_of(texts, f"{title} {tiers.contact}") == first
        assert texts[first - 1].startswith(title)  # a page of its own, to keep by the phone
        for tier in tiers.tiers:
            page = page_of(texts, f"{tier.symbol} {tier.heading}")
            assert page is not None, tier.heading
            head = f"{tier.symbol} {tier.heading}"
            on = [page_of(texts, " ".join(i.split()), page) for i in tier.items]
            assert None not in on, (tier.heading, on)
            for more in range(page + 1, max(on) + 1):
                assert texts[more - 1].startswith(head), (tier.heading, more)
            if max(on) > page:  # split only because it is longer than a page
                assert texts[page - 1].startswith((head, f"{title} {tiers.contact} {head}"))


def test_nothing_dropped(pdfs, doc):
    """The large-print text, footers aside and whitespace removed, is the regular one,
    character for character and in the same order."""
    (large, large_heads), (regular, regular_heads) = (
        content_stream(pdfs.large, doc),
        content_stream(pdfs.regular, doc),
    )
    (diary,) = blocks(doc, Diary)
    every = {squash(c) for c in diary.columns[1:]}
    assert set(large_heads) == set(regular_heads) == every  # every diary column, in both
    if large != regular:
        diff = difflib.SequenceMatcher(None, regular, large, autojunk=False).get_opcodes()
        changes = [(op, regular[a:b], large[c:d]) for op, a, b, c, d in diff if op != "equal"]
        pytest.fail(f"regular -> large print: {changes[:10]}")
    assert len(large) > 10_000


def test_list_items_are_whole(pdfs, doc):
    """No tick-box step or bullet point is split between two pages (a step read half on
    one page and half on the next is easily missed)."""
    items = [
        f"{i.text} ({i.note})" if i.note else i.text
        for kind in (Checklist, Bullets)
        for block in blocks(doc, kind)
        for i in block.items
    ]
    assert len(items) > 20
    for data in (pdfs.large, pdfs.regular):
        texts = page_texts(data)
        split = [i for i in items if page_of(texts, i) is None]
        assert split == []


def test_diary_column_heads_are_whole_words(pdfs, doc):
    """Every diary column heading is printed with its words whole (large print shares the
    columns between two tables so that they fit at full size)."""
    (diary,) = blocks(doc, Diary)
    for data in (pdfs.large, pdfs.regular):
        words = {w for page in content_lines(data) for line in page for w in line.split()}
        for column in diary.columns:
            assert set(column.split()) <= words, column


def test_web_addresses_break_where_a_reader_expects(pdfs, doc):
    """A source's web address too long for the rest of its line is broken only where the
    Chicago Manual allows (after a double slash, before a single slash or a full stop, and
    so on: tests/test_addresses.py), never at any letter that fills the line ("htt" and
    "ps://www…"), nor right after its scheme when words come before it; and reads whole.
    In large print (where many are too long) and regular."""
    from .test_addresses import breaks_in, chicago

    (sources,) = blocks(doc, SourceList)
    urls = [url for *_, url in sources.entries if url]
    assert len(urls) > 20
    for data, at_least in ((pdfs.large, 15), (pdfs.regular, 3)):
        lines = [line.strip() for page in content_lines(data) for line in page]
        broken = [(url, at) for url in urls for _, at in breaks_in(url, lines)]
        assert len(broken) >= at_least, len(broken)
        bad = [(url[:at], url[at:]) for url, at in broken if not chicago(url[:at], url[at:])]
        assert bad == []
        stray = [line for line in lines if re.search(r"\S\s+https?://$", line)]
        assert stray == []  # after words, no line ends with the scheme alone


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_booklets_addresses_break_at_their_points_in_large_print(tmp_path, paper):
    """The full booklets whose sources a review found broken at a letter on the page after
    a page break ("…syndro" | "me", "Itemid=1" | "01"): each address, split or not, breaks
    only where the rule allows, "https://" never ends a line after words, and no link box
    has no width."""
    from .test_addresses import breaks_in, chicago

    checked = 0
    for condition in ("lupus", "axial-spondyloarthritis", "jaw-disorders", "migraine"):
        out = tmp_path / f"{condition}.pdf"
        args = ["build", "--conditions", condition, "--full", "--large-print", "--paper", paper]
        assert main([*args, "--out", str(out)]) == 0
        data = out.read_bytes()
        lines = [line.strip() for page in content_lines(data) for line in page]
        links = [a.get_object() for page in PdfReader(io.BytesIO(data)).pages
                 for a in page.get("/Annots", [])]  # fmt: skip
        widths = [float(a["/Rect"][2]) - float(a["/Rect"][0]) for a in links]
        assert min(widths) > 1, condition
        urls = {str(a["/A"]["/URI"]) for a in links if "/URI" in a.get("/A", {})}
        for url in sorted(u for u in urls if "/h/" not in u):  # not the handout's own page
            for _, at in breaks_in(url, lines):
                assert chicago(url[:at], url[at:]), (condition, url[:at], url[at:])
                checked += 1
        assert not [line for line in lines if re.search(r"\S\s+https?://$", line)], condition
    assert checked > 60


def test_a_large_print_footer_never_breaks_a_date(pdfs):
    """The review: every page of a large-print booklet ended its footer with "next check
    due 01 Nov" and "2028." on the line below. Each date is on one line, in regular print
    and in large."""
    for data in (pdfs.regular, pdfs.large):
        footer = footer_lines(data)
        dates = re.findall(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b", " ".join(footer))
        assert len(dates) == 2, footer
        assert all(any(d in line for line in footer) for d in dates), footer


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("large", [False, True])
def test_no_footer_line_holds_one_word_alone(tmp_path, language, paper, large):
    """A large-print booklet on A4 ended its footer's lines with "1 Nov 2028." and
    "information." alone, on every page. The footer's last two words now go together:
    every line of it has two words at least (a date counts as one)."""
    out = tmp_path / "booklet.pdf"
    args = [*BUILD, "--full", "--language", language, "--paper", paper, "--out", out]
    assert main([*args, *(["--large-print"] if large else [])]) == 0
    pages = footer_words(out.read_bytes())
    said = Counter()
    for _numbers, words in pages:
        lines: dict[float, list[str]] = {}
        for w in words:
            lines.setdefault(round(w["top"]), []).append(w["text"])
        for line in lines.values():
            said[re.sub(r"\b\d{1,2} [a-zA-Z]{3} \d{4}\b", "DATE", " ".join(line))] += 1
    assert sum(said.values()) >= 2 * len(pages)
    assert all(len(line.split()) >= 2 for line in said), said


def test_a_booklets_paragraph_never_leaves_its_last_line_alone_at_a_pages_top(monkeypatch):
    """Found counting: in 30 random large-print booklets, 17 paragraphs split over a page
    (in English; 21 in Spanish) put their last line alone at the next page's top ("last
    up to an hour.", the end of a source's address). The booklets' paragraphs now leave
    two lines at least; a visit handout's still may (its fitting counts each line). Each
    paragraph drawn as the rest of a split one is counted by its lines."""
    from reportlab.platypus.paragraph import Paragraph as Plain

    from handouts.memo import clear_all
    from handouts.pipeline import load_inputs, make

    split, draw_on, rests = Plain.split, Plain.drawOn, []

    def splitting(self, *args):
        parts = split(self, *args)
        if len(parts) == 2:
            parts[1].rest_of_split = True
        return parts

    def drawing(self, *args, **kwargs):
        if getattr(self, "rest_of_split", False):
            rests.append(len(self.blPara.lines))
        return draw_on(self, *args, **kwargs)

    monkeypatch.setattr(Plain, "split", splitting)
    monkeypatch.setattr(Plain, "drawOn", drawing)
    clear_all()  # nothing laid out by an earlier test is drawn from memory
    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(3)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    meds = sorted(lib.medicines)
    for language in ("en", "es"):
        for _ in range(8):
            req = Request(rng.choice(pairs), medicines=tuple(rng.sample(meds, rng.randint(1, 6))),
                          format="full", paper=rng.choice(["letter", "a4"]), large_print=True,
                          language=language, allow=Allow(draft=True))  # fmt: skip
            make(lib, brand, req)
    assert rests and min(rests) >= 2, rests
