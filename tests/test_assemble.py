"""What goes into a handout: links from either side, combination cautions, merging."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from handouts.content import text
from handouts.content.brand import load_brand
from handouts.content.library import load_library
from handouts.content.text import strings
from handouts.document.assemble import assemble
from handouts.document.document import Caution, Checklist, Document, Heading, Tier, Tiers
from handouts.document.request import Request
from handouts.pdf.render import render
from handouts.pipeline import PRINTER

from .conftest import CONTENT, pdf_text

LIB = load_library(CONTENT, PRINTER)
BRAND = load_brand(None, PRINTER)


def doc(*conditions: str, medicines: tuple[str, ...] = ()) -> Document:
    return assemble(LIB, Request(conditions, None, medicines), BRAND)


def section(d: Document, sid: str):
    return next((s for s in d.sections if s.id == sid), None)


def caution_titles(d: Document) -> list[str]:
    meds = section(d, "medicines")
    return [b.title for b in meds.blocks if isinstance(b, Caution)] if meds else []


def test_a_link_is_found_from_either_side():
    a = section(doc("migraine", "lupus"), "links")
    b = section(doc("lupus", "migraine"), "links")
    assert a.title == "How migraine and lupus are linked"
    assert b.title == "How lupus and migraine are linked"
    assert a.blocks[1] == b.blocks[1]  # the same "What we know"


def test_combination_cautions_are_yours_only_when_the_medicines_are():
    """Red team: with no medicines named the booklet covers every medicine of its
    conditions, so its combination cautions are not "your mix"."""

    def heading(d: Document) -> list[str]:
        return [b.text for b in section(d, "medicines").blocks if isinstance(b, Heading)][:1]

    assert heading(doc("migraine", "lupus")) == ["If you take these together"]
    mine = doc("migraine", "lupus", medicines=("triptans",))
    assert heading(mine) == ["Because of your mix of conditions and medicines"]


def test_no_links_section_without_a_link():
    assert section(doc("multiple-sclerosis", "chronic-back-pain"), "links") is None


def painkiller_rule(d: Document) -> Caution | None:
    meds = section(d, "medicines")
    found = [b for b in meds.blocks if isinstance(b, Caution) and b.title == "Painkiller days"]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize(
    ("medicines", "limit", "names"),
    [
        (("triptans", "nsaids"), "10", ["triptans", "NSAIDs"]),
        (("paracetamol",), "15", ["paracetamol"]),
        (("nsaids",), "15", ["NSAIDs"]),
        (("paracetamol", "nsaids"), "10", ["paracetamol", "NSAIDs"]),
        (("ergots",), "10", ["ergots"]),
        (("topiramate",), "10", ["any painkiller"]),
    ],
)
def test_one_painkiller_day_rule_worded_for_the_medicines(medicines, limit, names):
    """ICHD-3: 15 days for one simple painkiller alone; 10 for triptans, ergots, opioids,
    mixed painkillers or any mix of kinds. One rule, one number, in a migraine handout."""
    d = doc("migraine", "chronic-back-pain", medicines=medicines)
    rule = painkiller_rule(d)
    assert rule is not None and len(rule.points) == 1
    point = rule.points[0]
    assert f"fewer than {limit} days a month" in point.action
    for name in names:
        assert name.lower() in point.risk.lower()
    # every limit anywhere in the handout (diary, key points, cards) is the same number
    text = pdf_text(render(d, BRAND)[0])
    assert set(re.findall(r"(\d+) (?:painkiller )?days (?:a|in a) month", text)) == {limit}


def test_no_painkiller_rule_without_migraine():
    assert painkiller_rule(doc("chronic-back-pain", medicines=("nsaids",))) is None
    assert painkiller_rule(doc("chronic-back-pain", "migraine")) is not None


def test_no_medicine_card_or_rule_repeats_the_painkiller_limit():
    """The limit lives in numbers.yaml and prints through the one rule (and placeholders)."""
    for med in LIB.medicines.values():
        for _, _, point in med.points():
            assert not re.search(r"\d+ (?:or more )?days", point.text + point.action), med.id
    for rule in LIB.rules:
        assert not re.search(r"\d+ (?:or more )?days", rule.text + rule.action), rule.id


def test_a_point_for_another_condition_is_left_out():
    """A card's text about one condition prints only where that condition is covered."""
    scoped = [
        (med, item)
        for med in LIB.medicines.values()
        for item in (*med.used_for, *(p for _, _, p in med.points()))
        if item.for_
    ]
    assert len(scoped) >= 10
    for med, item in scoped:
        others = [c for c in LIB.conditions if c not in item.for_]
        inside = "\n".join(strings(section(doc(item.for_[0], medicines=(med.id,)), "medicines")))
        outside = "\n".join(strings(section(doc(others[0], medicines=(med.id,)), "medicines")))
        assert item.text in inside, (med.id, item.text)
        # ...except the main use of a medicine whose every use is scoped: a card always
        # says what the medicine is for
        fallback = item is med.used_for[0] and all(u.for_ for u in med.used_for)
        assert (item.text in outside) == fallback, (med.id, item.text)


