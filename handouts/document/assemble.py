"""Choose and merge content for one handout into a :class:`Document`.

For the conditions a handout covers: their key points, a section each, the
links among them, everyday steps merged without repeats, medicine cautions
(general ones plus the combination rules that fire), the three red-flag tiers
merged, space for notes, and the sources cited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from handouts.content import language, text
from handouts.content.brand import Brand
from handouts.content.model import (
    AFTER_HOURS,
    AREAS,
    CITED_IN,
    EVIDENCE_WORDS,
    TIER_RANK,
    TIERS,
    Claim,
    Condition,
    Library,
    Link,
    Medicine,
    RedFlag,
    Review,
)
from handouts.content.text import strings
from handouts.content.words import N_, Words, words
from handouts.document.document import (
    Block,
    Bullets,
    Caution,
    Checklist,
    Diary,
    Document,
    Heading,
    Item,
    Para,
    Point,
    Provenance,
    Section,
    SourceList,
    Tier,
    Tiers,
    Wording,
    WriteIn,
)
from handouts.document.request import Request
from handouts.memo import MemoTable, memo, table

MAX_KEY_POINTS = 8
"""A multi-condition key-points box stays short enough to read at a glance."""
DISCLAIMER = N_("This handout supports, and does not replace, advice from your care team.")
DRAFT_TITLE = N_("Draft: not yet reviewed")
DRAFT_TEXT = N_(
    "Parts of this handout have not yet been checked by a clinician. "
    "Do not give it to a patient until they are."
)
"""Printed at the top of page 1 of a handout that uses content still needing sign-off."""
CONTINUED = N_("{name}, continued")
"""Over a medicine card's cautions, or a plan part's slots, where they go on at the top
of a page."""


JOINED_BEFORE_I = N_("{items} and {last}, where {last} starts with an 'i' sound")
"""How a list ends where its last name starts with an 'i' sound, in a language that says
"and" otherwise there (Spanish "y" is "e": "metotrexato e interferón beta"); a language
without it says "{items} and {last}" as usual."""


def join_names(names: Sequence[str], _: Words) -> str:
    """``a``, ``a and b``, ``a, b and c`` (in the words' language)."""
    if len(names) <= 1:
        return "".join(names)
    items, last = _(", ").join(names[:-1]), names[-1]
    pattern = _.own(JOINED_BEFORE_I) if _i_sound(last) else None
    if pattern:
        return pattern.format(items=items, last=last)
    return _("{items} and {last}", items=items, last=last)


def _i_sound(word: str) -> bool:
    """Whether ``word`` starts with an 'i' sound as Spanish spells it: i or hi, but not
    before another vowel (hierro, hielo, iodo: a 'y' sound); marks before it skipped."""
    w = word.lstrip("([«\"'¡¿ ").lower()
    w = w[1:] if w[:1] == "h" else w
    return w[:1] in ("i", "í") and w[1:2] not in tuple("aeiouáéíóú")


class _Cites:
    """Sources in the order the handout first cites them."""

    def __init__(self) -> None:
        self.keys: dict[str, None] = {}

    def add(self, keys: Iterable[str]) -> None:
        for k in keys:
            self.keys.setdefault(k, None)


def assemble(lib: Library, req: Request, brand: Brand) -> Document:
    """Build the document for ``req``. Ids must exist (the caller checked them).

    The shared part (everything but the personal details and notes) is built
    once per library, brand and content choice, and reused for every patient.
    """
    tag = language.canonical(req.language) if req.language else None
    tag = tag or language.canonical(brand.spec.language) or brand.spec.language
    _ = words(tag)
    doc = _shared(lib, brand, req.conditions, req.title, req.medicines, req.diary, _.language)
    return with_patient(replace(doc, language=tag), req, _)


def with_patient(doc: Document, req: Request, _: Words) -> Document:
    """``doc``, made without a patient's part, with ``req``'s: who it is for, the date it
    prints (:func:`printed_date`) and the care team's notes."""
    return replace(doc, personal=req.personal, front=notes_section(req, _),
                   printed_date=printed_date(req.personal.date, _))  # fmt: skip


def printed_date(when: dt.date | None, _: Words) -> str | None:
    """The date a handout prints, in its language (none without one)."""
    return _.date(when, N_("d MMMM y")) if when else None


def notes_section(req: Request, _: Words) -> tuple[Section, ...]:
    """The care team's notes, boxed: each line a paragraph, a blank line kept as one (a
    no-break space holds it). None when there are no notes."""
    if not (req.notes and req.notes.strip()):
        return ()
    lines = tuple(Para(line if line.strip() else "\u00a0") for line in kept_lines(req.notes))
    return (Section("care-team-notes", _("Notes from your care team"), lines, True),)


_CHARSETS: MemoTable[tuple[int, int, str], tuple[Library, Brand, str]] = table(
    "assemble._CHARSETS", 8
)


def charset(lib: Library, brand: Brand, _: Words) -> str:
    """The sorted characters of every string in the library, the brand and the fixed
    words of the language (tier symbols, every word of its catalogue): see
    ``Document.charset``."""
    key = (id(lib), id(brand), _.language)
    hit = _CHARSETS.get(key)
    if hit is None or hit[0] is not lib or hit[1] is not brand:
        texts = [v for d in lib.docs.values() for _k, v in d.walk() if isinstance(v, str)]
        texts += list(strings((brand.spec, TIERS, _.all())))
        hit = _CHARSETS[key] = (lib, brand, "".join(sorted(set().union(*texts))))
    return hit[2]


_SHARED: MemoTable[tuple[Any, ...], tuple[Library, Brand, Document]] = table(
    "assemble._SHARED", 256, OrderedDict
)


def _shared(
    lib: Library,
    brand: Brand,
    conditions: tuple[str, ...],
    title: str | None,
    medicines: tuple[str, ...],
    diary: bool,
    words_in: str,
) -> Document:
    key = (id(lib), id(brand), conditions, title, medicines, diary, words_in)
    hit = _SHARED.recall(key)
    if hit is not None and hit[0] is lib and hit[1] is brand:  # the entry keeps both alive
        return hit[2]
    req = Request(conditions, title, medicines, diary=diary)
    doc = _build(lib, req, brand, words(words_in))
    _SHARED[key] = (lib, brand, doc)
    return doc


def _build(lib: Library, req: Request, brand: Brand, _: Words) -> Document:
    spec = brand.spec
    conds = [lib.conditions[c] for c in req.conditions]
    ids = frozenset(req.conditions)
    links = [
        lib.links[frozenset(pair)]
        for pair in combinations(req.conditions, 2)
        if frozenset(pair) in lib.links
    ]
    # Medicines in play: the patient's own list when given, else those common for the conditions.
    in_play = list(dict.fromkeys(req.medicines or [m for c in conds for m in c.medicines]))
    meds = [lib.medicines[m] for m in in_play]
    rules = [r for r in lib.rules if r.when.holds(ids, frozenset(in_play))]
    ctx = fill_context(lib, brand, meds, _)

    def fill(s: str) -> str:
        return text.fill(s, ctx)

    def covers(for_: tuple[str, ...]) -> bool:
        return in_scope(for_, ids)

    cites = _Cites()
    reviews: list[tuple[str, Review]] = [(f"condition:{c.id}", c.review) for c in conds]
    reviews += [(f"link:{lk.id}", lk.review) for lk in links]
    # the numbers a patient acts on print through placeholders anywhere in the handout
    reviews += [(f"number:{n.id}", n.review) for n in lib.numbers.values() if n.review][:1]

    def claim(c: Claim) -> str:
        cites.add(c.sources)
        return fill(c.text)

    names = [c.label for c in conds]
    title = req.title or condition_title(conds, _)
    sections: list[Section] = []

    points = [Item(claim(c)) for c in _key_points(links, conds) if covers(c.for_)]
    sections.append(Section("key-points", _("The main points"), (Bullets(tuple(points)),), True))

    for n, c in enumerate(conds):
        blocks: list[Block] = [Para(claim(s)) for s in c.summary if covers(s.for_)]
        if c.other_names:
            names_c = _("{names}.", names=_(", ").join(c.other_names))
            blocks.append(Para(names_c, lead=_("Other names:")))
        # Page 1 is the summary: who it is for, the care team's notes and the main points;
        # the details start page 2 (and are then laid out alike for every patient). A
        # language may start the title with the name ("Lupus: lo que debe saber").
        title_c = capital(_("About {condition}", condition=c.label))
        about = Section(f"about-{c.id}", title_c, tuple(blocks), after_summary=n == 0)
        sections.append(about)

    if links:
        blocks = []
        for lk in links:
            a, b = (lib.conditions[x].label for x in lk.conditions)
            blocks += [
                Heading(capital(join_names([a, b], _))),
                Para(claim(lk.known), lead=_("What we know:")),
                Para(_(EVIDENCE_WORDS[lk.evidence]) + ".", lead=_("How sure are we?")),
                Para(claim(lk.why), lead=_("Why it may happen:")),
                Para(claim(lk.what_it_means), lead=_("What this means for you:")),
            ]
        linked = _("How {conditions} are linked", conditions=join_names(names, _))
        sections.append(Section("links", linked, tuple(blocks)))

    steps, step_reviews = _steps(lib, conds, cites, fill, _)
    reviews += step_reviews
    if steps:
        sections.append(Section("everyday-steps", _("Everyday steps that can help"), tuple(steps)))

    med_blocks: list[Block] = []
    what_to_do = _("What to do:")
    rule = lib.painkiller_days
    if rule and any(c.painkiller_days for c in conds):
        # One painkiller-day rule, worded for this handout's painkillers, the same everywhere.
        cites.add(rule.sources)
        reviews.append(("painkiller-days", rule.review))
        point = Point(fill(rule.text), fill(rule.action), _(EVIDENCE_WORDS[rule.evidence]))
        med_blocks.append(Caution(fill(rule.title), None, (point,), what_to_do))
    if rules:
        mix = _("Because of your mix of conditions and medicines")
        # with no medicines named, every medicine of the conditions is covered: not "yours"
        med_blocks.append(Heading(mix if req.medicines else _("If you take these together")))
        for r in rules:
            cites.add(r.sources)
            involved = [lib.medicines[m].name for m in in_play if mentions(r.when, m)]
            involved = involved or [
                lib.conditions[c].label for c in req.conditions if mentions(r.when, c)
            ]
            point = Point(fill(r.text), fill(r.action), _(EVIDENCE_WORDS[r.evidence]))
            heading = fill(r.title) if r.title else capital(join_names(involved, _))
            med_blocks.append(Caution(heading, None, (point,), what_to_do))
            if r.review:
                reviews.append((f"rule:{r.id}", r.review))
    if meds:
        med_blocks.append(Heading(_("Your medicines") if req.medicines else _("Each medicine")))
        for med in meds:
            reviews.append((f"medicine:{med.id}", med.review))
            # what it is for always prints: its main use when none is about these conditions
            uses = [u for u in med.used_for if covers(u.for_)] or list(med.used_for[:1])
            used = " ".join(claim(u) for u in uses)
            pts = []
            for _part, lead, ct in med.points():
                if covers(ct.for_):
                    cites.add(ct.sources)
                    note = _(EVIDENCE_WORDS[ct.evidence])
                    pts.append(Point(fill(ct.text), fill(ct.action), note, lead and _(lead)))
            title_m = medicine_title(med, 4, _)
            again = _(CONTINUED, name=med.name)
            med_blocks.append(Caution(title_m, used or None, tuple(pts), what_to_do, True, again))
    if med_blocks:
        watch = _("Medicines: what to watch for")
        sections.append(Section("medicines", watch, tuple(med_blocks)))

    chosen = red_flags_for(lib, conds, meds)
    tiers = []
    for key, heading, symbol in TIERS:
        signs = []
        for flag in chosen:
            if flag.tier == key:
                cites.add(flag.sources)
                if flag.review:
                    reviews.append((f"flag:{flag.id}", flag.review))
                signs.append(fill(flag.text))
        note = fill(_(AFTER_HOURS)) if key == "call_today" else None
        if signs:
            tiers.append(Tier(key, fill(_(heading)), symbol, tuple(signs), note))
    contact = _("Call {clinic} on {phone}.", clinic=spec.clinic_name, phone=spec.contact.phone)
    # A page of its own: the three tiers read together, and the page can be kept by the phone.
    tiers_block = Tiers(tuple(tiers), contact)
    sections.append(Section("get-help", _("When to get help"), (tiers_block,), new_page=True))

    glossary = _words_to_know(lib, sections, _)
    if glossary:
        sections.append(Section("words-to-know", _("Words to know"), tuple(glossary)))
    sections.append(
        Section(
            "my-notes",
            _("My notes and questions for my next visit"),
            (WriteIn((_("What I want to ask:"), _("What I noticed since my last visit:")), 8),),
        )
    )
    if req.diary and lib.diary:
        d = lib.diary
        reviews.append(("diary", d.review))
        intro = tuple(claim(c) for c in d.intro if covers(c.for_))
        diary = (Diary(intro, d.columns, total=fill(d.total) if d.total else None),)
        sections.append(Section("diary", _("My headache and pain diary"), diary, new_page=True))
    entries = tuple(citation(lib, k, _) for k in cites.keys)
    sources = _("Where this information comes from")
    sections.append(Section("sources", sources, (SourceList(entries, cited_in(lib)),)))

    drafts, reviewed, next_review = dated(reviews, sections, _)
    return Document(
        title=title,
        subtitle=subtitle(conds, links, _),
        sections=tuple(sections),
        personal=req.personal,
        **clinic_fields(brand, _),
        reviewed=reviewed,
        next_review=next_review,
        draft=drafts,
        subject=_(
            "Patient information: {conditions}", conditions=join_names([c.name for c in conds], _)
        ),
        keywords=tuple(code for c in conds for code in c.icd10),
        provenance=provenance(reviews),
        online=online_address(lib, spec.online, conds),
        language=language.canonical(spec.language) or spec.language,
        wording=fixed_words(_, reviewed, next_review, spec.clinic_name),
        charset=charset(lib, brand, _),
    )


def dated(
    reviews: list[tuple[str, Review]], sections: list[Section], _: Words
) -> tuple[bool, dt.date, dt.date]:
    """Whether a handout uses a draft (then a draft box opens ``sections``), and the dates
    its footer gives: the earliest last check and next check of the signed-off content
    (of all of it, when everything is a draft)."""
    drafts = {key for key, r in reviews if r.draft}
    if drafts:
        draft = Section("draft", _(DRAFT_TITLE), (Para(_(DRAFT_TEXT)),), boxed=True)
        sections.insert(0, draft)
    checked = [r for key, r in reviews if key not in drafts] or [r for _k, r in reviews]
    return bool(drafts), min(r.last_reviewed for r in checked), min(r.next_review for r in checked)


def provenance(reviews: list[tuple[str, Review]]) -> tuple[Provenance, ...]:
    """Every content item a handout uses, with its review dates (the last review of an
    item listed twice)."""
    return tuple(
        Provenance(key, r.last_reviewed, r.next_review, r.draft) for key, r in dict(reviews).items()
    )


def clinic_fields(brand: Brand, _: Words) -> dict[str, Any]:
    """A document's fields from the clinic: its name, the phone, address and web address
    under it (those it gives), and its footer."""
    spec = brand.spec
    phone = _("Phone {phone}", phone=spec.contact.phone)
    lines = tuple(x for x in (phone, spec.contact.address, spec.contact.web) if x)
    return {"clinic": spec.clinic_name, "contact_lines": lines, "web": spec.contact.web,
            "footer": spec.footer}  # fmt: skip


@memo(64)
def fixed_words(_: Words, reviewed: dt.date, next_review: dt.date, clinic: str) -> Wording:
    """The fixed words a renderer prints around this handout's content (made once per
    language, review dates and clinic: every try at fitting a visit handout asks)."""
    short = N_("d MMM y")
    return Wording(
        disclaimer=_(DISCLAIMER),
        checked=_(
            "Content checked {checked}; next check due {due}.",
            checked=_.date(reviewed, short),
            due=_.date(next_review, short),
        ),
        draft_footer=_(
            "{draft}: not for patients until a clinician has checked it.", draft=_(DRAFT_TITLE)
        ),
        page_of=_("Page {page} of {pages}"),
        pack_page_of=_("Pack page {page} of {pages}"),
        in_this_pack=_("In this pack"),
        contents_page=_("page {page}"),
        blank_page=_("This page is blank so that the next handout starts on a new sheet."),
        for_=_("For:"),
        from_=_("From:"),
        date_=_("Date:"),
        read_online=_("Read it online:"),
        scan_hint=_("(or scan the square code at the top of this page)"),
        qr_alt=_("QR code: scan it with a phone camera to read this handout online at {address}"),
        logo_alt=_("{clinic} logo", clinic=clinic),
        web_page=_("Web page: {address}"),
    )


def fill_context(lib: Library, brand: Brand, meds: list[Medicine], _: Words) -> text.Context:
    """What the placeholders of one handout are filled with."""
    spec = brand.spec
    contact = spec.contact
    clinic = {
        "name": spec.clinic_name,
        "phone": contact.phone,
        "address": contact.address or "",
        "web": contact.web or "",
        "after_hours": contact.after_hours,
        "emergency_number": contact.emergency_number,
        "crisis_line": contact.crisis_line,
    }
    numbers = {n.id: n.value for n in lib.numbers.values()}
    painkillers = {"limit": "", "names": ""}
    rule = lib.painkiller_days
    if rule:
        kinds = [m for m in meds if m.painkiller]
        # One simple painkiller alone has the higher limit; any other kind, or any mix, the lower.
        alone = len(kinds) == 1 and kinds[0].painkiller == "simple"
        painkillers = {
            "limit": numbers[rule.limit_one_simple if alone else rule.limit],
            "names": join_names([m.label for m in kinds], _) or rule.any_painkiller,
        }
    return {"clinic": clinic, "numbers": numbers, "painkillers": painkillers}


ONLINE_MOST = 3
"""Every set of up to this many conditions has its page online (a visit handout's), as do
the library's and the packs' handouts: ``handouts site`` writes them all."""


def online_address(lib: Library, base: str | None, conds: Sequence[Condition]) -> str | None:
    """Where a handout for ``conds`` says its full version is: its own page, or (a set of
    more conditions than any page covers) the list of every handout, ``base`` itself;
    for content in another language, the same address under the language
    (``https://clinic.example/es/h/g43-m32``)."""
    if not base:
        return None
    if lib.language != "en":  # the same site in another language: /es/h/… beside /h/…
        parts = urlsplit(base)
        base = urlunsplit(parts._replace(path=f"/{lib.language}{parts.path or '/'}"))
    ids = frozenset(c.id for c in conds)
    paged = len(ids) <= ONLINE_MOST or ids in lib.handout_sets
    return f"{base}{slug(conds)}" if paged else base


def slug(conds: Sequence[Condition]) -> str:
    """The online version's name: each condition's first ICD-10 code, in order, e.g.
    ``g43-m32`` (short enough to type from the printed page). The same conditions in any
    order have the same address, and no two sets share one: no two conditions share a
    code (the library checks), and a code written without its dot is still one code."""
    return "-".join(sorted(c.icd10[0].lower().replace(".", "") if c.icd10 else c.id for c in conds))


def _words_to_know(lib: Library, sections: list[Section], _: Words) -> list[Block]:
    """Each glossary word the handout uses, with its plain meaning, A to Z."""
    used = " ".join(strings(sections))
    terms = [t for t in lib.glossary if any(text.mentions(used, f) for f in t.forms)]
    return [
        Para(t.plain, lead=_("{term}:", term=capital(t.term)))
        for t in sorted(terms, key=lambda t: t.term.lower())
    ]


def _key_points(links: list[Link], conds: list[Condition]) -> list[Claim]:
    """Links' points first, then each condition's in turn, up to the cap: its points with
    an urgency first, the most urgent first (a stroke can look like an aura), then the
    others in the order written, so the cap never leaves out a point that says to get
    help soon, whatever the order the conditions were given in."""
    chosen = [lk.key_point for lk in links]
    ranked = [sorted(c.key_points, key=urgency_rank) for c in conds]
    for i in range(max(len(points) for points in ranked)):
        chosen += [points[i] for points in ranked if i < len(points)]
    return chosen[: max(MAX_KEY_POINTS, len(links) + 1)] if len(conds) > 1 else chosen


_WORD = re.compile(r"\w+")
"""A word of a name (letters of any script, digits)."""


def medicine_title(med: Medicine, most: int, _: Words) -> str:
    """A medicine's card title: its name, then up to ``most`` of the other names it goes
    by that the name does not already say, word for word (the Spanish name of paracetamol
    gives its other name, acetaminofén, in brackets itself: said once, not twice), after a
    colon where the name ends with brackets of its own (not two pairs in a row)."""
    said = set(_WORD.findall(med.name.casefold()))  # not "ergotamine" in "dihydroergotamine"
    said |= {f"{w}s" for w in said}  # nor "steroids" after "Steroid tablets"
    also = [a for a in med.also_called if not set(_WORD.findall(a.casefold())) <= said][:most]
    if not also:
        return med.name
    names = _(", ").join(also)
    if med.name.endswith(")"):  # "NSAIDs (anti-inflammatory painkillers): ibuprofen, …"
        return _("{name}: {also_called}", name=med.name, also_called=names)
    return _("{name} ({also_called})", name=med.name, also_called=names)


def red_flags_for(
    lib: Library, conds: Sequence[Condition], meds: Sequence[Medicine]
) -> list[RedFlag]:
    """The red flags a handout prints, each once: those for every handout, then each
    condition's and each medicine's in turn, but those whose ``not_with`` names one of
    ``conds``."""
    ids = [f.id for f in lib.red_flags.values() if f.always]
    ids += [f for c in conds for f in c.red_flags] + [f for m in meds for f in m.red_flags]
    have = {c.id for c in conds}
    chosen = (lib.red_flags[f] for f in dict.fromkeys(ids))
    return [flag for flag in chosen if have.isdisjoint(flag.not_with)]


def urgency_rank(point: Claim) -> int:
    """How soon a key point says to get help, as a sort key: its tier's rank (0, the most
    urgent), or after every tier when it has none."""
    return len(TIER_RANK) if point.urgency is None else TIER_RANK[point.urgency]


def _steps(
    lib: Library, conds: list[Condition], cites: _Cites, fill: Any, _: Words
) -> tuple[list[Block], list[tuple[str, Review]]]:
    """Checklists by area; a step shared by several conditions prints once."""
    blocks: list[Block] = []
    reviews: list[tuple[str, Review]] = []
    printed: set[str] = {sid for c in conds for sid in c.not_for}  # steps that do not suit
    for area, heading in AREAS:
        items: list[Item] = []
        for c in conds:
            for sid in getattr(c.lifestyle, area):
                if sid in printed:
                    continue
                printed.add(sid)
                step = lib.steps[sid]
                cites.add(step.sources)
                if step.review:
                    reviews.append((f"step:{sid}", step.review))
                items.append(Item(fill(step.text), _(EVIDENCE_WORDS[step.evidence])))
        if items:
            blocks += [Heading(_(heading)), Checklist(tuple(items))]
    return blocks, reviews


def in_scope(for_: tuple[str, ...], conditions: frozenset[str]) -> bool:
    """Whether a text scoped to conditions (``for:``) prints for a handout of
    ``conditions``: where it names none, or one of them."""
    return not for_ or not conditions.isdisjoint(for_)


def mentions(when: Any, item: str) -> bool:
    return any(
        item in group
        for group in (
            when.conditions_all,
            when.conditions_any,
            when.medicines_all,
            when.medicines_any,
        )
    )


def citation(lib: Library, key: str, _: Words) -> tuple[str, str, str | None]:
    """A source as a source list gives it: its title as cited, with its year; the words
    that say it is undated, in the handout's language, or ""; its web address."""
    src = lib.sources[key]
    year = f" {src.year}." if src.year and str(src.year) not in src.title else ""
    after = _("Undated.") if src.undated and not src.year else ""
    ends = src.title.rstrip("\"'\u201d\u2019\u00bb")  # a closing quotation mark aside
    stop = "" if ends.endswith(("?", "!", ".", "\u2026")) else "."  # not "back pain?."
    return f"{src.title}{stop}{year}", after, src.url


def cited_in(lib: Library) -> str | None:
    """The language a source list's titles are in, where it is not ``lib``'s."""
    return None if lib.language == CITED_IN else CITED_IN


def condition_title(conds: list[Condition], _: Words) -> str:
    names = [c.label for c in conds]
    return capital(join_names(names, _))


def subtitle(conds: list[Condition], links: list[Link], _: Words) -> str:
    if links:
        return _("How they are linked and what you can do")
    return _("What you can do") if len(conds) == 1 else _("What you can do about each")


def kept_lines(notes: str) -> list[str]:
    """The lines of the notes, without blank lines at the start or end, and without more
    than one blank line in a row."""
    lines: list[str] = []
    for line in notes.strip().splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line)
    return lines


def capital(s: str) -> str:
    return s[:1].upper() + s[1:]
