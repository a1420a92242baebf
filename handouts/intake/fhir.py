"""Records in from an EHR: FHIR R4 Bundles (``.json``), FHIR Bulk Data exports (``.ndjson``,
one resource per line) or a folder of either, read into one clinic-list row per patient.

What is read, with the R4B models of ``fhir.resources`` (FHIR R4 data reads with them):
the Patient (name; preferred language from ``communication``; e-mail from ``telecom``), its
active Conditions (ICD-10-CM or SNOMED CT codes, mapped through content: ``icd10`` and
``snomed`` of each condition) and active MedicationRequests and MedicationStatements
(RxNorm ingredient codes, or the ingredients and brands named in a clinical-drug or
branded code's text, mapped through each medicine's ``ingredients`` and ``brands``). A
combination product maps to every group it contains. Resolved conditions and stopped
medicines are left out; an active one that maps to nothing is listed by code and display
on the row (``not_used``), never dropped silently. Other resource types are not read.

Every problem is found before anything is printed: a file that is not JSON, a resource
that breaks the FHIR specification (with its file, line and field), a patient that cannot
be printed for. Messages name files, lines, resource ids and fields; never a value, which
may be a patient's name or address.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from handouts.content import language
from handouts.content.load import parse
from handouts.content.model import Library
from handouts.content.printable import Printer
from handouts.errors import PatientError, Problem
from handouts.intake.clinic_list import MAX_BYTES, ClinicList, Row, _Raw, _row
from handouts.intake.patient import by_icd10, shown

SNOMED = "http://snomed.info/sct"
ICD10 = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SYSTEMS = {SNOMED: "SNOMED CT", RXNORM: "RxNorm", ICD10[0]: "ICD-10-CM", ICD10[1]: "ICD-10"}
"""The code systems read, by their FHIR URI, and how a list of codes names them."""

ACTIVE_CONDITION = ("active", "recurrence", "relapse")
"""Condition.clinicalStatus codes of a condition the patient has now."""
ACTIVE_MEDICINE = ("active",)
"""MedicationRequest/MedicationStatement status of a medicine the patient takes now."""
NOT_SO = ("refuted", "entered-in-error")
"""Condition.verificationStatus codes of a condition the patient does not have."""

MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Condition": Condition,
    "MedicationRequest": MedicationRequest,
    "MedicationStatement": MedicationStatement,
    "Medication": Medication,
}
"""The resource types read, and their models; any other type is passed over unread."""

KINDS = (".json", ".ndjson")


@dataclass
class _Found:
    """What one patient's record gave, gathered across files."""

    key: str  # the Patient id
    file: str
    line: int | None
    patient: Patient | None = None
    conditions: list[tuple[Condition, str, int | None]] = field(default_factory=list)
    medicines: list[tuple[Any, str, int | None, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class Record:
    """One patient's row, and what their record had that could not be used."""

    row: Row
    not_used: tuple[str, ...]
    """Each active condition or medicine that maps to nothing, by code and display
    (``SNOMED CT 44054006 Diabetes mellitus type 2``), and a preferred language with no
    translation."""
    found: tuple[str, ...]
    """What was found, for the person printing: ``migraine (SNOMED CT 37796009)``."""


def is_fhir(path: Path) -> bool:
    """Whether ``path`` is FHIR input (a .json or .ndjson file, or a folder), not a list."""
    return path.is_dir() or path.suffix.lower() in KINDS


def read_fhir(
    path: Path,
    lib: Library,
    printer: Printer,
    languages: Collection[str] = ("en",),
) -> tuple[ClinicList, dict[str, Record]]:
    """A clinic list of one visit-handout row per patient in ``path``, checked as a list's
    rows are (names printable, ids that can name a file), and each row's record by id.
    A file or resource that cannot be read raises :class:`PatientError` with every such
    problem, except a Bundle in a folder of them: that is an invalid row (named by its
    file), as is a patient that cannot be printed for."""
    files = _files(path)
    problems: list[Problem] = []
    found: dict[str, _Found] = {}
    broken: list[tuple[str, list[Problem]]] = []  # a folder's Bundles that cannot be read
    for file in files:
        mine: list[Problem] = []
        part: dict[str, _Found] = {}
        _read_file(file, part, mine)
        if mine and path.is_dir() and file.suffix.lower() == ".json":
            broken.append((file.stem, mine))
            continue
        problems += mine
        _merge(found, part, problems)
    if problems:
        raise PatientError(problems)
    if not found and not broken:
        said = "no Patient resource found: expected FHIR R4 Bundles (.json) or a Bulk Data export"
        raise PatientError([Problem(str(path), None, "", f"{said} (.ndjson)")])
    rows: list[Row | None] = []
    raws: list[_Raw] = []
    records: dict[str, Record] = {}
    bad: list[Problem] = []
    invalid: list[int] = []
    ids: list[str] = []
    matcher = _Matcher(lib)
    for n, one in enumerate(sorted(found.values(), key=lambda f: f.key), 1):
        raw, not_used, seen = _cells(one, lib, matcher, languages)
        row = _row(n, raw, lib, printer, (), languages)
        raws.append(raw)
        if one.patient is None:
            raw.bad.append(("", "conditions or medicines refer to this patient, but there is "
                                "no Patient resource for it"))  # fmt: skip
        if raw.bad:
            invalid.append(n)
            ids.append(one.key)
            where = f"Patient/{shown(one.key)}"
            for col, message in raw.bad:
                message = _for_record(col, message, not_used)
                bad.append(
                    Problem(one.file, one.line, f"{where}: {col}" if col else where, message)
                )
        elif row is not None:
            row = replace(row, not_used=tuple(not_used))
            rows.append(row)
            records[row.id] = Record(row, tuple(not_used), tuple(seen))
    good = tuple(r for r in rows if r is not None)
    cells = [tuple((raws[n - 1].cells or {}).values()) for n in invalid]
    for n, (stem, said) in enumerate(broken, len(raws) + 1):
        invalid.append(n)
        ids.append(stem)
        cells.append(())
        bad += said
    listed = ClinicList(str(path), good, tuple(bad), tuple(invalid), tuple(ids), tuple(cells))
    return listed, records


def _merge(found: dict[str, _Found], part: dict[str, _Found], problems: list[Problem]) -> None:
    """One file's patients added to those found before (a Bulk Data export gives each
    resource type its own file)."""
    for key, one in part.items():
        have = found.get(key)
        if have is None:
            found[key] = one
            continue
        if one.patient is not None:
            if have.patient is not None and have.patient != one.patient:
                where = f"Patient/{shown(key)}"
                said = "the same patient is given twice, differently"
                problems.append(Problem(one.file, one.line, where, said))
            have.patient, have.file, have.line = one.patient, one.file, one.line
        have.conditions += one.conditions
        have.medicines += one.medicines


def _for_record(col: str, message: str, not_used: list[str]) -> str:
    """A list's message, said for a record (which has no columns to fill in)."""
    if col == "conditions" and "found neither" in message:
        unused = "; ".join(not_used[:5]) + (
            f"; and {len(not_used) - 5} more" if len(not_used) > 5 else ""
        )
        return "no active condition in the record is one this content covers" + (
            f" (not mapped: {unused})" if not_used else ""
        )
    return message


def _files(path: Path) -> list[Path]:
    where = str(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in KINDS and p.is_file())
        if not files:
            _fail(where, "the folder has no .json or .ndjson files")
        return files
    if path.suffix.lower() not in KINDS:
        _fail(where, f"expected a FHIR Bundle (.json), a Bulk Data file (.ndjson) or a folder, "
                     f"not '{shown(path.name)}'")  # fmt: skip
    return [path]


def _fail(file: str, message: str) -> None:
    raise PatientError([Problem(file, None, "", message)])


def _text(file: Path) -> str:
    where = str(file)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            _fail(where, f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = file.read_bytes()
    except OSError as exc:
        _fail(where, f"cannot read the file: {exc.strerror}")
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        _fail(where, f"not UTF-8: byte 0x{data[exc.start]:02X} on line {line}; FHIR JSON is UTF-8")
    raise AssertionError  # unreachable: _fail raises


def _read_file(file: Path, found: dict[str, _Found], problems: list[Problem]) -> None:
    text, where = _text(file), str(file)
    if file.suffix.lower() == ".ndjson":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            data = _json(line, where, n, problems)
            if data is not None:
                _resource(data, where, n, (), {}, found, problems, lambda p, n=n: n)
        return
    data = _json(text, where, 0, problems)
    if data is None:
        return
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        kind = data.get("resourceType") if isinstance(data, dict) else None
        said = f"a {shown(str(kind))} resource" if isinstance(kind, str) else "not a FHIR resource"
        problems.append(
            Problem(where, 1, "resourceType", f"expected a FHIR Bundle; this is {said}")
        )
        return
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        problems.append(
            Problem(where, _line_of(text, where, ("entry",)), "entry", "expected a list")
        )
        return
    urls = {
        e.get("fullUrl"): e["resource"]
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("resource"), dict) and e.get("fullUrl")
    }
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            at = _line_of(text, where, ("entry", i))
            problems.append(Problem(where, at, f"entry[{i}]", "expected an object with a resource"))
            continue
        url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None

        def line(path: tuple[Any, ...], i: int = i) -> int | None:
            return _line_of(text, where, ("entry", i, "resource", *path))

        _resource(resource, where, None, (f"entry[{i}]", url), urls, found, problems, line)


def _json(text: str, where: str, line: int, problems: list[Problem]) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = line or exc.lineno
        problems.append(Problem(where, at, "", f"not valid JSON (column {exc.colno}): "
                                "check the export is complete and unchanged"))  # fmt: skip
    except RecursionError:
        problems.append(Problem(where, line or None, "", "nested too deeply to be FHIR"))
    return None


_LINES: dict[str, Any] = {}


def _line_of(text: str, where: str, path: tuple[Any, ...]) -> int | None:
    """The line of ``path`` in a JSON file, read again only when a problem needs it."""
    doc = _LINES.get(where)
    if doc is None or doc[0] is not text:
        parsed = parse(text, where)
        _LINES.clear()
        _LINES[where] = doc = (text, None if isinstance(parsed, Problem) else parsed)
    return doc[1].line(path) if doc[1] is not None else None


def _resource(
    data: dict[str, Any],
    where: str,
    line: int | None,
    entry: tuple[str, str | None] | tuple[()],
    urls: dict[str, Any],
    found: dict[str, _Found],
    problems: list[Problem],
    line_of: Any,
) -> None:
    kind = data.get("resourceType")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        if not isinstance(kind, str):
            problems.append(Problem(where, line_of(()), _place(entry, "resourceType"),
                                    "every resource needs its resourceType"))  # fmt: skip
        return
    try:
        resource = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors()[:10]:
            loc = tuple(error["loc"])
            name = kind + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
            problems.append(Problem(where, line_of(loc), _place(entry, name), _why(error)))
        return
    if kind == "Medication":
        return  # read where a medicine refers to it
    if kind == "Patient":
        key = resource.id or (entry[1] if entry and entry[1] else None)
        if not key:
            said = "a patient needs an id (it names the handout's file)"
            problems.append(Problem(where, line_of(()), _place(entry, "Patient.id"), said))
            return
        key = _key(key)
        one = found.setdefault(key, _Found(key, where, line_of(())))
        if one.patient is not None and one.patient != resource:
            problems.append(Problem(where, line_of(()), _place(entry, f"Patient/{shown(key)}"),
                                    "the same patient is given twice, differently"))  # fmt: skip
        one.patient, one.file, one.line = resource, where, line_of(())
        return
    subject = resource.subject.reference if resource.subject else None
    patient = urls.get(subject, {}).get("id") if subject in urls else None
    key = _key(patient or subject or "")
    if not key or (subject and "/" in subject and not subject.startswith(("Patient/", "urn:"))):
        problems.append(Problem(where, line_of(("subject",)), _place(entry, f"{kind}.subject"),
                                "expected a reference to the Patient (Patient/ID)"))  # fmt: skip
        return
    one = found.setdefault(key, _Found(key, where, line_of(())))
    if kind == "Condition":
        one.conditions.append((resource, where, line_of(())))
    else:
        one.medicines.append((resource, where, line_of(()), urls))


def _key(reference: str) -> str:
    """A patient's id from its id, ``Patient/ID`` or ``urn:uuid:ID``."""
    return reference.removeprefix("Patient/").removeprefix("urn:uuid:").strip()


def _place(entry: tuple[str, str | None] | tuple[()], name: str) -> str:
    return f"{entry[0]}: {name}" if entry else name


WHY = {
    "missing": "is required here",
    "extra_forbidden": "is not a field of this resource in FHIR R4",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "json_invalid": "expected an object",
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
}


def _why(error: Any) -> str:
    """A model's complaint in our own words (never its copy of the value)."""
    if error["type"] == "value_error" and not error["loc"]:
        return (
            "is not valid FHIR R4: a required choice (such as medication[x]) is missing "
            "or given twice"
        )
    return WHY.get(error["type"], "is not valid FHIR R4 here (a value in the wrong form)")


class _Matcher:
    """Finds conditions by code and medicines by code or by the ingredients and brands
    their text names (whole words, any case)."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.snomed = {code: c.id for c in lib.conditions.values() for code in c.snomed}
        self.rxnorm = {
            i.rxnorm: m.id for m in lib.medicines.values() for i in m.ingredients if i.rxnorm
        }
        names: dict[str, set[str]] = {}
        for med in lib.medicines.values():
            for word in (*(i.ingredient for i in med.ingredients), *med.brands):
                names.setdefault(word.lower(), set()).add(med.id)
        self.names = names
        words = sorted(names, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.I)
            if words
            else None
        )

    def condition(self, codings: list[Any]) -> tuple[str | None, Any]:
        for coding in codings:
            if coding.system == SNOMED and coding.code in self.snomed:
                return self.snomed[coding.code], coding
            if coding.system in ICD10 and coding.code:
                cid = by_icd10(self.lib, coding.code)
                if cid:
                    return cid, coding
        return None, None

    def medicines(self, concept: Any) -> tuple[list[str], Any]:
        codings = list(concept.coding or []) if concept else []
        out: list[str] = []
        how = None
        for coding in codings:
            if coding.system == RXNORM and coding.code in self.rxnorm:
                mid = self.rxnorm[coding.code]
                out += [mid] if mid not in out else []
                how = how or coding
        texts = [c.display for c in codings if c.display] + (
            [concept.text] if concept and concept.text else []
        )
        for text in texts if self.pattern else ():
            for match in self.pattern.finditer(text):
                for mid in sorted(self.names[match.group(1).lower()]):
                    if mid not in out:
                        out.append(mid)
                        how = how or next(iter(codings), None)
        return out, how


def _code(coding: Any) -> str:
    """``SNOMED CT 37796009``."""
    return f"{SYSTEMS.get(coding.system or '', coding.system or 'no system')} {coding.code}"


def _said(coding: Any, text: str | None = None) -> str:
    """``SNOMED CT 37796009 Migraine (disorder)``: a code as a list of codes shows it."""
    if coding is None:
        return shown(text or "no code", 80)
    system = SYSTEMS.get(coding.system or "", coding.system or "no system")
    words = coding.display or text or ""
    return shown(f"{system} {coding.code or '?'} {words}".strip(), 100)


def _cells(
    one: _Found, lib: Library, matcher: _Matcher, languages: Collection[str]
) -> tuple[_Raw, list[str], list[str]]:
    """A clinic-list row's cells from one patient's record; what was not used; what was."""
    not_used: list[str] = []
    seen: list[str] = []
    conditions: list[str] = []
    for cond, _file, _line in one.conditions:
        if not _condition_active(cond):
            continue
        codings = list(cond.code.coding or []) if cond.code else []
        cid, how = matcher.condition(codings)
        if cid is None:
            coded = next((c for c in codings if c.system in SYSTEMS), next(iter(codings), None))
            said = _said(coded, cond.code.text if cond.code else None)
            if said not in not_used:
                not_used.append(said)
        elif cid not in conditions:
            conditions.append(cid)
            seen.append(f"{cid} ({_code(how)})")
    medicines: list[str] = []
    for med, _file, _line, urls in one.medicines:
        if med.status not in ACTIVE_MEDICINE:
            continue
        concept = _medication(med, urls)
        mids, how = matcher.medicines(concept)
        if not mids:
            codings = list(concept.coding or []) if concept else []
            coded = next((c for c in codings if c.system == RXNORM), next(iter(codings), None))
            said = _said(coded, concept.text if concept else None)
            if said not in not_used:
                not_used.append(said)
        for mid in mids:
            if mid not in medicines:
                medicines.append(mid)
                seen.append(f"{mid} ({_code(how)})" if how else mid)
    cells = {"id": one.key, "conditions": ";".join(conditions), "medicines": ";".join(medicines)}
    cells["format"] = "visit"
    patient = one.patient
    if patient is not None:
        if name := _name(patient):
            cells["name"] = name
        if email := _email(patient):
            cells["email"] = email
        tag, why = _language(patient, languages)
        if tag:
            cells["language"] = tag
        if why:
            not_used.append(why)
    return _Raw(one.line or 1, cells), not_used, seen


def _condition_active(cond: Condition) -> bool:
    verified = (
        [c.code for c in (cond.verificationStatus.coding or [])] if cond.verificationStatus else []
    )
    if any(code in NOT_SO for code in verified):
        return False
    if cond.clinicalStatus is None:
        return (
            cond.abatementDateTime is None
            and cond.abatementPeriod is None
            and (
                cond.abatementAge is None
                and cond.abatementString is None
                and cond.abatementRange is None
            )
        )
    return any(c.code in ACTIVE_CONDITION for c in cond.clinicalStatus.coding or [])


def _medication(med: Any, urls: dict[str, Any]) -> Any:
    """The medicine's coded concept: its own, or its Medication's (contained or in the
    bundle)."""
    concept = getattr(med, "medicationCodeableConcept", None)
    if concept is not None:
        return concept
    ref = med.medicationReference.reference if getattr(med, "medicationReference", None) else None
    if not ref:
        return None
    for contained in med.contained or []:
        if ref == f"#{contained.id}" and getattr(contained, "code", None) is not None:
            return contained.code
    data = urls.get(ref)
    if data is None:
        data = next((d for u, d in urls.items() if u and u.endswith("/" + ref)), None)
    if isinstance(data, dict) and data.get("resourceType") == "Medication":
        return Medication.model_validate(data).code
    return None


def _name(patient: Patient) -> str | None:
    names = [n for n in patient.name or [] if not (n.period and n.period.end)]
    names.sort(key=lambda n: {"official": 0, "usual": 1}.get(n.use or "", 2))
    for name in names:
        if name.text and name.text.strip():
            return name.text.strip()
        parts = [*(name.given or []), name.family or ""]
        if " ".join(p for p in parts if p).strip():
            return " ".join(p for p in parts if p).strip()
    return None


def _email(patient: Patient) -> str | None:
    emails = [
        t
        for t in patient.telecom or []
        if t.system == "email" and t.value and t.use != "old" and not (t.period and t.period.end)
    ]
    emails.sort(key=lambda t: (t.rank or 1_000_000, 0 if t.use == "home" else 1))
    return emails[0].value.strip() if emails else None


def _language(patient: Patient, languages: Collection[str]) -> tuple[str | None, str | None]:
    """The preferred language's tag when there is content in it; else why it is not used."""
    spoken = list(patient.communication or [])
    spoken.sort(key=lambda c: 0 if c.preferred else 1)
    for one in spoken[:1]:
        tags = [c.code for c in one.language.coding or [] if c.code] if one.language else []
        for tag in tags:
            if language.unknown(tag, languages) is None:
                return language.canonical(tag), None
        if tags:
            return None, (f"preferred language {shown(tags[0], 20)}: no translation; "
                          "printed in the clinic's language")  # fmt: skip
    return None, None


def lines(records: dict[str, Record]) -> Iterator[str]:
    """What each record gave, for the person printing (ids and codes, never a name)."""
    for rid, rec in records.items():
        yield f"Patient/{shown(rid)}: " + ", ".join(rec.found or ("nothing mapped",))
        for said in rec.not_used:
            yield f"  not used: {said}"


def one_record(path: Path, lib: Library, printer: Printer, languages: Collection[str]) -> Record:
    """The one patient of a FHIR file (``handouts build --fhir``), checked; a file with
    none or several, or a patient that cannot be printed for, is refused."""
    listed, records = read_fhir(path, lib, printer, languages)
    if listed.problems:
        raise PatientError(listed.problems)
    if len(records) != 1:
        said = f"the record has {len(records)} patients; build prints for one: use handouts batch"
        raise PatientError([Problem(str(path), None, "", said)])
    return next(iter(records.values()))
