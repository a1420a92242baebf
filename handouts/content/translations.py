"""Content in another language: one gettext catalogue per content file, unit by unit.

Every sentence a reader sees in a content file (a claim's ``text``, a caution's
``action``, a condition's ``name``, a step of a calming practice…) is a *unit*, named by
where it is in its file (``used_for[1].text``). ``content/locale/LANG/<file>.po`` holds
each unit's translation: its ``msgctxt`` is the unit's place, its ``msgid`` the English it
was translated from, its ``msgstr`` the translation. The English is kept whole, so when
it changes the translation is known to be *stale*, never silently out of date:
:func:`update` marks it ``fuzzy`` (keeping the English it came from as the previous
``msgid``, for the translator to compare), and :func:`status` reports it, as it reports a
unit with no translation. Sources, ids, evidence words and checking phrases are not units.

    handouts translate es        # add new units to content/locale/es/, mark changed ones
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from handouts.content.load import Doc, Key, path_text, read
from handouts.errors import ContentError, Problem

PROSE = frozenset({
    "text", "title", "short", "action", "name", "short_name", "other_names", "term",
    "plain", "also", "means", "columns", "how_often", "steps", "any_painkiller",
    "total", "what", "how_long", "build_up", "when",
    "repeat", "add", "intro", "phrases", "mentions", "written_near", "also_called",
    "limit", "limit_one_simple", "how_to_count",
})  # fmt: skip
"""Keys whose strings (or lists of strings) a reader sees (not ids: a painkiller-day
``limit`` names a number; a number's ``value`` is digits), and the phrases the safety
checks look for in them (a claim that must not appear, a sign that must be urgent, what
needs a red flag, the words a number is written near): in each language its own."""
NOT_TRANSLATED = frozenset({"sources.yaml"})
"""Files with no units: citations keep their titles."""
IDS_IN = {"painkiller-days.yaml": frozenset({"limit", "limit_one_simple"})}
"""Keys that hold ids in one file and words in others (a plan's ``limit`` is a sentence;
the painkiller-day rule's names a number)."""


@dataclass(frozen=True)
class Unit:
    place: str
    """Where it is in its file: ``used_for[1].text``."""
    english: str
    line: int | None
    path: Key = ()


def units(doc: Doc) -> list[Unit]:
    """The units of one content file, in the order they are written."""
    if Path(doc.file).name in NOT_TRANSLATED:
        return []
    skip = IDS_IN.get(Path(doc.file).name, frozenset())
    return [
        Unit(path_text(path), value, doc.line(path), path)
        for path, value in _prose(doc.data)
        if not any(part in skip for part in path)
    ]


@dataclass(frozen=True)
class Overlaid:
    doc: Doc
    """The file with each unit in the language (a copy; the English is untouched)."""
    missing: list[Missing]
    """The units with no current translation (left in English: the caller refuses them)."""
    places: dict[str, tuple[str, int]]
    """Where each unit is translated: its place → (catalogue, line), so a problem found in
    the translated text is said where a translator fixes it."""


def overlay(doc: Doc, content: Path, language: str, file: Path) -> Overlaid:
    """``doc`` in ``language``, from its catalogue."""
    shown = str(catalogue_path(content, language, file).relative_to(content.parent))
    try:
        by_place = _current(content, language, file)
    except Unreadable as exc:
        return Overlaid(doc, [Missing(shown, exc.line, "", UNREADABLE)], {})
    data = copy.deepcopy(doc.data)
    missing = []
    for unit in units(doc):
        had = by_place.get(unit.place)
        if had is None or not had[1]:
            missing.append(Missing(shown, had[2] if had else None, unit.place, "untranslated"))
        elif had[0] != unit.english or had[3]:
            missing.append(Missing(shown, had[2], unit.place, STALE))
        elif why := unlike(unit.english, had[1]):
            missing.append(Missing(shown, had[2], unit.place, why))
        else:
            _set(data, unit.path, had[1])
    places = {place: (shown, had[2]) for place, had in by_place.items()}
    return Overlaid(replace(doc, data=data), missing, places)


_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}|\{([a-z_]+)\}")
_DIGITS = re.compile(r"\d+")


def unlike(english: str, translated: str) -> str | None:
    """Why a translation cannot stand for its English, or None: it must keep each
    placeholder (``{{ clinic.emergency_number }}``: a red flag without it sends no one
    to the emergency number) and each number (a dose, a day count) of the English."""
    want, have = _placeholders(english), _placeholders(translated)
    if want != have:
        lost = [f"{{{{ {p} }}}}" for p in sorted(set(want) - set(have))]
        extra = [f"{{{{ {p} }}}}" for p in sorted(set(have) - set(want))]
        said = "; ".join(x for x in (
            f"missing {', '.join(lost)}" if lost else "",
            f"not in the English: {', '.join(extra)}" if extra else "",
        ) if x) or "a placeholder is there a different number of times"  # fmt: skip
        return f"its placeholders are not the English's ({said})"
    numbers = sorted(_DIGITS.findall(_PLACEHOLDER.sub(" ", english)))
    if numbers != sorted(_DIGITS.findall(_PLACEHOLDER.sub(" ", translated))):
        return f"its numbers are not the English's ({', '.join(numbers) or 'none'} in the English)"
    return None


def _placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in _PLACEHOLDER.findall(text))


