"""Pictures: logo files (PNG or SVG) as ReportLab flowables, each file read once, and the
QR code of a handout's online version."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib.rl_accel import fp_str
from reportlab.platypus import Flowable, Image

from handouts.memo import file_stamp, memo
from handouts.pdf.qr import code_rows


def _load(path: Path) -> tuple[float, float, Drawing | None]:
    """Width, height and (for SVG) the drawing: read again when the file changes."""
    return _loaded(path, file_stamp(path))


@memo(16)
def _loaded(path: Path, stamp: tuple[int, int]) -> tuple[float, float, Drawing | None]:
    if path.suffix.lower() == ".svg":
        from svglib.svglib import svg2rlg

        # only files inside the logo's own folder, and the checks above refuse those too
        drawing = svg2rlg(str(path), external_reference_root=str(path.parent))
        if drawing is None or not drawing.width or not drawing.height:
            raise ValueError("the SVG has no size or no shapes")
        _embed_text(drawing)
        return drawing.width, drawing.height, drawing
    return _png(path)


BOX = (64.0, 44.0)
"""The most a logo takes in the masthead, width and height in points: it is scaled to fit."""
DPI = 600
"""A PNG logo keeps at most the pixels that print at this resolution in ``BOX``."""


def _fit(w: float, h: float) -> float:
    """The scale that fits a ``w`` x ``h`` picture in ``BOX``, keeping its shape."""
    return min(BOX[0] / w, BOX[1] / h)


def _png(path: Path) -> tuple[float, float, None]:
    """A PNG logo's size in pixels, from its header."""
    from PIL import Image as PILImage

    with PILImage.open(path) as img:
        w, h = img.size
    return w, h, None


def printed_pixels(path: Path) -> tuple[int, int, bytes, bytes | None]:
    """A PNG logo's pixels as they print: width, height, RGB bytes and (if it has
    transparency) its alpha bytes, downscaled to what prints in ``BOX`` at ``DPI``. Read
    once per file, so a large logo costs one decode, not megabytes in every handout."""
    return _printed(path, file_stamp(path))


@memo(16)
def _printed(path: Path, stamp: tuple[int, int]) -> tuple[int, int, bytes, bytes | None]:
    from PIL import Image as PILImage
    from PIL import ImageMath

    with PILImage.open(path) as img:
        alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        if img.mode.startswith("I"):  # 16- or 32-bit grey: scaled to 8 bits, not clipped
            grey = img.point(lambda v: v * (1 / 256)).convert("L")
            rgba = grey.convert("RGB")
            if "transparency" in img.info:  # one grey value is see-through
                clear = img.info["transparency"]
                mask = ImageMath.lambda_eval(lambda a: (a["x"] != clear) * 255, x=img.convert("I"))
                rgba.putalpha(mask.convert("L"))
        else:
            rgba = img.convert("RGBA" if alpha else "RGB")
    w, h = rgba.size
    scale = _fit(w, h) * DPI / 72
    if scale < 1:
        size = (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale)))
        rgba = rgba.resize(size, PILImage.Resampling.LANCZOS)
    mask = rgba.getchannel("A").tobytes() if alpha else None
    return *rgba.size, rgba.convert("RGB").tobytes(), mask


def _embed_text(node: object) -> None:
    """Text in an SVG logo is drawn in the bundled face (svglib would use Helvetica, which
    is not embedded): every font in a handout is embedded."""
    if isinstance(node, String):
        bold = "bold" in str(node.fontName).lower()
        node.fontName = "Body-Bold" if bold else "Body"
    for child in getattr(node, "contents", ()):
        _embed_text(child)


MAX_SIDE = 4096
"""The most pixels on a side of a PNG logo (it prints 44 points high: 600 pixels is more
than enough), so a logo can never take gigabytes to decode."""
MAX_SVG_BYTES = 1_000_000
"""The largest SVG logo file (a logo is a few kilobytes; a huge one takes minutes to draw)."""
MAX_ELEMENTS = 2_000
"""The most elements (shapes, groups, text) in an SVG logo."""
MAX_POINTS = 10_000.0
"""The largest width or height of an SVG logo, in its own units."""


