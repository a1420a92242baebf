"""The Renderer: one owner for everything remembered while handouts are made."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import traceback
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image

from handouts import memo
from handouts.content.model import AttackPlan, PlanFields
from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.errors import RenderError
from handouts.pipeline import Renderer, load_inputs

from .conftest import BRAND, CONTENT, TODAY, pdf_text

ALLOW = Allow(today=dt.date.fromisoformat(TODAY))
PACK = "migraine-autoimmune-clinic"
REQUESTS = [
    Request(("migraine", "lupus"), medicines=("triptans",), notes="Walk daily.",
            personal=Personal("Zoë O'Brien", "Dr Jiří Dvořák", dt.date(2026, 11, 21))),
    Request(("fibromyalgia",), diary=True, paper="a4", personal=Personal("Łukasz Nowak")),
    Request(("chronic-back-pain", "rheumatoid-arthritis"), large_print=True),
    Request(("lupus", "migraine", "chronic-back-pain"), format="visit", large_print=True,
            medicines=("corticosteroids", "snri", "tnf-inhibitors", "methotrexate"),
            plan_template="migraine-attack-triptan", personal=Personal("Ann Lee")),
    Request(("migraine", "fibromyalgia"), format="visit", medicines=("triptans",),
            plan=PlanFields(attack=AttackPlan(medicine="Sumatriptan 50 mg")), notes="Walk."),
    Request(pack=PACK, medicines=("triptans",), notes="Note", personal=Personal("Ann Lee")),
]  # fmt: skip
REQUESTS = [replace(r, allow=ALLOW) for r in REQUESTS]

NEW_PROCESS = f"""
import datetime as dt, sys
from pathlib import Path
from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.pipeline import Renderer, load_inputs
lib, brand = load_inputs(Path({str(CONTENT)!r}), None)
req = Request(pack={PACK!r}, medicines=("triptans",), notes="Note", personal=Personal("Ann Lee"),
              allow=Allow(today=dt.date.fromisoformat({TODAY!r})))
