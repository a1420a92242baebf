"""How many pages the most crowded visit handouts take, printed as figures (not
asserted): `python bench/crowded.py`.

A visit handout is both sides of one sheet (two in large print), leaving out its
lowest-priority items to fit. What is never left out (the plan, the notes, the red
flags, the combination cautions, a medicine's first-rank cautions for the patient's
conditions …) can still take more: the handout then goes on to both sides of the next
sheet. This makes random visit
handouts of three conditions (a linked pair and one more) and six medicines, with a
random plan template or none, in English or Spanish, on Letter or A4, in regular or
large print, and counts their pages, and those that do not fit even on one more sheet.

    python bench/crowded.py              # 200 handouts
    python bench/crowded.py --rows 50 --seed 2
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.paths import CONTENT
from handouts.pipeline import Renderer, TooLong, load_inputs, past_a_sheet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    lib, brand = load_inputs(CONTENT, None)
    rng = random.Random(args.seed)
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    plans = [*sorted(lib.plans), None]
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    renderer, pages, longer, refused = Renderer(), Counter[tuple[bool, int]](), [], 0
    for _ in range(args.rows):
        conds = list(rng.choice(pairs))
        conds.append(rng.choice([c for c in conditions if c not in conds]))
        req = Request(tuple(conds), medicines=tuple(rng.sample(medicines, 6)), format="visit",
                      plan_template=rng.choice(plans), language=rng.choice(["en", "es"]),
                      paper=rng.choice(["letter", "a4"]), large_print=rng.random() < 0.5,
                      personal=Personal("Ana Example"), allow=Allow(draft=True))  # fmt: skip
        try:
            done = renderer.make(lib, brand, req)
        except TooLong:
            refused += 1
            continue
        pages[req.large_print, done.pages] += 1
        if past_a_sheet(req, done.pages):
            longer.append(req)
    print(f"{args.rows} visit handouts of three conditions and six medicines (seed {args.seed})")
    for large in (False, True):
        counts = ", ".join(
            f"{n} on {p} pages" for (lp, p), n in sorted(pages.items()) if lp == large
        )
        print(f"  {'large' if large else 'regular'} print: {counts or 'none'}")
    print(f"  past their sheet: {len(longer)}; not fitting even on one more sheet: {refused}")
    for req in longer:
        print(f"    {' '.join(req.conditions)} | {' '.join(req.medicines)} | "
              f"{req.plan_template or 'no template'} | {req.language} {req.paper}"
              f"{' large print' if req.large_print else ''}")  # fmt: skip


if __name__ == "__main__":
    main()
