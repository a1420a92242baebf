"""Visit-handout speed, printed as figures (not asserted): `python bench/visit.py`.

- warm: median time to make one visit handout (assemble, lay out, fit, write the PDF) for
  the same conditions and medicines, each round for a different patient;
- diverse: a synthetic clinic list of about 1,000 visit-handout rows where nearly every
  row has its own set of conditions and medicines (about 98% distinct), run through
  `handouts batch` in a new process with 1 and with 2 processes: handouts per second,
  handouts per second of processor time (the processes' together, so less swayed by
  other work on the machine), the rows that took more than both sides of one sheet,
  and those that could not fit even on two;
- in one process: the same list's handouts made by a new renderer in one process, sorted
  as a batch sorts them, without start-up or writing files; then the list once more with
  that renderer, when nearly everything the handouts share is remembered (the memo tables
  are bounded, so not quite all): what a handout costs apart from laying out what is new
  to it (with ``--repeat``, each run that many times too);
- with ``--phases``: where those two passes spend their time, phase by phase, in
  milliseconds a handout measured by the clock (a profiler slows Python code more than
  the C it calls, and so misstates the shares).

    python bench/visit.py             # warm render, then the diverse list
    python bench/visit.py --rows 300  # a smaller list
    python bench/visit.py --repeat 3  # each run three times: slowest, median, fastest
                                      # (a shared machine's runs differ by a third)
    python bench/visit.py --no-batch  # the warm render and the list in one process only
    python bench/visit.py --phases    # and the phases of a handout's time in one process
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from handouts import pipeline
from handouts.content.brand import Brand
from handouts.content.language import CONTENT_LANGUAGES
from handouts.content.model import AttackPlan, Library, PlanFields
from handouts.delivery.batch import cache_key
from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.errors import HandoutsError
from handouts.intake.clinic_list import read_list, request
from handouts.paths import CONTENT
from handouts.pdf import render, stacking
from handouts.pipeline import PRINTER, Renderer, load_inputs, past_a_sheet

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Ana O'Brien", "Łukasz Nowak", "Nguyễn Thị Minh", "Zoë Müller", "Sam Smith", "José Peña"]


def warm(rounds: int = 40, typed: bool = False) -> float:
    """Median milliseconds for one visit handout, each round for another patient; with
    ``typed``, the clinician also types the attack medicine (patient text, laid out anew
    for every handout)."""
    lib, brand = load_inputs(CONTENT, None)
    renderer = Renderer()
    plan = PlanFields(attack=AttackPlan(medicine="Sumatriptan 50 mg")) if typed else PlanFields()
    base = Request(("migraine", "fibromyalgia"), medicines=("triptans", "snri", "nsaids"),
                   format="visit", plan_template="migraine-attack-triptan", plan=plan)  # fmt: skip
    times = []
    for n in range(rounds + 5):
        req = Request(**{**base.__dict__, "personal": Personal(NAMES[n % len(NAMES)] + str(n))})
        start = time.perf_counter()
        renderer.make(lib, brand, req)
        if n >= 5:
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def diverse_list(path: Path, rows: int, seed: int = 14) -> int:
    """A clinic list of ``rows`` visit rows, nearly every one a different set; the number
    of distinct (conditions, medicines) sets."""
    lib, _ = load_inputs(CONTENT, None)
    rng = random.Random(seed)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions = sorted(lib.conditions)
    medicines = sorted(lib.medicines)
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "name", "conditions", "medicines", "format", "calming"])
        for n in range(rows):
            conds = list(rng.choice(pairs))
            if rng.random() < 0.5:
                conds.append(rng.choice([c for c in conditions if c not in conds]))
            meds = rng.sample(medicines, rng.randint(1, 5))
            seen.add((tuple(conds), tuple(sorted(meds))))
            calming = rng.choice(["", "", "slow-breathing"])
            out.writerow([f"V{n:05}", rng.choice(NAMES), ";".join(conds), ";".join(meds),
                          "visit", calming])  # fmt: skip
    return len(seen)


def batch(listed: Path, jobs: int) -> tuple[float, float, int, int, int]:
    """Handouts per second, handouts per second of processor time (all processes
    together: less swayed by other work on the machine), rows written, rows failed, and
    rows written on more than one sheet (the list is in regular print: over 2 pages)."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "handouts", "batch", str(listed), "--out", out,
                   "--jobs", str(jobs), "--date", "2026-12-03", "--allow-draft"]  # fmt: skip
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        took = time.perf_counter() - start
        cpu = _children_cpu() - before
        manifest = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
    rows, longer = manifest["rows_total"], sum(1 for r in manifest["rows"] if (r["pages"] or 0) > 2)
    return rows / took, rows / cpu, manifest["written"], manifest["failed"], longer


