"""Content in Spanish (issue 16): translations that cannot go stale silently, a language
printed whole or not at all, and Spanish handouts read back from the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from handouts.content import translations

from .conftest import pdf_text

TRIPTANS = "content/locale/es/medicines/triptans.po"


def _line(content: Path, place: str, file: str = TRIPTANS) -> int:
    with (content.parent / file).open("rb") as f:
        return next(m.lineno for m in read_po(f) if m.context == place)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_unit_of_the_shipped_content_is_in_spanish_and_current():
    content = Path(__file__).resolve().parent.parent / "content"
    assert translations.status(content, "es") == []
    assert len(translations.all_units(content)) > 700


def test_changed_english_makes_its_translation_stale_and_the_language_unprintable(
    cli, content_copy, tmp_path
):
    """The English of a unit changes: `handouts translate` marks the Spanish stale (the
    English it came from kept for the translator), `check --language es` says so (an error
    under --strict), and a Spanish handout is refused rather than printed half in English."""
    _replace(
        content_copy / "medicines" / "triptans.yaml", "name: Triptans", "name: Triptan medicines"
    )
    run = cli("translate", "es", "--content", content_copy)
    assert run.code == 0 and "1 newly stale" in run.out
    catalogue = (content_copy / "locale" / "es" / "medicines" / "triptans.po").read_text()
    assert (
        "#. which said: Triptans\n#: content/medicines/triptans.yaml:2\n#, fuzzy\n"
        'msgctxt "name"\nmsgid "Triptan medicines"\nmsgstr "Triptanes"\n'
    ) in catalogue  # the translation kept, marked, with the English it was made from
    where = f"{TRIPTANS}:{_line(content_copy, 'name')}"
    run = cli("check", "--language", "es", "--content", content_copy)
    assert run.code == 0, run.out
    assert f"{where}: warning: name: stale: the English changed since it was translated" in run.out
    run = cli("check", "--language", "es", "--strict", "--content", content_copy)
    assert run.code == 1
    assert f"{where}: error: name: stale" in run.out
    out = tmp_path / "es.pdf"
    run = cli("build", "--conditions", "migraine", "--medicines", "triptans", "--language", "es",
              "--content", content_copy, "--out", out)  # fmt: skip
    assert run.code == 1 and not out.exists()
    assert f"{where}: name: stale: the English changed since it was translated" in run.err
    run = cli("build", "--conditions", "migraine", "--content", content_copy, "--out", out)
    assert run.code == 0, run.err  # English is still printed


def test_new_english_is_an_untranslated_unit_until_someone_translates_it(cli, content_copy):
    path = content_copy / "medicines" / "triptans.yaml"
    new = "  - text: They work best taken early.\n    sources: [Suma-FDA]\nhow_to_take:"
    _replace(path, "how_to_take:", new)
    run = cli("translate", "es", "--content", content_copy)
    assert run.code == 0 and "1 new (untranslated)" in run.out
    run = cli("check", "--language", "es", "--content", content_copy)
    assert run.code == 1
    line = _line(content_copy, "used_for[1].text")
    assert f"{TRIPTANS}:{line}: error: used_for[1].text: untranslated" in run.out


def test_a_rerun_of_translate_changes_nothing(cli, content_copy):
    before = {p: p.read_bytes() for p in (content_copy / "locale").rglob("*.po")}
    run = cli("translate", "ES", "--content", content_copy)
    assert run.code == 0 and "0 new (untranslated), 0 newly stale" in run.out
    after = {p: p.read_bytes() for p in (content_copy / "locale").rglob("*.po")}
    assert after == before  # byte for byte: no churn in a clinic's history


def test_translate_refuses_content_that_is_not_yaml_and_writes_nothing(cli, content_copy):
    """A content file that does not parse (a colon inside unquoted text) was skipped in
    silence: its units counted as none, and its catalogue was left as it was, the run
    saying all was well. It is an error at its line, and no catalogue is written."""
    path = content_copy / "combinations" / "starter.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("    title: Triptans in lupus")].count("\n") + 1
    _replace(path, "    title: Triptans in lupus", "    title: Triptans in: lupus")
    (content_copy / "medicines" / "triptans.yaml").write_text(
        (content_copy / "medicines" / "triptans.yaml").read_text(encoding="utf-8")
        + "\n# a change that would be written\n",
        encoding="utf-8",
    )
    before = {p: p.read_bytes() for p in (content_copy / "locale").rglob("*.po")}
    run = cli("translate", "es", "--content", content_copy)
    assert run.code == 1 and run.out == ""
    assert run.err == (
        "handouts: error: 1 problem in the content; nothing was written:\n"
        f"  {content_copy.name}/combinations/starter.yaml:{line}: this is not valid YAML: a colon "
        "and a space inside a text (put the text in quotes), or a line indented further than it "
        "should be\n"
    )
    assert {p: p.read_bytes() for p in (content_copy / "locale").rglob("*.po")} == before


def test_a_catalogue_that_cannot_be_read_is_refused_never_cut_short(cli, content_copy, tmp_path):
    """Red team: a line with a lost quote made Babel drop a sentence with a warning, and
    the handout printed the caution without its dosing instruction."""
    po = content_copy / "locale" / "es" / "medicines" / "triptans.po"
    lines = po.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith('msgstr "') and n > 30)
    lines[at] = lines[at].replace('msgstr "', "msgstr ", 1)
    po.write_text("".join(lines), encoding="utf-8")
    before = po.read_bytes()
    said = (f"{TRIPTANS}:{at + 1}: cannot be read as a gettext catalogue from this line (a "
            "line not in double quotes, a keyword missing, a plural form, which content has none "
            "of, or not UTF-8): nothing in it is used until it can")  # fmt: skip
    run = cli("translate", "es", "--content", content_copy)
    assert run.code == 1 and said in run.err and po.read_bytes() == before
    run = cli("check", "--language", "es", "--content", content_copy)
    assert run.code == 1 and said.replace(": cannot", ": error: cannot", 1) in run.out
    out = tmp_path / "es.pdf"
    run = cli("build", "--conditions", "migraine", "--language", "es", "--content",
              content_copy, "--out", out)  # fmt: skip
    assert run.code == 1 and said in run.err and not out.exists()
    po.write_bytes(b"\xff\xfe" + before)
    run = cli("check", "--language", "es", "--content", content_copy)
    assert run.code == 1 and f"{TRIPTANS}:1: error: cannot be read" in run.out


@pytest.mark.parametrize(
    ("file", "old", "new", "why"),
    [
        ("red-flags/signs.po", "{{ clinic.emergency_number }}", "su médico",
         "its placeholders are not the English's (missing {{ clinic.emergency_number }})"),
        ("medicines/triptans.po", "24", "48", "its numbers are not the English's (24 in the English)"),
    ],
    ids=["emergency-number-dropped", "number-changed"],
)  # fmt: skip
def test_a_translation_must_keep_the_placeholders_and_numbers_of_its_english(
    cli, content_copy, tmp_path, file, old, new, why
):
    """Red team: a red flag's Spanish could drop the emergency number, or a number change,
    and nothing noticed."""
    po = content_copy / "locale" / "es" / file
    with po.open("rb") as f:
        catalogue = read_po(f)
    entry = next(m for m in catalogue if m.string and m.string.count(old) == 1
                 and m.id.count(old) == 1)  # fmt: skip
    entry.string = entry.string.replace(old, new)
    with po.open("wb") as f:
        write_po(f, catalogue, width=100)
    run = cli("check", "--language", "es", "--content", content_copy)
    place = f"{entry.context}: {why}"
    assert run.code == 1 and place in run.out
    out = tmp_path / "es.pdf"
    run = cli("build", "--conditions", "migraine", "--language", "es", "--content",
              content_copy, "--out", out)  # fmt: skip
    assert run.code == 1 and place in run.err and not out.exists()


def test_english_put_back_clears_the_stale_mark_and_a_removed_unit_is_kept_aside(cli, content_copy):
    path = content_copy / "medicines" / "triptans.yaml"
    _replace(path, "name: Triptans", "name: Triptan medicines")
    cli("translate", "es", "--content", content_copy)
    _replace(path, "name: Triptan medicines", "name: Triptans")
    run = cli("translate", "es", "--content", content_copy)
    assert run.code == 0 and "0 newly stale" in run.out
    assert cli("check", "--language", "es", "--strict", "--content", content_copy).code == 0
    _replace(path, "  - text: They stop a migraine attack that has started.\n"
             "    sources: [Suma-FDA, NICE-QS42]\n    for: [migraine]\n", "  []\n")  # fmt: skip
    text = path.read_text(encoding="utf-8").replace("used_for:\n  []", "used_for: []")
    path.write_text(text, encoding="utf-8")
    assert cli("translate", "es", "--content", content_copy).code == 0
    catalogue = (content_copy / "locale" / "es" / "medicines" / "triptans.po").read_text()
    assert '#~ msgctxt "used_for[0].text"' in catalogue  # its Spanish kept, out of the way


@pytest.mark.parametrize("visit", [True, False], ids=["visit", "full"])
def test_a_spanish_handout_is_in_spanish(cli, tmp_path, visit):
    out = tmp_path / "es.pdf"
    run = cli("build", "--conditions", "migraine", "fibromyalgia", "--medicines", "triptans",
              "--language", "es", "--patient", "José Peña", "--out", out,
              *(() if visit else ("--full",)))  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    for spanish in ("Migraña", "fibromialgia", "Triptanes", "Para: José Peña", "Llámenos hoy"):
        assert spanish in text, spanish
    assert "riverside.example.org/es/h/g43-m797" in text  # its page online, in Spanish
    for english in ("When to get help", "Your medicines", "Call us today", "painkiller"):
        assert english not in text, english


def test_a_brand_with_no_words_in_the_language_is_refused_not_printed_in_english(cli, tmp_path):
    brand = tmp_path / "brand.yaml"
    example = Path(__file__).resolve().parent.parent / "brands" / "example" / "brand.yaml"
    text = example.read_text(encoding="utf-8").split("translations:")[0]
    brand.write_text(text.replace("logo: logo.svg\n", ""), encoding="utf-8")
    out = tmp_path / "es.pdf"
    run = cli("build", "--conditions", "migraine", "--language", "es", "--brand", brand,
              "--out", out)  # fmt: skip
    assert run.code == 1 and not out.exists()
    assert (
        f"{brand}: translations: no words in 'es' for after_hours, crisis_line, footer: add "
        "them under translations (language: es) so a handout in that language does not print "
        "the brand's English"
    ) in run.err
    run = cli("build", "--conditions", "migraine", "--brand", brand, "--out", out)
    assert run.code == 0, run.err


def test_the_default_handouts_in_spanish(cli, tmp_path):
    """`handouts --language es`: the library's default handouts, titled in Spanish."""
    run = cli("--language", "es", "--out", tmp_path, "--no-patient")
    assert run.code == 0, run.err
    text = pdf_text((tmp_path / "migraine-and-lupus.pdf").read_bytes())
    assert text.startswith("Riverside") and "Migraña y lupus" in text
    assert "Migraine and lupus" not in text


