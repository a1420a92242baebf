"""`handouts site`: a page at every address a handout can print, with the same text as
the PDF (both are drawn from one document), escaped, accessible in a real browser."""

from __future__ import annotations

import html
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from handouts.content.model import Library
from handouts.document.assemble import slug
from handouts.paths import CONTENT
from handouts.pipeline import load_inputs
from tests.conftest import main, pdf_text
from tests.test_tagged import marked_texts

MARKS = {"•", "⚠", "☐"}


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_inputs(CONTENT, None)[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert main(["site", "--out", str(out), "--allow-draft"]) == 0
    return out


def every_set(lib: Library) -> list[tuple[str, ...]]:
    sets = [c for n in (1, 2, 3) for c in itertools.combinations(sorted(lib.conditions), n)]
    sets += [h.conditions for h in lib.handouts]
    sets += [h.conditions for p in lib.packs.values() for h in p.handouts]
    return sets


def test_every_address_a_handout_can_print_has_its_page(site, lib):
    addresses = {slug([lib.conditions[c] for c in s]) for s in every_set(lib)}
    assert len({frozenset(s) for s in every_set(lib)}) == len(addresses)  # none shared
    pages = {p.parent.name for p in (site / "h").glob("*/index.html")}
    assert pages == addresses
    assert len(pages) == 470  # 14 conditions, 91 pairs, 364 threes, one handout of four
    # the index and stylesheet at the online address itself, not the clinic's own home page
    assert (site / "h" / "index.html").is_file() and (site / "h" / "site.css").is_file()
    assert sorted(p.name for p in site.iterdir()) == ["es", "h"]
    # the same pages in Spanish under /es/, where a Spanish handout's code points
    assert {p.parent.name for p in (site / "es" / "h").glob("*/index.html")} == addresses
    page = (site / "es" / "h" / "g43-m797" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in page and "<h1>Migraña y fibromialgia</h1>" in page
    assert "Cuándo pedir ayuda" in page and "When to get help" not in page
    # its sources are cited as published, in English: each title says so; the Spanish
    # words after an undated one do not
    titles = re.findall(r'<li><span lang="en">([^<]*)</span>( Sin fecha\.)?', page)
    assert len(titles) > 5 and any(after for _t, after in titles)
    assert all(t.endswith(".") and "Sin fecha" not in t for t, _after in titles)
    english = (site / "h" / "g43-m797" / "index.html").read_text(encoding="utf-8")
    assert 'lang="en"' not in english.split("</head>")[1]  # the page's own language


def test_the_same_conditions_in_any_order_print_one_address(lib):
    conds = [lib.conditions[c] for c in ("migraine", "lupus", "fibromyalgia")]
    assert {slug(list(p)) for p in itertools.permutations(conds)} == {"g43-m32-m797"}


def test_drafts_have_no_page_unless_allowed(tmp_path, capsys, lib):
    assert main(["site", "--out", str(tmp_path)]) == 0
    drafts = sum("me-cfs" in s for s in {frozenset(s): s for s in every_set(lib)}.values())
    out, err = capsys.readouterr()
    index, spanish = tmp_path / "h" / "index.html", tmp_path / "es" / "h" / "index.html"
    assert out == (
        f"wrote {2 * (470 - drafts)} pages in 2 languages, and an index for each, into "
        f"{tmp_path}/ (open {index} or {spanish})\n"
    )
    assert err == (
        f"handouts: {2 * drafts} pages use content that still needs clinical sign-off and were "
        "not written (--allow-draft writes them, marked as drafts)\n"
    )
    assert not (tmp_path / "h" / "g933").exists()  # ME/CFS is a draft
    assert (tmp_path / "h" / "g43-m797" / "index.html").is_file()


def test_a_second_run_removes_pages_it_no_longer_makes(tmp_path, capsys):
    assert main(["site", "--out", str(tmp_path), "--allow-draft"]) == 0
    mine = tmp_path / "h" / "clinic-notes"
    mine.mkdir()
    (mine / "index.html").write_text("the clinic's own page")
    assert (tmp_path / "h" / "g933" / "index.html").is_file()
    assert main(["site", "--out", str(tmp_path)]) == 0
    assert not (tmp_path / "h" / "g933").exists()  # ME/CFS is a draft: its page is gone
    assert (mine / "index.html").read_text() == "the clinic's own page"  # not ours: kept
    assert (tmp_path / "h" / "g43-m797" / "index.html").is_file()


def test_a_handout_for_more_conditions_than_any_page_points_to_the_index(tmp_path):
    pdf = tmp_path / "four.pdf"
    four = ["migraine", "lupus", "fibromyalgia", "sjogrens"]
    assert main(["build", "--full", "--conditions", *four, "--out", pdf]) == 0
    assert "Read it online: riverside.example.org/h/ (or scan" in pdf_text(pdf.read_bytes())


def test_the_printed_short_addresses_lead_to_pages(site, tmp_path):
    for conditions in (["migraine", "fibromyalgia"], ["lupus", "migraine", "sjogrens"]):
        pdf = tmp_path / "v.pdf"
        assert main(["build", "--conditions", *conditions, "--out", pdf]) == 0
        text = pdf_text(pdf.read_bytes())
        address = re.search(r"riverside\.example\.org/(h/[a-z0-9-]+)", text).group(1)
        assert (site / address / "index.html").is_file(), address


class _Blocks(HTMLParser):
    """The text of each block of a page's header and main part (paragraphs, list items,
    headings, cells, terms)."""

    BLOCK = frozenset({"p", "li", "h1", "h2", "h3", "th", "td", "dt", "dd", "figcaption"})

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.depth = 0
        self.inside = False

    def handle_starttag(self, tag, attrs):
        if tag in ("header", "main"):
            self.inside = True
        if self.inside and tag in self.BLOCK:
            self.depth += 1
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag in ("header", "main"):
            self.inside = False
        if self.inside and tag in self.BLOCK:
            self.depth -= 1

    def handle_data(self, data):
        if self.inside and self.depth > 0:
            self.blocks[-1] += data


def squeezed(text: str) -> str:
    """Text without white space: a PDF line break has no space character in it."""
    return "".join(text.split())


@pytest.mark.parametrize(
    "conditions",
    [("migraine", "fibromyalgia"), ("lupus",), ("chronic-back-pain", "rheumatoid-arthritis")],
)
def test_the_page_says_what_the_pdf_says(site, tmp_path, lib, conditions):
    """Every block of the page is in the PDF's text, and everything the PDF's text says
    (its tagged content: not page numbers or footers) is on the page."""
    pdf = tmp_path / "full.pdf"
    title = next((h.title for h in lib.handouts if set(h.conditions) == set(conditions)), None)
    argv = ["build", "--full", "--conditions", *conditions, "--out", pdf]
    spec = next((h for h in lib.handouts if set(h.conditions) == set(conditions)), None)
    if spec:
        argv += ["--title", spec.title] + (["--diary"] if spec.diary else [])
    assert main(argv) == 0
    address = slug([lib.conditions[c] for c in conditions])
    page = (site / "h" / address / "index.html").read_text(encoding="utf-8")
    parser = _Blocks()
    parser.feed(page)
    blocks = [html.unescape(b) for b in parser.blocks if b.strip()]
    texts, _ = marked_texts(pdf)
    pdf_all = squeezed("".join(texts[k] for k in sorted(texts)))
    page_all = squeezed("".join(blocks))
    missing_in_pdf = [b for b in blocks if squeezed(b) not in pdf_all]
    online = [t for t in texts.values() if "Read it online" in t or "scan the square" in t]
    missing_on_page = [
        t
        for t in texts.values()
        if squeezed(t) not in page_all
        and t.strip() not in MARKS
        and not re.fullmatch(r"\d+\.", t.strip())  # a numbered list's numbers
        and t not in online
    ]
    assert missing_in_pdf == []
    assert missing_on_page == []
    assert title is None or f"<h1>{html.escape(title)}</h1>" in page


def test_a_page_is_marked_up_for_every_reader(site):
    page = (site / "h" / "g43-m797" / "index.html").read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en-US">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<link rel="stylesheet" href="../site.css">' in page
    assert '<a href="../">All handouts</a>' in page
    assert "<script" not in page
    css = (site / "h" / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css and "@media (max-width: 40rem)" in css
    index = (site / "h" / "index.html").read_text(encoding="utf-8")
    assert '<a href="g43-m797/">Migraine and fibromyalgia</a>' in index
    assert "<h2" in index and "Conditions that are linked" in index


def test_a_long_web_address_may_break_where_the_pdf_breaks_it(site):
    """A source's address offers a line break (``<wbr>``) wherever the PDF may break it
    (the Chicago Manual's points, tests/test_addresses.py) and nowhere else, so a phone
    shows "…/steroid-emergency-card" and "-to-support…" rather than breaking at any
    letter; the link still reads, and goes to, the whole address."""
    from tests.test_addresses import chicago

    page = (site / "h" / "m05-m45-m545" / "index.html").read_text(encoding="utf-8")
    links = re.findall(
        r'<li>[^<]*(?:<span[^>]*>[^<]*</span>[^<]*)?<a href="([^"]+)">(.*?)</a>', page
    )
    assert len(links) > 20
    for href, inner in links:
        shown = [html.unescape(p) for p in inner.split("<wbr>")]
        assert "".join(shown) == html.unescape(href)
        assert "<" not in "".join(shown)
        cuts = list(itertools.accumulate(len(p) for p in shown))[:-1]
        url = "".join(shown)
        assert all(chicago(url[:at], url[at:]) for at in cuts), shown
    assert max(inner.count("<wbr>") for _, inner in links) > 10


def test_site_needs_an_online_address(tmp_path, capsys):
    brand = tmp_path / "brand.yaml"
    original = (Path(__file__).parent.parent / "brands" / "example" / "brand.yaml").read_text()
    brand.write_text(re.sub(r"(?m)^online:.*\n", "", original))
    for name in ("logo.svg", "logo.png"):
        source = Path(__file__).parent.parent / "brands" / "example" / name
        if source.exists():
            (tmp_path / name).write_bytes(source.read_bytes())
    assert main(["site", "--out", str(tmp_path / "out"), "--brand", str(brand)]) == 1
    assert capsys.readouterr().err == (
        "handouts: error: the brand gives no online address (online:), so the handouts print "
        "no QR code and there is no site to make: add online: https://…/h/ to the brand\n"
    )
    assert not (tmp_path / "out").exists()
