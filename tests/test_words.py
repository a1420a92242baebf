"""Words a reader sees come from the catalogues (handouts/locale), not the code."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handouts.content import words as words_module
from handouts.content.words import Words, words
from handouts.errors import ContentError
from handouts.pdf.render import clear_caches

from .conftest import BRAND, CONTENT, ROOT, main, pdf_text

LOCALE = ROOT / "handouts" / "locale"


def marked_in_the_code() -> set[str]:
    """Every word the code marks with _() or N_(), as `make words` collects them."""
    found = extract_from_dir(
        str(ROOT / "handouts"),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None},
    )
    return {message for _, _, message, _, _ in found}


def catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_the_template_and_every_catalogue_hold_exactly_the_words_of_the_code():
    """`make words` was run after the last word changed; no catalogue lacks a word."""
    marked = marked_in_the_code()
    assert len(marked) > 60
    assert set(catalogue(LOCALE / "handouts.pot")) == marked
    for po in LOCALE.glob("*/LC_MESSAGES/handouts.po"):
        assert set(catalogue(po)) == marked, po


def test_the_marked_words_include_those_a_reader_sees_around_the_content():
    marked = marked_in_the_code()
    for msgid in ("The main points", "For:", "Page {page} of {pages}", "Call us today",
                  "Shown in many studies", "What to do:", "Undated.", "d MMMM y"):  # fmt: skip
        assert msgid in marked


def pseudo(tmp_path: Path) -> Path:
    """The shipped catalogues, with every English word printed as «word» (dates, the list
    separator and placeholders kept as they are)."""
    folder = tmp_path / "locale"
    shutil.copytree(LOCALE, folder)
    po = folder / "en" / "LC_MESSAGES" / "handouts.po"
    with po.open("rb") as f:
        cat = read_po(f)
    for message in cat:
        if message.id and message.id not in ("d MMMM y", "d MMM y", ", "):
            message.string = f"«{message.id}»"
    with po.open("wb") as f:
        write_po(f, cat)
    return folder


def test_every_fixed_word_on_the_page_comes_from_the_catalogue(tmp_path, monkeypatch):
    """With each English word of the catalogue changed to «word», a handout and a pack
    print only the changed words: none of the catalogue's words reaches the page as the
    code wrote it."""
    monkeypatch.setattr(words_module, "LOCALE", pseudo(tmp_path))
    clear_caches()
    try:
        one, pack = tmp_path / "one.pdf", tmp_path / "pack.pdf"
        who = ["--patient", "Ann Lee", "--clinician", "Dr Okafor", "--date", "2026-11-21"]
        who += ["--notes", "Walk daily.", "--medicines", "sumatriptan", "naproxen"]
        args = ["build", "--conditions", "migraine", "lupus", "--diary", *who]
        assert main([*args, "--out", str(one)]) == 0
        assert main(["pack", "migraine-autoimmune-clinic", *who, "--out", str(pack)]) == 0
        texts = [pdf_text(path.read_bytes()) for path in (one, pack)]
    finally:
        clear_caches()
    content = " ".join(
        " ".join(path.read_text(encoding="utf-8").split())
        for folder in (CONTENT, BRAND.parent)
        for path in folder.rglob("*.yaml")
    )
    pieces = {  # the words around each placeholder, unless the content has them too
        piece.strip(" :.?()")
        for msgid in marked_in_the_code()
        for piece in re.split(r"\{[^}]*\}", msgid)
    }
    pieces = {p for p in pieces if len(p) >= 5 and p not in content}
    assert len(pieces) > 40
    for text in texts:
        outside = re.sub(r"«[^»]*»", "", text)
        assert [p for p in sorted(pieces) if p in outside] == []
        for shown in ("«The main points»", "«For:»", "«Date:» 21 November 2026",
                      "«When to get help»", "«What to do:»", "«Shown in many studies»"):  # fmt: skip
            assert shown in text
    assert "{page}" not in texts[0] + texts[1]  # numbers are put in after the lookup
    assert re.search(r"«Page 1 of \d+»", texts[0])
    assert re.search(r"«In this pack»", texts[1])
    assert re.search(r"«Pack page 1 of \d+»", texts[1])


def test_dates_are_written_in_the_catalogues_language():
    day = dt.date(2026, 9, 3)

    def said(text: str) -> str:  # a date's spaces are no-break spaces (test_spaces)
        return text.replace("\u00a0", " ")

    assert said(words("en-GB").date(day, "d MMMM y")) == "3 September 2026"
    assert said(words("en-US").date(day, "d MMM y")) == "3 Sep 2026"
    spanish = Words("es", {"d MMMM y": "d 'de' MMMM 'de' y"})
    assert said(spanish.date(day, "d MMMM y")) == "3 de septiembre de 2026"


def test_a_value_is_put_in_after_the_lookup_and_never_read_as_words():
    w = Words("en", {"For {name}": "Para {name}"})
    assert w("For {name}", name="{0.__class__} {name}") == "Para {0.__class__} {name}"
    assert w("Not in the catalogue") == "Not in the catalogue"


def test_a_missing_catalogue_is_a_clear_error(tmp_path):
    with pytest.raises(ContentError) as err:
        words("fr", tmp_path)
    (problem,) = err.value.problems
    assert problem.file == str(tmp_path / "fr" / "LC_MESSAGES" / "handouts.po")
    assert problem.message == "no catalogue of words for 'fr': No such file or directory"


def test_a_translation_that_loses_or_breaks_a_placeholder_is_refused_with_its_line(tmp_path):
    folder = tmp_path / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "handouts.po").write_text(
        'msgid "Page {page} of {pages}"\n'
        'msgstr "Página {page} de {{pages}}"\n'
        "\n"
        'msgid "If we are closed, call {{ clinic.after_hours }}."\n'
        'msgstr "Si estamos cerrados, llame."\n'
        "\n"
        'msgid "About {condition}"\n'
        'msgstr "Sobre {condition}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as err:
        words("es-MX", tmp_path / "locale")
    file = str(folder / "handouts.po")
    assert [(p.file, p.line, p.path, p.message) for p in err.value.problems] == [
        (file, 1, "msgstr", "the words for 'Page {page} of {pages}' must keep its placeholders "
         "(page, pages) and have no other braces"),
        (file, 4, "msgstr", "the words for 'If we are closed, call {{ clinic.after_hours }}.' "
         "must keep its placeholders ({{ clinic.after_hours }}) and have no other braces"),
    ]  # fmt: skip


def test_a_format_spec_or_conversion_is_not_a_placeholder(tmp_path):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "handouts.po").write_text(
        'msgid "Page {page} of {pages}"\nmsgstr "Página {page} de {pages:>100000000}"\n\n'
        'msgid "About {condition}"\nmsgstr "Sobre {condition!r}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as err:
        words("es", tmp_path)
    assert [p.line for p in err.value.problems] == [1, 4]


def test_a_fuzzy_guess_prints_the_english_and_a_regional_catalogue_is_preferred(tmp_path):
    for lang, said in (("pt", "Os pontos principais"), ("pt_BR", "Os pontos mais importantes")):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "handouts.po").write_text(
            f'msgid "The main points"\nmsgstr "{said}"\n\n#, fuzzy\nmsgid "For:"\nmsgstr "Pra:"\n',
            encoding="utf-8",
        )
    assert words("pt-BR", tmp_path)("The main points") == "Os pontos mais importantes"
    assert words("pt-PT", tmp_path)("The main points") == "Os pontos principais"
    assert words("pt", tmp_path)("For:") == "For:"


def test_a_links_spoken_words_come_from_the_catalogue(tmp_path, monkeypatch):
    """A screen reader says what a link is from its annotation: that is words too."""
    from pypdf import PdfReader

    monkeypatch.setattr(words_module, "LOCALE", pseudo(tmp_path))
    clear_caches()
    try:
        out = tmp_path / "one.pdf"
        assert main(["build", "--conditions", "lupus", "--out", str(out)]) == 0
    finally:
        clear_caches()
    said = [
        str(a.get_object()["/Contents"])
        for page in PdfReader(out).pages
        for a in page.get("/Annots") or []
    ]
    assert said and all(s.startswith("«Web page: http") and s.endswith("»") for s in said)


def test_a_batch_prints_again_when_the_words_change(tmp_path, monkeypatch, cli):
    """A batch keeps a row's PDF only while nothing that went into it changed; the words
    around the content go into it too."""
    monkeypatch.chdir(tmp_path)
    Path("list.csv").write_text("id,conditions\nR1,migraine\nR2,lupus\n", encoding="utf-8")
    assert cli("batch", "list.csv", "--out", "out", "--jobs", "1").code == 0
    assert cli("batch", "list.csv", "--out", "out", "--jobs", "1").out.startswith(
        "2 rows: 0 written, 2 unchanged"
    )
    monkeypatch.setattr(words_module, "LOCALE", pseudo(tmp_path))
    clear_caches()
    try:
        run = cli("batch", "list.csv", "--out", "out", "--jobs", "1")
    finally:
        clear_caches()
    assert run.out.startswith("2 rows: 2 written, 0 unchanged")
    assert "«Page 1 of" in pdf_text(Path("out/R1.pdf").read_bytes())


def test_a_spanish_list_says_e_not_y_before_an_i_sound():
    """Spanish "y" is "e" before a word starting with an 'i' sound (i, hi; not hie-):
    "metotrexato e interferón beta"; English says "and" either way."""
    from handouts.content.words import words
    from handouts.document.assemble import join_names

    es, en = words("es"), words("en")
    assert join_names(["metotrexato", "interferón beta"], es) == "metotrexato e interferón beta"
    assert join_names(["a", "b", "hidroxicloroquina"], es) == "a, b e hidroxicloroquina"
    assert join_names(["a", "hierro"], es) == "a y hierro"
    assert join_names(["a", "iodo"], es) == "a y iodo"  # i before a vowel: a 'y' sound
    assert join_names(["a", "(ibuprofeno)"], es) == "a e (ibuprofeno)"
    assert join_names(["a", "Ítem"], es) == "a e Ítem"
    assert join_names(["a", "triptanes"], es) == "a y triptanes"
    assert join_names(["methotrexate", "interferon-beta"], en) == "methotrexate and interferon-beta"
