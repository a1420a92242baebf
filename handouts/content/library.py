"""Read every content file, build the typed model, check cross-references.

``load_library(folder, printer)`` returns a :class:`Library` or raises one
:class:`ContentError` listing every problem in every file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from handouts.content import text, translations
from handouts.content.codes import RXNORM, snomed_problem
from handouts.content.load import Doc, Key, path_text, read
from handouts.content.model import (
    AREAS,
    PARTS,
    TIERS,
    AttackPlan,
    CalmingFile,
    CombinationFile,
    CombinationRule,
    Condition,
    DiaryFile,
    EmailFile,
    GlossaryFile,
    HandoutsFile,
    HandoutSpec,
    Library,
    LifestyleFile,
    Link,
    Medicine,
    MinimumTier,
    Number,
    NumbersFile,
    Pack,
    PainkillerDays,
    PlanTemplate,
    Practice,
    RedFlag,
    RedFlagFile,
    Review,
    Source,
    Step,
    Term,
    Unsupported,
    UnsupportedFile,
    medicine_names,
)
from handouts.content.printable import Printer, unprintable_problem
from handouts.content.schema import UNKNOWN_KEY, Builder, Invalid
from handouts.content.text import strings
from handouts.errors import ContentError, Problem, did_you_mean

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LINK_ID = re.compile(r"^[a-z0-9]+(-{1,2}[a-z0-9]+)*$")
NUMBER_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
URL = re.compile(r'^https?://[^\s"<>]+$')
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
T = TypeVar("T")


class _Checker:
    """Holds the problems found so far and the parsed documents."""

    def __init__(self, root: Path, printer: Printer, language: str | None = None):
        self.root = root
        self.printer = printer
        self.language = language
        """The language to read the content in (None: English, as written)."""
        self.untranslated: list[Problem] = []
        self.translated_at: dict[tuple[str, str], tuple[str, int]] = {}
        """(content file, place) → (catalogue, line) of each translated unit."""
        self.problems: list[Problem] = []
        self.broken: set[str] = set()
        """Ids whose own file could not be read or built."""
        self.unread: set[str] = set()
        """Catalogues (e.g. "red flag") with a file that could not be read or built: a
        reference into one is not reported unknown, so its one problem is not buried."""
        self.docs: dict[str, Doc] = {}
        """Every document read, by its display name."""
        self.flag_items: dict[str, int] = {}
        """Each red flag's place in its file's list of flags, by id."""

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def doc(self, path: Path) -> Doc | None:
        result = read(path, self.display(path))
        if isinstance(result, Problem):
            self.problems.append(result)
            return None
        if self.language:  # the same file, each unit in the language (never English unsaid)
            done = translations.overlay(result, self.root, self.language, path)
            result = done.doc
            self.untranslated += [Problem(m.file, m.line, m.place, m.why) for m in done.missing]
            self.translated_at.update({(result.file, k): v for k, v in done.places.items()})
        self.docs[result.file] = result
        return result

    def build(self, cls: type[T], doc: Doc, data: Any = None, path: Key = ()) -> T | None:
        try:
            return Builder(doc, self.problems).value(cls, doc.data if not path else data, path)
        except Invalid:
            return None

    def add(self, doc: Doc, path: Key, message: str) -> None:
        self.problems.append(Problem(doc.file, doc.line(path), path_text(path), message))

    def instead(self, doc: Doc, path: Key, message: str) -> None:
        """Say ``message`` of ``path`` in place of the schema's bare "unknown key" there,
        which it says better: one problem, one line. Where the schema guessed a likelier
        key ("unknown key (did you mean 'next_visit'?)"), the guess is the better help
        and is said alone."""
        place = (doc.file, path_text(path))
        said = [p for p in self.problems
                if (p.file, p.path) == place and p.message.startswith(UNKNOWN_KEY)]  # fmt: skip
        if any(p.message != UNKNOWN_KEY for p in said):
            return
        self.problems = [p for p in self.problems if p not in said]
        self.add(doc, path, message)

    def files(self, folder: str) -> list[Path]:
        return sorted((self.root / folder).glob("*.yaml"))


def _where_translated(c: _Checker, p: Problem) -> Problem:
    at = c.translated_at.get((p.file, p.path))
    return Problem(at[0], at[1], p.path, p.message) if at else p


def load_library(root: Path, printer: Printer, language: str | None = None) -> Library:
    """Read and check the content folder ``root``, every word printable by ``printer``;
    in ``language`` (its translations, :mod:`handouts.content.translations`), which must
    have every unit translated from the English as it is now. Raises ContentError with
    every problem."""
    c = _Checker(root, printer, None if language in (None, "en") else language)
    if not root.is_dir():
        raise ContentError([Problem(str(root), None, "", "content folder not found")])

    sources: dict[str, Source] = {}
    sdoc = _required(c, "sources.yaml")
    if sdoc:
        for key, value in sdoc.data.items():
            src = c.build(Source, sdoc, value, (str(key),))
            if src:
                sources[str(key)] = src

    steps: dict[str, Step] = {}
    files: dict[str, str] = {}
    review_at: dict[str, tuple[str, Key]] = {}
    ldoc = _required(c, "lifestyle.yaml")
    life = c.build(LifestyleFile, ldoc) if ldoc else None
    if not life:
        c.unread.add("lifestyle step")
    if ldoc and life:
        for i, step in enumerate(life.steps):
            path: Key = ("steps", i, "id")
            if _check_id(c, ldoc, path, step.id, steps, "step"):
                steps[step.id] = step if step.review else _with_review(step, life.review)
                files[f"step:{step.id}"] = ldoc.file
                review_at[f"step:{step.id}"] = (
                    ldoc.file,
                    ("steps", i, "review") if step.review else ("review",),
                )

    flags, minimum_tiers = _red_flags(c, files, review_at)
    numbers = _numbers(c, review_at)
    painkiller_days = _painkiller_days(c, review_at, numbers)
    conditions = _load_folder(c, "conditions", Condition, "condition", files)
    medicines = _load_folder(c, "medicines", Medicine, "medicine", files)

    links: dict[frozenset[str], Link] = {}
    link_ids: dict[str, Link] = {}
    for f in c.files("links"):
        doc = c.doc(f)
        link = c.build(Link, doc) if doc else None
        if not (doc and link):
            continue
        if not LINK_ID.match(link.id):
            c.add(doc, ("id",), f"'{link.id}' is not a valid id: use lower-case words and '-'")
            continue
        if link.id in link_ids:
            c.add(doc, ("id",), f"the id '{link.id}' is used by another link too")
            continue
        link_ids[link.id] = link
        ok = _refs(c, doc, ("conditions",), link.conditions, conditions, "condition")
        pair = frozenset(link.conditions)
        if len(pair) != 2:
            c.add(doc, ("conditions",), "a link joins two different conditions")
        elif ok and pair in links:
            other = links[pair].id
            c.add(doc, ("conditions",), f"these two conditions are already linked by '{other}'")
        elif ok:
            links[pair] = link
            files[f"link:{link.id}"] = doc.file

    rules: list[CombinationRule] = []
    rule_ids: set[str] = set()
    for f in c.files("combinations"):
        doc = c.doc(f)
        combo = c.build(CombinationFile, doc) if doc else None
        if not (doc and combo):
            continue
        for i, rule in enumerate(combo.rules):
            base: Key = ("rules", i)
            if not _check_id(c, doc, (*base, "id"), rule.id, rule_ids, "rule"):
                continue
            rule_ids.add(rule.id)
            w = rule.when
            wpath: Key = (*base, "when")
            if not (w.conditions_all or w.conditions_any or w.medicines_all or w.medicines_any):
                c.add(doc, wpath, "a rule needs at least one condition or medicine in 'when'")
                continue
            ok = all(
                [
                    _refs(
                        c,
                        doc,
                        (*wpath, "conditions_all"),
                        w.conditions_all,
                        conditions,
                        "condition",
                    ),
                    _refs(
                        c,
                        doc,
                        (*wpath, "conditions_any"),
                        w.conditions_any,
                        conditions,
                        "condition",
                    ),
                    _refs(
                        c, doc, (*wpath, "medicines_all"), w.medicines_all, medicines, "medicine"
                    ),
                    _refs(
                        c, doc, (*wpath, "medicines_any"), w.medicines_any, medicines, "medicine"
                    ),
                ]
            )
            if ok:
                rules.append(rule if rule.review else _with_review(rule, combo.review))
                files[f"rule:{rule.id}"] = doc.file
                review_at[f"rule:{rule.id}"] = (
                    doc.file,
                    (*base, "review") if rule.review else ("review",),
                )

    diary, ddoc = _optional(c, "diary", DiaryFile, review_at)
    if ddoc and diary and not (diary.intro and diary.columns):
        c.add(ddoc, (), "the diary needs an intro and its columns")
    email, edoc = _optional(c, "email", EmailFile, review_at)
    if edoc and email and not email.body:
        c.add(edoc, ("body",), "the e-mail needs its body: at least one paragraph")

    handouts: tuple[HandoutSpec, ...] = ()
    hdoc = _required(c, "handouts.yaml")
    hfile = c.build(HandoutsFile, hdoc) if hdoc else None
    if hdoc and hfile:
        _check_specs(c, hdoc, hfile.handouts, conditions, diary is not None)
        handouts = hfile.handouts
    packs: dict[str, Pack] = {}
    if (c.root / "packs").is_dir():
        packs = _load_folder(c, "packs", Pack, "pack", files)
        for pack in packs.values():
            pdoc = c.docs[files[f"pack:{pack.id}"]]
            _check_specs(c, pdoc, pack.handouts, conditions, diary is not None)
            if not pack.handouts:
                c.add(pdoc, ("handouts",), "a pack needs at least one handout")
    glossary, plain_words = _glossary(c)
    unsupported = _unsupported(c)
    practices = _practices(c, files, review_at)
    plans: dict[str, PlanTemplate] = {}
    if (c.root / "plans").is_dir():
        plans = _load_folder(c, "plans", PlanTemplate, "plan", files)
        for plan in plans.values():
            pdoc = c.docs[files[f"plan:{plan.id}"]]
            review_at[f"plan:{plan.id}"] = (pdoc.file, ("review",))
            if plan.plan.calming and plan.plan.calming not in practices:
                _refs(c, pdoc, ("plan", "calming"), [plan.plan.calming], practices, "practice")
            _check_covers(c, pdoc, plan, medicines)
            _refs(c, pdoc, ("medicines",), plan.medicines, medicines, "medicine")
            for i, med in enumerate(plan.medicines):
                if med in plan.medicines[:i]:
                    c.add(pdoc, ("medicines", i), f"'{med}' is named twice")
    for key, file in files.items():
        if key.split(":")[0] in ("condition", "medicine", "link"):
            review_at[key] = (file, ("review",))

    for cond in conditions.values():
        doc = c.docs[files[f"condition:{cond.id}"]]
        _check_condition(c, doc, cond, medicines, steps, flags)
        if cond.painkiller_days and painkiller_days is None and "painkillers" not in c.unread:
            c.add(doc, ("painkiller_days",), "there is no content/painkiller-days.yaml to print")
    for med in medicines.values():
        _check_medicine(c, c.docs[files[f"medicine:{med.id}"]], med, flags)
    _check_brand_names(c, medicines, files)
    _check_with(c, medicines, files)
    _check_not_with(c, flags, conditions, files)
    _check_step_areas(c, conditions, files)
    _check_codes(c, conditions, medicines, files)
    known = {"clinic": text.CLINIC_FIELDS, "numbers": tuple(numbers)}
    if painkiller_days or "painkillers" in c.unread:  # the rule words {{ painkillers.* }}
        known["painkillers"] = text.PAINKILLER_FIELDS
    if "numbers" in c.unread:  # its own problem is reported; its placeholders are not
        known["numbers"] = text.ANY
    for doc in c.docs.values():
        _check_texts(c, doc, sources, known)
        _check_ranks(c, doc)
        for path, value in doc.walk():  # a `for:` anywhere names conditions that exist
            if path and path[-1] == "for" and isinstance(value, list):
                _refs(c, doc, path, [str(v) for v in value], conditions, "condition")

    if c.untranslated:  # a language is printed whole or not at all
        raise ContentError(c.untranslated)
    if c.problems:  # one found in a translated sentence: said where the translator fixes it
        raise ContentError([_where_translated(c, p) for p in c.problems])
    return Library(
        conditions=conditions,
        links=links,
        medicines=medicines,
        rules=tuple(rules),
        steps=steps,
        sources=sources,
        handouts=handouts,
        packs=packs,
        files=files,
        diary=diary,
        email=email,
        glossary=glossary,
        plain_words=plain_words,
        unsupported=unsupported,
        red_flags=flags,
        minimum_tiers=minimum_tiers,
        numbers=numbers,
        painkiller_days=painkiller_days,
        practices=practices,
        plans=plans,
        docs=c.docs,
        root=root,
        language=c.language or "en",
        review_at=review_at,
    )


def _red_flags(
    c: _Checker, files: dict[str, str], review_at: dict[str, tuple[str, Key]]
) -> tuple[dict[str, RedFlag], tuple[MinimumTier, ...]]:
    """The red-flag catalogue: every file in content/red-flags/, ids unique across them."""
    flags: dict[str, RedFlag] = {}
    rules: list[MinimumTier] = []
    paths = c.files("red-flags")
    if not paths:
        where = c.display(c.root / "red-flags")
        c.problems.append(Problem(where, None, "", "the red-flag catalogue is required but empty"))
    for f in paths:
        doc = c.doc(f)
        found = c.build(RedFlagFile, doc) if doc else None
        if not (doc and found):
            c.unread.add("red flag")
            continue
        for i, flag in enumerate(found.flags):
            if _check_id(c, doc, ("flags", i, "id"), flag.id, flags, "red flag"):
                flags[flag.id] = _with_review(flag, found.review)
                c.flag_items[flag.id] = i
                files[f"flag:{flag.id}"] = doc.file
                review_at[f"flag:{flag.id}"] = (doc.file, ("review",))
        for i, rule in enumerate(found.minimum_tiers):
            if not rule.phrases or not all(p.strip() for p in rule.phrases):
                c.add(doc, ("minimum_tiers", i, "phrases"), "expected one or more phrases")
            rules.append(rule)
    return flags, tuple(rules)


def _numbers(c: _Checker, review_at: dict[str, tuple[str, Key]]) -> dict[str, Number]:
    """content/numbers.yaml, if there is one: each number a patient acts on, defined once."""
    path = c.root / "numbers.yaml"
    doc = c.doc(path) if path.is_file() else None
    found = c.build(NumbersFile, doc) if doc else None
    numbers: dict[str, Number] = {}
    if not (doc and found):
        if path.is_file():
            c.unread.add("numbers")
        return numbers
    for i, number in enumerate(found.numbers):
        where: Key = ("numbers", i, "id")
        if not NUMBER_ID.match(number.id):
            c.add(
                doc,
                where,
                f"'{number.id}' is not a valid number id: use lower-case words joined by '_'",
            )
        elif number.id in numbers:
            c.add(doc, where, f"the number id '{number.id}' is used twice")
        else:
            numbers[number.id] = _with_review(number, number.review or found.review)
            review_at[f"number:{number.id}"] = (doc.file, ("review",))
    return numbers


def _painkiller_days(
    c: _Checker, review_at: dict[str, tuple[str, Key]], numbers: dict[str, Number]
) -> PainkillerDays | None:
    path = c.root / "painkiller-days.yaml"
    doc = c.doc(path) if path.is_file() else None
    found = c.build(PainkillerDays, doc) if doc else None
    if path.is_file() and not found:
        c.unread.add("painkillers")
    if doc and found:
        review_at["painkiller-days"] = (doc.file, ("review",))
        for key in ("limit", "limit_one_simple"):
            if getattr(found, key) not in numbers and "numbers" not in c.unread:
                hint = did_you_mean(getattr(found, key), numbers)
                c.add(doc, (key,), f"unknown number '{getattr(found, key)}'{hint}")
    return found


def _glossary(c: _Checker) -> tuple[tuple[Term, ...], frozenset[str]]:
    """content/glossary.yaml, if there is one: each word explained once."""
    path = c.root / "glossary.yaml"
    doc = c.doc(path) if path.is_file() else None
    gloss = c.build(GlossaryFile, doc) if doc else None
    if not (doc and gloss):
        return (), frozenset()
    seen: dict[str, str] = {}
    for i, term in enumerate(gloss.terms):
        for j, form in enumerate(term.forms):
            where: Key = ("terms", i, "term") if j == 0 else ("terms", i, "also", j - 1)
            if not form.strip():
                c.add(doc, where, "expected a word, found nothing")
            elif form.lower() in seen:
                c.add(doc, where, f"'{form}' is already explained under '{seen[form.lower()]}'")
            else:
                seen[form.lower()] = term.term
    return gloss.terms, frozenset(w.lower() for w in gloss.plain_words)


def _practices(
    c: _Checker, files: dict[str, str], review_at: dict[str, tuple[str, Key]]
) -> dict[str, Practice]:
    """content/calming.yaml, if there is one: the calming practices a plan can choose."""
    path = c.root / "calming.yaml"
    doc = c.doc(path) if path.is_file() else None
    found = c.build(CalmingFile, doc) if doc else None
    if not (doc and found):
        return {}
    practices: dict[str, Practice] = {}
    for i, practice in enumerate(found.practices):
        if not _check_id(c, doc, ("practices", i, "id"), practice.id, practices, "practice"):
            continue
        if not MIN_STEPS <= len(practice.steps) <= MAX_STEPS:
            count = len(practice.steps)
            said = f"a practice has {MIN_STEPS} to {MAX_STEPS} steps, found {count}"
            c.add(doc, ("practices", i, "steps"), said)
        practices[practice.id] = _with_review(practice, found.review)
        files[f"practice:{practice.id}"] = doc.file
        review_at[f"practice:{practice.id}"] = (doc.file, ("review",))
    return practices


MIN_STEPS, MAX_STEPS = 3, 6
"""A calming practice's numbered steps: enough to follow, few enough to remember."""
RANKS: dict[str, tuple[int, int] | None] = {"priority": (1, 5), "urgency": None, "visit": (0, 2)}
"""Keys that rank content, and their ranges: a key point's ``priority`` (the visit
handout's main points) and ``urgency`` (a red flag's tier, which the schema checks: the
most urgent first in both versions), a medicine caution's ``visit`` rank."""
ON_KEY_POINTS = frozenset({"priority", "urgency"})
"""The ranks only a condition's key point takes (the other, ``visit``, a medicine's
caution)."""