def logo_problem(path: Path) -> str | None:
    """Why the logo cannot be used, or None. The logo is read and drawn fully, once,
    here, so a picture that would fail later (cut short, no size) fails at brand load."""
    if path.suffix.lower() == ".svg":
        if path.stat().st_size > MAX_SVG_BYTES:
            return (
                f"the SVG logo is {path.stat().st_size:,} bytes; at most {MAX_SVG_BYTES:,} "
                "(a logo is a few shapes): simplify it, or save it as a PNG"
            )
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
        if text is None or (
            re.search(r"<\?xml[^>]*encoding", text[:200], re.I)
            and not re.search(r"encoding\s*=\s*[\"'](utf-8|us-ascii)[\"']", text[:200], re.I)
        ):
            return "the SVG logo must be saved as UTF-8 text (the usual way): save it again"
        elements = len(_ELEMENT.findall(text))
        if elements > MAX_ELEMENTS:
            return (
                f"the SVG logo has {elements:,} elements; at most {MAX_ELEMENTS:,} (a logo is a "
                "few shapes, and each is drawn on every handout): simplify it, or save it as a PNG"
            )
        if _OUTSIDE.search(text):
            return (
                "the SVG logo draws a picture or another file (an <image>, or a link to "
                "a file); a logo must be shapes only, in one file"
            )
    else:
        problem = _png_problem(path)
        if problem:
            return problem
    too_large = False
    try:
        w, h, drawing = _load(path)
        sized = all(math.isfinite(v) and 1 <= v <= MAX_POINTS for v in (w, h))
        if sized and drawing is not None:
            try:
                drawn = _drawn(drawing)
            except ValueError:  # ReportLab's C number formatting refuses a huge number
                if not _extreme(drawing):
                    raise
                drawn, too_large = "", True
    except Exception:  # whatever the picture library raises, it is the brand's problem
        kind = path.suffix.lower().lstrip(".").upper()
        return (
            f"the logo cannot be read as a {kind} picture; save it again as a {kind} file "
            "from a drawing program"
        )
    if drawing is not None and not sized:
        return (
            f"the SVG logo's width and height must each be between 1 and {MAX_POINTS:,.0f}; "
            "give the <svg> element a plain width, height and viewBox"
        )
    if drawing is not None and _UNSUPPORTED.search(drawn):
        return (
            "the SVG logo uses see-through colour (opacity) or a gradient, which handouts "
            "cannot print; use solid colours in the SVG, or a PNG logo"
        )
    if drawing is not None and _flattened(drawn):
        return (
            "the SVG logo scales a shape to nothing (a scale of 0, or one so small it "
            "rounds to 0), which makes a broken page; remove that transform"
        )
    if drawing is not None and (too_large or _too_large(drawn)):
        return (
            f"the SVG logo's shapes or transforms use numbers over {MAX_NUMBER:,.0f} (a "
            "tiny viewBox or a huge scale), which a PDF reader cannot draw; give the <svg> "
            "element a plain viewBox in the same units as its width and height"
        )
    return None


MAX_NUMBER = 1e7
"""The largest number a drawn SVG logo may write into the page (PDF readers are only
required to handle about 32,767, and a logo needs far less)."""
_STRING = re.compile(r"\((?:\\.|[^\\)])*\)")
_NUMBER = re.compile(r"(?<![\w/])-?(?:\d+\.?\d*|\.\d+)")


_ELEMENT = re.compile(r"<\s*[A-Za-z]")
_MATRIX = re.compile(r"(\S+) (\S+) (\S+) (\S+) \S+ \S+ cm\b")


