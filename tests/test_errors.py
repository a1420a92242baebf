"""Bad content, brands and patient details: exact messages, non-zero exit, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.cli import main

from .conftest import BRAND, ROOT


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def failed(run, out: Path, count: int) -> list[str]:
    """The problem lines of a failed run, after checking it failed cleanly."""
    assert run.code == 1
    assert run.out == ""
    assert "Traceback" not in run.err
    assert not out.exists(), "a failed run must not write anything"
    lines = run.err.splitlines()
    plural = "s" if count != 1 else ""
    assert lines[0].startswith(f"handouts: error: {count} problem{plural} in the ")
    assert lines[0].endswith("; nothing was written:")
    return [line.strip() for line in lines[1:]]


CASES = [
    (
        "conditions/lupus.yaml",
        "summary:",
        "sumary:",
        [
            "content/conditions/lupus.yaml:1: missing required key 'summary'",
            "content/conditions/lupus.yaml:7: sumary: unknown key (did you mean 'summary'?)",
        ],
    ),
    (
        "conditions/migraine.yaml",
        "[Salahi22]",
        "[Salahi21]",
        [
            "content/conditions/migraine.yaml:9: summary[0].sources[0]: "
            "unknown source 'Salahi21' (did you mean 'Salahi22'?)"
        ],
    ),
    (
        "conditions/fibromyalgia.yaml",
        "snri]",
        "snris]",
        [
            "content/conditions/fibromyalgia.yaml:29: medicines[1]: "
            "unknown medicine 'snris' (did you mean 'snri'?)"
        ],
    ),
    (
        "conditions/migraine.yaml",
        "relax-daily",
        "relax-dialy",
        [
            "content/conditions/migraine.yaml:34: lifestyle.stress[0]: "
            "unknown lifestyle step 'relax-dialy' (did you mean 'relax-daily'?)"
        ],
    ),
    (
        "links/migraine--lupus.yaml",
        "evidence: conflicting",
        "evidence: mixed",
        [
            "content/links/migraine--lupus.yaml:12: evidence: expected one of 'strong', 'guideline', "
            "'label', 'moderate', 'conflicting', 'weak', found 'mixed'"
        ],
    ),
    (
        "links/migraine--fibromyalgia.yaml",
        "[migraine, fibromyalgia]",
        "[migraine, fibromyalgia-pain]",
        [
            "content/links/migraine--fibromyalgia.yaml:2: conditions[1]: "
            "unknown condition 'fibromyalgia-pain' (did you mean 'fibromyalgia'?)"
        ],
    ),
    (
        "conditions/multiple-sclerosis.yaml",
        "last_reviewed: 2026-12-02",
        "last_reviewed: 2026-13-01",
        [
            "content/conditions/multiple-sclerosis.yaml:40: review.last_reviewed: "
            "expected a date like 2026-11-01, found text '2026-13-01'"
        ],
    ),
    (
        "diary.yaml",
        "for: [migraine]",
        "for: [migrane]",
        [
            "content/diary.yaml:10: intro[2].for[0]: unknown condition 'migrane' (did you mean 'migraine'?)"
        ],
    ),
    (
        "medicines/paracetamol.yaml",
        "name: Paracetamol",
        "name: Paracetamol (ask {{ clinic.name }})",
        [
            "content/medicines/paracetamol.yaml:2: name: a placeholder is filled only in a text, "
            "an action or a caution's title: write the words out here"
        ],
    ),
    (
        "lifestyle.yaml",
        "Take 10 minutes each day",
        "Call {{ clinic.fax }}. Take 10 minutes each day",
        [
            "content/lifestyle.yaml:12: steps[0].text: unknown placeholder 'clinic.fax'; you can use "
            "{{ clinic.name }}, {{ clinic.phone }}, {{ clinic.address }}, {{ clinic.web }}, "
            "{{ clinic.after_hours }}, {{ clinic.emergency_number }}, {{ clinic.crisis_line }}"
        ],
    ),
    (
        "lifestyle.yaml",
        "Take 10 minutes each day",
        "Wait {{ numbers.painkiller_hours }}. Take 10 minutes each day",
        [
            "content/lifestyle.yaml:12: steps[0].text: unknown placeholder "
            "'numbers.painkiller_hours'; you can use {{ numbers.painkiller_days }}, "
            "{{ numbers.painkiller_days_one_simple }}, {{ numbers.paracetamol_dose_g }}, "
            "{{ numbers.paracetamol_hours_apart }}, {{ numbers.paracetamol_day_g }}, "
            "{{ numbers.triptan_repeat_hours }}, {{ numbers.steroid_weeks }}"
        ],
    ),
    (
        "lifestyle.yaml",
        "Take 10 minutes each day",
        "Now {% for i in range(99999) %}x{% endfor %} take 10 minutes each day",
        [
            "content/lifestyle.yaml:12: steps[0].text: placeholder written wrongly: a "
            "placeholder is one field, written like {{ clinic.phone }} (no loops, calls, filters "
            "or sums)"
        ],
    ),
    (
        "lifestyle.yaml",
        "Take 10 minutes each day",
        "Now {{ 'x' * 2000000000 }} take 10 minutes each day",
        [
            "content/lifestyle.yaml:12: steps[0].text: placeholder written wrongly: a "
            "placeholder is one field, written like {{ clinic.phone }} (no loops, calls, filters "
            "or sums)"
        ],
    ),
    (
        "lifestyle.yaml",
        "Take 10 minutes each day",
        "Call {{ clinic.phone. Take 10 minutes each day",
        [
            "content/lifestyle.yaml:12: steps[0].text: placeholder written wrongly: a "
            "placeholder is one field, written like {{ clinic.phone }} (no loops, calls, filters "
            "or sums)"
        ],
    ),
    (
        "lifestyle.yaml",
        "Take 10 minutes each day",
        "Take 10 minutes க each day",
        ["content/lifestyle.yaml:12: steps[0].text: no bundled font can print 'க' (U+0B95)"],
    ),
    (
        "conditions/lupus.yaml",
        "icd10: [M32]",
        "icd10: [M32]\nicd10: [M33]",
        ["content/conditions/lupus.yaml:6: icd10: this key appears twice"],
    ),
    (
        "conditions/lupus.yaml",
        "icd10: [M32]",
        "icd10: [lupus]",
        [
            "content/conditions/lupus.yaml:5: icd10[0]: 'lupus' is not an ICD-10 code like G43 or M79.7"
        ],
    ),
    (
        "plans/migraine-attack-triptan.yaml",
        "  - medicine: triptans\n    parts: [how_to_take]",
        "  - medicine: triptan\n    parts: [how_to_tak, doses]\n  - medicine: nsaids\n    parts: []",
        [
            "content/plans/migraine-attack-triptan.yaml:16: covers[0].medicine: unknown medicine "
            "'triptan' (did you mean 'triptans'?)",
            "content/plans/migraine-attack-triptan.yaml:17: covers[0].parts[0]: unknown part "
            "'how_to_tak' (did you mean 'how_to_take'?); a medicine's card has how_to_take, "
            "side_effects, pregnancy, interactions, stopping",
            "content/plans/migraine-attack-triptan.yaml:17: covers[0].parts[1]: unknown part "
            "'doses'; a medicine's card has how_to_take, side_effects, pregnancy, interactions, "
            "stopping",
            "content/plans/migraine-attack-triptan.yaml:19: covers[1].parts: name at least one "
            "part of the medicine's card",
        ],
    ),
    (
        "plans/migraine-attack-triptan.yaml",
        "  - medicine: triptans\n    parts: [how_to_take]",
        "  - medicine: triptans\n    parts: [how_to_take, how_to_take]\n"
        "  - medicine: triptans\n    parts: [side_effects]",
        [
            "content/plans/migraine-attack-triptan.yaml:17: covers[0].parts[1]: 'how_to_take' "
            "is named twice",
            "content/plans/migraine-attack-triptan.yaml:18: covers[1].medicine: 'triptans' is "
            "named twice; list all its parts in one entry",
        ],
    ),
    (
        "plans/migraine-attack-triptan.yaml",
        "    parts: [how_to_take]",
        "    parts: [how_to_take, stopping]",
        [
            "content/plans/migraine-attack-triptan.yaml:17: covers[0].parts[1]: the card "
            "'triptans' prints nothing under 'stopping' on a visit handout (no point there has "
            "a visit rank): there is nothing to cover",
        ],
    ),
    (
        "plans/migraine-attack-triptan.yaml",
        "medicines: [triptans]",
        "medicines: [triptan, nsaids, nsaids]",
        [
            "content/plans/migraine-attack-triptan.yaml:20: medicines[0]: unknown medicine "
            "'triptan' (did you mean 'triptans'?)",
            "content/plans/migraine-attack-triptan.yaml:20: medicines[2]: 'nsaids' is named twice",
        ],
    ),
    (  # review: a brand that is another medicine's name would name that one only
        "medicines/paracetamol.yaml",
        "brands: [Tylenol,",
        "brands: [Ibuprofen, Tylenol,",
        [
            "content/medicines/paracetamol.yaml:40: brands[0]: 'Ibuprofen' is what the "
            "medicine 'nsaids' is called: a clinician typing it would get that medicine only; "
            "remove it here",
        ],
    ),
    (
        "plans/fibromyalgia-movement.yaml",
        "review:",
        "covers:\n  - medicine: snri\n    parts: [how_to_take]\nreview:",
        [
            "content/plans/fibromyalgia-movement.yaml:13: covers: a plan covers cautions only "
            "in its attack slots: it has none",
        ],
    ),
    (  # review: a NUL was "not valid YAML" with no line
        "medicines/snri.yaml",
        "id: snri",
        "id: snri\nnote: a\x00b",
        [
            "content/medicines/snri.yaml:2: this line has '\\x00' (U+0000), which YAML does "
            "not allow; remove it"
        ],
    ),
    (
        "medicines/snri.yaml",
        "id: snri",
        "id: snri\nname: [unclosed",
        [
            "content/medicines/snri.yaml:3: this is not valid YAML: a list in [brackets] is not "
            "closed, or two items lack a comma"
        ],
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES, ids=[c[2][:30] for c in CASES])
def test_bad_content_is_reported_exactly(cli, content_copy, tmp_path, file, old, new, expected):
    edit(content_copy / file, old, new)
    out = tmp_path / "out"
    run = cli("--content", content_copy, "--out", out)
    assert failed(run, out, len(expected)) == expected


def test_every_problem_in_every_file_is_reported_at_once(cli, content_copy, tmp_path):
    edit(content_copy / "conditions/fibromyalgia.yaml", "snri]", "snris]")
    edit(content_copy / "links/migraine--lupus.yaml", "evidence: conflicting", "evidence: mixed")
    (content_copy / "medicines/empty.yaml").write_text("")
    (content_copy / "medicines/list.yaml").write_text("- a\n- b\n")
    (content_copy / "medicines/huge.yaml").write_text("x: " + "y" * 1_000_001)
    out = tmp_path / "out"
    lines = failed(cli("--content", content_copy, "--out", out), out, 5)
    assert lines == [
        "content/conditions/fibromyalgia.yaml:29: medicines[1]: unknown medicine 'snris' "
        "(did you mean 'snri'?)",
        "content/links/migraine--lupus.yaml:12: evidence: expected one of 'strong', 'guideline', "
        "'label', 'moderate', 'conflicting', 'weak', found 'mixed'",
        "content/medicines/empty.yaml: the file is empty; expected a YAML mapping",
        "content/medicines/huge.yaml: the file is 1,000,004 bytes; the limit is 1,000,000",
        "content/medicines/list.yaml:1: expected a YAML mapping of keys to values, found a list",
    ]


def test_a_broken_file_does_not_bury_its_error_under_references_to_it(cli, content_copy, tmp_path):
    edit(content_copy / "conditions/lupus.yaml", "summary:", "sumary:")
    out = tmp_path / "out"
    lines = failed(cli("--content", content_copy, "--out", out), out, 2)
    assert not any("unknown condition 'lupus'" in line for line in lines)


def test_yaml_tags_are_not_executed(cli, content_copy, tmp_path):
    (content_copy / "medicines/evil.yaml").write_text(
        "id: !!python/object/apply:os.system ['echo hi']\n"
    )
    out = tmp_path / "out"
    lines = failed(cli("--content", content_copy, "--out", out), out, 1)
    assert lines == [
        "content/medicines/evil.yaml:1: this is not valid YAML: a YAML tag (a word after '!') "
        "is not allowed"
    ]


def test_verbose_shows_the_traceback(cli, content_copy, tmp_path):
    from handouts.errors import ProblemsError

    edit(content_copy / "conditions/lupus.yaml", "summary:", "sumary:")
    with pytest.raises(ProblemsError):
        cli("--content", content_copy, "--out", tmp_path / "out", "--verbose")


def test_a_bug_is_said_in_one_line_with_where_it_was_not_its_words(cli, monkeypatch, tmp_path):
    """An error that is not one of ours is a bug: said as one, with its kind and the line
    of handouts it came from, never its own words (here the patient's name and note), and
    with no traceback unless asked for; nothing is written."""
    from handouts import pipeline

    def broken(lib, brand, req):
        raise KeyError(f"{req.personal.patient}: {req.notes}")

    monkeypatch.setattr(pipeline, "_make", broken)
    out = tmp_path / "ana.pdf"
    args = ("build", "--conditions", "migraine", "--patient", "Ana Zoë Testpatient",
            "--notes", "Private note 4471", "--out", out)  # fmt: skip
    run = cli(*args)
    calls = [n for n, line in enumerate(Path(pipeline.__file__).read_text().splitlines(), 1)
             if "return _make(lib, brand, req)" in line]  # fmt: skip
    assert run.code == 1 and run.out == ""
    assert run.err in [  # the line in handouts that called the broken function
        f"handouts: error: internal error: KeyError at handouts/pipeline.py:{n} "
        "(a bug in handouts: please report it with the command you ran)\n"
        for n in calls
    ], run.err
    assert "Ana" not in run.err and "4471" not in run.err
    assert not out.exists()
    for verbose in ("--verbose", "--verb"):  # (argparse takes a prefix as the option)
        with pytest.raises(KeyError):
            cli(*args, verbose)


# Brands ---------------------------------------------------------------------


def brand_copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "logo.svg").write_bytes((BRAND.parent / "logo.svg").read_bytes())
    text = BRAND.read_text()
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    (folder / "brand.yaml").write_text(text)
    return folder / "brand.yaml"


BRAND_CASES = [
    (
        'primary: "#1F4E79"',
        'primary: "blurple"',
        ["brand.yaml:14: colours.primary: expected a colour like '#1F4E79', found 'blurple'"],
    ),
    (  # a long value is said cut short
        'primary: "#1F4E79"',
        f'primary: "blurple{"e" * 60}"',
        [
            f"brand.yaml:14: colours.primary: expected a colour like '#1F4E79', found 'blurple{'e' * 32}…'"
        ],
    ),
    (
        "logo: logo.svg",
        "logo: missing.png",
        ["brand.yaml:4: logo: logo file not found: {folder}/missing.png"],
    ),
    (
        "logo: logo.svg",
        "logo: logo.gif",
        ["brand.yaml:4: logo: the logo must be a .png or .svg file, found 'logo.gif'"],
    ),
    (
        "paper: letter",
        "paper: legal",
        ["brand.yaml:19: paper: expected one of 'letter', 'a4', found 'legal'"],
    ),
    (  # a translation's language: one rule with the brand's own (review: accepted unread)
        "  - language: es\n",
        "  - language: Ana Secret\n",
        [
            "brand.yaml:23: translations[0].language: expected a language code like 'es' or "
            "'en-US', found 'Ana Secret'"
        ],
    ),
    (
        "  - language: es\n",
        "  - language: es-MX\n    after_hours: x\n    crisis_line: x\n  - language: ES\n",
        [
            "brand.yaml:26: translations[1].language: the words for 'es' are given above (they "
            "serve 'es' with any region too); give each language's words once"
        ],
    ),
    (  # English prints the brand's own words: a translation into it would never be read
        "  - language: es\n",
        "  - language: en-GB\n",
        [
            "brand.yaml:23: translations[0].language: handouts in English print the brand's own "
            "words; leave this out"
        ],
    ),
    (  # checked too where the schema refuses the file (second review)
        "  - language: es\n",
        "  - language: fr\n    surprise: 1\n",
        [
            "brand.yaml:23: translations[0].language: no content in language 'fr'; use en or es",
            "brand.yaml:24: translations[0].surprise: unknown key",
        ],
    ),
    (  # cut short as other values are, marked so
        "paper: letter",
        f'paper: "lettre{"q" * 80}"',
        [f"brand.yaml:19: paper: expected one of 'letter', 'a4', found 'lettre{'q' * 33}…'"],
    ),
    (  # not Python's words for what was found ('None')
        "paper: letter",
        "paper: null",
        ["brand.yaml:19: paper: expected one of 'letter', 'a4', found nothing"],
    ),
    (
        "paper: letter",
        "paper: {size: letter}",
        ["brand.yaml:19: paper: expected one of 'letter', 'a4', found a mapping"],
    ),
    (  # review: text where a mapping is written, with the schema refusing the file
        "language: en-US",
        "language: {a: 1}\nlogo_url: x",
        [
            "brand.yaml:20: language: expected text, found a mapping",
            "brand.yaml:21: logo_url: unknown key (did you mean 'logo'?)",
        ],
    ),
    (
        'primary: "#1F4E79"',
        "primary: {x: 1}",
        ["brand.yaml:14: colours.primary: expected text, found a mapping"],
    ),
    (
        "logo: logo.svg",
        'logo: "lo\\0go.svg"',
        ["brand.yaml:4: logo: the logo's file name has a NUL character; write the file's name"],
    ),
    (  # review: the clinic's words are checked as the text every handout shares
        "phone: 555-0142",
        'phone: "555-0142 王"',
        [
            "brand.yaml:7: contact.phone: no bundled font prints '王' (U+738B) in the words "
            "every handout shares: write them in Latin, Greek or Cyrillic letters (a patient's "
            "name may use more scripts)",
        ],
    ),
    (
        'emergency_number: "911"',
        f'emergency_number: "{"9" * 41}"',
        ["brand.yaml:9: contact.emergency_number: too long: at most 40 characters"],
    ),
    (
        "address: 12 River Road, Springfield",
        'address: "12 River\\0 Road"',
        ["brand.yaml:11: contact.address: has a control character '\\x00' (U+0000); remove it"],
    ),
    (  # red team: the schema's problems and the checks after it, said together
        "paper: letter\nlanguage: en-US",
        "paper: legal\nlanguage: xx",
        [
            "brand.yaml:19: paper: expected one of 'letter', 'a4', found 'legal'",
            "brand.yaml:20: language: no content in language 'xx'; use en or es",
        ],
    ),
    (
        "clinic_name:",
        "clinic:",
        [
            "brand.yaml:3: missing required key 'clinic_name'",
            "brand.yaml:3: clinic: unknown key (did you mean 'clinic_name'?)",
        ],
    ),
    (
        "language: en-US",
        "language: English",
        ["brand.yaml:20: language: expected a language code like 'es' or 'en-US', found 'English'"],
    ),
    (
        'text: "#1A1A1A"',
        'text: "#777777"',
        [
            "brand.yaml:16: colours.text: colours.text '#777777' on colours.background '#FFFFFF' has a contrast ratio of 4.47:1; body text needs at least 4.5:1",
            "brand.yaml:16: colours.text: colours.text '#777777' on colours.accent '#EAF1F8' has a contrast ratio of 3.93:1; body text in boxes needs at least 4.5:1",
            "brand.yaml:16: colours.text: colours.text '#777777' on the grey box fill '#E8E8E8' has a contrast ratio of 3.65:1; the 'Tell us at your next visit' heading needs at least 4.5:1",
        ],
    ),
    (
        'primary: "#1F4E79"',
        'primary: "#8FB3D9"',
        [
            "brand.yaml:14: colours.primary: colours.primary '#8FB3D9' on colours.background '#FFFFFF' has a contrast ratio of 2.18:1; headings need at least 3:1",
            "brand.yaml:14: colours.primary: white '#FFFFFF' on colours.primary '#8FB3D9' has a contrast ratio of 2.18:1; box headings need at least 3:1",
        ],
    ),
    (
        "online: https://riverside.example.org/h/",
        "online: https://riverside.example.org/h",
        [
            "brand.yaml:21: online: expected a web address ending in '/', like 'https://example.org/h/' (no '.' or '..' folders, '?' or '#'), found 'https://riverside.example.org/h'"
        ],
    ),
    (
        "online: https://riverside.example.org/h/",
        "online: riverside.example.org/h/",
        [
            "brand.yaml:21: online: expected a web address ending in '/', like 'https://example.org/h/' (no '.' or '..' folders, '?' or '#'), found 'riverside.example.org/h/'"
        ],
    ),
    (
        "online: https://riverside.example.org/h/",
        "online: https://riverside.example.org/patient handouts/",
        [
            "brand.yaml:21: online: expected a web address ending in '/', like 'https://example.org/h/' (no '.' or '..' folders, '?' or '#'), found 'https://riverside.example.org/patient handouts/'"
        ],
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BRAND_CASES, ids=[c[1] for c in BRAND_CASES])
def test_bad_brand_is_reported_exactly(cli, tmp_path, old, new, expected):
    brand = brand_copy(tmp_path, old, new)
    out = tmp_path / "out"
    lines = failed(cli("--brand", brand, "--out", out), out, len(expected))
    assert lines == [f"{brand.parent}/{e.format(folder=brand.parent)}" for e in expected]


def test_unreadable_logo_is_named(cli, tmp_path):
    brand = brand_copy(tmp_path, "logo: logo.svg", "logo: logo.png")
    (brand.parent / "logo.png").write_bytes(b"not a png")
    out = tmp_path / "out"
    lines = failed(cli("--brand", brand, "--out", out), out, 1)
    assert lines == [
        f"{brand}:4: logo: the logo cannot be read as a PNG picture; save it again as a PNG file "
        "from a drawing program"
    ]


@pytest.mark.parametrize(
    "picture",
    [
        '<circle cx="50" cy="50" r="40" fill="#1F4E79" fill-opacity="0.5"/>',
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#1F4E79"/>'
        '<stop offset="1" stop-color="#000"/></linearGradient></defs>'
        '<circle cx="50" cy="50" r="40" fill="url(#g)"/>',
    ],
    ids=["opacity", "gradient"],
)
def test_an_svg_logo_a_handout_cannot_print_is_refused(cli, tmp_path, picture):
    brand = brand_copy(tmp_path)
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{picture}</svg>'
    (brand.parent / "logo.svg").write_text(svg)
    out = tmp_path / "out"
    assert failed(cli("--brand", brand, "--out", out), out, 1) == [
        f"{brand}:4: logo: the SVG logo uses see-through colour (opacity) or a gradient, which "
        "handouts cannot print; use solid colours in the SVG, or a PNG logo"
    ]


def test_content_and_brand_problems_come_together(cli, content_copy, tmp_path):
    edit(content_copy / "conditions/fibromyalgia.yaml", "snri]", "snris]")
    brand = brand_copy(tmp_path, 'accent: "#EAF1F8"', 'accent: "pale"')
    out = tmp_path / "out"
    lines = failed(cli("--content", content_copy, "--brand", brand, "--out", out), out, 2)
    assert lines[0] == f"{brand}:15: colours.accent: expected a colour like '#1F4E79', found 'pale'"
    assert lines[1].startswith("content/conditions/fibromyalgia.yaml:29: medicines[1]")


# Found in review: inputs that once crashed or misprinted -----------------------

REVIEW_CASES = [
    (
        "conditions/lupus.yaml",
        "name: Lupus",
        "name: &n Lupus\nshort_name: *n",
        ["content/conditions/lupus.yaml:2: short_name: YAML aliases (*name) are not allowed"],
    ),
    (
        "conditions/lupus.yaml",
        "name: Lupus",
        "name: 0123",
        ["content/conditions/lupus.yaml:2: name: expected text, found 83; put it in quotes"],
    ),
    (
        "conditions/migraine.yaml",
        "icd10: [G43]",
        "icd10: [G43, M32]",
        ["content/conditions/migraine.yaml:5: icd10[1]: the code M32 already belongs to 'lupus'"],
    ),
    (
        "handouts.yaml",
        "conditions: [migraine, lupus]\n",
        "conditions: [migraine, migraine]\n",
        ["content/handouts.yaml:17: handouts[3].conditions: a condition is listed twice"],
    ),
    (
        "handouts.yaml",
        "conditions: [migraine, lupus]\n",
        "conditions: []\n",
        [
            "content/handouts.yaml:17: handouts[3].conditions: a handout needs at least one condition"
        ],
    ),
    (
        "medicines/snri.yaml",
        "next_review: 2028-11-01",
        "next_review: 2020-01-01",
        [
            "content/medicines/snri.yaml:41: review.next_review: the next review must come after the last one"
        ],
    ),
    (
        "sources.yaml",
        "url: https://pmc.ncbi.nlm.nih.gov/articles/PMC8573865",
        'url: "https://x.org/a\\"b"',
        [
            "content/sources.yaml:7: Biscetti21.url: expected a web address starting https:// or http://, found 'https://x.org/a\"b'"
        ],
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"), REVIEW_CASES, ids=[c[2][:30] for c in REVIEW_CASES]
)
def test_review_findings_are_reported(cli, content_copy, tmp_path, file, old, new, expected):
    edit(content_copy / file, old, new)
    out = tmp_path / "out"
    assert failed(cli("--content", content_copy, "--out", out), out, len(expected)) == expected


def test_a_self_referring_or_deeply_nested_file_is_refused(cli, content_copy, tmp_path):
    (content_copy / "medicines/loop.yaml").write_text("id: &x [*x]\n")
    (content_copy / "medicines/deep.yaml").write_text("id: " + "[" * 20000 + "]" * 20000 + "\n")
    out = tmp_path / "out"
    lines = failed(cli("--content", content_copy, "--out", out), out, 2)
    assert lines == [
        "content/medicines/deep.yaml: the file is nested too deeply to be content",
        "content/medicines/loop.yaml:1: id[0]: YAML aliases (*name) are not allowed",
    ]


def test_a_title_no_font_can_print_is_caught_before_rendering(cli, content_copy, tmp_path):
    edit(content_copy / "handouts.yaml", "title: Migraine and lupus", "title: Migraine and க")
    out = tmp_path / "out"
    lines = failed(cli("--content", content_copy, "--out", out), out, 1)
    assert lines == [
        "content/handouts.yaml:16: handouts[3].title: no bundled font can print 'க' (U+0B95)"
    ]


def test_output_folder_that_is_a_file_is_a_clear_error(cli, tmp_path):
    (tmp_path / "afile").write_text("x")
    run = cli("build", "--conditions", "lupus", "--out", tmp_path / "afile" / "z.pdf")
    assert run.code == 1
    assert run.err == f"handouts: error: {tmp_path / 'afile'} is a file, not a folder\n"


def test_a_failure_rendering_a_later_handout_writes_none_of_them(cli, tmp_path, monkeypatch):
    from handouts import pipeline
    from handouts.errors import RenderError

    real, calls = pipeline.render, []

    def fails_on_the_last(doc, brand, paper=None, large_print=False):
        calls.append(doc.title)
        if len(calls) == 4:
            raise RenderError("the fourth handout failed")
        return real(doc, brand, paper, large_print)

    monkeypatch.setattr(pipeline, "render", fails_on_the_last)
    out = tmp_path / "out"
    run = cli("--out", out)
    assert run.code == 1
    assert run.err == "handouts: error: the fourth handout failed\n"
    assert len(calls) == 4
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "painkiller-days.yaml",
            "evidence: guideline",
            "evidence: guidline",
            "content/painkiller-days.yaml:{line}: evidence: expected one of 'strong', "
            "'guideline', 'label', 'moderate', 'conflicting', 'weak', found 'guidline' "
            "(did you mean 'guideline'?)",
        ),
        (
            "numbers.yaml",
            'value: "10"',
            "value: [10]",
            "content/numbers.yaml:{line}: numbers[0].value: expected text, found a list",
        ),
        (
            "red-flags/signs.yaml",
            "tier: emergency",
            "tier: Emergency",
            "content/red-flags/signs.yaml:{line}: flags[0].tier: expected one of 'emergency', "
            "'call_today', 'next_visit', found 'Emergency' (did you mean 'emergency'?)",
        ),
    ],
)
def test_a_broken_catalogue_is_one_problem_not_a_flood(
    cli, content_copy, tmp_path, name, old, new, expected
):
    """Numbers, the painkiller-day rule and the red flags are used everywhere: a mistake in
    one of their files is reported once, not again at every place that uses them."""
    edit(content_copy / name, old, new)
    f = content_copy / name
    line = next(n for n, x in enumerate(f.read_text().splitlines(), 1) if new in x)
    out = tmp_path / "out"
    assert failed(cli("--content", content_copy, "--out", out), out, 1) == [
        expected.format(line=line)
    ]


@pytest.mark.parametrize(
    ("text", "line", "ours"),
    [
        ("x: [a, b\n", 1, "a list in [brackets] is not closed, or two items lack a comma"),
        ("x: {a: 1\n", 1, "a mapping in {braces} is not closed, or two items lack a comma"),
        (
            "x: a: b\n",
            1,
            "a colon and a space inside a text (put the text in quotes), or a line indented "
            "further than it should be",
        ),
        (
            "name: Migraine\n  summary: x\n",
            2,
            "a colon and a space inside a text (put the text in quotes), or a line indented "
            "further than it should be",
        ),
        (
            "x:\n\t- a\n",
            2,
            "a tab, or a text starting with @, ` or %: indent with spaces, and put such text in "
            "quotes",
        ),
        ('x: "abc\n', 1, "a quote is not closed"),  # (not line 2: past the file's end)
        ('a: 1\nb: "x\n\nc: 2\n\n', 2, "a quote is not closed"),  # where it was opened
        (  # a line of spaces or tabs is a line the file has (review)
            "a: 1\nb:\n\t\n",
            3,
            "a tab, or a text starting with @, ` or %: indent with spaces, and put such text in "
            "quotes",
        ),
        ('name: Jo\rnotes: "open\r', 2, "a quote is not closed"),  # lines ended by '\r' alone
        ('a: 1\nb: "open\nmore\n   ', 2, "a quote is not closed"),  # no final line break
        (
            "x: 1\ny:\n  - [\n\n",
            3,  # (the parser's marks are both past the end): the last line with text
            "check the indentation, quotes, brackets and colons on this line and the one before",
        ),
        (
            'x: "C:\\path"\n',
            1,
            "a backslash (\\) inside double quotes: use single quotes, or write it twice",
        ),
        (
            "x:\n  a: 1\n b: 2\n",
            3,
            "the indentation does not line up with the lines above, or a text goes on after its "
            "closing quote or starts with { or [ (put the whole text in quotes)",
        ),
        (
            "x: 'it's fine'\n",
            1,
            "the indentation does not line up with the lines above, or a text goes on after its "
            "closing quote or starts with { or [ (put the whole text in quotes)",
        ),
        (
            "x: 1\n%bad\n",
            2,
            "check the indentation, quotes, brackets and colons on this line and the one before",
        ),
    ],
)
def test_a_yaml_mistake_is_said_in_our_words_not_the_parsers(text, line, ours):
    """Whatever the YAML parser's own wording (it changes between versions), the message is
    ours: the line and what to look for."""
    from handouts.content.load import parse

    assert str(parse(text, "f.yaml")) == f"f.yaml:{line}: this is not valid YAML: {ours}"


def test_content_past_review_is_listed_for_every_default_handout_before_any_is_made(cli, tmp_path):
    """The default run checks all four handouts first and lists every review that is due,
    so one run shows the whole job (not the first handout's share of it)."""
    run = cli("--out", tmp_path / "out", "--today", "2029-06-01")
    assert run.code == 1 and not (tmp_path / "out").exists()
    for used in ("migraine", "lupus", "multiple-sclerosis", "fibromyalgia", "chronic-back-pain",
                 "axial-spondyloarthritis", "rheumatoid-arthritis"):  # fmt: skip
        assert f"content/conditions/{used}.yaml:" in run.err


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {}>{}</svg>'
)
SHAPE = '<circle cx="50" cy="50" r="40" fill="#1F4E79"/>'
NO_SIZE = (
    "the SVG logo's width and height must each be between 1 and 10,000; give the <svg> "
    "element a plain width, height and viewBox"
)
OTHER_FILE = (
    "the SVG logo draws a picture or another file (an <image>, or a link to a file); a logo "
    "must be shapes only, in one file"
)
HUGE_NUMBERS = (
    "the SVG logo's shapes or transforms use numbers over 10,000,000 (a tiny viewBox or a "
    "huge scale), which a PDF reader cannot draw; give the <svg> element a plain viewBox in "
    "the same units as its width and height"
)
TOO_BIG = (
    "the SVG logo is 1,000,168 bytes; at most 1,000,000 (a logo is a few shapes): simplify "
    "it, or save it as a PNG"
)
FLAT = (
    "the SVG logo scales a shape to nothing (a scale of 0, or one so small it rounds to 0), "
    "which makes a broken page; remove that transform"
)
MANY = (
    "the SVG logo has 2,002 elements; at most 2,000 (a logo is a few shapes, and each is "
    "drawn on every handout): simplify it, or save it as a PNG"
)
UNREADABLE = (
    "the logo cannot be read as a SVG picture; save it again as a SVG file from a drawing program"
)


@pytest.mark.parametrize(
    ("size", "inside", "expected"),
    [
        ('width="1e300" height="100"', SHAPE, NO_SIZE),
        ('width="1e-300" height="1e-300"', SHAPE, NO_SIZE),
        ('width="inf" height="nan"', SHAPE, None),
        ('width="100" height="100"', '<image href="../../private-scan.png" width="9" height="9"/>',
         OTHER_FILE),
        ('width="100" height="100"', '<image xlink:href="file:///etc/hosts"/>', OTHER_FILE),
        ('width="100" height="100"', '<use href="other.svg#a"/>', OTHER_FILE),
        ('width="64" height="64" viewBox="0 0 1e-300 1e-300"',
         '<circle cx="5e-301" cy="5e-301" r="4e-301" fill="#1F4E79"/>', HUGE_NUMBERS),
        ('width="64" height="64"', f'<g transform="scale(1e300)">{SHAPE}</g>', HUGE_NUMBERS),
        ('width="64" height="64"', f"<!-- {'x' * 1_000_000} -->{SHAPE}", TOO_BIG),
        ('width="64" height="64"', f'<g transform="scale(0.0000001)">{SHAPE}</g>', FLAT),
        ('width="64" height="64"', "<rect/>" * 2_001, MANY),
        # drawing fails for another reason (a dash pattern of nothing): not "huge numbers"
        ('width="64" height="64"',
         '<circle cx="5" cy="5" r="4" stroke="#000" stroke-dasharray="0,0"/>', UNREADABLE),
    ],
    ids=["huge", "tiny", "inf-nan", "image", "xlink-image", "use-file", "tiny-viewbox",
         "huge-scale", "huge-file", "zero-scale", "many-elements", "zero-dash"],
)  # fmt: skip
def test_an_svg_logo_that_would_fail_later_or_read_another_file_is_refused_at_load(
    cli, tmp_path, size, inside, expected
):
    """Red team, issue 13 items 8 and 9: a ZeroDivisionError at render, a broken PDF with
    exit 0, and any picture on disk drawn into the handout."""
    brand = brand_copy(tmp_path)
    (brand.parent / "logo.svg").write_text(SVG.format(size, inside))
    out = tmp_path / "out"
    lines = failed(cli("--brand", brand, "--out", out), out, 1)
    if expected:
        assert lines == [f"{brand}:4: logo: {expected}"]
    else:  # not a number at all: the SVG reader may refuse it first
        assert lines in ([f"{brand}:4: logo: {NO_SIZE}"], [f"{brand}:4: logo: {UNREADABLE}"])


def test_a_png_logo_cut_short_or_too_large_is_refused_at_load(cli, tmp_path):
    """Red team, issue 13 items 7 and 8: a 13000 x 13000 PNG took 2 GB a process; a
    truncated PNG passed the brand check and failed at render."""
    from PIL import Image

    brand = brand_copy(tmp_path, "logo: logo.svg", "logo: logo.png")
    logo, out = brand.parent / "logo.png", tmp_path / "out"
    Image.new("RGB", (300, 200), (200, 30, 30)).save(logo)
    whole = logo.read_bytes()
    logo.write_bytes(whole[: len(whole) // 2])
    assert failed(cli("--brand", brand, "--out", out), out, 1) == [
        f"{brand}:4: logo: the logo cannot be read as a PNG picture; save it again as a PNG "
        "file from a drawing program"
    ]
    Image.new("1", (13000, 10)).save(logo)  # small on disk, huge once decoded
    assert failed(cli("--brand", brand, "--out", out), out, 1) == [
        f"{brand}:4: logo: the PNG logo is 13,000 x 10 pixels; at most 4,096 on a side (it "
        "prints 44 points high: 600 pixels is plenty): save it smaller"
    ]


@pytest.mark.parametrize("where", ["{outside}", "../elsewhere/logo.png"])
def test_a_logo_outside_the_brands_folder_is_refused(cli, tmp_path, where):
    """Red team, issue 13 item 9: `logo: /abs/path.png` embedded any picture on disk."""
    from PIL import Image

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    Image.new("RGB", (30, 20)).save(elsewhere / "logo.png")
    given = where.format(outside=elsewhere / "logo.png")
    brand = brand_copy(tmp_path, "logo: logo.svg", f"logo: {given}")
    out = tmp_path / "out"
    assert failed(cli("--brand", brand, "--out", out), out, 1) == [
        f"{brand}:4: logo: the logo must be a file in the brand's own folder "
        f"({brand.parent}), found '{given}'"
    ]


def test_a_content_file_that_is_not_utf8_is_reported_at_its_line_and_column(cli, content_copy):
    """Red team, issue 13 item 12: it was reported as 'byte 2940' with no line."""
    path = content_copy / "conditions" / "lupus.yaml"
    data = path.read_bytes()
    at = data.index(b"\n", data.index(b"\n") + 1) + 1  # the start of line 3
    path.write_bytes(data[:at] + b"na\xefve " + data[at:])
    run = cli("check", "--content", content_copy)
    assert run.code == 1
    assert run.out.startswith(
        "content/conditions/lupus.yaml:3: error: the file is not UTF-8 text: byte 0xEF at "
        "column 3 cannot be read; save the file as UTF-8\n"
    )


def test_an_svg_logo_not_in_utf8_cannot_hide_a_picture_from_the_check(cli, tmp_path):
    """Red team (issue 13 review): a UTF-16 SVG hid <image href=../secret.png> from the
    text check, and the picture printed."""
    brand = brand_copy(tmp_path)
    svg = SVG.format('width="100" height="100"', '<image xlink:href="../secret.png"/>')
    (brand.parent / "logo.svg").write_bytes(svg.encode("utf-16"))
    out = tmp_path / "out"
    assert failed(cli("--brand", brand, "--out", out), out, 1) == [
        f"{brand}:4: logo: the SVG logo must be saved as UTF-8 text (the usual way): save it again"
    ]


def test_an_svg_logo_paints_nothing_outside_its_box(cli, tmp_path):
    """Red team (issue 13 review): a rectangle far beyond the artboard blacked out 77% of
    page 1; nothing clipped a logo to its place."""
    import pypdfium2

    brand = brand_copy(tmp_path)
    cover = '<rect x="-5000" y="-5000" width="10000" height="10000" fill="#000000"/>'
    (brand.parent / "logo.svg").write_text(
        SVG.format('width="100" height="50" viewBox="0 0 100 50"', cover)
    )
    out = tmp_path / "logo.pdf"
    assert cli("build", "--conditions", "lupus", "--brand", brand, "--out", out).code == 0
    page = pypdfium2.PdfDocument(str(out))[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(page.histogram()[:60]) / (page.width * page.height)
    assert dark < 0.05, dark  # the logo's box (64 x 44 points) is under 1% of the page


def test_a_value_is_shown_escaped_and_cut_between_characters():
    from handouts.errors import shown

    assert shown("Ana\u202eB\x07") == "Ana\\u202eB\\x07"
    assert (
        shown("Jane\u202eSecret" * 10) == "Jane\\u202eSecretJane\\u202eSecretJane…"
    )  # not '\\u2…'
    assert shown("a" * 41) == "a" * 39 + "…" and shown("a" * 40) == "a" * 40


def test_lines_ended_by_a_carriage_return_alone_are_counted_everywhere(tmp_path):
    """Second review: a NUL or a byte that is not UTF-8 was said at line 1 of a file whose
    lines end in '\\r' alone (an old Mac's), where a YAML mistake was said at its line."""
    from handouts.content.load import read

    path = tmp_path / "p.yaml"
    path.write_bytes(b'name: Ana\rclinician: Dr B\rnotes: "a\x00b"\r')
    assert str(read(path, "p.yaml")) == (
        "p.yaml:3: this line has '\\x00' (U+0000), which YAML does not allow; remove it"
    )
    path.write_bytes(b'name: Ana\r\nclinician: Dr B\rnotes: "a\xffb"\r')
    assert str(read(path, "p.yaml")) == (
        "p.yaml:3: the file is not UTF-8 text: byte 0xFF at column 10 cannot be read; save the "
        "file as UTF-8"
    )


def test_a_date_on_the_command_line_is_read_only_as_written_yyyy_mm_dd(capsys, tmp_path):
    """Red team: Python also reads 20261203 and 2026-W49-4 as dates, which a clinic
    list refuses."""
    for written in ("20261203", "2026-W49-4"):
        with pytest.raises(SystemExit) as stopped:  # argparse's usage error
            main(["build", "--conditions", "migraine", "--date", written,
                  "--out", str(tmp_path / "x.pdf")])  # fmt: skip
        assert stopped.value.code == 2
        assert capsys.readouterr().err.endswith(
            f"error: argument --date: expected a date like 2026-11-21, got '{written}'\n"
        )
    assert not (tmp_path / "x.pdf").exists()


def test_odd_command_line_inputs_get_messages_of_our_own(cli, tmp_path):
    """Red team: a file where a folder belongs said "File exists"; notes not in UTF-8 said
    Python's words; "Migraine" was refused on the command line, though a list takes it."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    run = cli("batch", ROOT / "examples" / "clinic-list-small.csv", "--out", afile)
    assert (run.code, run.err) == (1, f"handouts: error: {afile} is a file, not a folder\n")
    latin = tmp_path / "notes.txt"
    latin.write_bytes("Café".encode("latin-1"))
    run = cli("build", "--conditions", "migraine", "--notes-file", latin,
              "--out", tmp_path / "n.pdf")  # fmt: skip
    assert run.err == (
        f"handouts: error: cannot read --notes-file {latin}: it is not UTF-8 text; save it "
        "as UTF-8\n"
    )
    run = cli("build", "--conditions", "MIGRAINE", "--out", tmp_path / "m.pdf")
    assert run.code == 0, run.err
