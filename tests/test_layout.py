"""The package's shape: no module imports one that (through others) imports it back.

Every import counts, including those inside functions and under TYPE_CHECKING: a circle
of types is still a circle a reader has to hold in their head (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "handouts"


def imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports."""
    names = {p.stem for p in PACKAGE.glob("*.py")}
    found: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        uses: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    uses.add(node.module.split(".")[0])
                else:  # from . import a, b
                    uses |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handouts."):
                uses.add(node.module.split(".")[1])
        found[path.stem] = (uses & names) - {path.stem}
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


def test_importing_or_printing_leaves_reportlab_as_it_was(tmp_path):
    """No module patches ReportLab for the whole process: a list mark's tagging is switched
    on only while one of our paragraphs draws."""
    import importlib

    from reportlab.platypus import paragraph as rl_paragraph

    def reportlabs_own() -> bool:
        return rl_paragraph._drawBullet.__module__ == "reportlab.platypus.paragraph"

    for path in PACKAGE.glob("*.py"):
        if path.stem != "__main__":  # that one runs the command line
            importlib.import_module(f"handouts.{path.stem}")
    assert reportlabs_own()
    from .conftest import main

    assert main(["build", "--conditions", "migraine", "--out", str(tmp_path / "x.pdf")]) == 0
    assert reportlabs_own()


KEPT = """
import gc, sys, types
from handouts.assemble import Request
from handouts.build import Allow, handout_pdf, load_inputs
from handouts.document import Personal
import datetime as dt

def build():
    name, note = "Qz" + "Patient" + "Xy", "Qz" + "Note" + "Xy"
    lib, brand = load_inputs(CONTENT, None)
    req = Request(("migraine", "lupus"), notes=note + " twice a week", personal=Personal(name))
    handout_pdf(lib, brand, req, allow=Allow(today=dt.date(2026, 12, 3)))

build()
gc.collect()
found = []
for module in [m for n, m in sys.modules.items() if n.startswith("handouts")]:
    for attr, value in vars(module).items():
        held = [value, *gc.get_referents(value)] if callable(value) else [value]
        for item in held:
            if isinstance(item, (dict, list, tuple, set)) and not isinstance(item, types.MappingProxyType):
                if item is vars(module):
                    continue
                text = repr(item)
                if "QzPatientXy" in text or "QzNoteXy" in text:
                    found.append(f"{module.__name__}.{attr}")
print(sorted(set(found)))
"""


def test_no_patient_name_or_note_is_kept_after_the_handout_is_written():
    """Every memo table of the package, after a handout for a patient with a name and
    notes: none holds either (a server would otherwise keep every patient of the day)."""
    import subprocess
    import sys

    from .conftest import CONTENT

    code = f"from pathlib import Path\nCONTENT = Path({str(CONTENT)!r})\n" + KEPT
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_every_memo_table_is_listed_and_clearing_empties_them_all(tmp_path):
    """One list holds every memo table (handouts.memo): a memoised function or table that
    is not in it would outlive clear_caches(), which promises "as in a new process"."""
    import importlib

    from handouts import memo
    from handouts.render import clear_caches

    from .conftest import main

    listed = {id(t) for t in memo.tables()}
    for path in PACKAGE.glob("*.py"):
        if path.stem == "__main__":
            continue
        module = importlib.import_module(f"handouts.{path.stem}")
        for name, value in vars(module).items():
            if hasattr(value, "cache_clear"):
                assert id(value) in listed, f"handouts.{path.stem}.{name} is not in handouts.memo"
    assert (
        main(["build", "--conditions", "migraine", "lupus", "--out", str(tmp_path / "x.pdf")]) == 0
    )
    assert sum(memo.size(t) for t in memo.tables()) > 100
    clear_caches()
    assert [memo.size(t) for t in memo.tables() if memo.size(t)] == []
