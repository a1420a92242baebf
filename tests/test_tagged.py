"""Tagged PDF: every handout, pack and large-print variant has a logical structure a
screen reader can follow (PDF/UA-1, as far as it can be checked here).

The PDFs are built by the command line; they are read back only with independent
libraries: qpdf (pikepdf) for the syntax, the catalog, the content streams and the
structure tree; the ``pdfua`` rule checker; pdfplumber for the text each marked-content
sequence draws; pypdf for the page text; poppler's ``pdfinfo``. Our own code is used
only to know what the PDFs must say (the assembled documents, which know nothing of PDF).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pdfplumber
import pikepdf
import pytest
import yaml
from pdfua import Validator, default_registry
from pypdf import PdfReader

from handouts.content.brand import load_brand
from handouts.content.library import load_library
from handouts.content.model import AttackPlan, PlanFields
from handouts.document.assemble import assemble
from handouts.document.document import (
    Bullets,
    Caution,
    Checklist,
    Diary,
    Document,
    Numbered,
    Para,
    Personal,
    SourceList,
    Tiers,
)
from handouts.document.request import Request
from handouts.document.visit import assemble_visit
from handouts.pdf.render import lay_out_visit
from handouts.pipeline import PRINTER

from .conftest import BRAND, CONTENT, ROOT, main

CONDITIONS = ("migraine", "lupus")
PATIENT = "Zoë O'Brien & <Co>"
NOTES = "Line one\nLine two"
PACK = "migraine-autoimmune-clinic"
DEFAULT = "migraine-and-lupus"
PERSONAL = ["build", "--conditions", *CONDITIONS, "--medicines", "sumatriptan"]
PERSONAL += ["--patient", PATIENT, "--notes", NOTES, "--diary"]
VISIT = ["build", "--visit", "--conditions", *CONDITIONS, "--medicines", "sumatriptan"]
VISIT += ["--patient", PATIENT, "--notes", NOTES, "--plan-template", "migraine-attack-triptan"]
VISIT += ["--attack-medicine", "Sumatriptan 50 mg", "--calming", "slow-breathing"]
BUILDS = {
    "handout": PERSONAL,
    "large-print-letter": [*PERSONAL, "--large-print", "--paper", "letter"],
    "large-print-a4": [*PERSONAL, "--large-print", "--paper", "a4"],
    "pack": ["pack", PACK, "--patient", PATIENT, "--notes", NOTES, "--medicines", "sumatriptan"],
    "visit": VISIT,
}
OUTPUTS = [*BUILDS, "default"]
FOOTER_WORDS = ("Page 1 of", "Content checked")
"""Footer text (an artifact): in the page text, never in the structure."""
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
ROLES = """Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private
H H1 H2 H3 H4 H5 H6 P L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note
Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form"""
STANDARD_ROLES = frozenset(ROLES.split())
"""The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4)."""


# --- what each PDF must say, from the assembled documents -------------------------------


@dataclass(frozen=True)
class Expected:
    """What one handout (or a pack's cover) must hold: its title (its one H1), its section
    headings (its H2s, in order), texts in reading order, and the notes box's lines."""

    title: str
    headings: tuple[str, ...]
    order: tuple[str, ...]
    notes: tuple[str, ...] = ()
    diary: Diary | None = None
    sentences: tuple[str, ...] = ()
    """The texts of its paragraphs, list items, steps, signs and cautions' actions, and
    its sources' web addresses."""


def sentences(doc: Document) -> tuple[str, ...]:
    """What a handout prints as running text that may take more than one line."""
    out: list[str] = []
    for block in (b for s in (*doc.front, *doc.sections) for b in s.blocks):
        if isinstance(block, Para):
            out.append(block.text)
        elif isinstance(block, Bullets | Checklist):
            out += [item.text for item in block.items]
        elif isinstance(block, Numbered):
            out += block.items
        elif isinstance(block, Tiers):
            out += [sign for tier in block.tiers for sign in tier.items]
        elif isinstance(block, Caution):
            out += [point.action for point in block.points]
        elif isinstance(block, SourceList):  # a long address is split inside a word
            out += [url for *_cited, url in block.entries if url]
    return tuple(out)


def handout(doc: Document, patient: str | None) -> Expected:
    """A handout's title, its patient's name, the notes box (its heading, then each line),
    every section heading, and the last source."""
    order = [doc.title, *([patient] if patient else [])]
    notes = note_lines(doc)
    order += [*(s.title for s in doc.front), *notes]
    order += [s.title for s in doc.sections]
    sources = [b for s in doc.sections for b in s.blocks if isinstance(b, SourceList)]
    if sources:  # a visit handout short of room leaves its key sources out
        order.append(sources[-1].entries[-1][0])
    diaries = [b for s in doc.sections for b in s.blocks if isinstance(b, Diary)]
    return Expected(
        doc.title,
        tuple(s.title for s in (*doc.front, *doc.sections)),
        tuple(order),
        notes,
        diaries[0] if diaries else None,
        sentences(doc),
    )


def _visit(lib, brand) -> Document:
    """The visit handout as printed: with the fewest cuts that fit two pages."""
    plan = PlanFields(attack=AttackPlan(medicine="Sumatriptan 50 mg"), calming="slow-breathing")
    req = Request(CONDITIONS, medicines=("triptans",), notes=NOTES, personal=Personal(PATIENT),
                  format="visit", plan=plan, plan_template="migraine-attack-triptan")  # fmt: skip
    for cuts in range(len(assemble_visit(lib, req, brand).visit_order) + 1):
        doc = assemble_visit(lib, req, brand, cuts)
        if lay_out_visit(doc, brand) is not None:
            return doc
    raise AssertionError("the visit handout does not fit")


def note_lines(doc: Document) -> tuple[str, ...]:
    """The lines of the care team's notes box (the sections printed before the content)."""
    return tuple(b.text for s in doc.front for b in s.blocks if isinstance(b, Para))


@pytest.fixture(scope="module")
def expected() -> dict[str, tuple[Expected, ...]]:
    """For each output, what each of its parts must say (a pack: the cover, then each
    handout; otherwise the one handout)."""
    lib, brand = load_library(CONTENT, PRINTER), load_brand(None, PRINTER)
    mine = assemble(
        lib, Request(CONDITIONS, None, ("triptans",), NOTES, Personal(PATIENT), True), brand
    )
    assert note_lines(mine) == tuple(NOTES.splitlines())
    pack = lib.packs[PACK]
    docs = [
        assemble(lib, Request(h.conditions, h.title, ("triptans",), diary=h.diary), brand)
        for h in pack.handouts
    ]
    first = pack.handouts[0]
    cover_doc = assemble(lib, Request(first.conditions, first.title, (), NOTES), brand)
    cover_notes = note_lines(cover_doc)
    fronts = tuple(s.title for s in cover_doc.front)
    cover = Expected(
        pack.title,
        (*fronts, "In this pack"),
        (pack.title, PATIENT, *fronts, *cover_notes, "In this pack", *(d.title for d in docs)),
        cover_notes,
        sentences=cover_notes,
    )
    patient = yaml.safe_load((ROOT / "examples" / "patient.yaml").read_text(encoding="utf-8"))
    (spec,) = [h for h in lib.handouts if h.id == DEFAULT]
    who = Personal(patient["name"])
    default = assemble(
        lib, Request(spec.conditions, spec.title, (), patient["notes"], who, spec.diary), brand
    )
    assert note_lines(default) == tuple(patient["notes"].strip().splitlines())
    return {
        "visit": (handout(_visit(lib, brand), PATIENT),),
        "handout": (handout(mine, PATIENT),),
        "large-print-letter": (handout(mine, PATIENT),),
        "large-print-a4": (handout(mine, PATIENT),),
        "pack": (cover, *(handout(d, None) for d in docs)),
        "default": (handout(default, patient["name"]),),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory, default_out: Path) -> dict[str, Path]:
    """Every output, built once by the command line (the default run: one of its files)."""
    out = tmp_path_factory.mktemp("tagged")
    paths = {}
    for name, args in BUILDS.items():
        paths[name] = out / f"{name}.pdf"
        assert main([*args, "--out", str(paths[name])]) == 0, name
    paths["default"] = default_out / f"{DEFAULT}.pdf"
    return paths


# --- reading the PDF: the structure tree, the content streams, the text -----------------

MC = tuple[int, int]
"""A marked-content sequence: (page index, MCID)."""


@dataclass(eq=False)
class Elem:
    """A structure element as read from the file, with its kids in order: elements,
    marked content (page, MCID) and object references (OBJR dictionaries)."""

    obj: pikepdf.Dictionary
    role: str
    parent: Elem | None
    items: list[Elem | MC | pikepdf.Dictionary] = field(default_factory=list)

    @property
    def kids(self) -> list[Elem]:
        return [i for i in self.items if isinstance(i, Elem)]

    @property
    def objrs(self) -> list[pikepdf.Dictionary]:
        return [i for i in self.items if isinstance(i, pikepdf.Dictionary)]

    def walk(self) -> Iterator[Elem]:
        """This element and every element under it, depth first (reading order)."""
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def content(self) -> Iterator[MC]:
        """Every marked-content sequence under this element, in reading order."""
        for item in self.items:
            if isinstance(item, Elem):
                yield from item.content()
            elif isinstance(item, tuple):
                yield item

    def own(self) -> list[MC]:
        return [i for i in self.items if isinstance(i, tuple)]


@dataclass
class Read:
    """One PDF, read back."""

    pdf: pikepdf.Pdf
    root: Elem
    """The StructTreeRoot, as an element whose kids are the top-level elements."""
    texts: dict[MC, str]
    """What each marked-content sequence draws, by pdfplumber."""
    artifact_chars: set[str]
    """pdfplumber's tag of every character drawn outside marked content with an MCID."""

    def text(self, elem: Elem) -> str:
        return "".join(self.texts.get(mc, "") for mc in elem.content())

    def all(self, role: str, under: Elem | None = None) -> list[Elem]:
        return [e for e in (under or self.root).walk() if e.role == role]


def read_tree(pdf: pikepdf.Pdf) -> Elem:
    """The structure tree, walked from the root over /K: elements, integer MCIDs (on the
    element's /Pg), marked-content references and object references."""
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    tree = pdf.Root.StructTreeRoot
    root = Elem(tree, "StructTreeRoot", None)

    def visit(kid: object, parent: Elem, page: int | None) -> None:
        if kid is None:
            return
        if isinstance(kid, int):
            assert page is not None, f"MCID {kid} of /{parent.role} whose element has no /Pg"
            parent.items.append((page, kid))
        elif isinstance(kid, pikepdf.Array):
            for k in kid:
                visit(k, parent, page)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            pg = kid.get("/Pg")
            parent.items.append((pages[pg.objgen] if pg is not None else page, int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            parent.items.append(kid)
        else:
            assert isinstance(kid, pikepdf.Dictionary) and "/S" in kid, f"bad kid {kid!r}"
            elem = Elem(kid, str(kid.S).lstrip("/"), parent)
            parent.items.append(elem)
            pg = kid.get("/Pg")
            visit(kid.get("/K"), elem, pages[pg.objgen] if pg is not None else None)

    visit(tree.get("/K"), root, None)
    return root


def marked_texts(path: Path) -> tuple[dict[MC, str], set[str]]:
    """The text drawn in each (page, MCID), in drawing order, by pdfplumber; and the tags
    pdfplumber gives characters drawn outside any MCID sequence."""
    texts: dict[MC, str] = defaultdict(str)
    outside: set[str] = set()
    for n, ch in _chars(path):
        if ch["mcid"] is None:
            outside.add(str(ch["tag"]))
        else:
            texts[(n, ch["mcid"])] += ch["text"]
    return dict(texts), outside


def spoken_in(path: Path) -> dict[MC, list[tuple[str | None, str]]]:
    """Each (page, MCID)'s text as runs in the language a marked-content sequence inside
    it gives (/Lang), or None where none does (its element's, or the document's)."""
    runs: dict[MC, list[tuple[str | None, str]]] = defaultdict(list)
    for n, ch in _chars(path):
        if ch["mcid"] is not None:
            said = runs[(n, ch["mcid"])]
            if said and said[-1][0] == ch["lang"]:
                said[-1] = (ch["lang"], said[-1][1] + ch["text"])
            else:
                said.append((ch["lang"], ch["text"]))
    return dict(runs)


def read_aloud(path: Path) -> dict[MC, str]:
    """The text of each (page, MCID) as a screen reader gets it: where a sequence inside it
    has an /ActualText, that text once in place of what the sequence draws."""
    texts: dict[MC, str] = defaultdict(str)
    said: set[int] = set()
    for n, ch in _chars(path):
        if ch["mcid"] is None:
            continue
        if ch["actual"] is None:
            texts[(n, ch["mcid"])] += ch["text"]
        elif ch["actual"][0] not in said:
            said.add(ch["actual"][0])
            texts[(n, ch["mcid"])] += ch["actual"][1]
    return dict(texts)


def _chars(path: Path) -> Iterator[tuple[int, dict]]:
    """Each character pdfplumber reads, with its page number; its ``mcid`` is that of the
    innermost sequence with one around it, its ``lang`` the innermost /Lang of a sequence
    inside that, and its ``actual`` the outermost /ActualText of one (a number for the
    sequence, and its text), or None. (pdfplumber alone keeps one sequence, the last
    begun: a character after a sequence nested inside a paragraph's would have no MCID.)"""
    aggregator = pdfplumber.page.PDFPageAggregatorWithMarkedContent
    stacks: dict[int, list[tuple[str, int | None, str | None, Any]]] = {}
    count = itertools.count()

    def begin_tag(self: Any, tag: Any, props: Any = None) -> None:
        stack = stacks.setdefault(id(self), [])
        props = props if isinstance(props, dict) else {}
        name = pdfplumber.utils.decode_text(tag.name)
        if "MCID" in props or name == "Artifact":  # an artifact is no element's
            mcid, lang, actual = props.get("MCID"), None, None
        else:
            mcid, lang, actual = stack[-1][1:] if stack else (None, None, None)
        if "Lang" in props:
            lang = pdfplumber.utils.decode_text(props["Lang"])
        if "ActualText" in props and actual is None:
            actual = (next(count), pdfplumber.utils.decode_text(props["ActualText"]))
        stack.append((name, mcid, lang, actual))
        self.cur_tag, self.cur_mcid, self.cur_lang, self.cur_actual = stack[-1]

    def end_tag(self: Any) -> None:
        stack = stacks.setdefault(id(self), [])
        if stack:
            stack.pop()
        top = stack[-1] if stack else (None, None, None, None)
        self.cur_tag, self.cur_mcid, self.cur_lang, self.cur_actual = top

    def tag_cur_item(self: Any) -> None:
        if self.cur_item._objs:
            obj = self.cur_item._objs[-1]
            obj.mcid, obj.tag = self.cur_mcid, self.cur_tag
            obj.lang = getattr(self, "cur_lang", None)
            obj.actual = getattr(self, "cur_actual", None)

    attrs = pdfplumber.page.ALL_ATTRS | {"lang", "actual"}
    with (
        mock.patch.object(aggregator, "begin_tag", begin_tag),
        mock.patch.object(aggregator, "end_tag", end_tag),
        mock.patch.object(aggregator, "tag_cur_item", tag_cur_item),
        mock.patch.object(pdfplumber.page, "ALL_ATTRS", attrs),
        pdfplumber.open(path) as pdf,
    ):
        for n, page in enumerate(pdf.pages):
            for ch in page.chars:
                yield n, ch


@dataclass(frozen=True)
class Open:
    tag: str
    mcid: int | None


@dataclass
class Scan:
    """A page's content streams (and its forms'), scanned for marked content."""

    mcids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    texts: list[int] = field(default_factory=list)
    """How many sequences were open at each text object's start (BT) not yet ended."""


def scan_content(
    instructions: list[pikepdf.ContentStreamInstruction],
    resources: pikepdf.Dictionary,
    where: str,
    stack: list[Open],
    scan: Scan,
) -> None:
    """Check every text-showing operator is inside an artifact or an MCID sequence (the
    innermost one of those open: a sequence with no MCID inside, such as words in another
    language, belongs to it), that MCID sequences never nest (nor sit in an artifact),
    that no sequence crosses a text object's start or end (ISO 32000-1, 14.6), and that
    every form's marked content is balanced; collect the MCIDs."""
    for n, (operands, operator) in enumerate(instructions):
        op = str(operator)
        at = f"{where} op {n}"
        if op == "BMC":
            stack.append(Open(str(operands[0]), None))
        elif op == "BDC":
            props = operands[1]
            if isinstance(props, pikepdf.Name):
                props = resources.Properties[props]
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            if mcid is not None:
                outer = [o.tag for o in stack if o.mcid is not None or o.tag == "/Artifact"]
                if outer:
                    scan.problems.append(f"{at}: MCID {mcid} inside {outer}")
                scan.mcids.append(int(mcid))
            stack.append(Open(str(operands[0]), None if mcid is None else int(mcid)))
        elif op == "EMC":
            if not stack:
                scan.problems.append(f"{at}: EMC with nothing open")
            else:
                stack.pop()
        elif op == "BT":
            scan.texts.append(len(stack))
        elif op == "ET":
            depth = scan.texts.pop() if scan.texts else None
            if depth != len(stack):
                scan.problems.append(f"{at}: ET with {len(stack)} sequence(s) open, {depth} at BT")
        elif op in TEXT_SHOWING:
            if not any(o.mcid is not None or o.tag == "/Artifact" for o in stack):
                top = stack[-1] if stack else None
                scan.problems.append(f"{at}: {op} {operands!r} inside {top}")
        elif op == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.get("/Subtype") == "/Form":
                depth = len(stack)
                inner = xobject.get("/Resources", resources)
                scan_content(
                    pikepdf.parse_content_stream(xobject), inner, f"{at} form", stack, scan
                )
                if len(stack) != depth:
                    scan.problems.append(f"{at}: form's marked content is not balanced")
                    del stack[depth:]


def page_scans(pdf: pikepdf.Pdf) -> list[Scan]:
    scans = []
    for n, page in enumerate(pdf.pages):
        scan, stack = Scan(), []
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        scan_content(pikepdf.parse_content_stream(page), resources, f"page {n + 1}", stack, scan)
        if stack:
            scan.problems.append(f"page {n + 1}: {len(stack)} sequence(s) left open: {stack}")
        scans.append(scan)
    return scans


def number_tree(node: pikepdf.Dictionary) -> dict[int, pikepdf.Object]:
    """A number tree's entries (its /Nums, and its kids')."""
    out: dict[int, pikepdf.Object] = {}
    nums = node.get("/Nums", pikepdf.Array())
    for i in range(0, len(nums), 2):
        out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", pikepdf.Array()):
        out.update(number_tree(kid))
    return out


def squash(text: str) -> str:
    """Text without whitespace (line breaks are not characters in a PDF)."""
    return "".join(text.split())


def in_order(text: str, wanted: tuple[str, ...]) -> list[str]:
    """The texts of ``wanted`` not found in ``text`` one after the other (whitespace
    ignored): each is looked for after the end of the one before."""
    missing, at = [], 0
    hay = squash(text)
    for want in wanted:
        found = hay.find(squash(want), at)
        if found < 0:
            missing.append(want)
        else:
            at = found + len(squash(want))
    return missing


def parts(read: Read, expect: tuple[Expected, ...]) -> list[tuple[Elem, Expected]]:
    """Each part of the structure with what it must hold: a pack's Parts (the cover, then
    each handout), or the document as a whole."""
    (document,) = read.root.kids
    if len(expect) == 1:
        return [(document, expect[0])]
    found = [e for e in document.kids if e.role == "Part"]
    assert len(found) == len(expect), [e.role for e in document.kids]
    return list(zip(found, expect, strict=True))


def level(elem: Elem) -> int | None:
    role = elem.role
    return int(role[1:]) if len(role) == 2 and role[0] == "H" and role[1].isdigit() else None


@pytest.fixture(scope="module", params=OUTPUTS)
def name(request) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def read(name: str, built: dict[str, Path]) -> Iterator[Read]:
    with pikepdf.open(built[name]) as pdf:
        texts, outside = marked_texts(built[name])
        yield Read(pdf, read_tree(pdf), texts, outside)


# --- the checks ---------------------------------------------------------------------------


def test_helpers_see_what_they_look_for():
    """The order check fails on a swap; the content scan fails on untagged text (in a
    sequence with no MCID too), nested MCIDs and an unclosed sequence, and takes text in a
    sequence inside an MCID's as that MCID's; the tree walk follows MCRs and OBJRs."""
    assert in_order("Title  For: Zoë  About", ("Title", "Zoë", "About")) == []
    assert in_order("Title About Zoë", ("Title", "Zoë", "About")) == ["About"]
    pdf = pikepdf.new()
    pdf.add_blank_page()
    props = pikepdf.Dictionary(MCID=0)
    code = [
        ([], pikepdf.Operator("BT")),
        ([pikepdf.String("loose")], pikepdf.Operator("Tj")),
        (
            [pikepdf.Name.Span, pikepdf.Dictionary(Lang=pikepdf.String("en"))],
            pikepdf.Operator("BDC"),
        ),
        ([pikepdf.String("in a sequence with no MCID")], pikepdf.Operator("Tj")),
        ([], pikepdf.Operator("EMC")),
        ([pikepdf.Name.P, props], pikepdf.Operator("BDC")),
        ([pikepdf.Name.Span, props], pikepdf.Operator("BDC")),
        ([pikepdf.Name.Span], pikepdf.Operator("BMC")),
        ([pikepdf.String("inner")], pikepdf.Operator("Tj")),
        ([], pikepdf.Operator("EMC")),
        ([], pikepdf.Operator("ET")),
    ]
    pdf.pages[0].obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(code))
    (scan,) = page_scans(pdf)
    assert scan.mcids == [0, 0]
    assert [p.split(": ")[1].split(" ")[0] for p in scan.problems] == [
        "Tj",
        "Tj",
        "MCID",
        "ET",
        "2",
    ]
    # words in another language inside a paragraph's sequence are the paragraph's; a
    # sequence that crosses its text object's end (or start) is not
    lang = pikepdf.Dictionary(Lang=pikepdf.String("en"))
    bt, et, emc = (
        ([], pikepdf.Operator("BT")),
        ([], pikepdf.Operator("ET")),
        ([], pikepdf.Operator("EMC")),
    )
    good = [([pikepdf.Name.P, props], pikepdf.Operator("BDC")), bt,
            ([pikepdf.Name.Span, lang], pikepdf.Operator("BDC")),
            ([pikepdf.String("English")], pikepdf.Operator("Tj")), emc,
            ([pikepdf.String(" Sin fecha.")], pikepdf.Operator("Tj")), et, emc]  # fmt: skip
    span = ([pikepdf.Name.Span, lang], pikepdf.Operator("BDC"))
    # ended after its text object's end; begun before a text object, ended inside it
    across = [*good[:4], et, emc, emc, span, bt, emc, et]
    for code, problems in ((good, []), (across, ["ET", "ET"])):
        pdf.pages[0].obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(code))
        (scan,) = page_scans(pdf)
        assert [p.split(": ")[1].split(" ")[0] for p in scan.problems] == problems, scan.problems
    page = pdf.pages[0].obj
    annot = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot))
    elem = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P))
    elem.Pg = page
    mcr = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=3)
    elem.K = pikepdf.Array([1, mcr, pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot)])
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(K=elem))
    (p,) = read_tree(pdf).kids
    assert (p.role, p.own(), len(p.objrs)) == ("P", [(0, 1), (0, 3)], 1)


