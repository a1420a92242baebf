"""Read and check a clinic list for ``handouts batch``: one personal handout per row.

A list is CSV (a header row naming the columns, then a row per patient) or YAML
(``patients:`` holding a mapping per patient, with the same keys), in UTF-8 with or without
a byte order mark; other encodings are refused, never guessed. Problems with the file as a
whole raise :class:`PatientError`; problems with rows never raise but are all gathered in
:attr:`ClinicList.problems`, and only the good rows are returned. Messages name ids,
columns and condition or medicine terms, never a patient's name or notes.

A row's output file is named only by its ``stem``, made from the id: each run of characters
other than ASCII letters, digits, ``_`` and ``-`` becomes ``_`` and ``_`` at the ends is
dropped. A stem can never hold a path separator or ``..`` (``../../etc/passwd`` →
``etc_passwd``), so no row can write outside the output folder; stems equal but for case
(one file on a case-insensitive disk) are reported on both rows.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from handouts.content import language
from handouts.content.load import parse
from handouts.content.medicine_finder import fold
from handouts.content.model import Library, Patient, PlanFields
from handouts.content.printable import Printer
from handouts.document.request import DEFAULT_FORMAT, FORMATS, FULL, Allow, Request
from handouts.errors import PatientError, Problem, did_you_mean, shown
from handouts.intake.patient import (
    check_patient,
    email_problem,
    nfc,
    password_problem,
    personal,
    resolve_conditions,
    resolve_medicines,
)
from handouts.intake.plan import COLUMNS as PLAN_COLUMNS
from handouts.intake.plan import check_plan, from_columns

COLUMNS = (
    "id", "name", "conditions", "medicines", "pack", "clinician",
    "notes", "paper", "large_print", "language", "date", "format", "plan_template",
    *PLAN_COLUMNS, "email", "pdf_password",
)  # fmt: skip
MAX_BYTES = 100_000_000
MAX_STEM = 100
PAPERS = ("letter", "a4")
YES, NO = ("yes", "true", "y", "1", "on"), ("no", "false", "n", "0", "off")
YES_NO = dict.fromkeys(YES, True) | dict.fromkeys(NO, False)
SAVE_UTF8 = 'save the list as UTF-8 (in Excel: "CSV UTF-8")'
SAVE_UTF8_YAML = "save the list as UTF-8 text"
"""The same for a YAML list, written in a text editor, not a spreadsheet."""
UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)]
)
"""Names Windows keeps for devices, whatever the extension: such an id's file gets a '_'."""


@dataclass(frozen=True)
class ClinicList:
    """A checked list: the good rows, and every problem of the others."""

    file: str
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    invalid: tuple[int, ...]  # numbers of the rows that had problems
    invalid_ids: tuple[str, ...] = ()  # their ids as written (maybe blank), in the same order
    invalid_cells: tuple[tuple[str, ...], ...] = ()
    """Their cells, in the same order: what a message about them must not show (a value in
    the wrong column may be a patient's name)."""


@dataclass
class _Raw:
    """One row as read, before checks: cell text by column, and problems found so far."""

    line: int
    cells: dict[str, str] | None  # None: a YAML item that is not a mapping
    lines: dict[str, int] = field(default_factory=dict)  # YAML: the line of each key
    bad: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    shifted: bool = False  # a CSV row whose cells moved: none of them is checked or quoted
    named: bool = False  # its id reads as a name (:func:`_name_like`): not trusted, not quoted
    private: list[str] = field(default_factory=list)
    """YAML: the text under a personal key that is not a cell (a list, a mapping), or under
    an unknown key (``nmae:``): words a message must not quote either."""


@dataclass(frozen=True)
class Row:
    """One patient of the list: what to print and the file to write it to."""

    number: int  # 1-based data row number (the header and blank rows are not counted)
    line: int  # 1-based line where the row starts (a quoted note may span lines)
    id: str  # the clinic's own reference
    stem: str  # the output file name without extension, made from the id
    name: str | None
    conditions: tuple[str, ...]  # condition ids, resolved from ids or ICD-10 codes
    medicines: tuple[str, ...]  # medicine ids, resolved from ids or common names
    pack: str | None
    clinician: str | None
    notes: str | None  # line breaks kept, as "\n"
    date: dt.date | None
    paper: str | None  # "letter", "a4" or None for the brand's
    large_print: bool
    language: str | None
    format: str | None = None  # "visit", "full" or None for the default
    plan_template: str | None = None
    plan: PlanFields = field(default_factory=PlanFields)  # the visit handout's plan
    email: str | None = None  # where to e-mail the handout (handouts batch --email)
    pdf_password: str | None = None  # the e-mailed PDF is encrypted with it, when given
    not_used: tuple[str, ...] = ()  # from an EHR record: what could not be mapped


