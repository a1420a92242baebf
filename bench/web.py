"""The web page's speed, printed as figures (not asserted): `python bench/web.py`.

- start: from the `handouts serve` command to the first page served (median of 3);
- load: 8 simulated clinicians at once, each asking for visit handouts (POST /pdf) for
  patients with varied conditions, medicines, names and plans: latency p50 and p95, and
  handouts per second, against a server with 2 worker processes on this machine. Run
  twice: with no pause between a clinician's handouts (the worst case: every handout
  waits behind others), and with a pause of 1-3 s (still far busier than a clinic,
  where a handout takes a clinician a minute).

    python bench/web.py                 # 8 clinicians, 25 handouts each
    python bench/web.py --each 50
"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from handouts.paths import CONTENT
from handouts.pipeline import load_inputs

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Ana O'Brien", "Łukasz Nowak", "Nguyễn Thị Minh", "Zoë Müller", "Sam Smith", "José Peña"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, workers: int) -> tuple[subprocess.Popen[bytes], float]:
    """A server, and the seconds from its command to its first page."""
    begun = time.perf_counter()
    command = [sys.executable, "-m", "handouts", "serve", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as answer:
                answer.read()
                return server, time.perf_counter() - begun
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server stopped") from None
            time.sleep(0.01)


def forms(count: int, seed: int) -> list[dict[str, object]]:
    """Visit-handout forms for varied patients."""
    lib, _ = load_inputs(CONTENT, None)
    rng = random.Random(seed)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    out = []
    for n in range(count):
        conds = list(rng.choice(pairs))
        if rng.random() < 0.3:
            conds.append(rng.choice([c for c in conditions if c not in conds]))
        form: dict[str, object] = {
            "conditions": conds,
            "medicines": rng.sample(medicines, rng.randint(0, 4)),
            "name": f"{rng.choice(NAMES)} {n}",
            "clinician": "Dr Sam Okafor",
            "date": "2026-12-03",
            "format": "visit",
            "allow_draft": "yes",  # ME/CFS is still a draft: print it marked as one
        }
        if "migraine" in conds and rng.random() < 0.5:
            form["plan_template"] = "migraine-attack-triptan"
            form["attack_medicine"] = rng.choice(["Sumatriptan 50 mg", "Rizatriptan 10 mg"])
        out.append(form)
    return out


def clinician(
    port: int,
    todo: list[dict[str, object]],
    times: list[float],
    codes: list[int],
    pause: tuple[float, float],
) -> None:
    """One clinician: opens the page once, then asks for each handout in turn, pausing
    between them for a time drawn from ``pause`` (seconds)."""
    rng = random.Random(len(todo))
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(base + "/").read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    for form in todo:
        time.sleep(rng.uniform(*pause))
        body = urllib.parse.urlencode({**form, "csrf": token}, doseq=True).encode()
        begun = time.perf_counter()
        try:
            with opener.open(base + "/pdf", data=body) as answer:
                answer.read()
                code = answer.status
        except urllib.error.HTTPError as exc:  # 422: did not fit both sides of one sheet
            exc.read()
            code = exc.code
        times.append(time.perf_counter() - begun)
        codes.append(code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clinicians", type=int, default=8)
    parser.add_argument("--each", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    starts = []
    for _ in range(3):
        server, took = start(free_port(), args.workers)
        starts.append(took)
        server.terminate()
        server.wait()
    print(f"command to first page served: {statistics.median(starts):.2f} s median "
          f"({', '.join(f'{s:.2f}' for s in starts)})")  # fmt: skip
    for pause, said in (((0.0, 0.0), "no pause"), ((1.0, 3.0), "a pause of 1-3 s")):
        port = free_port()
        server, _ = start(port, args.workers)  # a new server: nothing laid out yet
        try:
            todo = forms(args.clinicians * args.each, seed=15)
            times: list[float] = []
            codes: list[int] = []
            threads = [
                threading.Thread(
                    target=clinician, args=(port, todo[n :: args.clinicians], times, codes, pause)
                )
                for n in range(args.clinicians)
            ]
            begun = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.perf_counter() - begun
        finally:
            server.terminate()
            server.wait()
        ms = sorted(t * 1000 for t in times)
        p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
        made = codes.count(200)
        print(f"{args.clinicians} clinicians, {said}, {len(ms)} visit handouts, {args.workers} "
              f"workers: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
              f"{len(ms) / took:.0f} handouts/s ({made} made, {len(ms) - made} refused: too "
              "long for one sheet)")  # fmt: skip


if __name__ == "__main__":
    main()