def listed_requests(listed: Path) -> tuple[Library, Brand, list[Request]]:
    """The content, the brand and the requests of ``listed``'s rows, sorted as a batch
    sorts them (drafts allowed, printed on a fixed date)."""
    lib, brand = load_inputs(CONTENT, None)
    rows = sorted(read_list(listed, lib, PRINTER, lib.packs, CONTENT_LANGUAGES).rows,
                  key=cache_key)  # fmt: skip
    return lib, brand, [request(row, dt.date(2026, 12, 3), Allow(draft=True)) for row in rows]


def in_process(
    listed: Path, spent: tuple[dict[str, float], dict[str, float]] | None = None
) -> tuple[float, float, int, int, int]:
    """Milliseconds a handout, on average, for the rows of ``listed`` made in one process
    by a new renderer (sorted as a batch sorts them, with a batch's garbage collection, no
    files written): the first time through, then once more with the same renderer; how
    many rows did not fit (counted as a batch counts them, not stopping the run), how
    many rows were made, and how many of them took more than one sheet. With ``spent``,
    each pass's seconds in each phase are added to its dict (:data:`PHASES`,
    :data:`PARTS`)."""
    lib, brand, requests = listed_requests(listed)
    renderer, took, failed, longer = Renderer(), [], 0, 0
    collecting = gc.get_threshold()
    gc.set_threshold(20_000, 50, 1000)
    gc.freeze()
    try:
        for n in range(2):
            failed, longer, start = 0, 0, time.perf_counter()
            with contextlib.nullcontext() if spent is None else _timed(spent[n]):
                for req in requests:
                    try:
                        done = renderer.make(lib, brand, req)
                    except HandoutsError:
                        failed += 1
                    else:
                        longer += past_a_sheet(req, done.pages) is not None
            took.append((time.perf_counter() - start) * 1000 / len(requests))
    finally:
        gc.unfreeze()
        gc.set_threshold(*collecting)
    return took[0], took[1], failed, len(requests), longer


PHASES = (
    ("assemble", pipeline, "assemble_visit",
     "choosing its sections and words (once for each number of cuts tried)"),
    ("front", pipeline, "front_shape", "the masthead and the patient's part under it"),
    ("tries", pipeline, "fits_visit", "measuring tries at fitting two pages"),
    ("draw", pipeline, "lay_out_visit", "drawing the one that fits, from its pieces"),
    ("file", render.Laid, "finish", "writing the PDF's bytes"),
)  # fmt: skip
"""The phases of a visit handout's time (``--phases``): a name, where the function that
does it is looked up when it is called (none of them calls another), and what it is."""
PARTS = (
    ("mastheads", render, "_masthead", "a masthead found, or laid out for a new title"),
    ("blocks", stacking, "_block", "a block or tier found, or laid out and drawn if new"),
)
"""Parts of those phases, wherever they fall (the masthead in the front, a new block in
a try or the drawing): looked up and timed the same way, found ones too (which the
second pass shows to cost next to nothing)."""


@contextlib.contextmanager
def _timed(spent: dict[str, float]) -> Iterator[None]:
    """While the block runs, each phase's function adds the seconds it takes to
    ``spent``."""

    def clocked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return call

    with contextlib.ExitStack() as stack:
        for name, owner, attribute, _ in PHASES + PARTS:
            fn = getattr(owner, attribute)
            stack.enter_context(mock.patch.object(owner, attribute, clocked(name, fn)))
        yield