def test_triptan_with_snri_needs_both_medicines():
    title = "Triptans with an SNRI (duloxetine, milnacipran or venlafaxine)"
    assert title in caution_titles(doc("migraine", "fibromyalgia"))
    assert title not in caution_titles(doc("migraine", "fibromyalgia", medicines=("triptans",)))


def test_a_clinic_rule_in_yaml_fires(content_copy):
    (content_copy / "combinations" / "clinic.yaml").write_text(
        "review: {last_reviewed: 2026-11-01, next_review: 2027-11-01, reviewed_by: Dr A}\n"
        "rules:\n"
        "  - id: clinic-own-rule\n"
        "    when: {conditions_all: [lupus], medicines_any: [corticosteroids]}\n"
        "    text: Our clinic checks bone health for everyone on steroids.\n"
        "    action: Ask for a bone scan at your next visit.\n"
        "    evidence: guideline\n"
        "    sources: [Gensler13]\n"
    )
    lib = load_library(content_copy, PRINTER)
    d = assemble(lib, Request(("lupus",)), BRAND)
    points = [
        p.risk for b in section(d, "medicines").blocks if isinstance(b, Caution) for p in b.points
    ]
    assert "Our clinic checks bone health for everyone on steroids." in points
    assert d.next_review.isoformat() == "2027-11-01"  # the rule's review date counts


def test_shared_steps_print_once():
    d = doc("migraine", "fibromyalgia", "lupus")
    steps = section(d, "everyday-steps")
    texts = [i.text for b in steps.blocks if isinstance(b, Checklist) for i in b.items]
    assert len(texts) == len(set(texts))
    shared = LIB.steps["relax-daily"].text
    assert texts.count(shared) == 1


def tiers_of(d: Document) -> dict[str, Tier]:
    block = next(b for b in section(d, "get-help").blocks if isinstance(b, Tiers))
    return {t.key: t for t in block.tiers}


def test_red_flags_merge_into_three_tiers_without_repeats():
    d = doc("migraine", "lupus")
    tiers = tiers_of(d)
    assert list(tiers) == ["emergency", "call_today", "next_visit"]
    ids = {*LIB.conditions["migraine"].red_flags, *LIB.conditions["lupus"].red_flags}
    ids |= {f.id for f in LIB.red_flags.values() if f.always}
    ids |= {f for m in LIB.conditions["migraine"].medicines for f in LIB.medicines[m].red_flags}
    ids |= {f for m in LIB.conditions["lupus"].medicines for f in LIB.medicines[m].red_flags}
    for key, tier in tiers.items():
        assert len(tier.items) == len(set(tier.items))
        assert len(tier.items) == sum(1 for f in ids if LIB.red_flags[f].tier == key)
    printed = [item for t in tiers.values() for item in t.items]
    assert len(printed) == len(set(printed))  # no sign in two tiers


def all_handouts() -> list[tuple[str, ...]]:
    sets = [(c,) for c in LIB.conditions] + [tuple(sorted(p)) for p in LIB.links]
    sets += [spec.conditions for spec in LIB.handouts]
    return sets


def test_stroke_signs_are_an_emergency_in_every_handout():
    always = [f for f in LIB.red_flags.values() if f.always]
    assert [f.id for f in always] == ["stroke-signs"] and always[0].tier == "emergency"
    sign = text.fill(always[0].text, {"clinic": {"emergency_number": "911"}})
    for conditions in all_handouts():
        tiers = tiers_of(doc(*conditions))
        assert sign in tiers["emergency"].items, conditions
        assert tiers["emergency"].items[0] == sign  # first


