"""Instructions a visit handout takes, counted by callgrind: `python bench/instructions.py`.

The clock on a shared 2-core machine drifts by a fifth within minutes, so a change that
saves a few percent cannot be seen by timing it. Callgrind counts the instructions the
processor runs instead, which the other work on the machine does not change: two runs
agree within 0.2%. It runs Python about fifty times slower, so this counts the first
rows of ``bench/visit.py``'s diverse list (sorted as a batch sorts them), made by one new
renderer in one process, less the same process with no rows (starting, importing,
loading the content). Hash seeds are fixed, so sets and dicts are laid out the same.

    python bench/instructions.py              # the first 100 rows: about 70 s when idle
    python bench/instructions.py --rows 300   # more rows, longer
    python bench/instructions.py --typed      # the example clinic list with typed plans

To compare two versions, run it in each (a work tree of the old commit, with its
bytecode compiled as ``make`` compiles it) and compare the figures per handout. Needs
valgrind (Debian's package of that name).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
LIST_ROWS = 1000
"""The rows of the diverse list made (``bench/visit.py``'s default); the first of them,
sorted, are counted."""


def make(listed: Path, rows: int, typed: bool = False) -> None:
    """Make the visit handouts of the first ``rows`` rows of ``listed`` in this process,
    sorted as a batch sorts them (what callgrind counts): with this tree's code, wherever
    the environment's ``handouts`` is installed from. With ``typed``, each row's plan has
    a typed next appointment, and every third migraine row a typed attack medicine."""
    sys.path.insert(0, str(ROOT))
    import handouts

    if not Path(handouts.__file__).resolve().is_relative_to(ROOT):
        sys.exit(f"bench/instructions.py: imported {handouts.__file__}, not this tree's")
    from handouts.errors import HandoutsError
    from handouts.pipeline import Renderer

    sys.path.insert(1, str(ROOT / "bench"))
    from visit import listed_requests  # (bench/visit.py's rows, as its in-process pass)

    lib, brand, requests = listed_requests(listed)
    if typed:
        requests = [_typed(req, n) for n, req in enumerate(requests)]
    renderer = Renderer()
    for req in requests[:rows]:
        with contextlib.suppress(HandoutsError):  # a row that does not fit: counted as
            # far as it went, as a batch goes on past it
            renderer.make(lib, brand, req)


def _typed(req: Any, n: int) -> Any:
    """``req`` as a visit handout whose plan the clinician typed in part, as a clinic's own
    list would have it: the next appointment, and on every third migraine row the attack
    medicine (each a line, of a few lengths); the rest of the row's plan (its template,
    calming practice and any slot it types) as the list has it."""
    when = f"{DAYS[n % 5]} {1 + n % 28} January, {9 + n % 8}:{'30' if n % 2 else '00'}"
    plan = replace(req.plan, next_visit=when)
    if "migraine" in req.conditions and n % 3 == 0:
        plan = replace(plan, attack=replace(plan.attack, medicine=MEDICINES[n // 3 % 3]))
    return replace(req, format="visit", plan=plan)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MEDICINES = ("Sumatriptan 50 mg", "Rizatriptan 10 mg, 1 tablet", "Ibuprofen 400 mg")


def counted(listed: Path, rows: int, typed: bool = False) -> subprocess.Popen[str]:
    """This script making ``rows`` rows under callgrind, started."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
               sys.executable, __file__, "--make", str(listed), str(rows),
               *(["--typed"] if typed else [])]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def instructions(run: subprocess.Popen[str], others: tuple[subprocess.Popen[str], ...]) -> int:
    """What callgrind counted in ``run``, once it ends (when it failed, ``others`` are
    stopped too)."""
    _, said = run.communicate()
    found = COLLECTED.search(said or "")
    if run.returncode != 0 or found is None:
        for other in others:
            other.kill()
            other.wait()
        sys.exit(f"bench/instructions.py: callgrind did not finish (exit {run.returncode}):\n"
                 f"{(said or '')[-2000:]}")  # fmt: skip
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100, help="1 to 1000 (default 100)")
    parser.add_argument("--typed", action="store_true",
                        help="the example clinic list (281 sets), each row with a typed next "
                        "appointment, every third migraine row an attack medicine")  # fmt: skip
    parser.add_argument("--make", nargs=2, metavar=("LIST", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make(Path(args.make[0]), int(args.make[1]), args.typed)
        return
    if not 1 <= args.rows <= LIST_ROWS:
        sys.exit(f"bench/instructions.py: --rows must be 1 to {LIST_ROWS}")
    if shutil.which("valgrind") is None:
        sys.exit("bench/instructions.py needs valgrind: install Debian's valgrind package")
    sys.path.insert(0, str(ROOT / "bench"))
    from visit import diverse_list  # (bench/visit.py: the same list)

    with tempfile.TemporaryDirectory() as tmp:
        listed = Path(tmp) / "diverse.csv"
        if args.typed:
            listed = ROOT / "examples" / "clinic-list.csv"
        else:
            diverse_list(listed, LIST_ROWS)
        runs = counted(listed, 0), counted(listed, args.rows, args.typed)  # side by side
        start = instructions(runs[0], runs[1:])
        made = instructions(runs[1], ())
    each = (made - start) / args.rows
    which = "the example list's, plans typed," if args.typed else "the diverse list's"
    print(f"visit handouts, {which} first {args.rows} rows in one process: "
          f"{each / 1e6:.1f} million instructions a handout (starting, importing and "
          f"loading the content: {start / 1e6:.0f} million more)")  # fmt: skip


if __name__ == "__main__":
    main()
