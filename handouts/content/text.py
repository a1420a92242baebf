"""Content text: placeholders, whole-word phrase matching, and every string of a block.

A placeholder is a field, not a program: ``{{ clinic.phone }}``, ``{{ numbers.painkiller_days }}``
or ``{{ painkillers.limit }}``, nothing else (no loops, calls, filters or arithmetic), filled by
plain substitution. Only *content* text has placeholders. Patient details never pass through
here: they are data, added to the document as plain strings and escaped when drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass

from handouts.errors import HandoutsError
from handouts.memo import memo

CLINIC_FIELDS = (
    "name",
    "phone",
    "address",
    "web",
    "after_hours",
    "emergency_number",
    "crisis_line",
)
"""Fields a content text may use as ``{{ clinic.<field> }}`` (from the brand)."""
PAINKILLER_FIELDS = ("limit", "names")
"""``{{ painkillers.<field> }}``: the painkiller-day limit and the painkillers of one handout."""

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\.([a-z0-9_]+)\s*\}\}")
_MARKS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")

Context = Mapping[str, Mapping[str, str]]
"""Placeholder values by group and field: ``{"clinic": {"phone": "555-0142"}}``."""


def has_placeholder(text: str) -> bool:
    return "{" in text and _MARKS.search(text) is not None


def fill(text: str, context: Context) -> str:
    """Fill the placeholders in one content text. Text without any is returned as it is."""
    if not has_placeholder(text):
        return text

    def value(m: re.Match[str]) -> str:
        try:
            return context[m.group(1)][m.group(2)]
        except KeyError:
            raise HandoutsError(
                f"cannot fill the placeholder {m.group(0)} in {text[:60]!r}: "
                "it has no value for this handout"
            ) from None

    return PLACEHOLDER.sub(value, text)


ANY = ("*",)
"""The fields of a group whose file could not be read: any name passes, so the one problem
in that file is not buried under unknown placeholders."""


def template_problem(text: str, known: Mapping[str, tuple[str, ...]]) -> str | None:
    """Why ``text`` cannot be filled (written wrongly, unknown placeholder), or None.

    ``known`` lists the fields of each group, e.g. ``{"clinic": CLINIC_FIELDS}``.
    """
    if not has_placeholder(text):
        return None
    if _MARKS.search(PLACEHOLDER.sub("", text)):
        return (
            "placeholder written wrongly: a placeholder is one field, written like "
            "{{ clinic.phone }} (no loops, calls, filters or sums)"
        )
    for m in PLACEHOLDER.finditer(text):
        group, name = m.groups()
        if known.get(group) != ANY and name not in known.get(group, ()):
            fields = known.get(group) or known["clinic"]
            prefix = group if known.get(group) else "clinic"
            listed = ", ".join(f"{{{{ {prefix}.{f} }}}}" for f in fields)
            return f"unknown placeholder '{group}.{name}'; you can use {listed}"
    return None


def _fold(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


@memo(4096)
def _phrase(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _fold(phrase).split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b")


@memo(4096)
def _words(phrase: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", _fold(phrase)))


@memo(8)
def _folded(text: str) -> tuple[str, frozenset[str]]:
    """The text folded once, and its words (most phrases are ruled out by these alone)."""
    folded = _fold(text)
    return folded, frozenset(re.findall(r"\w+", folded))


def mentions(text: str, phrase: str) -> bool:
    """``phrase`` appears in ``text`` as whole words, ignoring case, spacing and quote marks
    (used for glossary words and for claims that must not appear)."""
    folded, words = _folded(text)
    if not all(w in words for w in _words(phrase)):
        return False
    return _phrase(phrase).search(folded) is not None


def strings(block: object) -> Iterator[str]:
    """Every string in a document or block, in order (a renderer's or a checker's view)."""
    if isinstance(block, str):
        yield block
    elif isinstance(block, tuple | list):
        for part in block:
            yield from strings(part)
    elif is_dataclass(block):
        for f in fields(block):
            yield from strings(getattr(block, f.name))
