"""The orchestrator: load → validate → assemble → render → write, in that order.

Everything is read and checked before the first file is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import fonts, paths
from .assemble import Request, assemble
from .brand import Brand, load_brand
from .document import Document, Personal, Provenance
from .errors import (
    ContentError,
    PatientError,
    Problem,
    ProblemsError,
    UsageError,
    did_you_mean,
)
from .load import read
from .model import Library, Pack, Patient, Row
from .render import render, render_pack
from .schema import Builder, Invalid
from .validate import load_library
from .write import inside, write_atomic

DEFAULT_CONTENT = paths.CONTENT
DEFAULT_PATIENT = paths.PATIENT


@dataclass(frozen=True)
class Written:
    """One file written: where, how many pages, how many bytes, and what it printed only
    because it was allowed."""

    path: Path
    pages: int
    size: int
    allowed: tuple[Problem, ...] = ()
    """Content past its review date, or still a draft, printed because it was allowed."""


@dataclass(frozen=True)
class Allow:
    """Content a build prints anyway, with a warning, instead of refusing it."""

    expired: bool = False
    """Content past its review date (--allow-expired)."""
    draft: bool = False
    """Content that still needs clinical sign-off (--allow-draft); printed marked as a draft."""
    today: dt.date | None = None
    """The day review dates are checked against (--today); None: the real today."""

    def day(self) -> dt.date:
        return self.today or dt.date.today()


ALLOW_NOTHING = Allow()


def drafts(lib: Library, doc: Document) -> list[Problem]:
    """Content the handout uses that still needs clinical sign-off, once per review."""
    return _per_review(
        lib,
        doc,
        "draft",
        lambda p: (
            "still needs clinical sign-off: have a clinician review it, or pass "
            "--allow-draft to print it marked as a draft"
            if p.draft
            else None
        ),
    )


def expired(lib: Library, doc: Document, today: dt.date) -> list[Problem]:
    """Content the handout uses that is past its next review date, once per review."""
    return _per_review(
        lib,
        doc,
        "next_review",
        lambda p: (
            f"past its review date ({p.next_review:%Y-%m-%d}): have it checked, "
            "or pass --allow-expired to print it anyway"
            if p.next_review < today
            else None
        ),
    )


def _per_review(
    lib: Library, doc: Document, field: str, why: Callable[[Provenance], str | None]
) -> list[Problem]:
    """A problem for each review (file and line) of the content the handout uses that
    ``why`` finds something wrong with, at that review's ``field``."""
    found: dict[tuple[str, int | None], Problem] = {}
    for p in doc.provenance:
        said = why(p)
        if said:
            file, line = lib.review_line(p.item, field)
            found.setdefault((file, line), Problem(file, line, f"review.{field}", said))
    return list(found.values())


def _current(lib: Library, doc: Document, allow: Allow) -> tuple[Problem, ...]:
    """Expired and draft content the handout uses: refused unless allowed, else returned."""
    late, draft = expired(lib, doc, allow.day()), drafts(lib, doc)
    refused = ([] if allow.expired else late) + ([] if allow.draft else draft)
    if refused:
        raise ContentError(refused)
    return tuple(late + draft)


def load_inputs(content: Path, brand_file: Path | None) -> tuple[Library, Brand]:
    """Content and brand, checked together so every problem is reported at once."""
    problems: list[Problem] = []
    lib = brand = None
    try:
        lib = load_library(content)
    except ProblemsError as exc:
        problems += exc.problems
    try:
        brand = load_brand(brand_file)
    except ProblemsError as exc:
        problems += exc.problems
    if problems or lib is None or brand is None:
        raise ProblemsError(problems)
    return lib, brand


def load_patient(path: Path) -> Patient:
    """An example or saved patient file (name, clinician, date, notes)."""
    problems: list[Problem] = []
    doc = read(path)
    if isinstance(doc, Problem):
        raise PatientError([doc])
    try:
        patient = Builder(doc, problems).value(Patient, doc.data, ())
    except Invalid:
        raise PatientError(problems) from None
    check_patient(patient, str(path))
    return patient


