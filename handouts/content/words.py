"""The fixed words a reader sees, from a gettext catalogue per language.

Section titles, "For:", "Page 3 of 9", evidence words, tier names, the disclaimer: none is
written in the code. The code names each one by its English words (the catalogue's
``msgid``) and asks :func:`words` for the document's language; ``handouts/locale/LANG/
LC_MESSAGES/handouts.po`` gives the words to print (an empty ``msgstr`` prints the English).
Adding a language adds a catalogue, not code. The catalogues are read with Babel, which
also writes dates in each language (the Unicode CLDR).

Mark words where they are defined with :func:`N_` (it only marks them), and translate
them where they are used: ``_ = words(doc.language)``, then ``_(EVIDENCE_WORDS[key])``.
``make words`` collects every marked word into ``handouts/locale/handouts.pot`` and adds
the new ones to each catalogue; ``tests/test_words.py`` fails when either is out of date.
Values are put in after the words are looked up (``_("Page {page} of {pages}", page=3,
pages=9)``), so a patient's name is never read as a template.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.pofile import read_po

from handouts.content.spaces import NO_BREAK
from handouts.errors import ContentError, Problem
from handouts.memo import memo

LOCALE = Path(str(resources.files("handouts"))) / "locale"
"""The catalogues: ``LOCALE/<language>/LC_MESSAGES/handouts.po``; the template beside them."""
DOMAIN = "handouts"


def N_(msgid: str) -> str:
    """Mark ``msgid`` as words for the catalogue; it is translated where it is used."""
    return msgid


class Words:
    """The fixed words of one language: call it with the English words to get them."""

    def __init__(self, language: str, messages: Mapping[str, str]) -> None:
        self.language = language
        """The catalogue's language, e.g. ``en``: its words and its way of writing dates."""
        self.messages = dict(messages)
        """English words → this language's (empty: the English is printed)."""

    def __call__(self, msgid: str, /, **values: object) -> str:
        text = self.messages.get(msgid) or msgid
        return text.format(**values) if values else text

    def own(self, msgid: str) -> str | None:
        """This language's own words for ``msgid``, or None where it has none (then the
        English is printed, or, for a variant some languages need, the usual words)."""
        return self.messages.get(msgid) or None

    def date(self, day: dt.date, pattern: str) -> str:
        """``day`` written with a CLDR ``pattern`` (itself in the catalogue), e.g.
        ``d MMMM y`` → ``3 December 2026``; month names in the catalogue's language.
        Its spaces are no-break spaces (:mod:`handouts.content.spaces`): a large-print
        footer printed "next check due 01 Nov" and "2028." on the line below."""
        text = format_date(day, self(pattern), locale=Locale.parse(self.language))
        return text.replace(" ", NO_BREAK)  # a date stays on one line

    def all(self) -> tuple[str, ...]:
        """Every word this catalogue can print (for fonts: which characters to expect)."""
        return tuple(self(msgid) for msgid in self.messages)


@memo(64)  # asked for every handout: the catalogue folder is looked at once per tag
def catalogue_language(tag: str | None, folder: Path | None = None) -> str:
    """The catalogue a language tag reads: the tag's own when there is one (``pt_BR``),
    else its language's (``en-GB`` → ``en``)."""
    parts = (tag or "en").replace("_", "-").split("-")
    first = parts[0].lower()
    for rest in parts[1:2]:
        own = f"{first}_{rest.upper() if len(rest) == 2 else rest.title()}"
        if (folder or LOCALE).joinpath(own, "LC_MESSAGES", f"{DOMAIN}.po").is_file():
            return own
    return first


def words(tag: str | None, folder: Path | None = None) -> Words:
    """The words for language ``tag`` (``None``: English), from ``folder`` (the shipped
    catalogues when None)."""
    return _load(catalogue_language(tag, folder), folder or LOCALE)


@memo(16)
def _load(language: str, folder: Path) -> Words:
    path = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with path.open("rb") as f:
            catalog = read_po(f, locale=language)
    except OSError as exc:
        raise ContentError(
            [
                Problem(
                    str(path), None, "", f"no catalogue of words for '{language}': {exc.strerror}"
                )
            ]
        ) from None
    except Exception as exc:  # whatever the reader raises, the catalogue is at fault
        raise ContentError(
            [Problem(str(path), None, "", f"the catalogue cannot be read: {exc}")]
        ) from None
    messages: dict[str, str] = {}
    problems = []
    for m in catalog:
        if not m.id or not isinstance(m.id, str):
            continue
        if m.fuzzy:  # a guess nobody has checked: the English prints until someone does
            continue
        said = str(m.string or "")
        want, got = _fields(m.id), _fields(said)
        if said and got != want:
            names = ", ".join(sorted(want or ())) or "none"
            problems.append(
                Problem(
                    str(path),
                    m.lineno,
                    "msgstr",
                    f"the words for '{m.id}' must keep its placeholders ({names}) "
                    "and have no other braces",
                )
            )
        messages[m.id] = said
    if problems:
        raise ContentError(problems)
    return Words(language, messages)


def _fields(text: str) -> frozenset[str] | None:
    """The placeholders of ``text``: ``{page}`` (filled by the code) and ``{{ clinic.phone }}``
    (filled from the brand, as in content); None if it has any other braces."""
    filled = re.findall(r"\{\{ *([a-z_]+\.[a-z_]+) *\}\}", text)
    rest = re.sub(r"\{\{ *[a-z_]+\.[a-z_]+ *\}\}", "", text)
    try:
        parsed = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(rest)]
    except ValueError:
        return None
    names = [name for name, _, _ in parsed if name is not None]
    if any(not n.isidentifier() for n in names) or any(spec or conv for _, spec, conv in parsed):
        return None  # {0}, {a.b}, {page:>9}, {page!r}: only a plain {name} is a placeholder
    return frozenset(names) | {"{{ " + f + " }}" for f in filled}
