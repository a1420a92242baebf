"""The web page's form: what it offers (conditions, medicines, packs, plan templates), and
a posted form read as one row of a clinic list, so that it is checked by the same code and
its problems are said in the same words, each against its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from handouts.content.language import CONTENT_LANGUAGES
from handouts.content.model import Library
from handouts.document.request import Allow, Request
from handouts.intake.clinic_list import check_cells, request
from handouts.intake.plan import COLUMNS as PLAN_COLUMNS
from handouts.pipeline import PRINTER

TEXT_FIELDS = ("name", "clinician", "date", "notes", "paper", "language", "plan_template",
               *PLAN_COLUMNS)  # fmt: skip
"""Fields posted as one value each, named as the clinic list's columns."""
FORMATS = ("visit", "full", "pack")
"""What to print: the visit handout, the full booklet, or a pack."""
MAX_VALUES = 40
"""The most conditions or medicines one form may pick (more is not a person's form)."""


@dataclass(frozen=True)
class Choice:
    """One condition or medicine the page offers: its id, name, and the words it is
    found by as a clinician types (other names, ICD-10 codes)."""

    id: str
    name: str
    also: str
    """Other names and codes, shown small after the name."""
    search: str
    """Everything it is found by, in lower case."""


@dataclass(frozen=True)
class Offer:
    """Everything the form offers, from the library (the same for every request)."""

    conditions: tuple[Choice, ...]
    medicines: tuple[Choice, ...]
    packs: tuple[tuple[str, str], ...]
    plans: tuple[tuple[str, str], ...]
    practices: tuple[tuple[str, str], ...]
    languages: tuple[str, ...]


def offer(lib: Library) -> Offer:
    conditions = []
    for c in sorted(lib.conditions.values(), key=lambda c: c.name.lower()):
        also = (*c.other_names, *c.icd10)
        conditions.append(_choice(c.id, c.name, also))
    medicines = []
    for m in sorted(lib.medicines.values(), key=lambda m: m.name.lower()):
        medicines.append(_choice(m.id, m.name, m.also_called, m.brands))
    return Offer(
        tuple(conditions),
        tuple(medicines),
        tuple((p.id, p.title) for p in sorted(lib.packs.values(), key=lambda p: p.title)),
        tuple((p.id, p.title) for p in sorted(lib.plans.values(), key=lambda p: p.title)),
        tuple((p.id, p.name) for p in sorted(lib.practices.values(), key=lambda p: p.name)),
        CONTENT_LANGUAGES,
    )


def _choice(id_: str, name: str, also: Sequence[str], brands: Sequence[str] = ()) -> Choice:
    """A choice, found by its id, name, other names and brands (a clinician may type
    ``Advil``, as on the command line); the brands are not shown (a long list)."""
    search = " ".join((id_, name, *also, *brands)).lower()
    return Choice(id_, name, ", ".join(also), search)


def blank(today: dt.date) -> dict[str, Any]:
    """A new form's values: a visit handout, dated today."""
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values |= {"conditions": [], "medicines": [], "format": "visit", "pack": "",
               "date": today.isoformat()}  # fmt: skip
    values |= dict.fromkeys(("large_print", "allow_expired", "allow_draft"), False)
    # the clinic-list upload's own fields
    values |= {"list_date": today.isoformat()}
    return values | dict.fromkeys(("skip_invalid", "list_allow_expired", "list_allow_draft"), False)


@dataclass(frozen=True)
class Filled:
    """A posted form: the values to show again, the request it makes (None when it has
    problems), and each problem by field (``""``: the form as a whole)."""

    values: dict[str, Any]
    request: Request | None
    problems: dict[str, list[str]]


def read_form(
    form: Mapping[str, Sequence[str]], lib: Library, today: dt.date | None = None
) -> Filled:
    """Check a posted form (each field's values, as posted) and make its request; review
    dates are checked as of ``today`` (default: the day it is made)."""

    def one(name: str) -> str:
        got = form.get(name) or [""]
        return got[0] if isinstance(got[0], str) else ""

    values = blank(today or dt.date.today()) | {name: one(name) for name in TEXT_FIELDS}
    values["conditions"] = [v for v in form.get("conditions", []) if isinstance(v, str)]
    values["medicines"] = [v for v in form.get("medicines", []) if isinstance(v, str)]
    values["format"] = one("format") or "visit"
    values["pack"] = one("pack")
    for box in ("large_print", "allow_expired", "allow_draft"):
        values[box] = bool(one(box))
    problems: dict[str, list[str]] = {}
    for many in ("conditions", "medicines"):
        if len(values[many]) > MAX_VALUES:
            problems[many] = [f"at most {MAX_VALUES} {many} in one handout"]
            values[many] = values[many][:MAX_VALUES]
    shape = values["format"]
    if shape not in FORMATS:
        problems["format"] = [f"unknown format '{shape[:20]}'; use visit, full or pack"]
        shape = values["format"] = "visit"
    cells = {name: values[name] for name in TEXT_FIELDS}
    cells |= {
        "id": "web",
        "conditions": ";".join(values["conditions"]),
        "medicines": ";".join(values["medicines"]),
        "large_print": "yes" if values["large_print"] else "",
    }
    if shape == "pack":
        cells["pack"] = values["pack"]
    else:
        cells["format"] = shape
        if values["pack"]:  # a pack chosen, but not what to print: say so, print nothing
            problems["pack"] = [
                "a pack prints when 'A pack of handouts' is chosen under What to print: "
                "choose it, or leave the pack blank"
            ]
    row, bad = check_cells(cells, lib, PRINTER, lib.packs, CONTENT_LANGUAGES)
    if shape == "pack" and not values["pack"]:  # said where the choice is missing
        bad = [(f, m) for f, m in bad if f != "conditions" or values["conditions"]]
        bad.append(("pack", "choose a pack, or print a visit handout or the full version"))
    for field, message in bad:
        problems.setdefault(field, []).append(message)
    if problems or row is None:
        return Filled(values, None, problems)
    allow = Allow(expired=values["allow_expired"], draft=values["allow_draft"], today=today)
    return Filled(values, request(row, None, allow), {})