STALE = "stale: the English changed since it was translated"
UNREADABLE = (
    "cannot be read as a gettext catalogue from this line (a line not in double quotes, a "
    "keyword missing, a plural form, which content has none of, or not UTF-8): nothing in "
    "it is used until it can"
)


_PO_LINE = re.compile(r'\s*(?:(?:msgctxt|msgid|msgstr)\s+)?"(?:[^"\\]|\\.)*"\s*')
"""A line of a catalogue that is not a comment: a keyword and a quoted string, or a
quoted string that goes on from the line before."""


class Unreadable(Exception):
    """A catalogue that is not a valid gettext catalogue (at ``line``, when known)."""

    def __init__(self, line: int | None):
        super().__init__(line)
        self.line = line


def _set(data: Any, path: Key, value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _current(content: Path, language: str, file: Path) -> dict[str, tuple[str, str, int, bool]]:
    """A file's catalogue by place: (English, translation, line, stale)."""
    cat = _read(catalogue_path(content, language, file))
    if cat is None:
        return {}
    return {m.context: (m.id, m.string, m.lineno, "fuzzy" in m.flags) for m in cat if m.id}


def _prose(data: Any, path: Key = (), key: str | None = None) -> Iterator[tuple[Key, str]]:
    if isinstance(data, dict):
        if "review" in data and path == ():  # the review block is not read by patients
            data = {k: v for k, v in data.items() if k != "review"}
        for k, v in data.items():
            yield from _prose(v, (*path, k), str(k))
    elif isinstance(data, list):
        for n, v in enumerate(data):
            yield from _prose(v, (*path, n), key)
    elif isinstance(data, str) and key in PROSE and data.strip():
        yield path, data


def catalogue_path(content: Path, language: str, file: Path) -> Path:
    """``content/locale/es/medicines/triptans.po`` for ``content/medicines/triptans.yaml``."""
    return content / "locale" / language / file.relative_to(content).with_suffix(".po")


def content_files(content: Path) -> list[Path]:
    """The content folder's YAML files (not its translations)."""
    files = content.rglob("*.yaml")
    return sorted(p for p in files if "locale" not in p.relative_to(content).parts)


def update(content: Path, language: str) -> tuple[int, int, int]:
    """Bring ``language``'s catalogues up to date with the English: add each new unit
    (untranslated, or its old translation back if the same English was set aside), mark
    a unit whose English changed as stale (``fuzzy``, with a note of the English it was
    translated from, :func:`_from_note`; the mark goes when the English is back to that),
    keep units no longer there as obsolete entries (``#~``, their translations not lost).
    Translators' comments and the header's translator and team are kept. A catalogue is
    written only when it changes, and nothing is written when any one of them, or any
    content file, cannot be read (raises ContentError naming each, a file that is not
    YAML with its line). Returns (units, new, newly stale)."""
    total = new = stale = 0
    unreadable = []
    plans = []
    for file in content_files(content):
        doc = read(file, str(file.relative_to(content.parent)))
        if not isinstance(doc, Doc):  # (its units unknown: its catalogue would lose them)
            unreadable.append(doc)
            continue
        target = catalogue_path(content, language, file)
        try:
            plans.append((file, units(doc), target, _read(target)))
        except Unreadable as exc:
            shown = str(target.relative_to(content.parent))
            unreadable.append(Problem(shown, exc.line, "", UNREADABLE))
    if unreadable:
        raise ContentError(unreadable)
    for file, found, target, old in plans:
        by_place = {m.context: m for m in old if m.id} if old else {}
        set_aside = {(m.id, m.context): m for m in old.obsolete.values()} if old else {}
        cat = _catalogue(language, old)
        rel = "content/" + file.relative_to(content).as_posix()
        for unit in found:
            total += 1
            had = by_place.pop(unit.place, None) or set_aside.pop((unit.english, unit.place), None)
            where = [(rel, unit.line or 0)]
            if had is None:
                new += 1
                cat.add(unit.english, "", locations=where, context=unit.place)
                continue
            mine = list(had.user_comments)
            fuzzy = "fuzzy" in had.flags
            came_from = _from(had) if fuzzy else None
            if had.id != unit.english and came_from == _digest(unit.english):  # English back
                cat.add(unit.english, had.string, locations=where, context=unit.place,
                        user_comments=mine)  # fmt: skip
            elif had.id != unit.english:
                stale += not fuzzy
                note = list(had.auto_comments) if came_from else _from_note(had.id)
                cat.add(unit.english, had.string, locations=where, context=unit.place,
                        flags={"fuzzy"}, user_comments=mine, auto_comments=note)  # fmt: skip
            else:
                cat.add(unit.english, had.string, locations=where, context=unit.place,
                        flags=set(had.flags), user_comments=mine,
                        auto_comments=list(had.auto_comments) if fuzzy else [])  # fmt: skip
        for gone in by_place.values():  # kept, out of the way, for the translator
            if gone.string:
                cat.obsolete[(gone.id, gone.context)] = gone
        for key, kept in set_aside.items():
            cat.obsolete.setdefault(key, kept)
        if not found:
            continue
        body = _written(cat)
        if not target.is_file() or target.read_bytes() != body:
            _write(target, body)
    return total, new, stale


def _catalogue(language: str, old: Catalog | None) -> Catalog:
    """A new catalogue with the old one's dates, translator and team."""
    if old is None:
        return Catalog(locale=language, project="handouts content", fuzzy=False)
    return Catalog(locale=language, project="handouts content", fuzzy=False,
                   creation_date=old.creation_date, revision_date=old.revision_date,
                   last_translator=old.last_translator,
                   language_team=old.language_team)  # fmt: skip


FROM = "translated from "
"""How a stale unit's note begins: the digest of the English it was translated from."""


def _digest(english: str) -> str:
    return hashlib.sha256(english.encode("utf-8")).hexdigest()[:16]


def _from_note(english: str) -> list[str]:
    """A stale unit's notes (``#.``): the digest of the English it was translated from,
    which tells when that English is back, then that English, for the translator."""
    return [f"{FROM}{_digest(english)}", f"which said: {english}"]


def _from(m: Any) -> str | None:
    """The digest in a stale unit's note, if it has one."""
    return next((c[len(FROM) :].strip() for c in m.auto_comments if c.startswith(FROM)), None)


def _write(target: Path, body: bytes) -> None:
    """Write a catalogue whole or not at all (a new file beside it, then renamed over it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.chmod(tmp, 0o644)  # content, not patient data: readable as the English files are
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _written(cat: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, cat, width=100, omit_header=False)
    return out.getvalue()


@dataclass(frozen=True)
class Missing:
    file: str
    line: int | None
    place: str
    why: str  # "untranslated" or "stale"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.place}: {self.why}" if self.place else f"{where}: {self.why}"


def status(content: Path, language: str) -> list[Missing]:
    """Every unit with no translation in ``language``, or one made from English that has
    since changed (stale), by its catalogue, line and place."""
    out: list[Missing] = []
    for file in content_files(content):
        doc = read(file, str(file.relative_to(content.parent)))
        if isinstance(doc, Doc):
            out += overlay(doc, content, language, file).missing
    return out


def all_units(content: Path) -> list[Unit]:
    """Every unit of the content folder."""
    out: list[Unit] = []
    for file in content_files(content):
        doc = read(file, str(file.relative_to(content.parent)))
        if isinstance(doc, Doc):
            out += units(doc)
    return out


def read_catalogue(path: Path) -> Catalog | None:
    """A catalogue, or None when there is none."""
    return _read(path)


def _read(path: Path) -> Catalog | None:
    """A catalogue, read strictly (a line Babel would skip with a warning is an error,
    never a translation silently cut short); None when there is none."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(data[: exc.start].count(b"\n") + 1) from None
    text = text.removeprefix("\ufeff")
    for n, line in enumerate(text.splitlines(), 1):  # Babel takes a line it cannot read
        if line.strip() and not line.lstrip().startswith("#") and not _PO_LINE.fullmatch(line):
            raise Unreadable(n)  # as if quoted (dropping its first and last characters)
    try:
        cat = read_po(io.BytesIO(text.encode("utf-8")), abort_invalid=True)
    except PoFileError as exc:
        raise Unreadable(getattr(exc, "lineno", None) or None) from None
    return cat
