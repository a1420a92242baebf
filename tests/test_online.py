"""The QR code and short link to a handout's online version, read back from the PDF."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from .conftest import pdf_text
from .test_errors import brand_copy

ONLINE = "https://riverside.example.org/h/g43-m32"
SHORT = "riverside.example.org/h/g43-m32"


def qr_codes(data: bytes, page: int = 0) -> list[str]:
    """The QR codes a camera would read on ``page``, rendered at 144 dpi."""
    image = pypdfium2.PdfDocument(data)[page].render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def link_targets(data: bytes, page: int = 0) -> list[str]:
    annots = PdfReader(io.BytesIO(data)).pages[page].get("/Annots") or []
    return [a.get_object()["/A"]["/URI"] for a in annots]


def test_qr_code_and_short_link_lead_to_the_online_version(cli, tmp_path):
    out = tmp_path / "h.pdf"
    assert cli("build", "--conditions", "G43.1", "M32.9", "--out", out).code == 0
    data = out.read_bytes()
    assert qr_codes(data) == [ONLINE]
    first = " ".join((PdfReader(io.BytesIO(data)).pages[0].extract_text() or "").split())
    assert f"Read it online: {SHORT} (or scan the square code at the top of this page)" in first
    assert ONLINE in link_targets(data)


def test_each_handout_in_a_pack_has_its_own_code(cli, tmp_path):
    out = tmp_path / "pack.pdf"
    assert cli("pack", "back-pain-spondyloarthritis", "--out", out).code == 0
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    starts = [
        n for n, p in enumerate(reader.pages) if "Read it online:" in (p.extract_text() or "")
    ]
    codes = [qr_codes(data, n) for n in starts]
    assert len(starts) >= 2 and all(len(c) == 1 for c in codes)
    assert len({c[0] for c in codes}) == len(codes)  # one address per handout
    assert all(c[0].startswith("https://riverside.example.org/h/") for c in codes)
    assert qr_codes(data, 0) == []  # the cover is the pack's, not a handout's


def test_without_an_online_address_the_page_is_complete_without_a_code(cli, tmp_path):
    brand = brand_copy(tmp_path, "online: https://riverside.example.org/h/", "# online: none")
    assert "\nonline:" not in brand.read_text()
    out = tmp_path / "plain.pdf"
    args = ["build", "--conditions", "migraine", "lupus", "--brand", brand, "--out", out]
    assert cli(*args).code == 0
    data = out.read_bytes()
    assert qr_codes(data) == []
    text = pdf_text(data)
    assert "Read it online" not in text and "square code" not in text
    assert "Migraine and lupus" in text and "When to get help" in text


def test_a_link_with_letters_beyond_ascii_is_written_as_a_web_address(cli, tmp_path):
    """A PDF link holds a 7-bit address: the host in IDNA, the rest percent-encoded; the
    printed link and the QR code keep the letters as written."""
    brand = brand_copy(
        tmp_path,
        "online: https://riverside.example.org/h/",
        "online: https://klinik-ä.example/hände/",
    )
    out = tmp_path / "h.pdf"
    assert cli("build", "--conditions", "G43.1", "M32.9", "--brand", brand, "--out", out).code == 0
    data = out.read_bytes()
    assert "https://xn--klinik--cxa.example/h%C3%A4nde/g43-m32" in link_targets(data)
    assert qr_codes(data) == ["https://klinik-ä.example/hände/g43-m32"]
    assert "Read it online: klinik-ä.example/hände/g43-m32" in pdf_text(data)


def test_a_qr_code_is_encoded_as_reportlabs_encoder_encodes_it():
    """The mask is chosen by a faster score on layouts made faster (handouts.pdf.qr): the
    same layout and the same score as ReportLab's on every mask of many addresses, and
    the same code, module for module."""
    import random

    from reportlab.graphics.barcode import qrencoder

    from handouts.pdf.qr import code_rows, lost_point, masked

    rng = random.Random(14)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789.-/äé"
    for n in range(60):
        url = "https://" + "".join(rng.choice(letters) for _ in range(rng.randint(5, 10 + 3 * n)))
        theirs = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        theirs.addData(url)
        theirs.version = theirs.calculate_version()
        mine = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        mine.addData(url)
        mine.version = mine.calculate_version()
        ours = masked(mine)  # laid out once, each mask done by bit patterns
        for mask in range(8):
            theirs.makeImpl(True, mask)
            rows = ["".join("1" if v else "0" for v in row) for row in theirs.modules]
            assert ours[mask] == rows, (url, mask)
            assert lost_point(theirs.modules) == qrencoder.QRUtil.getLostPoint(theirs), url
        theirs.make()
        n, rows = code_rows(url)
        assert n == theirs.getModuleCount(), url
        assert [[bit == "1" for bit in format(r, f"0{n}b")] for r in rows] == theirs.modules, url
    other = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    other.addData("https://clinic.example/h/g43")
    other.version = other.calculate_version()
    with pytest.raises(ValueError, match="at error correction level M only"):
        masked(other)


def test_a_qr_codes_penalty_is_reportlabs_on_any_pattern():
    """The penalty score, worked out on whole rows at once, is ReportLab's on patterns no
    code makes: noise, long runs across and down, stripes, blocks, all dark and all light,
    in sizes from the smallest code to a large one."""
    import random

    from reportlab.graphics.barcode import qrencoder

    from handouts.pdf.qr import lost_point

    rng = random.Random(5)
    shapes = [
        lambda r, c: rng.random() < 0.5,
        lambda r, c: rng.random() < 0.9,
        lambda r, c: (r // 3 + c // 7) % 2 == 0,
        lambda r, c: True,
        lambda r, c: False,
        lambda r, c: "10111010000"[(c + r) % 11] == "1",
    ]
    for width in (1, 4, 5, 6, 9):  # stripes down and across: runs just under five and over
        shapes.append(lambda r, c, w=width: (c // w) % 2 == 0)
        shapes.append(lambda r, c, w=width: (r // w) % 2 == 0)
    for n in (21, 22, 25, 33, 57):
        for shape in shapes:
            modules = [[shape(r, c) for c in range(n)] for r in range(n)]
            theirs = qrencoder.QRCode(1, qrencoder.QRErrorCorrectLevel.M)
            theirs.moduleCount, theirs.modules = n, modules
            assert lost_point(modules) == qrencoder.QRUtil.getLostPoint(theirs), (n, shape)


def test_a_qr_codes_words_are_reportlabs_in_every_version():
    """The code words (data, padding and error correction, interleaved) of every version
    at level M, made by table-driven division (handouts.pdf.qr.code_words), are the ones
    ReportLab's polynomial objects make, for data that just fits and data that is short."""
    import random

    from reportlab.graphics.barcode import qrencoder

    from handouts.pdf.qr import code_words

    rng = random.Random(14)
    level = qrencoder.QRErrorCorrectLevel.M
    for version in range(1, 41):
        room = sum(b.dataCount for b in qrencoder.QRRSBlock.getRSBlocks(version, level))
        head = 2 if version < 10 else 3  # bytes mode and length bits, in bytes (rounded up)
        for size in (1, max(1, room // 2), room - head):
            code = qrencoder.QRCode(version, level)
            code.addData("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size)))
            theirs = qrencoder.QRCode.createData(version, level, code.dataList)
            assert code_words(version, code.dataList) == theirs, (version, size)
        for data in ("7", "31415926535", "HTTPS://A.B/C 1$%", "Z"):  # other modes' bits
            code = qrencoder.QRCode(version, level)
            code.addData(data)
            assert type(code.dataList[0]) is not qrencoder.QR8bitByte
            theirs = qrencoder.QRCode.createData(version, level, code.dataList)
            assert code_words(version, code.dataList) == theirs, (version, data)


def test_a_qr_codes_drawing_fills_its_dark_modules_and_no_others():
    """The square code is drawn as one rectangle for each run of dark modules along a row,
    inside its quiet margin of 4 modules: read back, the rectangles fill ReportLab's dark
    modules, each once, and every run is whole (light, or the edge, on both sides)."""
    import random

    from reportlab.graphics.barcode import qrencoder

    from handouts.pdf.logo import _qr_path

    rng = random.Random(5)
    for n in range(12):
        url = "https://x.example/h/" + "".join(rng.choice("abc-0123") for _ in range(1 + 9 * n))
        theirs = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        theirs.addData(url)
        theirs.make()
        size, count = 72.0 - n, theirs.getModuleCount()
        box = size / (count + 8)
        lines = _qr_path(url, size).split("\n")
        assert lines[0] == "0 g" and lines[-1] == "f"
        drawn = [[False] * count for _ in range(count)]
        for line in lines[1:-1]:
            x, y, width, height, op = line.split()
            assert op == "re" and abs(float(height) - box) < 1e-3
            c, r = round(float(x) / box) - 4, round((size - float(y)) / box) - 5
            run = round(float(width) / box)
            assert run >= 1 and 0 <= r < count and c >= 0 and c + run <= count
            assert c == 0 or not theirs.modules[r][c - 1]  # whole: light before,
            assert c + run == count or not theirs.modules[r][c + run]  # and after
            for k in range(c, c + run):
                assert not drawn[r][k]
                drawn[r][k] = True
        assert drawn == theirs.modules, url
