"""Packs, large print and language: read back from the PDFs that were written."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from pypdf import PdfReader

from .conftest import footer_words, pdf_text, text_sizes

PACK = "migraine-autoimmune-clinic"
HANDOUTS = [
    "Migraine and lupus",
    "Migraine and rheumatoid arthritis",
    "Migraine and multiple sclerosis",
    "Migraine and Sjögren's",
    "Migraine",
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> PdfReader:
    from .conftest import main

    out = tmp_path_factory.mktemp("pack") / "pack.pdf"
    args = ["pack", PACK, "--patient", "Zoë O'Brien & <Sons>", "--clinician", "Dr Sam Okafor"]
    args += ["--notes", "Bring your diary.", "--medicines", "sumatriptan", "--out", str(out)]
    assert main(args) == 0
    return PdfReader(io.BytesIO(out.read_bytes()))


def page_text(reader: PdfReader, number: int) -> str:
    """Text of 1-based page ``number``, whitespace folded."""
    return " ".join((reader.pages[number - 1].extract_text() or "").split())


def contents(reader: PdfReader) -> list[tuple[str, int]]:
    """(entry, page) pairs listed under "In this pack" on the cover."""
    text = page_text(reader, 1).split("In this pack", 1)[1].split("This handout supports")[0]
    return [(t.strip(), int(n)) for t, n in re.findall(r"(.+?) page (\d+)", text)]


def test_cover_has_clinic_patient_notes_and_contents(pack):
    cover = page_text(pack, 1)
    assert cover.startswith("Riverside Headache and Rheumatology Clinic")
    assert "Migraine and autoimmune clinic" in cover
    assert "For: Zoë O'Brien & <Sons> From: Dr Sam Okafor" in cover
    assert "Notes from your care team Bring your diary." in cover
    assert [t for t, _ in contents(pack) if t != "When to get help"] == HANDOUTS


def test_contents_page_numbers_point_at_each_handout_on_a_right_hand_page(pack):
    total = len(pack.pages)
    starts = [(t, n) for t, n in contents(pack) if t != "When to get help"]
    for title, n in starts:
        assert n % 2 == 1, f"{title} starts on page {n}, a left-hand page"
        text = page_text(pack, n)
        assert text.startswith("Riverside Headache and Rheumatology Clinic")
        assert f" {title} " in text
        assert "Page 1 of " in text and f"Pack page {n} of {total}" in text
    for title, n in contents(pack):
        if title == "When to get help":
            assert "When to get help" in page_text(pack, n)


def test_every_page_is_numbered_within_its_handout_and_the_pack(pack):
    total = len(pack.pages)
    starts = [n for t, n in contents(pack) if t != "When to get help"]
    ends = [*starts[1:], total + 1]
    for start, end in zip(starts, ends, strict=True):
        count = int(re.search(r"Page 1 of (\d+)", page_text(pack, start)).group(1))
        for k in range(count):
            assert f"Page {k + 1} of {count} Pack page {start + k} of {total}" in page_text(
                pack, start + k
            )
        for blank in range(start + count, end):  # filler before the next right-hand start
            assert "This page is blank" in page_text(pack, blank)
            assert f"Pack page {blank} of {total}" in page_text(pack, blank)


def test_bookmarks_for_each_handout_and_its_sections(pack):
    top = [it for it in pack.outline if not isinstance(it, list)]
    assert [it.title for it in top] == ["Migraine and autoimmune clinic", *HANDOUTS]
    starts = dict((t, n) for t, n in contents(pack) if t != "When to get help")
    for item in top[1:]:
        assert pack.get_destination_page_number(item) + 1 == starts[item.title]
    children = pack.outline[pack.outline.index(top[1]) + 1]
    titles = [c.title for c in children if not isinstance(c, list)]
    assert titles[:2] == ["The main points", "About migraine"]
    assert "When to get help" in titles and "Where this information comes from" in titles


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_large_print_sizes(tmp_path, cli, paper):
    out = tmp_path / "large.pdf"
    args = ["build", "--conditions", "migraine", "lupus", "--large-print", "--diary"]
    run = cli(*args, "--paper", paper, "--patient", "Zoë", "--out", out)
    assert run.code == 0, run.err
    data = out.read_bytes()
    width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    assert round(width) == (612 if paper == "letter" else 595)
    sizes = text_sizes(data)
    body = [size for text, size in sizes if text.startswith("Migraine causes attacks")]
    heads = [size for text, size in sizes if text in ("About migraine", "When to get help")]
    assert body and min(body) >= 18
    assert heads and all(20 <= s <= 22 for s in heads)
    assert min(size for _, size in sizes) >= 14  # the footer and source list


def test_language_sets_the_document_language_or_is_refused(tmp_path, cli):
    out = tmp_path / "gb.pdf"
    assert cli("build", "--conditions", "migraine", "--language", "en-GB", "--out", out).code == 0
    assert PdfReader(out).trailer["/Root"]["/Lang"] == "en-GB"
    run = cli("build", "--conditions", "migraine", "--language", "fr", "--out", tmp_path / "f.pdf")
    assert run.code == 2
    assert run.err == "handouts: error: no content in language 'fr'; use en or es\n"
    assert not (tmp_path / "f.pdf").exists()


def test_one_language_tag_rule_for_the_command_line_the_brand_and_a_clinic_list(tmp_path, cli):
    """en_gb, EN-gb and en-GB are one tag, written en-GB; the brand's language is only the
    default, and a pack takes the language given too."""
    from .test_errors import brand_copy

    out = tmp_path / "x.pdf"
    assert cli("build", "--conditions", "migraine", "--language", "en_gb", "--out", out).code == 0
    assert PdfReader(out).trailer["/Root"]["/Lang"] == "en-GB"
    brand = brand_copy(tmp_path, "language: en-US", "language: EN_au")
    assert cli("build", "--conditions", "migraine", "--brand", brand, "--out", out).code == 0
    assert PdfReader(out).trailer["/Root"]["/Lang"] == "en-AU"
    args = ("pack", "back-pain-spondyloarthritis", "--brand", brand, "--out", out)
    assert cli(*args, "--language", "en-NZ").code == 0
    assert PdfReader(out).trailer["/Root"]["/Lang"] == "en-NZ"
    run = cli("build", "--conditions", "migraine", "--language", "en-", "--out", out)
    expected = "expected a language code like 'es' or 'en-US', found 'en-' (did you mean 'en'?)"
    assert run.err == f"handouts: error: {expected}\n"
    assert cli("translate", "en-").err == f"handouts: error: {expected}\n"  # the same words
    (tmp_path / "long").mkdir()  # said cut short, and escaped
    long = brand_copy(tmp_path / "long", "language: en-US", f'language: "en\\t{"x" * 60}"')
    run = cli("build", "--conditions", "migraine", "--brand", long, "--out", out)
    assert (
        f"{long}:20: language: expected a language code like 'es' or 'en-US', found 'en\\t{'x' * 35}…'"
        in run.err
    )
    (tmp_path / "mx").mkdir()  # a translation for es-MX is the brand's Spanish words
    mexican = brand_copy(tmp_path / "mx", "  - language: es\n", "  - language: es-MX\n")
    run = cli("build", "--conditions", "migraine", "--brand", mexican, "--language", "es",
              "--out", out)  # fmt: skip
    assert run.code == 0 and "fuera de horario" in " ".join(pdf_text(out.read_bytes()).split())
    (tmp_path / "fr").mkdir()
    french = brand_copy(tmp_path / "fr", "language: en-US", "language: fr")
    run = cli("build", "--conditions", "migraine", "--brand", french, "--out", out)
    assert run.code == 1
    assert f"{french}:20: language: no content in language 'fr'; use en or es" in run.err


def test_unknown_pack_is_named_with_a_suggestion(tmp_path, cli):
    run = cli("pack", "migraine-autoimune-clinic", "--out", tmp_path / "p.pdf")
    assert run.code == 2
    assert run.err == (
        "handouts: error: unknown pack 'migraine-autoimune-clinic' (did you mean "
        "'migraine-autoimmune-clinic'?); packs: back-pain-spondyloarthritis, "
        "migraine-autoimmune-clinic\n"
    )


def test_reused_layout_never_changes_a_handout(tmp_path, cli, default_out, pack):
    """Everything laid out for packs, large print and other handouts in this process is
    reused, yet the default handouts come out byte for byte as a new process makes them
    (test_handout.test_same_bytes_from_a_separate_process compares default_out with one)."""
    for extra in (["--large-print"], ["--paper", "a4"], ["--medicines", "duloxetine"]):
        out = tmp_path / "x.pdf"
        assert (
            cli("build", "--conditions", "migraine", "fibromyalgia", *extra, "--out", out).code == 0
        )
    assert cli("--out", tmp_path / "again").code == 0
    for pdf in default_out.glob("*.pdf"):
        assert (tmp_path / "again" / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


def test_a_boxed_list_split_inside_a_row_in_large_print(tmp_path, cli):
    """Found by the 10,000-row bench: with these notes the key-points box splits inside a
    row in large print; the split must use the lines ReportLab measured, not re-break them."""
    notes = (
        "Walk for 10 minutes a day, and add 5 minutes each week.\n"
        "Fill in the sleep part of the diary too.\n"
        "Try the relaxation exercise before bed for 2 weeks."
    )
    out = tmp_path / "ms.pdf"
    args = ["build", "--conditions", "migraine", "multiple-sclerosis", "--large-print"]
    run = cli(*args, "--medicines", "interferon-beta", "--notes", notes, "--out", out)
    assert run.code == 0, run.err
    text = " ".join((p.extract_text() or "") for p in PdfReader(out).pages)
    assert "The main points" in text and "Try the relaxation exercise" in " ".join(text.split())


def test_warm_and_cold_renders_are_the_same_bytes():
    """Whatever was laid out, broken into lines or drawn before, a handout is the same bytes
    as one made with every cache empty: names and titles outside the library's characters,
    clinicians' names repeated in notes, notes that push the content down, both papers,
    large print."""
    import random

    from handouts.content.brand import load_brand
    from handouts.content.library import load_library
    from handouts.document.assemble import assemble
    from handouts.document.document import Personal
    from handouts.document.request import Request
    from handouts.pdf.render import clear_caches, render
    from handouts.pipeline import PRINTER

    from .conftest import CONTENT

    lib, brand = load_library(CONTENT, PRINTER), load_brand(None, PRINTER)
    rnd = random.Random(7)
    names = ["Ann Lee", "Łukasz Nowak", "Jiří Dvořák", "Ολγα Παπά", "Siobhán Ní Bhriain"]
    notes = [None, "Dr Jiří Dvořák will phone you.", "One\nTwo\nThree " * 3, "x\n" * 14]
    cases = []
    for _ in range(10):
        conditions = tuple(rnd.sample(sorted(lib.conditions), rnd.choice([1, 2, 2, 3])))
        who = Personal(rnd.choice(names), rnd.choice([None, "Dr Jiří Dvořák"]))
        title = rnd.choice([None, "Migraine for Bőrcsöke"])
        req = Request(conditions, title, (), rnd.choice(notes), who, rnd.random() < 0.3)
        cases.append((req, rnd.choice([None, "a4"]), rnd.random() < 0.3))
    warm = [render(assemble(lib, req, brand), brand, paper, large) for req, paper, large in cases]
    for (req, paper, large), made in zip(cases, warm, strict=True):
        clear_caches()
        assert render(assemble(lib, req, brand), brand, paper, large) == made, req


def test_a_pack_in_a_busy_process_is_the_same_bytes_as_in_a_new_one(tmp_path):
    """A pack made after other handouts and packs, in both papers and large print, with
    another brand's handouts in between, is the file a new process makes."""
    import subprocess
    import sys

    from handouts.pipeline import load_inputs, make

    from .conftest import CONTENT, TODAY, main
    from .test_errors import brand_copy

    other = brand_copy(tmp_path, "logo: logo.svg\n", "")
    for args in (["--paper", "a4"], ["--large-print"], ["--brand", str(other)]):
        main(["pack", "back-pain-spondyloarthritis", *args, "--out", str(tmp_path / "x.pdf")])
    code = (
        "import datetime as dt; from pathlib import Path\n"
        "from handouts.document.document import Personal\n"
        "from handouts.document.request import Allow, Request\n"
        f"lib, brand = load_inputs(Path({str(CONTENT)!r}), None)\n"
        "who = Personal(\"Zoë O'Brien\", 'Dr Jiří Dvořák')\n"
        f"req = Request(pack={PACK!r}, medicines=('triptans',), notes='Note', personal=who,"
        f" allow=Allow(today=dt.date.fromisoformat({TODAY!r})))\n"
        "pdf = make(lib, brand, req).pdf\n"
    )
    scope = {"load_inputs": load_inputs, "make": make}
    exec(code, scope)
    busy = scope["pdf"]
    code = "import sys; from handouts.pipeline import load_inputs, make\n" + code
    code += "sys.stdout.buffer.write(pdf)\n"
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert busy == fresh