def _print_phases(passes: list[tuple[float, dict[str, float]]], rows: int) -> None:
    """Each pass's milliseconds a handout in each phase, and their shares (``passes``:
    each pass's milliseconds a handout, and its seconds by phase, for ``rows`` rows)."""
    (first, one), (second, two) = passes
    print(f"  phases, ms a handout (first pass {first:.1f} ms; second {second:.1f} ms):")
    about = {name: what for name, _, _, what in PHASES}
    about["other"] = "the rest: checking the request, guessing the cuts, the pipeline's own"
    for spent, took in ((one, first), (two, second)):
        spent["other"] = took * rows / 1000 - sum(spent.get(name, 0.0) for name in about)
    for names, what in ((about, None), ({n: w for n, _, _, w in PARTS}, "of which")):
        if what:
            print(f"    {what}, in whichever phase:")
        for name, said in names.items():
            a, b = one.get(name, 0.0) * 1000 / rows, two.get(name, 0.0) * 1000 / rows
            print(f"    {name:9} {a:4.1f} {a / first:4.0%}   {b:4.1f} {b / second:4.0%}   {said}")


def _spread(values: list[float], digits: int = 0, reverse: bool = False) -> str:
    """One figure, or the slowest, median and fastest of several runs (``reverse``: of
    times, where the slowest is the largest)."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    low, mid, high = sorted([min(values), statistics.median(values), max(values)],
                            reverse=reverse)  # fmt: skip
    return f"{low:.{digits}f} / {mid:.{digits}f} / {high:.{digits}f}"


def _children_cpu() -> float:
    """Processor seconds (user and system) of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each batch")
    parser.add_argument("--no-batch", action="store_true", help="leave the batches out")
    parser.add_argument("--phases", action="store_true", help="time each phase in one process")
    args = parser.parse_args()
    print(f"warm visit handout (migraine, fibromyalgia, 3 medicines, a plan template): "
          f"{warm():.1f} ms median")  # fmt: skip
    print(f"  the same with the attack medicine typed in: {warm(typed=True):.1f} ms median")
    with tempfile.TemporaryDirectory() as tmp:
        listed = Path(tmp) / "diverse.csv"
        sets = diverse_list(listed, args.rows)
        print(f"diverse list: {args.rows} rows, {sets} distinct sets "
              f"({sets / args.rows:.0%})")  # fmt: skip
        if args.repeat > 1:
            print(f"  (each {args.repeat} times: slowest / median / fastest)")
        spent: tuple[dict[str, float], dict[str, float]] = ({}, {})
        made = [in_process(listed, spent if args.phases else None)
                for _ in range(max(1, args.repeat))]  # fmt: skip
        first, again = [m[0] for m in made], [m[1] for m in made]
        print(f"  in one process: {_spread(first, 1, True)} ms a handout; the list once more "
              f"in that process: {_spread(again, 1, True)} ms ({made[-1][2]} did not "
              f"fit, {made[-1][4]} on more than one sheet)")  # fmt: skip
        if args.phases:  # (with --repeat, the phases of every run added up)
            runs = len(made)
            _print_phases([(sum(first) / runs, {k: v / runs for k, v in spent[0].items()}),
                           (sum(again) / runs, {k: v / runs for k, v in spent[1].items()})],
                          made[-1][3])  # fmt: skip
        if args.no_batch:
            return
        for jobs in (1, 2):
            runs = [batch(listed, jobs) for _ in range(max(1, args.repeat))]
            rates, per_cpu = [r[0] for r in runs], [r[1] for r in runs]
            _, _, written, failed, longer = runs[-1]
            print(f"  {jobs} process{'es' if jobs > 1 else ''}: {_spread(rates)} handouts/s, "
                  f"{_spread(per_cpu)} per processor second ({written} written, {longer} of "
                  f"them on more than one sheet, {failed} did not fit)")  # fmt: skip


if __name__ == "__main__":
    main()
