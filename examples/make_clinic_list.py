"""Write a synthetic clinic list for ``handouts batch``: one two-condition handout per row.

    python examples/make_clinic_list.py [ROWS] [OUT]    (default: 1000 rows → clinic-list.csv)

A made-up rheumatology and neurology clinic day, written the way a clinic writes it: some
conditions as ICD-10 codes, medicines by their common names, a few notes over several
lines, names with accents, apostrophes, '&' and '<>'. Every person is invented. The same
arguments always give the same file (the random numbers are seeded).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Condition pair: (how often, the medicines such a patient takes with how often).
PAIRS: dict[tuple[str, str], tuple[int, dict[str, int]]] = {
    ("migraine", "lupus"): (16, {"hydroxychloroquine": 6, "sumatriptan": 4, "prednisone": 2,
                                 "propranolol": 2, "paracetamol": 2, "topiramate": 1}),
    ("migraine", "rheumatoid-arthritis"): (14, {"methotrexate": 6, "sumatriptan": 4,
                                                "ibuprofen": 2, "adalimumab": 2,
                                                "propranolol": 2, "prednisone": 1}),
    ("migraine", "fibromyalgia"): (14, {"amitriptyline": 4, "duloxetine": 4, "sumatriptan": 4,
                                        "pregabalin": 2, "topiramate": 2, "propranolol": 1}),
    ("migraine", "multiple-sclerosis"): (9, {"sumatriptan": 3, "interferon beta-1a": 3,
                                             "propranolol": 2, "amitriptyline": 2,
                                             "gabapentin": 1}),
    ("chronic-back-pain", "axial-spondyloarthritis"): (10, {"naproxen": 4, "ibuprofen": 4,
                                                           "adalimumab": 4, "etanercept": 2,
                                                           "paracetamol": 1}),
    ("chronic-back-pain", "rheumatoid-arthritis"): (8, {"methotrexate": 5, "ibuprofen": 3,
                                                       "naproxen": 2, "prednisone": 2,
                                                       "adalimumab": 2, "paracetamol": 1}),
    ("fibromyalgia", "rheumatoid-arthritis"): (7, {"methotrexate": 5, "duloxetine": 3,
                                                  "pregabalin": 3, "amitriptyline": 2,
                                                  "hydroxychloroquine": 1}),
    ("fibromyalgia", "lupus"): (6, {"hydroxychloroquine": 5, "duloxetine": 3, "pregabalin": 2,
                                    "amitriptyline": 2, "prednisone": 2}),
    ("migraine", "sjogrens"): (5, {"hydroxychloroquine": 4, "sumatriptan": 4, "propranolol": 2,
                                   "topiramate": 2}),
    ("migraine", "hashimotos"): (4, {"sumatriptan": 4, "propranolol": 3, "topiramate": 3,
                                     "amitriptyline": 2}),
    ("migraine", "celiac-disease"): (3, {"sumatriptan": 4, "propranolol": 3, "topiramate": 2,
                                         "paracetamol": 2}),
    ("axial-spondyloarthritis", "fibromyalgia"): (3, {"naproxen": 3, "adalimumab": 3,
                                                      "duloxetine": 3, "amitriptyline": 2}),
}  # fmt: skip

# ICD-10 codes a clinic system may print instead of the condition's name.
CODES = {
    "migraine": ["G43.9", "G43.1", "G43.0", "G43.709"],
    "lupus": ["M32.9", "M32.1"],
    "rheumatoid-arthritis": ["M06.9", "M05.79", "M06.09"],
    "fibromyalgia": ["M79.7"],
    "multiple-sclerosis": ["G35"],
    "chronic-back-pain": ["M54.5", "M54.50", "M54.9"],
    "axial-spondyloarthritis": ["M45.9", "M45"],
    "sjogrens": ["M35.0", "M35.00"],
    "hashimotos": ["E06.3"],
    "celiac-disease": ["K90.0"],
}

GIVEN = [
    "Ana", "Łukasz", "Zoë", "Søren", "Aoife", "Mei", "Priya", "Kwame", "Fatima", "Mateo",
    "Siobhán", "Chloé", "Björn", "Amara", "Noah", "Olivia", "Yusuf", "Ingrid", "Thảo", "Raúl",
    "Hana", "Dmitri", "Grace", "Tomás", "Linh", "Oluwaseun", "Margaret", "Jamal", "Élodie",
]  # fmt: skip
FAMILY = [
    "Nguyễn", "O'Brien", "D’Arcy", "Peña", "Kowalski", "Okonkwo", "Müller", "Haddad", "Silva",
    "Johansson", "Chen", "Patel", "Smith", "García", "Brown", "Dubois", "Takahashi", "Jørgensen",
    "Mensah", "Walsh", "Łęcka", "Đặng", "MacLeod", "Van der Berg", "Ó Súilleabháin", "Kaur",
]  # fmt: skip
# Whole names that test the printing of odd characters; used now and then.
SPECIAL = [
    "José Ángel Peña", "Sam <Sammy> Lee & Co", "Ana Łukasz-Nguyễn O'Brien & <Sons>",
    "Zoë D’Arcy-Søren", "Nguyễn Thị Thu Hà", "Renée O'Connor <she/her>", "Bo & Mo Ng",
]  # fmt: skip

CLINICIANS = {
    "Dr Sam Okafor": 5,
    "Dr Aoife Ní Bhriain": 4,
    "Dr Priya Raman": 4,
    "Dr Tomás Herrera": 3,
    "Dr Mei-Ling Zhou": 3,
    "Nurse Grace Mensah": 2,
}

NOTES = [
    "Bring your headache diary to your next visit.",
    "Try the relaxation exercise before bed for 2 weeks.",
    "Write down each day you take a painkiller.",
    "Walk for 10 minutes a day, and add 5 minutes each week.",
    "We have asked for a physiotherapy referral; they will call you.",
    "Book a follow-up visit in 3 months.",
    "Fill in the sleep part of the diary too.",
    "Call us if the new tablets upset your stomach.",
    "Gentle stretches each morning, before you start your day.",
    "Try to eat and sleep at regular times.",
    "Your flu vaccine is due this autumn.",
    "Bring all your medicine boxes to your next visit.",
]
MEDICINE_NOTES = {
    "methotrexate": "Blood test every 3 months while you take methotrexate.",
    "hydroxychloroquine": "Your yearly eye check is due: book it with your optician.",
    "prednisone": "Do not stop prednisone suddenly; talk to us first.",
}


FIELDS = ["id", "name", "conditions", "medicines", "clinician", "notes", "paper"]
FIELDS += ["large_print", "language"]


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def condition_text(rng: random.Random, cid: str) -> str:
    """How the clinic system wrote the condition: mostly the id, sometimes an ICD-10 code."""
    if cid in CODES and rng.random() < 0.3:
        return rng.choice(CODES[cid])
    return cid.capitalize() if rng.random() < 0.05 else cid


def name(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return rng.choice(SPECIAL)
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def row(rng: random.Random, number: int) -> dict[str, str]:
    pairs = list(PAIRS)
    pair = rng.choices(pairs, [PAIRS[p][0] for p in pairs])[0]
    usual = dict(PAIRS[pair][1])
    medicines: list[str] = []
    for _ in range(rng.choices([0, 1, 2], [25, 45, 30])[0]):
        medicines.append(pick(rng, usual))
        del usual[medicines[-1]]
    notes = ""
    if rng.random() < 0.35:
        pool = NOTES + [MEDICINE_NOTES[m] for m in medicines if m in MEDICINE_NOTES]
        notes = "\n".join(rng.sample(pool, rng.choices([1, 2, 3], [5, 3, 1])[0]))
    return {
        "id": f"RHEU-{number:06d}",
        "name": name(rng),
        "conditions": "; ".join(condition_text(rng, c) for c in pair),
        "medicines": "; ".join(m.capitalize() if rng.random() < 0.1 else m for m in medicines),
        "clinician": pick(rng, CLINICIANS),
        "notes": notes,
        "paper": "a4" if rng.random() < 0.08 else "",
        "large_print": "yes" if rng.random() < 0.03 else "",
        "language": "",
    }


def main(argv: list[str]) -> None:
    rows = int(argv[0]) if argv else 1000
    out = Path(argv[1]) if len(argv) > 1 else HERE / "clinic-list.csv"
    rng = random.Random(2026)
    numbers = rng.sample(range(1, 1_000_000), rows)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row(rng, n) for n in numbers)
    print(f"wrote {rows} rows to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
