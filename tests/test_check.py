"""`handouts check`, the content quality gate: content crafted to break each rule,
with the exact message; the shipped library passing strictly; offline readability."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import CONTENT, ROOT, card, pdf_text
from .test_errors import edit

TOO_HARD = "reads above the target (grade 6 Flesch-Kincaid, 8 SMOG): Flesch-Kincaid grade"


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` that contains ``text``."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")


def lines(out: str, level: str | None = None) -> list[str]:
    found = out.splitlines()[:-1]  # the last line is the summary
    return [x for x in found if level is None or f": {level}: " in x]


def test_the_shipped_library_passes_strictly(cli):
    run = cli("check", "--strict")
    assert run.code == 0, "\n".join(lines(run.out, "error"))
    assert lines(run.out, "error") == [] and lines(run.out, "warning") == []
    summary = run.out.splitlines()[-1]
    assert summary.startswith("checked 14 conditions, ")
    assert " handouts: 0 errors, 0 warnings, " in summary


def test_every_file_and_handout_gets_its_reading_level(cli):
    out = cli("check").out
    assert "content/conditions/lupus.yaml:" in out
    for name in ("migraine-and-lupus", "migraine-and-fibromyalgia"):
        assert f": info: handout '{name}': reading level Flesch-Kincaid grade " in out
    pack = "pack 'migraine-autoimmune-clinic' handout 'migraine-and-sjogrens'"
    assert f": info: {pack}: reading level Flesch-Kincaid grade " in out
    assert ": info: handout for migraine and celiac-disease: reading level Flesch-Kincaid " in out
    # the visit handout of every linked pair, held to the targets whole (FK 6, SMOG 8)
    visits = [x for x in lines(out, "info") if ": visit handout for " in x]
    assert len(visits) == 17
    for line in visits:
        fk, smog = re.search(r"grade ([\d.]+), SMOG ([\d.]+)$", line).groups()
        assert float(fk) <= 6 and float(smog) <= 8, line


def test_a_claim_that_must_not_appear_is_an_error_with_its_reason(cli, content_copy):
    f = content_copy / "links" / "chronic-back-pain--rheumatoid-arthritis.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("known:\n  text: ") + len("known:\n  text: ")
    f.write_text(text[:start] + "Long back pain can cause autoimmune disease. " + text[start:])
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    line = line_of(f, "Long back pain can cause")
    expected = (
        f"content/links/chronic-back-pain--rheumatoid-arthritis.yaml:{line}: error: says "
        "'back pain can cause autoimmune', a claim that must not appear: Not supported: the "
        "direction runs the other way. Rheumatoid arthritis modestly raises the risk of back "
        "pain, not the reverse (Gong 2024; Williams 2022)."
    )
    assert expected in lines(run.out)


def test_long_sentences_and_unexplained_terms_are_named(cli, content_copy):
    f = card(
        content_copy,
        used_for="It is a simple painkiller that many people take for headache and other pain, "
        "and you can buy it in shops without a prescription from a doctor.",
        side_effect="Hepatotoxicity is rare.",
    )
    run = cli("check", "--content", content_copy)
    assert run.code == 0  # warnings only
    first, second = line_of(f, "many people take"), line_of(f, "Hepatotoxicity")
    assert (
        f"content/medicines/crafted.yaml:{first}: warning: a sentence of 27 words (at most "
        "20): 'It is a simple painkiller that many people take for headache and other pain, "
        "and you can…'"
    ) in lines(run.out)
    assert (
        f"content/medicines/crafted.yaml:{second}: warning: 'hepatotoxicity' may be a "
        "medical term: explain it in glossary.yaml (or add it to plain_words there), or use a "
        "plainer word"
    ) in lines(run.out)
    assert cli("check", "--content", content_copy, "--strict").code == 1


def test_a_glossary_word_is_explained_and_passes(cli, content_copy):
    card(content_copy, side_effect="Hepatotoxicity is rare.")
    assert "'hepatotoxicity'" in cli("check", "--content", content_copy).out
    edit(
        content_copy / "glossary.yaml",
        "terms:\n",
        "terms:\n  - term: hepatotoxicity\n    plain: Harm to the liver.\n",
    )
    assert "'hepatotoxicity'" not in cli("check", "--content", content_copy).out


def test_passive_voice_is_a_note_that_never_fails(cli, content_copy):
    f = card(content_copy, side_effect="The limit was set by experts.")
    run = cli("check", "--content", content_copy, "--strict")
    line = line_of(f, "was set by experts")
    assert (
        f"content/medicines/crafted.yaml:{line}: info: passive voice 'was set': say who does what"
    ) in lines(run.out)


def test_hard_text_fails_the_reading_level_with_its_longest_sentence(cli, content_copy):
    f = content_copy / "conditions" / "lupus.yaml"
    text = f.read_text(encoding="utf-8")
    hard = (
        "Systemic lupus erythematosus is a chronic multisystem autoimmune inflammatory "
        "disorder characterised by immunological dysregulation and heterogeneous "
        "manifestations. Immunological dysregulation characteristically produces antinuclear "
        "autoantibodies. "
    )
    start = text.index("summary:\n  - text: ") + len("summary:\n  - text: ")
    f.write_text(text[:start] + hard + text[start:], encoding="utf-8")
    run = cli("check", "--content", content_copy)
    section = [x for x in lines(run.out, "warning") if "section 'About lupus'" in x]
    assert section and TOO_HARD in section[0]
    assert section[0].endswith(
        "longest sentence: 'Systemic lupus erythematosus is a chronic multisystem autoimmune "
        "inflammatory disorder ch…'"
    )


def test_sources_need_a_year_and_an_address(cli, content_copy):
    f = content_copy / "sources.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("\nHanly13:")
    end = text.index("\n", text.index("url:", start))
    f.write_text(text[:start] + '\nHanly13:\n  title: "Headache in SLE"' + text[end:])
    run = cli("check", "--content", content_copy)
    line = line_of(f, "Hanly13:")
    assert (
        f"content/sources.yaml:{line}: warning: source 'Hanly13' is cited but has no year or "
        "web address"
    ) in lines(run.out)


def test_content_past_its_review_date_warns_and_fails_strictly(cli, content_copy):
    f = content_copy / "medicines" / "paracetamol.yaml"
    edit(
        f,
        "last_reviewed: 2026-12-02\n  next_review: 2028-11-01",
        "last_reviewed: 2019-01-01\n  next_review: 2020-01-01",
    )
    line = line_of(f, "next_review: 2020-01-01")
    expected = (
        f"content/medicines/paracetamol.yaml:{line}: {{}}: past its review date (2020-01-01); "
        "handouts will not print it without --allow-expired"
    )
    run = cli("check", "--content", content_copy)
    assert run.code == 0 and expected.format("warning") in lines(run.out)
    run = cli("check", "--content", content_copy, "--strict")
    assert run.code == 1 and expected.format("error") in lines(run.out)
    assert cli("check", "--content", content_copy, "--today", "2019-06-01").code == 0
    assert (
        expected.format("warning")
        not in cli("check", "--content", content_copy, "--today", "2019-06-01").out
    )


def test_generate_refuses_expired_content_unless_told(cli, content_copy, tmp_path):
    f = content_copy / "conditions" / "fibromyalgia.yaml"
    edit(
        f,
        "last_reviewed: 2026-12-02\n  next_review: 2028-11-01",
        "last_reviewed: 2019-01-01\n  next_review: 2020-01-01",
    )
    line = line_of(f, "next_review: 2020-01-01")
    message = (
        f"content/conditions/fibromyalgia.yaml:{line}: review.next_review: past its review date "
        "(2020-01-01): have it checked, or pass --allow-expired to print it anyway"
    )
    out = tmp_path / "out"
    run = cli("--content", content_copy, "--out", out)
    assert run.code == 1 and not out.exists()
    assert run.err.splitlines() == [
        "handouts: error: 1 problem in the content; nothing was written:",
        f"  {message}",
    ]
    run = cli("--content", content_copy, "--out", out, "--allow-expired")
    assert run.code == 0
    assert run.err.splitlines() == [f"handouts: warning: {message}"]
    assert (out / "migraine-and-fibromyalgia.pdf").exists()
    one = tmp_path / "one.pdf"
    run = cli("build", "--content", content_copy, "--conditions", "fibromyalgia", "--out", one)
    assert run.code == 1 and not one.exists()
    run = cli("build", "--content", content_copy, "--conditions", "lupus", "--out", one)
    assert run.code == 0, "content the handout does not use does not stop it"


def test_integrity_problems_are_errors_with_file_and_line(cli, content_copy):
    f = content_copy / "links" / "migraine--lupus.yaml"
    edit(f, "conditions: [migraine, lupus]", "conditions: [migraine, lupsu]")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    assert (
        f"content/links/migraine--lupus.yaml:{line_of(f, 'lupsu')}: error: conditions[1]: "
        "unknown condition 'lupsu' (did you mean 'lupus'?)"
    ) in lines(run.out)


def test_orphaned_medicines_and_steps_are_warned_about(cli, content_copy):
    (content_copy / "medicines" / "spare.yaml").write_text(
        (content_copy / "medicines" / "paracetamol.yaml")
        .read_text(encoding="utf-8")
        .replace("id: paracetamol", "id: spare")
        .replace("also_called: [acetaminophen]", "also_called: [spare pill]")
        .split("\n# How an EHR codes it")[0]  # an ingredient belongs to one medicine
    )
    edit(
        content_copy / "lifestyle.yaml",
        "steps:\n",
        "steps:\n  - id: spare-step\n    text: Walk the dog.\n    evidence: weak\n    sources: [Lemmens19]\n",
    )
    out = cli("check", "--content", content_copy).out
    assert (
        "content/medicines/spare.yaml:1: warning: medicine 'spare' is not listed by any condition "
        "or rule, so no handout shows it unless a patient takes it"
    ) in lines(out)
    line = line_of(content_copy / "lifestyle.yaml", "spare-step")
    assert (
        f"content/lifestyle.yaml:{line}: warning: step 'spare-step' is not used by any condition"
        in lines(out)
    )


def test_json_output_and_exit_codes(cli, content_copy, tmp_path):
    edit(content_copy / "links" / "migraine--lupus.yaml", "[migraine, lupus]", "[migraine, lupsu]")
    run = cli("check", "--content", content_copy, "--json")
    assert run.code == 1
    data = json.loads(run.out)
    assert data["errors"] == 1
    assert {"file", "line", "level", "rule", "message"} <= data["findings"][0].keys()
    assert any(f["rule"] == "integrity" and f["level"] == "error" for f in data["findings"])
    run = cli("check", "--content", tmp_path / "nowhere")
    assert run.code == 2
    assert (
        run.err.strip()
        == f"handouts: error: cannot check '{tmp_path / 'nowhere'}': no such content folder"
    )


def test_readability_works_without_internet():
    """textstat must not fetch a pronouncing dictionary: run it with sockets disabled."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network disabled for this test')\n"
        "socket.socket = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from handouts.quality import plain\n"
        "g = plain.grades('You can do this. It helps a lot. Try it each day. ' * 4)\n"
        "print(g.flesch_kincaid, g.smog, plain.syllables('inflammation'))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    fk, smog, syl = run.stdout.split()
    assert float(fk) < 3 and smog != "None" and syl == "4"