def test_when_to_get_help_says_what_to_do_when_the_clinic_is_closed():
    tiers = tiers_of(doc("migraine"))
    assert tiers["emergency"].heading == (
        "Emergency: call 911 or go to the emergency department now"
    )
    assert (
        tiers["call_today"].note == "If we are closed, call our after-hours nurse line on 555-0199."
    )
    pdf = pdf_text(render(doc("migraine"), BRAND)[0])
    assert "If we are closed, call our after-hours nurse line on 555-0199." in pdf


def test_chronic_pain_handouts_have_the_self_harm_sign_with_the_crisis_line():
    flag = LIB.red_flags["self-harm"]
    assert flag.tier == "emergency"
    for cond in LIB.conditions.values():
        items = tiers_of(doc(cond.id, medicines=("triptans",)))["emergency"].items
        has = any("988" in i for i in items)
        assert has == cond.chronic_pain, cond.id
    # and with a medicine that carries a mood warning, whatever the condition
    assert any(
        "988" in i for i in tiers_of(doc("migraine", medicines=("snri",)))["emergency"].items
    )


def test_key_points_box_stays_short_and_starts_with_links():
    d = doc("migraine", "lupus", "multiple-sclerosis", "rheumatoid-arthritis")
    items = section(d, "key-points").blocks[0].items
    assert len(items) == 8
    assert items[0].text == LIB.links[frozenset({"migraine", "lupus"})].key_point.text


def test_placeholders_are_filled_from_the_brand():
    d = doc("migraine")
    tiers = next(b for b in section(d, "get-help").blocks if isinstance(b, Tiers))
    assert tiers.contact == "Call Riverside Headache and Rheumatology Clinic on 555-0142."


def test_every_cited_source_is_listed():
    d = doc("migraine", "lupus")
    listed = section(d, "sources").blocks[0].entries
    assert len(listed) == len(set(listed)) > 10
    cited = {
        k
        for c in (LIB.conditions["migraine"], LIB.conditions["lupus"])
        for f in c.summary
        for k in f.sources
    }
    titles = {t for t, _after, _url in listed}
    assert all(any(LIB.sources[k].title in t for t in titles) for k in cited)
    assert (
        "Estrogen withdrawal revisited. J Headache Pain 2023.",
        "",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC10512516/",
    ) in listed
    assert (
        "NHS: Stroke symptoms.",
        "Undated.",
        "https://www.nhs.uk/conditions/stroke/symptoms/",
    ) in listed


def test_a_step_that_does_not_suit_a_condition_is_left_out():
    """ME/CFS: no steady exercise build-up, whichever other condition lists it."""

    def steps(d: Document) -> list[str]:
        s = section(d, "everyday-steps")
        return [i.text for b in s.blocks if isinstance(b, Checklist) for i in b.items]

    build_up = LIB.steps["move-most-days"].text
    assert build_up in steps(doc("migraine"))
    with_me = steps(doc("migraine", "me-cfs"))
    assert build_up not in with_me
    assert LIB.steps["strength-training"].text not in with_me
    assert LIB.steps["pace-your-activity"].text in with_me


def test_a_card_always_says_what_the_medicine_is_for():
    """A patient's own medicine in a handout that does not cover its main use still says
    what it is for: its uses that name no condition, or else its first (a triptan is only
    for migraine), never starting at how to take it."""
    d = doc("chronic-back-pain", medicines=("topiramate", "triptans"))
    intro = {b.title: b.intro for s in d.sections for b in s.blocks if isinstance(b, Caution)}
    assert intro["Topiramate"] == "It treats epilepsy."
    assert intro["Triptans (sumatriptan, rizatriptan, zolmitriptan, naratriptan)"] == (
        "They stop a migraine attack that has started."
    )
    d = doc("migraine", medicines=("topiramate",))
    intro = {b.title: b.intro for s in d.sections for b in s.blocks if isinstance(b, Caution)}
    assert (
        intro["Topiramate"]
        == "It treats epilepsy. Taken each day, it can prevent migraine attacks."
    )


