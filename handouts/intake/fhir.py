"""Records in from an EHR: FHIR R4 Bundles (``.json``), FHIR Bulk Data exports (``.ndjson``,
one resource per line) or a folder of either, read into one clinic-list row per patient.

What is read, with the R4B models of ``fhir.resources`` (FHIR R4 data reads with them):
the Patient (name; preferred language from ``communication``; e-mail from ``telecom``), its
active, confirmed Conditions and its active MedicationRequests and MedicationStatements
(their own code, or their Medication's, contained, in the Bundle or in the export). Codes
map through content (:mod:`handouts.intake.coding`). Resolved, refuted or unconfirmed
conditions and stopped or "do not take" medicines are left out; an active one that maps to
nothing is listed by code and display on the row (``not_used``), never dropped silently.
Other resource types are not read.

Every problem is found before anything is printed: a file that is not JSON, a resource
that breaks the FHIR specification (with its file, line and field), a patient who cannot
be printed for. A Bundle in a folder of them that cannot be read is that file's row
problem, and so is each patient it refers to. Messages name files, lines, resource ids
and fields; never a value, which may be a patient's name or address.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts.content import language
from handouts.content.load import Doc, parse
from handouts.content.model import Library
from handouts.content.printable import Printer
from handouts.errors import PatientError, Problem, shown
from handouts.intake.clinic_list import MAX_BYTES, ClinicList, Row, check_cells
from handouts.intake.coding import RXNORM, SYSTEMS, Coding, described
from handouts.intake.patient import email_problem
from handouts.memo import memo

if TYPE_CHECKING:
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.patient import Patient

ACTIVE_CONDITION = ("active", "recurrence", "relapse")
"""Condition.clinicalStatus codes of a condition the patient has now."""
NOT_CONFIRMED = ("refuted", "entered-in-error", "provisional", "differential", "unconfirmed")
"""Condition.verificationStatus codes of a condition not known to be the patient's."""
ACTIVE_MEDICINE = ("active",)
"""MedicationRequest/MedicationStatement status of a medicine the patient takes now."""

READ = ("Patient", "Condition", "MedicationRequest", "MedicationStatement", "Medication")
"""The resource types read; any other type is passed over unread."""


@memo(None, shared=True)
def models() -> dict[str, Any]:
    """The models of the resource types read (:data:`READ`), imported when a FHIR file is
    first read: the FHIR models take a quarter of a second to import, which every other
    command (a handout, a clinic list) would wait for."""
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.medication import Medication
    from fhir.resources.R4B.medicationrequest import MedicationRequest
    from fhir.resources.R4B.medicationstatement import MedicationStatement
    from fhir.resources.R4B.patient import Patient

    return dict(zip(READ, (Patient, Condition, MedicationRequest, MedicationStatement,
                           Medication), strict=True))  # fmt: skip


KINDS = (".json", ".ndjson")

Line = Callable[[tuple[Any, ...]], int | None]
"""The line of a key path inside the resource being read."""


@dataclass
class _Found:
    """What one patient's record gave, gathered across files."""

    key: str  # the Patient id
    file: str
    line: int | None
    patient: Patient | None = None
    conditions: list[Condition] = field(default_factory=list)
    medicines: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    """Each MedicationRequest or MedicationStatement, with the Medications its references
    may name: its own Bundle's, or the whole export's."""
    conflict: str = ""  # the same patient given twice, differently


