"""What a visit handout leaves out in Spanish that it prints in English, printed as
figures (not asserted): `python bench/languages.py`.

Spanish takes more room than English, and a visit handout fits on both sides of one
sheet by leaving out its lowest-priority items in each language, so a crowded Spanish
handout can leave out a medicine's cautions that the English one prints. This makes the
same random visit handouts in both languages (any linked pair, a third condition in two
of five, one to five medicines, the triptan plan template in a third of the migraine
ones, Letter or A4, a quarter in large print) and counts the cautions each prints (their
warning signs, ⚠, read back from the PDF's text): how many Spanish handouts print fewer,
and how many fewer in all. Run it before and after changing a language's wording.

    python bench/languages.py              # 500 handouts in each language
    python bench/languages.py --rows 100   # fewer
    python bench/languages.py --language es-MX --seed 2
"""

from __future__ import annotations

import argparse
import io
import random
from collections import Counter
from dataclasses import replace

from pypdf import PdfReader

from handouts.content.brand import Brand
from handouts.content.model import Library
from handouts.document.document import Personal
from handouts.document.request import Allow, Request
from handouts.paths import CONTENT
from handouts.pipeline import Renderer, TooLong, load_inputs

CAUTION = "⚠"
"""The sign every caution prints before its words (a combination caution, a medicine's,
the painkiller-day rule)."""
TEMPLATE = "migraine-attack-triptan"


def requests(lib: Library, rows: int, seed: int) -> list[Request]:
    """``rows`` random visit-handout requests (English; each is made in the other
    language too)."""
    rng = random.Random(seed)
    pairs = [tuple(link.conditions) for link in lib.links.values()]
    conditions, medicines = sorted(lib.conditions), sorted(lib.medicines)
    made = []
    for _n in range(rows):
        conds = list(rng.choice(pairs))
        if rng.random() < 0.4:
            conds.append(rng.choice([c for c in conditions if c not in conds]))
        meds = rng.sample(medicines, rng.randint(1, 5))
        large = rng.random() < 0.25
        paper = rng.choice(["letter", "a4"])
        template = TEMPLATE if "migraine" in conds and rng.random() < 1 / 3 else None
        made.append(Request(tuple(conds), medicines=tuple(meds), format="visit",
                            plan_template=template, personal=Personal("Ana"), paper=paper,
                            large_print=large, allow=Allow(draft=True)))  # fmt: skip
    return made


def cautions(renderer: Renderer, lib: Library, brand: Brand, req: Request) -> int | None:
    """How many cautions the handout prints; None where it does not fit (any other
    error stops the run)."""
    try:
        pdf = renderer.make(lib, brand, req).pdf
    except TooLong:
        return None
    pages = PdfReader(io.BytesIO(pdf)).pages
    return sum(page.extract_text().count(CAUTION) for page in pages)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--rows", type=int, default=500, help="handouts in each language")
    options.add_argument("--seed", type=int, default=1, help="the random sets' seed")
    options.add_argument("--language", default="es", help="the language against English")
    args = options.parse_args()
    lib, brand = load_inputs(CONTENT, None)
    renderer = Renderer()
    fewer: Counter[int] = Counter()
    unfit = {"en": 0, args.language: 0}
    made = 0
    for req in requests(lib, args.rows, args.seed):
        english = cautions(renderer, lib, brand, req)
        other = cautions(renderer, lib, brand, replace(req, language=args.language))
        unfit["en"] += english is None
        unfit[args.language] += other is None
        if english is None or other is None:
            continue
        made += 1
        if other < english:
            fewer[english - other] += 1
    short, missing = sum(fewer.values()), sum(k * n for k, n in fewer.items())
    print(f"visit handouts made in both languages: {made} of {args.rows} "
          f"(seed {args.seed}; did not fit: English {unfit['en']}, "
          f"{args.language} {unfit[args.language]})")  # fmt: skip
    print(f"printing fewer cautions in {args.language} than in English: {short} "
          f"({short / max(made, 1):.0%}), {missing} cautions fewer in all")  # fmt: skip
    if fewer:
        print("  by how many: " + ", ".join(f"{k}: {fewer[k]}" for k in sorted(fewer)))


if __name__ == "__main__":
    main()