def _check_ranks(c: _Checker, doc: Doc) -> None:
    """A ``priority`` or ``urgency`` only on a condition's key point, a ``visit`` only on a
    medicine's caution, each in its range."""
    for path, value in doc.walk():
        if not path or path[-1] not in RANKS or isinstance(value, dict | list):
            continue
        key = str(path[-1])
        where = path[-3] if len(path) >= 3 else None
        belongs = (
            where == "key_points"
            if key in ON_KEY_POINTS
            else where in {part for part, _lead in PARTS} and "medicines" in doc.file
        )
        limits = RANKS[key]
        if not belongs:
            what = "a condition's key point" if key in ON_KEY_POINTS else "a medicine's caution"
            c.instead(doc, path, f"'{key}' belongs only on {what}; remove it here")
        elif limits and isinstance(value, int) and not isinstance(value, bool):
            low, high = limits
            if not low <= value <= high:
                c.add(doc, path, f"expected a whole number from {low} to {high}, found {value}")


def _unsupported(c: _Checker) -> tuple[Unsupported, ...]:
    """content/not-supported.yaml, if there is one: claims that must never appear."""
    path = c.root / "not-supported.yaml"
    doc = c.doc(path) if path.is_file() else None
    found = c.build(UnsupportedFile, doc) if doc else None
    if not (doc and found):
        return ()
    for i, claim in enumerate(found.claims):
        if not claim.phrases or not all(p.strip() for p in claim.phrases):
            c.add(doc, ("claims", i, "phrases"), "expected one or more phrases to look for")
    return found.claims