def test_a_handout_prints_the_words_it_uses_with_their_meanings(cli, tmp_path):
    out = tmp_path / "h.pdf"
    assert cli("build", "--full", "--conditions", "migraine", "lupus", "--out", out).code == 0
    text = pdf_text(out.read_bytes())
    assert "Words to know" in text
    assert "Aura: Warning signs before a migraine" in text
    assert text.index("Words to know") < text.index("My notes and questions")


def test_the_diary_page_counts_painkiller_days_with_the_handouts_limit(cli, tmp_path):
    """The diary counts days, not pills, has a monthly total, and states the same limit as
    the handout's one painkiller-day rule, worded for the patient's painkillers."""
    out = tmp_path / "d.pdf"
    args = ("build", "--conditions", "migraine", "--diary", "--out", out)
    assert cli(*args, "--medicines", "paracetamol").code == 0
    text = pdf_text(out.read_bytes())
    diary = text[text.index("My headache and pain diary") :]
    assert (
        "Tick each day you take paracetamol, for any pain. Count the days, not the pills." in diary
    )
    assert "Tell us if you reach 15 painkiller days in a month." in diary
    assert "Painkiller days this month: ________" in diary
    for column in ("Painkiller day? (tick, and which one)", "Hours of sleep", "Possible triggers"):
        assert column in diary
    assert " 31 " in diary
    assert cli(*args, "--medicines", "paracetamol", "sumatriptan").code == 0
    text = pdf_text(out.read_bytes())
    assert "Tick each day you take paracetamol and triptans, for any pain." in text
    assert "Tell us if you reach 10 painkiller days in a month." in text
    assert "15" not in re.findall(r"(\d+) (?:painkiller )?days (?:a|in a) month", text)


