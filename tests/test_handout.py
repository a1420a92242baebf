"""The default run: real PDFs, checked through text and structure read back with pypdf."""

from __future__ import annotations

import io
import os

import pytest
import yaml
from pypdf import PdfReader

from handouts.content.library import load_library
from handouts.pipeline import PRINTER

from .conftest import CONTENT, TODAY, main, pdf_text, text_sizes

DEFAULTS = [
    "migraine-and-autoimmune-disease",
    "migraine-and-fibromyalgia",
    "autoimmune-disease-and-back-pain",
    "migraine-and-lupus",
]
SECTIONS = [
    "Notes from your care team",
    "The main points",
    "Everyday steps that can help",
    "Medicines: what to watch for",
    "When to get help",
    "Emergency: call 911 or go to the emergency department now",
    "Call us today",
    "If we are closed, call our after-hours nurse line on 555-0199.",
    "Tell us at your next visit",
    "My notes and questions for my next visit",
    "Where this information comes from",
]
LIB = load_library(CONTENT, PRINTER)
FOOTER = [
    "This handout supports, and does not replace, advice from your care team.",
    "Content checked 1 Nov 2026; next check due 1 Nov 2028.",
]


def read(default_out, name: str) -> bytes:
    return (default_out / f"{name}.pdf").read_bytes()


def test_default_run_writes_the_four_handouts_and_says_where(tmp_path, cli):
    run = cli("--out", tmp_path / "out")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert len(lines) == 5
    for name, line in zip(DEFAULTS, lines, strict=False):
        assert line.startswith(f"wrote {tmp_path / 'out' / name}.pdf (")
        assert line.endswith(" KB)")
    assert lines[-1] == f"4 handouts in {tmp_path / 'out'}/"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{n}.pdf" for n in DEFAULTS
    )


@pytest.mark.parametrize("name", DEFAULTS)
def test_every_required_section_is_printed_in_order(default_out, name):
    text = pdf_text(read(default_out, name))
    at = 0
    for heading in SECTIONS:
        found = text.find(heading, at)
        assert found > 0, f"'{heading}' missing or out of order"
        at = found
    pages = len(PdfReader(io.BytesIO(read(default_out, name))).pages)
    for line in FOOTER:
        assert text.count(line) == pages
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_migraine_and_lupus_says_what_the_content_says(default_out):
    text = pdf_text(read(default_out, "migraine-and-lupus"))
    for cid in ("migraine", "lupus"):
        cond = yaml.safe_load((CONTENT / "conditions" / f"{cid}.yaml").read_text())
        for claim in cond["summary"]:
            assert " ".join(claim["text"].split()) in text
        for flag in cond["red_flags"]:
            words = " ".join(LIB.red_flags[flag].text.split())
            words = words.replace("{{ clinic.emergency_number }}", "911")
            # the one painkiller-day limit, worded for this handout's painkillers
            words = words.replace("{{ painkillers.limit }}", "10")
            assert words in text, flag
    link = yaml.safe_load((CONTENT / "links" / "migraine--lupus.yaml").read_text())
    assert "How migraine and lupus are linked" in text
    assert " ".join(link["known"]["text"].split()) in text
    assert "How sure are we? Studies disagree." in text


def test_the_example_patient_prints_literally(default_out):
    text = pdf_text(read(default_out, "migraine-and-lupus"))
    assert "For: Ana Łukasz-Nguyễn O'Brien & <Sons>" in text
    assert "From: Dr Sam Okafor" in text
    assert "Date: 21 November 2026" in text
    assert "Bring your headache diary to your next visit on 5 December." in text


def test_only_links_among_the_chosen_conditions_are_printed(default_out):
    text = pdf_text(read(default_out, "migraine-and-fibromyalgia"))
    assert "How migraine and fibromyalgia are linked" in text
    assert "Migraine and lupus" not in text
    assert "About lupus" not in text


@pytest.mark.parametrize("name", DEFAULTS)
def test_fonts_are_embedded_subsets(default_out, name):
    reader = PdfReader(io.BytesIO(read(default_out, name)))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font.get("/FontDescriptor", {})
    assert fonts, "no fonts found"
    for name_, desc in fonts.items():
        assert "/FontFile2" in desc.get_object(), f"{name_} is not embedded"
        assert name_[7] == "+", f"{name_} is not a subset"
    assert any("AtkinsonHyperlegible" in n for n in fonts)


