"""Names in every script a patient writes theirs in (issue 16): shaped with HarfBuzz,
in reading order, in a face that has them, and read back as typed.

Each name is printed on a visit handout, then its line is drawn by PDFium and compared
with a reference made apart from the renderer: HarfBuzz's own shaping of each word (its
glyphs, order and advances) drawn from the font's outlines. A name printed with its
letters unjoined, its words in the wrong order or in the wrong face does not match."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
from bidi import get_display
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from reportlab.lib.styles import ParagraphStyle

from handouts.document.document import Personal
from handouts.document.request import Request
from handouts.paths import CONTENT, FONTS
from handouts.pdf import bidi, fonts
from handouts.pdf.paragraph import Paragraph
from handouts.pdf.private import private_text
from handouts.pipeline import Renderer, load_inputs

from .conftest import ALLOW_TODAY, TODAY

SCALE = 4
"""Pixels per point, for the drawn line and the reference alike."""
SIZE = 12
"""The body text's size (the line that says who the handout is for)."""
BODY = FONTS / "AtkinsonHyperlegible-Regular.ttf"

NAMES = {
    "arabic": ("محمد الأحمد", "NotoSansArabic-Regular.ttf"),
    "hebrew": ("דוד כהן", "NotoSansHebrew-Regular.ttf"),
    "chinese": ("王小明", "WenQuanYiMicroHei.ttc"),
    "japanese": ("山田 花子", "WenQuanYiMicroHei.ttc"),
    "korean": ("김민준", "WenQuanYiMicroHei.ttc"),
    "hindi": ("अनिल कुमार", "NotoSansDevanagari-Regular.ttf"),
    "thai": ("สมชาย ใจดี", "NotoSansThai-Regular.ttf"),
    "amharic": ("አበበ ቢቂላ", "NotoSansEthiopic-Regular.ttf"),
}


@pytest.fixture(scope="module")
def make(tmp_path_factory):
    lib, brand = load_inputs(CONTENT, None)
    renderer = Renderer()
    folder = tmp_path_factory.mktemp("scripts")

    def made(
        name: str, file: str, notes: str | None = None, clinician: str = "Dr Sam Okafor"
    ) -> Path:
        req = Request(("migraine", "fibromyalgia"), medicines=("triptans",), format="visit",
                      personal=Personal(name, clinician), notes=notes,
                      allow=ALLOW_TODAY)  # fmt: skip
        out = folder / file
        out.write_bytes(renderer.make(lib, brand, req).pdf)
        return out

    return made


@pytest.mark.parametrize("script", NAMES)
def test_a_name_prints_shaped_in_reading_order_and_reads_back_as_typed(make, script):
    name, face = NAMES[script]
    pdf = make(name, f"{script}.pdf")
    assert f"For: {name} From: Dr Sam Okafor" in read_back(pdf)
    drawn = between(pdf, "For:", "From:")
    assert likeness(drawn, reference(name, FONTS / face)) > 0.9
    words = name.split()
    if len(words) > 1:  # the test can tell: the words the other way round do not match
        assert likeness(drawn, reference(" ".join(words[::-1]), FONTS / face)) < 0.8
    assert pdf.stat().st_size < 200_000


def test_an_arabic_name_is_joined_not_drawn_letter_by_letter(make):
    name, face = NAMES["arabic"]
    drawn = between(make(name, "joined.pdf"), "For:", "From:")
    apart = " ".join("\u200c".join(word) for word in name.split())  # non-joiners: unjoined
    assert likeness(drawn, reference(name, FONTS / face)) > 0.9
    assert likeness(drawn, reference(apart, FONTS / face)) < 0.8


def test_an_arabic_letter_whose_joined_forms_have_no_character_reads_back_as_typed(make):
    """The joined forms of ڢ are glyphs named for their looks (``fehDotMovedbelowar.init``),
    with no character of their own: each still reads back as the letter. (They read as
    nothing until a test with random names found one.)"""
    name = "ڢب بڢب بڢ"  # ڢ first, in the middle and last in its word
    assert f"For: {name} From: Dr Sam Okafor" in read_back(make(name, "joined-forms.pdf"))