def test_syntax_is_clean(read: Read):
    """qpdf finds no syntax problem in the file."""
    assert read.pdf.check_pdf_syntax() == []


def test_catalog_language_title_and_pdfua_claim(read: Read, name: str, built, expected):
    """Marked, with a structure tree, the brand's language, the title displayed (the same
    in the Info dictionary and the XMP), the PDF/UA-1 claim; pdfinfo says tagged."""
    language = yaml.safe_load(BRAND.read_text(encoding="utf-8"))["language"]
    root, none = read.pdf.Root, pikepdf.Dictionary()
    assert root.get("/MarkInfo", none).get("/Marked") is True
    assert root.get("/MarkInfo", none).get("/Suspects", False) is False
    assert root.get("/StructTreeRoot", none).get("/Type") == "/StructTreeRoot"
    assert str(root.get("/Lang", "")) == language == "en-US"
    assert root.get("/ViewerPreferences", none).get("/DisplayDocTitle") is True
    title = str(read.pdf.docinfo.get("/Title", ""))
    assert title.startswith(expected[name][0].title)
    meta = read.pdf.open_metadata()
    assert meta.get("dc:title") == title
    assert meta.get("{http://www.aiim.org/pdfua/ns/id/}part") == "1"
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", "-enc", "UTF-8", str(built[name])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        fields = {
            k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in info.splitlines())
        }
        assert (fields["Tagged"], fields["Suspects"], fields["Title"]) == ("yes", "no", title)