@dataclass(frozen=True)
class Record:
    """One patient's row (what the record had that could not be used is ``row.not_used``),
    and what the record gave."""

    row: Row
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
    rows are (names printable, files that do not clash), and each row's record by id."""
    files = _files(path)
    reading = _Reading()
    broken: list[tuple[str, list[Problem], set[str]]] = []
    for file in files:
        part = _Reading(medications=reading.medications)
        part.read(file)
        if part.problems and path.is_dir() and file.suffix.lower() == ".json":
            broken.append((file.name, part.problems, set(part.found) | part.touched))
            continue
        reading.merge(part)
    if reading.problems:
        raise PatientError(reading.problems)
    if not reading.found and not broken:
        said = "no Patient resource found: expected FHIR R4 Bundles (.json) or a Bulk Data export"
        raise PatientError([Problem(str(path), None, "", f"{said} (.ndjson)")])
    spoiled = {key: name for name, _, keys in broken for key in keys}
    for key in spoiled:  # a patient only a broken Bundle names is said, not missed
        reading.found.setdefault(key, _Found(key, spoiled[key], None))
    coding = Coding(lib)
    rows: list[Row] = []
    records: dict[str, Record] = {}
    bad: list[tuple[_Found, list[tuple[str, str]]]] = []
    for one in sorted(reading.found.values(), key=lambda f: f.key):
        cells, not_used, seen, unmapped = _cells(one, coding, languages)
        row, problems = check_cells(cells, lib, printer, (), languages)
        problems = [
            (c, m) for c, m in problems if not (c == "conditions" and not cells["conditions"])
        ]
        problems += _whole(one, cells, unmapped, spoiled)
        if problems or row is None:
            bad.append((one, problems))
            continue
        row = replace(row, not_used=tuple(not_used))
        rows.append(row)
        records[row.id] = Record(row, tuple(seen))
    for clash in _clashes(rows):
        for rid, problem in clash:
            bad.append((reading.found[rid], [problem]))
            records.pop(rid, None)
    rows = [r for r in rows if r.id in records]
    rows = [replace(r, number=n) for n, r in enumerate(rows, 1)]
    problems_out: list[Problem] = []
    invalid, ids = [], []
    for n, (one, problems) in enumerate(bad, len(rows) + 1):
        invalid.append(n)
        ids.append(one.key)
        where = f"Patient/{shown(one.key)}"
        for col, message in problems:
            problems_out.append(
                Problem(one.file, one.line, f"{where}: {col}" if col else where, message)
            )
    for n, (name, problems, _keys) in enumerate(broken, len(rows) + len(bad) + 1):
        invalid.append(n)
        ids.append(name)
        problems_out += problems
    cells = tuple(() for _ in invalid)
    records = {r.id: records[r.id] for r in rows}
    listed = ClinicList(
        str(path), tuple(rows), tuple(problems_out), tuple(invalid), tuple(ids), cells
    )
    return listed, records


def one_record(path: Path, lib: Library, printer: Printer, languages: Collection[str]) -> Record:
    """The one patient of a FHIR file (``handouts build --fhir``), checked; a file with
    none or several, or a patient who cannot be printed for, is refused."""
    listed, records = read_fhir(path, lib, printer, languages)
    if listed.problems:
        raise PatientError(listed.problems)
    if len(records) != 1:
        said = f"the record has {len(records)} patients; build prints for one: use handouts batch"
        raise PatientError([Problem(str(path), None, "", said)])
    return next(iter(records.values()))


def lines(records: dict[str, Record]) -> Iterator[str]:
    """What each record gave, for the person printing (ids and codes, never a name)."""
    for rid, rec in records.items():
        yield f"Patient/{shown(rid)}: " + ", ".join(rec.found or ("nothing mapped",))
        for item in rec.row.not_used:
            yield f"  not used: {item}"


def _whole(
    one: _Found, cells: dict[str, str], unmapped: list[str], spoiled: dict[str, str]
) -> list[tuple[str, str]]:
    """What makes a record unusable as a whole, beyond a list row's checks; ``unmapped``
    are its active conditions that map to nothing."""
    problems = [("", one.conflict)] if one.conflict else []
    if one.key in spoiled:
        said = (
            f"part of this patient's record is in {shown(spoiled[one.key])}, which "
            "cannot be read: fix it, or leave it out of the folder"
        )
        problems.append(("", said))
    patient = one.patient
    if patient is None and one.key not in spoiled:
        said = "conditions or medicines refer to this patient, but there is no Patient for it"
        problems.append(("", said))
    elif patient is not None and (patient.deceasedBoolean or patient.deceasedDateTime):
        problems.append(("", "the record says the patient has died"))
    elif patient is not None and patient.active is False:
        problems.append(("", "the record is marked inactive (active: false)"))
    if not cells["conditions"] and patient is not None:
        listed = "; ".join(unmapped[:5]) + (
            f"; and {len(unmapped) - 5} more" if len(unmapped) > 5 else ""
        )
        said = "no active condition in the record is one this content covers"
        problems.append(("conditions", said + (f" (not mapped: {listed})" if unmapped else "")))
    return problems