def _check_specs(
    c: _Checker, doc: Doc, specs: tuple[HandoutSpec, ...], conditions: Any, has_diary: bool
) -> None:
    """Handout entries (in handouts.yaml or a pack): unique ids, known conditions."""
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if _check_id(c, doc, ("handouts", i, "id"), spec.id, seen, "handout"):
            seen.add(spec.id)
        if not spec.conditions:
            c.add(doc, ("handouts", i, "conditions"), "a handout needs at least one condition")
        elif len(set(spec.conditions)) != len(spec.conditions):
            c.add(doc, ("handouts", i, "conditions"), "a condition is listed twice")
        _refs(c, doc, ("handouts", i, "conditions"), spec.conditions, conditions, "condition")
        if spec.diary and not has_diary:
            c.add(doc, ("handouts", i, "diary"), "there is no content/diary.yaml to include")


def _load_folder(
    c: _Checker, folder: str, cls: type[T], what: str, files: dict[str, str]
) -> dict[str, T]:
    """One item per file in ``folder``; each id must match its file name."""
    items: dict[str, T] = {}
    for f in c.files(folder):
        doc = c.doc(f)
        item = c.build(cls, doc) if doc else None
        if not (doc and item):
            c.broken.add(f.stem)  # its own problems are reported; references to it are not
            continue
        item_id = item.id  # type: ignore[attr-defined]
        if item_id != f.stem:
            c.add(doc, ("id",), f"the id '{item_id}' must match the file name '{f.stem}'")
        elif _check_id(c, doc, ("id",), item_id, items, what):
            items[item_id] = item
            files[f"{what}:{item_id}"] = doc.file
    return items


