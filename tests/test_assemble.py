"""What goes into a handout: links from either side, combination cautions, merging."""

from __future__ import annotations

from handouts.assemble import Request, assemble
from handouts.brand import load_brand
from handouts.document import Caution, Checklist, Document, Tiers
from handouts.render import render
from handouts.validate import load_library

from .conftest import CONTENT, pdf_text

LIB = load_library(CONTENT)
BRAND = load_brand()


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


def test_no_links_section_without_a_link():
    assert section(doc("multiple-sclerosis", "chronic-back-pain"), "links") is None


def test_nsaid_days_count_toward_the_headache_limit_only_with_migraine():
    rule = LIB.rules[[r.id for r in LIB.rules].index("nsaid-days-count-for-migraine")]
    text = rule.text.split(".")[0]
    both = pdf_text(render(doc("migraine", "chronic-back-pain"), BRAND)[0])
    back_only = pdf_text(render(doc("chronic-back-pain"), BRAND)[0])
    assert text in both
    assert text not in back_only


def test_triptan_with_snri_needs_both_medicines():
    assert "Triptans and SNRI medicines" in caution_titles(doc("migraine", "fibromyalgia"))
    assert "Triptans and SNRI medicines" not in caution_titles(
        doc("migraine", "fibromyalgia", medicines=("triptans",))
    )


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
    lib = load_library(content_copy)
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


def test_red_flags_merge_into_three_tiers_without_repeats():
    d = doc("migraine", "lupus")
    tiers = next(b for b in section(d, "get-help").blocks if isinstance(b, Tiers)).tiers
    assert [t.key for t in tiers] == ["emergency", "call_today", "next_visit"]
    for t in tiers:
        assert t.items and len(t.items) == len(set(t.items))
    mig = {f.text for f in LIB.conditions["migraine"].red_flags.emergency}
    lup = {f.text for f in LIB.conditions["lupus"].red_flags.emergency}
    assert len(tiers[0].items) == len(mig | lup)


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
    titles = {t for t, _ in listed}
    assert all(any(LIB.sources[k].title in t for t in titles) for k in cited)
    assert (
        "Estrogen withdrawal revisited. J Headache Pain 2023.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC10512516/",
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