def check_patient(patient: Patient, where: str) -> None:
    """Every character of the patient's details must be printable by a bundled font."""
    problems = []
    for field in ("name", "clinician", "notes"):
        value = getattr(patient, field)
        bad = fonts.unprintable(value) if value else []
        if bad:
            chars = ", ".join(fonts.describe(ch) for ch in bad)
            problems.append(Problem(where, None, field, f"no bundled font can print {chars}"))
    if problems:
        raise PatientError(problems)


def resolve_conditions(lib: Library, terms: list[str]) -> tuple[str, ...]:
    """Condition ids from ids or ICD-10 codes (``G43.1`` finds the condition coded ``G43``)."""
    out, problems = [], []
    for term in terms:
        cid = term if term in lib.conditions else _by_code(lib, term)
        if cid is None:
            hint = did_you_mean(term, lib.conditions)
            problems.append(Problem("--conditions", None, "", f"unknown condition '{term}'{hint}"))
        elif cid not in out:
            out.append(cid)
    if problems:
        raise PatientError(problems)
    return tuple(out)


def resolve_medicines(lib: Library, terms: tuple[str, ...], where: str) -> tuple[str, ...]:
    """Medicine ids from ids or common names (``ibuprofen`` finds ``nsaids``)."""
    names = {m.id: m.id for m in lib.medicines.values()}
    for med in lib.medicines.values():
        for alias in (med.name, *med.also_called):
            names.setdefault(alias.lower(), med.id)
    out, problems = [], []
    for term in terms:
        mid = names.get(term.lower())
        if mid is None:
            hint = did_you_mean(term.lower(), names)
            problems.append(Problem(where, None, "medicines", f"unknown medicine '{term}'{hint}"))
        elif mid not in out:
            out.append(mid)
    if problems:
        raise PatientError(problems)
    return tuple(out)


def _by_code(lib: Library, term: str) -> str | None:
    """The condition whose ICD-10 code is the longest prefix of ``term``."""
    code = "".join(term.upper().split())
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"  # G431 is written G43.1
    matches = [
        (len(prefix), cond.id)
        for cond in lib.conditions.values()
        for prefix in cond.icd10
        if code == prefix
        or code.startswith(prefix + ".")
        or ("." in prefix and code.startswith(prefix))
    ]
    return max(matches)[1] if matches else None