def _optional(
    c: _Checker, name: str, kind: type[T], review_at: dict[str, tuple[str, Key]]
) -> tuple[T | None, Doc | None]:
    """``content/<name>.yaml``, if there is one, built as ``kind``, its review noted."""
    path = c.root / f"{name}.yaml"
    doc = c.doc(path) if path.is_file() else None
    if doc is None:
        return None, None
    review_at[name] = (doc.file, ("review",))
    return c.build(kind, doc), doc


def _required(c: _Checker, name: str) -> Doc | None:
    path = c.root / name
    if not path.is_file():
        c.problems.append(Problem(c.display(path), None, "", "this file is required but missing"))
        return None
    return c.doc(path)


def _with_review(item: Any, review: Review) -> Any:
    from dataclasses import replace

    return replace(item, review=review)


def _check_id(
    c: _Checker, doc: Doc, path: Key, value: str, taken: Iterable[str], what: str
) -> bool:
    if not ID.match(value):
        c.add(doc, path, f"'{value}' is not a valid {what} id: use lower-case words joined by '-'")
        return False
    if value in taken:
        c.add(doc, path, f"the {what} id '{value}' is used twice")
        return False
    return True


def _check_covers(
    c: _Checker, doc: Doc, plan: PlanTemplate, medicines: dict[str, Medicine]
) -> None:
    """A plan template's ``covers``: medicines that exist, each named once, with parts
    of a card, each named once, that the medicine's card prints on a visit handout (a
    visit-ranked point for everyone); and an attack plan to say them in."""
    names = [part for part, _lead in PARTS]
    seen: set[str] = set()
    for i, covered in enumerate(plan.covers):
        med = covered.medicine
        if med in seen:
            c.add(doc, ("covers", i, "medicine"),
                  f"'{med}' is named twice; list all its parts in one entry")  # fmt: skip
        seen.add(med)
        if med not in medicines and med not in c.broken:  # (a broken file: said already)
            c.add(doc, ("covers", i, "medicine"),
                  f"unknown medicine '{med}'{did_you_mean(med, medicines)}")  # fmt: skip
        if not covered.parts:
            c.add(doc, ("covers", i, "parts"), "name at least one part of the medicine's card")
        for k, part in enumerate(covered.parts):
            if part not in names:
                c.add(doc, ("covers", i, "parts", k),
                      f"unknown part '{part}'{did_you_mean(part, names)}; a medicine's card "
                      f"has {', '.join(names)}")  # fmt: skip
            elif part in covered.parts[:k]:
                c.add(doc, ("covers", i, "parts", k), f"'{part}' is named twice")
            elif med in medicines and not any(
                p.visit is not None and not p.for_ for p in getattr(medicines[med], part)
            ):
                c.add(doc, ("covers", i, "parts", k),
                      f"the card '{med}' prints nothing under '{part}' on a visit handout "
                      "(no point there has a visit rank): there is nothing to cover")  # fmt: skip
    slots = (getattr(plan.plan.attack, f.name) for f in fields(AttackPlan))
    if plan.covers and not any(v and v.strip() for v in slots):
        c.add(doc, ("covers",), "a plan covers cautions only in its attack slots: it has none")


