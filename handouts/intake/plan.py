"""A patient's plan for the visit handout, in from a plan file, command-line options or a
clinic list's columns. The plan is patient data: read as text, checked printable and
capped in length, printed as written (never a template), and never quoted in a message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

from handouts.content.load import parse
from handouts.content.model import (
    AttackPlan,
    DailyPlan,
    Library,
    MovementPlan,
    PlanFields,
    PlanFile,
)
from handouts.content.printable import Printer, private_text_problem
from handouts.content.schema import Builder, Invalid
from handouts.errors import PatientError, Problem, did_you_mean
from handouts.intake.patient import nfc

FIELD_LIMIT = 300
"""The most characters in one plan field (a slot holds a sentence or two)."""
MAX_PLAN_BYTES = 100_000
"""The largest plan file read (a plan is a few lines)."""

COLUMNS: dict[str, tuple[str, str | None]] = {
    "attack_medicine": ("attack", "medicine"),
    "attack_when": ("attack", "when"),
    "attack_repeat": ("attack", "repeat"),
    "attack_limit": ("attack", "limit"),
    "attack_add": ("attack", "add"),
    "daily_medicine": ("every_day", "medicine"),
    "daily_how": ("every_day", "how"),
    "move_what": ("movement", "what"),
    "move_how_long": ("movement", "how_long"),
    "move_how_often": ("movement", "how_often"),
    "move_build_up": ("movement", "build_up"),
    "calming": ("calming", None),
    "next_visit": ("next_visit", None),
}
"""Each plan field's flat name (a clinic-list column; ``--attack-medicine`` on the command
line), and where it goes in :class:`PlanFields`."""


def from_columns(values: dict[str, str | None]) -> PlanFields:
    """A plan from flat values by :data:`COLUMNS` name; blank values are left out."""
    parts: dict[str, dict[str, str]] = {}
    top: dict[str, str] = {}
    for name, value in values.items():
        if not (value and value.strip()):
            continue
        part, key = COLUMNS[name]
        if key is None:
            top[part] = nfc(value.strip())
        else:
            parts.setdefault(part, {})[key] = nfc(value.strip())
    return PlanFields(
        attack=AttackPlan(**parts.get("attack", {})),
        every_day=DailyPlan(**parts.get("every_day", {})),
        movement=MovementPlan(**parts.get("movement", {})),
        **top,
    )


def over(base: PlanFields, mine: PlanFields) -> PlanFields:
    """``base`` with every field ``mine`` fills replaced by ``mine``'s."""

    def merged(a: object, b: object) -> object:
        given = {f.name: getattr(b, f.name) for f in fields(b) if getattr(b, f.name)}  # type: ignore[arg-type]
        return replace(a, **given)  # type: ignore[type-var]

    return PlanFields(
        attack=merged(base.attack, mine.attack),  # type: ignore[arg-type]
        every_day=merged(base.every_day, mine.every_day),  # type: ignore[arg-type]
        movement=merged(base.movement, mine.movement),  # type: ignore[arg-type]
        calming=mine.calming or base.calming,
        next_visit=mine.next_visit or base.next_visit,
    )


Places = dict[str, tuple[str, int | None]]
"""Where each plan field is written in a plan file, by its flat name (:data:`COLUMNS`, and
``plan_template``): its key there (``movement.what``) and its line."""


def read_plan(path: Path, lib: Library) -> tuple[PlanFields, str | None, Places]:
    """A plan file (YAML): its fields, the template it starts from, and where each field
    is written (for :func:`check_plan`). Every value is read as the text written. A file
    whose keys or shape are wrong is refused with those problems and those of its calming
    practice and template, if they are named wrong too (all at once)."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PatientError(
            [Problem(str(path), None, "", f"cannot read the plan: {exc.strerror}")]
        ) from None
    if len(data) > MAX_PLAN_BYTES:
        raise PatientError(
            [Problem(str(path), None, "", f"a plan file is at most {MAX_PLAN_BYTES:,} bytes")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PatientError(
            [Problem(str(path), None, "", "the plan is not UTF-8 text: save it as UTF-8")]
        ) from None
    doc = parse(text, str(path), as_text=True)
    if isinstance(doc, Problem):
        raise PatientError([doc])
    problems: list[Problem] = []
    try:  # a blank slot is no slot, as on the command line and in a clinic list
        plan = Builder(doc, problems, private=True).value(PlanFile, _filled(doc.data), ())
    except Invalid:
        data = doc.data if isinstance(doc.data, dict) else {}
        named = {k: v.strip() for k in ("calming", "template") if isinstance(v := data.get(k), str)}

        def where(name: str, message: str) -> Problem:
            key = "template" if name == "plan_template" else name  # the file's key
            return Problem(str(path), doc.line((key,)), key, message)

        problems += _names(named.get("calming"), named.get("template"), lib, where)
        raise PatientError(problems) from None
    own = PlanFields(plan.attack, plan.every_day, plan.movement, plan.calming, plan.next_visit)
    keys = {name: (part,) if key is None else (part, key) for name, (part, key) in COLUMNS.items()}
    keys["plan_template"] = ("template",)
    places = {name: (".".join(key), doc.line(key)) for name, key in keys.items()}
    return _normalised(own), (plan.template or None), places


def check_plan(
    plan: PlanFields,
    template: str | None,
    where: str,
    lib: Library,
    printer: Printer,
    places: Places | None = None,
) -> list[Problem]:
    """Every problem of a patient's plan, located by field and never quoting it: too long,
    unprintable, an unknown calming practice or template. A field is named by its flat
    name (a clinic list's column, an option's), or with ``places`` (a plan file's), by its
    key and line in the file."""

    def problem(name: str, message: str) -> Problem:
        key, line = (places or {}).get(name, (name, None))
        return Problem(where, line, key, message)

    problems = []
    for name, value in _flat(plan).items():
        if not value:
            continue
        if len(value) > FIELD_LIMIT:
            problems.append(problem(name, f"too long: at most {FIELD_LIMIT} characters"))
        elif said := private_text_problem(printer, value):
            problems.append(problem(name, said))
    return problems + _names(plan.calming, template, lib, problem)


def _names(
    calming: str | None,
    template: str | None,
    lib: Library,
    problem: Callable[[str, str], Problem],
) -> list[Problem]:
    """An unknown calming practice or plan template, each said by ``problem``."""
    problems = []
    if calming and calming not in lib.practices and len(calming) <= FIELD_LIMIT:
        have = ", ".join(sorted(lib.practices)) or "none"
        hint = did_you_mean(calming, lib.practices)
        problems.append(
            problem("calming", f"unknown calming practice{hint}; choose one of: {have}")
        )
    if template and template not in lib.plans:
        have = ", ".join(sorted(lib.plans)) or "none"
        hint = did_you_mean(template, lib.plans)
        problems.append(
            problem("plan_template", f"unknown plan template{hint}; choose one of: {have}")
        )
    return problems


def _flat(plan: PlanFields) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, (part, key) in COLUMNS.items():
        holder = getattr(plan, part)
        out[name] = holder if key is None else getattr(holder, key)
    return out


def _normalised(plan: PlanFields) -> PlanFields:
    return from_columns(_flat(plan))


def _filled(data: object) -> object:
    """``data`` without the keys whose value is blank (nothing, or only spaces)."""
    if isinstance(data, dict):
        kept = {k: _filled(v) for k, v in data.items()}
        return {k: v for k, v in kept.items() if v is not None and str(v).strip() != ""}
    return data