def request(row: Row, date: dt.date | None, allow: Allow) -> Request:
    """The one request a checked row makes: ``date`` prints where the row gives none."""
    who, notes = personal(Patient(row.name, row.clinician, row.date or date, row.notes))
    return Request(
        row.conditions,
        None,
        row.medicines,
        notes,
        who,
        language=row.language,
        pack=row.pack,
        paper=row.paper,
        large_print=row.large_print,
        allow=allow,
        format=row.format or (FULL if row.pack else DEFAULT_FORMAT),
        plan=row.plan,
        plan_template=row.plan_template,
    )


def read_list(
    path: Path,
    lib: Library,
    printer: Printer,
    packs: Collection[str],
    languages: Collection[str] = ("en",),
) -> ClinicList:
    """Read and check a clinic list (``.csv``, ``.yaml`` or ``.yml``)."""
    file, kind = str(path), path.suffix.lower()
    if kind not in KINDS:
        _fail(file, f"expected a .csv, .yaml or .yml file, not '{path.name}'")
    return _checked(
        _text(_bytes(path, file), file, kind), file, kind, lib, printer, packs, languages
    )


def read_list_data(
    data: bytes,
    name: str,
    lib: Library,
    printer: Printer,
    packs: Collection[str],
    languages: Collection[str] = ("en",),
    most_rows: int | None = None,
) -> ClinicList:
    """A clinic list given as its bytes (an upload), named ``name`` (its kind from the name's
    ending), checked as :func:`read_list` checks a file; one of more than ``most_rows``
    rows is refused before its rows are checked."""
    kind = Path(name).suffix.lower()
    if kind not in KINDS:
        _fail(name, f"expected a .csv, .yaml or .yml file, not '{shown(Path(name).name)}'")
    if len(data) > MAX_BYTES:
        _fail(name, f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    return _checked(_text(data, name, kind), name, kind, lib, printer, packs, languages, most_rows)


KINDS = (".csv", ".yaml", ".yml")


def _checked(
    text: str,
    file: str,
    kind: str,
    lib: Library,
    printer: Printer,
    packs: Collection[str],
    languages: Collection[str],
    most_rows: int | None = None,
) -> ClinicList:
    raws, stray = (_csv(text, file), []) if kind == ".csv" else _yaml(text, file)
    if most_rows is not None and len(raws) > most_rows:
        _fail(file, f"the list has {len(raws):,} rows; at most {most_rows:,} here "
                    "(use handouts batch for a longer one)")  # fmt: skip
    rows = [_row(n, raw, lib, printer, packs, languages) for n, raw in enumerate(raws, 1)]
    for raw in raws:
        if raw.cells and not raw.shifted and _name_like(raw.cells.get("id", ""), raw.cells):
            raw.named = True
            raw.bad.append(("id", NAME_LIKE))
    stems: dict[str, list[Row]] = {}
    for row in rows:
        if row and row.stem and not raws[row.number - 1].named:
            stems.setdefault(row.stem.lower(), []).append(row)
    for group in stems.values():
        for row in group if len(group) > 1 else ():  # a message per row, naming a few others
            others = [o for o in group if o is not row]
            same = [o for o in others if o.id == row.id]
            if same:
                message = f"is also the id of {_named(same, False)}; each row needs its own id"
                raws[row.number - 1].bad.append(("id", f"id '{row.id}' {message}"))
            if other := [o for o in others if o.id != row.id]:
                message = (
                    f"would be written to the same file ({row.stem}.pdf) as {_named(other, True)}"
                )
                raws[row.number - 1].bad.append(("id", f"id '{row.id}' {message}"))
    problems = []
    for n, raw in enumerate(raws, 1):
        for c, m in raw.bad:
            said = _unquoting(m, raw.cells, raw.private)
            problems.append(Problem(file, raw.lines.get(c, raw.line), _row_field(n, c), said))
    problems.sort(key=lambda p: p.line or 0)  # a YAML row's problems in the order of its keys
    if stray:  # the whole list is in doubt (a patient mis-indented?): said with the rows'
        raise PatientError(sorted([*stray, *problems], key=lambda p: p.line or 0))
    invalid = tuple(n for n, raw in enumerate(raws, 1) if raw.bad)
    ids = tuple(_id(raws[n - 1], raws) for n in invalid)
    cells = tuple(tuple((raws[n - 1].cells or {}).values()) for n in invalid)
    good = tuple(row for row in rows if row and not raws[row.number - 1].bad)
    return ClinicList(file, good, tuple(problems), invalid, ids, cells)


NAME_LIKE = (
    "this id looks like a name (it has a word of the row's name of 3 letters or more, or "
    "is words with no digit); an id names the file and is listed in the manifest, so use "
    "the clinic's reference (are the id and name columns swapped?)"
)
"""Said of a row whose id reads as a name, without quoting it (:func:`_name_like`)."""


def _name_like(rid: str, cells: dict[str, str]) -> bool:
    """Whether a list row's id reads as a patient's name, which would then name a file and
    sit in the manifest (red team: a header with ``name`` and ``id`` swapped wrote
    ``Jo_Smith.pdf``): it is words with a space between and no digit, as a name is; or a
    run of its letters (in any case or accents) is a word of the row's name of three
    letters or more (``LEE001`` for Jo Lee), or holds one of four or more (``ANALOPEZ``).
    Two-letter words are left out: a site's or a state's letters (``LA-2024-001``,
    ``DE-0042``) are often a name's particle too (review)."""
    if _name_shaped(rid):
        return True
    runs = [r for r in _LETTERS.findall(fold(nfc(rid))[0]) if len(r) >= 3]
    words = [w for w in _words(cells.get("name", "")) if len(w) >= 3 and not w.isdigit()]
    return any(w == r or (len(w) >= 4 and w in r) for w in words for r in runs)


_LETTERS = re.compile(r"[^\W\d_]+")
"""A run of letters (any script)."""


def stem_of(rid: str) -> str:
    """The name of an id's file, without ``.pdf``: characters other than A to Z, digits,
    ``-`` and ``_`` made ``_``, none at either end, and a name Windows keeps for a device
    given a ``_`` (``CON.pdf`` cannot be made there: the same files on any system). The
    stem of a stem is itself."""
    stem = UNSAFE.sub("_", rid).strip("_")
    return stem + "_" if stem.upper() in WINDOWS_RESERVED else stem


def _id(raw: _Raw, raws: list[_Raw]) -> str:
    """A bad row's id, as the manifest gives it and a batch removes its earlier PDF by; a
    shifted row's only where it cannot have moved (the first column) and no other row has
    it, else none (red team: a piece of a name, or another row's id, was taken for it);
    none for an id that reads as a name (:func:`_name_like`)."""
    rid = (raw.cells or {}).get("id", "")
    if raw.named:
        return ""
    if not raw.shifted:
        return rid
    first = next(iter(raw.cells or {}), None) == "id"
    twice = sum((other.cells or {}).get("id", "").casefold() == rid.casefold() for other in raws)
    return rid if first and twice == 1 else ""


def check_cells(
    cells: dict[str, str],
    lib: Library,
    printer: Printer,
    packs: Collection[str],
    languages: Collection[str] = ("en",),
) -> tuple[Row | None, list[tuple[str, str]]]:
    """One row given as cells by column (a web form is one row of a list): the row, and
    every problem as (column, message), in the words a list's problems use."""
    raw = _Raw(1, dict(cells))
    row = _row(1, raw, lib, printer, packs, languages)
    return (None if raw.bad else row), [(c, _unquoting(m, raw.cells)) for c, m in raw.bad]


def _named(rows: list[Row], with_ids: bool, most: int = 3) -> str:
    """``row 3 (id 'A:1')``, or several: ``rows 3, 7 and 9``, then ``and 12 more`` (a list
    with one id on every row says so once per row, not once per pair)."""
    shown_rows = [f"{r.number} (id '{r.id}')" if with_ids else str(r.number) for r in rows[:most]]
    if len(rows) == 1:
        return f"row {shown_rows[0]}"
    if len(rows) <= most:
        return f"rows {', '.join(shown_rows[:-1])} and {shown_rows[-1]}"
    return f"rows {', '.join(shown_rows)} and {len(rows) - most:,} more"


def _fail(file: str, message: str) -> NoReturn:
    raise PatientError([Problem(file, None, "", message)])


def _bytes(path: Path, file: str) -> bytes:
    """The file's bytes, refusing one over :data:`MAX_BYTES` before reading it."""
    try:
        size = path.stat().st_size
        data = b"" if size > MAX_BYTES else path.read_bytes()
    except OSError as exc:
        _fail(file, f"cannot read the file: {exc.strerror}")
    if size > MAX_BYTES:
        _fail(file, f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    return data


def _text(data: bytes, file: str, kind: str) -> str:
    """The file's text, refusing anything that is not UTF-8 (a UTF-8 BOM is fine); how to
    save it as UTF-8 is said for the ``kind`` of list it is."""
    save = SAVE_UTF8 if kind == ".csv" else SAVE_UTF8_YAML
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _fail(file, f"the file is UTF-16 text, not UTF-8; {save}")
    data = data.removeprefix(codecs.BOM_UTF8)
    bad, text = data.find(b"\x00"), ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start if bad < 0 else min(bad, exc.start)
    if bad >= 0:
        line = data[:bad].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        if data[bad] == 0:  # valid UTF-8, but never in a text file: a binary or UTF-16 file
            _fail(file, f"a NUL character (byte 0x00) on line {line}: this is not a text "
                        f"file; {save}")  # fmt: skip
        _fail(file, f"not UTF-8: byte 0x{data[bad]:02X} on line {line}; {save}")
    if not text.strip():
        _fail(file, "the file is empty; expected a list of patients")
    return text


def _csv(text: str, file: str) -> list[_Raw]:
    """The rows of a CSV list; cells are split by ',' (or by ';' or tabs if the header is)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in ",;\t" if d in first), ",")
    lines = io.StringIO(text, newline="")
    csv.field_size_limit(MAX_BYTES)  # a long cell is a long note (refused as too long), not a quote
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True, strict=True)
    header: list[str] | None = None
    width = 0  # cells in the header row, blank ones too
    raws: list[_Raw] = []
    problems: list[Problem] = []
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num  # a quoted cell may hold line breaks
            cells = [cell.strip() for cell in cells]
            used = max((i + 1 for i, cell in enumerate(cells) if cell), default=0)
            if not used:
                continue  # a blank row
            if header is None:
                header, width = [cell.lower() for cell in cells[:used]], len(cells)
                problems += _header(cells[:used], file, start)
                continue
            # e.g. a name with a comma, not in quotes: its cells shifted right, past the
            # header's last cell, or past its last named one (a spreadsheet may end the
            # header with blank cells)
            # A row problem (the other rows are good, or have problems of their own), and
            # the row's only one: its cells are not where the header says, so none of them
            # is checked, nor quoted (a piece of a name would be)
            shifted = ""
            if len(cells) > width:
                shifted = (
                    f"this row has {len(cells)} cells but the header has {width}; "
                    f"put text with a '{delimiter}' in double quotes"
                )
            elif used > len(header):
                shifted = (
                    f"this row fills {used} cells but the header names {len(header)} columns; "
                    f"put text with a '{delimiter}' in double quotes, or name the column of a "
                    "cell after the last named one"
                )
            raw = _Raw(start, dict(zip(header, cells, strict=False)), shifted=bool(shifted))
            raws.append(raw)
            if shifted:
                raw.bad.append(("", shifted))
    except csv.Error:  # e.g. a quote never closed: the rest would be one cell
        message = (
            'cannot read this row: a double quote (") is not closed, or text follows one; '
            'put a whole cell in double quotes, and write a quote inside it as two ("")'
        )
        problems.append(Problem(file, end + 1, "", message))
    if problems:
        raise PatientError(problems)
    return raws


def _header(names: list[str], file: str, line: int) -> list[Problem]:
    """Every problem of the header row: unnamed, unknown and repeated columns, no id."""
    if not any(name.lower() in COLUMNS for name in names):
        # most likely a patient's row: say so, and show none of it
        message = (
            f"the first row is not a header: it names none of the columns ({', '.join(COLUMNS)}); "
            "add a header row"
        )
        return [Problem(file, line, "header", message)]
    seen: set[str] = set()
    problems = []
    for i, name in enumerate(names, 1):
        key = name.lower()
        if not key:
            message = f"column {i} has no name"
        elif key not in COLUMNS:
            hint = did_you_mean(key, COLUMNS) or f"; the columns are {', '.join(COLUMNS)}"
            message = f"unknown column '{shown(name)}'{hint}"
        elif key in seen:
            message = f"column '{key}' appears twice"
        else:
            seen.add(key)
            continue
        problems.append(Problem(file, line, "header", message))
    if "id" not in seen:
        problems.append(Problem(file, line, "header", "no 'id' column; every row needs an id"))
    return problems


def _yaml(text: str, file: str) -> tuple[list[_Raw], list[Problem]]:
    """The rows of a YAML list: ``patients:`` holding a mapping per patient; and the
    problems of any other key beside it (the rows are still read, so that every problem
    is said at once)."""
    doc = parse(text, file, as_text=True)  # 0123 stays 0123, NO stays NO
    if isinstance(doc, Problem):
        raise PatientError([doc])
    items = doc.data.get("patients")
    problems = [  # located by its line alone: a key may be a patient's words, mis-indented
        Problem(file, doc.line((str(k),)), "", "unknown key; a list has only 'patients:'")
        for k in doc.data
        if k != "patients"
    ]
    if not isinstance(items, list):
        message = "expected a list of patients, each a mapping with an id"
        problems.append(Problem(file, doc.line(("patients",)), "patients", message))
        raise PatientError(problems)
    raws = []
    for i, item in enumerate(items):
        if item is None or item == "":
            continue  # a blank item
        raw = _Raw(doc.line(("patients", i)) or 1, {} if isinstance(item, dict) else None)
        raws.append(raw)
        if raw.cells is None:
            raw.bad.append(("", "expected a mapping of keys (id, name, conditions, …) to values"))
            continue
        for key, value in item.items():
            col, cell = str(key).strip().lower(), _cell(key, value)
            raw.lines[str(key)] = raw.lines[col] = doc.line(("patients", i, str(key))) or raw.line
            if col not in COLUMNS or (col in PERSONAL and cell is None):
                raw.private += _texts({key: value})
            if col not in COLUMNS:  # said at its line, not named (as above)
                hint = did_you_mean(col, COLUMNS) or f"; the keys are {', '.join(COLUMNS)}"
                unnamed = f"{UNNAMED}{len(raw.lines)}"
                raw.lines[unnamed] = raw.lines[col]
                raw.bad.append((unnamed, f"unknown key{hint}"))
            elif col in raw.cells:
                raw.bad.append((str(key), f"'{col}' appears twice"))
            elif cell is None:
                kind = "list" if isinstance(value, list) else "mapping"
                raw.bad.append((col, f"expected text, found a {kind}"))
            else:
                raw.cells[col] = cell.strip()
    return raws, problems


UNNAMED = "\0"
"""The start of a row problem's field that is located by its line but not named: an
unknown key of a YAML list's row, which may be the patient's words."""


def iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, and only so (Python also reads 20261203 and 2026-W49-4);
    ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


PERSONAL = ("name", "clinician", "notes", "email", "pdf_password", *PLAN_COLUMNS)
"""The columns that hold a patient's own words."""


_WORD = re.compile(r"[^\W\d_]{2,}|\d{3,}")
"""A word of two or more letters (any script), or three or more digits."""


def _unquoting(message: str, cells: dict[str, str] | None, private: Iterable[str] = ()) -> str:
    """``message`` with any cell (or part of one) it quotes blanked where that shares a word
    with the row's personal cells (or ``private``, a YAML row's other personal text): a name
    typed in the conditions column too, in any order, case or accents, is said as
    ``unknown condition '[…]'`` (red team), since messages go to a terminal, and from there
    maybe to a log. So is an address in any column, and text written as a name where the
    message suggests nothing (:func:`_name_shaped`). What it suggests (``did you mean``)
    stays."""
    if not cells:
        return message
    mine = [*(cells.get(col, "") for col in PERSONAL), *private]
    personal = {w for text in mine for w in _words(text)}
    hinted = HINT in message
    shared = [
        part
        for col, text in cells.items()
        if col not in PERSONAL and col != "id"
        for part in cell_parts(text)
        if _words(part) & personal or "@" in part or (not hinted and _name_shaped(part))
    ]
    return blanked(message, shared)


def _name_shaped(text: str) -> bool:
    """Whether ``text`` is written as a name is: words with a space between, no digit (a
    name in the wrong column, where the header is in the wrong order and the name column
    holds something else). Said only where nothing we know is like it: a condition or
    medicine written in words (``rheumatoid arthritis``) is quoted, with its id."""
    return any(ch.isspace() for ch in text.strip()) and not any(ch.isdigit() for ch in text)


def _words(text: str) -> set[str]:
    """The words of ``text`` as a message may quote them: letters (two or more, any case,
    accents or none) and runs of three or more digits (a password, a date of birth)."""
    return set(_WORD.findall(fold(nfc(text))[0]))


def _texts(value: object) -> list[str]:
    """Every text in a YAML value, lists and mappings (keys too) opened."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (*_texts(k), *_texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)] if value is not None else []


def cell_parts(text: str) -> list[str]:
    """A cell's text and each of its ``;``-separated parts: what a message may quote."""
    return [t for t in (text.strip(), *(p.strip() for p in text.split(";"))) if t]


HINT = " (did you mean '"
"""Where a message's suggestion starts: our own words, never blanked."""


def blanked(message: str, quoted: Iterable[str]) -> str:
    """``message`` with each of ``quoted`` blanked where it is quoted as a message quotes a
    cell (:func:`~handouts.errors.shown`, perhaps in lower case): ``'[…]'``. What it
    suggests (``did you mean 'migraine'?``) stays as it is."""
    said, hint, rest = message.partition(HINT)
    forms = {
        shown(case)
        for text in quoted
        for form in (text, nfc(text))
        for case in (form, form.lower(), form.casefold())
    }
    for form in sorted(forms, key=len, reverse=True):
        said = said.replace(f"'{form}'", "'[…]'")
    return said + hint + rest


def _row_field(n: int, field: str) -> str:
    """Where a problem of row ``n`` is: ``row 3: paper``, or ``row 3`` for a field that is
    blank or :data:`UNNAMED`."""
    return f"row {n}: {field}" if field and not field.startswith(UNNAMED) else f"row {n}"


def _cell(key: Any, value: Any) -> str | None:
    """A YAML value (read as text) as the text a CSV cell would hold, or None if it
    cannot be one (a mapping; a list but for conditions and medicines)."""
    if isinstance(value, str):
        return value
    if str(key).strip().lower() in ("conditions", "medicines") and isinstance(value, list):
        parts = [v for v in value if isinstance(v, str)]
        return None if len(parts) != len(value) else ";".join(p for p in parts if p)
    return None


def _row(
    number: int,
    raw: _Raw,
    lib: Library,
    printer: Printer,
    packs: Collection[str],
    languages: Collection[str],
) -> Row | None:
    """Check one row's cells, adding each problem to ``raw.bad``."""
    if raw.cells is None or raw.shifted:
        return None
    written = raw.cells.get("id", "")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in written):
        # shown escaped from here on, in messages and the manifest: never raw to a terminal
        raw.cells["id"] = written.encode("unicode_escape").decode("ascii")
        raw.bad.append(
            (
                "id",
                f"the id '{raw.cells['id']}' has a control or direction character; an id is "
                "letters, digits and punctuation",
            )
        )
    cells, bad = {col: nfc(cell) for col, cell in raw.cells.items()}, raw.bad

    def get(col: str) -> str | None:
        return cells.get(col) or None

    def terms(col: str) -> list[str]:
        return [t.strip() for t in cells.get(col, "").split(";") if t.strip()]

    def pick(col: str, choices: dict[str, Any], accepted: str) -> Any:
        value = get(col)
        if value and value.lower() not in choices:
            # a guess between yes and no could be the opposite of what was meant
            hint = did_you_mean(value.lower(), choices) if choices is not YES_NO else ""
            bad.append(
                (col, f"unknown {col} '{shown(value)}'{hint}; use {accepted}, or leave it blank")
            )
        return choices.get(value.lower()) if value else None

    rid = cells.get("id", "")
    stem = stem_of(rid)
    if not rid:
        bad.append(("id", "the id is blank; every row needs the clinic's reference"))
    elif not any(ch.isalnum() for ch in stem):
        bad.append(
            ("id", f"id '{rid}' names the output file, so it needs a letter or digit (A-Z, 0-9)")
        )
    elif len(stem) > MAX_STEM:
        bad.append(("id", f"the id is {len(rid)} characters long; the limit is {MAX_STEM}"))
    pack, chosen = get("pack"), [t.lower() for t in terms("conditions")]
    if chosen and pack:
        bad.append(("pack", "give conditions or a pack, not both"))
    elif not chosen and not pack and not {"conditions", "pack"} & {col for col, _ in bad}:
        bad.append(("conditions", "give conditions (ids or ICD-10 codes) or a pack; found neither"))
    elif pack and pack not in packs:
        hint = did_you_mean(pack, packs) or f"; the packs are {', '.join(sorted(packs))}"
        bad.append(("pack", f"unknown pack '{shown(pack)}'{hint}"))
    conditions: tuple[str, ...] = ()
    medicines: tuple[str, ...] = ()
    try:
        conditions = resolve_conditions(lib, chosen)
    except PatientError as exc:
        bad += [("conditions", p.message) for p in exc.problems]
    try:
        medicines = resolve_medicines(lib, tuple(terms("medicines")), "")
    except PatientError as exc:
        bad += [("medicines", p.message) for p in exc.problems]
    paper = pick("paper", {p: p for p in PAPERS}, "letter or a4")
    large = pick("large_print", YES_NO, "yes/no, true/false, y/n, on/off or 1/0")
    language = _language(get("language"), languages, bad)
    date = None
    if written := get("date"):
        try:
            date = iso_date(written)
        except ValueError:
            bad.append(("date", "not a date written YYYY-MM-DD (e.g. 2026-11-21)"))
    notes = get("notes")
    notes = notes.replace("\r\n", "\n").replace("\r", "\n") if notes else None
    name, clinician = get("name"), get("clinician")
    try:
        check_patient(Patient(name=name, clinician=clinician, notes=notes), "", printer)
    except PatientError as exc:
        bad += [(p.path, p.message) for p in exc.problems]
    shape = pick("format", {f: f for f in FORMATS}, " or ".join(FORMATS))
    if shape == "visit" and pack:
        bad.append(("format", "a pack is always printed in full; leave format blank"))
    plan = from_columns({col: get(col) for col in PLAN_COLUMNS})
    template = get("plan_template")
    bad += [(p.path, p.message) for p in check_plan(plan, template, "", lib, printer)]
    planned = [c for c in ("plan_template", *PLAN_COLUMNS) if get(c)]
    if planned and (pack or shape == "full"):
        # (a pack is always full: leaving its format blank would not print the plan)
        printed, instead = (("a pack", "or leave the pack blank") if pack
                            else ("format full", "or format blank (visit)"))  # fmt: skip
        bad.append((planned[0], f"a plan prints on the visit handout, not {printed}: "
                                f"leave the plan blank, {instead}"))  # fmt: skip
    email, password = get("email"), cells.get("pdf_password") or None
    if email and (said := email_problem(email)):
        bad.append(("email", said))
    if password and (said := password_problem(password)):
        bad.append(("pdf_password", said))
    return Row(
        number, raw.line, rid, stem, name, conditions, medicines, pack, clinician,
        notes, date, paper, bool(large), language, shape, template, plan, email, password,
    )  # fmt: skip


def _language(
    value: str | None, languages: Collection[str], bad: list[tuple[str, str]]
) -> str | None:
    """A language tag whose first part is one of ``languages`` (``en``, ``EN``, ``en_gb`` and
    ``en-GB`` are all English), with the usual case: ``en``, ``en-GB``, ``zh-Hant-TW``."""
    if not value:
        return None
    why = language.problem(value, languages, blank=True)
    if why is None:
        return language.canonical(value)
    bad.append(("language", why))
    return None