def personal(patient: Patient | None) -> tuple[Personal, str | None]:
    """What to print of a patient's details; blank values print nothing."""
    if patient is None:
        return Personal(), None

    def given(value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None

    who = Personal(given(patient.name), given(patient.clinician), patient.date)
    return who, given(patient.notes)


def find_pack(lib: Library, name: str) -> Pack:
    if name not in lib.packs:
        hint = did_you_mean(name, lib.packs)
        have = ", ".join(sorted(lib.packs)) or "none"
        raise UsageError(f"unknown pack '{name}'{hint}; packs: {have}")
    return lib.packs[name]


@dataclass(frozen=True)
class Rendered:
    """One row's PDF, in memory: its bytes, pages, and what it printed only because it was
    allowed (content past review, drafts)."""

    pdf: bytes
    pages: int
    allowed: tuple[Problem, ...] = ()


def pack_pdf(
    lib: Library,
    brand: Brand,
    pack: Pack,
    medicines: tuple[str, ...],
    notes: str | None,
    who: Personal,
    paper: str | None,
    allow: Allow,
    large_print: bool = False,
    language: str | None = None,
) -> Rendered:
    """A pack's PDF: the handouts for everyone, the patient's details and notes on the cover."""
    docs = [
        assemble(
            lib,
            Request(h.conditions, h.title, medicines, diary=h.diary, language=language),
            brand,
        )
        for h in pack.handouts
    ]
    first = pack.handouts[0]
    req = Request(first.conditions, first.title, medicines, notes, who, language=language)
    cover = assemble(lib, req, brand)
    cover = replace(
        cover,
        subject=f"Patient information pack: {pack.title}",
        keywords=tuple(dict.fromkeys(k for d in docs for k in d.keywords)),
        online=None,  # each handout in the pack has its own code; the cover has none
    )
    late: dict[Problem, None] = {}
    for doc in docs:
        late.update(dict.fromkeys(_current(lib, doc, allow)))
    pdf, pages = render_pack(pack.title, pack.intro, docs, cover, brand, paper, large_print)
    return Rendered(pdf, pages, tuple(late))


def handout_pdf(
    lib: Library,
    brand: Brand,
    req: Request,
    paper: str | None = None,
    allow: Allow = ALLOW_NOTHING,
    large_print: bool = False,
) -> Rendered:
    """One handout's PDF, refusing content past its review date unless allowed."""
    doc = assemble(lib, req, brand)
    late = _current(lib, doc, allow)
    pdf, pages = render(doc, brand, paper, large_print)
    return Rendered(pdf, pages, late)


def build_pack(
    lib: Library,
    brand: Brand,
    pack: Pack,
    medicines: tuple[str, ...],
    patient: Patient | None,
    out: Path,
    paper: str | None = None,
    allow: Allow = ALLOW_NOTHING,
    large_print: bool = False,
    language: str | None = None,
) -> Written:
    who, notes = personal(patient)
    done = pack_pdf(lib, brand, pack, medicines, notes, who, paper, allow, large_print, language)
    write_atomic(out, done.pdf)
    return Written(out, done.pages, len(done.pdf), done.allowed)


def render_row(
    lib: Library, brand: Brand, row: Row, date: dt.date | None, allow: Allow
) -> Rendered:
    """The handout or pack for one checked row of a clinic list."""
    patient = Patient(row.name, row.clinician, row.date or date, row.notes)
    who, notes = personal(patient)
    if row.pack:
        pack = lib.packs[row.pack]
        return pack_pdf(
            lib,
            brand,
            pack,
            row.medicines,
            notes,
            who,
            row.paper,
            allow,
            row.large_print,
            row.language,
        )
    req = Request(row.conditions, None, row.medicines, notes, who, language=row.language)
    return handout_pdf(lib, brand, req, row.paper, allow, row.large_print)


def build_one(
    lib: Library,
    brand: Brand,
    req: Request,
    out: Path,
    paper: str | None = None,
    allow: Allow = ALLOW_NOTHING,
    large_print: bool = False,
) -> Written:
    """Assemble, render and atomically write one handout."""
    done = handout_pdf(lib, brand, req, paper, allow, large_print)
    write_atomic(out, done.pdf)
    return Written(out, done.pages, len(done.pdf), done.allowed)


def default_run(
    content: Path,
    brand_file: Path | None,
    out_dir: Path,
    patient_file: Path | None,
    allow: Allow = ALLOW_NOTHING,
) -> list[Written]:
    """Build every handout listed in content/handouts.yaml into ``out_dir``.

    Every handout is rendered before the first is written, so a problem in any
    of them leaves the folder as it was.
    """
    lib, brand = load_inputs(content, brand_file)
    patient = load_patient(patient_file) if patient_file else None
    who, notes = personal(patient)
    meds = resolve_medicines(lib, patient.medicines, str(patient_file)) if patient else ()
    docs = []
    for spec in lib.handouts:
        req = Request(spec.conditions, spec.title, meds, notes, who, spec.diary)
        docs.append((spec, assemble(lib, req, brand)))
    late: dict[Problem, None] = {}
    for _, doc in docs:
        late.update(dict.fromkeys(_current(lib, doc, allow)))
    rendered = []
    for spec, doc in docs:
        pdf, pages = render(doc, brand)
        rendered.append((inside(out_dir, f"{spec.id}.pdf"), pdf, pages))
    written = []
    for path, pdf, pages in rendered:
        write_atomic(path, pdf)
        written.append(Written(path, pages, len(pdf), tuple(late)))
    return written
