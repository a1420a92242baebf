"""The one request: everything a handout or pack needs, made once by whoever asks.

The command line, a clinic-list row (:mod:`handouts.intake.clinic_list`), and later a web
form or a FHIR bundle each make a :class:`Request`; it is passed whole through the
pipeline (:func:`handouts.pipeline.make`) to the document and the renderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handouts.content.model import PlanFields
from handouts.document.document import Personal

FORMATS = ("visit", "full")
"""``visit``: both sides of one sheet for the patient in front of you, with their plan.
``full``: the whole booklet (every section, every medicine's card)."""
DEFAULT_FORMAT = "visit"
"""What ``handouts build`` and a clinic-list row print when they do not say (a pack, and
a handout with the diary page, are always full)."""
FULL = "full"


@dataclass(frozen=True)
class Allow:
    """Content a build prints anyway, with a warning, instead of refusing it."""

    expired: bool = False
    """Content past its review date (--allow-expired)."""
    draft: bool = False
    """Content that still needs clinical sign-off (--allow-draft); printed marked as a draft."""
    today: dt.date | None = None
    """The day review dates are checked against (--today); None: the real today."""

    def day(self) -> dt.date:
        return self.today or dt.date.today()


ALLOW_NOTHING = Allow()


@dataclass(frozen=True)
class Request:
    """One handout (or pack) for one patient: what, for whom, how, in which language, and
    as of which day."""

    conditions: tuple[str, ...] = ()
    """Condition ids, in print order (none for a pack)."""
    title: str | None = None
    """Printed title; made from the condition names when None."""
    medicines: tuple[str, ...] = ()
    """Medicine ids the patient takes. When given, only these are listed and checked for
    combinations; when empty, the medicines commonly used for the conditions are."""
    notes: str | None = None
    """The clinician's own notes, printed in a box as given."""
    personal: Personal = field(default_factory=Personal)
    """The patient's name, the clinician's name and the date, printed as given."""
    diary: bool = False
    """Add the headache and pain diary page."""
    language: str | None = None
    """The document's language tag; the brand's when None."""
    pack: str | None = None
    """A pack's id: print the pack's handouts behind a cover, instead of ``conditions``."""
    paper: str | None = None
    """``letter`` or ``a4``; the brand's when None."""
    large_print: bool = False
    """Large print: 18 pt text, re-flowed."""
    allow: Allow = ALLOW_NOTHING
    """What to print anyway (past review, draft), and the day review dates are checked on."""
    format: str = FULL
    """``visit`` or ``full`` (:data:`FORMATS`); a pack is always full. Whoever makes a
    request for a patient chooses (:data:`DEFAULT_FORMAT` when they do not say); the
    library's own handouts are full."""
    plan: PlanFields = field(default_factory=PlanFields)
    """The patient's own plan for the visit handout: patient data, printed as written."""
    plan_template: str | None = None
    """A plan template's id (content/plans/): it fills the fields ``plan`` leaves blank."""