def _refs(c: _Checker, doc: Doc, path: Key, ids: Iterable[str], known: Any, what: str) -> bool:
    ok = True
    for i, ref in enumerate(ids):
        if ref in c.broken or (what in c.unread and ref not in known):
            ok = False
        elif ref not in known:
            c.add(doc, (*path, i), f"unknown {what} '{ref}'{did_you_mean(ref, known)}")
            ok = False
    return ok


def _check_not_with(
    c: _Checker, flags: dict[str, RedFlag], conditions: dict[str, Condition], files: dict[str, str]
) -> None:
    """A red flag's ``not_with`` names conditions that exist, once each, and none that
    lists the flag (it would never print for them); and only on a sign to tell us about at
    the next visit that no content must list: a flag every handout prints, one content
    must list, or a more urgent sign, is never left out."""
    for flag in (f for f in flags.values() if f.not_with):
        doc = c.docs[files[f"flag:{flag.id}"]]
        where: Key = ("flags", c.flag_items[flag.id], "not_with")
        if flag.always:
            c.add(doc, where, "a flag printed in every handout (always) is never left out: "
                  "remove not_with")  # fmt: skip
        if flag.required_when:
            c.add(doc, where, "a flag that content must list (required_when) is never left "
                  "out: remove not_with")  # fmt: skip
        if flag.tier != "next_visit":
            c.add(doc, where, f"a sign in the tier '{flag.tier}' is never left out: not_with "
                  "is only for a 'next_visit' sign")  # fmt: skip
        _refs(c, doc, where, flag.not_with, conditions, "condition")
        _twice(c, doc, where, flag.not_with, "condition")
        for i, cid in enumerate(flag.not_with):
            if cid not in conditions:
                continue
            if flag.id in conditions[cid].red_flags:
                c.add(doc, (*where, i), f"condition '{cid}' lists this red flag, which is left "
                      "out of its handouts: remove one or the other")  # fmt: skip
            elif not _kept_in(flag.tier, conditions[cid], flags):
                c.add(doc, (*where, i), f"condition '{cid}' has no sign of its own in the tier "
                      f"'{flag.tier}' that always prints: left out with it, this flag could "
                      f"leave that tier empty; list one for '{cid}' (a sign with no not_with), "
                      "or remove it here")  # fmt: skip


