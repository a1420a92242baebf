"""The clinical-safety rules of `handouts check` and of builds: content crafted to break each
rule, with the exact message; drafts refused by builds, and printed marked when allowed."""

from __future__ import annotations

from pathlib import Path

from .conftest import REVIEW, card, pdf_text
from .test_check import line_of, lines
from .test_errors import edit


def flags_file(folder: Path, body: str) -> Path:
    path = folder / "red-flags" / "crafted.yaml"
    path.write_text(REVIEW.format(who="Test team") + body, encoding="utf-8")
    return path


def errors(cli, content: Path) -> list[str]:
    """The errors `handouts check` finds (a crafted medicine that no condition lists is only
    a warning, so it is left out by not running --strict)."""
    run = cli("check", "--content", content)
    assert run.code == 1
    return lines(run.out, "error")


def test_two_red_flags_that_nearly_match_are_one_sign_said_twice(cli, content_copy):
    f = flags_file(
        content_copy,
        """flags:
  - id: crafted-fever-rash
    tier: emergency
    text: A purple rash that does not fade when you press a glass on it.
    sources: [NHS-HA]
  - id: crafted-fever-rash-again
    tier: call_today
    text: A purple rash that does not fade under a pressed glass.
    sources: [NHS-HA]
""",
    )
    line = line_of(f, "id: crafted-fever-rash-again")
    first = line_of(f, "id: crafted-fever-rash")  # the first of the two
    assert errors(cli, content_copy) == [
        f"content/red-flags/crafted.yaml:{line}: error: red flag 'crafted-fever-rash-again' "
        "(call_today) nearly repeats 'crafted-fever-rash' (emergency, "
        f"content/red-flags/crafted.yaml:{first}): say a sign once, in one tier, and list its "
        "id wherever it applies"
    ]


def test_a_sign_below_its_minimum_tier_is_refused_with_the_reason(cli, content_copy):
    f = flags_file(
        content_copy,
        """flags:
  - id: crafted-blue-lips
    tier: next_visit
    text: Blue lips or a blue tongue.
    sources: [NHS-HA]
minimum_tiers:
  - tier: emergency
    phrases: [blue lips]
    why: a sign of too little oxygen
""",
    )
    line = line_of(f, "id: crafted-blue-lips")
    assert errors(cli, content_copy) == [
        f"content/red-flags/crafted.yaml:{line}: error: red flag 'crafted-blue-lips' is in "
        "'next_visit' but mentions 'blue lips': it belongs in 'emergency' (a sign of too "
        "little oxygen)"
    ]


def test_a_painkiller_day_limit_written_by_hand_is_refused(cli, content_copy):
    f = content_copy / "lifestyle.yaml"
    text = f.read_text(encoding="utf-8")
    text = text.replace(
        "Take 10 minutes each day",
        "Take painkillers on fewer than 12 days a month. Take 10 minutes each day",
    )
    f.write_text(text, encoding="utf-8")
    line = line_of(f, "fewer than 12 days a month")
    assert errors(cli, content_copy) == [
        f"content/lifestyle.yaml:{line}: error: '12 days a month' writes a number by hand; "
        "it is defined once in numbers.yaml: write {{ numbers.painkiller_days }} (10) or "
        "{{ numbers.painkiller_days_one_simple }} (15), or {{ painkillers.limit }}"
    ]


def test_a_figure_in_words_or_milligrams_is_caught_and_another_kind_of_day_is_not(
    cli, content_copy
):
    f = content_copy / "conditions" / "migraine.yaml"
    edit(
        f,
        "summary:\n  - text: ",
        "summary:\n  - text: Use painkillers on fewer than ten days a month. Chronic "
        "migraine means a headache on 15 or more days a month. Never take over 4000 mg "
        "of paracetamol a day. ",
    )
    line = line_of(f, "fewer than ten days")
    assert errors(cli, content_copy) == [
        f"content/conditions/migraine.yaml:{line}: error: '4000 mg of paracetamol a day' writes "
        "a number by hand; it is defined once in numbers.yaml: write "
        "{{ numbers.paracetamol_day_g }} (4)",
        f"content/conditions/migraine.yaml:{line}: error: 'ten days a month' writes a number "
        "by hand; it is defined once in numbers.yaml: write {{ numbers.painkiller_days }} (10) "
        "or {{ numbers.painkiller_days_one_simple }} (15), or {{ painkillers.limit }}",
    ]


def test_a_medicine_text_that_names_a_condition_needs_for(cli, content_copy):
    f = card(content_copy, used_for="It is used for lupus.")
    line = line_of(f, "used_for:") + 1
    assert errors(cli, content_copy) == [
        f"content/medicines/crafted.yaml:{line}: error: names 'lupus' but would print in any "
        "handout listing crafted: add 'for: [lupus]'"
    ]
    edit(f, "    sources: [NICE25]\n", "    sources: [NICE25]\n    for: [lupus]\n")
    run = cli("check", "--content", content_copy)
    assert run.code == 0 and lines(run.out, "error") == []


