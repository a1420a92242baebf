"""The PDF renderer's answer to "can this be printed?" (:mod:`handouts.content.printable`):
its bundled fonts' characters, and the logos its picture reader can draw."""

from __future__ import annotations

from pathlib import Path

from handouts.pdf import fonts, logo


class PdfPrinter:
    def unprintable(self, text: str) -> list[str]:
        return fonts.unprintable(text)

    def not_shared(self, text: str) -> list[str]:
        return fonts.not_shared(text)

    def picture_problem(self, path: Path) -> str | None:
        return logo.logo_problem(path)


PDF = PdfPrinter()
