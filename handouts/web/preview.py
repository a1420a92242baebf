"""Pictures of a handout's pages for the web page's preview, drawn in memory by PDFium
(pypdfium2) and sent inside the page itself: nothing is written to disk or kept."""

from __future__ import annotations

import base64
import io
import threading

import pypdfium2 as pdfium

WIDTH = 760
"""Pixels across a preview page: readable on a laptop screen, about 100 dpi on Letter."""
MOST_PAGES = 30
"""The most pages pictured (a pack runs longer; the PDF has them all)."""
_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: one preview is drawn at a time in a process, whichever
request's thread asks."""


def page_pictures(pdf: bytes) -> list[str]:
    """Each page (up to :data:`MOST_PAGES`) as a ``data:`` address of a PNG picture."""
    with _PDFIUM:
        return _pictures(pdf)


def _pictures(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for n in range(min(len(doc), MOST_PAGES)):
            page = doc[n]
            try:
                scale = WIDTH / page.get_width()
                image = page.render(scale=scale, grayscale=False).to_pil()
            finally:
                page.close()
            png = io.BytesIO()
            image.convert("RGB").save(png, format="PNG", optimize=False, compress_level=6)
            out.append("data:image/png;base64," + base64.b64encode(png.getvalue()).decode())
        return out
    finally:
        doc.close()
