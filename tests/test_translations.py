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
        '#, fuzzy\n#| msgid "Triptans"\nmsgctxt "name"\nmsgid "Triptan medicines"\n'
        'msgstr "Triptanes"\n'
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
            "line not in double quotes, a keyword missing, or not UTF-8): nothing in it is used "
            "until it can")  # fmt: skip
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
