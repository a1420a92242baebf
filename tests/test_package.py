"""The installed package is self-contained: a wheel built from the repository, installed in a
new virtual environment, prints the default handouts from a folder outside the repository,
byte for byte the ones the repository prints (issue 12)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from .conftest import ROOT, TODAY

LEFT_OUT = shutil.ignore_patterns(
    ".git", ".venv*", "out", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "build", "dist",
)  # fmt: skip


def test_the_wheel_prints_the_default_handouts_outside_the_repository(tmp_path, default_out):
    src, dist, venv, away = (tmp_path / n for n in ("src", "dist", "venv", "away"))
    shutil.copytree(ROOT, src, symlinks=True, ignore=LEFT_OUT)
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", str(dist), str(src)], check=True, capture_output=True)
    (wheel,) = dist.glob("handouts-*.whl")

    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    # Its dependencies come from the test environment's site-packages (not downloaded
    # again); a path in a .pth file runs no .pth inside it, so not this checkout's own
    # editable install either.
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    away.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *args], cwd=away, env=env, capture_output=True, text=True
        )

    where = run("-c", "import handouts; print(handouts.__file__)")
    assert where.stdout.strip().startswith(str(venv)), where.stderr
    made = run("-m", "handouts", "--today", TODAY, "--out", "out")
    assert made.returncode == 0, made.stderr
    names = sorted(p.name for p in (away / "out").glob("*.pdf"))
    assert names == sorted(p.name for p in default_out.glob("*.pdf")) and len(names) == 4
    for name in names:
        assert (away / "out" / name).read_bytes() == (default_out / name).read_bytes(), name
    checked = run("-m", "handouts", "check", "--today", TODAY)
    assert checked.returncode == 0 and "0 errors" in checked.stdout


def test_a_checkout_without_symbolic_links_still_finds_its_files(tmp_path):
    """With core.symlinks=false (some Windows checkouts, a zip), handouts/data/ holds small
    text files where the links were: the package falls back to the top-level folders."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=LEFT_OUT)
    for link in (src / "handouts" / "data").iterdir():
        target = os.readlink(link)
        link.unlink()
        link.write_text(target)  # what git writes in place of a link
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(src)}
    code = "import handouts.paths as p; print(p.CONTENT, p.PATIENT.is_file(), p.BRAND.is_file())"
    where = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert where.stdout.split() == [str(src / "content"), "True", "True"], where.stderr
    made = subprocess.run(
        [sys.executable, "-m", "handouts", "--today", TODAY, "--out", str(tmp_path / "out")],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 4
