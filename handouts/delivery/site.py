"""``handouts site``: the online versions the handouts' QR codes point to, as a folder of
static web pages (HTML and CSS, no script) a clinic uploads to its ``online`` address.

Every address a handout can print has its page: each condition alone, every set of two
and three (a visit handout's conditions), the library's and the packs' handouts; each
page is the full version for those conditions, from the same document as the PDF. An
index lists the conditions, the linked pairs and the clinic's handouts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from handouts import pipeline
from handouts.content.brand import Brand
from handouts.content.language import CONTENT_LANGUAGES, base
from handouts.content.model import Library
from handouts.content.words import N_, Words, words
from handouts.delivery.write import PUBLIC, inside, write_atomic
from handouts.document.assemble import ONLINE_MOST, slug
from handouts.document.request import FULL, Allow, Request
from handouts.errors import ContentError, HandoutsError, Problem, internal
from handouts.html.render import Entry, handout_page, index_page

TITLE = N_("Our handouts")
INTRO = N_(
    "The full version of each handout we print. Scan the square code on your handout, or "
    "type its short address, to come to its page."
)
SKIP = N_("Skip to the list")
SKIP_PAGE = N_("Skip to the handout")
ONE = N_("Conditions")
LINKED = N_("Conditions that are linked")
OURS = N_("Handouts we print")
ALL = N_("All handouts")
NO_ONLINE = (
    "the brand gives no online address (online:), so the handouts print no QR code and "
    "there is no site to make: add online: https://…/h/ to the brand"
)


@dataclass(frozen=True)
class Written:
    pages: int
    folder: Path
    allowed: tuple[Problem, ...]
    drafts: int = 0
    """Pages not written: their content still needs sign-off (``--allow-draft`` writes them,
    marked as drafts)."""
    indexes: tuple[Path, ...] = ()
    """Each language's index page, the brand's language first."""


@dataclass(frozen=True)
class _Page:
    conditions: tuple[str, ...]
    title: str | None = None
    diary: bool = False


def write_site(lib: Library, brand: Brand, out: Path, allow: Allow) -> Written:
    """Write every page and the index into ``out`` (made if need be), in each language
    the content is in: the brand's at its ``online`` address, each other one under its
    code (``/es/h/…``). Every page of every language is made before the first is
    written, so a problem leaves the folder as it was."""
    base = brand.spec.online
    if not base:
        raise HandoutsError(NO_ONLINE)
    made = [_language(lib, brand, allow, code) for code in CONTENT_LANGUAGES]
    pages = drafts = 0
    allowed: dict[Problem, None] = {}
    indexes = []
    for folder, files, late, skipped in made:
        target = out.joinpath(*folder.parts)
        indexes.append(target / "index.html")
        if not target.resolve().is_relative_to(out.resolve()):  # the brand refuses '..'
            raise internal(f"the online address {base} leads outside {out}")
        css = (resources.files("handouts.html") / "static" / "site.css").read_bytes()
        write_atomic(target / "site.css", css, PUBLIC)
        for address, html in files.items():
            if address:
                write_atomic(inside(target, address) / "index.html", html.encode(), PUBLIC)
        write_atomic(target / "index.html", files[""].encode(), PUBLIC)
        _forget(target, {a for a in files if a})
        pages += len(files) - 1
        drafts += skipped
        allowed.update(dict.fromkeys(late))
    return Written(pages, indexes[0].parent, tuple(allowed), drafts, tuple(indexes))


def _language(
    lib: Library, brand: Brand, allow: Allow, code: str
) -> tuple[PurePosixPath, dict[str, str], tuple[Problem, ...], int]:
    """One language's pages (by address; the index at ""), made but not written: its
    folder under the site's root, its pages, what they print only because allowed, and
    how many drafts were left out."""
    asked_in = None if code == base(brand.spec.language) else code  # the brand's own: as printed
    own = pipeline.in_language(lib, brand, Request((), language=asked_in))
    its = pipeline.brand_in(brand, Request((), language=asked_in))
    path = PurePosixPath(unquote(urlsplit(brand.spec.online or "/").path or "/"))
    parts = path.parts[1:] if own.language == lib.language else (own.language, *path.parts[1:])
    pages = _pages(own)
    made: dict[str, tuple[str, str]] = {}
    allowed: dict[Problem, None] = {}
    refused: dict[Problem, None] = {}
    drafts = 0
    for address, page in pages.items():
        # a draft is a handout no one prints without --allow-draft: it has no page either
        asked = Allow(allow.expired, True, allow.today)
        req = Request(page.conditions, page.title, diary=page.diary, format=FULL, allow=asked,
                      language=asked_in)  # fmt: skip
        try:
            doc, late = pipeline.assembled(lib, brand, req)
        except ContentError as exc:
            refused.update(dict.fromkeys(exc.problems))
            continue
        if doc.draft and not allow.draft:
            drafts += 1
            continue
        allowed.update(dict.fromkeys(late))
        _ = words(doc.language)
        html = handout_page(doc, "../site.css", "../", _(ALL), _(SKIP_PAGE))
        made[address] = (html, doc.title)
    if refused:
        raise ContentError(list(refused))
    language = its.spec.language if asked_in is None else code
    _ = words(language)
    groups = _groups(own, pages, made, _)
    index = index_page(its.spec.clinic_name, language, groups,
                       {"title": _(TITLE), "intro": _(INTRO), "skip": _(SKIP)})  # fmt: skip
    files = {address: html for address, (html, _title) in made.items()}
    files[""] = index
    return PurePosixPath(*parts), files, tuple(allowed), drafts


def _forget(folder: Path, made: set[str]) -> None:
    """Remove the pages an earlier run wrote that this one did not (a draft's, one for a
    condition since removed): a folder holding only an ``index.html`` handouts wrote. A
    folder with anything else in it is the clinic's, and stays."""
    for page in folder.glob("*/index.html"):
        here = page.parent
        if here.name in made or here.is_symlink() or page.is_symlink():
            continue
        if [p.name for p in here.iterdir()] == ["index.html"] and _ours(page):
            page.unlink()
            here.rmdir()