def test_pdfua_rules_all_run_and_find_nothing(built, name: str):
    """The pdfua checker evaluates every one of its rules (none skipped) and reports no
    finding at all (its notes include pages it could not analyse)."""
    report = Validator().validate(str(built[name]))
    assert [o.rule_id for o in report.outcomes] == list(default_registry().ids())
    assert [(o.rule_id, o.skipped_reason) for o in report.skipped] == []
    found = [
        f"{f.rule_id} {f.severity.name} {f.location.describe()}: {f.message}"
        for f in report.findings
    ]
    assert found == []


BLANK = "This page is blank so that the next handout starts on a new sheet."


def test_all_text_is_tagged_or_an_artifact(read: Read, name: str, built):
    """Every text-showing operator on every page (and in any form) is inside an artifact
    or an MCID sequence; MCID sequences never nest; each page's marked content is
    balanced and its MCIDs unique; only a pack's blank pages have no tagged content.
    pdfplumber agrees: text outside MCID sequences is in artifacts."""
    scans = page_scans(read.pdf)
    assert [p for s in scans for p in s.problems] == []
    pages = PdfReader(built[name]).pages
    for n, scan in enumerate(scans, 1):
        assert len(scan.mcids) == len(set(scan.mcids)), f"page {n}: an MCID used twice"
        blank = squash(BLANK) in squash(pages[n - 1].extract_text() or "")
        assert bool(scan.mcids) != blank, f"page {n}: tagged content {scan.mcids}, blank {blank}"
    assert read.artifact_chars == {"Artifact"}