def _kept_in(tier: str, cond: Condition, flags: dict[str, RedFlag]) -> bool:
    """Whether a handout of ``cond`` prints a sign in ``tier`` whatever else it covers: one
    every handout prints, or one of its own with no ``not_with``."""
    if any(f.always and f.tier == tier for f in flags.values()):
        return True
    own = [flags[f] for f in cond.red_flags if f in flags]
    return any(f.tier == tier and not f.not_with for f in own)


def _check_condition(
    c: _Checker,
    doc: Doc,
    cond: Condition,
    medicines: dict[str, Medicine],
    steps: dict[str, Step],
    flags: dict[str, RedFlag],
) -> None:
    for i, code in enumerate(cond.icd10):
        if not ICD10.match(code):
            c.add(doc, ("icd10", i), f"'{code}' is not an ICD-10 code like G43 or M79.7")
    if not cond.icd10:
        c.add(doc, ("icd10",), "at least one ICD-10 code is needed")
    for i, code in enumerate(cond.snomed):
        if said := snomed_problem(code):
            c.add(doc, ("snomed", i), said)
    for key in ("summary", "key_points"):
        if not getattr(cond, key):
            c.add(doc, (key,), "at least one item is needed")
    if _refs(c, doc, ("red_flags",), cond.red_flags, flags, "red flag"):
        tiers = {flags[f].tier for f in cond.red_flags} | {
            f.tier for f in flags.values() if f.always
        }
        for tier, _, _ in TIERS:
            if tier not in tiers:
                c.add(
                    doc,
                    ("red_flags",),
                    f"no red flag in the tier '{tier}': list at least one sign for each tier "
                    "(ids from content/red-flags/)",
                )
    _twice(c, doc, ("red_flags",), cond.red_flags, "red flag")
    _refs(c, doc, ("medicines",), cond.medicines, medicines, "medicine")
    total = 0
    for area, _ in AREAS:
        ids = getattr(cond.lifestyle, area)
        total += len(ids)
        _refs(c, doc, ("lifestyle", area), ids, steps, "lifestyle step")
    if total == 0:
        c.add(doc, ("lifestyle",), "at least one everyday step is needed")
    _refs(c, doc, ("not_for",), cond.not_for, steps, "lifestyle step")
    for i, sid in enumerate(cond.not_for):
        if sid in strings(cond.lifestyle):
            c.add(doc, ("not_for", i), f"step '{sid}' is both listed and left out")


