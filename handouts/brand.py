"""A clinic's brand: name, logo, colours, contact lines, footer, paper and language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import BrandError, Problem
from .load import Doc, path_text, read
from .schema import Builder, Invalid

DEFAULT_BRAND = Path(__file__).resolve().parent.parent / "brands" / "example" / "brand.yaml"
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


@dataclass(frozen=True)
class Colours:
    """Brand colours as ``#RRGGBB``."""

    primary: str
    """Headings, rules and the title band. Must read as dark in grayscale."""
    accent: str
    """Light tint behind the key-points box and checklists."""
    text: str = "#1A1A1A"
    """Body text."""
    background: str = "#FFFFFF"
    """Page background."""


@dataclass(frozen=True)
class Contact:
    """How a patient reaches the clinic; printed on every handout."""

    phone: str
    """Phone number, as it should be dialled."""
    address: str | None = None
    """Postal address on one line."""
    web: str | None = None
    """Web address (printed and clickable)."""


@dataclass(frozen=True)
class BrandFile:
    """A brand YAML file."""

    clinic_name: str
    """The clinic's name, as printed in the header."""
    contact: Contact
    """Contact lines."""
    colours: Colours
    """Colours."""
    footer: str = ""
    """Extra footer text, e.g. a department or registration line."""
    logo: str | None = None
    """PNG or SVG file, relative to the brand file."""
    logo_text: str | None = None
    """Words that describe the logo for screen readers; defaults to the clinic name."""
    paper: Literal["letter", "a4"] = "letter"
    """Paper size."""
    language: str = "en-US"
    """Language code of the printed handout, e.g. en-US or en-GB."""


@dataclass(frozen=True)
class Brand:
    """A loaded, checked brand."""

    file: str
    spec: BrandFile
    logo_path: Path | None

    @property
    def name(self) -> str:
        return self.spec.clinic_name


def load_brand(path: Path | None = None) -> Brand:
    """Read and check a brand file (the shipped example when ``path`` is None)."""
    path = path or DEFAULT_BRAND
    problems: list[Problem] = []
    result = read(path)
    if isinstance(result, Problem):
        raise BrandError([result])
    doc: Doc = result
    try:
        spec: BrandFile = Builder(doc, problems).value(BrandFile, doc.data, ())
    except Invalid:
        raise BrandError(problems) from None

    def add(key: tuple[str, ...], message: str) -> None:
        problems.append(Problem(doc.file, doc.line(key), path_text(key), message))

    for name in ("primary", "accent", "text", "background"):
        value = getattr(spec.colours, name)
        if not COLOUR.match(value):
            add(("colours", name), f"expected a colour like '#1F4E79', found '{value}'")
    if not LANGUAGE.match(spec.language):
        add(("language",), f"expected a language code like 'en-US', found '{spec.language}'")
    logo_path = None
    if spec.logo:
        logo_path = (path.parent / spec.logo).resolve()
        if logo_path.suffix.lower() not in (".png", ".svg"):
            add(("logo",), f"the logo must be a .png or .svg file, found '{spec.logo}'")
        elif not logo_path.is_file():
            add(("logo",), f"logo file not found: {logo_path}")
        else:
            from .logo import logo_problem

            problem = logo_problem(logo_path)
            if problem:
                add(("logo",), problem)
    if problems:
        raise BrandError(problems)
    return Brand(doc.file, spec, logo_path)