def test_structure_reads_the_handout_in_order(read: Read, name: str, built, expected):
    """Walked in reading order, the structure's text holds the title, the patient, the
    notes, every section heading and the last source, in that order; footers are not in
    it (they are artifacts) but are in the page text."""
    for part, expect in parts(read, expected[name]):
        assert in_order(read.text(part), expect.order) == [], expect.title
    structure = squash(read.text(read.root))
    page_text = squash(" ".join(p.extract_text() or "" for p in PdfReader(built[name]).pages))
    for words in FOOTER_WORDS:
        assert squash(words) in page_text
        assert squash(words) not in structure
    assert squash(expected[name][0].title) in structure


def test_words_stay_apart_where_lines_break(read: Read, name: str, expected):
    """The structure's text has a space wherever a line broke between two words (ISO
    32000-1, 14.8.2.5: a tagged PDF holds the spaces a plain text would), so a screen
    reader that goes by it does not read "one" at a line's end and "that" at the next's
    as "onethat"; and none inside a web address split to fit (large print splits some)."""
    for part, expect in parts(read, expected[name]):
        assert "  " not in read.text(part), expect.title  # one space, not two
        said = " ".join(read.text(part).split())
        assert expect.sentences, expect.title
        missing = [t for t in expect.sentences if " ".join(t.split()) not in said]
        assert missing == [], expect.title


