"""Pictures: logo files (PNG or SVG) as ReportLab flowables, each file read once, and the
QR code of a handout's online version."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image

from handouts.memo import file_stamp, memo


def _load(path: Path) -> tuple[float, float, Drawing | None]:
    """Width, height and (for SVG) the drawing: read again when the file changes."""
    return _loaded(path, file_stamp(path))


@memo(16)
def _loaded(path: Path, stamp: tuple[int, int]) -> tuple[float, float, Drawing | None]:
    if path.suffix.lower() == ".svg":
        from svglib.svglib import svg2rlg

        drawing = svg2rlg(str(path))
        if drawing is None or not drawing.width or not drawing.height:
            raise ValueError("the SVG has no size or no shapes")
        _embed_text(drawing)
        return drawing.width, drawing.height, drawing
    w, h = ImageReader(str(path)).getSize()
    return w, h, None


def _embed_text(node: object) -> None:
    """Text in an SVG logo is drawn in the bundled face (svglib would use Helvetica, which
    is not embedded): every font in a handout is embedded."""
    if isinstance(node, String):
        bold = "bold" in str(node.fontName).lower()
        node.fontName = "Body-Bold" if bold else "Body"
    for child in getattr(node, "contents", ()):
        _embed_text(child)


def logo_problem(path: Path) -> str | None:
    """Why the logo cannot be used, or None."""
    try:
        _, _, drawing = _load(path)
    except Exception:  # whatever the picture library raises, it is the brand's problem
        kind = path.suffix.lower().lstrip(".").upper()
        return (
            f"the logo cannot be read as a {kind} picture; save it again as a {kind} file "
            "from a drawing program"
        )
    if drawing is not None and _UNSUPPORTED.search(_drawn(drawing)):
        return (
            "the SVG logo uses see-through colour (opacity) or a gradient, which handouts "
            "cannot print; use solid colours in the SVG, or a PNG logo"
        )
    return None


_UNSUPPORTED = re.compile(r"/\S+ (gs|sh)\b")
"""Graphics-state and shading operators: page resources a handout does not carry."""


def _drawn(drawing: Drawing) -> str:
    """The page operators that drawing ``drawing`` makes."""
    from reportlab.graphics import renderPDF
    from reportlab.pdfgen.canvas import Canvas

    probe = Canvas(io.BytesIO())
    renderPDF.draw(drawing, probe, 0, 0)
    return "\n".join(probe._code)


def logo_flowable(path: Path, height: float) -> Flowable:
    """The logo scaled to ``height`` points, keeping its shape."""
    w, h, drawing = _load(path)
    scale = height / h
    if drawing is None:
        return Image(str(path), width=w * scale, height=height)
    group = Group(*drawing.contents)
    group.transform = (scale, 0, 0, scale, 0, 0)
    out = Drawing(w * scale, height, initialFontName="Body", initialFontSize=10)
    out.add(group)
    return out


def qr_flowable(url: str, size: float) -> Flowable:
    """A QR code of ``url``, ``size`` points square (with its quiet margin)."""
    return _QrCode(url, size)


class _QrCode(Flowable):
    """A QR code drawn as one filled path of squares: no font, no image, drawn once."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url, self.width, self.height = url, size, size

    def draw(self) -> None:
        self.canv._code.append(_qr_path(self.url, self.width))


@memo(256)
def _qr_path(url: str, size: float) -> str:
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    border = 4  # the quiet zone a reader needs, in modules
    box = size / (qr.getModuleCount() + 2 * border)
    parts = ["0 g"]
    for r, row in enumerate(qr.modules):
        c = 0
        for dark, run in itertools.groupby(map(bool, row)):
            count = len(list(run))
            if dark:
                x, y = (c + border) * box, size - (r + border + 1) * box
                parts.append(f"{fp_str(x)} {fp_str(y)} {fp_str(count * box)} {fp_str(box)} re")
            c += count
    parts.append("f")
    return "\n".join(parts)