def test_text_outside_the_library_prints_right_when_reused(tmp_path, cli):
    """A clinician's name with letters the content never uses, in two handouts, and a
    title with such letters: each prints as written."""
    notes = "Dr Jiří Dvořák will phone you."
    for n, name in enumerate(["Zoë Brontë", "Łukasz Nowak", "Sam"]):
        out = tmp_path / f"{n}.pdf"
        args = ["build", "--conditions", "migraine", "--clinician", "Dr Jiří Dvořák"]
        args += ["--notes", notes, "--patient", name, "--title", "Migraine for Bőrcsöke"]
        assert cli(*args, "--out", out).code == 0
        text = " ".join((p.extract_text() or "") for p in PdfReader(out).pages)
        assert "Migraine for Bőrcsöke" in text and notes in text and "From: Dr Jiří Dvořák" in text


def test_a_logo_with_its_own_text_still_gives_a_whole_pdf(tmp_path, cli):
    """An SVG logo with text draws in a font of its own, so its masthead is laid out on the
    handout's own canvas: every font a page uses must be in that page's resources."""
    from .conftest import BRAND

    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "brand.yaml").write_text(BRAND.read_text(encoding="utf-8"), encoding="utf-8")
    (brand / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="60"><circle cx="30" '
        'cy="30" r="25" fill="#1F4E79"/><text x="10" y="35" font-size="14">RC</text></svg>',
        encoding="utf-8",
    )
    out = tmp_path / "logo.pdf"
    run = cli("build", "--conditions", "migraine", "--brand", brand / "brand.yaml", "--out", out)
    assert run.code == 0, run.err
    for page in PdfReader(out).pages:
        used = set(re.findall(rb"(/F\d+(?:\+\d+)?) [\d.]+ Tf", page.get_contents().get_data()))
        fonts = page["/Resources"]["/Font"]
        assert used <= {name.encode() for name in fonts}
        for font in fonts.values():  # and every font is embedded (not Helvetica)
            assert "/FontFile2" in font.get_object()["/FontDescriptor"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("large", [False, True])
def test_a_packs_page_numbers_never_run_into_the_footers_words(tmp_path, language, large):
    """Found reading a Spanish pack: "Página 12 de 34 del paquete" was printed over the
    first words of the footer ("Este folleto…") on every page, the page-number column
    being as wide as the English words need. A line wider than the column goes on to the
    next ("Página 12 de 34" / "del paquete"), in every language and print size. (A wider
    column, the first fix, made the footer's words wrap to more lines: a review found a
    long clinic footer run off the page.) The footer ends inside the 10 mm margin."""
    from .conftest import main

    out = tmp_path / "pack.pdf"
    args = ["pack", "back-pain-spondyloarthritis", "--language", language, "--out", out]
    assert main([*args, *(["--large-print"] if large else [])]) == 0
    data = out.read_bytes()
    pages = footer_words(data)
    for n, (numbers, words) in enumerate(pages, 1):
        said = " ".join(w["text"] for w in numbers)
        assert ("del paquete" if language == "es" else "Pack page") in said, (n, said)
        gap = min(w["x0"] for w in words) - max(w["x1"] for w in numbers)
        assert gap >= 3.5, (n, said, gap)
    if language == "es":
        lines = {round(w["top"]) for w in pages[2][0]}
        assert len(lines) == 3, pages[2][0]  # its page, the pack's page, "del paquete"
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        lowest = min(p.height - max(w["bottom"] for w in p.extract_words()) for p in pdf.pages)
    assert lowest / 72 * 25.4 >= 9.5