def _clashes(rows: list[Row]) -> Iterator[list[tuple[str, tuple[str, str]]]]:
    """Patients whose ids would name the same file (``a.b`` and ``a..b`` are both
    ``a_b.pdf``; ``ABC`` and ``abc`` are one file on some disks): each a row problem."""
    stems: dict[str, list[Row]] = {}
    for row in rows:
        stems.setdefault(row.stem.lower(), []).append(row)
    for group in stems.values():
        if len(group) > 1:
            yield [
                (
                    row.id,
                    (
                        "id",
                        f"would be written to the same file ({row.stem}.pdf) as "
                        f"Patient/{shown(next(o.id for o in group if o is not row))}; each "
                        "patient needs an id that names its own file",
                    ),
                )
                for row in group
            ]


def _files(path: Path) -> list[Path]:
    where = str(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in KINDS and p.is_file())
        if not files:
            _fail(where, "the folder has no .json or .ndjson files")
        return files
    if path.suffix.lower() not in KINDS:
        _fail(
            where,
            f"expected a FHIR Bundle (.json), a Bulk Data file (.ndjson) or a folder, "
            f"not '{shown(path.name)}'",
        )
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


@dataclass
class _Reading:
    """What the files read so far gave: patients, Medications by reference, problems."""

    found: dict[str, _Found] = field(default_factory=dict)
    medications: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The export's Medications by ``Medication/ID`` (a Bundle's are its own)."""
    problems: list[Problem] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    """Patients a resource that could not be read refers to."""

    def read(self, file: Path) -> None:
        text, where = _text(file), str(file)
        if file.suffix.lower() == ".ndjson":
            for n, line in enumerate(text.split("\n"), 1):  # JSON strings may hold U+2028
                if line.strip():
                    data = self._json(line, where, n)
                    if data is not None:
                        self.resource(data, where, (), {}, lambda path, n=n: n)
            return
        data = self._json(text, where, 0)
        if data is None:
            return
        lines = _Lines(text, where)
        if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
            kind = data.get("resourceType") if isinstance(data, dict) else None
            this = (
                f"a {shown(str(kind))} resource" if isinstance(kind, str) else "not a FHIR resource"
            )
            self.problems.append(
                Problem(where, 1, "resourceType", f"expected a FHIR Bundle; this is {this}")
            )
            return
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            self.problems.append(Problem(where, lines.at(("entry",)), "entry", "expected a list"))
            return
        urls = {
            e["fullUrl"]: e["resource"]
            for e in entries
            if isinstance(e, dict)
            and isinstance(e.get("resource"), dict)
            and isinstance(e.get("fullUrl"), str)
        }
        for i, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                at = lines.at(("entry", i))
                self.problems.append(
                    Problem(where, at, f"entry[{i}]", "expected an object with a resource")
                )
                continue
            url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None

            def line(path: tuple[Any, ...], i: int = i) -> int | None:
                return lines.at(("entry", i, "resource", *path))

            self.resource(resource, where, (f"entry[{i}]", url), urls, line)

    def _json(self, text: str, where: str, line: int) -> Any:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self.problems.append(
                Problem(
                    where,
                    line or exc.lineno,
                    "",
                    f"not valid JSON (column "
                    f"{exc.colno}): check the export is complete and unchanged",
                )
            )
            return None
        except RecursionError:
            self.problems.append(Problem(where, line or None, "", "nested too deeply to be FHIR"))
            return None
        if line and not isinstance(data, dict):
            self.problems.append(
                Problem(where, line, "", "expected a FHIR resource (a JSON object) on each line")
            )
            return None
        return data

    def resource(
        self,
        data: dict[str, Any],
        where: str,
        entry: tuple[str, str | None] | tuple[()],
        urls: dict[str, Any],
        line_of: Line,
    ) -> None:
        kind = data.get("resourceType")
        model = models().get(kind) if isinstance(kind, str) else None
        if model is None:
            if not isinstance(kind, str):
                self.problems.append(
                    Problem(
                        where,
                        line_of(()),
                        _place(entry, "resourceType"),
                        "every resource needs its resourceType",
                    )
                )
            return
        from pydantic import ValidationError  # imported with the models

        try:
            resource = model.model_validate(data)
        except ValidationError as exc:
            subject = data.get("subject")
            ref = subject.get("reference") if isinstance(subject, dict) else None
            if isinstance(ref, str):
                self.touched.add(_key(_patient_of(ref, urls)))
            if kind == "Patient" and isinstance(data.get("id"), str):
                self.touched.add(_key(data["id"]))
            for error in exc.errors()[:10]:
                loc = tuple(error["loc"])
                name = kind + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
                self.problems.append(Problem(where, line_of(loc), _place(entry, name), _why(error)))
            return
        if kind == "Medication":
            if resource.id and not entry:  # an export's; a Bundle's are found in the Bundle
                self.medications[f"Medication/{resource.id}"] = data
            return
        here = line_of(())
        if kind == "Patient":
            key = resource.id or (entry[1] if entry and entry[1] else None)
            if not key:
                said = "a patient needs an id (it names the handout's file)"
                self.problems.append(Problem(where, here, _place(entry, "Patient.id"), said))
                return
            self.merge(_Reading({_key(key): _Found(_key(key), where, here, resource)}))
            return
        subject = resource.subject.reference if resource.subject else None
        key = _key(_patient_of(subject, urls)) if subject else ""
        if not key or (
            "/" in subject and "Patient/" not in subject and not subject.startswith("urn:")
        ):
            self.problems.append(
                Problem(
                    where,
                    line_of(("subject",)),
                    _place(entry, f"{kind}.subject"),
                    "expected a reference to the Patient (Patient/ID)",
                )
            )
            return
        one = self.found.setdefault(key, _Found(key, where, here))
        if kind == "Condition":
            one.conditions.append(resource)
        else:
            one.medicines.append((resource, _medications(urls) if entry else self.medications))

    def merge(self, part: _Reading) -> None:
        """Another file's patients (a Bulk Data export gives each type its own file)."""
        self.problems += part.problems
        self.touched |= part.touched
        for key, one in part.found.items():
            have = self.found.get(key)
            if have is None:
                self.found[key] = one
                continue
            # a conflict found within the other file stays said (red team: an export's
            # Patient file giving one patient twice, read after its Condition file)
            have.conflict = have.conflict or one.conflict
            if one.patient is not None:
                if have.patient is not None and _differ(have.patient, one.patient):
                    also = (
                        f"at line {have.line}"
                        if have.file == one.file and have.line is not None
                        else f"in {shown(Path(have.file).name)}"
                    )
                    have.conflict = (
                        f"the same patient is given twice, differently (also {also}); "
                        "which is right?"
                    )
                have.patient, have.file, have.line = one.patient, one.file, one.line
            have.conditions += one.conditions
            have.medicines += one.medicines


