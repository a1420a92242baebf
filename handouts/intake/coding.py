"""What an EHR's codes mean in this content: a condition from its SNOMED CT or ICD-10
code, a medicine group from its RxNorm ingredient code or from the ingredients and brands
a prescription's text names.

A prescription's text is read the way RxNorm and EHRs write it: ingredients joined by
``/`` or ``-`` (``Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet``,
``oxyCODONE-acetaminophen 5-325 MG``), a brand in brackets (``… [Yaz]``) or as the name
(``Yaz 28 Day Pack``), each mapping to the groups it names (``Tylenol with Codeine`` is
paracetamol and opioids). What a product says it is free of is not read as an ingredient
(``Aspirin Free Anacin``, ``non-aspirin``), nor is low-dose aspirin (``aspirin 81 MG Oral
Tablet``: no painkiller, by its name or by aspirin's code beside it). Names match whole
words, any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handouts.content.medicine_finder import ASPIRIN, low_dose_aspirin, without_low_dose_aspirin
from handouts.content.model import Library
from handouts.errors import shown
from handouts.intake.patient import by_icd10

SNOMED = "http://snomed.info/sct"
ICD10 = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SYSTEMS = {SNOMED: "SNOMED CT", RXNORM: "RxNorm", ICD10[0]: "ICD-10-CM", ICD10[1]: "ICD-10"}
"""The code systems read, by their FHIR URI, and how a list of codes names them."""
NOT_IN = re.compile(r"\b(?:non-?|no[- ])(\w+)|\b(\w+)[- ]free\b", re.I)
"""``Aspirin Free Anacin``, ``non-aspirin``: words that name what a product does not hold."""


@dataclass(frozen=True)
class Found:
    """The content ids a coded concept maps to, and the code that found them."""

    ids: tuple[str, ...]
    by: str
    """``SNOMED CT 37796009``, or ``text`` when the words found it."""


class Coding:
    """One library's codes and names, ready to look concepts up in."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.snomed = {code: c.id for c in lib.conditions.values() for code in c.snomed}
        self.rxnorm = {
            i.rxnorm: m.id for m in lib.medicines.values() for i in m.ingredients if i.rxnorm
        }
        self.ingredients = _index(
            (i.ingredient, m.id) for m in lib.medicines.values() for i in m.ingredients
        )
        self.brands = _index((b, m.id) for m in lib.medicines.values() for b in m.brands)
        self.aspirin = {
            i.rxnorm for m in lib.medicines.values() for i in m.ingredients
            if i.ingredient == "aspirin" and i.rxnorm
        }  # fmt: skip

    def condition(self, codings: list[Any]) -> Found | None:
        """The condition a Condition's codes name, or None."""
        for coding in codings:
            if coding.system == SNOMED and coding.code in self.snomed:
                return Found((self.snomed[coding.code],), code(coding))
            if coding.system in ICD10 and coding.code:
                cid = by_icd10(self.lib, coding.code)
                if cid:
                    return Found((cid,), code(coding))
        return None

    def medicines(self, concept: Any) -> Found | None:
        """The medicine groups a medication's concept names: by ingredient code, else by
        the ingredients its text names, else by its brand."""
        codings = list(concept.coding or []) if concept is not None else []
        texts = [c.display for c in codings if c.display]
        texts += [concept.text] if concept is not None and concept.text else []
        # low-dose aspirin is no painkiller: not by aspirin's code, nor by its name
        low = any(low_dose_aspirin(text) for text in texts)
        coded = [
            c
            for c in codings
            if c.system == RXNORM and c.code in self.rxnorm and not (low and c.code in self.aspirin)
        ]
        if coded:
            return Found(tuple(dict.fromkeys(self.rxnorm[c.code] for c in coded)), code(coded[0]))
        texts = [without_low_dose_aspirin(NOT_IN.sub(" ", text)) for text in texts]
        if low:  # its codes' other names ("aspirin" beside "aspirin 81 MG Oral Tablet")
            texts = [ASPIRIN.sub(" ", text) for text in texts]
        ids = [
            i
            for text in texts
            for names in (self.ingredients, self.brands)
            for i in names.find(text)
        ]
        if ids:
            coded = next((c for c in codings if c.code), None)
            return Found(tuple(dict.fromkeys(ids)), code(coded) if coded else "its text")
        return None


class _Names:
    """Names to find as whole words (a ``-`` or ``/`` between two is a break)."""

    def __init__(self, owners: dict[str, list[str]]):
        self.owners = owners
        words = sorted(owners, key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words)
        self.pattern = re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.I) if words else None

    def find(self, text: str) -> list[str]:
        if self.pattern is None:
            return []
        return [mid for m in self.pattern.finditer(text) for mid in self.owners[m.group(1).lower()]]


def _index(pairs: Any) -> _Names:
    owners: dict[str, list[str]] = {}
    for name, mid in pairs:
        ids = owners.setdefault(name.lower(), [])
        if mid not in ids:
            ids.append(mid)
    return _Names(owners)


def code(coding: Any) -> str:
    """``SNOMED CT 37796009``."""
    return f"{SYSTEMS.get(coding.system or '', coding.system or 'no system')} {coding.code}"


def described(coding: Any, text: str | None = None) -> str:
    """``SNOMED CT 37796009 Migraine (disorder)``: a code as a list of codes shows it."""
    if coding is None:
        return shown(text or "no code", 80)
    words = coding.display or text or ""
    return shown(f"{code(coding)} {words}".strip(), 100)