def _flattened(drawn: str) -> bool:
    """Whether a transform in the page operators has no area (a singular matrix)."""
    code = _STRING.sub("", drawn)
    for found in _MATRIX.finditer(code):
        try:
            a, b, c, d = (float(v) for v in found.groups())
        except ValueError:
            continue
        if a * d - b * c == 0:
            return True
    return False


def _extreme(drawing: Drawing) -> bool:
    """Whether a number in the drawing (a transform, a coordinate, a size) is beyond
    ``MAX_NUMBER`` or not a number at all: what makes drawing it fail with a number that
    cannot be written."""
    stack: list[Any] = [drawing]
    while stack:
        node = stack.pop()
        values = list(vars(node).values()) + list(getattr(node, "transform", None) or ())
        for value in values:
            numbers = value if isinstance(value, list | tuple) else [value]
            for v in numbers:
                if (
                    isinstance(v, int | float)
                    and not isinstance(v, bool)
                    and not (math.isfinite(v) and abs(v) <= MAX_NUMBER)
                ):
                    return True
        stack += getattr(node, "contents", None) or []
    return False


def _too_large(drawn: str) -> bool:
    """Whether the page operators carry a number beyond ``MAX_NUMBER`` (text is skipped)."""
    code = _STRING.sub("", drawn)
    return any(abs(float(n)) > MAX_NUMBER for n in _NUMBER.findall(code))


_OUTSIDE = re.compile(r"<\s*(?:\w+:)?(?:image|feImage)\b|href\s*=\s*[\"'](?!#)", re.I)
"""What in an SVG would bring in another picture or file (only ``#local`` links are kept)."""


def _png_problem(path: Path) -> str | None:
    """A PNG logo too large to decode safely, or cut short: read fully, once."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as img:
            w, h = img.size
            if max(w, h) > MAX_SIDE:
                return (
                    f"the PNG logo is {w:,} x {h:,} pixels; at most {MAX_SIDE:,} on a side "
                    "(it prints 44 points high: 600 pixels is plenty): save it smaller"
                )
            img.load()
    except Exception:  # cut short, or not a PNG at all
        return (
            "the logo cannot be read as a PNG picture; save it again as a PNG file from a "
            "drawing program"
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


def logo_flowable(path: Path) -> Flowable:
    """The logo scaled to fit ``BOX``, keeping its shape."""
    w, h, drawing = _load(path)
    scale = _fit(w, h)
    if drawing is None:
        return Image(str(path), width=w * scale, height=h * scale)
    group = Group(*drawing.contents)
    group.transform = (scale, 0, 0, scale, 0, 0)
    out = _Clipped(w * scale, h * scale, initialFontName="Body", initialFontSize=10)
    out.add(group)
    return out


class _Clipped(Drawing):
    """A drawing that paints nothing outside its own box: an SVG's shapes beyond its
    artboard (a common export mistake, or a huge rectangle) never cover the page."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        canvas.saveState()
        box = canvas.beginPath()
        box.rect(x, y, self.width, self.height)
        canvas.clipPath(box, stroke=0, fill=0)
        super().drawOn(canvas, x, y, _sW)
        canvas.restoreState()


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


@memo(512)
def _qr_path(url: str, size: float) -> str:
    n, rows = code_rows(url)
    border = 4  # the quiet zone a reader needs, in modules
    box = size / (n + 2 * border)
    at = [fp_str(k * box) for k in range(n + border + 1)]  # where a run starts, in modules
    wide: dict[int, str] = {}  # a run's width, each once: a code repeats few of them
    tall = fp_str(box)
    parts = ["0 g"]
    for r, row in enumerate(rows):
        y = fp_str(size - (r + border + 1) * box)
        for run in _DARK.finditer(format(row, f"0{n}b")):
            c, count = run.start(), run.end() - run.start()
            width = wide.get(count) or wide.setdefault(count, fp_str(count * box))
            parts.append(f"{at[c + border]} {y} {width} {tall} re")
    parts.append("f")
    return "\n".join(parts)


_DARK = re.compile("1+")