def _check_medicine(c: _Checker, doc: Doc, med: Medicine, flags: dict[str, RedFlag]) -> None:
    """A card has the parts a clinician expects; its ``for:`` and red flags resolve."""
    for part, what in (
        ("used_for", "what it is for and what good it does"),
        ("side_effects", "its serious side effects and what to do"),
        ("pregnancy", "what to know about pregnancy"),
    ):
        if not getattr(med, part):
            c.add(doc, (part,), f"a medicine card must say {what}: at least one item is needed")
    if med.painkiller and not med.how_to_take:
        # where a dosing mistake harms: a daily maximum, a repeat rule
        c.add(
            doc,
            ("how_to_take",),
            "a painkiller's card must say how to take it (its dose limit or repeat rule): "
            "at least one item is needed",
        )
    _refs(c, doc, ("red_flags",), med.red_flags, flags, "red flag")
    _twice(c, doc, ("red_flags",), med.red_flags, "red flag")
    for i, ing in enumerate(med.ingredients):
        if ing.rxnorm is not None and not RXNORM.match(ing.rxnorm):
            c.add(doc, ("ingredients", i, "rxnorm"), f"'{ing.rxnorm}' is not an RxNorm code "
                  "(digits, like 5640 for ibuprofen)")  # fmt: skip
        if ing.ingredient != ing.ingredient.strip().lower() or not ing.ingredient:
            c.add(doc, ("ingredients", i, "ingredient"), "write the ingredient in lower case, "
                  "as RxNorm names it (ethinyl estradiol)")  # fmt: skip
    for i, brand in enumerate(med.brands):
        if not brand.strip() or brand != brand.strip():
            c.add(doc, ("brands", i), "a brand name is needed, with no spaces around it")
    for part, _lead in PARTS:
        for i, caution in enumerate(getattr(med, part)):
            if caution.visit is not None and not (caution.short and caution.short.strip()):
                c.add(doc, (part, i, "visit"), "a caution on the visit handout needs its "
                      "'short:' words (the risk and what to do, about 20 words)")  # fmt: skip


def _check_with(c: _Checker, medicines: dict[str, Medicine], files: dict[str, str]) -> None:
    """A caution's ``with`` names other medicines that exist, once each, on a caution of
    visit rank 1 for everyone: it keeps that caution on the visit handout of a reader who
    takes both until the last cuts (rank 0 is cut later still; none or 2 would print it
    only when there is room; one for a condition the reader has is never cut)."""
    for med in medicines.values():
        doc = c.docs[files[f"medicine:{med.id}"]]
        for part, _lead in PARTS:
            for i, caution in enumerate(getattr(med, part)):
                if not caution.with_:
                    continue
                where: Key = (part, i, "with")
                _refs(c, doc, where, caution.with_, medicines, "medicine")
                for k, other in enumerate(caution.with_):
                    if other == med.id:
                        c.add(doc, (*where, k), f"'{other}' is this card's own medicine: "
                              "name the other medicine the caution is about")  # fmt: skip
                    elif other in caution.with_[:k]:
                        c.add(doc, (*where, k), f"'{other}' is named twice")
                if caution.visit != 1:
                    c.add(doc, where, "'with' keeps a caution of visit rank 1 on the visit "
                          "handout of a reader who takes both: give it 'visit: 1'")  # fmt: skip
                if caution.for_:
                    c.add(doc, where, "a caution for a condition ('for') the reader has is "
                          "never left out already: remove 'with' here")  # fmt: skip