LINKS = sorted(p.stem for p in (CONTENT / "links").glob("*.yaml"))


@pytest.mark.parametrize("link", LINKS)
def test_every_linked_pair_renders_a_complete_handout(cli, tmp_path, link):
    a, b = link.split("--")
    out = tmp_path / f"{link}.pdf"
    # ME/CFS awaits clinical sign-off (a draft): it prints only when allowed, marked
    run = cli("build", "--full", "--conditions", a, b, "--allow-draft", "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    for heading in (
        "The main points",
        "How ",
        "Everyday steps that can help",
        "When to get help",
        "Call us today",
        "Tell us at your next visit",
        "Where this information comes from",
    ):
        assert heading in text, (link, heading)
    assert text.index("The main points") < text.index("When to get help")


def test_the_diary_switch_must_be_true_or_false(cli, content_copy, tmp_path):
    f = content_copy / "handouts.yaml"
    edit(f, "    diary: true\n", "    diary: maybe\n")
    out = tmp_path / "out"
    run = cli("--content", content_copy, "--out", out)
    assert run.code == 1 and not out.exists()
    line = line_of(f, "diary: maybe")
    assert (
        f"content/handouts.yaml:{line}: handouts[0].diary: expected true or false, found text 'maybe'"
    ) in run.err


def test_a_step_both_listed_and_left_out_is_an_error(cli, content_copy):
    f = content_copy / "conditions" / "me-cfs.yaml"
    edit(f, "not_for: [move-most-days,", "not_for: [pace-your-activity, move-most-days,")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    assert (
        f"content/conditions/me-cfs.yaml:{line_of(f, 'not_for:')}: error: not_for[0]: "
        "step 'pace-your-activity' is both listed and left out"
    ) in lines(run.out)


