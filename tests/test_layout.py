"""The package's shape: no module imports one that (through others) imports it back.

Every import counts, including those inside functions and under TYPE_CHECKING: a circle
of types is still a circle a reader has to hold in their head (issue 12)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "handouts"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``content.model``, ``pipeline``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "data" in path.relative_to(PACKAGE).parts:
            continue
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (a package's
    ``__init__`` counts as the package)."""
    names = modules()
    found: dict[str, set[str]] = {}
    for name, path in names.items():
        here = name.split(".")[:-1]
        uses: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1])
                module = ".".join(x for x in (base, node.module or "") if x)
            elif (node.module or "").startswith("handouts."):
                module = node.module.removeprefix("handouts.")
            elif node.module == "handouts":
                module = ""
            else:
                continue
            for alias in node.names:
                full = f"{module}.{alias.name}" if module else alias.name
                if full in names:
                    uses.add(full)
                elif module in names:
                    uses.add(module)
                elif f"{module}.__init__" in names:
                    uses.add(f"{module}.__init__")
        found[name] = uses - {name}
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module path that comes back to where it started (depth-first)."""
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each circle once, from its least module
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    return found


def test_the_helpers_find_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_imports_itself_back():
    assert circles(imports()) == []


LAYERS = {
    "content": {"content"},
    "document": {"content", "document"},
    "pdf": {"content", "document", "pdf"},
    "quality": {"content", "document", "quality"},
    "intake": {"content", "document", "intake"},
    "pipeline": {"content", "document", "pdf", "pipeline"},
    "html": {"content", "document", "html"},
    "delivery": {"content", "document", "html", "intake", "pipeline", "delivery"},
    "web": {"content", "delivery", "document", "html", "intake", "pipeline", "web"},
}
"""What each stage may import, besides the shared modules (errors, memo, paths). The arrows
point one way: interfaces → pipeline → document → content; a renderer (pdf, later html)
depends on the document, never the reverse."""
SHARED = {"errors", "memo", "paths", "__init__"}


def test_each_stage_imports_only_the_stages_below_it():
    wrong = []
    for module, uses in imports().items():
        stage = module.split(".")[0]
        for used in uses:
            if stage in LAYERS and used not in SHARED and used.split(".")[0] not in LAYERS[stage]:
                wrong.append(f"{module} imports {used}")
    assert wrong == []


def test_the_stage_rule_finds_a_wrong_arrow(monkeypatch):
    import sys

    here = sys.modules[__name__]
    monkeypatch.setattr(
        here, "imports", lambda: {"content.brand": {"pdf.logo"}, "pdf.render": {"content.model"}}
    )
    with pytest.raises(AssertionError, match=r"content\.brand imports pdf\.logo"):
        test_each_stage_imports_only_the_stages_below_it()


def test_every_stage_is_a_folder_with_a_rule():
    """A new stage folder must say what it may import (and the table names only folders)."""
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(LAYERS) - {"pipeline"}


def test_importing_or_printing_leaves_reportlab_as_it_was(tmp_path):
    """No module patches ReportLab for the whole process: a list mark's tagging is switched
    on only while one of our paragraphs draws."""
    import importlib

    from reportlab.platypus import paragraph as rl_paragraph

    def reportlabs_own() -> bool:
        return rl_paragraph._drawBullet.__module__ == "reportlab.platypus.paragraph"

    for name in modules():
        if name != "__main__":  # that one runs the command line
            importlib.import_module(f"handouts.{name}".removesuffix(".__init__"))
    assert reportlabs_own()
    from .conftest import main

    assert main(["build", "--conditions", "migraine", "--out", str(tmp_path / "x.pdf")]) == 0
    assert reportlabs_own()


KEPT = """
import gc, sys, types
from dataclasses import replace
from handouts.document.request import Allow, Request
from handouts import memo
from handouts.pipeline import Renderer, load_inputs, make
from handouts.document.document import Personal
from handouts.content.model import AttackPlan, PlanFields
import datetime as dt

renderer = Renderer()

def build():
    name, note = "Qz" + "Patient" + "Xy", "Qz" + "Note" + "Xy"
    lib, brand = load_inputs(CONTENT, None)
    req = Request(("migraine", "lupus"), notes=note + " twice a week", personal=Personal(name))
    req = replace(req, allow=Allow(today=dt.date(2026, 12, 3)))
    make(lib, brand, req)  # with this thread's own tables
    renderer.make(lib, brand, replace(req, pack=None, paper="a4"))  # with the renderer's
    renderer.make(lib, brand, replace(req, conditions=(), pack="migraine-autoimmune-clinic"))
    # a visit handout, its plan typed in, tried at fitting more than once
    typed = PlanFields(attack=AttackPlan(medicine="Qz" + "Plan" + "Xy 50 mg"),
                       next_visit="Qz" + "Plan" + "Xy at 10")  # a second typed slot
    visit = replace(req, format="visit", medicines=("triptans", "snri"), plan=typed,
                    plan_template="migraine-attack-triptan")
    for _ in range(2):  # the second time from the number of cuts the first needed
        renderer.make(lib, brand, visit)
    # and with nothing typed: the handout is remembered without its patient's part
    untyped = replace(visit, plan=PlanFields(), personal=Personal(name, None, dt.date(2031, 7, 19)))
    for _ in range(2):
        renderer.make(lib, brand, untyped)

