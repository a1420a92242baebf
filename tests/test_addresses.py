"""A web address too long for a line breaks where a reader expects: the rule
(:mod:`handouts.document.addresses`) and ReportLab's lines with it
(:mod:`handouts.pdf.longaddresses`). Handouts are read in test_large_print (sources on
both papers, regular and large print) and test_site (the web page's ``<wbr>``)."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph

from handouts.document.addresses import break_points, pieces
from handouts.pdf import fonts, longaddresses
from handouts.pdf.paragraph import Paragraph

URL = (
    "https://www.england.nhs.uk/2020/08/steroid-emergency-card-to-support-early-"
    "recognition-and-treatment-of-adrenal-crisis-in-adults/"
)
QUERY = "https://pubmed.ncbi.nlm.nih.gov/?term=Sammaritano+Contraception+in+patients+with+lupus"
STARTS = tuple("/~.,-_?#%=&")
"""What a line inside an address may start with (Chicago 14.18: a break before these;
a slash only if it is a single one)."""
ENDS = ("//", ":", "=", "&", "+")
"""What a line inside an address may end with (a break after these)."""


PUNCTUATION = "/~.,-_?#%=&+:"


def chicago(before: str, after: str) -> bool:
    """Whether a line may end between ``before`` and ``after`` in an address, by the
    rule as the Chicago Manual states it (written out here, not taken from the code):
    never inside a double slash, after a single one, or between two punctuation marks
    (a line would end with a hyphen or a full stop: "Medicine-" | "-pregnancy")."""
    if after.startswith("//") or (before.endswith("/") and not before.endswith("//")):
        return False
    if before[-1:] in PUNCTUATION and after[:1] in PUNCTUATION and after[:1] != "/":
        return False
    if before.endswith("/") and after[:1] in PUNCTUATION:
        return False
    return after.startswith(STARTS) or before.endswith(ENDS)


def test_an_address_is_cut_where_chicago_says():
    address = "https://www.example.org/a-b/c_d~e?f=g&h=i+j#k%20l"
    assert pieces(address) == (
        *("https://", "www", ".example", ".org", "/a", "-b", "/c", "_d", "~e", "?f"),
        *("=", "g", "&", "h", "=", "i+", "j", "#k", "%20l"),
    )
    for point in break_points(address):
        assert chicago(address[:point], address[point:]), point


def test_never_inside_the_scheme_or_a_double_slash_nor_before_a_last_character():
    assert pieces("https://x.org/a.b/") == ("https://", "x", ".org", "/a", ".b/")
    assert pieces("http://x.org/Medicine--pregnancy/a...b") == (
        *("http://", "x", ".org", "/Medicine", "--pregnancy", "/a", "...b"),
    )
    assert pieces("https://x.org/b/?c=d") == ("https://", "x", ".org", "/b", "/?c", "=d")
    assert pieces("https://a.org/http://b.org/x") == (
        *("https://", "a", ".org", "/http://", "b", ".org", "/x"),
    )
    assert pieces("https://x.org///a") == ("https://", "x", ".org///a")


def test_words_with_no_address_nor_path_have_no_points():
    for word in ("antiinflammatory", "1.5-2.5", "mailto:x@y.org", "well-being-related"):
        assert break_points(word) == (), word
    assert pieces("(https://x.org/a)") == ("(https://", "x", ".org", "/a)")
    assert pieces("www.nhs.uk/a") == ("www.nhs", ".uk", "/a")
    assert pieces("nhs.uk/conditions/stroke") == ("nhs", ".uk", "/conditions", "/stroke")
    # a path without a host: the rest of an address a page break cut, or words and slashes
    assert pieces("/08/steroid-emergency-card") == ("/08", "/steroid", "-emergency", "-card")
    assert pieces("paracetamol/ibuprofen") == ("paracetamol", "/ibuprofen")
    assert pieces("lupus+migraine+aura") == ("lupus+", "migraine+", "aura")
    # never inside a number: "12" | ".5mg" could be read as 12 mg (a dose in a note)
    assert pieces("20mg/17.5mg/12,5mg") == ("20mg", "/17.5mg", "/12,5mg")
    assert pieces("https://doi.org/10.1186/s13075") == (
        "https://",
        "doi",
        ".org",
        "/10.1186",
        "/s13075",
    )


def style(name: str = "t", size: float = 12) -> ParagraphStyle:
    """A new style each time: broken lines are remembered by text, style and width."""
    fonts.register()
    return ParagraphStyle(name, fontName=fonts.BODY, fontSize=size, leading=size * 1.2)


def lines_of(markup: str, width: float, st: ParagraphStyle) -> list[tuple[str, float]]:
    """Each line of the paragraph ``markup`` broken at ``width``: its text and the room
    left at its end (negative where it is too wide)."""
    p = Paragraph(markup, st)
    p.wrap(width, 10_000)
    bl = p.blPara
    if bl.kind == 0:
        return [(" ".join(words), room) for room, words in bl.lines]
    return [("".join(getattr(f, "text", "") for f in line.words), line.extraSpace)
            for line in bl.lines]  # fmt: skip


def breaks_in(address: str, lines: list[str]) -> list[tuple[int, int]]:
    """Where the lines break inside ``address``: each break's line (the one it ends) and
    its place in the address (how many of its characters come before it)."""
    text = "\n".join(lines)
    m = re.search("\n?".join(map(re.escape, address)), text)
    assert m, f"{address} is not printed whole"
    return _breaks(m.group(0), text.count("\n", 0, m.start()), 0)


def _breaks(printed: str, line: int, at: int) -> list[tuple[int, int]]:
    """The breaks in ``printed`` (an address's letters with the line ends between them),
    which starts on ``line`` at character ``at`` of the address."""
    found = []
    for c in printed:
        if c == "\n":
            found.append((line, at))
            line += 1
        else:
            at += 1
    return found


def linked(address: str) -> str:
    """A source's address as its paragraph's markup has it."""
    href = escape(address, {'"': "&quot;"})
    return f'<a href="{href}" color="#1A1A1A"><u>{escape(address)}</u></a>'


def plain(address: str) -> str:
    """An address in a paragraph of one fragment (a note typed by the care team)."""
    return escape(address)


@pytest.mark.parametrize("width", [150, 200, 260, 333])
@pytest.mark.parametrize("shown", [linked, plain], ids=["link", "plain"])
def test_a_paragraph_breaks_an_address_only_where_the_rule_allows(width, shown):
    """In a paragraph of several fragments (a link: ReportLab's ``_splitFragWord``) or of
    one (``_splitWord``): every line fits, the address reads whole, each line inside it
    ends where the rule allows, and holds as much of it as fits (the next piece would
    not have)."""
    st = style()
    for address in (URL, QUERY):
        lines = lines_of(f"Steroid Emergency Card, Aug 2020. {shown(address)}", width, st)
        assert all(room >= 0 for _, room in lines), lines
        texts = [t.strip() for t, _ in lines]
        breaks = breaks_in(address, texts)
        assert len(breaks) >= 2, "the address was meant to be too long for a line"
        for line, at in breaks:
            assert chicago(address[:at], address[at:]), (texts[line], address[at:])
            rest = [p for p in (*break_points(address), len(address)) if p > at]
            more = texts[line] + address[at : rest[0]]
            assert stringWidth(more, st.fontName, st.fontSize) > width, more


def filler_for(width: float, st: ParagraphStyle) -> str:
    """As many words as fit on a line of ``width`` (less room than " https://" needs
    is left: " word" is narrower)."""
    words = ["Undated."]
    while stringWidth(" ".join([*words, "word"]), st.fontName, st.fontSize) <= width:
        words.append("word")
    return " ".join(words)


@pytest.mark.parametrize("shown", [linked, plain], ids=["link", "plain"])
def test_an_address_with_no_room_on_its_line_starts_the_next(shown):
    """Where not even "https://" fits after the words on a line, the address starts the
    next line whole: no sliver of it ("htt") is left at the end. The empty piece that ends
    the line has no link and no underline (a link box of no width)."""
    st = style()
    words = filler_for(300, st)
    lines = lines_of(f"{words} {shown(URL)}", 300, st)
    assert lines[0][0].strip() == words
    assert lines[1][0].startswith("https://www")
    if shown is linked:
        assert all(room >= 0 for _, room in lines)
        p = Paragraph(f"{words} {linked(URL)}", style("u"))
        p.wrap(300, 10_000)
        empty = [f for f in p.blPara.lines[0].words if not getattr(f, "text", "x")]
        assert any(not (getattr(f, "link", None) or getattr(f, "us_lines", None)) for f in empty)


@pytest.mark.parametrize("shown", [linked, plain], ids=["link", "plain"])
def test_after_words_an_address_that_only_its_scheme_fits_starts_the_next_line(shown):
    """A host too long to share a line with "https://" (at a narrow width): the address
    starts the next line, where "https://" may end a line (Chicago), rather than leave
    it alone after the words."""
    address = "https://arthritisfoundation.org/health-topics/lupus"
    lines = lines_of(f"Undated. {shown(address)}", 98, style())
    assert [t.strip() for t, _ in lines][:3] == ["Undated.", "https://", "arthritisfoundation"]


def test_a_run_with_no_point_wider_than_a_line_breaks_at_letters_each_line_full():
    """A run too long for any line is broken at a letter anyway: the line it starts on
    is filled with letters too (it was left near empty, its last point early on it)."""
    address = "https://example.org/" + "abcdefghij" * 8
    st = style()
    lines = lines_of(f"See {linked(address)}", 150, st)
    assert all(room >= 0 for _, room in lines), lines
    texts = [t.strip() for t, _ in lines]
    breaks = breaks_in(address, texts)
    assert len(breaks) >= 3
    for line, at in breaks:  # each line full: the next letter would not have fitted
        more = texts[line] + address[at]
        assert stringWidth(more, st.fontName, st.fontSize) > 150, more


def test_an_address_after_words_never_leaves_its_scheme_alone_on_a_line():
    """After words, a line does not end with "https://" alone: the address moves to the
    next line whole (Chicago allows the break; it reads as a stray fragment)."""
    st = style()
    for width in range(180, 420, 7):
        for shown in (linked, plain):
            lines = lines_of(f"Undated. {shown(URL)}", width, st)
            assert not any(t.strip().endswith("https://") for t, _ in lines), (width, lines)


def test_a_letter_wider_than_any_line_overflows_as_reportlab_lets_it():
    """At a width narrower than one letter, the address's last letter overflows its line,
    as with ReportLab's own splitter; nothing fails."""
    st = style("n", 24)
    for markup in (f"See {linked('https://x.org/abWW')}", "See https://x.org/abWW"):
        lines = lines_of(markup, 20, st)
        assert "".join(t.strip() for t, _ in lines).endswith("https://x.org/abWW")


@pytest.mark.parametrize("shown", [linked, plain], ids=["link", "plain"])
def test_random_addresses_print_whole_and_break_only_where_the_rule_or_a_long_run_needs(shown):
    """Random addresses (runs of letters, of punctuation, long runs with no point), in a
    paragraph of one fragment or of several, at many widths and sizes: every line fits,
    the address reads whole (no space put inside it, no letter lost or doubled), and each
    line inside it ends where the rule allows, or at a letter inside a run (between two of
    the rule's points) too long for a line."""
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    checked = 0
    for n in range(150):
        parts = ["https://", rng.choice(["www.", ""]), "site.example.org"]
        for _ in range(rng.randint(2, 8)):
            parts.append(rng.choice(["/", "-", ".", "--", "..", "?q=", "&", "_", "+", "%20"]))
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.choice([1, 3, 8, 30]))))
        address = "".join(parts) + rng.choice(["", "/", "x"])
        st = style(f"r{n}", rng.choice([10, 13, 18, 24]))
        width = rng.choice([90, 130, 200, 260, 400])
        lines = lines_of(f"Source {n}, 2020. {shown(address)}", width, st)
        assert all(room >= -stringWidth(" ", st.fontName, st.fontSize) for _, room in lines)
        texts = [t.strip() for t, _ in lines]
        rule = [i for i in range(1, len(address)) if chicago(address[:i], address[i:])]
        for line, at in breaks_in(address, texts):
            if chicago(address[:at], address[at:]):
                continue
            before = max([0, *(p for p in rule if p < at)])
            after = min([len(address), *(p for p in rule if p > at)])
            run = stringWidth(address[before:after], st.fontName, st.fontSize)
            assert run > width, (address, texts[line], address[at:])
            checked += 1
    assert checked > 10  # letter breaks were met, not only points


