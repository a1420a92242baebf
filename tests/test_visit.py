"""The visit handout (issue 14): both sides of one sheet for the patient in front of you,
with their own plan, read back from the PDFs."""

from __future__ import annotations

import io
import itertools
import random
import re
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from handouts.content.library import load_library
from handouts.content.model import MovementPlan, PlanFields
from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.errors import HandoutsError
from handouts.intake.plan import COLUMNS
from handouts.pipeline import PRINTER, Renderer, in_language, load_inputs, make

from .conftest import ALLOW_TODAY, CONTENT, ROOT, footer_words, pdf_text, text_sizes

LIB = load_library(CONTENT, PRINTER)
SHORT_FLAG = {f.id: f for f in LIB.red_flags.values()}

VISIT = ["build", "--visit", "--conditions", "migraine", "fibromyalgia",
         "--medicines", "sumatriptan", "duloxetine", "ibuprofen"]  # fmt: skip


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def built(cli, folder: Path, runs: dict[str, list[str]], *common: str) -> dict[str, str]:
    """Each run's visit handout built (``common`` arguments first), its text read back."""
    texts = {}
    for name, args in runs.items():
        out = folder / f"{name}.pdf"
        run = cli("build", *common, *args, "--out", out)
        assert run.code == 0, run.err
        texts[name] = pdf_text(out.read_bytes())
    return texts


def figure_words(path: Path) -> list[str]:
    """What a screen reader says for each figure in the PDF's structure tree, in order."""
    import pikepdf

    found: list[str] = []

    def walk(node: pikepdf.Dictionary) -> None:
        if str(node.get("/S", "")) == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid)

    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return found


