"""Batch throughput and memory, printed as figures (not asserted): `make bench`.

Makes synthetic clinic lists with examples/make_clinic_list.py (each row a linked
pair of conditions and the patient's medicines, with no format column: visit handouts,
the default), runs `handouts batch` on them in a new process
into an empty folder, and prints handouts per second with one process and with
all cores, and the peak memory of the whole process tree (the main process and
its workers, summed) for a 1,000-row and a 10,000-row list.

    python bench/batch.py            # 1,000 rows (1 and all cores), then 10,000 rows
    python bench/batch.py --quick    # 1,000 rows only
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_LIST = ROOT / "examples" / "make_clinic_list.py"


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KB (0 once it has gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run(rows: int, jobs: int, folder: Path) -> tuple[float, int, str]:
    """Seconds, peak KB and the summary line of one batch run into a new folder."""
    listing = folder / f"list-{rows}.csv"
    if not listing.exists():
        subprocess.run([sys.executable, str(MAKE_LIST), str(rows), str(listing)], check=True)
    out = folder / f"out-{rows}-{jobs}"
    cmd = [sys.executable, "-m", "handouts", "batch", str(listing), "--out", str(out)]
    cmd += ["--today", "2026-12-03"]  # review dates as of a fixed day, whatever the calendar
    start = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--jobs", str(jobs)], stdout=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, rss_kb(proc.pid))
        time.sleep(0.05)
    took = time.perf_counter() - start
    summary = proc.stdout.read().splitlines()[0] if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}): {summary}")
    return took, peak, summary


def main() -> None:
    cores = os.cpu_count() or 1
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        peaks = {}
        for rows, jobs in [(1000, 1), (1000, cores)] + ([] if quick else [(10000, cores)]):
            took, peak, summary = run(rows, jobs, folder)
            peaks[rows] = peak
            print(
                f"batch {rows:>6} rows, {jobs} process{'es' if jobs > 1 else '  '}: "
                f"{rows / took:6.0f} handouts/s ({took:5.1f} s, new process), "
                f"peak memory {peak / 1024:5.0f} MB"
            )
            print(f"      {summary}")
        if 10000 in peaks:
            print(f"memory 10,000 rows / 1,000 rows: {peaks[10000] / peaks[1000]:.2f}x")


if __name__ == "__main__":
    main()