from reportlab.pdfgen.canvas import Canvas

def holds(item):
    if isinstance(item, (dict, list, tuple, set)) and not isinstance(item, types.MappingProxyType):
        text = repr(item)
        return canvas_in(item) or any(mark in text for mark in (
            "QzPatientXy", "QzNoteXy", "QzPlanXy", "2031, 7, 19", "19 July 2031"))
    return False

def canvas_in(item, depth=0):
    # a canvas holds its page's drawing, a patient's words among it (its repr does not)
    if isinstance(item, Canvas):
        return True
    if depth > 3 or not isinstance(item, (dict, list, tuple, set)):
        return False
    inner = [*item.keys(), *item.values()] if isinstance(item, dict) else item
    return any(canvas_in(x, depth + 1) for x in inner)

build()
gc.collect()
found = []
for module in [m for n, m in sys.modules.items() if n.startswith("handouts")]:
    for attr, value in vars(module).items():
        held = [value, *gc.get_referents(value)] if callable(value) else [value]
        for item in held:
            if item is not vars(module) and holds(item):
                found.append(f"{module.__name__}.{attr}")
for owner, caches in (("thread", memo.active()), ("renderer", renderer.caches)):
    assert sum(caches.sizes().values()) > 100, owner  # the search looked somewhere full
    for n, made in caches._made.items():
        if any(holds(x) for x in [made, *gc.get_referents(made)]):
            found.append(f"{owner}:{memo.declared()[n]}")
for canvas in [x for x in gc.get_objects() if isinstance(x, Canvas)]:
    if canvas._code or getattr(canvas, "pages", None):  # a layout canvas is kept empty
        found.append(f"a live {type(canvas).__name__} with a drawing")
print(sorted(set(found)))
"""


def test_no_patient_name_or_note_is_kept_after_the_handout_is_written():
    """Every memo table of the package, after a handout for a patient with a name and
    notes: none holds either, nor a canvas that drew them, and no canvas with a drawing
    is left alive anywhere (a server would otherwise keep every patient of the day)."""
    import subprocess
    import sys

    from .conftest import CONTENT

    code = f"from pathlib import Path\nCONTENT = Path({str(CONTENT)!r})\n" + KEPT
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_every_memo_table_is_declared_and_clearing_empties_them_all(tmp_path):
    """Every memoised function of the package is a table of handouts.memo (made in a
    Caches, so a renderer owns it), or one of the few process-wide ones; clear_caches()
    forgets everything the current tables hold, as a new renderer would."""
    import importlib

    from handouts import memo
    from handouts.pdf.render import clear_caches

    from .conftest import main

    process_wide = {
        "handouts.pdf.fonts.register",
        "handouts.pdf.fonts.script_coverage",
        "handouts.quality.translated.spanish_dictionary",
        "handouts.content.schema._hints",
        "handouts.intake.fhir.models",
        "handouts.pdf.qr._data_rows",
        "handouts.pdf.qr._mask_rows",
        "handouts.pdf.qr._generator",
        "handouts.pdf.qr._positions",
        "handouts.pdf.qr._function_rows",
        "handouts.pdf.fonts._draws_ascii",
        "handouts.pdf.shaping.joined_letters",
    }
    loaded = [
        importlib.import_module(f"handouts.{dotted}".removesuffix(".__init__"))
        for dotted in modules()
        if dotted != "__main__"
    ]  # every module first: a table is declared when its module is imported
    names = set(memo.declared())
    assert len(names) == len(memo.declared()) > 30  # each declared once, by its own name
    for module in loaded:
        for value in vars(module).values():
            if (
                hasattr(value, "cache_clear")
                and getattr(value, "__module__", "") == module.__name__
            ):
                full = f"{value.__module__}.{value.__qualname__}"
                assert full in names or full in process_wide, full
    assert (
        main(["build", "--conditions", "migraine", "lupus", "--out", str(tmp_path / "x.pdf")]) == 0
    )
    assert sum(memo.active().sizes().values()) > 100
    clear_caches()
    assert memo.active().sizes() == {}


def test_the_readme_layout_table_names_every_module_in_its_folder():
    """The README's layout table is the map a newcomer reads: each module is named in
    its folder's row, and the table names no module that is not there."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout of the code", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        named = set(re.findall(r"`([a-z_]+\.py)`", cells[1])) if len(cells) == 3 else set()
        if line.startswith("|") and named:
            rows[cells[0].strip("`").rstrip("/")] = named
    have: dict[str, set[str]] = {}
    for name in modules():
        folder, _, file = name.rpartition(".")
        if file not in ("__init__", "__main__"):
            have.setdefault(folder or "top", set()).add(f"{file}.py")
    assert rows == have