def test_other_long_words_break_as_reportlab_breaks_them(monkeypatch):
    """A long word that is not an address (or an address in a shaped paragraph) goes to
    ReportLab's own splitter: the same lines with it installed as without."""
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    for markup in (f"See {word} now", f"See <b>{word}</b> now"):
        ours = lines_of(markup, 120, style("a"))
        monkeypatch.setattr(rl_paragraph, "_splitFragWord", longaddresses._SPLIT_FRAG_WORD)
        monkeypatch.setattr(rl_paragraph, "_splitWord", longaddresses._SPLIT_WORD)
        theirs = lines_of(markup, 120, style("b"))
        monkeypatch.undo()
        assert ours == theirs and len(ours) > 3, markup


def test_reportlab_still_calls_the_splitters_by_these_names():
    """The hook is ReportLab's module names; a ReportLab that renames them would leave
    addresses broken at letters without this failing elsewhere first."""
    assert rl_paragraph._splitFragWord is longaddresses.split_frag_word
    assert rl_paragraph._splitWord is longaddresses.split_word
    source = Path(rl_paragraph.__file__).read_text(encoding="utf-8")
    assert "_splitFragWord(w,maxWidth-spaceWidth-currentWidth,maxWidths,lineno)" in source
    assert "_splitWord(word,currentWidth+spaceWidth,maxWidths,lineno," in source