def test_the_painkiller_rule_keeps_its_counting_boxes_when_the_calendar_is_cut(cli, tmp_path):
    """Hashimoto's and migraine on the issue's medicines, with the triptan template's
    attack plan: the month calendar is cut to fit, and the painkiller-day rule keeps the
    boxes that count its days (the reader's tool for its limit; cut too, then put back
    where the room left holds them), with how to use them and words for a screen reader.
    The plan template says how to take the triptan, so the triptan's "How to take it" is
    said once, in the plan."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--conditions", "hashimotos", "migraine", "--medicines", "sumatriptan",
              "duloxetine", "ibuprofen", "--patient", "Zoë",
              "--plan-template", "migraine-attack-triptan", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert pages(out.read_bytes()) == 2
    rule = text.index("Painkiller days ⚠ Taking triptans and NSAIDs")
    boxes = text.index("Each day you take a painkiller this month, fill in a box.")
    assert rule < boxes < text.index("Triptans (sumatriptan")
    assert "Count your painkiller days" not in text  # the month is cut
    assert "Mark the days on a calendar." not in text  # the boxes say how to count
    alt = ("A row of 10 boxes to fill in, one for each painkiller day. A thick line marks "
           "box 10: tell us at your next visit if you get there.")  # fmt: skip
    assert alt in figure_words(out)
    assert "A month calendar" not in " ".join(figure_words(out))
    assert "Take one when the headache starts" not in text  # the triptans' how to take it
    assert "A second dose: Only if the first helped and pain returns, at least 2 hours" in text


def test_the_issue_s_own_handout_keeps_its_medicines_cautions_and_says_what_they_are_for(
    cli, tmp_path
):
    """The issue's own command, with the example plan (movement and the next appointment
    as well): its lines are set closer, and the SNRI's and the NSAIDs' own first-rank
    cautions print, and the line that says duloxetine may ease fibromyalgia pain (a use
    for one of the patient's conditions outranks the closer lines and the boxes that
    count painkiller days, which do not fit; the lines for anyone's use are put back).
    Without its boxes, the painkiller-day rule says in a few words how to count. The
    first main point says what an aura is, in a few words, and the plan names ergotamine
    and DHE (not "ergot", a word the handout does not explain)."""
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--patient", "Zoë", "--plan", ROOT / "examples" / "plan.yaml",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert pages(out.read_bytes()) == 2
    assert "it can cause dizziness or “electric shocks”" in text  # the SNRI's
    assert "From 20 weeks of pregnancy, they can harm the baby's kidneys" in text  # NSAIDs'
    for elsewhere in ("is in the full version: ask us for it", "what to watch for with each"):
        assert elsewhere not in text  # no medicine's left out
    # the first main point says what an aura is (PEMAT-P item 4: medical terms defined)
    assert "A stroke can look like an aura (flashing lights or pins and needles)." in text
    assert "No other triptan, ergotamine or DHE within 24 hours." in text  # medicines
    rule = "Take them on fewer than 10 days a month, for any pain. Mark the days on a calendar."
    assert text.index(rule) < text.index("Triptans (sumatriptan")
    assert "fill in a box" not in text
    for use in ("They stop a migraine attack", "may also ease fibromyalgia pain",
                "They ease pain and swelling"):  # fmt: skip
        assert use in text
    lines = baselines(out.read_bytes(), "A stroke can look like an aura")
    assert {round(a - b, 2) for a, b in itertools.pairwise(lines)} == {14.5}


def test_the_words_that_say_how_to_count_are_the_patient_s_language(cli, tmp_path):
    """The issue's own handout in Spanish: no room for the counting boxes, so the rule
    says how to count, in Spanish."""
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--plan", ROOT / "examples" / "plan.yaml", "--language", "es",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "al mes, para cualquier dolor. Marque los días en un calendario." in text
    assert "parecerse a un aura (destellos de luz u hormigueo)." in text
    assert "Ningún otro triptán, ergotamina ni DHE en 24 horas." in text
    assert "Mark the days" not in text and "llene una casilla" not in text


def test_a_plan_says_how_to_take_a_medicine_only_while_its_template_s_slots_print(cli, tmp_path):
    """The triptan template's attack slots say how to take a triptan; a slot the clinician
    types over may say something else, so the medicine's own "How to take it" prints again.
    With no template, it prints as always."""
    template = ["--plan-template", "migraine-attack-triptan"]
    runs = {"template": template,
            "blank": [*template, "--attack-repeat", "   "],
            "typed": [*template, "--attack-repeat", "After 4 hours, if we say so"],
            "added": [*template, "--attack-add", "Rest in a dark room"],
            "none": []}  # fmt: skip
    texts = built(cli, tmp_path, runs, "--conditions", "migraine", "--medicines", "sumatriptan")
    how = "How to take it: Take one when the headache starts"
    assert how not in texts["template"]
    assert (
        "When: As soon as the headache starts. During aura, it may not work." in texts["template"]
    )
    assert how not in texts["blank"]  # a slot typed blank is not typed: the template's prints
    assert how in texts["typed"] and "A second dose: After 4 hours, if we say so" in texts["typed"]
    assert how in texts["added"] and "Also: Rest in a dark room" in texts["added"]
    assert how in texts["none"]


def test_a_plan_template_gives_the_cautions_of_the_medicines_it_tells_the_patient_to_take(
    cli, tmp_path
):
    """Red team: a triptan plan printed with no medicine named had no triptan card and no
    triptan warning sign. A template's ``medicines:`` are taken as named, after the
    clinician's own, each once; the simple-painkiller plan brings the NSAIDs' caution
    with inflammatory bowel disease."""
    texts = built(cli, tmp_path, {
        "triptan": ["--conditions", "migraine", "--plan-template", "migraine-attack-triptan",
                    "--attack-medicine", "Sumatriptan 50 mg"],
        "no-plan": ["--conditions", "migraine"],
        "named": ["--conditions", "migraine", "--medicines", "sumatriptan", "--plan-template",
                  "migraine-attack-triptan"],
        "painkiller": ["--conditions", "migraine", "inflammatory-bowel-disease",
                       "--plan-template", "migraine-attack-simple-painkiller"],
    })  # fmt: skip
    card = "Triptans (sumatriptan, rizatriptan, zolmitriptan)"
    chest = "Side effects: Chest, throat or jaw tightness can happen"
    sign = "after a triptan"
    assert card in texts["triptan"] and chest in texts["triptan"] and sign in texts["triptan"]
    assert card not in texts["no-plan"] and chest not in texts["no-plan"]
    assert sign not in texts["no-plan"]
    assert texts["named"].count(card) == 1
    assert "With IBD, NSAIDs may bring on a flare." in texts["painkiller"]
    assert "Paracetamol (acetaminophen)" in texts["painkiller"]


def test_a_medicine_the_clinician_types_in_the_plan_brings_its_cautions(cli, tmp_path):
    """A triptan typed as the attack medicine, with only duloxetine among the medicines,
    printed no triptan card and no triptan-with-SNRI caution: the handout did not know
    what the plan tells the patient to take. The attack and daily medicine slots are read
    for our medicines' names (a brand with its capital, any accents, in English and the
    handout's language), up to the first word that says not; what to add is not read
    (review: "never with ergotamine" is written there, and printed the ergots' card,
    pushing out a main point and the calendar)."""
    texts = built(cli, tmp_path, {
        "typed": ["--medicines", "duloxetine", "--attack-medicine", "Sumatriptán 50 mg",
                  "--daily-medicine", "Propranolol 80 mg"],
        "none": ["--medicines", "duloxetine", "--attack-medicine", "the tablets we discussed",
                 "--attack-add", "Never take ergotamine, DHE or ibuprofen with it",
                 "--daily-medicine", "None for now; stop propranolol"],
        "not": ["--medicines", "duloxetine", "--attack-medicine",
                "Rizatriptan 10 mg; never within 24 hours of ergotamine, DHE or ibuprofen"],
        # a Spanish name only the Spanish content has, an English one only the English has
        "spanish": ["--medicines", "duloxetine", "--language", "es",
                    "--attack-medicine", "Ibuprofeno 400 mg", "--daily-medicine", "Topiramate 25 mg"],
    }, "--conditions", "migraine")  # fmt: skip
    combo = "Triptans with an SNRI (duloxetine, milnacipran or venlafaxine)"
    card = "Triptans (sumatriptan, rizatriptan, zolmitriptan)"
    beta = "Beta-blockers (propranolol, metoprolol)"
    assert combo in texts["typed"] and card in texts["typed"] and beta in texts["typed"]
    assert "Sumatriptán 50 mg" in texts["typed"]  # the plan prints as typed
    assert combo not in texts["none"] and card not in texts["none"]
    assert "Ergots (" not in texts["none"] and "NSAIDs" not in texts["none"]
    assert beta not in texts["none"]
    assert combo in texts["not"] and card in texts["not"] and "Ergots (" not in texts["not"]
    assert "NSAIDs" not in texts["not"]
    assert ": ibuprofeno, naproxeno, diclofenaco" in texts["spanish"]
    assert "Topiramato" in texts["spanish"]


def test_a_plan_that_says_all_of_a_medicines_first_rank_cautions_leaves_no_cut_for_them(
    content_copy,
):
    """Where a template covers every first-rank caution of a medicine, there is nothing of
    it to cut (no ``must:`` cut); typed over, the cautions and their cut come back. The
    counting boxes are a cut only where the painkiller-day rule prints, just after the
    calendar's month, the words that say how to count without the boxes (where the rule
    has such words and its visit words: without them, it prints its full text, which says
    how to count), and the lines that say what each medicine is for; then the subtitle,
    which goes before the links (it says nothing the patient acts on)."""
    from handouts.content.model import AttackPlan, PlanFields
    from handouts.document.visit import cut_order

    plan = content_copy / "plans" / "migraine-attack-triptan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("parts: [how_to_take]", "parts: [how_to_take, side_effects]"),
                    encoding="utf-8")  # fmt: skip
    lib = load_library(content_copy, PRINTER)
    req = Request(("migraine", "lupus"), medicines=("triptans", "nsaids"), format="visit",
                  plan_template="migraine-attack-triptan")  # fmt: skip
    order = cut_order(lib, req)
    assert "must:triptans" not in order and "must:nsaids" in order
    assert order[order.index("calendar") + 1 :][:5] == ("how-to-count", "uses", "counting",
                                                         "subtitle", "links")  # fmt: skip
    fibro = replace(req, conditions=("migraine", "fibromyalgia"), medicines=("snri", "nsaids"))
    fibro_order = cut_order(lib, fibro)
    assert fibro_order[fibro_order.index("snug") + 1] == "own-uses"
    assert fibro_order[-1].startswith("must:")
    typed = replace(req, plan=PlanFields(attack=AttackPlan(when="At once")))
    assert "must:triptans" in cut_order(lib, typed)
    blank = replace(req, plan=PlanFields(attack=AttackPlan(when="  ", add="\t")))
    assert "must:triptans" not in cut_order(lib, blank)  # spaces are not typing
    no_rule = cut_order(lib, replace(req, conditions=("lupus", "fibromyalgia")))
    assert "counting" not in no_rule and "how-to-count" not in no_rule
    rule = content_copy / "painkiller-days.yaml"
    text = rule.read_text(encoding="utf-8")
    short = next(line for line in text.splitlines(keepends=True) if line.startswith("short:"))
    for left_out in ("how_to_count: Mark the days on a calendar.\n", short):
        assert left_out in text
        rule.write_text(text.replace(left_out, ""), encoding="utf-8")
        without = cut_order(load_library(content_copy, PRINTER), req)
        assert "counting" in without and "how-to-count" not in without


def test_the_counting_boxes_are_put_back_only_where_they_fit(cli, tmp_path):
    """The boxes are tried again once the fewest cuts are found. On the handout above
    they fit; here the room left does not hold them, so the rule prints with the words
    that say how to count (put back too), and the handout is still two pages. With two
    more medicines, those words do not fit either: the rule prints alone."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--conditions", "migraine", "lupus", "--medicines", "sumatriptan",
              "duloxetine", "ibuprofen", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert pages(out.read_bytes()) == 2
    assert "10 days a month, for any pain. Mark the days on a calendar." in text
    assert "fill in a box" not in text and "Count your painkiller days" not in text
    assert not any("boxes" in words for words in figure_words(out))
    run = cli("build", "--conditions", "migraine", "lupus", "--medicines", "sumatriptan",
              "ibuprofen", "paracetamol", "duloxetine", "hydroxychloroquine",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert pages(out.read_bytes()) == 2
    assert "10 days a month, for any pain. (Advised in medical guidelines)" in text
    assert "Mark the days" not in text and "fill in a box" not in text


def test_the_lines_that_say_what_a_medicine_is_for_are_put_back_where_they_fit(cli, tmp_path):
    """Back pain and rheumatoid arthritis on six medicines, on A4: to fit, the lines under
    each medicine's name are cut, and everything after them up to the closer lines. Once
    the fewest cuts are found, the lines are tried again, and here the room left holds
    them: the closer lines stay, and every medicine says what it is for."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--conditions", "chronic-back-pain", "rheumatoid-arthritis",
              "--medicines", "methotrexate", "hydroxychloroquine", "ibuprofen", "sumatriptan",
              "prednisone", "duloxetine", "--paper", "a4", "--patient", "Zoë",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert pages(out.read_bytes()) == 2
    assert "How back pain and rheumatoid arthritis are linked" not in text
    for elsewhere in ("is in the full version: ask us for it", "what to watch for with each"):
        assert elsewhere not in text  # no medicine's left out
    for use in ("For rheumatoid arthritis, it helps ease joint pain and swelling.",
                "They ease pain and swelling.", "They stop a migraine attack that has started.",
                "They calm swelling and the immune system.", "They treat depression."):  # fmt: skip
        assert use in text
    lines = baselines(out.read_bytes(), "Stay active. Keep up your normal daily tasks")
    assert [round(a - b, 2) for a, b in itertools.pairwise(lines)] == [14.5]  # closer


def test_the_words_that_say_how_to_count_take_no_room_from_what_a_medicine_is_for(cli, tmp_path):
    """Migraine and fibromyalgia on six medicines, Letter: the boxes do not fit, and the
    room left holds the lines that say what each medicine is for, or the words that say
    how to count (alone, they fit), not both. Those words are the last put-back: the
    lines print (put back first, the sentence took their room)."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--visit", "--conditions", "migraine", "fibromyalgia", "--medicines",
              "opioids-butalbital", "triptans", "amitriptyline", "snri", "hydroxychloroquine",
              "paracetamol", "--paper", "letter", "--patient", "Pat Doe",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    for use in (
        "It calms the immune system.",
        "Opioids ease pain. Butalbital is in some headache pills.",
    ):
        assert use in text
    assert "Mark the days" not in text and "fill in a box" not in text


def test_the_boxes_and_the_lines_are_put_back_together_where_one_alone_would_not_fit(
    monkeypatch,
):
    """Put back alone, the counting boxes or the lines that say what a medicine is for
    may not fit where both do (a page break falls elsewhere without the lines: a large
    print Spanish handout once did so). So both are tried together first. Here each alone
    is made not to fit; together they fit, and both print."""
    from handouts import pipeline

    made_with: dict[int, frozenset[str]] = {}
    assemble, tried = pipeline.assemble_visit, pipeline._tried

    def assembled(*args, **kwargs):
        doc = assemble(*args, **kwargs)
        made_with[id(doc)] = args[5] if len(args) > 5 else kwargs.get("keep", frozenset())
        return doc

    alone = []

    def measured(doc, *args):
        back, fits = tried(doc, *args)
        if len(made_with.get(id(doc), frozenset()) & {"counting", "uses"}) == 1:
            alone.append(made_with[id(doc)])
            return back, False  # as that handout's page breaks did
        return back, fits

    monkeypatch.setattr(pipeline, "assemble_visit", assembled)
    monkeypatch.setattr(pipeline, "_tried", measured)
    lib, brand = load_inputs(CONTENT, None)
    req = Request(("lupus", "migraine"), medicines=("triptans", "topiramate", "nsaids"),
                  format="visit", large_print=True, language="es")  # fmt: skip
    made = Renderer().make(lib, brand, req)
    text = pdf_text(made.pdf)
    assert made.pages == 4
    assert "Cada día de este mes que tome un analgésico, llene una casilla." in text
    assert "Alivian el dolor y la hinchazón." in text  # for anyone
    assert "Detienen un ataque de migraña que ya empezó." in text  # for migraine: put back
    assert alone == []  # together first: neither was tried alone


def test_a_card_whose_every_caution_is_cut_is_named_with_where_to_read_them():
    """Estrogen's first-rank cautions are for migraine and lupus; without either, its one
    second-rank caution is all its card had, and it is cut first. A review found the card
    printed with what it is for and no caution at all, as if it had none: it is left out
    and named in the line that says the full version has what to watch for. With the
    lines cut (``uses``), a medicine with cautions to print loses its line."""
    from handouts.document.document import Caution, Para
    from handouts.document.visit import Assembly, assemble_visit, cut_order

    lib, brand = load_inputs(CONTENT, None)
    req = Request(("rheumatoid-arthritis", "fibromyalgia"), format="visit",
                  medicines=("estrogen-contraception", "nsaids"))  # fmt: skip
    order = cut_order(lib, req)
    assert order[:3] == ("continued", "more:nsaids", "more:estrogen-contraception")
    cards, said = {}, {}
    for cuts in (2, 3, order.index("uses"), order.index("uses") + 1):
        doc = assemble_visit(lib, req, brand, cuts, Assembly())
        medicines = next(s for s in doc.sections if s.id == "medicines")
        cards[cuts] = {
            b.title.split(" (")[0]: b for b in medicines.blocks if isinstance(b, Caution)
        }
        said[cuts] = [b.text for b in medicines.blocks if isinstance(b, Para)]
    pill = "Birth control with estrogen"
    assert cards[2][pill].points != () and said[2] == []
    elsewhere = (
        "What to watch for with birth control with estrogen is in the full version: ask us for it."
    )
    for cuts in (3, order.index("uses"), order.index("uses") + 1):
        assert pill not in cards[cuts] and said[cuts] == [elsewhere]
    before, after = cards[order.index("uses")], cards[order.index("uses") + 1]
    assert before["NSAIDs"].intro and after["NSAIDs"].intro is None
    assert after["NSAIDs"].points == before["NSAIDs"].points != ()


def test_the_counting_boxes_print_once_with_the_month_where_it_fits(cli, tmp_path):
    """Where the calendar fits, its month and its boxes print together under their own
    heading, and the painkiller-day rule does not repeat the boxes."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--conditions", "migraine", "--medicines", "sumatriptan", "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "Count your painkiller days" in text
    assert "fill in a box" not in text
    words = figure_words(out)
    assert sum(w.startswith("A month calendar with days 1 to 31") for w in words) == 1
    assert not any(w.startswith("A row of") for w in words)


def test_the_visit_handout_is_two_pages_with_the_plan_and_only_their_medicines(cli, tmp_path):
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--patient", "Ana Lopez", "--clinician", "Dr Sam Okafor",
              "--attack-medicine", "Sumatriptan 50 mg, 1 tablet",
              "--move-what", "Walking", "--move-how-often", "5 days a week",
              "--calming", "slow-breathing", "--next-visit", "14 January, 10:30",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    assert run.out == f"wrote {out} (2 pages, {out.stat().st_size / 1024:.0f} KB)\n"
    data = out.read_bytes()
    assert pages(data) == 2
    text = pdf_text(data)
    for said in (
        "Migraine and fibromyalgia",
        "For: Ana Lopez",
        "The main points",
        "My plan",
        "In an attack Take: Sumatriptan 50 mg, 1 tablet",
        "Moving more What: Walking How often: 5 days a week",
        "My next appointment When: 14 January, 10:30",
        "When to get help",
        "Triptans with an SNRI",  # the combination caution, first among the medicines
    ):
        assert said in text, said
    steps = LIB.practices["slow-breathing"].steps
    assert f"1. {steps[0]}" in text and f"{len(steps)}. {steps[-1]}" in text
    for other in ("topiramate", "valproate", "beta-blockers", "opioids"):
        assert other not in text.lower()  # cautions only for the medicines they take
    assert "riverside.example.org/h/g43-m797" in text  # the full version's short address
    sizes = [size for _text, size in text_sizes(data)]
    assert min(s for s in sizes if s >= 11.9) >= 12  # reading text never under 12 pt


def test_every_red_flag_of_their_conditions_and_medicines_prints_in_its_tier(cli, tmp_path):
    """Cuts never take a red flag: every one prints, in its short words."""
    out = tmp_path / "visit.pdf"
    assert cli(*VISIT, "--out", out).code == 0
    text = pdf_text(out.read_bytes())
    conds = [LIB.conditions[c] for c in ("migraine", "fibromyalgia")]
    meds = [LIB.medicines[m] for m in ("triptans", "snri", "nsaids")]
    wanted = {f.id for f in LIB.red_flags.values() if f.always}
    wanted |= {f for c in conds for f in c.red_flags} | {f for m in meds for f in m.red_flags}
    for flag in wanted:
        words = " ".join((SHORT_FLAG[flag].short or "").split()[:4])
        if "{{" not in words:
            assert words in text, flag


def test_plan_text_is_printed_as_written_never_as_a_template(cli, tmp_path):
    out = tmp_path / "visit.pdf"
    odd = "O'Brien <b>{{ clinic.phone }}</b> & 2 tablets"
    run = cli(*VISIT, "--attack-add", odd, "--out", out)
    assert run.code == 0, run.err
    assert f"Also: {odd}" in pdf_text(out.read_bytes())


def test_a_plan_template_fills_the_blank_slots_and_the_patients_own_words_win(cli, tmp_path):
    template = LIB.plans["migraine-attack-triptan"].plan
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--plan-template", "migraine-attack-triptan",
              "--attack-medicine", "Rizatriptan 10 mg", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "Take: Rizatriptan 10 mg" in text
    if template.attack.when:
        assert " ".join(template.attack.when.split()[:5]) in text


def test_a_plan_file_with_a_template_and_its_own_fields(cli, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "template: fibromyalgia-movement\n"
        "attack:\n  medicine: 0123 tablets\n"  # read as text, not the number 83
        "next_visit: NO later than March\n",
        encoding="utf-8",
    )
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--plan", plan, "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "Take: 0123 tablets" in text and "When: NO later than March" in text
    assert "Moving more" in text  # from the template


def test_a_bad_plan_is_reported_by_field_all_at_once_and_never_quoted(cli, tmp_path):
    out = tmp_path / "visit.pdf"
    secret = "Private plan words " * 20
    run = cli(*VISIT, "--attack-when", secret, "--daily-how", "க", "--calming", "yogaa",
              "--plan-template", "nope", "--out", out)  # fmt: skip
    assert run.code == 1
    assert run.err == (
        "handouts: error: 4 problems in the patient details; nothing was written:\n"
        "  --attack-when: too long: at most 300 characters\n"
        "  --calming: unknown calming practice; choose one of: "
        "muscle-relaxation, slow-breathing\n"
        "  --daily-how: 1 character that no bundled font can print (1 letter; "
        "not shown: patient details stay out of messages); spell it with letters the "
        "handout's fonts have, or leave it out\n"
        "  --plan-template: unknown plan template; choose one of: "
        "back-pain-movement, fibromyalgia-movement, migraine-attack-simple-painkiller, "
        "migraine-attack-triptan\n"
    )
    assert "Private" not in run.err and not out.exists()


def test_a_plan_file_with_an_unknown_key_or_a_tag_gets_its_line(cli, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("attack:\n  medcine: x\n", encoding="utf-8")
    run = cli(*VISIT, "--plan", plan, "--out", tmp_path / "v.pdf")
    assert run.code == 1
    assert (
        f"{plan}:2: attack: unknown key (did you mean 'medicine'?); expected one of: medicine, "
        "when, repeat, limit, add\n"
    ) in run.err
    plan.write_text("next_visit: !!binary QTM=\n", encoding="utf-8")
    run = cli(*VISIT, "--plan", plan, "--out", tmp_path / "v.pdf")
    assert run.code == 1
    assert f"{plan}:1: a YAML tag" in run.err
    # with a misnamed calming practice and template: said too (red team: they were not)
    plan.write_text("attack:\n  medcine: x\ncalming: nope\ntemplate: triptan\n", encoding="utf-8")
    run = cli(*VISIT, "--plan", plan, "--out", tmp_path / "v.pdf")
    assert run.err.startswith("handouts: error: 3 problems in the patient details")
    assert f"{plan}:3: calming: unknown calming practice; choose one of: " in run.err
    assert f"{plan}:4: template: unknown plan template; choose one of: " in run.err


def test_a_plan_file_s_mistakes_never_quote_what_it_says(cli, tmp_path):
    """Red team: a plan file is patient data, but its mistakes quoted it: a slot's text
    where a mapping belongs, a line that was not a key, a key written twice. Each is now
    said by its line and the key above it, and what kind of value was found."""
    plan, out = tmp_path / "plan.yaml", tmp_path / "v.pdf"
    plan.write_text(
        "attack: Sumatriptan for Ana O'Brien, who is pregnant\n"
        "Ana O Brien has HIV: see notes\n"
        "movement:\n  what: Walking\n  Ana secret: x\n"
        "calming: [Ana, private]\n",
        encoding="utf-8",
    )
    run = cli(*VISIT, "--plan", plan, "--out", out)
    assert run.code == 1 and not out.exists()
    assert run.err == (
        "handouts: error: 4 problems in the patient details; nothing was written:\n"
        f"  {plan}:1: attack: expected a mapping of keys to values, found text\n"
        f"  {plan}:2: unknown key; expected one of: attack, every_day, movement, calming, "
        "next_visit, template\n"
        f"  {plan}:5: movement: unknown key; expected one of: what, how_long, how_often, "
        "build_up\n"
        f"  {plan}:6: calming: expected text, found a list\n"
    )
    plan.write_text("attack:\n  when: x\nAna has HIV: 1\nAna has HIV: 2\n", encoding="utf-8")
    run = cli(*VISIT, "--plan", plan, "--out", out)
    assert run.code == 1
    assert run.err.endswith(f"  {plan}:4: this key appears twice\n")
    assert "Ana" not in run.err


def test_a_plan_file_s_blank_slots_are_left_out_and_its_problems_name_the_file(cli, tmp_path):
    """A blank slot is no slot (a template filled in with some keys left empty); a
    problem in the file is reported against the file, not the command line."""
    plan, out = tmp_path / "plan.yaml", tmp_path / "v.pdf"
    plan.write_text('attack:\n  medicine:\n  when: ""\nmovement:\n  what: Walking\n'
                    "next_visit:\n", encoding="utf-8")  # fmt: skip
    run = cli(*VISIT, "--plan", plan, "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "What: Walking" in text and "In an attack" not in text
    out.unlink()
    plan.write_text(f"attack:\n  medicine: {'x' * 301}\ntemplate: nope\n", encoding="utf-8")
    run = cli(*VISIT, "--plan", plan, "--attack-when", "At once", "--out", out)
    assert run.code == 1 and not out.exists()
    assert f"  {plan}:2: attack.medicine: too long: at most 300 characters\n" in run.err
    assert f"  {plan}:3: template: unknown plan template" in run.err
    assert "command line" not in run.err


def test_every_problem_of_what_was_typed_is_said_at_once(cli, tmp_path):
    """Red team: ``build`` said its problems a group at a time (the name, then the
    medicines, then the conditions, then the plan), and a plan file that could not be read
    hid the plan options' problems."""
    plan, out = tmp_path / "plan.yaml", tmp_path / "v.pdf"
    plan.write_text("attack: one tablet\n", encoding="utf-8")
    run = cli("build", "--conditions", "migrane", "--medicines", "foo", "--plan", plan,
              "--plan-template", "nope", "--attack-when", "x" * 301, "--patient", "y" * 201,
              "--out", out)  # fmt: skip
    assert run.code == 1 and not out.exists()
    assert run.err == (
        "handouts: error: 6 problems in the patient details; nothing was written:\n"
        "  --attack-when: too long: at most 300 characters\n"
        "  --conditions: unknown condition 'migrane' (did you mean 'migraine'?)\n"
        "  --medicines: unknown medicine 'foo'\n"
        "  --patient: too long: at most 200 characters\n"
        "  --plan-template: unknown plan template; choose one of: "
        "back-pain-movement, fibromyalgia-movement, migraine-attack-simple-painkiller, "
        "migraine-attack-triptan\n"
        f"  {plan}:1: attack: expected a mapping of keys to values, found text\n"
    )


def test_a_plan_and_notes_past_one_sheet_go_on_to_a_second_and_say_so(cli, tmp_path):
    """What is never left out (the notes, every plan slot typed) runs past one sheet even
    with everything else left out: the handout goes on to the next sheet, on as few
    pages as it takes, and the clinician is told (no patient text in the note)."""
    out = tmp_path / "visit.pdf"
    notes = ("A long note about the plan for today. " * 100)[:3990]
    fields = [f"--{name.replace('_', '-')}" for name in COLUMNS if name != "calming"]
    filled = [arg for field in fields for arg in (field, "Walk to the shops and back. " * 10)]
    run = cli(*VISIT, "--notes", notes, *filled, "--patient", "Zoë Müller", "--out", out)
    assert run.code == 0
    data = out.read_bytes()
    assert pages(data) == 4
    assert run.out == f"wrote {out} (4 pages, {len(data) / 1024:.0f} KB)\n"
    assert run.err == (
        "handouts: note: this visit handout takes 4 pages, not 2: what is never left out "
        "(such as the plan, the notes, the red flags and the combination cautions) does not "
        "fit on one sheet, even with everything else left out; print it on 2 sheets, both "
        "sides\n"
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Page 4 of 4" in text and "Zoë Müller" in text
    words = " ".join(text.split())  # every slot whole, its lines joined
    assert words.count("Walk to the shops and back.") == 10 * len(fields)


def test_what_cannot_fit_two_sheets_is_a_clear_error_and_nothing_is_written(cli, tmp_path):
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--notes", "Call us.\n" * 380, "--out", out)
    assert run.code == 1
    assert run.err == (
        "handouts: error: the visit handout does not fit on four pages (six in large print), "
        "even with everything that may be left out left out: shorten the notes or the plan, or "
        "print the full version (--full; format full in a clinic list), which has no plan\n"
    )
    assert not out.exists()


def test_the_same_visit_gives_the_same_bytes(cli, tmp_path):
    one, two = tmp_path / "1.pdf", tmp_path / "2.pdf"
    assert cli(*VISIT, "--patient", "Ana", "--out", one).code == 0
    assert cli(*VISIT, "--patient", "Ana", "--out", two).code == 0
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("pair", sorted(tuple(link.conditions) for link in LIB.links.values()))
def test_every_linked_pair_with_its_usual_medicines_fits_two_pages(cli, tmp_path, paper, pair):
    """Every linked pair, with up to three of the medicines common for it, on both
    papers, from the command line: both sides of one sheet."""
    common = [m for c in pair for m in LIB.conditions[c].medicines]
    meds = list(dict.fromkeys(common))[:3]
    out = tmp_path / "v.pdf"
    run = cli("build", "--visit", "--conditions", *pair, "--medicines", *meds, "--paper", paper,
              "--patient", "Ana Lopez", "--allow-draft", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    assert pages(out.read_bytes()) == 2


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_linked_pair_and_a_spread_of_medicine_sets_fit(paper, large):
    """Every linked pair with no medicines, with three and with six (a seeded spread of
    every medicine), with and without a plan template, and a spread of three conditions:
    two pages, or three or four in large print."""
    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(14)
    meds = sorted(lib.medicines)
    sets = [tuple(link.conditions) for link in lib.links.values()]
    sets += [tuple(rng.sample(sorted(lib.conditions), 3)) for _ in range(12)]
    wrong = []
    for conditions in sets:
        for count in (0, 3, 6):
            taken = tuple(rng.sample(meds, count))
            for template in (None, "migraine-attack-triptan"):
                req = Request(conditions, medicines=taken, format="visit", paper=paper,
                              large_print=large, personal=Personal("Ana Lopez"),
                              plan_template=template, allow=Allow(draft=True))  # fmt: skip
                try:
                    made = make(lib, brand, req)
                except HandoutsError as exc:
                    wrong.append((conditions, taken, template, str(exc)[:60]))
                    continue
                if not (2 < made.pages <= 4 if large else made.pages == 2):
                    wrong.append((conditions, taken, template, made.pages))
    assert wrong == []


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_linked_pair_fits_in_spanish_with_the_triptan_template(paper, large):
    """Spanish runs longer than English: every linked pair, with a triptan, an SNRI and an
    NSAID (three combination cautions where migraine is one of the pair) and the triptan
    template's attack plan and calming practice, in Spanish: two pages, or three or four
    in large print (before the wider label column, the shorter scan hint and the closer
    lines, 6 of these 68 did not fit: migraine with lupus, and with rheumatoid
    arthritis)."""
    lib, brand = load_inputs(CONTENT, None)
    wrong = []
    for link in lib.links.values():
        req = Request(tuple(link.conditions), medicines=("triptans", "snri", "nsaids"),
                      format="visit", paper=paper, large_print=large, language="es",
                      personal=Personal("José Peña"), plan_template="migraine-attack-triptan",
                      allow=Allow(draft=True))  # fmt: skip
        try:
            made = make(lib, brand, req)
        except HandoutsError as exc:
            wrong.append((link.id, str(exc)[:60]))
            continue
        if not (2 < made.pages <= 4 if large else made.pages == 2):
            wrong.append((link.id, made.pages))
    assert wrong == []


HEAVY = (("lupus", "migraine", "chronic-back-pain"),
         ("corticosteroids", "snri", "tnf-inhibitors", "methotrexate", "amitriptyline",
          "beta-blockers"))  # fmt: skip
"""The three conditions with the most red-flag text, and six medicines with the most:
29 red flags, and "When to get help" longer than a large-print page."""


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_heaviest_set_fits_with_every_red_flag(cli, tmp_path, paper, large):
    conditions, medicines = HEAVY
    out = tmp_path / "v.pdf"
    run = cli("build", "--visit", "--conditions", *conditions, "--medicines", *medicines,
              "--paper", paper, *(["--large-print"] if large else []),
              "--plan-template", "migraine-attack-triptan", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    data = out.read_bytes()
    assert pages(data) == (4 if large else 2)  # large print: "When to get help" runs on
    text = pdf_text(data)
    flags = {f.id for f in LIB.red_flags.values() if f.always}
    flags |= {f for c in conditions for f in LIB.conditions[c].red_flags}
    flags |= {f for m in medicines for f in LIB.medicines[m].red_flags}
    assert len(flags) >= 29
    for flag in flags:
        words = " ".join((SHORT_FLAG[flag].short or SHORT_FLAG[flag].text).split()[:4])
        if "{{" not in words:
            assert words in text, flag


def test_build_prints_the_visit_handout_unless_told_full_or_asked_for_the_diary(cli, tmp_path):
    """The visit handout is the default; --full and --diary (the booklet's page) print
    the booklet; a plan with --full, or the diary with --visit, is refused."""
    base = ["build", "--conditions", "migraine", "lupus"]
    out = tmp_path / "h.pdf"
    assert cli(*base, "--out", out).code == 0
    assert pages(out.read_bytes()) == 2 and "My questions" in pdf_text(out.read_bytes())
    assert cli(*base, "--full", "--out", out).code == 0
    assert pages(out.read_bytes()) > 4 and "Words to know" in pdf_text(out.read_bytes())
    assert cli(*base, "--diary", "--out", out).code == 0
    assert "diary" in pdf_text(out.read_bytes()).lower() and pages(out.read_bytes()) > 4
    out.unlink()
    run = cli(*base, "--visit", "--diary", "--out", out)
    assert (run.code, run.err) == (2, "handouts: error: the diary page is part of the full "
                                      "booklet: use --full, or leave out --diary\n")  # fmt: skip
    run = cli(*base, "--full", "--plan-template", "migraine-attack-triptan", "--out", out)
    refused = (2, "handouts: error: a plan prints on the visit handout, not the full booklet: "
                  "leave out --full and --diary, or the plan options\n")  # fmt: skip
    assert (run.code, run.err) == refused
    run = cli(*base, "--diary", "--attack-medicine", "Sumatriptan", "--out", out)
    assert (run.code, run.err) == refused
    assert not out.exists()


def test_a_tier_split_over_pages_keeps_its_drawn_sign_and_heading(cli, tmp_path):
    """Large print: the emergency tier runs over a page. Its drawn sign and its heading
    (an H3) are read once, on the first page; the repeated heading is for the eye only,
    and looks as the first does: the drawn sign beside the words (it was the booklet's
    "!" symbol instead)."""
    out = tmp_path / "v.pdf"
    run = cli("build", "--conditions", "migraine", "fibromyalgia", "--medicines", "sumatriptan",
              "duloxetine", "ibuprofen", "--large-print", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    alts = figure_words(out)
    for sign in ("A warning triangle.", "A telephone.", "A note and a pencil."):
        assert alts.count(sign) == 1, sign
    pages = [p.extract_text() for p in PdfReader(out).pages]
    heading = [n for n, page in enumerate(pages) if "Emergency: call 911" in page]
    assert len(heading) == 2 and "Call us today" in "".join(pages)  # the tier runs over
    heads = r"(Emergency: call 911|Call us today|Tell us at your next visit)"
    assert re.findall(rf"[!☎✎]\s*{heads}", "".join(pages)) == []  # no symbol before one


@pytest.mark.parametrize("large", [False, True])
def test_a_try_measured_without_drawing_ends_where_the_drawn_one_does(large):
    """A visit handout's tries are measured without drawing; the one chosen is drawn. For
    every number of cuts of a heavy set, both put every part on the same pages, ending at
    the same height."""
    from handouts.document.visit import assemble_visit
    from handouts.pdf.render import Composer, Tries, _canvas, _lay_out, _seed, _setup

    lib, brand = load_inputs(CONTENT, None)
    req = Request(("lupus", "migraine", "chronic-back-pain"), medicines=("corticosteroids",
                  "snri", "nsaids", "methotrexate"), format="visit", large_print=large,
                  personal=Personal("Ana O'Brien"), notes="Walk daily.",
                  plan_template="migraine-attack-triptan", allow=Allow(draft=True))  # fmt: skip
    most = len(assemble_visit(lib, req, brand, 0).visit_order)
    for cuts in range(most + 1):
        doc = assemble_visit(lib, req, brand, cuts)
        st, g = _setup(brand, None, large, compact=True)
        seed = _seed((doc,))
        tries = Tries()
        canvas = _canvas(brand, g, seed, doc, doc.title)
        # measured (each section laid out, or its height added up), and drawn
        kept = [_lay_out(Composer(canvas), doc, brand, st, g, seed, tries.mine, most, added)
                for most, added in ((99, False), (99, True), (None, False))]  # fmt: skip
        measured, added, drawn = ([(len(r.pages), round(r.end_y, 6), r.top) for r in parts]
                                  for parts in kept)  # fmt: skip
        assert measured == drawn, cuts
        assert len(added) == len(drawn), cuts
        for a, d in zip(added, drawn, strict=True):  # a height added up ends where it is laid
            assert a[0] == d[0] and a[2] == d[2] and a[1] == pytest.approx(d[1], abs=1e-6), cuts


def test_a_try_takes_the_earlier_tries_sections_and_assembles_the_same_document():
    """A handout's tries share their sections (handouts.document.visit.Assembly): each
    number of cuts, tried in a shuffled order after others, assembles exactly the document
    a fresh assembly does (sections, sources cited, review dates, everything), over many
    sets of conditions and medicines, plan templates, a typed plan, a calming practice
    and notes, in English and in Spanish; and most sections were taken from a try before."""
    from handouts.content.model import AttackPlan, PlanFields
    from handouts.document.visit import Assembly, _Visit, assemble_visit, cut_order

    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(2026)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    chosen, reused = 0, 0
    real = _Visit.chosen

    def counted(self, choose):
        nonlocal chosen, reused
        before = sum(map(len, self.earlier.values())) if self.earlier is not None else None
        section = real(self, choose)
        if before is not None:
            after = sum(map(len, self.earlier.values()))
            chosen, reused = chosen + (after > before), reused + (after == before)
        return section

    _Visit.chosen = counted
    try:
        for n in range(30):
            conds = list(rng.choice(pairs))
            if n % 2:
                conds.append(rng.choice([c for c in conditions if c not in conds]))
            meds = tuple(rng.sample(medicines, rng.randint(0, 6)))
            plan = PlanFields(attack=AttackPlan(medicine="Sumatriptan 50 mg")) if n % 4 == 1 \
                else PlanFields(calming="slow-breathing" if n % 3 == 0 else None)  # fmt: skip
            req = Request(tuple(conds), medicines=meds, format="visit",
                          personal=Personal("Sam Smith"), notes="Walk daily." if n % 3 else None,
                          plan=plan, language="es" if n % 5 == 2 else None,
                          plan_template="migraine-attack-triptan" if n % 5 == 0 else None,
                          allow=Allow(draft=True))  # fmt: skip
            lang_lib, lang_brand = in_language(lib, brand, req), brand
            order = list(range(len(cut_order(lang_lib, req)) + 1))
            rng.shuffle(order)
            assembly = Assembly()
            for cuts in order:
                shared = assemble_visit(lang_lib, req, lang_brand, cuts, assembly)
                assert shared == assemble_visit(lang_lib, req, lang_brand, cuts), (n, cuts)
    finally:
        _Visit.chosen = real
    assert reused > 3 * chosen > 0, (chosen, reused)


LOOSE = """
import datetime as dt, sys
from handouts.content.model import AttackPlan, MovementPlan, PlanFields
from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.pipeline import Renderer, TooLong, load_inputs
from tests.conftest import garbage_holding
lib, brand = load_inputs(CONTENT, None)
renderer = Renderer()
MARK = "".join(["Qz", "Plan", "Xy"])  # made at run time: in no compiled constant

def make(form):
    typed = PlanFields(attack=AttackPlan(medicine=MARK + " 50 mg"))
    if form == "too long":  # a plan slot taller than a page: ReportLab stops mid-layout
        typed = PlanFields(movement=MovementPlan(build_up=MARK + " walk a little more" * 300))
    which = {"pack": "migraine-autoimmune-clinic"} if form == "pack" else {
        "conditions": ("migraine", "lupus"), "medicines": ("triptans", "snri")}
    req = Request(**which, format="full" if form in ("pack", "full") else "visit",
                  plan=typed, notes=MARK + " note", personal=Personal(MARK + " name"),
                  allow=Allow(today=dt.date(2026, 12, 3)))
    try:
        renderer.make(lib, brand, req)
    except TooLong:
        pass

for form in sys.argv[1:]:
    make(form)
    print(form, garbage_holding(MARK, lambda: make(form)))
"""


def test_a_handout_leaves_no_patient_text_for_the_garbage_collector():
    """A handout's patient text (name, notes, typed plan) is freed when the handout is
    made, not when the garbage collector next runs (a web page's worker may wait long for
    that, and a batch runs it seldom): nothing a visit handout (its tries share sections:
    visit.Assembly), a full one, a pack or a plan too long to fit leaves in reference loops
    holds the patient's words. ReportLab's own loops (a layout template that names
    itself, a text object with a method bound to itself) are broken once drawn, or once
    the layout stops."""
    import subprocess
    import sys

    code = f"from pathlib import Path\nCONTENT = Path({str(CONTENT)!r})\n" + LOOSE
    forms = ["visit", "full", "pack", "too long"]
    run = subprocess.run([sys.executable, "-c", code, *forms], capture_output=True,
                         text=True, cwd=Path(__file__).parent.parent)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [f"{form} []" for form in forms]


def test_in_a_typed_plan_only_the_typed_words_are_made_without_the_caches(monkeypatch):
    """A plan with slots the clinician typed holds patient text, so it is laid out for
    its handout alone; but only the typed words (and the patient's own line) are parsed
    apart from the caches. The template's words, the labels and headings and the calming
    practice are content: parsed once and shared by every patient's handout, and printed
    just the same."""
    from handouts.content.model import AttackPlan, PlanFields
    from handouts.document.document import Numbered, Slots
    from handouts.document.visit import assemble_visit
    from handouts.pdf import paragraph
    from handouts.pipeline import Renderer

    private: list[str] = []  # what was parsed for this handout alone (the caches passed by)
    parse = paragraph._parse_private  # (by its shape: test_personal compares the two)
    monkeypatch.setattr(
        paragraph, "_parse_private", lambda t, st: private.append(t) or parse(t, st)
    )
    lib, brand = load_inputs(CONTENT, None)
    typed = PlanFields(attack=AttackPlan(medicine="Rizatriptan 10 mg"), next_visit="Tuesday 9am")
    req = Request(("migraine", "fibromyalgia"), medicines=("triptans",), format="visit",
                  plan_template="migraine-attack-triptan", plan=typed,
                  personal=Personal("Sam Smith"), allow=Allow(draft=True))  # fmt: skip
    (plan,) = [s for s in assemble_visit(lib, req, brand, 0).sections if s.id == "my-plan"]
    slots = [b for b in plan.blocks if isinstance(b, Slots)]
    marked = [(v, t) for b in slots for (_, v), t in zip(b.rows, b.typed, strict=True)]
    assert plan.private and sorted(v for v, t in marked if t) == [
        "Rizatriptan 10 mg",
        "Tuesday 9am",
    ]
    template = [v for v, t in marked if not t]  # the template's words, filled in
    labels = [label for b in slots for label, _ in b.rows] + [b.heading for b in slots]
    (calming,) = [b for b in plan.blocks if isinstance(b, Numbered)]
    shared = [*template, *labels, *calming.items, plan.title]
    assert len(template) >= 3
    text = " ".join(pdf_text(Renderer().make(lib, brand, req).pdf).split())
    patient = ("Rizatriptan 10 mg", "Tuesday 9am", "Sam Smith")
    for words in [*patient, *template, plan.title]:
        assert words in text, words
    private = [t.replace("\u00a0", " ") for t in private]  # a number keeps its word
    assert private and all(any(w in t for w in patient) for t in private), private
    assert all(any(w in t for t in private) for w in patient), private
    assert not any(w in t for t in private for w in shared), private


def test_a_try_added_up_says_what_the_laid_out_try_says():
    """A try adds section heights up where it is sure (handouts.pdf.fitting): over many
    sets of conditions and medicines, regular and large print, and every number of cuts,
    it says fits or does not fit exactly as laying every section out does."""
    from handouts.document.visit import assemble_visit
    from handouts.pdf.render import Tries, fits_visit

    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(350)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    verdicts = {True: 0, False: 0}
    for n in range(24):
        conds = list(rng.choice(pairs))
        if rng.random() < 0.5:
            conds.append(rng.choice([c for c in conditions if c not in conds]))
        meds = tuple(rng.sample(medicines, rng.randint(1, 5)))
        req = Request(tuple(conds), medicines=meds, format="visit", large_print=n % 4 == 3,
                      paper=("a4", "letter")[n % 2], personal=Personal("Sam Smith"),
                      notes="Walk daily." if n % 3 else None, allow=Allow(draft=True),
                      plan_template="migraine-attack-triptan" if n % 5 == 0 else None)  # fmt: skip
        most = len(assemble_visit(lib, req, brand, 0).visit_order)
        for cuts in range(most + 1):
            doc = assemble_visit(lib, req, brand, cuts)
            tries = Tries()
            laid = fits_visit(doc, brand, req.paper, req.large_print, tries, added=False)
            added = fits_visit(doc, brand, req.paper, req.large_print, tries, added=True)
            assert added == laid, (conds, meds, cuts)
            verdicts[laid] += 1
    assert min(verdicts.values()) > 20  # both verdicts were tried, many times


def _looks(pdf: bytes) -> list[object]:
    """What a PDF shows and how a screen reader reads it: each page's characters, boxes,
    lines and links where they are (boxes and lines with their fill and stroke colours and
    line widths), and the structure tree's elements."""
    import pdfplumber
    import pikepdf

    shown: list[object] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            box = ("x0", "top", "x1", "bottom")
            chars = [(c["text"], c["fontname"], c["size"], c["x0"], c["top"]) for c in page.chars]
            drawn = [(o["object_type"], *(o[k] for k in box), _colour(o.get("non_stroking_color")),
                      _colour(o.get("stroking_color")), o.get("linewidth") or 0,
                      bool(o.get("fill")), bool(o.get("stroke")))
                     for o in page.rects + page.lines + page.curves]  # fmt: skip
            links = [(a["uri"], *(a[k] for k in box)) for a in page.annots]
            shown.append((chars, sorted(drawn), links))
    tree: list[tuple[int, str, str]] = []

    def walk(node: pikepdf.Dictionary, depth: int) -> None:
        tree.append((depth, str(node.get("/S", "")), str(node.get("/Alt", ""))))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, depth + 1)

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        walk(doc.Root.StructTreeRoot.K, 0)
        pages = {page.objgen: n for n, page in enumerate(doc.pages)}
        with doc.open_outline() as outline:
            marks = _outline(outline.root, pages)
    shown += [tree, marks]
    return shown


def _colour(value: object) -> tuple[float, ...]:
    """A colour as compared: a grey as the red, green and blue it is; none as ()."""
    if value is None:
        return ()
    values = tuple(value) if isinstance(value, list | tuple) else (value,)
    return values * 3 if len(values) == 1 else values


def _outline(items, pages: dict, depth: int = 0) -> list[object]:
    """Each bookmark's depth, title and page."""
    out: list[object] = []
    for item in items:
        out.append((depth, item.title, pages[item.destination[0].objgen]))
        out += _outline(item.children, pages, depth + 1)
    return out


def _differ(a: object, b: object, at: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ (numbers by more than 0.01), or None."""
    if isinstance(a, float | int) and isinstance(b, float | int):
        return None if abs(a - b) <= 0.01 else f"{at}: {a} != {b}"
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return f"{at}: {len(a)} items != {len(b)}"
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _differ(x, y, f"{at}[{n}]")
            if found:
                return found
        return None
    return None if a == b else f"{at}: {a!r} != {b!r}"


def test_differ_finds_what_differs():
    assert _differ([("a", 1.0, [2.0])], [("a", 1.005, [2.0])]) is None
    assert _differ([("a", 1.0, [2.0])], [("a", 1.02, [2.0])]) == "[0][1]: 1.0 != 1.02"
    assert _differ([("a", 1.0)], [("b", 1.0)]) == "[0][0]: 'a' != 'b'"
    assert _differ([[1.0]], [[1.0, 2.0]]) == "[0]: 1 items != 2"


def test_a_section_stacked_from_its_pieces_looks_and_reads_as_laid_out(monkeypatch):
    """A visit handout's section that fits on the rest of its page is drawn from its
    heading and blocks, each drawn once and moved where it falls
    (handouts.pdf.stacking); one that runs past the foot of its page has the pieces
    that fit stacked and the rest laid out; one kept whole that does not fit starts the
    next page; one that starts a new page is stacked from the top of the page, without
    the space before its heading. Over many sets, on each paper in each print size, in
    English and in Spanish, every other number of cuts that fits prints the same
    characters, boxes, lines, links and bookmarks in the same places, with the same
    structure tree, as laying each section out."""
    from handouts.document.visit import assemble_visit
    from handouts.pdf import fitting, render, stacking

    # how each section of the stacked handout was drawn (reset before each is laid out);
    # _rest_stacked: one past the foot drawn from its pieces on both pages
    drawn = {"placed": 0, "split_at_foot": 0, "_on_next_page": 0, "placed_on_new_page": 0,
             "_rest_stacked": 0}  # fmt: skip

    def counted(module, name):
        real = getattr(module, name)

        def call(*args, **kwargs):
            out = real(*args, **kwargs)
            drawn[name] += out is not None
            return out

        monkeypatch.setattr(module, name, call)

    for module, name in ((fitting, "placed"), (fitting, "split_at_foot"),
                         (render, "_on_next_page"), (fitting, "placed_on_new_page"),
                         (stacking, "_rest_stacked")):  # fmt: skip
        counted(module, name)
    # a card's title said again over its points at the next page's top, stacked
    real_break, again = stacking._rest_break, [0]

    def rest_break(*args):
        found = real_break(*args)
        again[0] += found is not None and found[3]
        return found

    monkeypatch.setattr(stacking, "_rest_break", rest_break)

    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(1406)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    compared, used, kinds = 0, dict.fromkeys(drawn, 0), set()
    for n in range(16):
        conds = list(rng.choice(pairs))
        if rng.random() < 0.5:
            conds.append(rng.choice([c for c in conditions if c not in conds]))
        meds = tuple(rng.sample(medicines, rng.randint(1, 5)))
        # each paper in each print size, in each language
        kind = (("a4", "letter")[n // 2 % 2], n % 3 == 2, "es" if n % 4 in (1, 2) else "en")
        req = Request(tuple(conds), medicines=meds, format="visit", large_print=kind[1],
                      paper=kind[0], personal=Personal("Sam Smith"), language=kind[2],
                      notes="Walk daily." if n % 3 else None, allow=Allow(draft=True),
                      plan_template="migraine-attack-triptan" if n % 5 == 0 else None)  # fmt: skip
        content = in_language(lib, brand, req)
        order = assemble_visit(content, req, brand, 0).visit_order
        skip = int(order[:1] == ("continued",))  # a card's name said again kept, as put back
        for cuts in range(skip, len(order) + 1, 2):
            doc = assemble_visit(content, req, brand, cuts, keep=frozenset({"continued"}))
            laid = render.lay_out_visit(doc, brand, req.paper, req.large_print, stacked=False)
            for name in drawn:
                drawn[name] = 0
            stacked = render.lay_out_visit(doc, brand, req.paper, req.large_print)
            assert (laid is None) == (stacked is None), (conds, meds, cuts)
            if laid is None or stacked is None:
                continue
            a, b = laid.finish()[0], stacked.finish()[0]
            assert a != b  # drawn another way (each piece moved), so not the same bytes
            # the same to a hundredth of a point (moved, not laid out: rounded otherwise)
            assert _differ(_looks(a), _looks(b)) is None, (conds, meds, cuts, kind)
            compared += 1
            kinds.add(kind)
            for name, count in drawn.items():
                used[name] += count
    assert compared > 20 and len(kinds) == 8, (compared, kinds)
    assert min(used.values()) > 5, used  # each way of drawing a section was compared
    assert again[0] > 2, again


def _diverse_requests(count: int, seed: int) -> list[Request]:
    """Visit requests for varied sets of conditions and medicines, on each paper in each
    print size, in English and in Spanish."""
    lib, _ = load_inputs(CONTENT, None)
    rng = random.Random(seed)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    out = []
    for n in range(count):
        conds = list(rng.choice(pairs))
        if rng.random() < 0.5:
            conds.append(rng.choice([c for c in conditions if c not in conds]))
        meds = tuple(rng.sample(medicines, rng.randint(1, 5)))
        out.append(Request(tuple(conds), medicines=meds, format="visit",
                           large_print=n % 3 == 2, paper=("a4", "letter")[n // 2 % 2],
                           language="es" if n % 4 in (1, 2) else "en",
                           personal=Personal("Sam Smith"), allow=Allow(draft=True)))  # fmt: skip
    return out


def _table_box(tier, st, width, parent, fill, head_style, border, ink):
    """A visit handout's tier as ReportLab's table drew it before handouts.pdf.tierbox:
    the reference the box is compared with."""
    from handouts.pdf import flowables as f

    rows = [[f._tier_head(tier, st, width, fill, head_style, parent), ""]]
    items = f.Node("L", parent)
    signs = [f._marked("•", f._item_text(item, None), st, items) for item in tier.items]
    if len(signs) > 1:
        k = f._balance([(0, s.wrap(width / 2 - 16, 10_000)[1], 0, s.getSpaceAfter())
                        for s in signs])  # fmt: skip
        rows.append([signs[:k], signs[k:]])
    else:  # one sign: across the box
        rows += [[sign, ""] for sign in signs]
    if tier.note:
        rows.append([f.para(tier.note, st.body, parent=parent), ""])
    t = f._TierTable(rows, colWidths=[width / 2] * 2, repeatRows=1, splitInRow=1)
    spans = [("SPAN", (0, 0), (-1, 0))] + ([("SPAN", (0, -1), (-1, -1))] if tier.note else [])
    spans += [("SPAN", (0, 1), (-1, 1))] if len(signs) == 1 else []
    t.setStyle(f.table_style([
        *spans,
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), fill),
        ("BOX", (0, 0), (-1, -1), border, ink),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), st.pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad + 1),
    ]))  # fmt: skip
    return t


def test_a_tier_box_drawn_from_its_parts_looks_and_reads_as_the_table_did(monkeypatch):
    """A visit handout's tier is a box laid out from its parts' sizes and drawn from
    their drawings, each found once (handouts.pdf.tierbox, handouts.pdf.columns). Over
    many sets, on both papers, in English and in Spanish, the handout prints the same
    characters, fills and lines in the same places and colours, with the same structure
    tree, as
    with each tier ReportLab's table; and the recorded drawings were used."""
    from handouts.pdf import columns, flowables, tierbox
    from handouts.pdf.paragraph import DRAW_STATE
    from handouts.pipeline import Renderer

    lib, brand = load_inputs(CONTENT, None)
    reqs = [r for r in _diverse_requests(30, 1407) if not r.large_print]
    used = {"signs": 0, "parts": 0}
    real_item, real_part = columns.draw_item, tierbox.draw

    def item(canv, column, text, width, x, y):
        key = (text, column.mark, column.item_style, width,
               tuple(getattr(canv, a) for a in DRAW_STATE), canv.seed)  # fmt: skip
        used["signs"] += columns._DRAWN.get(key) is not None
        real_item(canv, column, text, width, x, y)

    def part(canv, p, parent, x, y, width):
        key = (p.key, width, tuple(getattr(canv, a) for a in DRAW_STATE), canv.seed)
        used["parts"] += tierbox._DRAWN.get(key) is not None
        real_part(canv, p, parent, x, y, width)

    monkeypatch.setattr(columns, "draw_item", item)
    monkeypatch.setattr(tierbox, "draw", part)
    renderer = Renderer()
    ours = [renderer.make(lib, brand, req).pdf for req in reqs]
    assert used["signs"] > 100 and used["parts"] > 20, used
    monkeypatch.setattr(flowables, "_tier_box", _table_box)
    renderer = Renderer()
    theirs = [renderer.make(lib, brand, req).pdf for req in reqs]
    for req, a, b in zip(reqs, ours, theirs, strict=True):
        found = _differ(_looks(a), _looks(b))
        assert found is None, (req.conditions, req.medicines, req.paper, found)


def test_a_tier_box_split_over_pages_keeps_every_sign_and_reads_its_heading_once():
    """A tier that may run over a page splits between its signs: each part fits where
    it is put, every sign prints once, in its column's order, and the heading (an H3, and its drawn
    sign a figure) is read once; the part on the next page repeats the heading for the
    eye only. Too little room for the heading and a first sign: no split."""
    from handouts.document.visit import assemble_visit
    from handouts.pdf import flowables, render
    from handouts.pdf.pages import layout, scratch
    from handouts.pdf.tagging import PAGINATION, Node
    from handouts.pdf.tierbox import TierBox

    lib, brand = load_inputs(CONTENT, None)
    req = Request(("migraine", "lupus", "fibromyalgia"), medicines=("triptans", "nsaids"),
                  format="visit", allow=Allow(draft=True))  # fmt: skip
    doc = assemble_visit(lib, req, brand, 0)
    st, g, seed, _ = render._visit_setup(doc, brand, None, False, None)
    tiers = next(b for s in doc.sections for b in s.blocks if type(b).__name__ == "Tiers")
    tier = max(tiers.tiers, key=lambda t: len(t.items))
    sect = Node("Sect")
    box = flowables._tier_box(tier, st, g.width, sect, st.primary, st.box_head, 1.5, st.primary)
    assert isinstance(box, TierBox) and len(box.texts) >= 6
    _, height = box.wrap(g.width, 10_000)
    split_somewhere = 0
    for room in range(0, int(height) + 1, 4):
        parts = box.split(g.width, room)
        if not parts:
            continue
        first, rest = parts
        assert first.wrap(g.width, room)[1] <= room + 1e-6, room
        # each column splits where it reaches the foot: every sign once, in its column's order
        k = box.split_at
        left, right = box.texts[:k], box.texts[k:]
        firsts = (first.texts[: first.split_at], first.texts[first.split_at :])
        rests = (rest.texts[: rest.split_at], rest.texts[rest.split_at :])
        assert firsts[0] + rests[0] == left and firsts[1] + rests[1] == right, room
        assert first.texts, room
        assert (first.repeated, rest.repeated, first.note, rest.note) == (
            False, True, None, box.note)  # fmt: skip
        split_somewhere += 1
    assert split_somewhere > 5
    assert box.split(g.width, 20) == []
    # laid out on pages too short for it: over pages, the heading read once
    short = replace(g, size=(g.size[0], g.top + g.bottom + height * 0.6))
    laid = layout([box], short, scratch(short, seed))
    assert len(laid.pages) >= 2
    roles = [node.role for page in laid.pages for item in page.code
             if not isinstance(item, str) for node, _ in item.pairs]  # fmt: skip
    assert roles.count("H3") == 1 and roles.count("LBody") == len(box.texts)
    assert roles.count("Figure") == (1 if tier.sign else 0)
    # each later page draws the heading again, for the eye only (a paginated artifact)
    for page in laid.pages[1:]:
        assert any(isinstance(item, str) and item.startswith(PAGINATION) for item in page.code)
    assert not any(isinstance(i, str) and i.startswith(PAGINATION) for i in laid.pages[0].code)


def test_a_column_of_signs_sizes_and_splits_as_reportlab_does_its_list_cell():
    """A tier that may run over a page can split in its row of signs: a column splits
    where ReportLab splits a cell's list of signs (each never split), at every height,
    and its size is that list's, to the last digit."""
    from reportlab.platypus import Table

    from handouts.pdf import columns, flowables, fonts
    from handouts.pdf.paragraph import WholeParagraph
    from handouts.pdf.tagging import Node, list_item

    texts = [flowables._item_text(f.text, None) for f in list(LIB.red_flags.values())[:9]]
    for large in (False, True):
        st = flowables.styles("#123456", "#654321", "#111111", large, True)
        style = flowables._item_style(st, fonts.BODY, 0)
        items = Node("L")
        signs = [list_item(WholeParagraph(t, style, bulletText="•"), items) for t in texts]
        column = columns.ItemColumn(texts, "•", style, items)
        theirs, ours = Table([[signs]], colWidths=[250]), Table([[[column]]], colWidths=[250])
        cell = flowables.table_style([("VALIGN", (0, 0), (-1, -1), "TOP")])
        theirs.setStyle(cell), ours.setStyle(cell)
        assert theirs.wrap(250, 10_000) == ours.wrap(250, 10_000)
        height = theirs._rowHeights[0]
        style_ = theirs._cellStyles[0][0]
        split_at = 0
        for new in range(0, int(height) + 2):
            a = theirs._splitCell(signs, style_, height, new, 250)
            b = ours._splitCell([column], ours._cellStyles[0][0], height, new, 250)
            assert bool(a) == bool(b), new
            if a:
                b_texts = [[t for c in part for t in c.texts] for part in b]
                a_texts = [[p.text for p in part] for part in a]
                assert a_texts == [[s.text for s in signs[: len(a[0])]],
                                   [s.text for s in signs[len(a[0]):]]]  # fmt: skip
                assert [len(x) for x in b_texts] == [len(x) for x in a_texts], new
                split_at += 0 < len(a[0]) < len(signs)
        assert split_at > 50, split_at


def test_a_break_inside_a_section_added_up_ends_where_the_layout_does(monkeypatch):
    """Where a visit handout's section runs past the foot of page 1 and the page breaks
    before a flowable that is never split and surely does not fit (a caution's point),
    a try adds the rest up on the next page (handouts.pdf.stacking._rest_added): over
    many sets, papers, print sizes and cuts, every such rest ends on the second page,
    where ReportLab's layout of the rest ends, to a millionth of a point."""
    from handouts.document.visit import assemble_visit
    from handouts.pdf import stacking
    from handouts.pdf.render import Tries, fits_visit

    lib, brand = load_inputs(CONTENT, None)
    real = stacking._rest_added
    checked = {"added": 0, "laid out": 0}

    def compared(pieces, k, start, g):
        end = real(pieces, k, start, g)
        if end is None:
            checked["laid out"] += 1
            return None
        rest = tuple((part, key) for _, key, part in pieces[k:])
        st, seed = compared.args
        laid = stacking._rest_measured(rest, st, g, seed, start)
        assert len(laid.pages) == 2 and abs(laid.end_y - end) < 1e-6, (end, laid.end_y)
        checked["added"] += 1
        return end

    real_split = stacking.split_at_foot.__wrapped__

    def split(section, st, g, seed, top, measure):
        compared.args = (st, seed)
        return real_split(section, st, g, seed, top, measure)

    monkeypatch.setattr(stacking, "_rest_added", compared)
    monkeypatch.setattr(stacking, "split_at_foot", split)
    for req in _diverse_requests(30, 1409):
        content = in_language(lib, brand, req)
        order = assemble_visit(content, req, brand, 0).visit_order
        skip = int(order[:1] == ("continued",))  # a card's name said again kept, as put back
        for cuts in range(skip, len(order) + 1, 2):
            doc = assemble_visit(content, req, brand, cuts, keep=frozenset({"continued"}))
            fits_visit(doc, brand, req.paper, req.large_print, Tries())
    assert checked["added"] > 50 and checked["laid out"] > 0, checked


def test_a_tier_piece_is_the_same_whether_or_not_the_tier_may_split():
    """A tier's piece is recorded once whether or not the tier may run over a page: laid
    out alone on one page, it is the same either way (size, drawing, structure)."""
    from dataclasses import replace

    from handouts.document.document import Tiers
    from handouts.document.visit import assemble_visit
    from handouts.pdf import render, stacking
    from handouts.pdf.pages import Page

    def drawn(page: Page) -> list[object]:
        return [item if isinstance(item, str) else
                [(n.role, n.parent and n.parent.role, code) for n, code in item.pairs]
                for item in page.code]  # fmt: skip

    lib, brand = load_inputs(CONTENT, None)
    compared = 0
    for req in _diverse_requests(12, 1408):
        content = in_language(lib, brand, req)
        doc = assemble_visit(content, req, brand, 0)
        st, g, seed, _ = render._visit_setup(doc, brand, req.paper, req.large_print, None)
        for section in doc.sections:
            for block in section.blocks:
                if not isinstance(block, Tiers):
                    continue
                for part in stacking._parts(block):
                    a = stacking._block.__wrapped__(replace(part, may_split=False), st, g,
                                                    seed, False)  # fmt: skip
                    b = stacking._block.__wrapped__(replace(part, may_split=True), st, g,
                                                    seed, False)  # fmt: skip
                    assert (a is None) == (b is None)
                    if a is None or b is None:
                        continue
                    assert (a.run, a.keep) == (b.run, b.keep)
                    assert drawn(a.page) == drawn(b.page)
                    compared += 1
    assert compared > 30, compared


def test_a_section_keeps_its_hash_but_never_pickles_it():
    """A section works its hash out once (it is looked up in many memo tables); equal
    sections hash alike, and a copy or a pickle (another process hashes text otherwise)
    carries no hash and works it out again."""
    import copy
    import pickle

    from handouts.document.document import Para, Section

    a, b = Section("x", "A title", (Para("Words."),)), Section("x", "A title", (Para("Words."),))
    assert hash(a) == hash(b) and a == b and hash(a) != hash(Section("y", "A title", ()))
    assert "_hash" in a.__dict__
    for other in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a), copy.copy(a)):
        assert "_hash" not in other.__dict__ and other == a and hash(other) == hash(a)


def test_a_pieces_flowables_are_drawn_apart_only_when_each_keeps_to_itself():
    """A piece's flowables each keep their own part of its drawing (so a page break inside
    the piece draws each part where it falls) only when each draws between saving and
    restoring the graphics state: a flowable that leaves a colour set for the next one
    makes the piece's parts unusable, and its section is laid out instead."""
    from reportlab.platypus import Flowable

    from handouts.pdf import fonts, render, stacking
    from handouts.pdf.flowables import para, styles

    class Leaky(Flowable):
        def wrap(self, *args):
            return 10, 10

        def drawOn(self, canvas, x, y, _sW=0):
            canvas._code.append("1 0 0 rg")  # outside any saved state: the next one is red

    fonts.register()
    st = styles("#1F4E79", "#C55A11", "#1A1A1A", False, True)
    g = render._geometry("letter", False, True)
    seed = "".join(sorted(set("Stay well. Drink water.")))
    sect = stacking.Node("Sect")
    good = stacking._recorded([para("Stay well.", st.body, parent=sect),
                               para("Drink water.", st.body, parent=sect)], g, seed, sect)  # fmt: skip
    assert good is not None and good.units is not None and good.drawings is not None
    assert len(good.drawings) == 2
    text = [str(c.pairs) for p in good.drawings for c in p.code if type(c) is not str]
    assert "Stay well." in text[0] and "Drink water." in text[1]
    sect = stacking.Node("Sect")
    leaky = stacking._recorded([Leaky(), para("Drink water.", st.body, parent=sect)],
                               g, seed, sect)  # fmt: skip
    assert leaky is not None and leaky.units is not None and leaky.drawings is None


def test_the_styles_keep_their_hash_but_never_copy_it():
    """The styles work their hash out once (they are in the key of nearly every memo
    table): the same as the dataclass's own, and a copy, a deep copy (other paragraph
    style objects) or a changed copy carries no hash and works its own out."""
    import copy
    import dataclasses

    from handouts.pdf.flowables import styles

    st = styles("#1F4E79", "#C55A11", "#1A1A1A", False, True)
    fresh = hash(tuple(getattr(st, f.name) for f in dataclasses.fields(st)))
    assert hash(st) == fresh and "_hash" in st.__dict__
    deep = copy.deepcopy(st)
    changed = dataclasses.replace(st, line=st.line + 1)
    for other in (copy.copy(st), deep, changed):
        assert "_hash" not in other.__dict__
    assert copy.copy(st) == st and hash(copy.copy(st)) == hash(st)
    assert hash(deep) == hash(tuple(getattr(deep, f.name) for f in dataclasses.fields(deep)))
    assert hash(changed) != hash(st) and changed != st


def test_a_plan_slot_taller_than_a_page_is_too_long_not_a_crash():
    """Past the 300-character check (a request made in code): a slot whose row is taller
    than a page is a visit handout that does not fit, said as such."""
    from handouts.content.model import MovementPlan, PlanFields
    from handouts.pipeline import TOO_LONG, TooLong

    lib, brand = load_inputs(CONTENT, None)
    plan = PlanFields(movement=MovementPlan(build_up="walk a little more " * 300))
    req = Request(("migraine", "lupus"), format="visit", plan=plan, allow=Allow(draft=True))
    with pytest.raises(TooLong) as caught:
        make(lib, brand, req)
    assert str(caught.value) == TOO_LONG


def test_a_second_rank_caution_for_their_condition_goes_after_every_general_item():
    """Opioids for migraine only as a last resort, and not started for long-term pain like
    fibromyalgia: cautions for the patient's conditions of visit rank 2. Each prints on
    the visit handout (the card alone might read as leave to use them). They are left out
    after every general item and before any medicine's first-rank caution
    (``theirs:<id>``): never what keeps a heavy list from printing (the Spanish list that
    fits only with every cut), never in the place of another medicine's first caution.
    Amitriptyline's dry mouth with Sjögren's is such a caution too."""
    from handouts.document.visit import assemble_visit, cut_order

    lib, brand = load_inputs(CONTENT, None)
    req = Request(("migraine", "fibromyalgia"), medicines=("opioids-butalbital", "snri"),
                  format="visit", allow=Allow(draft=True))  # fmt: skip
    text = pdf_text(make(lib, brand, req).pdf)
    last_resort = "For migraine, experts advise them only as a last resort."
    not_started = "For long-term pain like yours, guidelines advise against starting them."
    addictive = "They can be addictive."
    assert last_resort in text and not_started in text
    order = cut_order(lib, req)
    at = order.index("theirs:opioids-butalbital")
    assert order[at - 1] == "own-uses" and order[at + 1 :] == ("must:snri",
                                                               "must:opioids-butalbital")  # fmt: skip

    def says(cuts: int) -> str:
        return repr(assemble_visit(lib, req, brand, cuts))

    assert last_resort in says(at) and not_started in says(at)
    assert last_resort not in says(at + 1) and not_started not in says(at + 1)
    assert addictive in says(at + 1)  # the medicine's own first caution stays
    assert make(lib, brand, SPANISH_HEAVY).pages == 2  # (with migraine: it fits only so)
    sjogrens = Request(("migraine", "sjogrens"), medicines=("triptans", "amitriptyline"),
                       format="visit")  # fmt: skip
    order = cut_order(lib, sjogrens)
    assert order[order.index("own-uses") + 1 :] == ("theirs:amitriptyline",
                                                    "must:amitriptyline", "must:triptans")  # fmt: skip


def test_a_cut_never_makes_a_visit_handout_longer():
    """The search for the fewest cuts relies on fitting being monotonic: once a number of
    cuts fits, every larger number does. Letting "When to get help" split can take more
    pages than moving it whole (this large-print handout, the section near the foot of a
    page: 9 and 10 cuts did not fit where 7 and 8 did, and which answer was found
    depended on the guess), so a split that does not fit is tried kept whole too. Words
    that stand in for a cut item print only once put back: the painkiller-day rule kept
    whole, with the words that say how to count in the place of its boxes, moved to the
    next page and needed more room (the second handout: 12 cuts fit, 13 did not, 14 did;
    each three more since a card's name said again and, in large print, a caution's lines
    set under its words and the tidy breaks of "When to get help" are the first cuts).
    Checked on those handouts and a spread of large-print and regular ones."""
    from handouts.content.model import AttackPlan, MovementPlan, PlanFields
    from handouts.document.visit import Assembly, assemble_visit, cut_order
    from handouts.pdf.render import Tries
    from handouts.pipeline import _tried

    lib, brand = load_inputs(CONTENT, None)
    typed = ("stretch drink before drink drink before rest stretch a a before take before "
             "drink rest night tablet gentle take tablet the call call with stretch stretch "
             "nurse take morning tablet with morning stretch")  # fmt: skip
    plan = PlanFields(attack=AttackPlan(medicine=typed), next_visit="llamar",
                      movement=MovementPlan(what="walk", how_long="walk", how_often="walk"))  # fmt: skip
    reqs = [Request(("jaw-disorders", "migraine"), medicines=("beta-blockers", "valproate"),
                    format="visit", large_print=True, paper="letter", plan=plan,
                    plan_template="migraine-attack-triptan", personal=Personal("X"),
                    notes="Ahmad salam salam Ahmad salam salam Ahmad", allow=Allow(draft=True))]  # fmt: skip
    reqs.append(Request(("migraine", "multiple-sclerosis"), format="visit", large_print=True,
                        medicines=("interferon-beta", "triptans", "opioids-butalbital",
                                   "estrogen-contraception", "methotrexate"),
                        personal=Personal("X"), allow=Allow(draft=True)))  # fmt: skip
    rng = random.Random(9)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    for n in range(16):
        meds = tuple(rng.sample(sorted(lib.medicines), rng.randint(0, 6)))
        reqs.append(Request(rng.choice(pairs), medicines=meds, format="visit", plan=plan,
                            large_print=n % 4 != 3, paper=("letter", "a4")[n % 2],
                            personal=Personal("X"), allow=Allow(draft=True)))  # fmt: skip
    verdicts = []
    for req in reqs:
        tries, assembly = Tries(), Assembly()
        most = len(cut_order(lib, req))
        fits = [_tried(assemble_visit(lib, req, brand, k, assembly), brand, req, tries)[1]
                for k in range(most + 1)]  # fmt: skip
        verdicts.append("".join("1" if f else "0" for f in fits))
    # (the first cuts: a caution's lines set under its words, the tidy breaks of "When to
    # get help", a card's name said again, and with a plan a plan part's heading)
    assert verdicts[0] == "0000" + "000000000111111111"  # (and a plan part's heading again)
    assert verdicts[1] == "000" + "0000000000000" + "1111111111111"  # (and top:methotrexate)
    assert [v for v in verdicts if "10" in v] == []
    assert sum("1" in v for v in verdicts) > 12  # most fit with some cuts


def test_the_search_for_the_fewest_cuts_finds_them_from_any_guess():
    """Fitting is monotonic in the cuts made: from any guess, the search finds the fewest
    that fit, tries each number of cuts at most once, two or three when the guess is at
    most one out, and says a handout that fits with none of them once every cut is tried,
    after steps that double (never trying every cut when the answer is near the guess)."""
    from types import SimpleNamespace

    from handouts.pipeline import TooLong, _fewest_cuts

    for most in (0, 1, 2, 5, 13, 20):
        for answer in range(most + 2):  # most + 1: nothing fits
            for guess in (None, *range(most + 1)):
                asked: list[int] = []

                def tried(k, most=most, answer=answer, asked=asked):
                    asked.append(k)
                    return SimpleNamespace(visit_order=("cut",) * most), k >= answer

                if answer > most:
                    with pytest.raises(TooLong):
                        _fewest_cuts(tried, guess)
                    assert most in asked, (most, guess, asked)
                    assert len(asked) <= 3 + most.bit_length(), (most, guess, asked)
                else:
                    assert _fewest_cuts(tried, guess)[2] == answer, (most, answer, guess)
                    if guess is not None and abs(answer - guess) <= 2 < most - answer:
                        assert most not in asked, (most, answer, guess, asked)
                assert len(asked) == len(set(asked)), (most, answer, guess, asked)
                if guess is not None and abs(answer - guess) <= 1 and answer <= most:
                    assert len(asked) <= 3, (most, answer, guess, asked)


def test_a_handout_like_one_made_before_keeps_what_was_put_back(monkeypatch):
    """The second patient's handout of the same content is drawn with the first one's
    cuts and without tries: the boxes put back for the first are put back for it too."""
    import handouts.pipeline as pipeline
    from handouts.pipeline import Renderer

    searches = []
    fewest = pipeline._fewest_cuts
    monkeypatch.setattr(pipeline, "_fewest_cuts", lambda *a: searches.append(1) or fewest(*a))
    lib, brand = load_inputs(CONTENT, None)
    renderer = Renderer()
    texts = []
    for name in ("Ana Lopez", "Sam Smith"):
        req = Request(("hashimotos", "migraine"), medicines=("triptans", "snri", "nsaids"),
                      format="visit", plan_template="migraine-attack-triptan",
                      personal=Personal(name))  # fmt: skip
        texts.append(pdf_text(renderer.make(lib, brand, req).pdf))
    assert len(searches) == 1  # the second without tries
    for text in texts:
        assert "Each day you take a painkiller this month, fill in a box." in text
        assert "Count your painkiller days" not in text
    assert texts[0].replace("Ana Lopez", "Sam Smith") == texts[1]
    texts = []  # and the lines that say what a medicine is for, put back (test above)
    for name in ("Ana Lopez", "Sam Smith"):
        req = Request(("chronic-back-pain", "rheumatoid-arthritis"), paper="a4", format="visit",
                      medicines=("methotrexate", "hydroxychloroquine", "nsaids", "triptans",
                                 "corticosteroids", "snri"), personal=Personal(name))  # fmt: skip
        texts.append(pdf_text(renderer.make(lib, brand, req).pdf))
    assert len(searches) == 2
    assert "They ease pain and swelling." in texts[0] and "They treat depression." in texts[0]
    assert texts[0].replace("Ana Lopez", "Sam Smith") == texts[1]
    texts = []  # and the words that say how to count, put back without the boxes
    for name in ("Ana Lopez", "Sam Smith"):
        req = Request(("migraine", "lupus"), format="visit", personal=Personal(name),
                      medicines=("triptans", "snri", "nsaids", "cgrp-medicines"))  # fmt: skip
        texts.append(pdf_text(renderer.make(lib, brand, req).pdf))
    assert len(searches) == 3
    assert "for any pain. Mark the days on a calendar." in texts[0]
    assert texts[0].replace("Ana Lopez", "Sam Smith") == texts[1]


@pytest.mark.parametrize("large", [False, True])
def test_the_counting_boxes_sit_beside_their_words_in_regular_print(cli, tmp_path, large):
    """In regular print the boxes alone take one row beside their words (the room they
    take decides whether they fit); in large print they go under them, where the words
    can be large. (These handouts cut the month and keep the boxes: in regular print, the
    birth-control card takes the month's room.)"""
    import pdfplumber

    out = tmp_path / "visit.pdf"
    more = ["--large-print"] if large else ["estrogen-contraception"]  # cuts the month
    run = cli("build", "--conditions", "migraine", "lupus", "--medicines",
              "sumatriptan", "ibuprofen", *more, "--plan-template", "migraine-attack-triptan",
              "--patient", "X", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "fill in a box." in text and "Count your painkiller days" not in text
    with pdfplumber.open(out) as pdf:
        words = [(p, w) for p, page in enumerate(pdf.pages) for w in page.extract_words()]
    page, said = next((p, w) for p, w in words if w["text"] == "box.")
    label = next(w for p, w in words if p == page and w["text"] == "us"
                 and w["top"] >= said["top"] - 12)  # fmt: skip
    beside = abs(label["top"] - said["top"]) < 10 and label["x0"] > said["x1"]
    assert beside != large


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("limit", [10, 15])
@pytest.mark.parametrize("label", ["Tell us", "Díganos"])
def test_the_counting_boxes_drawn_at_their_own_width_take_one_row(large, limit, label):
    """``counting_width`` is the width ``calendar`` needs for the boxes alone in one row:
    drawn at it, every box is on one line and the words at the limit end inside it."""
    from reportlab.graphics.shapes import Rect, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.pdf import fonts, pictures

    width = pictures.counting_width(limit, label, large)
    drawing = pictures.calendar(limit, label, width, large, month=False)
    boxes = [s for s in drawing.contents if isinstance(s, Rect)]
    assert len(boxes) == limit and len({b.y for b in boxes}) == 1
    said = next(s for s in drawing.contents if isinstance(s, String) and s.text == label)
    assert said.x + stringWidth(label, fonts.BOLD, said.fontSize) <= width + 0.01
    narrower = pictures.calendar(limit, label, width - 3, large, month=False)
    assert len({s.y for s in narrower.contents if isinstance(s, Rect)}) == 2  # it is the least


SPANISH_HEAVY = Request(("migraine", "hashimotos"),
                        medicines=("opioids-butalbital", "topiramate", "ergots", "triptans", "snri",
                                   "estrogen-contraception"),
                        format="visit", paper="letter", plan_template="migraine-attack-triptan",
                        language="es", personal=Personal("José Peña"), allow=Allow(draft=True))  # fmt: skip


def placed_runs(data: bytes) -> list[tuple[str, float]]:
    """(text, x on the page) of every text run drawn in the PDF."""
    runs: list[tuple[str, float]] = []
    for page in PdfReader(io.BytesIO(data)).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                runs.append((text.strip(), round(cm[0] * tm[4] + cm[2] * tm[5] + cm[4], 1)))

        page.extract_text(visitor_text=visit)
    return runs


def test_a_plan_label_too_long_for_its_column_widens_it_instead_of_wrapping():
    """Spanish labels ("Con qué frecuencia:", "Cómo aumentar:") are wider than the
    label column English needs; the column widens to hold the widest on one line, where
    it wrapped to two, a line lost beside a one-line slot; the plan's parts keep one
    column, so their values line up. In large print too."""
    lib, brand = load_inputs(CONTENT, None)
    moving = MovementPlan(what="Caminar", how_long="10 minutos", how_often="5 días a la semana",
                          build_up="5 minutos más cada semana")  # fmt: skip
    for large in (False, True):
        req = Request(("migraine", "fibromyalgia"), medicines=("triptans",), format="visit",
                      plan_template="migraine-attack-triptan", language="es",
                      plan=PlanFields(movement=moving), large_print=large,
                      allow=Allow(draft=True))  # fmt: skip
        placed = placed_runs(make(lib, brand, req).pdf)
        runs = dict(placed)
        for label in ("Segunda dosis:", "Con qué frecuencia:", "Cómo aumentar:"):
            assert label in runs, (large, label)
        assert not {"dosis:", "frecuencia:", "aumentar:"} & runs.keys()
        # the attack part's values start where the movement part's do
        when = next(x for text, x in placed if text.startswith("En cuanto empiece"))
        assert runs["Caminar"] == when > runs["Cuándo:"] + 112


def baselines(data: bytes, start: str) -> list[float]:
    """The heights on the page of the lines of the paragraph whose first line starts
    with ``start`` (that line and those under it at the same left edge, in order)."""
    runs: list[tuple[str, float, float]] = []
    for page in PdfReader(io.BytesIO(data)).pages[:1]:

        def visit(text, cm, tm, font, size):
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                runs.append((text.strip(), round(x, 1), cm[1] * tm[4] + cm[3] * tm[5] + cm[5]))

        page.extract_text(visitor_text=visit)
    at = next(n for n, (text, _x, _y) in enumerate(runs) if text.startswith(start))
    left = runs[at][1]
    lines = [runs[at][2]]
    for _text, x, y in runs[at + 1 :]:
        if x != left or y >= lines[-1]:
            break
        lines.append(y)
    return lines


def test_the_lines_close_up_before_a_medicine_s_own_cautions_are_left_out():
    """Before a medicine's own first-rank cautions are left out (the last cuts), the
    body's lines are set a little closer: 14.5 pt apart for 12 pt type instead of 16, the
    type unchanged. A Spanish handout with a plan template, two conditions and six
    medicines fits only so; an English one keeps valproate's warning about harm to an
    unborn baby that it left out before."""
    from handouts.document.visit import Assembly, assemble_visit, cut_order
    from handouts.pdf.render import Tries
    from handouts.pipeline import _tried, brand_in

    lib, brand = load_inputs(CONTENT, None)
    spanish, branded = in_language(lib, brand, SPANISH_HEAVY), brand_in(brand, SPANISH_HEAVY)
    order = cut_order(spanish, SPANISH_HEAVY)
    at = order.index("snug")
    assert order[at - 1] == "second-point" and order[at + 1] == "own-uses"
    assert all(c.startswith(("theirs:", "must:", "with:", "top:")) for c in order[at + 2 :])
    tries, assembly = Tries(), Assembly()

    def fits(cuts: int, keep: frozenset[str] = frozenset()) -> bool:
        doc = assemble_visit(spanish, SPANISH_HEAVY, branded, cuts, assembly, keep)
        return _tried(doc, branded, SPANISH_HEAVY, tries)[1]

    assert not fits(len(order), frozenset({"snug"}))  # every other cut, normal lines
    assert fits(len(order))
    done = make(lib, brand, SPANISH_HEAVY)
    assert done.pages == 2
    body = [size for text, size in text_sizes(done.pdf) if text.startswith("Un derrame")]
    assert body and min(body) == 12
    lines = baselines(done.pdf, "Un derrame")
    assert len(lines) == 3 and {round(a - b, 2) for a, b in itertools.pairwise(lines)} == {14.5}
    text = pdf_text(done.pdf)
    for tier in ("Emergencia:", "Llámenos hoy", "Díganos en su próxima cita"):
        assert tier in text
    # the medicines named mid-sentence by their short names, lower-case as a sentence has them
    # (set apart by semicolons, so that no name reads as a kind of the one before it)
    assert ("La versión completa dice qué vigilar con cada uno de estos: opioides (como la "
            "codeína) o butalbital; topiramato; ergotamínicos; triptanes; medicamentos IRSN. "
            "Pídanosla.") in text  # fmt: skip

    english = Request(("migraine", "endometriosis"),
                      medicines=("triptans", "topiramate", "hydroxychloroquine", "valproate",
                                 "estrogen-contraception", "paracetamol"),
                      format="visit", paper="a4", plan_template="migraine-attack-triptan",
                      personal=Personal("Sam"), allow=Allow(draft=True))  # fmt: skip
    done = make(lib, brand, english)
    assert done.pages == 2
    assert "It can badly harm an unborn baby" in pdf_text(done.pdf)
    normal = make(lib, brand, Request(("migraine", "fibromyalgia"), format="visit"))
    lines = baselines(normal.pdf, "A stroke can look like an aura")
    assert {round(a - b, 2) for a, b in itertools.pairwise(lines)} == {16.0}


def test_a_handout_with_its_lines_closer_is_never_drawn_from_another_patient_s_cuts():
    """Two fronts that end at one height with normal lines can end apart with them closer
    (a note wrapped over six lines, or five one-line notes, each a row with its own
    padding): a handout that set its lines closer is reused for the next one of the same
    shape only if their fronts with closer lines match too, since the room differs (here
    1.5 pt, and with it whether the triptans' own cautions fit). The same request gives
    the same bytes whatever came before it."""
    lib, brand = load_inputs(CONTENT, None)
    base = Request(("migraine", "chronic-back-pain"), medicines=("triptans", "hydroxychloroquine"),
                   format="visit", paper="letter", language="es",
                   plan_template="migraine-attack-triptan", allow=Allow(draft=True))  # fmt: skip
    one = replace(base, personal=Personal("Ana"), notes=("descanse bien " * 42).strip())
    other = replace(base, personal=Personal("Bea"),
                    notes="\n".join([("descanse bien " * 7).strip()] + ["Agua."] * 4))  # fmt: skip
    alone = make(lib, brand, one).pdf
    renderer = Renderer()
    renderer.make(lib, brand, other)
    after = renderer.make(lib, brand, one).pdf
    assert after == alone
    caution = "Puede haber opresión en el pecho"  # the triptans' side effects
    assert caution in pdf_text(alone)  # in the room it has...
    assert caution not in pdf_text(make(lib, brand, other).pdf)  # ...which the other has not


def test_an_urgent_main_point_comes_first_whatever_order_the_conditions_are_picked_in():
    """Of the key points with the same priority, the most urgent print first (a stroke can
    look like an aura: call the emergency number, before giant cell arteritis: call us the
    same day), so a web form that lists conditions by name does not put fibromyalgia's
    exercise point above it; ties of the same urgency print in the order the conditions
    are given. The full version's main points, capped at eight, keep it too (three links
    and each condition's first point filled them, before its urgent points came first)."""
    lib, brand = load_inputs(CONTENT, None)
    stroke = "The main points • A stroke can look like an aura"

    def main_points(*conditions: str) -> str:
        req = Request(conditions, medicines=("triptans",), format="visit", allow=ALLOW_TODAY)
        return pdf_text(make(lib, brand, req).pdf)

    assert stroke in main_points("migraine", "fibromyalgia")
    assert stroke in main_points("fibromyalgia", "migraine")
    assert stroke in main_points("lupus", "migraine")
    assert stroke in main_points("jaw-disorders", "migraine")
    full = Request(("fibromyalgia", "lupus", "migraine"), format="full", allow=ALLOW_TODAY)
    assert "A stroke can look like an aura" in pdf_text(make(lib, brand, full).pdf)  # capped at 8
    exercise = "The main points • Exercise is the best-proven way to ease the pain."
    assert exercise in main_points("fibromyalgia", "lupus")
    assert "The main points • Some people with lupus" in main_points("lupus", "fibromyalgia")


@pytest.mark.parametrize("form", ["--visit", "--full"])
def test_a_sign_to_look_for_migraine_is_left_out_for_someone_who_has_it(cli, tmp_path, form):
    """'Headaches that keep coming back' (tell us at your next visit) says something to a
    reader with endometriosis alone, and nothing to one who has migraine too: its
    not_with leaves it out there, in both versions; the other signs of both print."""
    flag = LIB.red_flags["recurring-headaches"]
    assert flag.not_with == ("migraine",)
    printed = {}
    for conditions in (("endometriosis",), ("migraine", "endometriosis")):
        out = tmp_path / f"{len(conditions)}.pdf"
        run = cli("build", form, "--conditions", *conditions, "--out", out)
        assert run.code == 0, run.err
        printed[conditions] = pdf_text(out.read_bytes())
    assert "Headaches that keep coming back." in printed["endometriosis",]
    both = printed["migraine", "endometriosis"]
    assert "Headaches that keep coming back." not in both
    for cid in ("migraine", "endometriosis"):
        for other in (LIB.red_flags[f] for f in LIB.conditions[cid].red_flags if f != flag.id):
            said = (other.short or other.text) if form == "--visit" else other.text
            words = " ".join(said.split()[:4])
            if "{{" not in words:
                assert words in both, other.id


def _lowest_text_mm(data: bytes) -> float:
    """How far above the bottom edge the lowest word of any page ends, in millimetres."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        gaps = [p.height - max(w["bottom"] for w in p.extract_words()) for p in pdf.pages]
    return min(gaps) / 72 * 25.4


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("large", [False, True])
def test_the_footer_ends_inside_the_margin_in_every_language_and_for_a_long_clinic_footer(
    language, paper, large
):
    """Red team: a Spanish visit handout's footer ran to a third line (a fourth in large
    print), which ended 5.6 mm (4.2 mm) from the edge, where a home printer may not reach.
    A clinic's longer footer moves the text up instead."""
    lib, brand = load_inputs(CONTENT, None)
    req = Request(("migraine", "fibromyalgia"), medicines=("triptans",), format="visit",
                  paper=paper, large_print=large, language=language,
                  personal=Personal("Ana"), allow=ALLOW_TODAY)  # fmt: skip
    done = make(lib, brand, req)
    assert _lowest_text_mm(done.pdf) >= 9.5  # the 10 mm margin, less a letter's tail
    spec = brand.spec
    long = "Riverside Clinic, Department of Neurology and Rheumatology, 12 River Road. " * 3
    spec = replace(spec, footer=long, translations=[
        replace(t, footer=long) for t in spec.translations])  # fmt: skip
    done = make(lib, replace(brand, spec=spec), req)
    assert _lowest_text_mm(done.pdf) >= 9.5
    assert "Department of Neurology" in pdf_text(done.pdf)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_booklets_medicine_card_never_leaves_its_title_at_the_foot_of_a_page(paper):
    """A review found a card's title and what it is for at the foot of a page, its
    cautions on the next under no title. Over a spread of full booklets, every card's
    title is on the page of its first caution. (A visit handout's cards may still break
    after their title: keeping them whole there would cost content its fitting keeps.)"""
    from handouts.content.words import words
    from handouts.document.assemble import medicine_title

    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(32)
    meds = sorted(lib.medicines)
    titles = {medicine_title(m, 4, words("en")) for m in lib.medicines.values()}  # a booklet's
    sets = [(tuple(link.conditions), tuple(rng.sample(meds, 6))) for link in lib.links.values()]
    checked, wrong = 0, []
    for conditions, taken in sets:
        req = Request(conditions, medicines=taken, format="full", paper=paper,
                      allow=Allow(draft=True))  # fmt: skip
        made = make(lib, brand, req)
        lines = [(n, line.strip()) for n, page in enumerate(PdfReader(io.BytesIO(made.pdf)).pages)
                 for line in (page.extract_text() or "").splitlines()]  # fmt: skip
        for at, (page, line) in enumerate(lines):
            if line in titles:
                first = next((p for p, text in lines[at + 1 :] if text.startswith("⚠")), None)
                checked += 1
                if first is not None and first != page:
                    wrong.append((conditions, taken, line))
    assert wrong == [] and checked > 85, (checked, wrong)


def headings_at_a_foot(data: bytes) -> list[tuple[int, str]]:
    """(page, line) for each page but the last whose last line above the footer's rule
    is all in bold with nothing drawn under it (ruled lines to write on): a heading or a
    card's title that ends a page alone."""
    found = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages[:-1], 1):
            rule = max(w["top"] for w in page.lines if w["x1"] - w["x0"] > page.width / 2)
            chars = [c for c in page.chars if c["top"] < rule - 2 and c["text"].strip()]
            last = max(c["bottom"] for c in chars)
            line = sorted((c for c in chars if c["bottom"] > last - 3), key=lambda c: c["x0"])
            drawn = [o for o in (*page.lines, *page.rects, *page.curves)
                     if o["top"] > last + 1 and o["bottom"] < rule - 2]  # fmt: skip
            if not drawn and all("Bold" in c["fontname"] for c in line):
                found.append((n, "".join(c["text"] for c in line)))
    return found


def test_a_booklets_heading_never_ends_a_page_alone():
    """Found reading a Spanish large-print pack: "Cada medicamento" ended a page, its
    first medicine card on the next. ReportLab keeps a heading with what follows it, but
    not with a group kept together (a card's title, what it is for and its first caution;
    a combination caution): "Your medicines" ended a page in 3 of 40 random booklets, and
    in 23 of 60 Spanish large-print ones. Over a spread of booklets (both languages,
    papers and print sizes), no page ends with a heading or a title alone."""
    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(35)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    meds = sorted(lib.medicines)
    found, pages = [], 0
    for language, large in itertools.product(("es", "en"), (True, False)):
        for _ in range(4):
            req = Request(rng.choice(pairs), medicines=tuple(rng.sample(meds, rng.randint(2, 6))),
                          format="full", paper=rng.choice(["letter", "a4"]), large_print=large,
                          language=language, allow=Allow(draft=True))  # fmt: skip
            made = make(lib, brand, req)
            found += [(req.conditions, req.medicines, at) for at in headings_at_a_foot(made.pdf)]
            pages += len(PdfReader(io.BytesIO(made.pdf)).pages)
    assert found == [] and pages > 200, (pages, found)


def tint_below_text(data: bytes) -> list[tuple[int, float]]:
    """(page, points) for each tinted box (a run of filled rectangles one under another, in
    one colour) on each page: how far it runs on below the last letter inside it."""
    found = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            boxes: list[dict] = []
            fills = [r for r in page.rects if r["fill"] and r["non_stroking_color"] != (0.0,)]
            for r in sorted(fills, key=lambda r: (r["x0"], r["top"])):
                box = boxes[-1] if boxes else None
                if (box and abs(box["x0"] - r["x0"]) < 0.5 and abs(box["x1"] - r["x1"]) < 0.5
                        and r["top"] <= box["bottom"] + 0.5
                        and r["non_stroking_color"] == box["colour"]):  # fmt: skip
                    box["bottom"] = max(box["bottom"], r["bottom"])
                else:
                    boxes.append({**r, "colour": r["non_stroking_color"]})
            for box in boxes:
                inside = [c["bottom"] for c in page.chars if c["text"].strip()
                          and box["x0"] <= c["x0"] <= box["x1"]
                          and box["top"] <= c["top"] and c["bottom"] <= box["bottom"] + 1]  # fmt: skip
                if inside and box["bottom"] - box["top"] > 10:
                    found.append((n, box["bottom"] - max(inside)))
    return found


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_booklets_box_split_over_a_page_ends_with_its_text(language):
    """Found reading a Spanish large-print pack: where a box's next point did not fit at a
    page's foot, the box ran on empty to the foot (ReportLab split inside the point, which
    is kept whole, into parts with nothing in them, one after another: 15 of them, 59
    points of tint). Every default booklet's main points did so on its first page, by 12
    to 35 points. Now every tinted box ends within its padding of its last line, in the
    default booklets and in large print."""
    lib, brand = load_inputs(CONTENT, None)
    checked = 0
    for handout in lib.handouts:
        for large in (False, True):
            title = handout.title if language == "en" else None
            req = Request(tuple(handout.conditions), title, format="full",
                          diary=handout.diary, large_print=large, language=language,
                          allow=Allow(draft=True))  # fmt: skip
            found = tint_below_text(make(lib, brand, req).pdf)
            assert all(points < 7 for _page, points in found), (handout.id, large, found)
            checked += len(found)
    assert checked > 60


def test_a_booklets_tier_taller_than_a_page_leaves_no_page_empty():
    """A review found page 12 of a large-print booklet empty: the space after the
    emergency tier went on to it, so it was not "at its top", and the next tier, kept
    together and taller than a page, broke to page 13 all the same. It now splits where
    it is: every page has words on it, and "Call us today" starts on the page after the
    one "When to get help" starts on."""
    lib, brand = load_inputs(CONTENT, None)
    req = Request(("jaw-disorders", "sjogrens", "rheumatoid-arthritis"), format="full",
                  medicines=("valproate", "cgrp-medicines", "amitriptyline", "ergots",
                             "methotrexate", "beta-blockers"),
                  large_print=True, paper="a4", allow=Allow(draft=True))  # fmt: skip
    data = make(lib, brand, req).pdf
    assert all(words for _numbers, words in footer_words(data))  # a footer on every page
    empty, texts = [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            rule = max(w["top"] for w in page.lines if w["x1"] - w["x0"] > page.width / 2)
            if not [c for c in page.chars if c["top"] < rule - 2 and c["text"].strip()]:
                empty.append(n)
            texts.append(page.extract_text() or "")
    starts = next(n for n, text in enumerate(texts) if "When to get help" in text.split("\n")[0])
    today = next(n for n, text in enumerate(texts) if n > starts and "Call us today" in text)
    assert empty == [] and today == starts + 1, (empty, starts + 1, today + 1)


def test_a_tier_after_a_full_page_never_leaves_the_next_page_empty():
    """The second review: a tier a few points shorter than a page, after a page filled to
    its foot, still got ReportLab's frame break, since the space after the page's content
    went on to the next page and left it not quite whole. Tiers of every height from
    below a page to well over one, there: no page holds only that space."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer, Table
    from reportlab.platypus.flowables import Flowable

    from handouts.pdf.flowables import _TallTier

    class Full(Flowable):
        def wrap(self, aW: float, aH: float) -> tuple[float, float]:
            return 100, 654.8

        def draw(self) -> None:
            pass

    class Doc(BaseDocTemplate):
        placed: dict[int, list[str]]

        def afterFlowable(self, f: Flowable) -> None:
            self.placed.setdefault(self.page, []).append(type(f).__name__)

    for height in range(600, 1001, 10):
        doc = Doc(io.BytesIO(), pagesize=(400, 700))
        doc.placed = placed = {}
        doc.addPageTemplates([PageTemplate(frames=[Frame(0, 0, 400, 654.8, 0, 0, 0, 0)])])
        tier = Table([["sign"]] * (height // 10), rowHeights=[10] * (height // 10))
        doc.build([Full(), Spacer(1, 8), _TallTier([tier])])
        empty = [n for n, names in placed.items() if not {"Full", "Table"} & set(names)]
        assert empty == [] and sum(names.count("Table") for names in placed.values()) >= 1, (
            height,
            placed,
        )


def test_a_box_split_leaves_no_row_with_nothing_in_it():
    """A review: where a box's first point fits but not the padding under it, ReportLab
    put the point in the first part and an empty row at the top of the rest. Offered
    every height up to two points and a half, a box of points kept whole splits between
    them or not at all, and never leaves an empty row on either side."""
    from handouts.pdf import fonts
    from handouts.pdf.flowables import _box, _item_style, styles
    from handouts.pdf.paragraph import WholeParagraph

    fonts.register()
    st = styles("#1F4E79", "#EAF1F8", "#1A1A1A")
    words = "A main point kept whole, long enough to run on to a second line of the box. " * 2
    style = _item_style(st, fonts.BODY, 0)
    row = _box([WholeParagraph(words, style, bulletText="•")], st, 450).wrap(450, 1e4)[1]
    splits = set()
    for tenth in range(int(row * 25)):
        box = _box([WholeParagraph(words, style, bulletText="•") for _ in range(3)], st, 450)
        box.wrap(450, tenth / 10)
        parts = box.split(450, tenth / 10)
        rows = [[bool(cell) for r in p._cellvalues for cell in r] for p in parts]
        assert all(all(r) for r in rows), (tenth / 10, rows)
        splits.add(tuple(len(r) for r in rows))
    assert splits == {(), (1, 2), (2, 1)}, splits


def test_how_sure_we_are_reads_as_every_other_caution_tag_does():
    """A review: the link's tag printed '(Seen in some studies.)', every other tag has
    no full stop inside its brackets ('(Shown in many studies)')."""
    from handouts.content.model import EVIDENCE_WORDS
    from handouts.document.document import Para
    from handouts.document.visit import Assembly, assemble_visit

    lib, brand = load_inputs(CONTENT, None)
    tags = tuple(f"({words})" for words in EVIDENCE_WORDS.values())
    linked = 0
    for link in lib.links.values():
        req = Request(tuple(link.conditions), format="visit")
        doc = assemble_visit(lib, req, brand, 0, Assembly())
        for section in (s for s in doc.sections if s.id == "links"):
            for block in section.blocks:
                assert isinstance(block, Para) and block.text.endswith(tags), block.text
                linked += 1
    assert linked >= len(lib.links)


def test_a_visit_handouts_cards_give_their_room_to_content(cli, tmp_path):
    """Keeping a visit handout's card title with its first caution, as a booklet does,
    cost content where it left a page's foot empty (a review: 29 of 400 random handouts
    needed more cuts). This Spanish handout then lost its second main point."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--visit", "--conditions", "axial-spondyloarthritis", "--medicines",
              "snri", "tnf-inhibitors", "ergots", "nsaids", "valproate", "topiramate",
              "--language", "es", "--paper", "a4", "--patient", "Anna Test", "--allow-draft",
              "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    assert "El ejercicio diario y los antiinflamatorios (AINE) son lo primero." in pdf_text(
        out.read_bytes()
    )


def test_a_card_that_goes_on_over_a_page_says_whose_cautions_go_on(monkeypatch):
    """A caution at the top of a page under no title ("⚠ Stopping: Do not stop
    suddenly…") says it of no medicine the reader can see: about half of all visit
    handouts printed one. Where a card's cautions go on at a page's top, its name is said
    again over them ("Beta-blockers, continued"), wherever there is room: it is the first
    cut, and the last put back, so it never takes the room of anything else. Over varied
    sets, papers, print sizes and both languages: a page starts with a caution under no
    name only where the line was cut, and each handout prints, but for these lines, what
    it prints when they take no room (the same document drawn)."""
    from reportlab.platypus import Table

    import handouts.pipeline as pipeline
    from handouts.document.document import Caution, Slots, Tiers
    from handouts.pdf.flowables import _SlotsTable
    from handouts.pdf.paragraph import GoesOn, WholeParagraph

    lib, brand = load_inputs(CONTENT, None)
    made: dict[str, object] = {}
    real_order, real_fewest, real_draw = (pipeline.cut_order, pipeline._fewest_cuts,
                                          pipeline.lay_out_visit)  # fmt: skip

    def order(lib, req):
        made["order"] = real_order(lib, req)
        return made["order"]

    def fewest(tried, guess):
        found = real_fewest(tried, guess)
        made["cuts"] = found[2]
        return found

    def drawn(doc, *args, **kwargs):  # the document drawn, each card's line left out
        blocks = lambda s: tuple(  # noqa: E731 (and where "When to get help" breaks)
            replace(b, continued="") if isinstance(b, Caution | Slots) else
            replace(b, tidy_breaks=True) if isinstance(b, Tiers) else b for b in s.blocks
        )  # fmt: skip
        made["doc"] = tuple(replace(s, blocks=blocks(s)) for s in doc.sections)
        return real_draw(doc, *args, **kwargs)

    monkeypatch.setattr(pipeline, "cut_order", order)
    monkeypatch.setattr(pipeline, "_fewest_cuts", fewest)
    monkeypatch.setattr(pipeline, "lay_out_visit", drawn)
    again = re.compile(r"^.+(, continued|: continuación)$")
    said, put_back, left_out, docs = 0, 0, 0, []
    reqs = _diverse_requests(160, 1412)
    for req in reqs:
        made.clear()
        pages = PdfReader(io.BytesIO(Renderer().make(lib, brand, req).pdf)).pages
        docs.append(made["doc"])
        tops = [page.extract_text().splitlines()[:2] for page in pages[1:]]
        cut = "continued" in made["order"][: made["cuts"]]  # type: ignore[index]
        plan = tuple(b.heading for s in made["doc"] for b in s.blocks if isinstance(b, Slots))
        for first, second in tops:
            if again.match(first) and first.startswith(plan):  # a plan part's (test_tagged)
                continue
            if again.match(first):
                assert second.startswith("⚠"), (req, second)
                said += 1
                put_back += cut
            if first.startswith("⚠"):  # under no name: only where the line was cut
                assert cut, (req, first)
                left_out += 1
    assert said > 40 and put_back > 10 and left_out < said, (said, put_back, left_out)
    # the same handouts with the line never said (it takes no room, and is not drawn)
    monkeypatch.setattr(GoesOn, "room", lambda self, width, height: 0.0)
    monkeypatch.setattr(GoesOn, "drawOn", WholeParagraph.drawOn)
    monkeypatch.setattr(_SlotsTable, "_room", lambda self, width, height: 0.0)
    monkeypatch.setattr(_SlotsTable, "drawOn", Table.drawOn)
    for req, doc in zip(reqs, docs, strict=True):
        Renderer().make(lib, brand, req)
        assert made["doc"] == doc, req


def _help_breaks(pages: list[str], doc) -> tuple[list[str], bool]:
    """Where "When to get help" breaks badly over a page in these pages' text, and whether
    the section runs over a page at all: its heading and the contact line with no sign
    after them on their page; a tier's heading with fewer than two of its rows (signs, or
    the note) before a break in it, or said again over fewer than two after it."""
    from handouts.document.document import Tiers

    section = next(s for s in doc.sections if s.id == "get-help")
    (tiers,) = (b for b in section.blocks if isinstance(b, Tiers))
    heads = [t.heading[:18] for t in tiers.tiers]
    notes = [t.note[:18] for t in tiers.tiers if t.note]
    foot = re.compile(r"^(Content checked|Draft: not yet|Revisado el|Borrador)")
    bodies = []
    for page in pages:
        lines = [line.strip() for line in page.splitlines()]
        ends = [n for n, line in enumerate(lines) if foot.match(line)]
        bodies.append(lines[: ends[0]] if ends else lines)

    def head(line: str) -> str | None:  # (a booklet's starts with its symbol)
        return next((h for h in heads if line.lstrip("!☎✎ ").startswith(h)), None)

    def rows(lines: list[str]) -> int:  # a tier's rows, up to the next tier's heading
        n = 0
        for line in lines:
            if head(line):
                break
            n += line.startswith("•") or any(line.startswith(x) for x in notes)
        return n

    bad, over = [], False
    for k, body in enumerate(bodies):
        if section.title in body:
            at = body.index(section.title)
            over = over or (k + 1 < len(bodies) and not any(head(x) for x in body[at:]))
            if not any(x.startswith("•") for x in body[at:]):
                bad.append(f"page {k + 1} ends with the heading")
        if k + 1 == len(bodies) or not bodies[k + 1] or not head(bodies[k + 1][0]):
            continue
        last = [n for n, x in enumerate(body) if head(x)]
        if last and head(body[last[-1]]) == head(bodies[k + 1][0]):  # said again overleaf
            over = True
            before, after = rows(body[last[-1] + 1 :]), rows(bodies[k + 1][1:])
            if before < 2 or after < 2:
                bad.append(f"page {k + 1}: {before} row(s) before a break, {after} after")
    return bad, over


def drawn_documents(monkeypatch) -> dict[str, object]:
    """Where each visit handout made from now on keeps the document it is drawn from
    (``["doc"]``: the one that fits, with the cuts put back)."""
    import handouts.pipeline as pipeline

    made: dict[str, object] = {}
    real = pipeline.lay_out_visit

    def drawn(doc, *args, **kwargs):
        made["doc"] = doc
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(pipeline, "lay_out_visit", drawn)
    return made


def blocks_as(doc, kind: type, **values: object) -> tuple:
    """``doc``'s sections with each block of ``kind`` given ``values`` (a document as it
    would be but for a cut that sets them)."""
    return tuple(replace(s, blocks=tuple(
        replace(b, **values) if isinstance(b, kind) else b for b in s.blocks
    )) for s in doc.sections)  # fmt: skip


def test_when_to_get_help_breaks_over_a_page_only_where_it_reads_well(monkeypatch):
    """In large print, "When to get help" is often taller than the room left on its page,
    and a page break fell where it read badly: the section's heading and the contact line
    alone at a page's foot, the tiers overleaf (18 English and 25 Spanish of 300 random
    large-print visit handouts); a tier's heading with one sign under it at a page's
    foot, or said again over one sign, or over the after-hours line alone, at the next
    page's top (41 and 77). A page break in a tier now leaves two of its rows on each
    side, and the section's heading goes on with the first tier. That is the first cut
    and the last put back (``help-breaks``), so it never costs a handout anything else:
    where it is put back, the section breaks well; where it is cut, the handout prints
    what it prints with the breaks never tidied (the same document drawn)."""
    from handouts.document import visit
    from handouts.document.document import Tiers

    def untidied(doc) -> tuple:
        return blocks_as(doc, Tiers, tidy_breaks=True)

    lib, brand = load_inputs(CONTENT, None)
    made = drawn_documents(monkeypatch)
    real_cut = visit._Visit.cut
    reqs = [replace(r, large_print=True) for r in _diverse_requests(120, 1416)]
    tidy, kept_over, untidy, badly, docs = 0, 0, 0, 0, []
    for req in reqs:
        pdf = Renderer().make(lib, brand, req).pdf
        doc = made["doc"]
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        bad, over = _help_breaks(pages, doc)
        (tiers,) = (b for s in doc.sections for b in s.blocks if isinstance(b, Tiers))
        if tiers.tidy_breaks:
            assert bad == [], (req, bad)
            tidy += 1
            kept_over += over
        else:
            untidy += 1
            badly += bool(bad)
        docs.append(untidied(doc))
    assert kept_over > 20 and badly > 5 and tidy > untidy, (tidy, kept_over, untidy, badly)
    # the same handouts with the breaks never tidied (the cut made on every try)
    monkeypatch.setattr(visit._Visit, "cut", lambda self, name: name == "help-breaks" or
                        real_cut(self, name))  # fmt: skip
    for req, doc in zip(reqs, docs, strict=True):
        Renderer().make(lib, brand, req)
        assert untidied(made["doc"]) == doc, req


def test_a_booklets_tier_breaks_over_a_page_with_two_rows_on_each_side():
    """A booklet keeps each tier of "When to get help" on one page where it fits; one
    taller than a page (many conditions' signs, large print) is split at the next page's
    top, and ReportLab split it there as it liked: a review found "Call us today" said
    again over the after-hours line alone (migraine and lupus on A4), and 24 of 320
    random booklets with one row after a break. It now keeps two rows on each side
    there too."""
    from handouts.document.assemble import assemble

    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(1417)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions = sorted(lib.conditions)
    reqs = [Request(("migraine", "lupus"), paper="a4", allow=Allow(draft=True))]
    for n in range(23):
        conds = list(rng.choice(pairs))
        if rng.random() < 0.5:
            conds.append(rng.choice([c for c in conditions if c not in conds]))
        reqs.append(Request(tuple(conds), paper=("a4", "letter")[n % 2], large_print=n % 3 == 0,
                            language="es" if n % 4 == 1 else "en", allow=Allow(draft=True)))  # fmt: skip
    split = 0
    for req in reqs:
        doc = assemble(in_language(lib, brand, req), req, brand)
        pdf = Renderer().make(lib, brand, req).pdf
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        bad, over = _help_breaks(pages, doc)
        assert bad == [], (req, bad)
        split += over
    assert split > 8, split


def test_a_tier_split_moves_rows_over_until_two_go_on_whatever_room_is_left():
    """A split of a tier's box leaves two rows on each side at every height it is offered,
    or none at all (the tier goes on whole). A second review: where the row after the
    break was far taller than the others, the room taken off a short row at a time moved
    nothing over, and the tier went on whole where three rows and two fitted."""
    from reportlab.lib.styles import getSampleStyleSheet

    from handouts.pdf import flowables
    from handouts.pdf.paragraph import Paragraph

    style = getSampleStyleSheet()["BodyText"]
    rows = [[Paragraph("Call us today", style)]]
    rows += [[Paragraph(f"Sign {n}.", style)] for n in range(1, 5)]
    rows.append([Paragraph("A tall sign " + "with many words " * 60, style)])
    table = flowables._TierTable(rows, colWidths=[300], repeatRows=1)
    table.wrap(300, 10_000)
    heights = list(table._rowHeights)
    assert heights[5] > 10 * heights[4]  # the last sign is far taller than the others
    split, whole = 0, 0
    for room in range(0, int(sum(heights)) + 20, 2):
        parts = table.split(300, room)
        if len(parts) != 2:
            whole += 1
            continue
        before, after = (len(p._cellvalues) - 1 for p in parts)
        assert before >= 2 and after >= 2, (room, before, after)
        split += 1
    # all but the tall sign fit, with room to spare: three signs go first, two follow
    parts = table.split(300, sum(heights) - 1)
    assert [len(p._cellvalues) - 1 for p in parts] == [3, 2]
    assert split > 50 and whole > 10, (split, whole)


@pytest.mark.parametrize(
    "args",
    [
        ["--medicines", "ibuprofen", "--attack-medicine", "co-codamol 30/500 mg, 2 tablets"],
        ["--medicines", "ibuprofen", "co-codamol"],
        ["--medicines", "ibuprofen", "--attack-medicine", "Hydrocodone/acetaminophen 5/325"],
    ],
)
def test_a_combined_painkiller_counts_from_10_days_and_brings_each_card(cli, tmp_path, args):
    """Co-codamol (paracetamol and codeine) typed in the plan or listed, and hydrocodone
    named by its ingredient: a red team found co-codamol's days counted as ibuprofen's
    alone (15) and neither the paracetamol card nor the opioid card printed. A painkiller
    that mixes kinds counts from 10 days (ICHD-3)."""
    out = tmp_path / "visit.pdf"
    run = cli("build", "--conditions", "migraine", *args, "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "Take them on fewer than 10 days a month" in text
    assert "fewer than 15 days" not in text
    assert "Opioids and butalbital (codeine, tramadol, oxycodone)" in text
    assert "Paracetamol (acetaminophen)" in text
    assert "Never take two products with paracetamol" in text


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["--visit", "--full"])
def test_an_ergot_with_propranolol_is_a_combination_caution(cli, tmp_path, language, kind):
    """A red team: the ergot card's visit words left propranolol out, so a patient on both
    was told nothing of it. It is a combination caution now (never cut), with what to do,
    in the tier its red flag has (call us today); the card no longer says it too."""
    out = tmp_path / "handout.pdf"
    run = cli("build", kind, "--conditions", "migraine", "--medicines", "propranolol",
              "ergotamine", "--language", language, "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = " ".join(pdf_text(out.read_bytes()).split())
    title, today, card = {
        "en": ("Ergots with propranolol", "Call us today if fingers or toes go cold"
               if kind == "--visit" else "Call us the same day if your fingers or toes go cold",
               "Triptans can add to their effect on blood vessels."),
        "es": ("Ergotamínicos con propranolol", "Llámenos hoy si los dedos",
               "Los triptanes pueden sumarse a su efecto sobre los vasos sanguíneos."),
    }[language]  # fmt: skip
    assert title in text and today in text
    if kind == "--full":
        assert card in text  # the card's own words, without propranolol


def test_low_dose_aspirin_is_no_painkiller_and_brings_no_nsaid_card(cli, tmp_path):
    """A review: a patient with lupus on daily low-dose aspirin (to prevent clots), listed
    or typed as the daily medicine, got the NSAIDs' card ("Ask us before you take NSAIDs")
    and was told to take it on fewer than 15 days a month. Low-dose aspirin brings no
    card and no painkiller days; aspirin alone is still an NSAID."""
    texts = {}
    for name, args in {
        "listed": ["--medicines", "low-dose aspirin", "hydroxychloroquine"],
        "typed": ["--medicines", "hydroxychloroquine", "--daily-medicine", "Aspirin 81 mg"],
        "pain": ["--medicines", "aspirin", "hydroxychloroquine"],
    }.items():
        out = tmp_path / f"{name}.pdf"
        run = cli("build", "--conditions", "lupus", "migraine", *args, "--out", out)
        assert run.code == 0, run.err
        texts[name] = " ".join(pdf_text(out.read_bytes()).split())
    for name in ("listed", "typed"):
        assert "NSAIDs (anti-inflammatory painkillers)" not in texts[name]
        assert "fewer than 15 days" not in texts[name]  # (migraine's rule: any painkiller)
        assert "Hydroxychloroquine" in texts[name]
    assert "NSAIDs (anti-inflammatory painkillers)" in texts["pain"]
    assert "Take them on fewer than 15 days a month" in texts["pain"]


def hanging_lines(data: bytes, marks: str = "⚠•") -> list[tuple[float, float]]:
    """For each line that goes on from a line starting with one of ``marks`` (a list
    item's label) in the same item: where its first word starts, and where the words of
    the item's first line start (after the label), read with pdfplumber. A line is the
    item's when it is right of the label and a line's height under the one before (a
    heading after the item is further down); a two-column box's lines (side by side) are
    read column by column, each a line of its own."""
    found: list[tuple[float, float]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = page.extract_words(x_tolerance=1.5, extra_attrs=["size"])
            rows: dict[int, list[dict]] = {}
            for w in words:  # by baseline (a smaller label's top is lower)
                rows.setdefault(round(w["bottom"] / 4), []).append(w)
            lines = []
            for _, row in sorted(rows.items()):
                row.sort(key=lambda w: w["x0"])
                start = 0
                for k in range(1, len(row) + 1):  # a wide gap: the next column
                    if k == len(row) or row[k]["x0"] - row[k - 1]["x1"] > 40:
                        lines.append(row[start:k])
                        start = k
            lines.sort(key=lambda ws: (ws[0]["x0"] > page.width / 2, ws[0]["bottom"]))
            item, last = None, None
            for ws in lines:
                first, size = ws[0], max(w["size"] for w in ws)
                near = last is not None and 0 < first["bottom"] - last <= 1.5 * size
                if first["text"][0] in marks and len(ws) > 1:
                    words_at = ws[1]["x0"] if first["text"] in marks else first["x0"]
                    item = (first["x0"], words_at)
                elif item is not None and near and first["x0"] > item[0] + 1:
                    found.append((first["x0"], item[1]))
                else:
                    item = None
                last = first["bottom"]
    return found


@pytest.mark.parametrize("large", [False, True])
def test_a_list_items_lines_start_under_its_first_lines_words(cli, tmp_path, large):
    """A red team: a caution's second line started left of its first line's words, under
    the "⚠" (11.9 points in large print, 3 in regular print; a bullet's 3.7 in large
    print). ReportLab starts the first line's words after the label and a gap, wherever
    the indent is less. Every line that goes on from a "⚠" or "•" now starts where its
    first line's words do."""
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, "--plan", ROOT / "examples" / "plan.yaml", "--out", out,
              *(["--large-print"] if large else []))  # fmt: skip
    assert run.code == 0, run.err
    found = hanging_lines(out.read_bytes())
    assert len(found) >= 8  # the cautions' and the signs' second lines
    assert [round(x - words, 1) for x, words in found] == [0.0] * len(found)


@pytest.mark.parametrize(
    ("args", "subtitle"),
    [
        (["--plan", str(ROOT / "examples" / "plan.yaml")], "Your plan, and what to watch for"),
        ([], "What to watch for"),
        (["--language", "es"], "Qué vigilar"),
    ],
)
def test_the_subtitle_speaks_of_a_plan_only_where_there_is_one(cli, tmp_path, args, subtitle):
    """A red team: a visit handout with no plan was subtitled "Your plan, and what to
    watch for"."""
    out = tmp_path / "visit.pdf"
    run = cli(*VISIT, *args, "--out", out)
    assert run.code == 0, run.err
    title = PdfReader(out).metadata.title  # the subtitle, even where cut from the page
    assert title.endswith(f": {subtitle}")
    text = " ".join(pdf_text(out.read_bytes()).split())
    if not args:  # (cut to fit from the others' pages: the issue's handout; Spanish)
        assert f"fibromyalgia {subtitle} Read it online" in text


def test_a_large_print_cautions_lines_line_up_where_there_is_room_and_cost_nothing(monkeypatch):
    """In a large-print visit handout a caution's lines after its first, set under its
    first line's words, are 11.9 points narrower than set under its "⚠": done always, 26
    of 300 random visit handouts printed less, 8 of them a caution or more. It is the first cut and the last
    put back (``hang``), so it costs nothing else: where it is put back, every line lines
    up; where it is cut, the handout prints what it prints with it always cut (the same
    document drawn, but for the flag)."""
    from handouts.document import visit
    from handouts.document.document import Caution

    def flat(doc) -> tuple:
        return blocks_as(doc, Caution, hang=True)

    lib, brand = load_inputs(CONTENT, None)
    made = drawn_documents(monkeypatch)
    real_cut = visit._Visit.cut
    reqs = [replace(r, large_print=True) for r in _diverse_requests(60, 1417)]
    lined, given_up, docs = 0, 0, []
    for req in reqs:
        pdf = Renderer().make(lib, brand, req).pdf
        doc = made["doc"]
        hangs = {b.hang for s in doc.sections for b in s.blocks if isinstance(b, Caution)}
        found = hanging_lines(pdf, "⚠")
        if hangs == {True}:
            assert [round(x - words, 1) for x, words in found] == [0.0] * len(found), req
            lined += 1
        else:
            assert hangs == {False}, req
            given_up += 1
        docs.append(flat(doc))
    assert lined > 30 and given_up > 2, (lined, given_up)
    monkeypatch.setattr(visit._Visit, "cut", lambda self, name: name == "hang" or
                        real_cut(self, name))  # fmt: skip
    for req, doc in zip(reqs, docs, strict=True):
        Renderer().make(lib, brand, req)
        assert flat(made["doc"]) == doc, req


CROWDED_MTX = ["--conditions", "migraine", "rheumatoid-arthritis", "--medicines", "methotrexate",
               "naproxen", "rizatriptan", "prednisolone"]  # fmt: skip
"""A red team's crowded handout: a patient on methotrexate, an NSAID, a triptan and a
steroid, whose Spanish visit handout left out every card."""


@pytest.mark.parametrize("language", ["en", "es"])
def test_methotrexate_once_a_week_and_the_nsaid_cautions_are_the_last_left_out(
    cli, tmp_path, language
):
    """A red team: a crowded Spanish visit handout left out the whole methotrexate card,
    with "take it once a week, never daily" (MHRA counts daily methotrexate a fatal
    error), and the steroid card's stomach bleeding with an NSAID, for a patient taking
    both. Methotrexate's once-weekly caution (visit rank 0) and a caution about a
    medicine the patient takes too (``with``) are the last cuts now: both print here, in
    English and Spanish, while the cards' other first-rank cautions are left out in
    Spanish and named with where to read them. With the triptan plan's attack steps and
    calming practice too, the Spanish one keeps methotrexate's once a week alone, the
    very last cut."""
    out = tmp_path / "visit.pdf"
    run = cli("build", *CROWDED_MTX, "--language", language, "--out", out)
    assert run.code == 0, run.err
    assert pages(out.read_bytes()) == 2
    text = " ".join(pdf_text(out.read_bytes()).split())
    weekly, bleeding, trimethoprim, full = {
        "en": ("Take it once a week, on the same day, never daily: daily doses can kill.",
               "With NSAIDs such as ibuprofen, stomach bleeding is much more likely.",
               "Never take trimethoprim or co-trimoxazole with it",
               "The full version says what to watch for with each of these: "),
        "es": ("Tómelo una vez por semana, el mismo día, nunca a diario: las dosis diarias "
               "pueden matar.",
               "Con antiinflamatorios como el ibuprofeno, es mucho más probable tener un "
               "sangrado del estómago.",
               "Nunca tome trimetoprima ni cotrimoxazol con el metotrexato",
               "La versión completa dice qué vigilar con cada uno de estos: "),
    }[language]  # fmt: skip
    assert weekly in text and bleeding in text and trimethoprim in text
    if language == "es":  # crowded: the steroid's other caution is in the full version
        assert "Lleve una tarjeta de esteroides" not in text
        assert f"{full}triptanes; tabletas de esteroides. Pídanosla." in text
    run = cli("build", *CROWDED_MTX, "--plan-template", "migraine-attack-triptan",
              "--language", language, "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    assert pages(out.read_bytes()) == 2
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert weekly in text
    if language == "es":
        assert bleeding not in text and trimethoprim not in text
        assert (f"{full}metotrexato; antiinflamatorios (AINE) como el ibuprofeno; triptanes; "
                "tabletas de esteroides. Pídanosla.") in text  # fmt: skip


def test_a_caution_about_a_medicine_they_take_too_is_cut_last_and_only_then():
    """The steroid card's stomach bleeding with NSAIDs (``with: [nsaids]``) is one of the
    last cuts only for a patient who takes an NSAID too: without one, it is a first-rank
    caution like any other (``must:``). Methotrexate's once-weekly caution (rank 0) is
    the very last (``top:``), cut only where nothing else is left to cut; a card cut to
    nothing is named with where to read it."""
    from handouts.document.document import Caution, Para
    from handouts.document.visit import Assembly, assemble_visit, cut_order

    lib, brand = load_inputs(CONTENT, None)
    both = Request(("rheumatoid-arthritis", "fibromyalgia"), format="visit",
                   medicines=("corticosteroids", "nsaids", "methotrexate"))  # fmt: skip
    order = cut_order(lib, both)
    assert order[-3:] == ("with:methotrexate", "with:corticosteroids", "top:methotrexate")
    alone = replace(both, medicines=("corticosteroids", "methotrexate"))
    assert not any(c.startswith("with:") for c in cut_order(lib, alone))
    assert cut_order(lib, alone)[-1] == "top:methotrexate"

    def card(cuts: int, name: str) -> tuple[str, ...] | None:
        doc = assemble_visit(lib, both, brand, cuts, Assembly())
        blocks = next(s for s in doc.sections if s.id == "medicines").blocks
        for b in blocks:
            if isinstance(b, Caution) and b.title.startswith(name):
                return tuple(p.risk for p in b.points)
        return None

    steroid, mtx = "Steroid tablets", "Methotrexate"
    bleeding = "With NSAIDs such as ibuprofen, stomach bleeding is much more likely."
    weekly = "Take it once a week, on the same day, never daily"
    for cuts in (0, order.index("must:corticosteroids") + 1, order.index("with:methotrexate")):
        kept = card(cuts, steroid)
        assert kept is not None and any(r.startswith(bleeding) for r in kept)
    every_must = order.index("with:methotrexate")
    assert [r[:20] for r in card(every_must, steroid)] == [bleeding[:20]]  # the rest is cut
    assert len(card(every_must, mtx)) == 2  # once a week, and with an NSAID
    assert card(len(order) - 1, steroid) is None
    assert [r[: len(weekly)] for r in card(len(order) - 1, mtx)] == [weekly]
    assert card(len(order), mtx) is None
    doc = assemble_visit(lib, both, brand, len(order), Assembly())
    said = [b.text for s in doc.sections if s.id == "medicines" for b in s.blocks
            if isinstance(b, Para)]  # fmt: skip
    assert said == ["The full version says what to watch for with each of these: steroid "
                    "tablets; NSAIDs such as ibuprofen; methotrexate. Ask us for it."]  # fmt: skip


def test_a_card_whose_last_cuts_are_made_is_named_not_printed_bare(content_copy):
    """A review: a card whose only ranked cautions are last cuts (``with`` or rank 0) has
    no ``must:`` cut, so when its last cut was made it printed what the medicine is for
    and no caution, and the "full version" line did not name it. Steroid tablets with
    only their NSAID caution ranked: at every cut, the card prints it, or is named."""
    from handouts.document.document import Caution, Para
    from handouts.document.visit import Assembly, assemble_visit, cut_order

    steroids = content_copy / "medicines" / "corticosteroids.yaml"
    text = steroids.read_text(encoding="utf-8")
    for short in ('    visit: 2\n    short: "They make', '    visit: 1\n    short: "After'):
        assert short in text
        text = text.replace(short, '    short: "' + short.split('"')[1])
    steroids.write_text(text, encoding="utf-8")
    lib = load_library(content_copy, PRINTER)
    _, brand = load_inputs(CONTENT, None)
    req = Request(("fibromyalgia", "migraine"), format="visit",
                  medicines=("corticosteroids", "nsaids"))  # fmt: skip
    order = cut_order(lib, req)
    assert "must:corticosteroids" not in order and order[-1] == "with:corticosteroids"
    for cuts in (0, len(order) - 1, len(order)):
        doc = assemble_visit(lib, req, brand, cuts, Assembly())
        blocks = next(s for s in doc.sections if s.id == "medicines").blocks
        card = [b for b in blocks if isinstance(b, Caution) and b.title.startswith("Steroid")]
        said = " ".join(b.text for b in blocks if isinstance(b, Para))
        if cuts < len(order):
            assert len(card) == 1 and card[0].points != ()
            assert "steroid tablets" not in said
        else:
            assert card == [] and "steroid tablets" in said


PAST_A_SHEET = Request(("migraine", "me-cfs", "fibromyalgia"),
                       medicines=("triptans", "methotrexate", "snri", "opioids-butalbital",
                                  "ergots", "gabapentinoids"),
                       format="visit", paper="letter",
                       plan_template="migraine-attack-simple-painkiller", language="es",
                       personal=Personal("José Peña"), allow=Allow(draft=True))  # fmt: skip


def test_what_is_never_left_out_goes_on_to_both_sides_of_a_second_sheet(
    monkeypatch,
):
    """Three conditions, six medicines, the simple-painkiller plan, in Spanish: with every
    cut made, what is never left out does not fit on one sheet. The handout goes on to
    both sides of the next (a side left blank would be paper given with cautions left
    out), with the fewest cuts that fit there and what fits put back, rather than print
    nothing; the same bytes every time, and a handout like it for another patient is
    drawn with its cuts and pages, without tries."""
    from handouts import pipeline
    from handouts.document.visit import Assembly, assemble_visit, cut_order, with_plan_medicines
    from handouts.pdf.render import Tries

    lib, brand = load_inputs(CONTENT, None)
    spanish = in_language(lib, brand, PAST_A_SHEET)
    branded, req = (
        pipeline.brand_in(brand, PAST_A_SHEET),
        with_plan_medicines(spanish, PAST_A_SHEET, lib),
    )
    order = cut_order(spanish, req)
    every = assemble_visit(spanish, req, branded, len(order), Assembly())
    assert not pipeline._tried(every, branded, req, Tries())[1]  # one sheet: not even so
    assert pipeline._tried(every, branded, req, Tries(), 4)[1]
    renderer = Renderer()
    done = renderer.make(lib, brand, PAST_A_SHEET)
    assert done.pages == 4
    text = pdf_text(done.pdf)
    for kept in ("Mi plan", "Durante un ataque", "Tómelo una vez por semana",  # the plan;
                 "Opioides con gabapentina o pregabalina",  # medicines taken together;
                 "Emergencia: llame al 911 o vaya a la sala de emergencias ahora", "Llámenos hoy",
                 "Díganos en su próxima cita", "Página 4 de 4",
                 # and what is put back where it fits on these pages: the counting boxes,
                 # what a medicine is for, a card's name said again over a page
                 "Cada día de este mes que tome un analgésico, llene una casilla.",
                 "Detienen un ataque de migraña que ya empezó.",
                 "Opioides y butalbital: continuación"):  # fmt: skip
        assert kept in text
    assert Renderer().make(lib, brand, PAST_A_SHEET).pdf == done.pdf
    tried = []
    monkeypatch.setattr(pipeline, "fits_visit", lambda *a, **k: tried.append(a) or True)
    other = renderer.make(lib, brand, replace(PAST_A_SHEET, personal=Personal("Ana Pérez")))
    assert tried == [] and other.pages == 4
    assert pdf_text(other.pdf) == text.replace("José Peña", "Ana Pérez")


def test_a_clinician_is_told_when_a_visit_handout_takes_more_than_its_sheet():
    from handouts.pipeline import past_a_sheet, past_a_sheet_rows

    assert past_a_sheet(PAST_A_SHEET, 2) is None
    assert past_a_sheet(replace(PAST_A_SHEET, format="full"), 12) is None
    assert past_a_sheet(PAST_A_SHEET, 4) == (
        "this visit handout takes 4 pages, not 2: what is never left out (such as the plan, "
        "the notes, the red flags and the combination cautions) does not fit on one sheet, "
        "even with everything else left out; print it on 2 sheets, both sides"
    )
    large = replace(PAST_A_SHEET, large_print=True)
    assert past_a_sheet(large, 4) is None
    assert past_a_sheet(large, 6) == (
        "this visit handout takes 6 pages, not 4: what is never left out (such as the plan, "
        "the notes, the red flags and the combination cautions) does not fit on two sheets, "
        "even with everything else left out; print it on 3 sheets, both sides"
    )
    assert past_a_sheet_rows(["MIG-7"]) == (
        "1 row (MIG-7): its visit handout takes more pages: what is never left out (such as "
        "the plan, the notes, the red flags and the combination cautions) does not fit on one "
        "sheet (two in large print), even with everything else left out; the manifest gives "
        "its pages"
    )
    many = past_a_sheet_rows([f"R{n}" for n in range(12)])
    assert many.startswith("12 rows (R0, R1, R2, R3, R4, R5, R6, R7, R8, R9 and 2 more): their ")
    assert many.endswith("; the manifest gives their pages")