sys.stdout.buffer.write(Renderer().make(lib, brand, req).pdf)
"""


def test_a_fresh_renderer_a_warm_one_and_a_new_process_make_the_same_bytes(tmp_path):
    lib, brand = load_inputs(CONTENT, None)
    warm = Renderer()
    for req in REQUESTS * 2:  # everything laid out, broken and compressed at least once
        warm.make(lib, brand, req)
    made = [warm.make(lib, brand, req).pdf for req in REQUESTS]
    assert sum(warm.caches.sizes().values()) > 1000
    assert [Renderer().make(lib, brand, req).pdf for req in REQUESTS] == made
    fresh = subprocess.run([sys.executable, "-c", NEW_PROCESS], capture_output=True, check=True)
    assert fresh.stdout == made[-1]
    warm.clear()
    assert warm.caches.sizes() == {}
    assert warm.make(lib, brand, REQUESTS[0]).pdf == made[0]


def test_a_renderer_keeps_its_tables_to_itself():
    """What a renderer remembers is in its own tables, not the thread's or another's; a
    renderer dropped takes everything it remembered with it."""
    lib, brand = load_inputs(CONTENT, None)
    memo.clear_all()
    one, two = Renderer(), Renderer()
    one.make(lib, brand, REQUESTS[0])
    assert sum(one.caches.sizes().values()) > 100
    assert two.caches.sizes() == {}
    assert memo.active().sizes() == {}


def test_a_modules_own_table_holds_no_more_than_its_bound(monkeypatch):
    """A module's own dict forgets what it stored first once past its bound; an ordered
    one what it least recently stored or recalled (only those count as a use); a table
    without room is refused."""
    monkeypatch.setattr(memo, "_SPECS", list(memo._SPECS))  # declared for this test only
    plain = memo.table("tests.plain", 2)
    used = memo.table("tests.used", 2, OrderedDict)
    with memo.using(memo.Caches()) as caches:
        plain["a"], plain["b"], plain["c"] = 1, 2, 3
        assert dict(plain) == {"b": 2, "c": 3}
        plain["b"] = 4  # stored again: still the first stored
        plain["d"] = 5
        assert dict(plain) == {"c": 3, "d": 5}
        used["a"], used["b"] = 1, 2
        assert used.recall("a") == 1
        assert used.recall("z") is None
        used["c"] = 3  # forgets b, recalled less recently than a
        assert dict(used) == {"a": 1, "c": 3}
        used["a"] = 4  # storing again is a use too, and forgets nothing
        assert list(used.items()) == [("c", 3), ("a", 4)]
        assert used.get("c") == 3  # looked at, not used
        used["d"] = 5
        assert dict(used) == {"a": 4, "d": 5}
        assert caches.sizes()["tests.used"] == 2
    assert memo.active().sizes().get("tests.plain") is None
    with pytest.raises(ValueError) as refused:
        memo.table("tests.none", 0)
    assert str(refused.value) == "tests.none: a table holds at least one entry"


def test_two_threads_with_a_renderer_each_make_what_one_thread_makes():
    lib, brand = load_inputs(CONTENT, None)
    alone = [Renderer().make(lib, brand, req).pdf for req in REQUESTS]
    results: dict[int, list[bytes]] = {}
    failures: list[str] = []

    def work(n: int) -> None:
        try:
            renderer = Renderer()
            order = REQUESTS if n % 2 else REQUESTS[::-1]
            made = {req: renderer.make(lib, brand, req).pdf for _ in range(3) for req in order}
            results[n] = [made[req] for req in REQUESTS]
        except BaseException as exc:  # reported by the main thread, with where it was raised
            failures.append("".join(traceback.format_exception(exc)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert all(results[n] == alone for n in range(4))


def test_one_renderer_shared_by_two_threads_is_used_by_one_at_a_time():
    lib, brand = load_inputs(CONTENT, None)
    shared = Renderer()
    alone = [Renderer().make(lib, brand, req).pdf for req in REQUESTS]
    out: list[list[bytes]] = []
    threads = [
        threading.Thread(
            target=lambda: out.append([shared.make(lib, brand, r).pdf for r in REQUESTS])
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [alone] * 3


def test_a_logo_changed_in_place_is_read_again(tmp_path):
    """A clinic saves a new logo over the old file: the next handout has the new one, as a
    new process would print it."""
    folder = tmp_path / "brand"
    folder.mkdir()
    text = BRAND.read_text(encoding="utf-8")
    (folder / "brand.yaml").write_text(text.replace("logo: logo.svg", "logo: logo.png"))
    logo = folder / "logo.png"
    Image.new("RGB", (120, 60), (200, 30, 30)).save(logo)
    lib, brand = load_inputs(CONTENT, folder / "brand.yaml")
    renderer = Renderer()
    red = renderer.make(lib, brand, REQUESTS[1]).pdf
    Image.new("RGB", (120, 60), (30, 30, 200)).save(logo)
    blue = renderer.make(lib, brand, REQUESTS[1]).pdf
    assert blue != red
    assert blue == Renderer().make(lib, brand, REQUESTS[1]).pdf


def test_a_thread_given_a_copy_of_the_callers_context_still_has_its_own_tables():
    """asyncio.to_thread and web frameworks run work in another thread with a copy of the
    caller's context: the tables must still be that thread's own."""
    import asyncio
    import contextvars

    lib, brand = load_inputs(CONTENT, None)
    mine = memo.active()
    seen: list[object] = []

    def work() -> bytes:
        seen.append(memo.active())
        from handouts.pipeline import make

        return make(lib, brand, REQUESTS[0]).pdf

    async def main() -> list[bytes]:
        return list(await asyncio.gather(*(asyncio.to_thread(work) for _ in range(6))))

    made = asyncio.run(main())
    ctx = contextvars.copy_context()
    thread = threading.Thread(target=ctx.run, args=(work,))
    thread.start()
    thread.join()
    assert all(caches is not mine for caches in seen)
    assert len(set(made)) == 1 and made[0] == Renderer().make(lib, brand, REQUESTS[0]).pdf


def test_reportlab_is_left_as_it_was_after_threads_draw_at_once():
    from reportlab.platypus import paragraph as rl_paragraph

    lib, brand = load_inputs(CONTENT, None)
    threads = [
        threading.Thread(target=lambda: [Renderer().make(lib, brand, r) for r in REQUESTS])
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rl_paragraph._drawBullet.__module__ == "reportlab.platypus.paragraph"


def test_an_svg_logo_changed_in_place_is_read_again(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "brand.yaml").write_text(BRAND.read_text(encoding="utf-8"))
    svg = (BRAND.parent / "logo.svg").read_text(encoding="utf-8")
    (folder / "logo.svg").write_text(svg)
    lib, brand = load_inputs(CONTENT, folder / "brand.yaml")
    renderer = Renderer()
    before = renderer.make(lib, brand, REQUESTS[1]).pdf
    assert 'fill="#1F4E79"' in svg
    (folder / "logo.svg").write_text(svg.replace('fill="#1F4E79"', 'fill="#00AA00"'))
    after = renderer.make(lib, brand, REQUESTS[1]).pdf
    assert after == Renderer().make(lib, brand, REQUESTS[1]).pdf
    assert after != before


def test_parts_drawn_without_the_document_template_are_drawn_as_it_draws_them(monkeypatch):
    """Most parts laid out fit on the page they start on, and are drawn without
    ReportLab's document template (:func:`handouts.pdf.pages._on_one_page`); the rest
    (a part that breaks over pages, or moves to the next) go through it.
    Every handout here (visit and full, regular and large print, A4, a diary, a pack) is
    the same bytes when every part goes through the template."""
    from handouts.pdf import pages

    lib, brand = load_inputs(CONTENT, None)
    real, used = pages._on_one_page, []

    def counted(*args: object) -> float | None:
        found = real(*args)  # type: ignore[arg-type]
        used.append(found is not None)
        return found

    monkeypatch.setattr(pages, "_on_one_page", counted)
    direct = [Renderer().make(lib, brand, req).pdf for req in REQUESTS]
    assert sum(used) >= 90 and used.count(False) >= 30  # (129 and 35 on 6 December)
    monkeypatch.setattr(pages, "_on_one_page", lambda *args: None)
    assert [Renderer().make(lib, brand, req).pdf for req in REQUESTS] == direct


def test_a_story_laid_out_without_the_template_is_laid_out_as_with_it():
    """Stories laid out directly, compared with the template's layout of the same ones:
    the drawing, links, bookmarks, where the content ends, where each flowable was
    placed (the template also lists the page's start first) and what the pieces read
    after (keep with next: cleared where grouped, as the template clears it, and put back
    where the template lays the story out after all). Some fit on their page (headings
    kept with what follows, a section's lead); others go back to the template after
    part of them was drawn (a bookmark and a link in it), or at once."""
    import re

    from reportlab.platypus import KeepTogether, Spacer
    from reportlab.platypus.doctemplate import ActionFlowable

    from handouts.pdf import pages, render
    from handouts.pdf.flowables import _Lead
    from handouts.pdf.paragraph import HeadingParagraph, Paragraph
    from handouts.pdf.tagging import tag

    _lib, brand = load_inputs(CONTENT, None)
    st, g = render._setup(brand, "letter", False)

    def para(text: str) -> Paragraph:
        return tag(Paragraph(text, st.body), "P", None)

    def head(text: str, level: int = 1, keep: bool = True) -> HeadingParagraph:
        found = HeadingParagraph(text, st.h1, f"key-{text}", level, text)
        if not keep:
            found.keepWithNext = 0  # a bookmark on its own
        return found

    link = 'See <a href="https://example.org/x" color="#1A1A1A"><u>example.org</u></a>.'
    stories = {  # name: (story, where it starts, drawn without the template)
        "fits": (lambda: [head("Title", 0, False), para(link),
                          KeepTogether([para("a"), para("b")]), head("Last")], None, True),
        "goes on": (lambda: [para("a"), KeepTogether([para("b"), para("c")]), para("d")],
                    400.0, True),
        "last kept with next": (lambda: [para("a"), head("Head")], 300.0, True),
        "runs over": (lambda: [head("Title", 0, False), para(link), Spacer(1, 600)], None,
                      False),
        "kept with next, then more": (lambda: [head("Head"), para("after")], 400.0, True),
        "kept with next, too low": (lambda: [para("a"), head("Head")], 110.0, False),
        "headings kept with a group": (lambda: [head("A"), head("B", 2), KeepTogether(
            [para("x"), para("y")]), para("z")], 400.0, True),
        "a section's lead": (lambda: [_Lead([head("Section"), head("Sub", 2), para("body")]),
                                      para("more")], 400.0, True),
        "a lead split at the foot": (lambda: [_Lead([head("Section"), para("b " * 400)])],
                                     300.0, False),
        "kept with next, then runs over": (lambda: [head("Head"), para("after"),
                                                    Spacer(1, 600)], 400.0, False),
        "a lead at the top of a page": (lambda: [_Lead([head("Section"), para("body")])],
                                        None, True),
        "a group too tall at the top": (lambda: [head("Head"), para("b " * 3000)], None,
                                        False),
        "a group runs over": (lambda: [para("a"), KeepTogether([para("b " * 400),
                                                                para("c " * 400)])], 400.0, False),
        "a group too tall for a page": (lambda: [KeepTogether([para("b " * 1500),
                                                               para("c " * 1500)])], None, False),
    }  # fmt: skip

    def laid(make: Any, top: float | None, direct: bool) -> tuple[str, bool]:
        real = pages._on_one_page
        used = []

        def counted(*args: Any) -> float | None:
            found = real(*args) if direct else None
            used.append(found is not None)
            return found

        pages._on_one_page = counted
        try:
            story, placed = make(), []
            canvas = pages.PdfCanvas(g, "abc")
            rec = pages.layout(story, g, canvas, top, positions=placed)
        finally:
            pages._on_one_page = real
        where = {id(f): n for n, f in enumerate(story)}
        spots = [(type(f).__name__, where.get(id(f)), y, after, d.items, d.links, d.marks)
                 for f, y, after, d in placed if not isinstance(f, ActionFlowable)]  # fmt: skip
        kept = [f.__dict__.get("keepWithNext") for f in story]
        pages_ = [(p.code, p.links, p.marks, p.images, p.plan) for p in rec.pages]
        seen = repr((pages_, rec.end_y, spots, kept, len(canvas._code)))
        return re.sub(r" at 0x[0-9a-f]+", "", seen), any(used)

    for name, (make, top, fast) in stories.items():
        (direct, used), (template, _) = laid(make, top, True), laid(make, top, False)
        assert direct == template, name
        assert used == fast, name


def test_a_logo_whose_words_are_not_in_the_font_seed_is_drawn_again(tmp_path):
    """An SVG logo's words in a character the content lacks (a clinic's ™) take codes
    of the file they are first drawn in: their drawing is never put back in another."""
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "brand.yaml").write_text(BRAND.read_text(encoding="utf-8"))
    (folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        '<text x="4" y="40" font-size="16">Clinic™</text></svg>',
        encoding="utf-8",
    )
    lib, brand = load_inputs(CONTENT, folder / "brand.yaml")
    warm = Renderer()
    warm.make(lib, brand, Request(pack=PACK, allow=ALLOW))  # its cover's masthead: the file's
    assert warm.make(lib, brand, REQUESTS[1]).pdf == Renderer().make(lib, brand, REQUESTS[1]).pdf


def test_a_logo_is_drawn_once_and_put_back_in_every_masthead(monkeypatch):
    """A masthead is laid out for each new title, with the clinic's logo in it: the
    logo's drawing (the example brand's SVG) is recorded once and put back in the
    next ones, which are the same bytes as when the logo is drawn every time."""
    from handouts.pdf import flowables

    lib, brand = load_inputs(CONTENT, None)
    sets = [("migraine", "lupus"), ("fibromyalgia", "migraine"), ("chronic-back-pain",)]
    reqs = [Request(s, format="visit", allow=ALLOW) for s in sets]
    renderer = Renderer()
    kept = [renderer.make(lib, brand, req).pdf for req in reqs]
    assert renderer.caches.sizes()["handouts.pdf.render._masthead"] == 3
    assert renderer.caches.sizes()["flowables._LOGOS"] == 1

    class Forgetful(dict):  # type: ignore[type-arg]
        def __setitem__(self, key: object, value: object) -> None:
            pass

    monkeypatch.setattr(flowables, "_LOGOS", Forgetful())
    assert [Renderer().make(lib, brand, req).pdf for req in reqs] == kept


def test_patients_dates_do_not_multiply_the_remembered_mastheads():
    """The printed date is the patient's, not the handout's: 20 patients seen on 20 days
    leave the laid-out mastheads as one patient does."""
    lib, brand = load_inputs(CONTENT, None)
    renderer = Renderer()
    renderer.make(lib, brand, REQUESTS[1])
    once = renderer.caches.sizes()["handouts.pdf.render._masthead"]
    for day in range(1, 21):
        who = Personal("Ann Lee", None, dt.date(2026, 11, day))
        renderer.make(lib, brand, replace(REQUESTS[1], personal=who))
    assert renderer.caches.sizes()["handouts.pdf.render._masthead"] == once


def test_a_request_from_anywhere_is_checked_where_the_pipeline_starts():
    import pytest

    from handouts.errors import UsageError

    lib, brand = load_inputs(CONTENT, None)
    cases = [
        (replace(REQUESTS[0], language="fr"), "no content in language 'fr'; use en or es"),
        (replace(REQUESTS[0], language="!!"), "expected a language code like 'es' or 'en-US', found '!!'"),
        (Request(allow=ALLOW), "a handout needs at least one condition, or a pack"),
        (Request(("migrane",), allow=ALLOW), "unknown condition or medicine id: migrane"),
        (Request(pack="nope", allow=ALLOW), "unknown pack 'nope'; packs: back-pain-spondyloarthritis, "
         "migraine-autoimmune-clinic"),
    ]  # fmt: skip
    for req, message in cases:
        with pytest.raises(UsageError) as err:
            Renderer().make(lib, brand, req)
        assert str(err.value) == message


def test_a_remembered_visit_handout_is_given_only_to_a_request_with_the_same_content():
    """Requests for the same conditions and medicines that differ in what else decides the
    handout (the calming practice, known or not, the plan template, the language, the
    paper, large print), mixed in one renderer, twice over, each for another patient: each
    makes the bytes a new renderer makes (one patient's calming practice never printed on
    another's handout, say)."""
    lib, brand = load_inputs(CONTENT, None)
    base = Request(("migraine", "fibromyalgia"), medicines=("triptans", "snri"),
                   format="visit", allow=Allow(draft=True))  # fmt: skip
    variants = [
        replace(base, plan=PlanFields(calming=calming), plan_template=template,
                language=lang, paper=paper, large_print=large)
        for calming in (None, "slow-breathing", "muscle-relaxation", "no-such-practice")
        for template in (None, "migraine-attack-triptan")
        for lang, paper, large in ((None, "letter", False), ("es", "letter", False),
                                   (None, "a4", False), (None, "letter", True))
    ]  # fmt: skip
    warm, people = Renderer(), ["Ann Lee", "Zoë Müller", "Sam Smith"]
    for n, req in enumerate(variants * 2):
        asked = replace(req, personal=Personal(people[n % 3], None, dt.date(2026, 12, n % 28 + 1)))
        assert warm.make(lib, brand, asked).pdf == Renderer().make(lib, brand, asked).pdf, n


def test_a_visit_handout_like_one_made_before_is_drawn_with_its_cuts_and_the_same_bytes(
    monkeypatch,
):
    """A visit handout with the same content, paper, print size, language and plan
    template as one made before, whose front (the masthead as its first try has it, and
    the patient's part under it: name, date, notes) ends at the same heights on page 1,
    is drawn with that one's cuts without a try: nothing else decides which tries fit.
    (The first try is the last answer for the same set and filled slots, so from the
    third handout of a kind at the latest.) A renderer that never saw it searches, and
    both make the same bytes. A typed title always searches; a patient's part that runs
    onto page 2 has no shape to match. A typed plan slot is the patient's too: the same
    slots typed, to a plan as tall, are drawn the same way. Only numbers and ids are kept.
    The handouts it is drawn with are not assembled again either: they are remembered
    without their patient's part (who, when, the notes, the typed slots), and given the
    new patient's."""
    from handouts import pipeline
    from handouts.document.visit import assemble_visit
    from handouts.pdf.render import front_shape

    drawn: list[int] = []
    real = pipeline._drawn
    monkeypatch.setattr(pipeline, "_drawn", lambda *a: drawn.append(1) or real(*a))
    assembled: list[int] = []
    assemble = pipeline.assemble_visit
    monkeypatch.setattr(pipeline, "assemble_visit",
                        lambda *a: assembled.append(1) or assemble(*a))  # fmt: skip
    lib, brand = load_inputs(CONTENT, None)
    allow = replace(ALLOW, draft=True)
    sets = [
        Request(("migraine", "fibromyalgia"), medicines=("triptans", "snri", "nsaids"),
                format="visit", plan_template="migraine-attack-triptan"),
        Request(("lupus", "migraine"), medicines=("corticosteroids",), format="visit",
                paper="a4", language="es"),
        Request(("chronic-back-pain", "rheumatoid-arthritis"), format="visit",
                medicines=("methotrexate", "nsaids", "tnf-inhibitors"), large_print=True),
    ]  # fmt: skip
    day = dt.date(2026, 11, 30)
    people = [
        (Personal("Ann Lee", None, day), None),
        (Personal("Nguyễn Thị Minh Khai", "Dr Jiří Dvořák", day), "Walk daily."),
        (Personal("Zoë Müller"), "Walk for 10 minutes after lunch, then a little more. " * 6),
    ]
    typed = [
        {"plan": PlanFields(attack=AttackPlan(medicine="Sumatriptan 50 mg"))},
        {"title": "Your visit today"},
        {"plan": PlanFields(next_visit="Monday 9 am")},
    ]
    warm, seen, anew = Renderer(), [], []
    for rounds in range(3):
        for req in sets:
            for (person, notes), more in zip(people, typed, strict=True):
                for extra in ({}, more):
                    asked = replace(req, personal=person, notes=notes, allow=allow, **extra)
                    before, assembles = len(drawn), len(assembled)
                    made = warm.make(lib, brand, asked).pdf
                    seen.append((rounds, tuple(extra), len(drawn) > before))
                    anew.append((rounds, tuple(extra), len(assembled) > assembles))
                    assert made == Renderer().make(lib, brand, asked).pdf, (asked.conditions,
                                                                            rounds, extra)  # fmt: skip
    assert all(took for rounds, extra, took in seen if rounds == 2 and not extra)
    assert not any(took for rounds, extra, took in seen if extra == ("title",))
    assert not any(took for rounds, extra, took in seen if rounds == 0)
    # a typed plan is drawn like one before too, but for the large print with the long
    # notes: there its plan has no room on page 1 from the lowest start a try gives it
    assert [took for rounds, extra, took in seen if rounds == 2 and extra == ("plan",)] == [
        True, True, True, True, True, False]  # fmt: skip
    drew = [new for (rounds, extra, new), (*_, took) in zip(anew, seen, strict=True)
            if rounds == 2 and extra != ("title",) and took]  # fmt: skip
    assert len(drew) == 14 and not any(drew)  # nor assembled again
    assert all(new for rounds, extra, new in anew if extra == ("title",) or rounds == 0)
    with memo.using(warm.caches):
        remembered = repr(list(pipeline._FITTED))
        handouts = repr([(key, doc) for key, (_lib, _brand, doc) in pipeline._DOCS.items()])
    assert "Ann" not in remembered and "Walk" not in remembered and "Monday" not in remembered
    assert "migraine" in remembered  # ids, and numbers
    for theirs in ("Ann Lee", "Nguyễn", "Dvořák", "Zoë", "Walk", "Monday", "Your visit",
                   "30 November", "2026, 11, 30"):  # fmt: skip
        assert theirs not in handouts, theirs
    assert "Migraine and fibromyalgia" in handouts  # the handouts themselves

    # notes running onto page 2: no front shape (from another height they may break elsewhere)
    long = replace(sets[0], notes="Rest, drink water and walk a little each day. " * 90,
                   personal=Personal("Ann Lee"), allow=allow)  # fmt: skip
    doc = assemble_visit(lib, long, brand, 0)
    assert front_shape(doc, brand) is None
    assert front_shape(assemble_visit(lib, replace(long, notes=None), brand, 0), brand)


def test_a_typed_plan_is_known_by_its_height_never_by_its_words(monkeypatch):
    """The plan slots a clinician types are the patient's, like the name and the notes:
    a handout whose typed plan is as tall as one made before (the same slots typed) is
    drawn with that one's cuts, and from the handouts remembered for it with the typed
    rows left blank, filled in with this patient's words, never the earlier patient's.
    A taller plan is another shape and searches. Both ways make the bytes a new
    renderer makes, and no typed word is remembered."""
    from handouts import pipeline
    from handouts.document.visit import assemble_visit, for_patient, patient_free

    drawn: list[int] = []
    real = pipeline._drawn
    monkeypatch.setattr(pipeline, "_drawn", lambda *a: drawn.append(1) or real(*a))
    lib, brand = load_inputs(CONTENT, None)
    base = Request(("migraine", "fibromyalgia"), medicines=("triptans", "snri", "nsaids"),
                   format="visit", plan_template="migraine-attack-triptan",
                   allow=replace(ALLOW, draft=True))  # fmt: skip

    def typed(medicine: str, when: str, name: str) -> Request:
        plan = PlanFields(attack=AttackPlan(medicine=medicine), next_visit=when)
        return replace(base, personal=Personal(name), plan=plan)

    first = typed("Sumatriptan 50 mg", "Tuesday 14 January, 10:30", "Ann Lee")
    warm = Renderer()
    for req in (first, typed("Sumatriptan 50 mg", "Tuesday 14 January, 10:30", "Bo Chan")):
        warm.make(lib, brand, req)  # (the second settles the guess at the cuts)
    other = typed("Rizatriptan 10 mg", "Friday 2 May, 9:00", "Cy Diaz")
    before = len(drawn)
    made = warm.make(lib, brand, other).pdf
    assert len(drawn) == before + 1  # drawn with the cuts remembered, without tries
    assert made == Renderer().make(lib, brand, other).pdf
    text = " ".join(pdf_text(made).split())
    assert "Rizatriptan 10 mg" in text and "Friday 2 May, 9:00" in text and "Cy Diaz" in text
    for theirs in ("Sumatriptan 50 mg", "Tuesday 14 January", "Ann Lee", "Bo Chan"):
        assert theirs not in text, theirs

    tall = typed("Rizatriptan 10 mg, one tablet with a glass of water. " * 8, "Friday", "Di Eze")
    before = len(drawn)
    assert warm.make(lib, brand, tall).pdf == Renderer().make(lib, brand, tall).pdf
    assert len(drawn) == before  # a taller plan: another shape, searched

    with memo.using(warm.caches):
        remembered = repr(list(pipeline._FITTED)) + repr(list(pipeline._DOCS.values()))
    assert "Migraine and fibromyalgia" in remembered
    for theirs in ("Sumatriptan 50 mg", "Rizatriptan 10 mg", "Tuesday", "Friday", "Ann Lee",
                   "Cy Diaz", "Di Eze"):  # fmt: skip
        assert theirs not in remembered, theirs

    doc = assemble_visit(lib, first, brand, 0)
    free = patient_free(doc)
    assert "Sumatriptan 50 mg" not in repr(free) and "Tuesday 14 January" not in repr(free)
    assert for_patient(free, first) == doc
    for slots in (  # fewer slots, more, and as many in other slots (found by review)
        PlanFields(next_visit="Monday"),
        PlanFields(attack=AttackPlan(medicine="Sumatriptan", when="now"), next_visit="Monday"),
        PlanFields(attack=AttackPlan(when="At the first sign"), next_visit="Friday"),
        PlanFields(attack=AttackPlan(medicine="Sumatriptan", repeat="After 2 hours")),
    ):
        with pytest.raises(RenderError) as raised:
            for_patient(free, replace(first, plan=slots))
        assert str(raised.value) == (
            "internal: a plan's typed slots and its rows differ "
            "(a bug in handouts: please report it with the command you ran)"
        )


@pytest.mark.parametrize(("large", "language"), [(False, None), (True, None), (False, "es")])
def test_a_typed_plan_starts_where_plan_start_says_and_never_under_the_lowest(large, language):
    """``plan_start`` says where a visit handout's parts start its typed plan; a typed
    plan is trusted by its height only with room from the lowest start (``plan_room``:
    the handout with no cuts, under the tall masthead). At every number of cuts, with
    and without closer lines, the handout's own layout starts the plan where
    ``plan_start`` says, never under that lowest start, and where it is on page 1 it is
    as tall from every start (found wanting by review: nothing tied the two)."""
    from handouts.document.visit import Assembly, assemble_visit, cut_order
    from handouts.pdf import render
    from handouts.pdf.pages import Composer

    lib, brand = load_inputs(CONTENT, None)
    plan = PlanFields(attack=AttackPlan(medicine="Sumatriptan 50 mg, one tablet"),
                      next_visit="Tuesday 14 January, 10:30")  # fmt: skip
    template = None if large else "migraine-attack-triptan"  # (a plan on page 1)
    req = Request(("migraine", "fibromyalgia"), medicines=("triptans", "snri", "nsaids"),
                  format="visit", plan_template=template, plan=plan, large_print=large,
                  personal=Personal("Ann Lee"), notes="Rest well.", language=language,
                  allow=replace(ALLOW, draft=True))  # fmt: skip
    tries, assembly = render.Tries(), Assembly()
    lowest = assemble_visit(lib, req, brand, 0, assembly)
    checked = tall_ones = 0
    with memo.using(Renderer().caches):
        for snug in (False, True):
            tall = replace(lowest, subtitle_shown=True, snug=snug)
            st, g, seed, _t = render._visit_setup(tall, brand, None, large, tries)
            head, own = render._front(tries.canvas, tall, brand, st, g, seed, tries.mine)
            low = render.plan_start(lowest, (own or head).end_y, st, g, seed)
            assert low is not None
            heights = set()
            for cuts in range(len(cut_order(lib, req)) + 1):
                doc = assemble_visit(lib, req, brand, cuts, assembly)
                if doc.snug != snug:
                    continue
                st, g, seed, _t = render._visit_setup(doc, brand, None, large, tries)
                parts = render._lay_out(Composer(tries.canvas), doc, brand, st, g, seed,
                                        tries.mine, 4)  # fmt: skip
                head, own = render._front(tries.canvas, doc, brand, st, g, seed, tries.mine)
                found = render.plan_start(doc, (own or head).end_y, st, g, seed)
                index = next(n for n, s in enumerate(doc.sections) if s.private)
                laid = parts[1 + (own is not None) + index]  # (the masthead, the patient's)
                assert found is not None and laid.top == found[1], cuts
                assert found[1] >= low[1] - 1e-6, cuts  # never under the lowest start
                if len(laid.pages) == 1:
                    heights.add(round(found[1] - laid.end_y, 6))
                checked += 1
            assert len(heights) <= 1, heights  # (none: the plan runs onto page 2)
            tall_ones += len(heights)
    assert checked >= 8 and tall_ones >= 1


def test_a_typed_plan_under_a_draft_a_cut_leaves_out_is_not_known_by_its_height(content_copy):
    """A draft box opens a handout while anything it prints is a draft: a try that keeps
    a draft link starts the plan lower than the handout that fits with the link cut. A
    typed plan is known by its height only where it has room on page 1 from the lowest
    start any try gives it, which is measured under the draft box too: this plan has room
    under the main points alone, and none under the box as well, so it is remembered with
    the link signed off and not with it a draft (found by review). Both make the bytes a
    new renderer makes."""
    from handouts import pipeline

    link = content_copy / "links" / "axial-spondyloarthritis--chronic-back-pain.yaml"
    lines = link.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("  next_review:"))
    link.write_text("\n".join([*lines[: at + 1], "  draft: true", *lines[at + 1 :]]) + "\n",
                    encoding="utf-8")  # fmt: skip
    words = "Sumatriptan fifty milligrams one tablet with water"
    plan = PlanFields(attack=AttackPlan(medicine="Qx " + " ".join([words] * 4)),
                      next_visit="Qx " + " ".join([words] * 4))  # fmt: skip
    req = Request(("axial-spondyloarthritis", "chronic-back-pain"),
                  medicines=("topiramate", "beta-blockers", "ergots"), format="visit",
                  paper="letter", allow=replace(ALLOW, draft=True), plan=plan,
                  personal=Personal("P", "Dr Z"),
                  notes="\n".join(f"line {j} of the notes" for j in range(8)))  # fmt: skip
    remembered = []
    for content in (CONTENT, content_copy):
        lib, brand = load_inputs(content, None)
        warm = Renderer()
        for _round in range(2):  # (the first starts its tries with no cuts: a draft box)
            made = warm.make(lib, brand, req)
            assert made.pdf == Renderer().make(lib, brand, req).pdf
        with memo.using(warm.caches):
            remembered.append(len(pipeline._FITTED))
    assert remembered == [1, 0]
    assert made.allowed == ()  # the draft link left out: the handout fits without it


