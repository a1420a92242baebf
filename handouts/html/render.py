"""A :class:`Document` as an accessible web page (headings, lists, tables, language,
words for pictures), from the same document the PDF is drawn from, so the two cannot
drift: each block type has its HTML here as it has its flowables in
:mod:`handouts.pdf.flowables`. Every string is escaped (Jinja2 autoescaping); content is
never read as markup or a template."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

from handouts.content.spaces import keep_together
from handouts.document.addresses import pieces
from handouts.document.document import (
    Block,
    Bullets,
    Calendar,
    Caution,
    Checklist,
    Diary,
    Document,
    Heading,
    Numbered,
    Online,
    Para,
    Picture,
    Slots,
    SourceList,
    Tiers,
    WriteIn,
)

BLOCKS: dict[type, str] = {
    Para: "para",
    Heading: "heading",
    Bullets: "bullets",
    Checklist: "checklist",
    Caution: "caution",
    Tiers: "tiers",
    WriteIn: "write_in",
    SourceList: "sources",
    Diary: "diary",
    Numbered: "numbered",
    Slots: "slots",
    Calendar: "calendar",
    Picture: "picture",
    Online: "online",
}
"""The template macro that writes each block type; a new block type must be added here
(and to the PDF's ``BLOCKS``)."""


def templates(package: str, finalize: Callable[[Any], Any] | None = None) -> Environment:
    """The Jinja2 templates in ``package``'s ``templates/`` folder: every value escaped,
    and a value a template names but is not given is an error, never a blank. The
    ``address_pieces`` filter cuts a web address where a line may break in it
    (:func:`handouts.document.addresses.pieces`; a template puts ``<wbr>`` between them,
    as the PDF breaks it there). ``finalize`` is given each value a template prints,
    before it is escaped."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    env.filters["address_pieces"] = pieces
    return env


def _kept_together(value: Any) -> Any:
    """A text a handout's page prints with each number kept with its word, as the PDF
    keeps it (:func:`handouts.content.spaces.keep_together`): a phone-sized page would
    otherwise show "up to 60" at a line's end and "mg" on the next. What is already
    markup (a macro's output, an escaped value: it has ``__html__``, as Jinja2 reads it)
    and what is not text pass as they are."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return keep_together(value)
    return value


def rendered(template: Template, **values: Any) -> str:
    """``template`` filled with ``values``, as ``Template.render`` fills it, leaving no
    reference loop that holds them: a template's own macros are kept in its context and
    refer back to it, so the context, and the values (a patient's, on the web page), would
    stay in memory until the garbage collector ran. Its variables are cleared once done
    (the top-level context's: a template that imports macros ``with context`` would
    make another, which this does not reach; ours import none)."""
    context = template.new_context(values)
    try:
        return template.environment.concat(template.root_render_func(context))
    except Exception:  # as render does: the error said at the template's line
        template.environment.handle_exception()
    finally:
        context.vars.clear()
        context.exported_vars.clear()


_ENV = templates("handouts.html", _kept_together)
_ENV.globals["kind"] = lambda block: BLOCKS[type(block)]


@dataclass(frozen=True)
class Entry:
    """A page the site's index links to: its title, what it covers, and its address."""

    title: str
    about: str
    href: str


def handout_page(doc: Document, css: str, home: str, all_handouts: str, skip: str) -> str:
    """The handout's web page; ``css`` and ``home`` (the index, linked as
    ``all_handouts``) are addresses relative to it; ``skip``: the skip link's words."""
    page = _ENV.get_template("handout.html")
    return rendered(page, doc=doc, css=css, home=home, all_handouts=all_handouts, skip=skip)


def index_page(
    clinic: str,
    lang: str,
    groups: Sequence[tuple[str, Sequence[Entry]]],
    words: dict[str, str],
) -> str:
    """The site's index: each group (a heading and its pages), a patient can browse."""
    return rendered(
        _ENV.get_template("index.html"), clinic=clinic, lang=lang, groups=groups, words=words
    )


def blocks_of(doc: Document) -> Sequence[Block]:
    return [b for s in doc.sections for b in s.blocks]
