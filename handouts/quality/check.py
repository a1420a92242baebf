"""``handouts check``: the content quality gate.

Reads a content folder (ours or a clinic's) and reports, one line per finding
(``file:line: level: message``), on integrity, claims that must not appear,
completeness of sources, currency, plain language and reading level, for every
content file and for every handout the default run and the linked pairs make.

Levels: ``error`` always fails; ``warning`` fails under ``--strict``; ``info``
is a figure or advice that never fails (reading grades, passive voice).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from handouts.content import text
from handouts.content.brand import Brand, load_brand
from handouts.content.library import load_library
from handouts.content.load import Doc, Key
from handouts.content.model import Library, Link
from handouts.content.printable import Printer
from handouts.content.text import strings
from handouts.document.assemble import assemble
from handouts.document.document import Caution, Diary, Document, Para, Section, SourceList, WriteIn
from handouts.document.request import Request
from handouts.document.visit import assemble_visit
from handouts.errors import ContentError, UsageError
from handouts.quality import plain, safety

PROSE_KEYS = frozenset({"text", "action", "plain", "short", "how_to_count"})
"""Keys whose strings a reader sees as sentences."""
NOT_PROSE_FILES = ("sources.yaml", "handouts.yaml", "not-supported.yaml")
NOT_GRADED_SECTIONS = frozenset({"sources", "my-notes", "my-plan"})
"""Lists of sources, and what the patient or clinician writes (their notes, their plan)."""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    level: str
    """``error``, ``warning`` or ``info``."""
    rule: str
    """Which check: integrity, claims, sources, currency, plain-language, reading-level."""
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.level}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("error") else 0

    def summary(self) -> str:
        what = ", ".join(f"{n} {k}" for k, n in self.checked.items())
        return (
            f"checked {what or 'nothing'}: {self.count('error')} errors, "
            f"{self.count('warning')} warnings, {self.count('info')} notes"
        )

    def text(self) -> str:
        return "\n".join([*map(str, self.findings), self.summary()])

    def json(self) -> str:
        return json.dumps(
            {
                "findings": [asdict(f) for f in self.findings],
                "checked": self.checked,
                "errors": self.count("error"),
                "warnings": self.count("warning"),
                "notes": self.count("info"),
            },
            indent=2,
            ensure_ascii=False,
        )


def check(
    root: Path, printer: Printer, strict: bool = False, today: dt.date | None = None
) -> Report:
    """Check the content folder ``root`` (its words printable by ``printer``). Raises
    UsageError if it cannot run at all."""
    if not root.is_dir():
        raise UsageError(f"cannot check '{root}': no such content folder")
    report = Report()
    try:
        lib = load_library(root, printer)
    except ContentError as exc:
        for p in exc.problems:
            msg = f"{p.path}: {p.message}" if p.path else p.message
            report.findings.append(Finding(p.file, p.line, "error", "integrity", msg))
        return report
    brand = load_brand(None, printer)
    found = list(_files(lib))
    found += _currency(lib, today or dt.date.today())
    found += _orphans(lib)
    found += _sources(lib)
    found += [Finding(f, n, "error", "safety", msg) for f, n, msg in safety.findings(lib)]
    found += [
        Finding(f, n, "error" if bad else "info", "safety", msg)
        for f, n, msg, bad in safety.drafts(lib)
    ]
    handouts = list(_handouts(lib, brand))
    for label, file, line, doc in handouts:
        found += _graded(label, file, line, doc, by_section=not doc.visit)
    report.checked = {
        "conditions": len(lib.conditions),
        "links": len(lib.links),
        "medicines": len(lib.medicines),
        "handouts": len(handouts),
    }
    if strict:
        found = [_promote(f) for f in found]
    report.findings = sort_findings(found)
    return report


def _promote(f: Finding) -> Finding:
    """Under --strict a warning is an error."""
    return Finding(f.file, f.line, "error", f.rule, f.message) if f.level == "warning" else f


def _prose(doc: Doc) -> Iterator[tuple[Key, str]]:
    """The strings of ``doc`` a reader sees as sentences, with their key paths."""
    for path, value in doc.walk():
        if isinstance(value, str) and path and path[-1] in PROSE_KEYS:
            yield path, value


def _known_words(lib: Library) -> frozenset[str]:
    """Words the long-word rule lets pass: plain words, glossary terms, condition and
    medicine names (each handout explains those in its own sections)."""
    names = [t for term in lib.glossary for t in term.forms]
    for c in lib.conditions.values():
        names += [c.name, c.label, *c.other_names]
    for m in lib.medicines.values():
        names += [m.name, *m.also_called]
    known = {w.lower().removesuffix("'s") for n in names for w in plain.words(n)}
    return frozenset(known | lib.plain_words)


def claims(lib: Library) -> Iterator[Finding]:
    """Each sentence that says a claim that must not appear (``not-supported.yaml``), in
    the library's language (a translation's phrases are its own)."""
    for name, doc in lib.docs.items():
        if not name.endswith(NOT_PROSE_FILES):
            for path, value in _prose(doc):
                yield from _claimed(lib, name, doc.line(path), value)


def _claimed(lib: Library, file: str, line: int | None, value: str) -> Iterator[Finding]:
    for claim in lib.unsupported:
        for phrase in claim.phrases:
            if text.mentions(value, phrase):
                said = f"says '{phrase}', a claim that must not appear: {claim.reason}"
                yield Finding(file, line, "error", "claims", said)


def sort_findings(found: list[Finding]) -> list[Finding]:
    """Findings once each, by file, line, level and message."""
    return sorted(set(found), key=lambda f: (f.file, f.line or 0, f.level, f.message))


def _files(lib: Library) -> Iterator[Finding]:
    known = _known_words(lib)
    for name, doc in lib.docs.items():
        if name.endswith(NOT_PROSE_FILES):
            continue
        texts = list(_prose(doc))
        for path, value in texts:
            line = doc.line(path)
            yield from _claimed(lib, name, line, value)
            for n, sentence in plain.long_sentences(value):
                yield Finding(
                    name,
                    line,
                    "warning",
                    "plain-language",
                    f"a sentence of {n} words (at most {plain.MAX_WORDS}): '{_clip(sentence)}'",
                )
            if not name.endswith("glossary.yaml"):
                for word in plain.long_words(value, known):
                    yield Finding(
                        name,
                        line,
                        "warning",
                        "plain-language",
                        f"'{word}' may be a medical term: explain it in glossary.yaml "
                        "(or add it to plain_words there), or use a plainer word",
                    )
            for phrase in plain.passive(value):
                yield Finding(
                    name,
                    line,
                    "info",
                    "plain-language",
                    f"passive voice '{phrase}': say who does what",
                )
        if texts:
            g = plain.grades(plain.as_prose(v for _, v in texts))
            first = doc.line(texts[0][0])
            yield Finding(name, first, "info", "reading-level", f"reading level: {g}")
            if not g.passes:
                yield Finding(name, first, "warning", "reading-level", _too_hard("this file", g))


def _too_hard(what: str, g: plain.Grades) -> str:
    return (
        f"{what} reads above the target (grade {plain.FK_TARGET:g} Flesch-Kincaid, "
        f"{plain.SMOG_TARGET:g} SMOG): {g}; longest sentence: '{_clip(g.longest)}'"
    )


def _clip(s: str, n: int = 90) -> str:
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _currency(lib: Library, today: dt.date) -> Iterator[Finding]:
    for file, path in set(lib.review_at.values()):
        data: Any = lib.docs[file].data
        for part in path:
            data = data[part]
        due = data.get("next_review")
        if isinstance(due, dt.date) and due < today:
            line = lib.docs[file].line((*path, "next_review"))
            yield Finding(
                file,
                line,
                "warning",
                "currency",
                f"past its review date ({due:%Y-%m-%d}); handouts will not print it "
                "without --allow-expired",
            )


def _orphans(lib: Library) -> Iterator[Finding]:
    used_meds = {m for c in lib.conditions.values() for m in c.medicines}
    for r in lib.rules:
        used_meds |= {*r.when.medicines_all, *r.when.medicines_any}
    for mid in lib.medicines:
        if mid not in used_meds:
            file = lib.files[f"medicine:{mid}"]
            yield Finding(
                file,
                lib.docs[file].line(("id",)),
                "warning",
                "integrity",
                f"medicine '{mid}' is not listed by any condition or rule, so no handout shows it "
                "unless a patient takes it",
            )
    used_steps = {s for c in lib.conditions.values() for s in strings(c.lifestyle)}
    for sid in lib.steps:
        if sid not in used_steps:
            file = lib.files[f"step:{sid}"]
            line = lib.docs[file].item_line("steps", sid)
            yield Finding(
                file, line, "warning", "integrity", f"step '{sid}' is not used by any condition"
            )
    listed = {
        f for owner in [*lib.conditions.values(), *lib.medicines.values()] for f in owner.red_flags
    }
    for fid, flag in lib.red_flags.items():
        if fid not in listed and not flag.always:
            file = lib.files[f"flag:{fid}"]
            yield Finding(
                file,
                lib.docs[file].item_line("flags", fid),
                "warning",
                "integrity",
                f"red flag '{fid}' is not listed by any condition or medicine, so no handout "
                "shows it",
            )
    everything = " ".join(
        v
        for name, doc in lib.docs.items()
        if not name.endswith("glossary.yaml")
        for _, v in _prose(doc)
    )
    for i, term in enumerate(lib.glossary):
        if not any(text.mentions(everything, f) for f in term.forms):
            file = next(n for n in lib.docs if n.endswith("glossary.yaml"))
            yield Finding(
                file,
                lib.docs[file].line(("terms", i)),
                "info",
                "integrity",
                f"glossary word '{term.term}' is not used by any content",
            )


def _sources(lib: Library) -> Iterator[Finding]:
    """Every cited source resolves to an entry with a title, a year and an address."""
    cited = {
        str(k)
        for name, doc in lib.docs.items()
        for path, value in doc.walk()
        if path and path[-1] == "sources" and isinstance(value, list)
        for k in value
    }
    file = next((n for n in lib.docs if n.endswith("sources.yaml")), "sources.yaml")
    for key in sorted(cited):
        src = lib.sources.get(key)
        if src is None:
            continue  # an unknown key is an integrity error at load
        has_year = src.year or src.undated
        missing = [what for what, v in (("year", has_year), ("web address", src.url)) if not v]
        if missing:
            yield Finding(
                file,
                lib.docs[file].line((key,)),
                "warning",
                "sources",
                f"source '{key}' is cited but has no {' or '.join(missing)}",
            )


def _handouts(
    lib: Library, brand: Brand, language: str | None = None
) -> Iterator[tuple[str, str, int | None, Document]]:
    """The default handouts, the packs' handouts, then one for every linked pair of
    conditions (in ``language``: its words too; else the brand's)."""
    hfile = next(n for n in lib.docs if n.endswith("handouts.yaml"))
    done = set()
    for i, spec in enumerate(lib.handouts):
        req = Request(spec.conditions, spec.title, diary=spec.diary, language=language)
        done.add(frozenset(spec.conditions))
        line = lib.docs[hfile].line(("handouts", i))
        yield f"handout '{spec.id}'", hfile, line, assemble(lib, req, brand)
    for pack in lib.packs.values():
        pfile = lib.files[f"pack:{pack.id}"]
        for i, spec in enumerate(pack.handouts):
            if frozenset(spec.conditions) in done:
                continue
            done.add(frozenset(spec.conditions))
            req = Request(spec.conditions, spec.title, diary=spec.diary, language=language)
            line = lib.docs[pfile].line(("handouts", i))
            label = f"pack '{pack.id}' handout '{spec.id}'"
            yield label, pfile, line, assemble(lib, req, brand)
    for pair, link in sorted(lib.links.items(), key=lambda kv: kv[1].id):
        if pair in done:
            continue
        file = lib.files[f"link:{link.id}"]
        req = Request(tuple(link.conditions), language=language)
        yield f"handout for {' and '.join(link.conditions)}", file, 1, assemble(lib, req, brand)
    for _pair, link in sorted(lib.links.items(), key=lambda kv: kv[1].id):
        file = lib.files[f"link:{link.id}"]
        label = f"visit handout for {' and '.join(link.conditions)}"
        yield label, file, 1, _visit(lib, brand, link, language)


def _visit(lib: Library, brand: Brand, link: Link, language: str | None = None) -> Document:
    """A linked pair's visit handout as a patient on its usual medicines gets it: up to
    three of them, with nothing left out (every item it may print is graded)."""
    usual = [m for c in link.conditions for m in lib.conditions[c].medicines]
    req = Request(tuple(link.conditions), medicines=tuple(dict.fromkeys(usual))[:3],
                  format="visit", language=language)  # fmt: skip
    return assemble_visit(lib, req, brand, 0)


def _section_prose(section: Section) -> str:
    """What a reader reads in a section. In "Words to know" only the meanings count:
    the words themselves are the hard words the section is there to explain."""
    parts: list[str] = []
    for block in section.blocks:
        if isinstance(block, SourceList | WriteIn):
            continue
        if isinstance(block, Diary):
            parts += block.intro
        elif isinstance(block, Para) and section.id == "words-to-know":
            parts.append(block.text)
        elif isinstance(block, Caution):  # graded as before its "What to do:" was a field
            parts += strings((block.title, block.intro, block.points))
        else:
            parts += strings(block)
    return plain.as_prose(parts)


def _graded(
    label: str, file: str, line: int | None, doc: Document, by_section: bool = True
) -> Iterator[Finding]:
    """The handout's reading grades, whole and (``by_section``) section by section. A
    visit handout is held to the targets whole: its sections are a few sentences each
    (a grade of two sentences measures their longest word), and the same words are
    graded at length, section by section, in the full handout."""
    texts = {s.title: _section_prose(s) for s in doc.sections if s.id not in NOT_GRADED_SECTIONS}
    whole = plain.grades(" ".join(texts.values()))
    yield Finding(file, line, "info", "reading-level", f"{label}: reading level {whole}")
    if not whole.passes:
        yield Finding(file, line, "warning", "reading-level", _too_hard(label, whole))
    for title, prose in texts.items() if by_section else ():
        g = plain.grades(prose)
        if not g.passes:
            yield Finding(
                file, line, "warning", "reading-level", _too_hard(f"{label}, section '{title}'", g)
            )