def _ours(page: Path) -> bool:
    """Whether ``page`` is a handout page this command wrote (its stylesheet link)."""
    with page.open("rb") as f:
        return b'<link rel="stylesheet" href="../site.css">' in f.read(4096)


def _pages(lib: Library) -> dict[str, _Page]:
    """Each address a handout can print, and the page there: the library's and the packs'
    handouts (with their titles), then every set of up to ``ONLINE_MOST`` conditions (a
    handout for more conditions points to the index)."""
    pages: dict[str, _Page] = {}
    specs = [*lib.handouts, *(h for p in lib.packs.values() for h in p.handouts)]
    for spec in specs:
        conds = [lib.conditions[c] for c in spec.conditions]
        pages.setdefault(slug(conds), _Page(spec.conditions, spec.title, spec.diary))
    ids = sorted(lib.conditions)
    for n in range(1, ONLINE_MOST + 1):
        for chosen in itertools.combinations(ids, n):
            pages.setdefault(slug([lib.conditions[c] for c in chosen]), _Page(chosen))
    return pages


def _groups(
    lib: Library, pages: dict[str, _Page], made: dict[str, tuple[str, str]], _: Words
) -> list[tuple[str, list[Entry]]]:
    """The index: the clinic's handouts, each condition, each linked pair (every other set
    has its page at the address its handout prints)."""
    href = {a: f"{a}/" for a in made}
    by_set = {frozenset(p.conditions): a for a, p in pages.items()}
    ours = [
        Entry(made[a][1], "", href[a])
        for spec in lib.handouts
        if (a := by_set.get(frozenset(spec.conditions))) in made
    ]
    one = [
        Entry(made[a][1], ", ".join(lib.conditions[c].icd10), href[a])
        for c in sorted(lib.conditions, key=lambda c: lib.conditions[c].name.lower())
        if (a := by_set.get(frozenset([c]))) in made
    ]
    linked = [
        Entry(made[a][1], "", href[a])
        for pair in sorted(lib.links, key=lambda p: made.get(by_set.get(p, ""), ("", ""))[1])
        if (a := by_set.get(pair)) in made
    ]
    return [(_(OURS), ours), (_(ONE), one), (_(LINKED), linked)]