# Two patients' notes of the same height on page 1 under a masthead without its subtitle,
# which break differently at the foot of page 1 under the masthead with it (found by review)
_NOTES_SIX_CUTS = (
    "worse with drink us rest pain sleep worse and worse the take food rest"
    " your take tablets your drink well well take tablets if your gets food"
    " pain pain with call worse walk gets food pain call tablets if tablets"
    " worse tablets drink water walk tablets if us well gets.\nrest drink "
    "sleep water well water tablets food the and if worse if with sleep "
    "call walk sleep tablets sleep walk sleep if gets sleep and your us "
    "tablets tablets and your take tablets call pain food and and rest walk"
    " rest pain rest drink your food take worse if and water drink rest "
    "worse food with sleep water.\ngets take tablets pain the your pain your"
    " if well rest take your worse your your gets if us with and with sleep"
    " us call worse the well worse walk gets sleep well walk the well sleep"
    " worse rest food us and the your.\n\ncall sleep call walk sleep the food"
    " your tablets well food take the water sleep and take your pain take "
    "pain the your call call worse sleep drink if."
)
_NOTES_FIVE_CUTS = (
    "sleep worse.\nwalk gets gets walk well take gets your tablets call "
    "sleep food your us worse if worse walk the with take water well food "
    "worse pain water water call food and drink sleep well drink and rest "
    "well tablets drink gets food us sleep well the water the your well "
    "call call take water sleep.\ngets pain rest take water gets with sleep "
    "worse take pain gets call if walk worse pain worse call call call pain"
    " if sleep gets take tablets food tablets walk food call pain walk pain"
    " worse the water your take sleep rest well rest us worse tablets "
    "tablets rest water.\nworse call well gets tablets rest us the well with"
    " tablets well the and your tablets your food take if walk tablets and "
    "the take take us well food the rest if gets us tablets take gets food "
    "well if worse.\nus take take walk drink take well and us your take rest"
    " if and pain worse walk with pain pain sleep water your pain drink "
    "well us if water worse food rest pain with walk us food pain worse "
    "tablets worse sleep call well and food sleep."
)