def test_a_plain_paragraphs_pieces_never_share_a_line():
    """In a paragraph of one fragment, ReportLab puts two pieces that fit on one line
    with a space between them, which would print a space inside the address
    ("…cs. .bW…"). Each piece after the first fills its line so that the next never
    fits after it: over random addresses, widths and sizes."""
    fonts.register()
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    for _ in range(2000):
        address = "https://files.example.org/s/" + "".join(
            rng.choice([*alphabet * 4, ".", "..", "-", "/", "=", "&", "+"])
            for _ in range(rng.randint(20, 140))
        )
        size, width = rng.choice([10, 14, 18]), rng.uniform(60, 320)
        pieces = longaddresses.split_word(address, 0, [width], 0, fonts.BODY, size)
        assert "".join(pieces) == address
        space = stringWidth(" ", fonts.BODY, size)
        for a, b in itertools.pairwise(pieces[1:]):
            together = stringWidth(a, fonts.BODY, size) + space + stringWidth(b, fonts.BODY, size)
            assert together > width, (address, a, b)


@pytest.mark.parametrize("shown", [linked, plain], ids=["link", "plain"])
def test_the_rest_of_an_address_a_page_break_cut_breaks_at_the_same_points(shown):
    """A paragraph split between lines of an address: its part on the next page is broken
    into lines anew, and the rest of the address still breaks only where the rule allows
    (a link's by the whole address it holds; a plain one by its path or query, so a
    plain rest with neither, "-card-to-support…", breaks at letters, a known limit), as
    it would have unsplit: at every split height and several widths."""
    checked = 0
    for width in (160, 200, 260):
        st = style(f"s{width}", 18)
        addresses = [URL, QUERY.replace("/?term=", "/search/")]
        if shown is linked:  # a rest with no path in it: known by its link's address alone
            addresses.append("https://www.example.org/steroid" + "-card-to-support-early" * 4)
        for address in addresses:
            markup = f"Card, 2020. {shown(address)} Keep it with you."
            lines = len(lines_of(markup, width, st))
            for cut in range(1, lines - 1):
                parts = Paragraph(markup, st).split(width, st.leading * cut + 1)
                if len(parts) < 2:  # a first or last line alone is not left (orphans)
                    continue
                first, rest = parts
                assert len(first.blPara.lines) == cut
                rest.wrap(width, 10_000)
                texts = [line.strip() for line in rest._texts()[1]]
                for line, at in breaks_in_tail(address, texts):
                    assert chicago(address[:at], address[at:]), (width, cut, texts[line])
                    checked += 1
    assert checked > 40


def breaks_in_tail(address: str, lines: list[str]) -> list[tuple[int, int]]:
    """:func:`breaks_in` for lines that may start inside ``address`` (the part of a split
    paragraph on the next page): each break's line and its place in the whole address."""
    text = "\n".join(lines)
    for start in range(len(address)):
        tail = address[start:]
        m = re.match("\n?".join(map(re.escape, tail)), text)
        if m:
            return _breaks(m.group(0), 0, start)
    return []
