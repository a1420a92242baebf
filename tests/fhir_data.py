"""FHIR R4 resources for tests, shaped the way EHR exports and Synthea write them: SNOMED CT
conditions (some with ICD-10-CM), MedicationRequests with RxNorm clinical-drug and
branded codes, resolved and stopped entries, references by ``urn:uuid`` in a Bundle and
by ``Patient/ID`` in a Bulk Data export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

# Codes used below, as Synthea and public FHIR examples write them.
RA = (SCT, "69896004", "Rheumatoid arthritis (disorder)")
MIGRAINE = (SCT, "37796009", "Migraine (disorder)")
HYPERTENSION = (SCT, "59621000", "Essential hypertension (disorder)")
BRONCHITIS = (SCT, "10509002", "Acute bronchitis (disorder)")
LUPUS_ICD = (ICD, "M32.9", "Systemic lupus erythematosus, unspecified")
METHOTREXATE = (RX, "105585", "Methotrexate 2.5 MG Oral Tablet")
NAPROXEN = (RX, "849574", "Naproxen sodium 220 MG Oral Tablet")
LISINOPRIL = (RX, "314076", "lisinopril 10 MG Oral Tablet")
CAMILA = (RX, "748962", "Camila 28 Day Pack")  # norethindrone only: not estrogen
PERCOCET = (RX, "1049621", "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet")
YAZ = (RX, "748856", "Yaz 28 Day Pack")  # drospirenone / ethinyl estradiol


def patient(pid: str, name: str = "Maria Example", email: str | None = None,
            language: str | None = "en-US") -> dict[str, Any]:  # fmt: skip
    given, family = name.rsplit(" ", 1)
    out: dict[str, Any] = {
        "resourceType": "Patient", "id": pid,
        "name": [{"use": "official", "family": family, "given": [given]}],
        "telecom": [{"system": "phone", "value": "555-0147", "use": "home"}],
        "birthDate": "1968-05-14",
    }  # fmt: skip
    if email:
        out["telecom"].append({"system": "email", "value": email, "use": "home"})
    if language:
        out["communication"] = [{"language": {"coding": [
            {"system": "urn:ietf:bcp:47", "code": language}]}, "preferred": True}]  # fmt: skip
    return out


def condition(rid: str, subject: str, *codes: tuple[str, str, str],
              status: str = "active") -> dict[str, Any]:  # fmt: skip
    return {
        "resourceType": "Condition", "id": rid,
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": status}]},
        "code": {"coding": [{"system": s, "code": c, "display": d} for s, c, d in codes],
                 "text": codes[0][2]},
        "subject": {"reference": subject},
    }  # fmt: skip


def prescription(rid: str, subject: str, code: tuple[str, str, str], status: str = "active",
                 kind: str = "MedicationRequest") -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {
        "resourceType": kind, "id": rid, "status": status,
        "medicationCodeableConcept": {
            "coding": [{"system": code[0], "code": code[1], "display": code[2]}],
            "text": code[2]},
        "subject": {"reference": subject},
    }  # fmt: skip
    if kind == "MedicationRequest":
        out["intent"] = "order"
    return out


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": f"urn:uuid:{r['id']}", "resource": r,
         "request": {"method": "POST", "url": r["resourceType"]}} for r in resources]}  # fmt: skip


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def ndjson(path: Path, resources: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path