class _Lines:
    """Where each key of a JSON file is, read again only when a problem needs a line."""

    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.doc: Doc | bool | None = False

    def at(self, path: tuple[Any, ...]) -> int | None:
        if self.doc is False:
            parsed = parse(self.text, self.where)
            self.doc = None if isinstance(parsed, Problem) else parsed
        return self.doc.line(path) if isinstance(self.doc, Doc) else None


def _key(reference: str) -> str:
    """A patient's id from its id, ``Patient/ID``, ``https://…/Patient/ID`` or
    ``urn:uuid:ID``."""
    if "Patient/" in reference:
        reference = reference.rsplit("Patient/", 1)[1].split("/_history/")[0]
    return reference.removeprefix("urn:uuid:").strip()


def _patient_of(reference: str, urls: dict[str, Any]) -> str:
    """The Patient a reference names: through the Bundle's full URLs, else itself."""
    target = urls.get(reference)
    if isinstance(target, dict) and isinstance(target.get("id"), str):
        return target["id"]
    return reference


def _medications(urls: dict[str, Any]) -> dict[str, Any]:
    """A Bundle's Medications by full URL and by ``Medication/ID``."""
    out: dict[str, Any] = {}
    for url, data in urls.items():
        if isinstance(data, dict) and data.get("resourceType") == "Medication":
            out[url] = data
            if isinstance(data.get("id"), str):
                out[f"Medication/{data['id']}"] = data
    return out


def _differ(a: Patient, b: Patient) -> bool:
    """Two copies of a Patient that say different things (not just another ``meta``)."""

    def kept(p: Patient) -> dict[str, Any]:
        data = p.model_dump()  # fhir.resources' dump keeps meta whatever it is told
        data.pop("meta", None)
        return data

    return kept(a) != kept(b)


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


