"""A patient in from the command line or a patient file: details checked printable, and
conditions and medicines found from what a clinician types (ids, ICD-10 codes, names)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from handouts.content.load import read
from handouts.content.medicine_finder import low_dose_aspirin, named, only_low_dose_aspirin
from handouts.content.model import Library, Patient
from handouts.content.printable import Printer, private_text_problem
from handouts.content.schema import Builder, Invalid
from handouts.document.document import Personal
from handouts.errors import PatientError, Problem, did_you_mean, shown


def load_patient(path: Path, printer: Printer, lib: Library) -> Patient:
    """An example or saved patient file (name, clinician, date, notes, medicines), its
    medicines named as the content names them (ids). Every problem at once, each at its
    line (where the schema refuses a value, the others are still checked); none quotes
    the file (patient data)."""
    problems: list[Problem] = []
    doc = read(path, private=True)  # patient data: its mistakes never quote it
    if isinstance(doc, Problem):
        raise PatientError([doc])
    try:
        patient: Patient | None = Builder(doc, problems, private=True).value(Patient, doc.data, ())
    except Invalid:
        patient = None  # what the schema took is checked below, as written
    written = doc.data

    def text(key: str) -> str | None:
        value = written.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    details = ("name", "clinician", "notes")
    fields = {f: getattr(patient, f) if patient else text(f) for f in details}
    try:
        check_details(fields, str(path), printer, {f: doc.line((f,)) for f in fields})
    except PatientError as exc:
        problems += exc.problems
    listed = patient.medicines if patient else written.get("medicines")
    terms = list(enumerate(listed)) if isinstance(listed, list | tuple) else []
    terms = [(n, t.strip()) for n, t in terms if isinstance(t, str) and t.strip()]
    places = [(n, doc.line(("medicines", n))) for n, _ in terms]
    medicines: tuple[str, ...] = ()
    try:
        medicines = resolve_medicines(lib, tuple(t for _, t in terms), str(path), places=places)
    except PatientError as exc:
        problems += exc.problems
    if problems or patient is None:
        raise PatientError(sorted(problems, key=lambda p: p.line or 0))
    return dataclasses.replace(patient, medicines=medicines)


LIMITS = {"name": 200, "clinician": 200, "notes": 4_000, "title": 200}
"""The most characters of each detail: a name or title fits a line or two; notes fit a page
(and longer text would only slow every handout down)."""


def check_patient(patient: Patient, where: str, printer: Printer) -> None:
    """The patient's details fit the handout and every character is printable."""
    fields = {f: getattr(patient, f) for f in ("name", "clinician", "notes")}
    check_details(fields, where, printer)


def check_details(
    fields: dict[str, str | None],
    where: str,
    printer: Printer,
    lines: dict[str, int | None] | None = None,
) -> None:
    """Free text typed for one handout (``name``, ``clinician``, ``notes``, ``title``) fits
    its limit once normalised, and prints as typed: every problem at once, none quoting it
    (each at its line in ``where``, when ``lines`` has it)."""
    problems = []
    for field, value in fields.items():
        line = (lines or {}).get(field)
        value = nfc(value or "")
        limit = LIMITS[field]
        if len(value) > limit:
            said = f"too long: at most {limit:,} characters" + (
                " (about a page)" if field == "notes" else ""
            )
            problems.append(Problem(where, line, field, said))
        elif field != "notes" and any(ch in LINE_BREAKS for ch in value):
            said = "a line break (or a carriage return, or a vertical tab); write it on one line"
            problems.append(Problem(where, line, field, said))
        elif said := private_text_problem(printer, value):
            problems.append(Problem(where, line, field, said))
    if problems:
        raise PatientError(problems)


LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
"""What Python and a PDF reader take for the end of a line: a name, a clinician or a title
is one line (red team: "Ana\rX" printed "For: Ana", and "X" under it)."""