LONG_NOTE = " ".join(
    ["Принимайте таблетку во время еды каждое утро перед прогулкой, и отдыхайте час."] * 14
    + [
        "Подробнее: https://example.org/"
        + "очень-длинный-адрес-" * 6
        + " и спросите нас о голов\u00adной боли."
    ]
    + ["Take it with food each morning before your walk, then rest for an hour."] * 10
)
"""A care team's note in Russian (its letters in the fallback face: lines of several
fragments), with a web address too long for a line and a soft hyphen, long enough to be
split between pages in large print."""


def test_a_long_note_split_between_pages_keeps_its_spaces(tmp_path):
    """A note that runs over a page break is read whole from the structure: a space
    wherever a line broke between words, on both pages and at the break, one space and
    no more, and none inside the web address split to fit."""
    out = tmp_path / "note.pdf"
    args = ["build", "--conditions", "migraine", "--large-print", "--notes", LONG_NOTE]
    assert main([*args, "--out", str(out)]) == 0
    with pikepdf.open(out) as pdf:
        texts, outside = marked_texts(out)
        read = Read(pdf, read_tree(pdf), texts, outside)
        (note,) = [e for e in read.root.walk() if e.own() and "Принимайте" in read.text(e)]
        pages = {page for page, _ in note.content()}
        said = read.text(note)
    assert len(pages) > 1, "the note was meant to run over a page break"
    assert said == LONG_NOTE.replace("\u00ad", "")


def test_a_spanish_handouts_english_source_titles_are_read_in_english(tmp_path):
    """Sources are cited as published, in English: in a Spanish handout, a source's list
    item that is all English says so on its body (/Lang; its number is read in Spanish),
    for a screen reader's voice; one with the handout's own words after its title ("Sin
    fecha.") stays in the handout's language but for its title, a sequence in English
    inside the body's. The full version and the visit handout's key sources, in es and
    es-MX. An English handout marks no element's language (the document's is its
    catalogue's), nor any words'."""
    from handouts.pipeline import assembled, load_inputs

    from .conftest import ALLOW_TODAY

    def sources(args: list[str], language: str | None) -> tuple[list, list[str]]:
        """Each source item's body's text, its /Lang and its runs of text with the
        language marked inside it; and the roles that have a /Lang."""
        out = tmp_path / f"{language}-{len(args)}.pdf"
        told = ["--language", language] if language else []
        assert main(["build", *args, "--brand", BRAND, *told, "--out", out]) == 0
        runs = spoken_in(out)
        with pikepdf.open(out) as pdf:
            read = Read(pdf, read_tree(pdf), *marked_texts(out))
            bodies = [li.kids[1] for li in read.all("LI") if len(li.kids) == 2]
            said = [(squash(read.text(b)), b.obj.get("/Lang"),
                     [(lang, squash(text)) for mc in b.content() for lang, text in runs[mc]])
                    for b in bodies]  # fmt: skip
            marked = [e.role for e in read.root.walk() if "/Lang" in e.obj]
        assert list(Validator().validate(str(out)).findings) == []
        return [entry for entry in said if "http" in entry[0]], marked

    def title_in_english(title: str, runs: list[tuple[str | None, str]]) -> bool:
        """The body's runs are its title in English, then the rest in the handout's."""
        return [lang for lang, _ in runs] == ["en", None] and runs[0][1] == squash(title)

    lib, brand = load_inputs(CONTENT, BRAND)
    full = ["--conditions", "migraine", "lupus", "--full"]
    for language in ("es", "es-MX", None):
        req = Request(("migraine", "lupus"), language=language, allow=ALLOW_TODAY)
        doc, _ = assembled(lib, brand, req)
        (listed,) = [b for s in doc.sections for b in s.blocks if isinstance(b, SourceList)]
        said, marked = sources(full, language)
        if language is None:
            assert marked == [] and listed.titles_in is None and len(said) > 10
            assert {lang for *_, runs in said for lang, _ in runs} == {None}
            continue
        by_text = {text: (lang, runs) for text, lang, runs in said}
        found = [(entry, *by_text[squash(" ".join(filter(None, entry)))])
                 for entry in listed.entries]  # fmt: skip
        dated = [(lang, runs) for (_, after, _), lang, runs in found if not after]
        undated = [(title, lang, runs) for (title, after, _), lang, runs in found if after]
        assert len(dated) > 10 and {lang for lang, _ in dated} == {"en"}
        assert {lang for _, runs in dated for lang, _ in runs} == {None}  # the element's
        assert len(undated) > 1 and {lang for _, lang, _ in undated} == {None}
        assert all(title_in_english(title, runs) for title, _, runs in undated), undated
        assert marked == ["LBody"] * len(dated)
    # the visit handout's key sources (fibromyalgia alone leaves room for them)
    said, marked = sources(["--conditions", "fibromyalgia"], "es")
    assert sorted(("Sinfecha" in text, lang) for text, lang, _ in said) == [
        (False, "en"),
        (False, "en"),
        (True, None),
        (True, None),
    ]
    assert [runs[0][0] for text, _, runs in said if "Sinfecha" in text] == ["en", "en"]
    assert marked == ["LBody", "LBody"]