@pytest.mark.parametrize("command", ["build", "pack", "generate", "batch"])
def test_today_sets_the_day_review_dates_are_checked_against(cli, tmp_path, command):
    """--today: the shipped content is current on the tests' day and past review in 2029,
    for every command that prints."""
    args = {
        "build": ["build", "--conditions", "migraine", "--out", tmp_path / "x.pdf"],
        "pack": ["pack", "back-pain-spondyloarthritis", "--out", tmp_path / "x.pdf"],
        "generate": ["generate", "--out", tmp_path / "out"],
        "batch": ["batch", ROOT / "examples" / "clinic-list-small.csv", "--out", tmp_path / "out"],
    }[command]
    late = cli(*args, "--today", "2029-06-01")
    assert late.code == 1
    assert "review.next_review: past its review date (2028-11-01)" in late.err
    assert cli(*args, "--today", "2029-06-01", "--allow-expired").code == 0
    assert cli(*args).code == 0  # on the tests' own day, nothing is past review


def test_an_urgency_is_refused_anywhere_but_on_a_conditions_key_point(cli, content_copy):
    """On a medicine's caution, and on a link's key point (a claim, as a condition's key
    point is, so only this check stops it): each said once, with its place (the caution's
    not also as the schema's bare "unknown key")."""
    triptans = content_copy / "medicines" / "triptans.yaml"
    text = triptans.read_text(encoding="utf-8")
    triptans.write_text(text.replace("    visit: 1\n", "    visit: 1\n    urgency: emergency\n", 1),
                        encoding="utf-8")  # fmt: skip
    link = content_copy / "links" / "migraine--lupus.yaml"
    text = link.read_text(encoding="utf-8")
    start = text.index("key_point:\n")
    sources = text.index("  sources:", start)
    link.write_text(text[:sources] + "  urgency: call_today\n" + text[sources:], encoding="utf-8")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    said = "'urgency' belongs only on a condition's key point; remove it here"
    for f, path in ((triptans, "how_to_take[0].urgency"), (link, "key_point.urgency")):
        line = line_of(f, "urgency: ")
        assert f"content/{f.parent.name}/{f.name}:{line}: error: {path}: {said}" in lines(run.out)
        assert sum(f"{f.name}:{line}: " in out for out in lines(run.out)) == 1