MIGRAINE = "content/locale/es/conditions/migraine.po"
LONG = "Call too if you have sudden weakness."


def test_a_long_sentence_changed_and_put_back_leaves_the_catalogue_as_it_was(cli, content_copy):
    """Review: a long English sentence's previous text was written in a form read back
    wrongly, so each run changed the file and putting the English back left it stale."""
    yaml = content_copy / "conditions" / "migraine.yaml"
    po = content_copy.parent / MIGRAINE
    before = po.read_bytes()
    _replace(yaml, LONG, "Call too if you have sudden weakness on one side.")
    assert "1 newly stale" in cli("translate", "es", "--content", content_copy).out
    once = po.read_bytes()
    cli("translate", "es", "--content", content_copy)
    assert po.read_bytes() == once  # a second run changes nothing
    _replace(yaml, "Call too if you have sudden weakness on one side.", LONG)
    cli("translate", "es", "--content", content_copy)
    assert po.read_bytes() == before


def test_a_translation_made_for_new_english_goes_stale_when_the_old_comes_back(cli, content_copy):
    """Review: after a translator cleared the mark for the new English, putting the old
    English back passed the new Spanish as current."""
    yaml = content_copy / "conditions" / "migraine.yaml"
    po = content_copy.parent / MIGRAINE
    _replace(yaml, LONG, "Call too if you feel sudden weakness.")
    cli("translate", "es", "--content", content_copy)
    po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", ""), encoding="utf-8")
    cli("translate", "es", "--content", content_copy)
    _replace(yaml, "Call too if you feel sudden weakness.", LONG)
    run = cli("translate", "es", "--content", content_copy)
    assert "1 newly stale" in run.out


