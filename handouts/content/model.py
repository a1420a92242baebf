"""The typed content model. These dataclasses *are* the content format.

``schema.build`` turns YAML data into them, so every field here is a key a
content file may (or, without a default, must) have. See docs/content-format.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from handouts.content.medicine_finder import Finder, class_letters, finder_for, name_parts
from handouts.content.words import N_

Evidence = Literal["strong", "guideline", "label", "moderate", "conflicting", "weak"]

EVIDENCE_WORDS: dict[str, str] = {
    "strong": N_("Shown in many studies"),
    "guideline": N_("Advised in medical guidelines"),
    "label": N_("Stated on the medicine's label"),
    "moderate": N_("Seen in some studies"),
    "conflicting": N_("Studies disagree"),
    "weak": N_("Not proven"),
}
"""How each evidence level is said to the reader (English; the catalogue has each language's)."""

AREAS: tuple[tuple[str, str], ...] = (
    ("stress", N_("Stress")),
    ("sleep", N_("Sleep")),
    ("food_and_drink", N_("Food and drink")),
    ("movement", N_("Movement")),
    ("other", N_("Other steps that help")),
)
"""Lifestyle areas, in print order, with their headings."""

Tier = Literal["emergency", "call_today", "next_visit"]

TIERS: tuple[tuple[str, str, str], ...] = (
    (
        "emergency",
        N_("Emergency: call {{ clinic.emergency_number }} or go to the emergency department now"),
        "!",
    ),
    ("call_today", N_("Call us today"), "☎"),
    ("next_visit", N_("Tell us at your next visit"), "✎"),
)
"""Red-flag tiers, most urgent first: key, heading (may use clinic placeholders), symbol.
Defined here once; content gives each red flag one of the keys."""
TIER_RANK = {key: n for n, (key, _, _) in enumerate(TIERS)}
"""0 for the most urgent tier."""
AFTER_HOURS = N_("If we are closed, call {{ clinic.after_hours }}.")
"""Printed in the "Call us today" tier: the route when the clinic is closed."""

PARTS: tuple[tuple[str, str], ...] = (
    ("how_to_take", N_("How to take it:")),
    ("side_effects", N_("Side effects:")),
    ("pregnancy", N_("Pregnancy:")),
    ("interactions", N_("Other medicines:")),
    ("stopping", N_("Stopping:")),
)
"""The parts of a medicine card after what it is for, in print order, with their leads."""
PainkillerKind = Literal["simple", "other"]
"""ICHD-3's kinds for medication-overuse headache: simple painkillers (paracetamol, NSAIDs,
aspirin), or other (triptans, ergots, opioids, combination painkillers)."""


@dataclass(frozen=True)
class Review:
    """Who checked a piece of content, and when it must be checked again."""

    last_reviewed: dt.date
    """Date the content was last checked against its sources."""
    next_review: dt.date
    """Date by which it must be checked again."""
    reviewed_by: str
    """Person or team who checked it."""
    draft: bool = False
    """Still needs clinical sign-off: builds refuse it unless allowed, and then print it
    marked "Draft: not yet reviewed", never under "Content checked"."""


@dataclass(frozen=True)
class Claim:
    """A statement the reader sees, with the sources it rests on."""

    text: str
    """Plain words, a few short sentences; may use ``{{ clinic.phone }}`` placeholders."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``; at least one."""
    for_: tuple[str, ...] = ()
    """(``for:`` in YAML) Condition ids: printed only in handouts that cover one of them."""
    priority: int | None = None
    """A key point's rank for the visit handout, 1 (most important) to 5: it prints the
    three main points with the lowest numbers among its conditions' (on a tie, the most
    urgent first, then in the order the conditions are given). A key point without one
    is a main point of the full version only. Only key points take a priority."""
    urgency: Tier | None = None
    """How soon a key point tells the reader to get help, in the red flags' tiers
    (``emergency``: a stroke can look like an aura, call the emergency number;
    ``call_today``: call us the same day): of the key points with the same priority, the
    most urgent print first on the visit handout, and a condition's points with an
    urgency come first in the full version's, so such a point is not left out for
    another condition's general one because of the order the conditions were picked in
    (a web form and the website list them by name). Only key points take an urgency."""


@dataclass(frozen=True)
class Step:
    """An everyday action the reader can tick off (lifestyle.yaml)."""

    id: str
    """Unique id, referred to by conditions."""
    text: str
    """The action, said to the reader."""
    evidence: Evidence
    """How strong the evidence is that it helps."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``."""
    review: Review | None = None
    """Overrides the library file's review, if this step was checked separately."""


@dataclass(frozen=True)
class LifestyleFile:
    """content/lifestyle.yaml"""

    review: Review
    """When the library was checked."""
    steps: tuple[Step, ...]
    """Every step a condition may name."""


@dataclass(frozen=True)
class Lifestyle:
    """A condition's everyday steps by area: ids from lifestyle.yaml."""

    stress: tuple[str, ...] = ()
    sleep: tuple[str, ...] = ()
    food_and_drink: tuple[str, ...] = ()
    movement: tuple[str, ...] = ()
    other: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequiredWhen:
    """When content must list a red flag."""

    mentions: tuple[str, ...] = ()
    """A condition or medicine whose prose uses any of these phrases (whole words)."""
    chronic_pain: bool = False
    """Every condition marked ``chronic_pain``."""


@dataclass(frozen=True)
class RedFlag:
    """A sign to act on, defined once (content/red-flags/*.yaml) and listed by id."""

    id: str
    """Unique across the catalogue; conditions and medicines list it."""
    tier: Tier
    """``emergency``, ``call_today`` or ``next_visit``: the only place its urgency is said."""
    text: str
    """The sign, in plain words (and what to do beyond the tier's heading, if anything)."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``."""
    always: bool = False
    """Printed in every handout (stroke signs)."""
    short: str | None = None
    """The sign in a few words for the visit handout's "When to get help", where every
    flag of the reader's conditions and medicines prints on one side of a sheet: the same
    sign, tier and action, with the details left to the full version (``text``)."""
    required_when: RequiredWhen | None = None
    """Content that must list this flag (checked by ``handouts check``)."""
    not_with: tuple[str, ...] = ()
    """Condition ids: left out of a handout for a reader with one of them, whose own flags
    say it better (headaches that keep coming back, a sign to look for migraine, says
    nothing to someone who has migraine)."""
    review: Review | None = None
    """Set from its file's review when loaded."""


@dataclass(frozen=True)
class MinimumTier:
    """A gate rule: a red flag whose words include a phrase is at least this urgent."""

    tier: Tier
    """The least urgent tier such a sign may sit in."""
    phrases: tuple[str, ...]
    """Whole-word phrases, e.g. ``weakness in an arm or leg``."""
    why: str
    """Said when the rule fails."""


@dataclass(frozen=True)
class RedFlagFile:
    """content/red-flags/<name>.yaml: part of the one red-flag catalogue."""

    review: Review
    """When these flags were checked."""
    flags: tuple[RedFlag, ...]
    """The flags."""
    minimum_tiers: tuple[MinimumTier, ...] = ()
    """Rules the gate holds every flag to."""


@dataclass(frozen=True)
class Number:
    """A number a patient acts on, defined once (content/numbers.yaml)."""

    id: str
    """Printed through ``{{ numbers.<id> }}``; lower-case words joined by '_'."""
    value: str
    """As printed, e.g. ``10``."""
    means: str
    """What it is, for content writers and reviewers (not printed)."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``."""
    written_near: tuple[str, ...] = ()
    """Phrases that follow this kind of number (``days a month``): a figure written by hand
    just before one of them is refused by ``handouts check``."""
    about: tuple[str, ...] = ()
    """Words one of which the sentence must also say for such a figure to be this number
    (``painkiller``), so "migraine on 15 or more days a month" is not a painkiller limit."""
    review: Review | None = None
    """Set from the file's review when loaded."""


@dataclass(frozen=True)
class NumbersFile:
    """content/numbers.yaml"""

    review: Review
    numbers: tuple[Number, ...]


@dataclass(frozen=True)
class PainkillerDays:
    """content/painkiller-days.yaml: the one painkiller-day rule a migraine handout prints,
    worded through ``{{ painkillers.limit }}`` and ``{{ painkillers.names }}``."""

    review: Review
    title: str
    """Its heading among the medicines."""
    text: str
    """The risk."""
    action: str
    """What to do, with the limit."""
    evidence: Evidence
    sources: tuple[str, ...]
    any_painkiller: str
    """What ``{{ painkillers.names }}`` says when the handout lists no painkiller."""
    limit: str
    """Id of the number that is the limit for any other kind, or a mix of kinds."""
    limit_one_simple: str
    """Id of the number that is the limit when the only painkiller is one simple kind."""
    short: str | None = None
    """The rule as the visit handout prints it, beside its calendar (about 20 words)."""
    how_to_count: str | None = None
    """How to count painkiller days, in a few words: the visit handout adds them to
    ``short`` where it has no room for its counting boxes, and room for these words."""


@dataclass(frozen=True)
class Condition:
    """content/conditions/<id>.yaml"""

    id: str
    """Lower-case words joined by '-'; the file name without .yaml."""
    name: str
    """The condition's name as a heading."""
    icd10: tuple[str, ...]
    """ICD-10 codes or prefixes (``G43``, ``M79.7``) used to find it."""
    summary: tuple[Claim, ...]
    """What it is, in plain words."""
    key_points: tuple[Claim, ...]
    """The most important things to know."""
    lifestyle: Lifestyle
    """Everyday steps by area."""
    medicines: tuple[str, ...]
    """Ids of medicines commonly used for it, or important to know about."""
    red_flags: tuple[str, ...]
    """When to get help: ids from the red-flag catalogue (content/red-flags/)."""
    review: Review
    """When it was checked."""
    short_name: str | None = None
    """The name inside sentences and titles; defaults to ``name``."""
    other_names: tuple[str, ...] = ()
    """Other names a reader may know it by."""
    chronic_pain: bool = False
    """A chronic pain condition (the gate holds it to the flags ``required_when`` says)."""
    painkiller_days: bool = False
    """Painkiller days can cause medication-overuse headache: its handouts print the one
    painkiller-day rule (content/painkiller-days.yaml)."""
    snomed: tuple[str, ...] = ()
    """SNOMED CT concept ids an EHR may record it by (``37796009`` migraine), each with its
    check digit; matched exactly, so a finer concept (migraine with aura) is listed too."""
    not_for: tuple[str, ...] = ()
    """Lifestyle step ids that do not suit people with this condition: left out of any
    handout that covers it, whichever other condition lists them (e.g. steady exercise
    build-up for ME/CFS)."""

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Link:
    """content/links/<a>--<b>.yaml: how two conditions relate, found from either side."""

    id: str
    """Unique id, conventionally ``<a>--<b>``."""
    conditions: tuple[str, str]
    """The two condition ids."""
    key_point: Claim
    """One sentence for the key-points box."""
    known: Claim
    """What is known."""
    evidence: Evidence
    """How strong the evidence for the link is."""
    why: Claim
    """Why it may happen, honest about what is unproven."""
    what_it_means: Claim
    """What it means for the reader."""
    review: Review
    """When it was checked."""


@dataclass(frozen=True)
class Caution:
    """A risk and what to do about it."""

    text: str
    """The risk, in plain words."""
    action: str
    """What the reader should do."""
    evidence: Evidence
    """How strong the evidence for the risk is."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``."""
    for_: tuple[str, ...] = ()
    """(``for:`` in YAML) Condition ids: printed only in handouts that cover one of them.
    A text that names a condition must carry it (checked by ``handouts check``)."""
    visit: int | None = None
    """On the visit handout of a reader who takes this medicine: ``0`` printed unless
    nothing else is left to cut (the very last cut; a mistake that kills, such as
    methotrexate taken daily: keep it for those); ``1`` printed unless the handout needs
    every other cut to fit (then the medicine is named, with where to read its
    cautions), ``2`` printed when there is room (among the first left out to fit); none:
    only in the full version. A caution for a condition (``for:``) the reader has is
    never left out with rank ``0`` or ``1``; with ``2``, it is left out after every
    general item and before any medicine's first-rank cautions."""
    short: str | None = None
    """The caution as the visit handout prints it (required with ``visit``): the risk and
    what to do, in one or two short sentences (about 20 words)."""
    with_: tuple[str, ...] = ()
    """(``with:`` in YAML) Medicine ids this caution is about taking with this one (steroid
    tablets' stomach bleeding with NSAIDs): with visit rank ``1``, on the visit handout of
    a reader who takes one of them too, it is left out only after every medicine's other
    first-rank cautions (only rank ``0`` later). It stays on this card, for a reader who
    may buy the other."""


@dataclass(frozen=True)
class Ingredient:
    """An active ingredient of a medicine group, as an EHR codes it."""

    ingredient: str
    """Its name as RxNorm writes it, lower case (``ethinyl estradiol``)."""
    rxnorm: str | None = None
    """Its RxNorm ingredient code (RXCUI, term type IN), digits, where a source confirms
    it; without one, a prescription is found by the ingredient's name in its text."""


@dataclass(frozen=True)
class Medicine:
    """content/medicines/<id>.yaml: a medicine card with the parts a clinician expects."""

    id: str
    """Lower-case id; the file name without .yaml."""
    name: str
    """Name of the medicine or group."""
    used_for: tuple[Claim, ...]
    """What it is for and what good it does; at least one."""
    how_to_take: tuple[Caution, ...]
    """How to take it, saying plainly where a dosing mistake harms; at least one."""
    side_effects: tuple[Caution, ...]
    """Serious side effects, each with what to do; at least one."""
    pregnancy: tuple[Caution, ...]
    """Pregnancy and planning one; at least one."""
    interactions: tuple[Caution, ...]
    """Key interactions; ``[]`` when there are none to print (the key is required)."""
    stopping: tuple[Caution, ...]
    """Whether it is safe to stop suddenly; ``[]`` when it is (the key is required)."""
    review: Review
    """When it was checked."""
    also_called: tuple[str, ...] = ()
    """Common names (generic names in a group), for look-up."""
    short_name: str | None = None
    """The name inside sentences (``NSAIDs such as ibuprofen``); defaults to ``name``."""
    painkiller: PainkillerKind | None = None
    """Counts toward painkiller days, and which kind it is."""
    red_flags: tuple[str, ...] = ()
    """Red-flag ids this medicine adds to "When to get help"."""
    ingredients: tuple[Ingredient, ...] = ()
    """The active ingredients it covers, as RxNorm names them, with their RxNorm ingredient
    codes: how a prescription from an EHR (FHIR) is found, by code or by the ingredient
    named in its text (``Naproxen sodium 220 MG Oral Tablet`` → naproxen)."""
    brands: tuple[str, ...] = ()
    """Brand names that contain one of its ingredients (``Aleve``; a combination's brand is
    listed under each medicine it contains), found in a plan only where typed with a
    capital; and a combination's own name, written in small letters (``co-codamol``: the
    paracetamol and the opioid), found however it is typed."""

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def points(self) -> Iterator[tuple[str, str, Caution]]:
        """Every point of the card in print order: (part, lead, point)."""
        for part, lead in PARTS:
            for point in getattr(self, part):
                yield part, lead, point


@dataclass(frozen=True)
class When:
    """The combination a rule needs. Every part given must hold."""

    conditions_all: tuple[str, ...] = ()
    """Every one of these conditions is covered."""
    conditions_any: tuple[str, ...] = ()
    """At least one of these conditions is covered."""
    medicines_all: tuple[str, ...] = ()
    """Every one of these medicines is in play."""
    medicines_any: tuple[str, ...] = ()
    """At least one of these medicines is in play."""

    def holds(self, conditions: frozenset[str], medicines: frozenset[str]) -> bool:
        return (
            conditions.issuperset(self.conditions_all)
            and (not self.conditions_any or not conditions.isdisjoint(self.conditions_any))
            and medicines.issuperset(self.medicines_all)
            and (not self.medicines_any or not medicines.isdisjoint(self.medicines_any))
        )


@dataclass(frozen=True)
class CombinationRule:
    """A caution that applies only to a combination of conditions and medicines."""

    id: str
    """Unique id."""
    when: When
    """The combination that makes it apply."""
    text: str
    """The risk, in plain words."""
    action: str
    """What the reader should do."""
    evidence: Evidence
    """How strong the evidence for the risk is."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``."""
    title: str | None = None
    """Its heading, e.g. "Triptans in lupus"; without one, the names of the medicines (or
    conditions) it is about."""
    short: str | None = None
    """The rule as the visit handout prints it: the risk and what to do, in one or two
    short sentences (about 20 words). Without one, the text and action print whole."""
    review: Review | None = None
    """Overrides the file's review."""


@dataclass(frozen=True)
class CombinationFile:
    """content/combinations/*.yaml"""

    review: Review
    """When the rules in this file were checked."""
    rules: tuple[CombinationRule, ...]
    """The rules."""


CITED_IN = "en"
"""The language sources are cited in: as published (every source in sources.yaml is in
English, and its title is never translated)."""


@dataclass(frozen=True)
class Source:
    """An entry in sources.yaml."""

    title: str
    """Title as cited, with journal or publisher."""
    year: int | None = None
    """Year of publication, when known."""
    url: str | None = None
    """Web address, when there is one."""
    undated: bool = False
    """No year could be confirmed (an undated web page or label): said instead of a year."""


@dataclass(frozen=True)
class HandoutSpec:
    """One handout of the default run (content/handouts.yaml)."""

    id: str
    """File name of the PDF, without .pdf."""
    title: str
    """Title printed on the handout."""
    conditions: tuple[str, ...]
    """Condition ids, in print order."""
    diary: bool = False
    """Add the headache and pain diary page (content/diary.yaml)."""


@dataclass(frozen=True)
class DiaryFile:
    """content/diary.yaml: the headache and pain diary page a handout may include."""

    review: Review
    """When it was checked."""
    intro: tuple[Claim, ...]
    """How to use the diary and what to look for (e.g. painkiller-day limits)."""
    columns: tuple[str, ...]
    """Column headings; the first is the day of the month."""
    total: str | None = None
    """A last row to add up the month (e.g. painkiller days, with the limit)."""


@dataclass(frozen=True)
class Said:
    """One sentence or line of fixed content wording (placeholders filled)."""

    text: str


@dataclass(frozen=True)
class EmailFile:
    """content/email.yaml: the e-mail that carries a handout to a patient. No health
    information in the subject; never a password in the body."""

    review: Review
    """When it was checked."""
    subject: Said
    """The subject line (``Information from {{ clinic.name }}``)."""
    body: tuple[Said, ...]
    """The message, a paragraph each: what is attached, who to call with questions."""
    encrypted: tuple[Said, ...]
    """Added when the attachment has a password: how to open it, and where the password
    comes from (never the password)."""
    sign_off: Said
    """The last line (the clinic's name)."""


@dataclass(frozen=True)
class Practice:
    """A calming practice a plan can choose (content/calming.yaml), in numbered steps."""

    id: str
    """Lower-case words joined by '-'; a plan's ``calming:`` names it."""
    name: str
    """Its name as the plan prints it, e.g. ``Slow breathing``."""
    steps: tuple[str, ...]
    """What to do, one short step each, in order (printed numbered); 3 to 6 steps."""
    how_often: str
    """How long and how often, e.g. ``5 minutes, twice a day``."""
    evidence: Evidence
    """How strong the evidence is that it helps these conditions."""
    sources: tuple[str, ...]
    """Keys from ``sources.yaml``."""
    review: Review | None = None
    """Set from the file's review when loaded."""


@dataclass(frozen=True)
class CalmingFile:
    """content/calming.yaml"""

    review: Review
    practices: tuple[Practice, ...]


@dataclass(frozen=True)
class AttackPlan:
    """What to do in an attack (a migraine or a pain flare)."""

    medicine: str | None = None
    """Which medicine and dose, e.g. ``Sumatriptan 50 mg, 1 tablet``."""
    when: str | None = None
    """When to take it, e.g. ``As soon as the headache starts``."""
    repeat: str | None = None
    """When a second dose is allowed."""
    limit: str | None = None
    """The most in a day."""
    add: str | None = None
    """What to add or do as well, e.g. ``Ibuprofen 400 mg with it if needed``."""


@dataclass(frozen=True)
class DailyPlan:
    """A preventive medicine taken every day."""

    medicine: str | None = None
    how: str | None = None
    """How and when to take it, e.g. ``1 tablet at night``."""


@dataclass(frozen=True)
class MovementPlan:
    """A movement goal: what, how long, how often and how to build up."""

    what: str | None = None
    how_long: str | None = None
    how_often: str | None = None
    build_up: str | None = None


@dataclass(frozen=True)
class PlanFields:
    """The slots of a visit handout's "My plan". Every field is optional: a blank one is
    not printed at all."""

    attack: AttackPlan = field(default_factory=AttackPlan)
    every_day: DailyPlan = field(default_factory=DailyPlan)
    movement: MovementPlan = field(default_factory=MovementPlan)
    calming: str | None = None
    """The id of a calming practice (content/calming.yaml), printed in numbered steps."""
    next_visit: str | None = None
    """The next appointment, as the clinic writes it."""

    def typed(self) -> tuple[str | None, ...]:
        """Every slot the clinician types, in print order (all but the calming practice,
        which is chosen by id)."""
        return (*_values(self.attack), *_values(self.every_day), *_values(self.movement),
                self.next_visit)  # fmt: skip

    def filled(self) -> tuple[bool, ...]:
        """Which of those slots the clinician typed something in (more than spaces: a slot
        of spaces is blank and prints nothing), in the same order."""
        return tuple(bool(v and v.strip()) for v in self.typed())


def _values(slots: object) -> tuple[str | None, ...]:
    """A plan part's slots, in order (``astuple`` would copy each of them deeply)."""
    return tuple(getattr(slots, f.name) for f in fields(slots))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Covered:
    """A medicine's caution parts a plan template's attack plan already says in its own
    slots (the triptan template's "When", "A second dose" and "No more than" say how to
    take a triptan): a visit handout printed with the template says them once, in the
    plan."""

    medicine: str
    """A medicine's id (content/medicines/)."""
    parts: tuple[str, ...]
    """Its card's parts (``how_to_take``, ``side_effects``, …: :data:`PARTS`)."""


@dataclass(frozen=True)
class PlanTemplate:
    """content/plans/<id>.yaml: a plan a clinic keeps and fills in per patient (e.g.
    ``migraine-attack-sumatriptan``). Its words are content: checked like any content."""

    id: str
    """Matches the file name; chosen by ``--plan-template ID`` or a plan file's
    ``template:``."""
    title: str
    """What a clinician sees when choosing it."""
    plan: PlanFields
    """The fields it fills in; a patient's own plan replaces any of them."""
    review: Review
    """When it was checked."""
    covers: tuple[Covered, ...] = ()
    """Caution parts its attack slots already say: held only while every attack slot it
    fills prints its words (one the clinician types over says something else)."""
    medicines: tuple[str, ...] = ()
    """The medicines its plan tells the patient to take (ids): a visit handout printed with
    it gives their cautions and warning signs, after those of the medicines the clinician
    names, as if they had been named too."""


@dataclass(frozen=True)
class PlanFile(PlanFields):
    """A patient's plan file (``--plan FILE``): the plan's fields, optionally starting from
    a template. Patient data: printed as written, never a template."""

    template: str | None = None
    """A plan template's id; the file's own fields replace the template's."""


@dataclass(frozen=True)
class HandoutsFile:
    """content/handouts.yaml"""

    handouts: tuple[HandoutSpec, ...]
    """The handouts the default run builds."""


@dataclass(frozen=True)
class Pack:
    """content/packs/<id>.yaml: a named set of handouts printed as one PDF."""

    id: str
    """Matches the file name; used as ``handouts pack ID``."""
    title: str
    """Printed on the cover, e.g. ``Migraine and autoimmune clinic``."""
    handouts: tuple[HandoutSpec, ...]
    """In print order; each starts on a right-hand page."""
    intro: str | None = None
    """A line on the cover saying who the pack is for."""


@dataclass(frozen=True)
class Term:
    """A medical word and its plain meaning (content/glossary.yaml)."""

    term: str
    """The word as it appears in the text, e.g. ``autoimmune``."""
    plain: str
    """What it means, in plain words; printed in the "Words to know" box."""
    also: tuple[str, ...] = ()
    """Other forms of the word that count as using it (``autoimmunity``)."""

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.also)