EMAIL = re.compile(
    r"^[A-Za-z0-9.#$&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
"""An address a message can be sent to: one ``@`` after the letters, digits and marks an
address may have (not ``%`` or ``!``, which some servers route on), and a domain of
dot-separated labels (an international domain written in its ASCII form). Nor ``=?``
(:func:`email_problem`): an e-mail library reads ``=?utf-8?q?…?=`` as another address
(red team: a handout went to the mailbox it spelt)."""


def email_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a patient's e-mail address (never quoting it)."""
    if (len(value) > 254 or not EMAIL.match(value) or ".." in value or "=?" in value
            or not value.isascii()):  # fmt: skip
        return "not an e-mail address like name@example.org (one @, no spaces, letters A to Z)"
    return None


PASSWORD_LENGTH = (6, 128)
"""The shortest and longest password a PDF is encrypted with."""


def password_problem(value: str) -> str | None:
    """What is wrong with ``value`` as the password of an e-mailed PDF (never quoting it)."""
    least, most = PASSWORD_LENGTH
    if not least <= len(value) <= most:
        return f"a PDF password needs {least} to {most} characters"
    if value != value.strip() or any(unicodedata.category(ch).startswith(("C", "Z")) and ch != " "
                                     for ch in value):  # fmt: skip
        return ("a PDF password cannot have spaces at its ends or control or invisible "
                "characters: the patient could not type it")  # fmt: skip
    return None


def personal(patient: Patient | None) -> tuple[Personal, str | None]:
    """What to print of a patient's details, and their notes; blank values print nothing."""
    if patient is None:
        return Personal(), None

    def given(value: str | None) -> str | None:
        return nfc(value.strip()) if value and value.strip() else None

    who = Personal(given(patient.name), given(patient.clinician), patient.date)
    return who, given(patient.notes)


def nfc(text: str) -> str:
    """``text`` with each letter and its accents as one character where Unicode has one
    (Zoe + U+0308 → Zoë), so accents never print as marks on their own."""
    return unicodedata.normalize("NFC", text)


def resolve_conditions(lib: Library, terms: list[str]) -> tuple[str, ...]:
    """Condition ids from ids or ICD-10 codes (``G43.1`` finds the condition coded ``G43``)."""
    out, problems = [], []
    for term in terms:
        # any case, as a clinic list reads it (red team: "Migraine" was refused here only)
        cid = term.lower() if term.lower() in lib.conditions else by_icd10(lib, term)
        if cid is None:
            hint = did_you_mean(term, lib.conditions)
            problems.append(
                Problem("--conditions", None, "", f"unknown condition '{shown(term)}'{hint}")
            )
        elif cid not in out:
            out.append(cid)
    if problems:
        raise PatientError(problems)
    return tuple(out)


EXPECTED_MEDICINE = (
    "expected a medicine's name, kind or brand, like 'sumatriptan', 'triptans' or 'Imitrex'"
)
"""What a medicine in a patient's file must be (said where the file's words are not quoted)."""


def resolve_medicines(
    lib: Library,
    terms: tuple[str, ...],
    where: str,
    field: str = "medicines",
    places: Sequence[tuple[int, int | None]] = (),
) -> tuple[str, ...]:
    """Medicine ids from ids, common names (``ibuprofen`` finds ``nsaids``), ingredients
    (``hydrocodone``) or brand names (``Advil``; a combination's brand or own name,
    ``Treximet``, ``co-codamol``, finds each medicine it contains), each once, in the order
    named; low-dose aspirin (``aspirin 81 mg``) finds none, but a medicine of ours named
    beside it in one term is found (:func:`handouts.content.medicine_finder.low_dose_aspirin`;
    beside anything else, the term is an unknown medicine, as before). A problem is said at
    ``where``, under ``field``; with ``places`` (a file's: each term's place in its list,
    and its line), at the term's line and place, without quoting it (a patient's file)."""
    names = lib.medicine_terms
    out: list[str] = []
    problems = []
    for n, term in enumerate(terms):
        if only_low_dose_aspirin(term):  # no painkiller: no NSAID card, no painkiller days
            continue
        beside = named([term], [lib.medicine_finder]) if low_dose_aspirin(term) else ()
        if beside:  # low-dose aspirin and a medicine of ours in one term (a review:
            out += [mid for mid in beside if mid not in out]  # the naproxen was lost)
            continue
        ids = names.get(term.lower())
        if ids is None:
            hint = did_you_mean(term.lower(), names)
            if places:
                at, line = places[n]
                said = f"unknown medicine{hint}; {EXPECTED_MEDICINE}"
                problems.append(Problem(where, line, f"{field}[{at}]", said))
            else:
                said = f"unknown medicine '{shown(term)}'{hint}"
                problems.append(Problem(where, None, field, said))
        else:
            out += [mid for mid in ids if mid not in out]
    if problems:
        raise PatientError(problems)
    return tuple(out)


def by_icd10(lib: Library, term: str) -> str | None:
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