def test_a_kurdish_name_with_a_lam_alef_ligature_reads_back_as_typed(make):
    """Sorani Kurdish ڵ joins an alef as one glyph named for its looks
    (``lamVabove_alefar.fina``): it reads back as both letters, as does lam with alef wasla."""
    name = "گوڵاڵە سڵاو بلٱ"
    assert f"For: {name} From: Dr Sam Okafor" in read_back(make(name, "ligatures.pdf"))


def test_a_hebrew_clinician_and_an_arabic_note_print_in_reading_order(make):
    note = "خذ الدواء بعد الأكل مرتين كل يوم ثم اتصل بنا إذا استمر الألم أكثر من ثلاثة أيام"
    pdf = make("Ana Lee", "note.pdf", notes=note, clinician="ד״ר דוד כהן")
    read = read_back(pdf)
    assert "From: ד״ר דוד כהן" in read
    assert note in read


def test_digits_in_a_right_to_left_name_stay_left_to_right():
    # For: [محمد 12 الأحمد] From — the run is turned round, its number is not
    levels = bidi.levels("a: \u05d0 1 \u05d0 a", rtl=False)
    order = bidi.reorder(levels)
    assert [i for i in order if i in (3, 5, 7)] == [7, 5, 3]
    assert levels[5] == 2


def test_the_same_name_gives_the_same_bytes_whatever_was_printed_before(make):
    """HarfBuzz's conjuncts get private codes numbered as a process first meets them;
    a handout must not depend on that."""
    first = make("अनिल कुमार", "first.pdf").read_bytes()
    make("क्षत्रिय द्विवेदी श्रीनिवास", "other.pdf")
    assert make("अनिल कुमार", "again.pdf").read_bytes() == first


@pytest.mark.parametrize(
    "note",
    [
        "Take ١٢٥ mg of דוד כהן (עד 8 ביום) and محمد الأحمد, then stop.",
        "الجرعة ١٢٥ ملغ (عند الحاجة). Dose ١٢٥ mg, ۱۲۵ mg",
        'קח 4 שעות, עד 8 ביום. ד"ר כהן',
        "(अनिल) [สมชาย] สวัสดี. ሰላም. 안녕하세요. Hương.",
    ],
    ids=["english-with-rtl", "arabic-with-digits", "hebrew-punctuation", "many-scripts"],
)
def test_a_line_is_drawn_in_the_order_the_bidi_algorithm_gives(make, note):
    """Words, digits and brackets on a line in the order UAX #9 gives (python-bidi's
    Rust implementation, read apart from ours), both in an English paragraph and in one
    that reads right to left; read back by PDFium glyph by glyph, left to right."""
    pdf = make("Ana Lee", "line.pdf", notes=note)
    first = note.split()[-1].strip(".")
    drawn = line_of(pdf, first)
    rtl = bidi.base_rtl(note)
    assert same_letters(drawn) == same_letters(get_display(note, base_dir="R" if rtl else "L"))


def test_names_in_several_faces_on_one_shaped_line_print(make):
    """Red team: a word in two faces (Atkinson and DejaVu) on a line HarfBuzz shapes (a
    Hindi name beside it) crashed ReportLab, or printed empty boxes after other rows."""
    pdf = make("Nguyễn Thị Hương", "faces.pdf", clinician="Dr अनिल शर्मा")
    assert "For: Nguyễn Thị Hương From: Dr अनिल शर्मा" in read_back(pdf)


def test_a_right_to_left_note_split_over_pages_keeps_its_order():
    """Red team: both halves of a note split between pages lost their reading order."""
    with private_text():
        note = Paragraph(fonts.markup("السطر الأول " * 200), ParagraphStyle("n", fontName="Body"))
        parts = note.split(300, 100)
    assert len(parts) == 2 and all(part._bidi is True for part in parts)


