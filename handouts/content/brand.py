"""A clinic's brand: name, logo, colours, contact lines, footer, paper and language."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from handouts import paths
from handouts.content import language
from handouts.content.load import Doc, path_text, read
from handouts.content.printable import Printer, shared_text_problem
from handouts.content.schema import Builder, Invalid
from handouts.errors import BrandError, Problem, shown

DEFAULT_BRAND = paths.BRAND
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
ONLINE = re.compile(r"^https?://[^\s/]+/(\S*/)?$")
WHITE = "#FFFFFF"


def _strays(address: str) -> bool:
    """Whether a web address's path climbs or stays ('..', '.', also written %2e) or it
    has a query or fragment: the site's folders would not be where it points."""
    if "?" in address or "#" in address:
        return True
    path = address.split("://", 1)[-1].partition("/")[2]
    parts = path.lower().replace("%2e", ".").replace("%2f", "/").replace("%5c", "/").split("/")
    return any(p in (".", "..") or "\\" in p for p in parts)


GREY = "#E8E8E8"
"""The fill behind the "Tell us at your next visit" heading, in the brand's text colour."""

CONTRAST: tuple[tuple[str, str, float, str], ...] = (
    ("text", "background", 4.5, "body text needs"),
    ("text", "accent", 4.5, "body text in boxes needs"),
    ("primary", "background", 3.0, "headings need"),
    ("white", "primary", 3.0, "box headings need"),
    ("text", "grey", 4.5, "the 'Tell us at your next visit' heading needs"),
)
"""(foreground, background, least WCAG 2.x contrast ratio, who needs it) for the colour pairs
the renderer draws. Body text is 13 pt regular (4.5:1); ``primary`` colours only the title and
the main headings (18 pt bold and larger) and the fill behind the white 14 pt bold box headings,
large text under WCAG (3:1). ``white`` is #FFFFFF and ``grey`` the fixed fill behind the
"Tell us at your next visit" heading (:data:`GREY`); the other names are :class:`Colours`
fields."""


@dataclass(frozen=True)
class Colours:
    """Brand colours as ``#RRGGBB``."""

    primary: str
    """The title and main headings, rules, box borders and the fill behind white box headings.
    At least 3:1 on the background and with white; must read as dark in grayscale."""
    accent: str
    """Light tint behind the key-points box and checklists."""
    text: str = "#1A1A1A"
    """Body text and smaller headings: at least 4.5:1 on the background and on the accent."""
    background: str = "#FFFFFF"
    """Page background."""


@dataclass(frozen=True)
class Contact:
    """How a patient reaches the clinic; printed on every handout."""

    phone: str
    """Phone number, as it should be dialled."""
    after_hours: str
    """Where to call when the clinic is closed, as it reads after "If we are closed, call"
    (``our after-hours line on 555-0199``, ``NHS 111``); printed in the "Call us today" tier."""
    emergency_number: str
    """The local emergency number (``911``, ``999``, ``112``), printed in the emergency tier."""
    crisis_line: str
    """A 24-hour crisis line, as it reads after "To talk to someone now," (``call or text 988
    (the Suicide and Crisis Lifeline)``; ``call Samaritans on 116 123``); printed with the
    self-harm sign and the mood cautions of medicine cards."""
    address: str | None = None
    """Postal address on one line."""
    web: str | None = None
    """Web address (printed and clickable)."""


@dataclass(frozen=True)
class BrandWords:
    """The brand's own words in another language (``translations:`` in brand.yaml): each
    sentence a patient reads from the brand, for handouts in that language."""

    language: str
    """The language, e.g. ``es``."""
    after_hours: str
    crisis_line: str
    footer: str = ""
    logo_text: str | None = None


TRANSLATED = ("after_hours", "crisis_line", "footer", "logo_text")
"""The brand's words a handout in another language needs in that language."""


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
    online: str | None = None
    """Base web address of the online versions of the handouts, e.g.
    https://riverside.example.org/h/; when set, each handout prints a QR code and a short
    link to its online version."""
    email_name: str | None = None
    """The clinic's name in an e-mail (subject, sender and body): one that says nothing
    about health ("Riverside Clinic", not "Riverside Headache Clinic"), since anyone who
    sees the inbox or a lock screen may read it. Defaults to the clinic name."""
    translations: tuple[BrandWords, ...] = ()
    """The brand's words in other languages (a handout in a language the brand has no
    words for is refused, never printed with the brand's English inside)."""

    def words_in(self, tag: str) -> BrandFile:
        """This brand with its words in the language of ``tag`` (``es`` for ``es-MX``),
        or as written for English. Raises KeyError when it has none in that language."""
        base = language.base(tag)
        if base == "en":
            return self
        own = next((t for t in self.translations if language.base(t.language) == base), None)
        if own is None:
            raise KeyError(base)
        contact = replace(self.contact, after_hours=own.after_hours, crisis_line=own.crisis_line)
        return replace(
            self, contact=contact, footer=own.footer, logo_text=own.logo_text or self.logo_text
        )


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#RRGGBB`` colour (sRGB), 0 (black) to 1 (white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` colours, 1 to 21, in either order."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Brand:
    """A loaded, checked brand."""

    file: str
    spec: BrandFile
    logo_path: Path | None

    @property
    def name(self) -> str:
        return self.spec.clinic_name


TEXT_LIMIT = 200
"""The most characters of a brand's words (a clinic's name, its after-hours line): a line
or two of a handout."""
TEXT_LIMITS = {"phone": 40, "emergency_number": 40, "footer": 300}
"""Where a brand's words have another limit."""