def test_a_front_is_matched_under_the_masthead_with_its_subtitle():
    """A handout's front is measured under the masthead with its subtitle shown, the
    lowest it starts in any try: two patients' notes that end at the same height under
    the masthead without it (the first try's, when the guess cuts the subtitle) can break
    differently at the foot of page 1 under the one with it, and need different cuts. So
    a warm renderer never draws the second with the first one's cuts: both renderers
    make the same bytes, whatever came before."""
    from handouts.document.visit import assemble_visit
    from handouts.pdf.render import front_shape
    from handouts.pipeline import in_language

    lib, brand = load_inputs(CONTENT, None)
    base = Request(("lupus", "migraine"), medicines=("corticosteroids",), format="visit",
                   large_print=True, personal=Personal("Ann Lee"),
                   allow=replace(ALLOW, draft=True))  # fmt: skip
    long, six, five = (replace(base, notes=n) for n in ("Walk. " * 400, _NOTES_SIX_CUTS,
                                                          _NOTES_FIVE_CUTS))  # fmt: skip
    warm = Renderer()
    for req in (long, six, long):  # the guess for the next cuts the subtitle
        warm.make(lib, brand, req)
    assert warm.make(lib, brand, five).pdf == Renderer().make(lib, brand, five).pdf
    assert warm.make(lib, brand, six).pdf == Renderer().make(lib, brand, six).pdf
    for req in (six, five):  # under the masthead with its subtitle, both run onto page 2
        doc = assemble_visit(in_language(lib, brand, req), req, brand, 0)
        assert doc.subtitle_shown and front_shape(doc, brand, None, True) is None