def line_of(pdf: Path, word: str) -> str:
    """The characters PDFium finds on the line of page 1 that has ``word``, left to right."""
    text = pdfium.PdfDocument(str(pdf))[0].get_textpage()
    chars = [(text.get_text_range(n, 1), text.get_charbox(n)) for n in range(text.count_chars())]
    found = text.search(word).get_next()
    assert found, word
    _, bottom, _, top = chars[found[0]][1]
    line = sorted((box[0], ch) for ch, box in chars if box[1] <= top and box[3] >= bottom - 3)
    return "".join(ch for _, ch in line)


def same_letters(text: str) -> str:
    """``text`` as letters to compare: joined forms as their letters, no spaces, and
    brackets alike (PDFium turns a right-to-left run's brackets round as it reads)."""
    plain = unicodedata.normalize("NFKC", text)
    return re.sub(r"[()\[\]]", "|", "".join(ch for ch in plain if not ch.isspace()))


def test_a_latin_handout_loads_no_script_face(tmp_path):
    """The faces of other scripts (the CJK one is 5 MB) are read only when needed: a
    handout for Zoë Müller in a new process registers none of them; one for 王小明 does."""
    probe = (
        "import sys; from reportlab.pdfbase import pdfmetrics; from handouts.cli import main; "
        "main(['build', '--conditions', 'migraine', '--patient', sys.argv[1], '--out', "
        f"sys.argv[2], '--today', '{TODAY}']); print(sorted(n for n in pdfmetrics.getRegisteredFontNames() "
        "if n.startswith('Script-')))"
    )

    def faces(name: str) -> str:
        run = subprocess.run([sys.executable, "-c", probe, name, str(tmp_path / "x.pdf")],
                             capture_output=True, text=True, check=True)  # fmt: skip
        return run.stdout.strip().splitlines()[-1]

    assert faces("Zoë Müller") == "[]"
    assert faces("王小明") == "['Script-CJK']"


def read_back(pdf: Path) -> str:
    """The first page's text as poppler reads it (right-to-left runs in reading order),
    without the direction marks it puts around them, spaces made single."""
    text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return " ".join(re.sub("[\u200e\u200f\u202a-\u202e]", " ", text).split())


def between(pdf: Path, before: str, after: str) -> Image.Image:
    """What PDFium draws on page 1 between two words on one line, as ink (1) on paper."""
    page = pdfium.PdfDocument(str(pdf))[0]
    text = page.get_textpage()

    def box(word: str) -> tuple[float, float, float, float]:
        found = text.search(word).get_next()
        assert found, word
        boxes = [text.get_charbox(n) for n in range(found[0], found[0] + found[1])]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))  # fmt: skip

    (_, b1, x0, t1), (x1, b2, _, t2) = box(before), box(after)
    height = page.get_height()
    image = page.render(scale=SCALE).to_pil().convert("L")
    area = ((x0 + 1) * SCALE, (height - max(t1, t2) - 8) * SCALE,
            (x1 - 1) * SCALE, (height - min(b1, b2) + 8) * SCALE)  # fmt: skip
    return image.crop(tuple(int(v) for v in area)).point(lambda v: 255 if v < 128 else 0)


