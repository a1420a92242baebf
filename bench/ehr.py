"""Records in and messages out, printed as figures (not asserted): `python bench/ehr.py`.

- reading: a synthetic FHIR Bulk Data export of 1,000 patients (6,000 resources: two
  conditions and three prescriptions each, shaped as Synthea writes them) read, checked
  and mapped through content;
- composing: one patient's message with its visit handout attached, plain and locked
  with AES-256;
- sending: 200 messages to an SMTP server on 127.0.0.1 (aiosmtpd) over one connection.
"""

from __future__ import annotations

import datetime as dt
import random
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handouts.delivery.email import SENT, Sending, Smtp  # noqa: E402
from handouts.delivery.mailing import Letter, message  # noqa: E402
from handouts.document.request import Allow, Request  # noqa: E402
from handouts.intake.fhir import read_fhir  # noqa: E402
from handouts.paths import CONTENT  # noqa: E402
from handouts.pipeline import PRINTER, load_inputs, make  # noqa: E402
from tests import fhir_data as f  # noqa: E402


def export(folder: Path, patients: int = 1000, seed: int = 17) -> None:
    rng = random.Random(seed)
    conditions = [f.RA, f.MIGRAINE, f.LUPUS_ICD, f.HYPERTENSION]
    medicines = [f.METHOTREXATE, f.NAPROXEN, f.LISINOPRIL, f.YAZ, f.CAMILA, f.PERCOCET]
    people, conds, meds = [], [], []
    for n in range(patients):
        pid = f"P{n:05}"
        people.append(f.patient(pid, f"Pat Person{n}", f"p{n}@example.org"))
        conds += [f.condition(f"c{n}-{k}", f"Patient/{pid}", c)
                  for k, c in enumerate(rng.sample(conditions, 2))]  # fmt: skip
        meds += [f.prescription(f"m{n}-{k}", f"Patient/{pid}", m)
                 for k, m in enumerate(rng.sample(medicines, 3))]  # fmt: skip
    f.ndjson(folder / "Patient.ndjson", people)
    f.ndjson(folder / "Condition.ndjson", conds)
    f.ndjson(folder / "MedicationRequest.ndjson", meds)


class _Count:
    received = 0

    async def handle_DATA(self, server, session, envelope):
        _Count.received += 1
        return "250 OK"


def main() -> None:
    lib, brand = load_inputs(CONTENT, None)
    with tempfile.TemporaryDirectory() as tmp:
        export(Path(tmp))
        start = time.perf_counter()
        listed, _ = read_fhir(Path(tmp), lib, PRINTER, ("en", "es"))
        took = time.perf_counter() - start
    print(f"FHIR export, 1,000 patients, 6,000 resources: read and mapped in {took:.2f} s "
          f"({len(listed.rows)} rows)")  # fmt: skip
    req = Request(("migraine",), format="visit", allow=Allow(today=dt.date(2026, 12, 3)))
    pdf = make(lib, brand, req).pdf
    for password in (None, "Secreto-42"):
        letter = Letter("x", "x", "a@example.org", pdf, password, lib, brand)
        start = time.perf_counter()
        for _ in range(100):
            message(letter, "clinic@example.org").as_bytes()
        each = (time.perf_counter() - start) / 100 * 1000
        print(f"one message {'locked (AES-256)' if password else 'plain'}: {each:.1f} ms")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Controller(_Count(), hostname="127.0.0.1", port=port)
    server.start()
    letters = [Letter("x", "x", f"a{i}@example.org", pdf, None, lib, brand) for i in range(200)]
    messages = [message(one, "clinic@example.org") for one in letters]
    start = time.perf_counter()
    with Sending(Smtp("127.0.0.1", port, "none", "clinic@example.org")) as sending:
        for msg in messages:
            assert sending.ready() is None and sending.send(msg)[0] == SENT
    took = time.perf_counter() - start
    server.stop()
    print(f"sent {_Count.received} messages to a local SMTP server: {_Count.received / took:.0f}/s")


if __name__ == "__main__":
    main()
