"""The sha256 of every file the default run and the example batch write, printed sorted.

A redesign that should not change any output (issue 12) is checked by running this before
and after and comparing: `python bench/fingerprints.py > before.txt`, change, run again,
`diff before.txt after.txt`; any difference needs a reason. The content is checked as of a
fixed day, so the list does not change with the calendar. bench/fingerprints.txt is the list
at the commit that added it.

    python bench/fingerprints.py
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-03"
BATCH_LIST = ROOT / "examples" / "clinic-list.csv"


def run(*args: str) -> None:
    command = [sys.executable, "-m", "handouts", *args, "--today", TODAY]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        default, batch = Path(tmp) / "default", Path(tmp) / "batch"
        run("generate", "--out", str(default))
        run("batch", str(BATCH_LIST), "--out", str(batch), "--date", "2026-11-21")
        for folder in (default, batch):
            for path in sorted(folder.glob("*.pdf")):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                print(f"{digest}  {folder.name}/{path.name}")


if __name__ == "__main__":
    main()