def _words(spec: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """The brand's words every handout may print, with their keys: its name, footer and
    logo's words, its contact lines, and each translation's words."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for key in ("clinic_name", "footer", "logo_text"):
        found.append(((key,), getattr(spec, key)))
    if spec.contact is not None:
        for f in fields(Contact):
            found.append((("contact", f.name), getattr(spec.contact, f.name)))
    for i, words in enumerate(spec.translations if isinstance(spec.translations, tuple) else ()):
        for key in TRANSLATED:
            found.append((("translations", i, key), getattr(words, key)))
    return [(key, value) for key, value in found if isinstance(value, str) and value]


class _Written:
    """A brand file's values as written, where the schema refused the file: each text
    value (stripped, as the schema gives it), the ``colours`` and ``contact`` mappings and
    each of the ``translations`` as more of the same, anything else None (a mapping or
    list where text belongs: the schema said so), so that the checks below say their
    problems with the schema's."""

    MAPPINGS = frozenset({"colours", "contact"})

    def __init__(self, data: object):
        self._data = data if isinstance(data, dict) else {}

    def __getattr__(self, name: str) -> Any:
        value = self._data.get(name)
        if name in self.MAPPINGS:
            return _Written(value) if isinstance(value, dict) else None
        if name == "translations":  # a list of mappings: each as its values as written
            return tuple(_Written(v) for v in value) if isinstance(value, list) else None
        return value.strip() if isinstance(value, str) and value.strip() else None


def load_brand(path: Path | None, printer: Printer) -> Brand:
    """Read and check a brand file (the shipped example when ``path`` is None); its logo
    must be one ``printer`` can draw."""
    path = path or DEFAULT_BRAND
    problems: list[Problem] = []
    result = read(path)
    if isinstance(result, Problem):
        raise BrandError([result])
    doc: Doc = result
    try:
        spec: Any = Builder(doc, problems).value(BrandFile, doc.data, ())
    except Invalid:  # what can still be checked is, so that every problem is said at once
        spec = _Written(doc.data)

    def add(key: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(doc.file, doc.line(key), path_text(key), message))

    colours = {"white": WHITE, "grey": GREY}
    for name in ("primary", "accent", "text", "background"):
        value = None if spec.colours is None else getattr(spec.colours, name)
        if value is None:  # (only in a file the schema refused: said there)
            continue
        if COLOUR.match(value):
            colours[name] = value
        else:
            add(("colours", name), f"expected a colour like '#1F4E79', found '{shown(value)}'")

    def label(name: str) -> str:
        fixed = {"white": "white", "grey": "the grey box fill"}
        return f"{fixed.get(name, 'colours.' + name)} '{colours[name]}'"

    for fore, back, least, needs in CONTRAST:
        if fore in colours and back in colours:
            ratio = contrast(colours[fore], colours[back])
            if ratio < least:
                floored = math.floor(ratio * 100) / 100  # 4.499 shows as 4.49, never 4.50
                add(
                    ("colours", back if fore == "white" else fore),
                    f"{label(fore)} on {label(back)} has a contrast ratio of {floored:.2f}:1; "
                    f"{needs} at least {least:g}:1",
                )
    said = spec.language and language.problem(spec.language)  # (None: as above)
    if said:
        add(("language",), said)
    seen: set[str] = set()
    for i, words in enumerate(spec.translations if isinstance(spec.translations, tuple) else ()):
        tag, at = words.language, ("translations", i, "language")
        if not isinstance(tag, str) or not tag:  # (the schema said so)
            continue
        base = language.base(tag)
        if said := language.problem(tag):
            add(at, said)
        elif base == "en":
            add(at, "handouts in English print the brand's own words; leave this out")
        elif base in seen:
            add(at, f"the words for '{base}' are given above (they serve '{base}' with any "
                "region too); give each language's words once")  # fmt: skip
        seen.add(base)
    if spec.online is not None and (not ONLINE.match(spec.online) or _strays(spec.online)):
        add(
            ("online",),
            "expected a web address ending in '/', like 'https://example.org/h/' (no '.' or "
            f"'..' folders, '?' or '#'), found '{shown(spec.online, 120)}'",
        )
    name = spec.email_name
    if name is not None and (
        not name.strip()
        or len(name) > 100
        or any(unicodedata.category(ch)[0] == "C" for ch in name)
    ):
        add(
            ("email_name",),
            "expected a short name on one line (at most 100 characters, no "
            "control characters), like 'Riverside Clinic'",
        )
    for key, value in _words(spec):  # printed in every handout, as shared text
        most = TEXT_LIMITS.get(key[-1], TEXT_LIMIT)
        if len(value) > most:
            add(key, f"too long: at most {most} characters")
        elif key[-1] != "logo_text" and (said := shared_text_problem(printer, value)):
            add(key, said)  # (a logo's words are read aloud, not drawn)
    logo_path = None
    if spec.logo and "\0" in spec.logo:  # no file can be named so (the path would raise)
        add(("logo",), "the logo's file name has a NUL character; write the file's name")
    elif spec.logo:
        folder = path.parent.resolve()
        logo_path = (path.parent / spec.logo).resolve()
        if not logo_path.is_relative_to(folder):
            add(
                ("logo",),
                f"the logo must be a file in the brand's own folder ({folder}), found "
                f"'{shown(spec.logo, 120)}'",
            )
        elif logo_path.suffix.lower() not in (".png", ".svg"):
            add(("logo",), f"the logo must be a .png or .svg file, found '{shown(spec.logo, 120)}'")
        elif not logo_path.is_file():
            add(("logo",), f"logo file not found: {shown(str(logo_path), 200)}")
        else:
            problem = printer.picture_problem(logo_path)
            if problem:
                add(("logo",), problem)
    if problems:
        raise BrandError(problems)
    return Brand(doc.file, spec, logo_path)