def test_a_visit_rank_or_priority_in_the_wrong_place_is_said_once(cli, content_copy):
    """'visit' on a condition's key point and 'priority' on a medicine's caution: each a
    line that says where it belongs, not also the schema's "unknown key"."""
    migraine = content_copy / "conditions" / "migraine.yaml"
    edit(migraine, "    priority: 2\n", "    priority: 2\n    visit: 1\n")
    triptans = content_copy / "medicines" / "triptans.yaml"
    edit(triptans, "    visit: 1\n", "    visit: 1\n    priority: 2\n")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    wrong = (
        (migraine, "visit: 1", "key_points[2].visit", "'visit' belongs only on a medicine's caution"),
        (triptans, "priority: 2", "how_to_take[0].priority",
         "'priority' belongs only on a condition's key point"),
    )  # fmt: skip
    for f, text, path, said in wrong:
        line = line_of(f, text)
        where = f"content/{f.parent.name}/{f.name}:{line}: "
        assert f"{where}error: {path}: {said}; remove it here" in lines(run.out)
        assert [out for out in lines(run.out) if out.startswith(where)] == [
            f"{where}error: {path}: {said}; remove it here"
        ]


def _flag_place(path: Path, flag_id: str) -> str:
    """``flags[N]``, the place of the flag ``flag_id`` in its catalogue file."""
    flags = yaml.safe_load(path.read_text(encoding="utf-8"))["flags"]
    return f"flags[{[f['id'] for f in flags].index(flag_id)}]"


def test_a_red_flags_not_with_is_refused_where_it_could_drop_a_sign(cli, content_copy):
    """not_with, each problem said with its place, all at once: an unknown condition; one
    that lists the flag (it would never print for it); one with no sign of its own in the
    tier that always prints (with both, the tier could be empty: migraine and
    endometriosis each leaving out the other's only 'tell us at your next visit' sign);
    and on a flag every handout prints, one that content must list, or an urgent one."""
    signs = content_copy / "red-flags" / "signs.yaml"
    edit(signs, "    not_with: [migraine]", "    not_with: [migrane, endometriosis, migraine]")
    edit(
        signs,
        "  - id: painkillers-often\n",
        "  - id: painkillers-often\n    not_with: [endometriosis]\n",
    )
    stroke = next(f for f in (content_copy / "red-flags").glob("*.yaml")
                  if "id: stroke-signs" in f.read_text(encoding="utf-8"))  # fmt: skip
    edit(stroke, "  - id: stroke-signs\n", "  - id: stroke-signs\n    not_with: [lupus]\n")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    at = f"content/red-flags/signs.yaml:{line_of(signs, 'not_with: [migrane')}: error: "
    where = f"{at}{_flag_place(signs, 'recurring-headaches')}.not_with"
    told = [
        f"{where}[0]: unknown condition 'migrane' (did you mean 'migraine'?)",
        f"{where}[1]: condition 'endometriosis' lists this red flag, which is left out of its "
        "handouts: remove one or the other",
        f"{where}[2]: condition 'migraine' has no sign of its own in the tier 'next_visit' that "
        "always prints: left out with it, this flag could leave that tier empty; list one for "
        "'migraine' (a sign with no not_with), or remove it here",
    ]
    at = f"content/red-flags/signs.yaml:{line_of(signs, 'not_with: [endometriosis]')}: error: "
    told.append(f"{at}{_flag_place(signs, 'painkillers-often')}.not_with[0]: condition "
                "'endometriosis' has no sign of its own in the tier 'next_visit' that always "
                "prints: left out with it, this flag could leave that tier empty; list one for "
                "'endometriosis' (a sign with no not_with), or remove it here")  # fmt: skip
    at = f"content/red-flags/{stroke.name}:{line_of(stroke, 'not_with: [lupus]')}: error: "
    place = f"{at}{_flag_place(stroke, 'stroke-signs')}.not_with: "
    told += [
        f"{place}a flag printed in every handout (always) is never left out: remove not_with",
        f"{place}a sign in the tier 'emergency' is never left out: not_with is only for a "
        "'next_visit' sign",
    ]
    for line in told:
        assert line in lines(run.out)