def test_body_text_is_at_least_12_point(default_out):
    data = read(default_out, "migraine-and-lupus")
    reader = PdfReader(io.BytesIO(data))
    sources_page = next(
        i
        for i, p in enumerate(reader.pages)
        if "Where this information comes from" in p.extract_text()
    )
    small = []
    for i, page in enumerate(reader.pages[:sources_page]):

        def visit(text, cm, tm, font, size, small=small, i=i):
            if text.strip() and size < 12:
                small.append((i, text.strip()))

        page.extract_text(visitor_text=visit)
    # Only the masthead's contact lines and the page footer may be smaller than 12 pt.
    allowed = (
        "Page ",
        "Content checked",
        "This handout supports",
        "patient information",
        "Riverside",
        "Phone 555-0142",
        "12 River Road",
        "https://riverside",
    )
    assert [s for s in small if not any(a in s[1] or s[1].isdigit() for a in allowed)] == []
    assert max(size for _, size in text_sizes(data)) >= 18  # headings stand out


def test_metadata_bookmarks_and_links(default_out):
    data = read(default_out, "migraine-and-lupus")
    reader = PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert meta.title == "Migraine and lupus: How they are linked and what you can do"
    assert meta.author == "Riverside Headache and Rheumatology Clinic"
    assert meta.subject == "Patient information: Migraine and Lupus"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)

    walk(reader.outline)
    assert titles[:3] == ["Migraine and lupus", "Notes from your care team", "The main points"]
    assert "When to get help" in titles and "Stress" in titles
    uris = [
        a.get_object()["/A"]["/URI"]
        for p in reader.pages
        for a in p.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert "https://pmc.ncbi.nlm.nih.gov/articles/PMC10512516/" in uris


def test_same_input_same_bytes(tmp_path, default_out):
    assert main(["--out", str(tmp_path)]) == 0
    for name in DEFAULTS:
        assert (tmp_path / f"{name}.pdf").read_bytes() == read(default_out, name)


@pytest.mark.parametrize("name", DEFAULTS)
def test_small_enough_to_email(default_out, name):
    assert len(read(default_out, name)) < 200_000


def test_no_patient_prints_no_personal_details(tmp_path, cli):
    assert cli("--out", tmp_path, "--no-patient").code == 0
    text = pdf_text((tmp_path / "migraine-and-lupus.pdf").read_bytes())
    assert "For:" not in text and "Notes from your care team" not in text


def test_same_bytes_from_a_separate_process(tmp_path, default_out):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland"}
    subprocess.run(
        [sys.executable, "-m", "handouts", "--today", TODAY, "--out", str(tmp_path)],
        check=True,
        env=env,
        capture_output=True,
    )
    for name in DEFAULTS:
        assert (tmp_path / f"{name}.pdf").read_bytes() == read(default_out, name)


def test_reused_work_never_changes_a_handout(tmp_path, cli):
    """Parsed paragraphs, font subsets, and the laid-out shared pages are reused between
    handouts in one process: a handout made after others is byte-for-byte the one made
    alone, whoever came before it and however long their notes were."""
    import subprocess
    import sys

    args = [
        "build",
        "--today",
        TODAY,
        "--conditions",
        "migraine",
        "lupus",
        "--medicines",
        "triptans",
    ]
    alone = tmp_path / "alone.pdf"
    subprocess.run(
        [sys.executable, "-m", "handouts", *args, "--patient", "Zoë Brontë", "--out", alone],
        check=True,
        capture_output=True,
    )
    notes = ["Short note.", None, "A\nlonger\nnote\nof\nfive lines", None]
    for n, name in enumerate(["Łukasz Nowak", "Zoë Brontë", "Nguyễn Thị Minh", "Zoë Brontë"]):
        extra = ["--notes", notes[n]] if notes[n] else []
        assert cli(*args, *extra, "--patient", name, "--out", tmp_path / f"{n}.pdf").code == 0
    assert (tmp_path / "1.pdf").read_bytes() == alone.read_bytes()
    assert (tmp_path / "3.pdf").read_bytes() == alone.read_bytes()
    assert (tmp_path / "0.pdf").read_bytes() != alone.read_bytes()


def test_a_png_logo_with_transparency_is_one_image_with_its_mask(tmp_path, cli):
    """A PNG logo is written once, with its transparency as a soft mask, and is a figure
    with the brand's words for it."""
    import pikepdf
    from PIL import Image, ImageDraw

    from .test_errors import brand_copy

    brand = brand_copy(tmp_path, "logo: logo.svg", "logo: logo.png")
    picture = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((5, 5, 115, 115), fill=(31, 78, 121, 255))
    picture.save(brand.parent / "logo.png")
    out = tmp_path / "png.pdf"
    assert cli("build", "--conditions", "migraine", "--brand", brand, "--out", out).code == 0
    pdf = pikepdf.open(out)
    images = [
        o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
    ]
    colour = [i for i in images if "/SMask" in i]
    assert len(colour) == 1 and len(images) == 2  # the picture and its mask
    assert (colour[0].Width, colour[0].Height, colour[0].SMask.ColorSpace) == (
        120,
        120,
        "/DeviceGray",
    )
    figures = [
        o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Figure"
    ]
    alts = {str(f.Alt) for f in figures}
    assert "Riverside clinic logo, a blue circle with a white river line" in alts


def test_a_brand_background_colour_is_the_page_colour(tmp_path, cli):
    """A background other than white fills every page (under everything, an artifact):
    the contrast checks are made against what is printed."""
    import pypdfium2

    from .test_errors import brand_copy

    brand = brand_copy(tmp_path, 'background: "#FFFFFF"', 'background: "#FFF4DC"')
    out = tmp_path / "cream.pdf"
    assert cli("build", "--conditions", "migraine", "--brand", brand, "--out", out).code == 0
    pdf = pypdfium2.PdfDocument(out.read_bytes())
    corners = {
        pdf[n].render(scale=0.5).to_pil().convert("RGB").getpixel((2, 2)) for n in range(len(pdf))
    }
    assert corners == {(0xFF, 0xF4, 0xDC)}
    assert "Migraine" in pdf_text(out.read_bytes())


def test_page_one_is_the_summary_and_the_details_start_page_two(tmp_path, cli, default_out):
    """Page 1: who it is for and the main points; "About …" starts page 2. When the notes
    push the main points onto page 2, the details follow them there (no page left
    nearly empty)."""

    def pages(data: bytes) -> list[str]:
        return [
            " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages
        ]

    out = tmp_path / "short.pdf"
    assert (
        cli(
            "build", "--full", "--conditions", "migraine", "lupus", "--patient", "Sam", "--out", out
        ).code
        == 0
    )
    short = pages(out.read_bytes())
    assert "The main points" in short[0] and "About migraine" not in short[0]
    assert short[1].startswith("About migraine")
    spilled = pages(read(default_out, "migraine-and-lupus"))  # the example patient's notes
    assert "About migraine" in spilled[1]


@pytest.mark.parametrize("size", [(4096, 4096), (4096, 1), (1, 3000)])
def test_a_large_png_logo_is_downscaled_once_to_what_prints_and_fits_its_place(tmp_path, cli, size):
    """Red team, issue 13 item 7: a 4096-pixel noisy PNG made a 49 MB handout, and a
    4096 x 1 banner was drawn 180,000 points wide across the masthead. A logo fits a
    64 x 44 point box and keeps only the pixels that print at 600 dpi."""
    import pdfplumber
    from PIL import Image

    from handouts.pdf.logo import BOX, DPI

    from .test_errors import brand_copy

    brand = brand_copy(tmp_path, "logo: logo.svg", "logo: logo.png")
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    noise.save(brand.parent / "logo.png")
    out = tmp_path / "big.pdf"
    assert cli("build", "--conditions", "migraine", "--brand", brand, "--out", out).code == 0
    assert out.stat().st_size < 1_500_000
    with pdfplumber.open(out) as pdf:
        (image,) = pdf.pages[0].images
        assert image["width"] <= BOX[0] + 0.01 and image["height"] <= BOX[1] + 0.01
        assert image["x0"] >= pdf.pages[0].bbox[0]
        pixels = image["srcsize"]
    most = (BOX[0] * DPI / 72 + 1, BOX[1] * DPI / 72 + 1)
    assert pixels[0] <= most[0] and pixels[1] <= most[1]
    again = tmp_path / "again.pdf"
    assert cli("build", "--conditions", "migraine", "--brand", brand, "--out", again).code == 0
    assert again.read_bytes() == out.read_bytes()


def test_a_sixteen_bit_grey_logo_prints_grey_and_transparency_survives_downscaling(tmp_path):
    """Red team (issue 13 review): a 16-bit greyscale PNG printed as a white box, and no
    test saw a logo's see-through parts after it was downscaled."""
    from PIL import Image, ImageDraw

    from handouts.pdf.logo import printed_pixels

    grey = tmp_path / "grey.png"
    Image.new("I;16", (40, 40), 0x8000).save(grey)
    _w, _h, rgb, alpha = printed_pixels(grey)
    assert rgb[:3] == bytes([0x80] * 3) and alpha is None
    big = tmp_path / "big.png"
    picture = Image.new("RGBA", (2000, 2000), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((500, 500, 1500, 1500), fill=(31, 78, 121, 255))
    picture.save(big)
    w, h, rgb, alpha = printed_pixels(big)
    assert (w, h) == (367, 367) and alpha is not None
    assert alpha[0] == 0 and alpha[(h // 2) * w + w // 2] == 255  # corner clear, middle solid
