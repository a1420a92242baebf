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
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from handouts.content.load import Doc, Key, path_text, read

PROSE = frozenset({
    "text", "title", "short", "action", "name", "short_name", "other_names", "term",
    "plain", "also", "means", "columns", "how_often", "steps", "any_painkiller",
    "total", "what", "how_long", "build_up", "when",
    "repeat", "add", "intro",
})  # fmt: skip
"""Keys whose strings (or lists of strings) a reader sees (not ids: a painkiller-day
``limit`` names a number; a number's ``value`` is digits)."""
NOT_TRANSLATED = frozenset({"sources.yaml", "not-supported.yaml"})
"""Files with no units: citations keep their titles, and the phrases a check looks for
are the English ones (each language's own are a later step)."""


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
    return [Unit(path_text(path), value, doc.line(path), path) for path, value in _prose(doc.data)]


def overlay(doc: Doc, content: Path, language: str, file: Path) -> tuple[Doc, list[Missing]]:
    """``doc`` with each unit in ``language`` (a copy; the English is untouched), and the
    units that have no current translation (left in English: the caller refuses them)."""
    by_place = _current(content, language, file)
    data = copy.deepcopy(doc.data)
    missing = []
    shown = str(catalogue_path(content, language, file).relative_to(content.parent))
    for unit in units(doc):
        had = by_place.get(unit.place)
        if had is None or not had[1]:
            missing.append(Missing(shown, had[2] if had else None, unit.place, "untranslated"))
        elif had[0] != unit.english or had[3]:
            missing.append(Missing(shown, had[2], unit.place, STALE))
        else:
            _set(data, unit.path, had[1])
    return replace(doc, data=data), missing


STALE = "stale: the English changed since it was translated"


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
    (untranslated), mark a unit whose English changed as stale (``fuzzy``, with the
    English it was translated from as its previous ``msgid``), drop units no longer there.
    Returns (units, new, newly stale)."""
    total = new = stale = 0
    for file in content_files(content):
        doc = read(file, str(file.relative_to(content.parent)))
        if not isinstance(doc, Doc):
            continue
        found = units(doc)
        target = catalogue_path(content, language, file)
        old = _read(target)
        by_place = {m.context: m for m in old if m.id} if old else {}
        cat = Catalog(locale=language, project="handouts content", fuzzy=False)
        for unit in found:
            total += 1
            had = by_place.get(unit.place)
            where = [(str(file.relative_to(content.parent)), unit.line or 0)]
            if had is None:
                new += 1
                cat.add(unit.english, "", locations=where, context=unit.place)
            elif had.id != unit.english:
                stale += "fuzzy" not in had.flags
                cat.add(unit.english, had.string, locations=where, context=unit.place,
                        flags={"fuzzy"}, previous_id=had.previous_id or had.id)  # fmt: skip
            else:
                cat.add(unit.english, had.string, locations=where, context=unit.place,
                        flags=set(had.flags), previous_id=had.previous_id)  # fmt: skip
        if not found:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            write_po(out, cat, width=100, omit_header=False, include_previous=True)
    return total, new, stale


@dataclass(frozen=True)
class Missing:
    file: str
    line: int | None
    place: str
    why: str  # "untranslated" or "stale"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.place}: {self.why}"


def status(content: Path, language: str) -> list[Missing]:
    """Every unit with no translation in ``language``, or one made from English that has
    since changed (stale), by its catalogue, line and place."""
    out: list[Missing] = []
    for file in content_files(content):
        doc = read(file, str(file.relative_to(content.parent)))
        if isinstance(doc, Doc):
            out += overlay(doc, content, language, file)[1]
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
    if not path.is_file():
        return None
    with path.open("rb") as f:
        return read_po(f)