def test_translators_comments_and_header_are_kept_and_a_unit_set_aside_comes_back(
    cli, content_copy
):
    po = content_copy.parent / MIGRAINE
    text = po.read_text(encoding="utf-8")
    text = text.replace("Last-Translator: FULL NAME <EMAIL@ADDRESS>", "Last-Translator: Ana Ruiz")
    text = text.replace('msgctxt "name"\n', '# revisado por la Dra. Ruiz\nmsgctxt "name"\n', 1)
    po.write_text(text, encoding="utf-8")
    yaml = content_copy / "conditions" / "migraine.yaml"
    english = yaml.read_text(encoding="utf-8")
    cli("translate", "es", "--content", content_copy)
    kept = po.read_text(encoding="utf-8")
    assert "Last-Translator: Ana Ruiz" in kept and "# revisado por la Dra. Ruiz" in kept
    _replace(yaml, LONG, "")
    cli("translate", "es", "--content", content_copy)
    yaml.write_text(english, encoding="utf-8")
    run = cli("translate", "es", "--content", content_copy)
    assert "0 new (untranslated)" in run.out  # its Spanish came back from the set-aside entry
    assert cli("check", "--language", "es", "--strict", "--content", content_copy).code == 0


@pytest.mark.parametrize(
    "broken",
    ['msgctxt "extra"\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "bs"\n'],
    ids=["plural"],
)
def test_a_plural_entry_is_refused_at_its_line_and_nothing_is_written(cli, content_copy, broken):
    po = content_copy.parent / MIGRAINE
    text = po.read_text(encoding="utf-8")
    po.write_text(text + "\n" + broken, encoding="utf-8")
    line = text.count("\n") + 4
    lupus = content_copy / "conditions" / "lupus.yaml"
    lupus_po = content_copy / "locale" / "es" / "conditions" / "lupus.po"
    before = lupus_po.read_bytes()
    _replace(lupus, "name: Lupus", "name: Lupus (SLE)")
    run = cli("translate", "es", "--content", content_copy)
    assert run.code == 1 and f"{MIGRAINE}:{line}: cannot be read" in run.err
    assert lupus_po.read_bytes() == before  # nothing written while one cannot be read
    run = cli("check", "--language", "es", "--content", content_copy)
    assert run.code == 1 and f"{MIGRAINE}:{line}: error: cannot be read" in run.out


