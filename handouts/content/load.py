"""Read YAML files safely, keeping the line of every key and item.

Nothing here knows what a condition is; it turns a file into plain Python data
plus a map from key path to line number, or into :class:`Problem` records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handouts.content.printable import describe
from handouts.errors import Problem

MAX_BYTES = 1_000_000
"""Content and brand files are small; anything larger is refused, not parsed."""
MAX_DEPTH = 40
"""Content is a few levels deep; a deeper file is refused with our own message, whatever
limit the YAML parser has (PyYAML 6.0.4 and later stop at 1,000 levels with their own)."""
TOO_DEEP = "the file is nested too deeply to be content"

Key = tuple[str | int, ...]


@dataclass
class Doc:
    """One parsed YAML file."""

    file: str
    """The file's display name (used in every message)."""
    data: Any
    """The parsed data: dicts, lists, strings, numbers, dates."""
    lines: dict[Key, int] = field(default_factory=dict)
    """1-based line of each key path (``("red_flags", "emergency", 0)``)."""

    def line(self, path: Key) -> int | None:
        """The line of ``path``, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def walk(self) -> Iterator[tuple[Key, Any]]:
        """Every value in the file with its key path, parents before children."""
        return walk(self.data)

    def item_line(self, key: str, item_id: str) -> int | None:
        """The line of the item with ``id: item_id`` in the list under ``key``."""
        items = self.data.get(key, []) if isinstance(self.data, dict) else []
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and item.get("id") == item_id:
                return self.line((key, i))
        return None


def walk(data: Any, path: Key = ()) -> Iterator[tuple[Key, Any]]:
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from walk(v, (*path, str(k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from walk(v, (*path, i))


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader; only plain data types are ever constructed."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date-like value that is no real date (2026-13-01) stays text, for the schema to report."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def parse(
    text: str, file: str, as_text: bool = False, private: bool | None = None
) -> Doc | Problem:
    """Parse YAML text into a :class:`Doc`, or return the one problem that stops it.
    ``as_text``: every value is the text as written (a clinic list's ``0123`` is the id
    ``0123``, not the number 83; ``NO`` is ``NO``; a blank or ``null`` is ``""``).
    ``private`` (as ``as_text`` unless given): patient data, whose problems are located
    by their line alone, never by their keys."""
    private = as_text if private is None else private
    if not text.strip():
        return Problem(file, None, "", "the file is empty; expected a YAML mapping")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Problem(file, None, "", "the file has no content; expected a YAML mapping")
        lines: dict[Key, int] = {}
        found = _index(node, (), lines, file, set())
        if found is not None and private:  # patient data: its keys may be the patient's words
            found = Problem(found.file, found.line, "", found.message)
        if found is not None:
            return found
        data = _as_text(node) if as_text else loader.construct_document(node)
    except _Tagged as exc:
        return Problem(file, exc.line, "", TAGGED)
    except yaml.MarkedYAMLError as exc:
        if _too_deep(text):
            return Problem(file, None, "", TOO_DEEP)
        return Problem(file, _line(exc, text), "", f"this is not valid YAML: {_why(exc)}")
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a NUL)
        line = lines_before(text[: exc.position])
        what = describe(chr(exc.character)) if isinstance(exc.character, int) else "a character"
        said = f"this line has {what}, which YAML does not allow; remove it"
        return Problem(file, line, "", said)
    except yaml.YAMLError:
        return Problem(file, None, "", f"this is not valid YAML: {NOT_YAML}")
    except RecursionError:
        return Problem(file, None, "", TOO_DEEP)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = type(data).__name__
        return Problem(file, 1, "", f"expected a YAML mapping of keys to values, found a {kind}")
    return Doc(file, data, lines)


class _Tagged(Exception):
    def __init__(self, line: int):
        self.line = line


TAGGED = (
    "a YAML tag (a word after '!', such as !!binary) is not allowed; write the value as plain text"
)
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp",
                                       "map", "seq", "value", "merge")
)  # fmt: skip
"""The tags YAML gives plain text, lists and mappings by itself: any other was written."""


def _as_text(node: yaml.Node) -> Any:
    """The document with every scalar as the text written (``_index`` refused aliases);
    a tag that would change what a value means (``!foo``, ``!!binary``) is refused."""
    if node.tag not in _PLAIN_TAGS:
        raise _Tagged(node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        return {str(_as_text(k)): _as_text(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_as_text(v) for v in node.value]
    value = str(node.value)
    if not node.style and value in ("~", "null", "Null", "NULL"):  # plain: None or ""
        return ""  # a plain null is a blank cell; a quoted "null" is the word
    return value


def _index(
    node: yaml.Node, path: Key, lines: dict[Key, int], file: str, seen_nodes: set[int]
) -> Problem | None:
    """Record the line of every key path; report the first duplicate key or alias.

    Content never needs YAML anchors and aliases (``&x`` / ``*x``); refusing them
    stops self-referring files and "billion laughs" files before they are built.
    """
    if len(path) > MAX_DEPTH:
        return Problem(file, node.start_mark.line + 1, path_text(path[:MAX_DEPTH]), TOO_DEEP)
    if id(node) in seen_nodes:
        where = path_text(path)
        return Problem(
            file, node.start_mark.line + 1, where, "YAML aliases (*name) are not allowed"
        )
    seen_nodes.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                where = path_text((*path, key))
                return Problem(file, key_node.start_mark.line + 1, where, "this key appears twice")
            seen.add(key)
            found = _index(value_node, (*path, key), lines, file, seen_nodes)
            lines[(*path, key)] = key_node.start_mark.line + 1
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found = _index(item, (*path, i), lines, file, seen_nodes)
            if found:
                return found
    return None


NOT_YAML = "check the indentation, quotes, brackets and colons on this line and the one before"
YAML_PROBLEMS = (
    # (words in the parser's account, what we say): our words, whatever the parser's are;
    # where a mistake has two usual causes, both are named
    ("expected ',' or ']'", "a list in [brackets] is not closed, or two items lack a comma"),
    ("expected ',' or '}'", "a mapping in {braces} is not closed, or two items lack a comma"),
    (
        "mapping values are not allowed",
        "a colon and a space inside a text (put the text in quotes), or a line indented "
        "further than it should be",
    ),
    (
        "cannot start any token",
        "a tab, or a text starting with @, ` or %: indent with spaces, and put such text in quotes",
    ),
    (
        "unknown escape",
        "a backslash (\\) inside double quotes: use single quotes, or write it twice",
    ),
    ("quoted scalar", "a quote is not closed"),
    ("could not determine a constructor", "a YAML tag (a word after '!') is not allowed"),
    (
        "block mapping",
        "the indentation does not line up with the lines above, or a text goes on after its "
        "closing quote or starts with { or [ (put the whole text in quotes)",
    ),
    (
        "block sequence",
        "the indentation does not line up with the lines above, or a text goes on after its "
        "closing quote (put the whole text in quotes)",
    ),
)
"""The parser's problems we put in our own words; others get NOT_YAML."""