def test_a_blank_line_in_the_notes_is_kept():
    """Red team, issue 13 item 12: blank lines in notes were dropped (the README says line
    breaks are kept). One blank line stays; blank lines at either end and runs of them
    do not make a page of nothing."""
    from handouts.document.document import Para, Personal

    notes = "\n\nFirst thing.\n\n\n\nSecond thing.\nThird thing.\n\n"
    doc = assemble(LIB, Request(("lupus",), notes=notes, personal=Personal("Jo")), BRAND)
    (front,) = doc.front
    assert front.blocks == (
        Para("First thing."), Para("\u00a0"), Para("Second thing."), Para("Third thing.")
    )  # fmt: skip


def test_a_medicines_other_name_inside_a_longer_word_of_its_name_is_still_said():
    """Only other names the name says word for word are left out of a card's title:
    'ergotamine' is another medicine than 'dihydroergotamine'."""
    from dataclasses import replace as changed

    from handouts.content.words import words
    from handouts.document.assemble import medicine_title

    ergots = LIB.medicines["ergots"]
    made = changed(ergots, name="Dihydroergotamine", also_called=("ergotamine", "DHE"))
    assert medicine_title(made, 3, words("en")) == "Dihydroergotamine (ergotamine, DHE)"
    made = changed(ergots, name="Ergotamine and DHE", also_called=("ergotamine", "DHE", "Cafergot"))
    assert medicine_title(made, 3, words("en")) == "Ergotamine and DHE (Cafergot)"


def test_a_card_title_never_has_two_pairs_of_brackets_in_a_row():
    """A review: 'NSAIDs (anti-inflammatory painkillers) (ibuprofen, …)' and 'Steroid
    tablets (corticosteroids) (prednisone, prednisolone, steroids)'. A name that ends
    with brackets gives its other names after a colon, and a plural of a word of the
    name is not another name; the visit handout's calming practice does the same."""
    from handouts.content.model import PlanFields
    from handouts.content.words import words
    from handouts.document.assemble import medicine_title
    from handouts.document.visit import Assembly, assemble_visit
    from handouts.pipeline import load_inputs

    en = words("en")
    assert medicine_title(LIB.medicines["nsaids"], 3, en) == (
        "NSAIDs (anti-inflammatory painkillers): ibuprofen, naproxen, diclofenac"
    )
    assert medicine_title(LIB.medicines["corticosteroids"], 3, en) == (
        "Steroid tablets (corticosteroids): prednisone, prednisolone"
    )
    assert medicine_title(LIB.medicines["triptans"], 3, en) == (
        "Triptans (sumatriptan, rizatriptan, zolmitriptan)"
    )
    lib, brand = load_inputs(CONTENT, None)
    plan = PlanFields(calming="muscle-relaxation")
    req = Request(("migraine",), format="visit", plan=plan)
    doc = assemble_visit(lib, req, brand, 0, Assembly())
    (section,) = [s for s in doc.sections if s.id == "my-plan"]
    (steps,) = [b for b in section.blocks if hasattr(b, "items")]
    assert steps.lead == "Tense and let go (muscle relaxation), 10 minutes, once a day:"
    for med in lib.medicines.values():
        assert ") (" not in medicine_title(med, 3, en), med.id


def test_a_source_title_ends_with_one_stop():
    """A cited title that ends with its own question mark reads "…back pain? Undated.",
    not "…back pain?. Undated."; every other title gets its full stop (and its year)."""
    from handouts.content.words import words
    from handouts.document.assemble import citation

    lib = load_library(CONTENT, PRINTER)
    cited = {key: citation(lib, key, words("en")) for key in lib.sources}
    assert cited["NASS-IBP"][:2] == (
        "National Axial Spondyloarthritis Society: do I have inflammatory back pain?",
        "Undated.",
    )
    closing = "\"'\u201d\u2019\u00bb"
    doubled = [t for t, _, _ in cited.values() if re.search(f"[?!.\u2026][{closing}]*\\.", t)]
    assert doubled == []
    quoted = replace(lib.sources["NASS-IBP"], title="Ask us: \u201cIs it inflammatory?\u201d")
    own = replace(lib, sources={**lib.sources, "NASS-IBP": quoted})  # the library unchanged
    assert citation(own, "NASS-IBP", words("en"))[0] == "Ask us: \u201cIs it inflammatory?\u201d"
    assert all(t.rstrip(closing).endswith((".", "?", "!", "\u2026")) for t, _, _ in cited.values())