def test_a_catalogue_saved_with_a_byte_order_mark_is_read(cli, content_copy):
    po = content_copy.parent / MIGRAINE
    po.write_bytes(b"\xef\xbb\xbf" + po.read_bytes())
    assert cli("check", "--language", "es", "--strict", "--content", content_copy).code == 0


def test_a_problem_in_a_translated_sentence_is_said_at_its_catalogue_line(cli, content_copy):
    """Review: a character no font has, typed in a translation, was reported at the English
    file's line, where there is nothing to fix."""
    po = content_copy.parent / MIGRAINE
    with po.open("rb") as f:
        catalogue = read_po(f)
    entry = next(m for m in catalogue if m.context == "name")
    entry.string += " க"
    with po.open("wb") as f:
        write_po(f, catalogue, width=100)
    line = _line(content_copy, "name", MIGRAINE)
    run = cli("check", "--language", "es", "--content", content_copy)
    assert run.code == 1
    assert f"{MIGRAINE}:{line}: error: name: no bundled font can print 'க' (U+0B95)" in run.out


@pytest.mark.parametrize("form", ["--visit", "--full"])
def test_a_medicines_other_name_that_its_spanish_name_gives_is_not_said_twice(cli, tmp_path, form):
    """The Spanish name of paracetamol says 'acetaminofén' itself: its card is titled
    'Paracetamol (acetaminofén)', not with the other name in brackets a second time."""
    out = tmp_path / "es.pdf"
    run = cli("build", "--conditions", "migraine", "--medicines", "paracetamol", "--language",
              "es", form, "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "Paracetamol (acetaminofén)" in text
    assert "(acetaminofén) (acetaminofén)" not in text


def test_spanish_headings_that_name_a_condition_need_no_article(cli, tmp_path):
    """Spanish puts an article before a condition inside a sentence ("Sobre el lupus"),
    and the headings took the bare name ("Sobre lupus", "Cómo se relacionan migraña y
    lupus"). They now read as Spanish headings do with a bare name: the name first, or
    "Relación entre …"; the visit handout's is shorter than before, not longer."""
    out = tmp_path / "es.pdf"
    run = cli("build", "--full", "--conditions", "migraine", "sjogrens", "lupus",
              "--language", "es", "--out", out)  # fmt: skip
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    for heading in ("Migraña: lo que debe saber", "Síndrome de Sjögren: lo que debe saber",
                    "Lupus: lo que debe saber",
                    "Relación entre migraña, síndrome de Sjögren y lupus"):  # fmt: skip
        assert heading in text, heading
    for old in ("Sobre migraña", "Sobre síndrome", "Sobre lupus", "Cómo se relacionan migraña"):
        assert old not in text, old
    run = cli("build", "--conditions", "migraine", "lupus", "--language", "es", "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "Relación entre migraña y lupus" in text and "Cómo se relacionan" not in text