def _line(exc: yaml.MarkedYAMLError, text: str) -> int | None:
    """The line a YAML mistake is said at: where the parser stopped, unless it stopped at
    the end of the file (which ended inside a quote or a bracket): then where what was
    left open began, else the last line with something on it. Lines are counted as the
    parser counts them (lines ended by '\\r' alone too)."""
    marks = [m for m in (exc.problem_mark, exc.context_mark) if m is not None]
    inside = next((m.line + 1 for m in marks if m.index < len(text)), None)
    lines = BREAK.split(text)
    filled = max((n for n, line in enumerate(lines, 1) if line.strip()), default=1)
    return inside if inside is not None else filled if marks else None


def lines_before(text: str) -> int:
    """The number of the line that starts after ``text``, counted as the YAML parser
    counts lines."""
    return len(BREAK.split(text))


BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What the YAML parser reads as the end of a line."""


def _why(exc: yaml.MarkedYAMLError) -> str:
    said = f"{exc.context or ''} {exc.problem or ''}"
    return next((ours for theirs, ours in YAML_PROBLEMS if theirs in said), NOT_YAML)


def _too_deep(text: str) -> bool:
    """Whether the text opens more than MAX_DEPTH brackets or braces at once (flow style),
    counted without the parser, so a parser's own depth limit reads as ours."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest > MAX_DEPTH


def path_text(path: Key) -> str:
    """``("red_flags", "emergency", 0)`` → ``red_flags.emergency[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read(path: Path, display: str | None = None, private: bool = False) -> Doc | Problem:
    """Read and parse one file, refusing ones that are missing, huge or not UTF-8
    (``private``: patient data, as :func:`parse` says)."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(name, None, "", f"cannot read the file: {exc.strerror}")
    if size > MAX_BYTES:
        return Problem(name, None, "", f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    try:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")  # (valid up to there)
        line, column = lines_before(before), len(BREAK.split(before)[-1]) + 1
        return Problem(
            name,
            line,
            "",
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02X} at column {column} "
            "cannot be read; save the file as UTF-8",
        )
    except OSError as exc:
        return Problem(name, None, "", f"cannot read the file: {exc.strerror}")
    return parse(text, name, private=private)