def _check_brand_names(c: _Checker, medicines: dict[str, Medicine], files: dict[str, str]) -> None:
    """A brand is not another medicine's id or name: a clinician who types it means that
    medicine (``handouts.intake.patient.resolve_medicines`` finds a name first), so the
    brand would silently stop naming this one."""
    named = medicine_names(medicines.values())
    for med in medicines.values():
        doc = c.docs[files[f"medicine:{med.id}"]]
        for i, brand in enumerate(med.brands):
            other = named.get(brand.lower())
            if other is not None and other != med.id:
                c.add(doc, ("brands", i), f"'{brand}' is what the medicine '{other}' is "
                      "called: a clinician typing it would get that medicine only; "
                      "remove it here")  # fmt: skip


def _twice(c: _Checker, doc: Doc, path: Key, ids: tuple[str, ...], what: str) -> None:
    seen: set[str] = set()
    for i, ref in enumerate(ids):
        if ref in seen:
            c.add(doc, (*path, i), f"the {what} '{ref}' is listed twice")
        seen.add(ref)


def _check_step_areas(c: _Checker, conditions: dict[str, Condition], files: dict[str, str]) -> None:
    """A step is one kind of step: listing it under two areas would print it twice."""
    area_of: dict[str, tuple[str, str]] = {}
    for cond in conditions.values():
        for area, _ in AREAS:
            for i, sid in enumerate(getattr(cond.lifestyle, area)):
                first = area_of.setdefault(sid, (area, cond.id))
                if first[0] != area:
                    c.add(
                        c.docs[files[f"condition:{cond.id}"]],
                        ("lifestyle", area, i),
                        f"step '{sid}' is listed under '{first[0]}' in '{first[1]}'; "
                        "use the same area everywhere",
                    )


def _check_codes(
    c: _Checker,
    conditions: dict[str, Condition],
    medicines: dict[str, Medicine],
    files: dict[str, str],
) -> None:
    """An ICD-10 or SNOMED CT code finds one condition only, and an ingredient (by name or
    RxNorm code) one medicine only."""
    owner: dict[tuple[str, str], str] = {}
    for cond in conditions.values():
        for key in ("icd10", "snomed"):
            for i, code in enumerate(getattr(cond, key)):
                first = owner.setdefault((key, code), cond.id)
                if first != cond.id:
                    doc = c.docs[files[f"condition:{cond.id}"]]
                    c.add(doc, (key, i), f"the code {code} already belongs to '{first}'")
    for med in medicines.values():
        for i, ing in enumerate(med.ingredients):
            for key, value in (("ingredient", ing.ingredient), ("rxnorm", ing.rxnorm)):
                if value is None:
                    continue
                first = owner.setdefault((key, value), med.id)
                if first != med.id:
                    doc = c.docs[files[f"medicine:{med.id}"]]
                    c.add(doc, ("ingredients", i, key), f"'{value}' already belongs to '{first}'")


FILLED = ("text", "action", "total", "short", "steps")
"""The fields whose placeholders are filled (and a combination rule's or the painkiller-day
rule's ``title``, and every field of a plan template's plan); anywhere else a placeholder
would print as written."""


def _filled(doc: Doc, path: Key) -> bool:
    key = next((k for k in reversed(path) if isinstance(k, str)), "")
    titled = "combinations/" in doc.file or doc.file.endswith("painkiller-days.yaml")
    planned = "plans/" in doc.file and path[:1] == ("plan",)
    return key in FILLED or (key == "title" and titled) or planned


def _check_texts(
    c: _Checker, doc: Doc, sources: dict[str, Source], known: dict[str, tuple[str, ...]]
) -> None:
    """Source keys resolve; every text can be filled and printed."""
    for path, value in doc.walk():
        if path and path[-1] == "sources" and isinstance(value, list):
            if not value:
                c.add(doc, path, "every claim needs at least one source")
            for i, key in enumerate(value):
                if str(key) not in sources:
                    hint = did_you_mean(str(key), sources)
                    c.add(doc, (*path, i), f"unknown source '{key}'{hint}")
        elif isinstance(value, dict) and {"last_reviewed", "next_review"} <= value.keys():
            last, nxt = value["last_reviewed"], value["next_review"]
            if isinstance(last, dt.date) and isinstance(nxt, dt.date) and nxt <= last:
                c.add(doc, (*path, "next_review"), "the next review must come after the last one")
        elif path and path[-1] == "url" and isinstance(value, str) and not URL.match(value):
            c.add(
                doc, path, f"expected a web address starting https:// or http://, found '{value}'"
            )
        elif isinstance(value, str):
            problem = text.template_problem(value, known)
            if not problem and text.has_placeholder(value) and not _filled(doc, path):
                problem = (
                    "a placeholder is filled only in a text, an action or a caution's "
                    "title: write the words out here"
                )
            if problem:
                c.add(doc, path, problem)
            if unprintable := unprintable_problem(c.printer, value):
                c.add(doc, path, unprintable)
