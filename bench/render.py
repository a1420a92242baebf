"""Render timings, printed as figures (not asserted): `make bench`.

- warm: median time to assemble and render one personal handout, after warm-up,
  for the smallest real handout and for a typical two-condition one, each round
  for a different patient (as when a clinic prints for its list);
- first: the same, the first time its content is seen in the process (nothing
  laid out yet: what a clinic pays once per condition set and medicines);
- cold: wall time of the whole default run (`handouts --out DIR`) in a new process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from handouts.document.assemble import assemble
from handouts.document.document import Personal
from handouts.document.request import Request
from handouts.paths import CONTENT as DEFAULT_CONTENT
from handouts.pdf.render import render
from handouts.pipeline import load_inputs

ROUNDS = 30
PATIENTS = [
    "Ana O'Brien & <Sons>",
    "Łukasz Nowak",
    "Nguyễn Thị Minh",
    "Zoë Müller-Søndergaard",
    "Sam Smith",
    "José Ángel Peña",
]
CASES = [
    ("one condition, patient's own medicine", ("fibromyalgia",), ("snri",)),
    ("two conditions, patient's own medicines", ("migraine", "lupus"), ("triptans", "nsaids")),
    ("two conditions, all common medicines", ("migraine", "lupus"), ()),
]


def warm() -> None:
    lib, brand = load_inputs(DEFAULT_CONTENT, None)
    for label, conditions, medicines in CASES:
        requests = [
            Request(conditions, None, medicines, personal=Personal(name, "Dr Sam Okafor"))
            for name in PATIENTS
        ]
        for req in requests:
            render(assemble(lib, req, brand), brand)
        times = []
        for n in range(ROUNDS):
            req = requests[n % len(requests)]
            start = time.perf_counter()
            pdf, pages = render(assemble(lib, req, brand), brand)
            times.append(time.perf_counter() - start)
        ms = statistics.median(times) * 1000
        print(
            f"warm  {label:<42} {pages:>2} pages {len(pdf) / 1024:>4.0f} KB  "
            f"median {ms:5.1f} ms = {2 * ms / pages:4.1f} ms per two pages ({ROUNDS} rounds)"
        )
        firsts = []
        for n in range(5):
            forget()
            start = time.perf_counter()
            render(assemble(lib, requests[n], brand), brand)
            firsts.append(time.perf_counter() - start)
        ms = statistics.median(firsts) * 1000
        print(f"first {label:<42} {pages:>2} pages          median {ms:5.1f} ms (5 rounds)")


def forget() -> None:
    """Drop everything laid out, broken, drawn and assembled, as in a new process."""
    from handouts.pdf.render import clear_caches

    clear_caches()


def cold() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            # review dates as of a fixed day, so the figure does not stop on a review date
            [
                sys.executable,
                "-m",
                "handouts",
                "--today",
                "2026-12-03",
                "--out",
                str(Path(tmp) / "out"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        took = time.perf_counter() - start
        count = len(list((Path(tmp) / "out").glob("*.pdf")))
    print(f"cold  default run, new process: {count} handouts in {took:.2f} s")


if __name__ == "__main__":
    warm()
    cold()