def test_every_mcid_is_in_the_tree_once_and_in_the_parent_tree(read: Read):
    """Each MCID drawn on a page is referenced exactly once from the structure tree (and
    the tree references nothing that is not drawn); the page's /StructParents entry of the
    ParentTree maps each MCID to the element holding it; each element's /P is its parent."""
    drawn = {(n, m) for n, scan in enumerate(page_scans(read.pdf)) for m in scan.mcids}
    referenced = Counter(read.root.content())
    assert [mc for mc, k in referenced.items() if k > 1] == []
    assert set(referenced) - drawn == set()
    assert drawn - set(referenced) == set()
    parent_tree = number_tree(read.pdf.Root.StructTreeRoot.ParentTree)
    wrong = []
    for elem in read.root.walk():
        if elem.parent is not None:
            assert elem.obj.P.objgen == elem.parent.obj.objgen, elem.role
        for page, mcid in elem.own():
            key = read.pdf.pages[page].obj.StructParents
            owners = parent_tree[int(key)]
            if mcid >= len(owners) or owners[mcid].objgen != elem.obj.objgen:
                wrong.append((page + 1, mcid, elem.role))
    assert wrong == []


def test_headings(read: Read, name: str, expected):
    """Standard roles only, under one Document. In each part (a pack's cover and each of
    its handouts): the first heading is its one H1, its title; an H2 for each section
    heading, as printed, in order; no heading level skipped going down."""
    roles = {e.role for e in read.root.walk()} - {"StructTreeRoot"}
    assert roles - STANDARD_ROLES == set()
    assert [e.role for e in read.root.kids] == ["Document"]
    for part, expect in parts(read, expected[name]):
        heads = [(level(e), squash(read.text(e))) for e in part.walk() if level(e) is not None]
        assert heads[0] == (1, squash(expect.title))
        assert [t for n, t in heads if n == 1] == [squash(expect.title)]
        assert [t for n, t in heads if n == 2] == [squash(h) for h in expect.headings]
        skips = [(a, b, t) for (a, _), (b, t) in itertools.pairwise(heads) if b > a + 1]
        assert skips == []


def test_each_part_is_its_masthead_then_sections(read: Read, name: str, expected):
    """Under the document (or each Part of a pack): the masthead (logo and QR code as
    figures, the clinic, the title, the subtitle, the online link, the patient's line),
    then sections only: nothing a section holds (a repeated table header, say) comes
    loose at the top."""
    for part, _ in parts(read, expected[name]):
        roles = [k.role for k in part.kids]
        first = roles.index("Sect")
        assert set(roles[:first]) <= {"Figure", "P", "H1"}, roles[:first]
        assert set(roles[first:]) <= {"Sect", "TOC", "H2"}, roles[first:]
        assert roles.count("H1") == 1


def test_lists_notes_box_and_diary_table(read: Read, name: str, expected):
    """Every list holds only items, each a label then a body; the notes box is a section
    of its heading and a paragraph per line; the diary is a table of rows (one per day
    after the header row) whose first row is header cells with a column scope, naming
    every column, and whose other rows are data cells."""
    for lst in read.all("L"):
        assert lst.kids and {k.role for k in lst.kids} == {"LI"}
        for item in lst.kids:
            assert [k.role for k in item.kids] == ["Lbl", "LBody"], read.text(item)
    assert {e.parent.role for e in read.all("LI") if e.parent} == {"L"}
    assert len(read.all("LI")) > 20
    for part, expect in parts(read, expected[name]):
        if expect.notes:
            title = squash(expect.headings[0])
            (box,) = [s for s in read.all("Sect", part) if squash(read.text(s.kids[0])) == title]
            assert [(k.role, squash(read.text(k))) for k in box.kids] == [
                ("H2", title),
                *(("P", squash(line)) for line in expect.notes),
            ]
        tables = read.all("Table", part)
        if expect.diary is None:
            assert tables == []
            continue
        assert tables, "no diary table"
        columns: set[str] = set()
        for table in tables:
            rows = table.kids
            assert [r.role for r in rows] == ["TR"] * (expect.diary.days + 1)
            width = len(rows[0].kids)  # every day row has a cell under every column
            assert [[k.role for k in r.kids] for r in rows[1:]] == [["TD"] * width] * (
                len(rows) - 1
            )
            for th in rows[0].kids:
                assert th.role == "TH"
                assert th.obj.get("/A", {}).get("/Scope") == "/Column"
                columns.add(squash(read.text(th)))
        assert columns == {squash(c) for c in expect.diary.columns}
    assert read.all("Table") == [
        t for p, _ in parts(read, expected[name]) for t in read.all("Table", p)
    ]


def test_figures_have_alternative_text(read: Read, name: str):
    """Every figure (the logo, a QR code, a visit handout's tier signs) has alternative
    text and draws something; the logo's is the brand's."""
    logo = yaml.safe_load(BRAND.read_text(encoding="utf-8"))["logo_text"]
    figures = read.all("Figure")
    assert [f for f in figures if not str(f.obj.get("/Alt", "")).strip()] == []
    assert [f for f in figures if not list(f.content())] == []
    assert logo in [str(f.obj.Alt) for f in figures]
    if name == "visit":  # each tier's drawn sign, in words
        signs = {"A warning triangle.", "A telephone.", "A note and a pencil."}
        assert signs <= {str(f.obj.Alt) for f in figures}