def reference(text: str, font: Path) -> Image.Image:
    """``text`` as HarfBuzz shapes it, word by word (words in the order seen: a
    right-to-left name's turned round), a space of the body face between them, drawn
    from the font's outlines."""
    face = hb.Face(hb.Blob.from_file_path(str(font)), 0)
    shaper = hb.Font(face)
    space = hb.Font(hb.Face(hb.Blob.from_file_path(str(BODY)), 0))
    k = SIZE * SCALE / face.upem
    words = text.split()
    if bidi.base_rtl(text):
        words = words[::-1]
    runs = []
    for word in words:
        buf = hb.Buffer()
        buf.add_str(word)
        buf.guess_segment_properties()
        buf.direction = "rtl" if bidi.base_rtl(word) else "ltr"
        hb.shape(shaper, buf, {"kern": True, "liga": True})
        runs.append(list(zip(buf.glyph_infos, buf.glyph_positions, strict=True)))
    gap = space.get_nominal_glyph(32)
    gap_width = space.get_glyph_h_advance(gap) * SIZE * SCALE / space.face.upem
    width = sum(p.x_advance for run in runs for _, p in run) * k + gap_width * len(runs)
    image = Image.new("1", (int(width) + 40, SIZE * SCALE * 3), 0)
    x, base = 20.0, SIZE * SCALE * 2.1
    for run in runs:
        for info, pos in run:
            pen = _Pen(x + pos.x_offset * k, base - pos.y_offset * k, k)
            shaper.draw_glyph_with_pen(info.codepoint, pen)
            for contour in pen.contours:  # even-odd: a letter's hole stays open
                layer = Image.new("1", image.size, 0)
                ImageDraw.Draw(layer).polygon(contour, fill=1)
                image = ImageChops.logical_xor(image, layer)
            x += pos.x_advance * k
        x += gap_width
    return image.convert("L")


def likeness(drawn: Image.Image, expected: Image.Image) -> float:
    """How much of each image's ink lies within a pixel of the other's (1: the same
    shapes in the same places), once both are cropped to their ink; 0 when their sizes
    differ by more than a letter's worth."""
    a, b = drawn.crop(drawn.getbbox()), expected.crop(expected.getbbox())
    w, h = max(a.width, b.width), max(a.height, b.height)
    if abs(a.width - b.width) > 0.08 * w or abs(a.height - b.height) > 0.15 * h:
        return 0.0
    big_a, big_b = Image.new("L", (w, h)), Image.new("L", (w, h))
    big_a.paste(a)
    big_b.paste(b)
    near_a, near_b = big_a.filter(ImageFilter.MaxFilter(3)), big_b.filter(ImageFilter.MaxFilter(3))
    ink_a, ink_b = big_a.histogram()[255], big_b.histogram()[255]
    return min(
        ImageChops.multiply(big_a, near_b).histogram()[255] / ink_a,
        ImageChops.multiply(big_b, near_a).histogram()[255] / ink_b,
    )


class _Pen:
    """Collects a glyph's outline as polygons (curves flattened), in image pixels."""

    def __init__(self, x: float, y: float, k: float):
        self.x, self.y, self.k = x, y, k
        self.contours: list[list[tuple[float, float]]] = []
        self.points: list[tuple[float, float]] = []

    def _at(self, x: float, y: float) -> tuple[float, float]:
        return (self.x + x * self.k, self.y - y * self.k)

    def moveTo(self, p):
        self.points = [self._at(*p)]

    def lineTo(self, p):
        self.points.append(self._at(*p))

    def qCurveTo(self, *points):
        *off, end = [self._at(*p) for p in points]
        start = self.points[-1]
        for n, c in enumerate(off):
            e = (
                end
                if n == len(off) - 1
                else ((c[0] + off[n + 1][0]) / 2, (c[1] + off[n + 1][1]) / 2)
            )
            for j in range(1, 9):
                t = j / 8
                self.points.append(tuple((1 - t) ** 2 * start[i] + 2 * (1 - t) * t * c[i]
                                         + t * t * e[i] for i in range(2)))  # fmt: skip
            start = e
        if not off:
            self.points.append(end)

    def curveTo(self, *points):
        s = self.points[-1]
        c1, c2, e = (self._at(*p) for p in points)
        for j in range(1, 11):
            t = j / 10
            self.points.append(tuple((1 - t) ** 3 * s[i] + 3 * (1 - t) ** 2 * t * c1[i]
                                     + 3 * (1 - t) * t * t * c2[i] + t**3 * e[i]
                                     for i in range(2)))  # fmt: skip

    def closePath(self):
        if len(self.points) > 2:
            self.contours.append(self.points)
        self.points = []

    endPath = closePath