def _cells(
    one: _Found, coding: Coding, languages: Collection[str]
) -> tuple[dict[str, str], list[str], list[str], list[str]]:
    """A clinic-list row's cells from one patient's record; what was not used; what was;
    and the active conditions that map to nothing."""
    not_used: list[str] = []
    seen: list[str] = []
    conditions: list[str] = []
    unmapped: list[str] = []
    for cond in one.conditions:
        if not _condition_active(cond):
            continue
        codings = list(cond.code.coding or []) if cond.code else []
        hit = coding.condition(codings)
        if hit is None:
            coded = next((c for c in codings if c.system in SYSTEMS and c.code), None)
            coded = coded or next((c for c in codings if c.code), None)
            item = described(coded) if coded else f"Condition/{shown(cond.id or '?', 64)}: no code"
            _add(unmapped, item)
            _add(not_used, item)
        elif hit.ids[0] not in conditions:
            conditions.append(hit.ids[0])
            seen.append(f"{hit.ids[0]} ({hit.by})")
    medicines: list[str] = []
    for med, lookup in one.medicines:
        if med.status not in ACTIVE_MEDICINE or getattr(med, "doNotPerform", None):
            continue
        concept, why = _medication(med, lookup)
        hit = coding.medicines(concept) if concept is not None else None
        if hit is None:
            codings = list(concept.coding or []) if concept is not None else []
            coded = next((c for c in codings if c.system == RXNORM and c.code), None)
            coded = coded or next((c for c in codings if c.code), None)
            kind = med.__class__.__name__
            # free text is never copied: it may hold a name or an address
            item = described(coded) if coded else f"{kind}/{shown(med.id or '?', 64)}: no code"
            _add(not_used, why or item)
            continue
        for mid in hit.ids:
            if mid not in medicines:
                medicines.append(mid)
                seen.append(f"{mid} ({hit.by})")
    cells = {
        "id": one.key,
        "conditions": ";".join(conditions),
        "medicines": ";".join(medicines),
        "format": "visit",
    }
    if one.patient is not None:
        if name := _name(one.patient):
            cells["name"] = name
        address = _email(one.patient)
        if address and email_problem(address):
            not_used.append("the e-mail address in the record is not one a message can go to")
        elif address:
            cells["email"] = address
        tag, why = _language(one.patient, languages)
        if tag:
            cells["language"] = tag
        if why:
            not_used.append(why)
    return cells, not_used, seen, unmapped


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _condition_active(cond: Condition) -> bool:
    """Whether the patient has the condition now, as far as the record says."""
    status = cond.verificationStatus
    if status and any(c.code in NOT_CONFIRMED for c in status.coding or []):
        return False
    if cond.clinicalStatus is None:
        ended = (
            cond.abatementDateTime,
            cond.abatementPeriod,
            cond.abatementAge,
            cond.abatementString,
            cond.abatementRange,
        )
        return all(value is None for value in ended)
    return any(c.code in ACTIVE_CONDITION for c in cond.clinicalStatus.coding or [])


def _medication(med: Any, medications: dict[str, Any]) -> tuple[Any, str | None]:
    """The medicine's coded concept: its own, or its Medication's (contained, in the
    Bundle or in the export); else why there is none, naming the resource."""
    concept = getattr(med, "medicationCodeableConcept", None)
    if concept is not None:
        return concept, None
    ref = med.medicationReference.reference if med.medicationReference else None
    for contained in med.contained or []:
        if ref == f"#{contained.id}" and getattr(contained, "code", None) is not None:
            return contained.code, None
    data = medications.get(ref or "")
    if isinstance(data, dict) and isinstance(data.get("code"), dict):
        return models()["Medication"].model_validate(data).code, None
    kind = med.__class__.__name__
    return None, (
        f"{kind}/{shown(med.id or '?', 64)}: its Medication "
        f"({shown(ref or 'none', 64)}) is not in the record, or has no code"
    )


def _name(patient: Patient) -> str | None:
    names = [n for n in patient.name or [] if not (n.period and n.period.end)]
    names.sort(key=lambda n: {"official": 0, "usual": 1}.get(n.use or "", 2))
    for name in names:
        if name.text and name.text.strip():
            return name.text.strip()
        parts = " ".join(p for p in (*(name.given or []), name.family or "") if p).strip()
        if parts:
            return parts
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
    spoken = sorted(patient.communication or [], key=lambda c: 0 if c.preferred else 1)
    for one in spoken[:1]:
        tags = [c.code for c in one.language.coding or [] if c.code] if one.language else []
        for tag in tags:
            if language.problem(tag, languages) is None:
                return language.canonical(tag), None
        if tags:
            return None, (
                f"preferred language {shown(tags[0], 20)}: no translation here; printed in "
                "the clinic's language"
            )
        if one.language and one.language.text:
            return None, "preferred language given without a code; printed in the clinic's language"
    return None, None