def test_links(read: Read):
    """Every link is a Link element with an object reference to its /Link annotation,
    which has a description and a /StructParent that the ParentTree maps back to the Link;
    every link annotation is in the tree once; pages with annotations have /Tabs /S."""
    parent_tree = number_tree(read.pdf.Root.StructTreeRoot.ParentTree)
    links = read.all("Link")
    assert links, "no link elements"
    annotated = Counter()
    for link in links:
        assert link.objrs, "a Link without its annotation"
        for objr in link.objrs:
            annot = objr.Obj
            assert annot.get("/Subtype") == "/Link"
            assert str(annot.get("/Contents", "")).strip()
            assert parent_tree[int(annot.StructParent)].objgen == link.obj.objgen
            page = objr.get("/Pg", link.obj.get("/Pg"))
            assert annot.objgen in {a.objgen for a in page.get("/Annots", [])}
            annotated[annot.objgen] += 1
    on_pages = Counter()
    for page in read.pdf.pages:
        annots = page.obj.get("/Annots", [])
        for annot in annots:
            if annot.get("/Subtype") == "/Link":
                on_pages[annot.objgen] += 1
        if annots:
            assert page.obj.get("/Tabs") == "/S"
            assert page.obj.get("/StructParents") is not None
    assert annotated == on_pages


def test_page_text_reads_title_patient_then_first_section(built, name: str, expected):
    """pypdf reads page 1 in visual order: the title, then the patient, then the first
    section's heading."""
    text = squash(PdfReader(built[name]).pages[0].extract_text() or "")
    expect = expected[name][0]
    title, patient, heading = expect.order[0], expect.order[1], expect.headings[0]
    at = [text.find(squash(t)) for t in (title, patient, heading)]
    assert -1 not in at and at == sorted(at), at


def test_pack_is_a_part_per_handout_with_contents(read: Read, name: str, expected):
    """The pack: the document is a Part for the cover then one per handout, in order (each
    starting with its title), nothing between them (a blank page's note is an artifact); the cover's
    contents are a TOC of TOCI entries naming each handout in order. A single handout has
    no Part."""
    (document,) = read.root.kids
    found = [e for e in document.kids if e.role == "Part"]
    if name != "pack":
        assert found == [] and read.all("TOC") == []
        return
    want = expected[name]
    assert len(found) == len(want)
    for part, expect in zip(found, want, strict=True):
        first = next(e for e in part.walk() if level(e) is not None)
        assert (first.role, squash(read.text(first))) == ("H1", squash(expect.title))
    assert [e.role for e in document.kids] == ["Part"] * len(found)  # blank notes: artifacts
    (toc,) = read.all("TOC")
    assert toc in found[0].walk()
    assert toc.kids and {k.role for k in toc.kids} == {"TOCI"}
    entries = squash(" ".join(read.text(k) for k in toc.kids))
    assert in_order(entries, tuple(e.title for e in want[1:])) == []


def test_split_code_tags_pieces_and_refuses_untagged_text():
    """A recorded page's drawing: what is drawn between a tag's start and end is that
    element's piece (a list item's label and body apart), what is drawn outside any tag
    an artifact (nothing drawn: none); text outside a tag, or a tag not ended on its page,
    is refused with our own message."""
    from handouts.errors import RenderError
    from handouts.pdf.tagging import ARTIFACT, CLOSE, LABEL_END, Marked, Node, Open, split_code

    para, label, body = Node("P"), Node("Lbl"), Node("LBody")
    out = split_code(["q", "0 g", "Q", Open(para), "BT", "(Hi) Tj", "ET", CLOSE, " ",
                      Open(label, body), "(1.) Tj", LABEL_END, "(Step) Tj", CLOSE])  # fmt: skip
    assert out[0] == f"{ARTIFACT}\nq\n0 g\nQ\nEMC" and len(out) == 3
    assert isinstance(out[1], Marked) and out[1].pairs == ((para, "BT\n(Hi) Tj\nET"),)
    assert isinstance(out[2], Marked) and out[2].pairs == ((label, "(1.) Tj"), (body, "(Step) Tj"))
    for code, said in (
        (["BT", "(Hi) Tj", "ET"], "internal: text was drawn outside a tagged flowable "),
        (["[(A) 50 (B)] TJ"], "internal: text was drawn outside a tagged flowable "),
        ([Open(para), "(Hi) Tj"], "internal: a tagged flowable's drawing did not end on its page"),
    ):
        with pytest.raises(RenderError) as caught:
            split_code(code)
        assert str(caught.value).startswith(said)


def test_words_in_another_language_split_across_pages_end_on_each_page():
    """An English title split across pages (a source in a Spanish handout, in large
    print): each page's text object opens and closes its own part of the title's
    sequence, so each page's marked content is balanced and the rest ("Sin fecha.")
    stays outside it; a part that is all title (the middle of three) is all English."""
    import io

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas

    from handouts.pdf import fonts
    from handouts.pdf.paragraph import Paragraph
    from handouts.pdf.tagging import in_language

    fonts.register()
    style = ParagraphStyle("source", fontName=fonts.BODY, fontSize=12, leading=15)
    title = "A very long title of a source, cited as it was published " * 3
    para = Paragraph(in_language(title, "en") + " Sin fecha. https://example.org/", style)
    para.wrap(200, 1000)
    first, rest = para.split(200, 40)

    def drawn(part: Paragraph) -> str:
        canvas = Canvas(io.BytesIO())
        part.wrapOn(canvas, 200, 1000)
        part.drawOn(canvas, 0, 0)
        return " ".join(canvas._code)

    codes = [drawn(first), drawn(rest)]
    opened = "/Span << /Lang (en) >> BDC"
    assert [code.count(opened) for code in codes] == [1, 1]
    assert [code.count(" EMC") for code in codes] == [1, 1]
    assert codes[0].index("BT") < codes[0].index(opened) < codes[0].index("EMC ET")
    assert codes[1].index("BT") < codes[1].index(opened) < codes[1].index("Tj")
    assert codes[1].index(" EMC") < codes[1].index("Sin fecha") < codes[1].index("ET")
    # in three parts: the middle one opens at its start and closes at its end
    para = Paragraph(in_language(title * 3, "en") + " Sin fecha.", style)
    para.wrap(200, 1000)
    first, rest = para.split(200, 40)
    middle, last = rest.split(200, 40)
    codes = [drawn(first), drawn(middle), drawn(last)]
    assert [code.count(opened) for code in codes] == [1, 1, 1]
    assert [code.count(" EMC") for code in codes] == [1, 1, 1]
    starts = codes[1].index("BT") < codes[1].index(opened) < codes[1].index("Tj")
    assert starts and codes[1].index(" EMC ET") > codes[1].rindex("Tj")
    assert codes[2].index(opened) < codes[2].index(" EMC") < codes[2].index("Sin fecha")
    # not split: opened and closed once, around the title alone
    whole = drawn(Paragraph(in_language("Stroke symptoms.", "en") + " Sin fecha.", style))
    assert whole.count(opened) == 1 and whole.count(" EMC") == 1
    assert whole.index(opened) < whole.index("Stroke") < whole.index(" EMC")
    assert whole.index(" EMC") < whole.index("Sin fecha")
    with pytest.raises(ValueError, match="not a language tag"):
        in_language("title", 'en" name="x')