def test_a_combination_rule_names_only_conditions_its_when_needs(cli, content_copy):
    f = content_copy / "combinations" / "crafted.yaml"
    f.write_text(
        REVIEW.format(who="Test team")
        + """rules:
  - id: crafted-rule
    when:
      medicines_all: [nsaids]
    text: This matters most with rheumatoid arthritis.
    action: Ask your doctor.
    evidence: guideline
    sources: [NICE25]
""",
        encoding="utf-8",
    )
    line = line_of(f, "id: crafted-rule")
    assert errors(cli, content_copy) == [
        f"content/combinations/crafted.yaml:{line}: error: rule 'crafted-rule' names "
        "'rheumatoid arthritis', which its 'when' does not need: it would print in handouts "
        "that do not cover it"
    ]
    # one of two conditions_any is not needed either: the rule prints with the other alone
    edit(
        f,
        "      medicines_all: [nsaids]",
        "      medicines_all: [nsaids]\n      conditions_any: [rheumatoid-arthritis, lupus]",
    )
    assert errors(cli, content_copy) == [
        f"content/combinations/crafted.yaml:{line}: error: rule 'crafted-rule' names "
        "'rheumatoid arthritis', which its 'when' does not need: it would print in handouts "
        "that do not cover it"
    ]
    edit(f, "[rheumatoid-arthritis, lupus]", "[rheumatoid-arthritis]")
    assert lines(cli("check", "--content", content_copy).out, "error") == []


def test_a_medicine_that_mentions_infection_lists_the_infection_flag(cli, content_copy):
    f = card(content_copy, side_effect="It makes an infection more likely.")
    assert errors(cli, content_copy) == [
        f"content/medicines/crafted.yaml:{line_of(f, 'id: crafted')}: error: crafted mentions "
        "'infection' but does not list the red flag 'infection-immune-lowering' (call_today): "
        "add it to red_flags"
    ]
    f.write_text(
        f.read_text(encoding="utf-8") + "red_flags: [infection-immune-lowering]\n",
        encoding="utf-8",
    )
    run = cli("check", "--content", content_copy)
    assert run.code == 0 and lines(run.out, "error") == []


def test_a_medicine_card_without_its_parts_is_refused(cli, content_copy):
    f = content_copy / "medicines" / "crafted.yaml"
    f.write_text(
        "id: crafted\nname: Crafted\nused_for: []\nhow_to_take: []\nside_effects: []\n"
        "pregnancy: []\n" + REVIEW.format(who="Test team"),
        encoding="utf-8",
    )
    # interactions and stopping are required keys: a card says [] when there is nothing
    assert errors(cli, content_copy) == [
        "content/medicines/crafted.yaml:1: error: missing required key 'interactions'",
        "content/medicines/crafted.yaml:1: error: missing required key 'stopping'",
    ]
    f.write_text(f.read_text(encoding="utf-8") + "interactions: []\nstopping: []\n")
    assert errors(cli, content_copy) == [
        "content/medicines/crafted.yaml:3: error: used_for: a medicine card must say what it "
        "is for and what good it does: at least one item is needed",
        "content/medicines/crafted.yaml:5: error: side_effects: a medicine card must say its "
        "serious side effects and what to do: at least one item is needed",
        "content/medicines/crafted.yaml:6: error: pregnancy: a medicine card must say what to "
        "know about pregnancy: at least one item is needed",
    ]
    # how to take it is needed where a dosing mistake harms: every painkiller
    edit(f, "used_for:", "painkiller: simple\nused_for:")
    assert (
        "content/medicines/crafted.yaml:5: error: how_to_take: a painkiller's card must say how "
        "to take it (its dose limit or repeat rule): at least one item is needed"
    ) in errors(cli, content_copy)


def test_content_that_needs_sign_off_must_be_marked_a_draft(cli, content_copy):
    f = card(content_copy, who="Content team (needs clinical sign-off)")
    line = line_of(f, "reviewed_by:")
    assert errors(cli, content_copy) == [
        f"content/medicines/crafted.yaml:{line}: error: reviewed_by says 'needs clinical sign-off' "
        "but the "
        "review is not marked 'draft: true': mark it, so builds refuse it until it is signed "
        "off, or record who signed it off"
    ]
    f.write_text(f.read_text(encoding="utf-8") + "  draft: true\n", encoding="utf-8")
    run = cli("check", "--content", content_copy)
    assert run.code == 0
    assert [x for x in lines(run.out) if "draft" in x and "crafted" in x] == [
        f"content/medicines/crafted.yaml:{line + 1}: info: draft content, not yet signed "
        "off: handouts refuse it without --allow-draft, and then mark every page as a draft"
    ]
    # a draft is held back from print, not an error in the library
    assert [x for x in lines(run.out, "error") + lines(run.out, "warning") if "draft" in x] == []


