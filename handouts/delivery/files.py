"""Handouts to files: one for the patient in front of you, or the default set.

The pipeline makes the bytes; this module decides where they go, and writes nothing
until everything is made (:func:`handouts.delivery.write.write_atomic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handouts import pipeline
from handouts.content.brand import Brand
from handouts.content.model import Library
from handouts.delivery.write import PRIVATE, inside, write_atomic
from handouts.document.request import ALLOW_NOTHING, Allow, Request
from handouts.errors import Problem
from handouts.intake.patient import load_patient, personal


@dataclass(frozen=True)
class Written:
    """One file written: where, how many pages, how many bytes, and what it printed only
    because it was allowed."""

    path: Path
    pages: int
    size: int
    allowed: tuple[Problem, ...] = ()
    """Content past its review date, or still a draft, printed because it was allowed."""


def write_one(lib: Library, brand: Brand, req: Request, out: Path, mode: int = PRIVATE) -> Written:
    """Make and atomically write one handout or pack (private unless ``mode`` says)."""
    done = pipeline.make(lib, brand, req)
    write_atomic(out, done.pdf, mode)
    return Written(out, done.pages, len(done.pdf), done.allowed)


def default_run(
    content: Path,
    brand_file: Path | None,
    out_dir: Path,
    patient_file: Path | None,
    allow: Allow = ALLOW_NOTHING,
    mode: int = PRIVATE,
    language: str | None = None,
) -> list[Written]:
    """Build every handout listed in content/handouts.yaml into ``out_dir`` (in
    ``language``, else the brand's).

    Every handout is checked and rendered before the first is written, so a problem in
    any of them leaves the folder as it was.
    """
    lib, brand = pipeline.load_inputs(content, brand_file)
    patient = load_patient(patient_file, pipeline.PRINTER, lib) if patient_file else None
    who, notes = personal(patient)
    meds = patient.medicines if patient else ()
    asked = Request((), language=language)
    specs = pipeline.in_language(lib, brand, asked).handouts  # titles in that language
    reqs = [
        (
            spec.id,
            Request(
                spec.conditions,
                spec.title,
                meds,
                notes,
                who,
                spec.diary,
                language=language,
                allow=allow,
            ),
        )
        for spec in specs
    ]
    pipeline.check_all(lib, brand, [req for _, req in reqs])
    made = [(inside(out_dir, f"{sid}.pdf"), pipeline.make(lib, brand, req)) for sid, req in reqs]
    allowed = tuple(dict.fromkeys(p for _, done in made for p in done.allowed))
    written = []
    for path, done in made:
        write_atomic(path, done.pdf, mode)
        written.append(Written(path, done.pages, len(done.pdf), allowed))
    return written