def test_an_undated_title_across_a_page_break_is_english_on_both_pages(content_copy, tmp_path):
    """In a real Spanish handout, an undated source whose English title runs onto the next
    page (titles lengthened until one does, in large print on A4): its title is read in
    English on both pages, "Sin fecha." in Spanish, and every page's marked content stays
    within its text objects."""
    sources = content_copy / "sources.yaml"
    shipped = yaml.safe_load(sources.read_text(encoding="utf-8"))
    undated = [key for key, s in shipped.items() if s.get("undated")]
    for extra in (19, 20, 16, 13, 11):
        written = {key: {**s, "title": s["title"] + " longword" * extra} if key in undated else s
                   for key, s in shipped.items()}  # fmt: skip
        sources.write_text(yaml.safe_dump(written, allow_unicode=True), encoding="utf-8")
        out = tmp_path / f"long-{extra}.pdf"
        args = ["build", "--content", str(content_copy), "--conditions", "migraine", "lupus",
                "--full", "--large-print", "--paper", "a4", "--language", "es"]  # fmt: skip
        assert main([*args, "--brand", BRAND, "--out", out]) == 0
        runs = spoken_in(out)
        with pikepdf.open(out) as pdf:
            assert [p for scan in page_scans(pdf) for p in scan.problems] == []
            read = Read(pdf, read_tree(pdf), *marked_texts(out))
            split = [[runs[mc] for mc in li.kids[1].content()] for li in read.all("LI")
                     if len(li.kids) == 2 and len({page for page, _ in li.kids[1].content()}) > 1
                     and "longword" in read.text(li.kids[1])]  # fmt: skip
        if split:
            break
    assert split, "no undated source ran onto a next page"
    assert list(Validator().validate(str(out)).findings) == []
    for parts in split:  # read across the pages: its title in English, then the rest
        langs = [lang for part in parts for lang, _ in part]
        assert [lang for n, lang in enumerate(langs) if lang != langs[n - 1] or not n] == [
            "en",
            None,
        ]
        said = "".join(text for part in parts for lang, text in part if lang is None)
        assert squash(said).startswith("Sinfecha.http")
    inside = [parts for parts in split if parts[0][-1][0] == parts[1][0][0] == "en"]
    assert inside, "no title split between pages"


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large"])
def test_a_tier_symbol_is_seen_and_not_read(tmp_path, large):
    """A booklet's "When to get help" headings show their symbol (!, ☎, ✎) but a screen
    reader reads the heading's words alone (the symbol's sequence has an empty
    /ActualText), as the web page hides it (aria-hidden); nothing else is read
    differently. The pdfua checker finds nothing."""
    out = tmp_path / "booklet.pdf"
    extra = ["--large-print"] if large else []
    assert main(["build", "--conditions", "migraine", "lupus", "--full", *extra,
                 "--out", str(out)]) == 0  # fmt: skip
    drawn, aloud = marked_texts(out)[0], read_aloud(out)
    with pikepdf.open(out) as pdf:
        read = Read(pdf, read_tree(pdf), drawn, set())
        heads = {(squash(read.text(h)), "".join(aloud.get(mc, "") for mc in h.content()))
                 for h in read.all("H3")}  # fmt: skip
    symbols = {"!", "☎", "✎"}
    tiers = {(shown, said) for shown, said in heads if shown[:1] in symbols}
    assert {shown[0] for shown, _ in tiers} == symbols
    assert all(said.strip() and squash(said) == shown[1:] for shown, said in tiers), tiers
    assert not any(set(said) & symbols for _, said in heads)
    assert {mc: t for mc, t in drawn.items() if aloud.get(mc) != t}.keys() == {
        mc for mc, t in drawn.items() if t.strip()[:1] in symbols
    }
    assert list(Validator().validate(str(out)).findings) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_cards_title_said_again_over_a_page_is_seen_and_not_read(tmp_path, language):
    """Where a medicine card's cautions go on at the top of the back, its name is said
    again there ("Methotrexate, continued"), so that "Never take trimethoprim…" is not
    read under no name. It is drawn for the eye only (an artifact): the card is one H3
    and one list in the structure, read once; the pdfua checker finds nothing."""
    out = tmp_path / "visit.pdf"
    assert main(["build", "--conditions", "migraine", "fibromyalgia", "--medicines", "nsaids",
                 "methotrexate", "--language", language, "--out", str(out)]) == 0  # fmt: skip
    again = {"en": "Methotrexate, continued", "es": "Metotrexato: continuación"}[language]
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) == 2 and again not in pages[0]
    first, second = pages[1].splitlines()[:2]
    assert first == again and second.startswith("⚠")
    drawn, outside = marked_texts(out)
    with pikepdf.open(out) as pdf:
        read = Read(pdf, read_tree(pdf), drawn, outside)
        said = squash(read.text(read.root))
        cards = [squash(read.text(h)) for h in read.all("H3")]
    assert squash(again) not in said
    assert [c for c in cards if c.startswith(squash(again.split(",")[0].split(":")[0]))] == [
        squash({"en": "Methotrexate (MTX)", "es": "Metotrexato (MTX)"}[language])
    ]
    assert list(Validator().validate(str(out)).findings) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_plan_parts_heading_said_again_over_a_page_is_seen_and_not_read(tmp_path, language):
    """A red team: a large-print visit handout's plan went on at page 2's top with "No
    more than:" under no "In an attack". Where a plan part's slots go on at a page's top,
    its heading is said again there ("In an attack, continued"), drawn for the eye only
    (an artifact): the heading is read once; the pdfua checker finds nothing."""
    out = tmp_path / "visit.pdf"
    assert main(["build", "--conditions", "migraine", "--plan-template",
                 "migraine-attack-triptan", "--large-print", "--language", language, "--out",
                 str(out)]) == 0  # fmt: skip
    heading, again, row = {
        "en": ("In an attack", "In an attack, continued", "No more than:"),
        "es": ("Durante un ataque", "Durante un ataque: continuación", "Segunda dosis:"),
    }[language]
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert again not in pages[0] and heading in pages[0]
    first, second = pages[1].splitlines()[:2]
    assert first == again and second.startswith(row)
    drawn, outside = marked_texts(out)
    with pikepdf.open(out) as pdf:
        read = Read(pdf, read_tree(pdf), drawn, outside)
        said = squash(read.text(read.root))
    assert squash(again) not in said
    assert said.count(squash(heading)) == 1
    assert list(Validator().validate(str(out)).findings) == []