@dataclass(frozen=True)
class GlossaryFile:
    """content/glossary.yaml: explained words, and long words that need no explaining."""

    review: Review
    """When the glossary was checked."""
    terms: tuple[Term, ...]
    """Medical words a handout may use; each one it uses is explained in the handout."""
    plain_words: tuple[str, ...] = ()
    """Long everyday words (``information``) the plain-language check lets pass."""


@dataclass(frozen=True)
class Unsupported:
    """A claim that must never appear, with the reason (content/not-supported.yaml)."""

    phrases: tuple[str, ...]
    """Ways the claim is written; any of them in any text is an error."""
    reason: str
    """Why it must not appear, and what the evidence says instead."""


@dataclass(frozen=True)
class UnsupportedFile:
    """content/not-supported.yaml"""

    claims: tuple[Unsupported, ...]
    """The claims."""


@dataclass(frozen=True)
class Library:
    """All content, loaded, checked and cross-referenced."""

    conditions: dict[str, Condition]
    links: dict[frozenset[str], Link]
    medicines: dict[str, Medicine]
    rules: tuple[CombinationRule, ...]
    steps: dict[str, Step]
    sources: dict[str, Source]
    handouts: tuple[HandoutSpec, ...]
    packs: dict[str, Pack] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    """Content file of each item id (``condition:lupus`` → path), for messages."""
    diary: DiaryFile | None = None
    email: EmailFile | None = None
    """The e-mail that carries a handout (content/email.yaml), if the content has one."""
    glossary: tuple[Term, ...] = ()
    plain_words: frozenset[str] = frozenset()
    unsupported: tuple[Unsupported, ...] = ()
    red_flags: dict[str, RedFlag] = field(default_factory=dict)
    """The red-flag catalogue by id, in catalogue order."""
    minimum_tiers: tuple[MinimumTier, ...] = ()
    numbers: dict[str, Number] = field(default_factory=dict)
    painkiller_days: PainkillerDays | None = None
    practices: dict[str, Practice] = field(default_factory=dict)
    """Calming practices a plan can choose (content/calming.yaml), by id."""
    plans: dict[str, PlanTemplate] = field(default_factory=dict)
    """Plan templates (content/plans/), by id."""
    docs: dict[str, Any] = field(default_factory=dict)
    """Every parsed file (``load.Doc``) by display name: its data and key lines."""
    review_at: dict[str, tuple[str, tuple[str | int, ...]]] = field(default_factory=dict)
    """Where each item's review is written (``step:relax-daily`` → file, key path)."""
    root: Path | None = None
    """The content folder it was read from."""
    language: str = "en"
    """The language its words are in (``en``: as written; another: its translations)."""
    others: dict[str, Library] = field(default_factory=dict, compare=False, repr=False)
    """The same content in other languages, read the first time one is asked for
    (:func:`handouts.pipeline.in_language`); owned by the English library."""

    @cached_property
    def medicine_terms(self) -> dict[str, tuple[str, ...]]:
        """What a clinician may type for a medicine, in lower case, and the medicines it
        names: an id, name or other name names one (:func:`medicine_names`); else a brand
        names each medicine with that brand (a combination's brand, all it contains).
        Worked out once (it is asked for every row of a clinic list)."""
        terms = {term: (mid,) for term, mid in medicine_names(self.medicines.values()).items()}
        brands: dict[str, tuple[str, ...]] = {}
        for med in self.medicines.values():
            for brand in med.brands:
                brands[brand.lower()] = (*brands.get(brand.lower(), ()), med.id)
        return terms | {b: ids for b, ids in brands.items() if b not in terms}

    @cached_property
    def medicine_finder(self) -> Finder:
        """The names of :attr:`medicine_terms`, to be found in what a clinician types in a
        plan (:func:`handouts.content.medicine_finder.named`). Worked out once."""
        names = medicine_names(self.medicines.values())
        terms = self.medicine_terms
        given = {n.lower() for m in self.medicines.values() for n in (m.id, m.name, *m.also_called)}
        letters = {p.lower() for m in self.medicines.values() for p in class_letters(m.name)}
        # a combination's own name, written in small letters (co-codamol), is no brand
        generic = {b for m in self.medicines.values() for b in m.brands if b == b.lower()}
        brands = (t for t in terms if t not in names and t not in generic)
        # a brand written all in capitals (ASA, APAP) is found only so written ("Asa", a name)
        upper = {b.lower() for m in self.medicines.values() for b in m.brands if b.isupper()}
        return finder_for(terms, brands, letters - given, upper)

    @cached_property
    def handout_sets(self) -> frozenset[frozenset[str]]:
        """The conditions of each library handout and pack handout, as sets: each has its
        page online. Worked out once (it is asked for every handout made)."""
        specs = [*self.handouts, *(h for p in self.packs.values() for h in p.handouts)]
        return frozenset(frozenset(h.conditions) for h in specs)

    def review_line(self, key: str, field: str = "next_review") -> tuple[str, int | None]:
        """File and line of the review ``field`` that governs item ``key``."""
        file, path = self.review_at[key]
        return file, self.docs[file].line((*path, field))


def medicine_names(medicines: Iterable[Medicine]) -> dict[str, str]:
    """Each medicine's id, name, other names and ingredients (``hydrocodone``, which a
    clinician may type though no card names it), in lower case, and its id (a name two
    medicines give is the first's); then what a name also says on its own
    (:func:`name_parts`: "AINE" of "Analgésicos antiinflamatorios (AINE)"), where no
    medicine is called so."""
    meds = list(medicines)
    names = {m.id.lower(): m.id for m in meds}
    for med in meds:
        for alias in (med.name, *med.also_called, *(i.ingredient for i in med.ingredients)):
            names.setdefault(alias.lower(), med.id)
    for med in meds:
        for part in name_parts(med.name):
            names.setdefault(part.lower(), med.id)
    return names


@dataclass(frozen=True)
class Patient:
    """Optional personal details printed on a handout. Always data, never template."""

    name: str | None = None
    """The patient's name, printed as written."""
    clinician: str | None = None
    """The clinician's name."""
    date: dt.date | None = None
    """The date to print."""
    notes: str | None = None
    """The clinician's notes; line breaks are kept."""
    medicines: tuple[str, ...] = ()
    """Medicines the patient takes, by id or common name."""