def test_a_rank_key_the_schema_can_guess_better_keeps_its_guess(cli, content_copy):
    """'visit' in a plan template's slots is most likely 'next_visit' misspelt: the
    schema's guess is said alone, not "'visit' belongs only on a medicine's caution;
    remove it here", which would have the author delete the next appointment."""
    plan = content_copy / "plans" / "back-pain-movement.yaml"
    edit(plan, "plan:\n", "plan:\n  visit: In two weeks\n")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    where = f"content/plans/back-pain-movement.yaml:{line_of(plan, 'visit: In two')}: "
    assert [line for line in lines(run.out) if line.startswith(where)] == [
        f"{where}error: plan.visit: unknown key (did you mean 'next_visit'?)"
    ]


def test_a_cautions_with_names_other_medicines_that_exist_on_a_first_rank_caution(
    cli, content_copy
):
    """``with:`` keeps a first-rank caution about taking two medicines on the visit
    handout of a reader who takes both (the last cut): each id must be another medicine
    that exists, named once, and the caution must have visit rank 1. Every problem is
    said at once, each at its line; rank 0 (never cut but last) is in range, 3 is not."""
    steroids = content_copy / "medicines" / "corticosteroids.yaml"
    edit(steroids, "    with: [nsaids]", "    with: [nsaid, corticosteroids, nsaids, nsaids]")
    ergots = content_copy / "medicines" / "ergots.yaml"
    edit(ergots, "    visit: 1\n    with: [triptans]", "    visit: 2\n    with: [triptans]")
    mtx = content_copy / "medicines" / "methotrexate.yaml"
    edit(mtx, "    visit: 0", "    visit: 3")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    at = line_of(steroids, "    with: [")
    where = f"content/medicines/corticosteroids.yaml:{at}: error: interactions[0].with"
    at = line_of(ergots, "    with: [")
    ergot = f"content/medicines/ergots.yaml:{at}: error: interactions[0].with"
    at = line_of(mtx, "    visit: 3")
    expected = [
        f"{where}[0]: unknown medicine 'nsaid' (did you mean 'nsaids'?)",
        f"{where}[1]: 'corticosteroids' is this card's own medicine: name the other "
        "medicine the caution is about",
        f"{where}[3]: 'nsaids' is named twice",
        f"{ergot}: 'with' keeps a caution of visit rank 1 on the visit handout of a reader "
        "who takes both: give it 'visit: 1'",
        f"content/medicines/methotrexate.yaml:{at}: error: how_to_take[0].visit: expected a "
        "whole number from 0 to 2, found 3",
    ]
    for line in expected:
        assert line in lines(run.out), line
    assert sum("error:" in out for out in lines(run.out)) == len(expected)


def test_a_with_on_a_caution_for_a_condition_is_said_to_do_nothing(cli, content_copy):
    """A review: ``with:`` on a caution for a condition (``for:``) did nothing, unsaid: such
    a caution is never left out for a reader who has the condition."""
    nsaids = content_copy / "medicines" / "nsaids.yaml"
    text = nsaids.read_text(encoding="utf-8")
    at = text.index("    for: [inflammatory-bowel-disease]")
    nsaids.write_text(text[:at] + "    with: [corticosteroids]\n" + text[at:], encoding="utf-8")
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    line = line_of(nsaids, "    with: [corticosteroids]")
    place = next(out for out in lines(run.out) if f"nsaids.yaml:{line}: " in out)
    assert place.endswith(
        ".with: a caution for a condition ('for') the reader has is never left out already: "
        "remove 'with' here"
    )
    assert sum("error:" in out for out in lines(run.out)) == 1
