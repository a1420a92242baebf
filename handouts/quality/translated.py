"""``handouts check --language es``: the gate for content in another language.

1. Every unit translated from the English as it is now (:mod:`handouts.content.
   translations`): an untranslated unit is an error; a stale one (its English changed
   since) a warning, an error under ``--strict``. A language that is not whole is not
   printed, so nothing else is checked until it is.
2. The clinical-safety rules and the unsupported-claims check, with the language's own
   phrases (translated units too): a sign worded as a stroke sign sits in the emergency
   tier, no claim the evidence does not support appears, in Spanish as in English.
3. Spanish read as Spanish: each handout the English gate grades (the default and pack
   handouts, every linked pair's full and visit handout), in Spanish, graded with the
   Spanish formulas: Szigriszt-Pazos (INFLESZ) at least :data:`INFLESZ_MIN` ("bastante
   fácil"), and Fernández-Huerta as a figure (textstat, offline); each translated
   sentence at most :data:`plain.MAX_WORDS` words.
4. Spelling, with the system's Hunspell dictionary for Spanish (Debian ``hunspell-es``,
   read with spylls), and our own words (medicine and brand names) in
   ``content/locale/es/words.txt``.
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from textstat.textstat import textstatistics

from handouts.content import translations
from handouts.content.brand import load_brand
from handouts.content.language import base
from handouts.content.library import load_library
from handouts.content.model import Library
from handouts.content.printable import Printer
from handouts.document.document import Document
from handouts.errors import ContentError
from handouts.memo import memo
from handouts.quality import plain, safety
from handouts.quality.check import (
    NOT_GRADED_SECTIONS,
    Finding,
    Report,
    _handouts,
    _promote,
    _section_prose,
    claims,
    sort_findings,
)

INFLESZ_MIN = 65.0
"""INFLESZ's "bastante fácil" (fairly easy) starts at 65; 55–65 is "normal"."""
GRADED = ("es",)
"""Languages with readability formulas and a dictionary here."""
DICTIONARIES = Path("/usr/share/hunspell")
"""Where Debian's hunspell packages put their dictionaries."""
SPANISH = ("es_US", "es_MX", "es_ES")
"""The Spanish dictionaries to use, the first found (neutral Latin-American first)."""
NO_DICTIONARY = (
    "Spanish spelling needs the Hunspell dictionary for Spanish: install Debian's "
    "hunspell-es (apt-get install hunspell-es), or run make test, which does"
)


def check_language(root: Path, printer: Printer, language: str, strict: bool = False) -> Report:
    """Check ``language``'s translation of the content folder ``root``."""
    report = Report()
    found: list[Finding] = []
    missing = translations.status(root, language)
    for m in missing:
        stale = m.why == translations.STALE
        level = "warning" if stale and not strict else "error"
        said = f"{m.place}: {m.why}" if m.place else m.why
        found.append(Finding(m.file, m.line, level, "translation", said))
    report.checked = {"units": len(translations.all_units(root))}
    if missing:
        report.findings = sort_findings(found)
        return report
    try:
        lib = load_library(root, printer, language)
    except ContentError as exc:
        for p in exc.problems:
            msg = f"{p.path}: {p.message}" if p.path else p.message
            found.append(Finding(p.file, p.line, "error", "integrity", msg))
        report.findings = sort_findings(found)
        return report
    found += [Finding(f, n, "error", "safety", msg) for f, n, msg in _safety(lib)]
    found += list(claims(lib))
    if base(language) in GRADED:
        brand = load_brand(None, printer)
        with contextlib.suppress(KeyError):  # the example brand's own words in the language
            brand = replace(brand, spec=brand.spec.words_in(language))
        handouts = list(_handouts(lib, brand, language))
        for label, file, line, doc in handouts:
            found += _graded(label, file, line, _readable(doc))
        report.checked["handouts"] = len(handouts)
        found += list(_spelled(root, language))
        found += list(_sentences(root, language))
    if strict:
        found = [_promote(f) for f in found]
    report.findings = sort_findings(found)
    return report


def _safety(lib: Library) -> Iterator[tuple[str, int | None, str]]:
    """The clinical-safety rules that read the language's own phrases. Not "flag twins":
    it compares red flags' words without English's small words, and the same flags are
    compared in English already (a translation cannot make two signs one)."""
    yield from safety.flag_tiers(lib)
    yield from safety.flags_required(lib)
    yield from safety.numbers_by_hand(lib)
    yield from safety.named_conditions(lib)
    yield from safety.name_brackets(lib)