def test_a_sign_off_note_in_a_source_title_is_refused(cli, content_copy):
    f = content_copy / "sources.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(
        text.replace(
            'title: "Headache in SLE', 'title: "(needs clinical sign-off) Headache in SLE'
        ),
        encoding="utf-8",
    )
    line = line_of(f, "(needs clinical sign-off)")
    assert errors(cli, content_copy) == [
        f"content/sources.yaml:{line}: error: source 'Hanly13' says 'needs clinical sign-off' "
        "in its title, "
        "which prints in handouts: take the note out, and mark the reviews of the content that "
        "cites it 'draft: true' until a clinician signs it off"
    ]


def test_a_build_refuses_draft_content_and_marks_it_when_allowed(cli, content_copy, tmp_path):
    f = card(content_copy, extra="", who="Content team")
    f.write_text(f.read_text(encoding="utf-8") + "  draft: true\n", encoding="utf-8")
    line = line_of(f, "draft: true")
    out = tmp_path / "x.pdf"
    args = ("build", "--content", content_copy, "--conditions", "migraine")
    run = cli(*args, "--medicines", "crafted", "--out", out)
    assert run.code == 1 and not out.exists()
    assert run.err == (
        "handouts: error: 1 problem in the content; nothing was written:\n"
        f"  content/medicines/crafted.yaml:{line}: review.draft: still needs "
        "clinical sign-off: have a clinician review it, or pass --allow-draft to print it "
        "marked as a draft\n"
    )
    run = cli(*args, "--medicines", "crafted", "--allow-draft", "--out", out)
    assert run.code == 0, run.err
    assert "still needs clinical sign-off" in run.err
    text = pdf_text(out.read_bytes())
    assert "Draft: not yet reviewed Parts of this handout have not yet been checked" in text
    assert "Draft: not yet reviewed: not for patients until a clinician has checked it." in text
    assert "Content checked" not in text
    # without the draft, the same build prints "Content checked" and no draft mark
    run = cli(*args, "--medicines", "triptans", "--out", out)
    text = pdf_text(out.read_bytes())
    assert "Content checked" in text and "Draft" not in text


def test_a_red_flag_no_condition_or_medicine_lists_is_a_warning(cli, content_copy):
    f = flags_file(
        content_copy,
        """flags:
  - id: crafted-unused
    tier: call_today
    text: A purple rash that does not fade when you press a glass on it.
    sources: [NHS-HA]
""",
    )
    run = cli("check", "--content", content_copy)
    assert run.code == 0
    assert lines(run.out, "warning") == [
        f"content/red-flags/crafted.yaml:{line_of(f, 'id: crafted-unused')}: warning: red flag "
        "'crafted-unused' is not listed by any condition or medicine, so no handout shows it"
    ]
    lupus = content_copy / "conditions" / "lupus.yaml"
    edit(lupus, "red_flags:\n", "red_flags:\n  - crafted-unused\n")
    assert lines(cli("check", "--content", content_copy).out, "warning") == []


def test_a_sign_reworded_with_other_small_words_is_still_held_to_its_tier(cli, content_copy):
    """The review's own example, two small words changed, and a thunderclap said another
    way; a placeholder's words ("call", "emergency") do not make two flags alike."""
    f = flags_file(
        content_copy,
        """flags:
  - id: crafted-arm
    tier: call_today
    text: A headache with numbness or weakness of an arm or a leg, or slurred words.
    sources: [NHS-Stroke]
  - id: crafted-thunder
    tier: next_visit
    text: A sudden, severe headache that peaks in seconds.
    sources: [NHS-HA]
  - id: crafted-faint
    tier: call_today
    text: Fainting. Call {{ clinic.emergency_number }}.
    sources: [NHS-HA]
""",
    )
    stroke = "Stroke signs are always an emergency, even if they pass (FAST; NHS and American "
    thunder = "A thunderclap headache, or a headache with fever and a stiff neck, is an emergency"
    assert errors(cli, content_copy) == [
        f"content/red-flags/crafted.yaml:{line_of(f, 'id: crafted-arm')}: error: red flag "
        "'crafted-arm' is in 'call_today' but mentions 'weakness in an arm or leg': it belongs "
        f"in 'emergency' ({stroke}Stroke Association).)",
        f"content/red-flags/crafted.yaml:{line_of(f, 'id: crafted-thunder')}: error: red flag "
        "'crafted-thunder' is in 'next_visit' but mentions 'peaks in seconds': it "
        f"belongs in 'emergency' ({thunder} (NHS; NICE CG150).)",
    ]


def test_a_pack_with_a_draft_marks_its_cover_and_the_draft_handout(cli, content_copy, tmp_path):
    import io

    from pypdf import PdfReader

    lupus = content_copy / "conditions" / "lupus.yaml"
    reviewer = "  reviewed_by: Handouts content team\n"
    lupus.write_text(lupus.read_text("utf-8").replace(reviewer, reviewer + "  draft: true\n"),
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "pack.pdf"
    args = ("pack", "migraine-autoimmune-clinic", "--content", content_copy, "--out", out)
    assert cli(*args).code == 1 and not out.exists()
    assert cli(*args, "--allow-draft").code == 0
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    mark = "Draft: not yet reviewed: not for patients until a clinician has checked it."
    texts = [" ".join(p.extract_text().split()) for p in pages]
    assert mark in texts[0] and "Content checked" not in texts[0]  # the cover
    lupus_pages = [t for t in texts if "Migraine and lupus" in t or "About lupus" in t]
    assert lupus_pages and all(mark in t for t in lupus_pages)
    # a handout without the draft in it keeps its own "Content checked"
    assert any("Content checked" in t for t in texts)
    assert all((mark in t) != ("Content checked" in t) for t in texts)


def test_numbers_past_their_review_or_in_draft_hold_back_every_handout(cli, content_copy, tmp_path):
    """The numbers a patient acts on print in any handout, so their review is held too."""
    f = content_copy / "numbers.yaml"
    edit(
        f,
        "reviewed_by: Handouts content team\n",
        "reviewed_by: Handouts content team\n  draft: true\n",
    )
    out = tmp_path / "x.pdf"
    run = cli("build", "--content", content_copy, "--conditions", "lupus", "--out", out)
    assert run.code == 1 and not out.exists()
    assert run.err == (
        "handouts: error: 1 problem in the content; nothing was written:\n"
        f"  content/numbers.yaml:{line_of(f, 'draft: true')}: review.draft: still needs "
        "clinical sign-off: have a clinician review it, or pass --allow-draft to print it "
        "marked as a draft\n"
    )


def test_words_that_only_look_like_an_urgent_sign_are_left_in_their_tier(cli, content_copy):
    """A short phrase matches only as written, and a long one only within a clause: low
    mood after a birth is not pre-eclampsia, an aura "within minutes" is not a thunderclap."""
    flags_file(
        content_copy,
        """flags:
  - id: crafted-calm
    tier: next_visit
    text: Low mood or worry in the months after the birth of your baby. Auras that now build up within minutes. Your worst headaches come more often. Crashes after activity that mean you must lie down for days. Joints that are swollen, painful or stiff. Tightness in your chest, pain in your jaw.
    sources: [NHS-HA]
""",
    )
    run = cli("check", "--content", content_copy)
    assert run.code == 0 and lines(run.out, "error") == []


def test_a_limit_on_a_medicine_card_is_that_medicines_and_another_medicines_is_not(
    cli, content_copy
):
    """On the triptan card "take them on fewer than 10 days a month" is a painkiller limit
    (the card is about a painkiller); on the NSAID card "six hours apart" is not
    paracetamol's 4 hours."""
    for med, words in (
        ("triptans", "Take them on fewer than 10 days a month. "),
        ("nsaids", "Space doses at least six hours apart. "),
    ):
        f = content_copy / "medicines" / f"{med}.yaml"
        text = f.read_text(encoding="utf-8")
        at = text.index("    action: ", text.index("how_to_take:")) + len("    action: ")
        f.write_text(text[:at] + words + text[at:], encoding="utf-8")
    f = content_copy / "medicines" / "triptans.yaml"
    assert errors(cli, content_copy) == [
        f"content/medicines/triptans.yaml:{line_of(f, 'fewer than 10 days')}: error: '10 days "
        "a month' writes a number by hand; it is defined once in numbers.yaml: write "
        "{{ numbers.painkiller_days }} (10), or {{ painkillers.limit }}"
    ]


def test_a_bracket_in_a_medicine_s_name_holds_a_name_not_a_remark(cli, content_copy):
    """Review: each side of a bracket in a name names the medicine in a typed plan, so a
    remark there ("if needed") would bring its cards for everyday words."""
    f = content_copy / "medicines" / "nsaids.yaml"
    text = f.read_text(encoding="utf-8")
    for remark in ("not every day", "if needed"):
        f.write_text(text.replace("(anti-inflammatory painkillers)", f"({remark})", 1), "utf-8")
        line = line_of(f, f"name: NSAIDs ({remark})")
        assert errors(cli, content_copy) == [
            f"content/medicines/nsaids.yaml:{line}: error: name: 'NSAIDs ({remark})' ends in a "
            "bracket that is not another name for the medicine (at most 3 words, none saying "
            "not, if or when): typed in a plan, each side of it names the medicine; put a "
            "remark elsewhere"
        ]