def _readable(doc: Document) -> str:
    """What a reader reads in a handout (as the English gate grades it)."""
    return " ".join(_section_prose(s) for s in doc.sections if s.id not in NOT_GRADED_SECTIONS)


_SPANISH_STATS = textstatistics()
_SPANISH_STATS.set_lang("es")
_STATS_LOCK = threading.Lock()


def grades(text: str) -> tuple[float, float]:
    """(INFLESZ, Fernández-Huerta) of Spanish ``text``: higher is easier."""
    with _STATS_LOCK:
        return (
            round(float(_SPANISH_STATS.szigriszt_pazos(text)), 1),
            round(float(_SPANISH_STATS.fernandez_huerta(text)), 1),
        )


def _graded(label: str, file: str, line: int | None, text: str) -> Iterator[Finding]:
    inflesz, huerta = grades(text)
    yield Finding(file, line, "info", "reading-level",
                  f"{label}: INFLESZ {inflesz}, Fernández-Huerta {huerta}")  # fmt: skip
    if inflesz < INFLESZ_MIN:
        yield Finding(file, line, "warning", "reading-level",
                      f"{label}: INFLESZ {inflesz}, under {INFLESZ_MIN:g} (bastante fácil): "
                      "use shorter sentences and shorter words")  # fmt: skip


def _units(root: Path, language: str) -> Iterator[tuple[str, int | None, str, str]]:
    """(catalogue, line, place, translation) of every translated unit."""
    for file in translations.content_files(root):
        path = translations.catalogue_path(root, language, file)
        cat = translations.read_catalogue(path)
        if cat is None:
            continue
        shown = str(path.relative_to(root.parent))
        for m in cat:
            if m.id and m.string:
                yield shown, m.lineno, m.context or "", m.string


def _sentences(root: Path, language: str) -> Iterator[Finding]:
    for file, line, place, said in _units(root, language):
        for n, sentence in plain.long_sentences(_PLACEHOLDER.sub("10", said)):
            clipped = sentence if len(sentence) <= 60 else sentence[:57] + "..."
            yield Finding(file, line, "warning", "plain-language",
                          f"{place}: a sentence of {n} words (at most {plain.MAX_WORDS}): "
                          f"'{clipped}'")  # fmt: skip


_WORD = re.compile(r"(?<![\w])[^\W\d_]+(?:[-'’][^\W\d_]+)*(?![\d])")
"""A word of letters (a hyphen or apostrophe may join two); not a letter stuck to a
figure (the 1b of interferón beta-1b)."""
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|\{[a-z_]+\}")


def _spelled(root: Path, language: str) -> Iterator[Finding]:
    words = own_words(root, language)
    dictionary = spanish_dictionary()
    if dictionary is None:
        yield Finding(str(DICTIONARIES), None, "error", "spelling", NO_DICTIONARY)
        return
    for file, line, place, said in _units(root, language):
        unknown = []
        for word in _WORD.findall(_PLACEHOLDER.sub(" ", said)):
            if word.lower() in words or word in unknown or _known(dictionary, word):
                continue
            unknown.append(word)
        if unknown:
            yield Finding(file, line, "warning", "spelling",
                          f"{place}: not in the Spanish dictionary or words.txt: "
                          f"{', '.join(unknown)}")  # fmt: skip


def _known(dictionary: object, word: str) -> bool:
    look = dictionary.lookup  # type: ignore[attr-defined]
    return bool(look(word) or look(word.lower()) or all(look(p) for p in re.split(r"[-'’]", word)))


def own_words(root: Path, language: str) -> frozenset[str]:
    """Our own words for a language (medicine and brand names, abbreviations), one a line,
    ``#`` for comments: ``content/locale/<language>/words.txt``."""
    path = root / "locale" / language / "words.txt"
    if not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@memo(None, shared=True)
def spanish_dictionary() -> object | None:
    """The first Spanish Hunspell dictionary installed (spylls reads it), or None."""
    from spylls.hunspell import Dictionary

    for name in SPANISH:
        if (DICTIONARIES / f"{name}.dic").is_file():
            # spylls leaves its files open for the collector to close: closed here, quietly
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                found = Dictionary.from_files(str(DICTIONARIES / name))
                gc.collect()
            return found
    return None
