"""Records in from the EHR: ``handouts build --fhir`` and ``handouts batch`` on FHIR R4
Bundles, Bulk Data exports (NDJSON) and folders of them. Codes map through content;
what does not map is listed; resolved and stopped entries are left out; bad input is
located and nothing is written."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from handouts.intake.fhir import read_fhir
from handouts.paths import CONTENT
from handouts.pipeline import PRINTER, load_inputs
from tests.conftest import pdf_text
from tests.fhir_data import (
    BRONCHITIS,
    CAMILA,
    HYPERTENSION,
    LISINOPRIL,
    LUPUS_ICD,
    METHOTREXATE,
    MIGRAINE,
    NAPROXEN,
    PERCOCET,
    RA,
    YAZ,
    bundle,
    condition,
    ndjson,
    patient,
    prescription,
    write,
)

EXAMPLE = Path(__file__).parent.parent / "examples" / "fhir" / "rheumatoid-arthritis.json"


@pytest.fixture(scope="module")
def lib():
    return load_inputs(CONTENT, None)[0]


def records(path: Path, lib):
    listed, found = read_fhir(path, lib, PRINTER, ("en", "es"))
    return listed, found


def test_the_example_bundle_gives_the_ra_visit_handout_with_methotrexate_and_nsaid_cautions(
    cli, tmp_path
):
    out = tmp_path / "ra.pdf"
    run = cli("build", "--fhir", EXAMPLE, "--out", out)
    assert run.code == 0, run.err
    pid = "6c4f7b1e-3f2a-4d55-9a41-7d0c2b8e1a01"
    assert run.err.splitlines() == [
        f"handouts: Patient/{pid}: rheumatoid-arthritis (SNOMED CT 69896004), "
        "methotrexate (RxNorm 105585), nsaids (RxNorm 849574)",
        "handouts:   not used: SNOMED CT 59621000 Essential hypertension (disorder)",
        "handouts:   not used: RxNorm 314076 lisinopril 10 MG Oral Tablet",
    ]
    text = pdf_text(out.read_bytes())
    assert "Maria Example" in text
    assert "Rheumatoid arthritis" in text
    assert "Methotrexate" in text and "NSAIDs" in text
    assert "Acute bronchitis" not in text  # resolved
    assert "Maria" not in run.out + run.err  # the name only in the PDF


def test_synthea_shapes_snomed_only_brand_names_combinations_and_a_progestogen_only_pill(
    lib, tmp_path
):
    sub = "urn:uuid:p1"
    data = bundle(
        patient("p1", "Ana Lopez", "ana@example.org", "es-MX"),
        condition("c1", sub, MIGRAINE),
        condition("c2", sub, LUPUS_ICD),
        condition("c3", sub, BRONCHITIS, status="resolved"),
        prescription("m1", sub, YAZ),
        prescription("m2", sub, CAMILA),
        prescription("m3", sub, PERCOCET),
        prescription("m4", sub, NAPROXEN, status="stopped"),
        prescription("m5", sub, METHOTREXATE, kind="MedicationStatement", status="completed"),
    )
    listed, _found = records(write(tmp_path / "b.json", data), lib)
    assert listed.problems == ()
    (row,) = listed.rows
    assert row.conditions == ("migraine", "lupus")
    # Yaz (ethinyl estradiol) maps; Camila (norethindrone only) does not; the combination
    # maps to both its ingredients' groups; the stopped naproxen is left out
    assert "estrogen-contraception" in row.medicines
    assert {"paracetamol", "opioids-butalbital"} <= set(row.medicines)
    assert "nsaids" not in row.medicines and "methotrexate" not in row.medicines
    assert row.not_used == ("RxNorm 748962 Camila 28 Day Pack",)
    assert (row.language, row.email, row.name) == ("es-MX", "ana@example.org", "Ana Lopez")


def test_a_bulk_export_gives_one_row_per_patient_and_lists_what_is_not_mapped(cli, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    ndjson(export / "Patient.ndjson", [patient("A1", "Ann One"), patient("B2", "Bo Two"),
                                       patient("C3", "Cy Three", language="vi")])  # fmt: skip
    ndjson(export / "Condition.ndjson", [
        condition("c1", "Patient/A1", RA), condition("c2", "Patient/A1", HYPERTENSION),
        condition("c3", "Patient/B2", MIGRAINE), condition("c4", "Patient/C3", MIGRAINE),
    ])  # fmt: skip
    ndjson(export / "MedicationRequest.ndjson", [
        prescription("m1", "Patient/A1", METHOTREXATE), prescription("m2", "Patient/A1", LISINOPRIL),
        prescription("m3", "Patient/B2", NAPROXEN),
    ])  # fmt: skip
    (export / "Observation.ndjson").write_text('{"resourceType": "Observation"}\n')  # not read
    run = cli("batch", export, "--out", tmp_path / "out")
    assert run.code == 0, run.err
    data = json.loads((tmp_path / "out" / "manifest.json").read_text())
    rows = {r["id"]: r for r in data["rows"]}
    assert sorted(rows) == ["A1", "B2", "C3"]
    assert rows["A1"]["conditions"] == "rheumatoid-arthritis"
    assert rows["A1"]["medicines"] == "methotrexate"
    assert rows["A1"]["not_used"] == (
        "SNOMED CT 59621000 Essential hypertension (disorder) | "
        "RxNorm 314076 lisinopril 10 MG Oral Tablet"
    )
    assert rows["C3"]["not_used"] == (
        "preferred language vi: no translation here; printed in the clinic's language"
    )
    assert all(r["status"] == "written" for r in rows.values())
    assert "Ann One" in pdf_text((tmp_path / "out" / "A1.pdf").read_bytes())
    assert "Ann" not in (tmp_path / "out" / "manifest.json").read_text()


def test_a_patient_with_nothing_this_content_covers_is_a_located_row_problem(cli, tmp_path):
    lines = [patient("A1"), patient("Z9", "Zed Nine"), condition("c1", "Patient/A1", RA),
             condition("c2", "Patient/Z9", HYPERTENSION)]  # fmt: skip
    path = ndjson(tmp_path / "all.ndjson", lines)
    run = cli("batch", path, "--out", tmp_path / "out")
    assert run.code == 1
    assert run.err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        f"  {path}:2: Patient/Z9: conditions: no active condition in the record is one this "
        "content covers (not mapped: SNOMED CT 59621000 Essential hypertension (disorder))\n"
    )
    assert not (tmp_path / "out").exists()
    run = cli("batch", path, "--out", tmp_path / "out", "--skip-invalid")
    assert run.code == 1
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["A1.pdf"]


def test_an_invalid_resource_is_reported_at_its_file_line_and_field_with_nothing_written(
    cli, tmp_path
):
    sub = "urn:uuid:p1"
    bad_condition = condition("c1", sub, RA)
    bad_condition["code"]["coding"][0]["code"] = 69896004  # a number, not a string
    bad_request = prescription("m1", sub, METHOTREXATE)
    del bad_request["subject"]
    data = bundle(patient("p1"), bad_condition, bad_request)
    path = write(tmp_path / "bad.json", data)
    run = cli("build", "--fhir", path, "--out", tmp_path / "x.pdf")
    assert run.code == 1
    text = path.read_text().splitlines()
    code_line = next(i for i, s in enumerate(text, 1) if '"code": 69896004' in s)
    request_line = next(i for i, s in enumerate(text) if '"resourceType": "MedicationRequest"' in s)
    assert run.err == (
        "handouts: error: 2 problems in the patient details; nothing was written:\n"
        f"  {path}:{code_line}: entry[1]: Condition.code.coding[0].code: expected text\n"
        f"  {path}:{request_line}: entry[2]: MedicationRequest.subject: is required here\n"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_broken_json_a_non_bundle_and_an_unknown_kind_of_file_are_each_refused(cli, tmp_path):
    broken = tmp_path / "broken.ndjson"
    broken.write_text(json.dumps(patient("A1")) + "\n{not json\n")
    run = cli("batch", broken, "--out", tmp_path / "out")
    assert run.err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        f"  {broken}:2: not valid JSON (column 2): check the export is complete and unchanged\n"
    )
    single = write(tmp_path / "patient.json", patient("A1"))
    run = cli("build", "--fhir", single, "--out", tmp_path / "x.pdf")
    assert run.err.endswith(f"  {single}:1: resourceType: expected a FHIR Bundle; this is a "
                            "Patient resource\n")  # fmt: skip
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.pdf").exists()


def test_build_takes_one_patient_and_leaves_name_and_medicines_to_the_record(cli, tmp_path):
    two = write(tmp_path / "two.json", bundle(patient("p1"), patient("p2", "Bo Two"),
                                              condition("c1", "urn:uuid:p1", RA),
                                              condition("c2", "urn:uuid:p2", RA)))  # fmt: skip
    run = cli("build", "--fhir", two, "--out", tmp_path / "x.pdf")
    assert run.err.endswith(f"  {two}: the record has 2 patients; build prints for one: use "
                            "handouts batch\n")  # fmt: skip
    run = cli("build", "--fhir", EXAMPLE, "--patient", "X", "--out", tmp_path / "x.pdf")
    assert run.err == ("handouts: error: --patient comes from the FHIR record: leave it out\n")


def test_a_condition_refuted_or_entered_in_error_is_left_out(lib, tmp_path):
    refuted = condition("c2", "urn:uuid:p1", MIGRAINE)
    refuted["verificationStatus"] = {"coding": [{"code": "refuted"}]}
    data = bundle(patient("p1"), condition("c1", "urn:uuid:p1", RA), refuted)
    listed, _ = records(write(tmp_path / "b.json", data), lib)
    assert listed.rows[0].conditions == ("rheumatoid-arthritis",)


def test_a_medication_reference_reads_the_medication_in_the_bundle(lib, tmp_path):
    med = {"resourceType": "Medication", "id": "med1", "code": {"coding": [
        {"system": METHOTREXATE[0], "code": METHOTREXATE[1], "display": METHOTREXATE[2]}]}}  # fmt: skip
    request = prescription("m1", "urn:uuid:p1", METHOTREXATE)
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "urn:uuid:med1"}
    data = bundle(patient("p1"), condition("c1", "urn:uuid:p1", RA), med, request)
    listed, _ = records(write(tmp_path / "b.json", data), lib)
    assert listed.rows[0].medicines == ("methotrexate",)


def test_a_bad_bundle_in_a_folder_is_a_located_row_problem_and_the_others_print(cli, tmp_path):
    folder = tmp_path / "bundles"
    folder.mkdir()
    write(folder / "good.json", bundle(patient("p1"), condition("c1", "urn:uuid:p1", RA)))
    broken = folder / "broken.json"
    broken.write_text('{"resourceType": "Bundle", "entry": [}')
    run = cli("batch", folder, "--out", tmp_path / "out")
    assert run.code == 1
    assert run.err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        f"  {broken}:1: not valid JSON (column 38): check the export is complete and unchanged\n"
    )
    run = cli("batch", folder, "--out", tmp_path / "out", "--skip-invalid")
    assert run.code == 1
    data = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [(r["id"], r["status"]) for r in data["rows"]] == [
        ("p1", "written"), ("broken.json", "skipped")]  # fmt: skip


def test_email_takes_the_address_and_language_from_the_fhir_record(cli, tmp_path):
    sub = "urn:uuid:p1"
    data = bundle(patient("p1", "Ana Lopez", "ana@example.org", "es-MX"),
                  condition("c1", sub, MIGRAINE))  # fmt: skip
    path = write(tmp_path / "ana.json", data)
    outbox = tmp_path / "outbox"
    run = cli("email", "--fhir", path, "--outbox", outbox, "--from", "clinic@example.org")
    assert run.code == 0, run.err
    (eml,) = outbox.iterdir()
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "ana@example.org"
    assert msg["Subject"] == "Información de Riverside Clinic"
    assert "Ana Lopez" in pdf_text(next(msg.iter_attachments()).get_content())


def test_a_patient_given_twice_differently_is_refused_wherever_the_copies_are(cli, tmp_path):
    """Red team: in an export's Patient file, read after its Condition file, the second
    copy won silently: the wrong name, or a handout for a patient the first says has died."""
    export = tmp_path / "export"
    export.mkdir()
    ndjson(export / "Condition.ndjson", [condition("c1", "Patient/A1", MIGRAINE),
                                         condition("c2", "Patient/B2", MIGRAINE)])  # fmt: skip
    died = dict(patient("A1", "Ann One"), deceasedBoolean=True)
    ndjson(export / "Patient.ndjson", [died, patient("A1", "Ann Other"), patient("B2")])
    run = cli("batch", export, "--out", tmp_path / "out")
    assert run.code == 1
    assert run.err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        f"  {export / 'Patient.ndjson'}:2: Patient/A1: the same patient is given twice, "
        "differently (also at line 1); which is right?\n"
    )
    # in two Bundles of a folder: the other file is named
    folder = tmp_path / "visits"
    folder.mkdir()
    write(folder / "a.json", bundle(patient("p1", "Ann One"), condition("c1", "urn:uuid:p1", RA)))
    write(folder / "b.json", bundle(patient("p1", "Ann Other")))
    run = cli("batch", folder, "--out", tmp_path / "out")
    assert run.code == 1
    assert f"{folder / 'b.json'}:" in run.err
    assert "the same patient is given twice, differently (also in a.json); which is right?" in (
        run.err
    )
    assert not (tmp_path / "out").exists()


def test_ids_that_would_share_a_file_are_each_a_row_problem(cli, tmp_path):
    lines = [patient("a.b", "Al One", "al@example.org"), patient("a..b", "Bo Two", "bo@example.org"),
             condition("c1", "Patient/a.b", RA), condition("c2", "Patient/a..b", RA)]  # fmt: skip
    path = ndjson(tmp_path / "p.ndjson", lines)
    run = cli("batch", path, "--out", tmp_path / "out", "--skip-invalid")
    assert run.code == 1
    assert f"  {path}:1: Patient/a.b: id: would be written to the same file (a_b.pdf) as " \
           "Patient/a..b; each patient needs an id that names its own file" in run.err  # fmt: skip
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_line_that_is_not_an_object_and_a_line_break_inside_a_string(cli, tmp_path):
    odd = patient("A1")
    odd["name"][0]["family"] = "Line\u2028Break"  # valid JSON: one resource, one line
    path = tmp_path / "x.ndjson"
    path.write_text(json.dumps(odd, ensure_ascii=False) + "\n[1]\nnull\n", encoding="utf-8")
    run = cli("batch", path, "--out", tmp_path / "out")
    assert run.err == (
        "handouts: error: 2 problems in the patient details; nothing was written:\n"
        f"  {path}:2: expected a FHIR resource (a JSON object) on each line\n"
        f"  {path}:3: expected a FHIR resource (a JSON object) on each line\n"
    )


def test_epic_style_hyphenated_names_brackets_and_a_medication_in_the_export(lib, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    ndjson(export / "Patient.ndjson", [patient("A1")])
    ndjson(export / "Condition.ndjson", [condition("c1", "Patient/A1", MIGRAINE)])
    med = {"resourceType": "Medication", "id": "med1", "code": {"coding": [
        {"system": METHOTREXATE[0], "code": METHOTREXATE[1], "display": METHOTREXATE[2]}]}}  # fmt: skip
    ndjson(export / "Medication.ndjson", [med])
    by_ref = prescription("m9", "Patient/A1", METHOTREXATE)
    del by_ref["medicationCodeableConcept"]
    by_ref["medicationReference"] = {"reference": "Medication/med1"}
    dangling = dict(by_ref, id="m10", medicationReference={"reference": "Medication/gone"})

    def written(rid: str, text: str) -> dict:  # as an EHR writes it: text, no RxNorm code
        return dict(prescription(rid, "Patient/A1", METHOTREXATE),
                    medicationCodeableConcept={"text": text})  # fmt: skip

    ndjson(export / "MedicationRequest.ndjson", [
        written("m1", "levonorgestrel-ethinyl estradiol (LEVORA) 0.15-30 MG-MCG tablet"),
        written("m2", "Acetaminophen 500 MG [Aspirin Free Anacin]"),
        written("m3", "Estradiol 1 MG Oral Tablet"),  # HRT: not estrogen birth control
        by_ref, dangling,
        dict(prescription("m4", "Patient/A1", NAPROXEN), doNotPerform=True),
    ])  # fmt: skip
    listed, _ = records(export, lib)
    (row,) = listed.rows
    assert row.medicines == ("estrogen-contraception", "paracetamol", "methotrexate")
    assert row.not_used == (
        "MedicationRequest/m3: no code",
        "MedicationRequest/m10: its Medication (Medication/gone) is not in the record, or has "
        "no code",
    )


def test_a_broken_bundle_spoils_each_patient_it_refers_to(cli, tmp_path):
    folder = tmp_path / "split"
    folder.mkdir()
    write(folder / "p1.json", bundle(patient("p1"), condition("c1", "urn:uuid:p1", MIGRAINE)))
    bad = condition("c2", "Patient/p1", RA)
    bad["code"] = "not a concept"
    write(folder / "later.json", bundle(prescription("m1", "Patient/p1", YAZ), bad))
    run = cli("batch", folder, "--out", tmp_path / "out", "--skip-invalid")
    assert run.code == 1
    assert "Patient/p1: part of this patient's record is in later.json, which cannot be " \
           "read: fix it, or leave it out of the folder" in run.err  # fmt: skip
    assert not (tmp_path / "out" / "p1.pdf").exists()


def test_an_unusable_address_or_a_provisional_condition_does_not_stop_printing(lib, tmp_path):
    provisional = condition("c2", "urn:uuid:p1", LUPUS_ICD)
    provisional["verificationStatus"] = {"coding": [{"code": "provisional"}]}
    data = bundle(patient("p1", email="ana at example.org"), condition("c1", "urn:uuid:p1", RA),
                  provisional)  # fmt: skip
    listed, _ = records(write(tmp_path / "b.json", data), lib)
    (row,) = listed.rows
    assert (row.conditions, row.email) == (("rheumatoid-arthritis",), None)
    assert row.not_used == ("the e-mail address in the record is not one a message can go to",)


def test_a_deceased_or_inactive_patient_is_not_printed_for(lib, tmp_path):
    dead = dict(patient("p1"), deceasedBoolean=True)
    gone = dict(patient("p2"), active=False)
    data = bundle(
        dead, gone, condition("c1", "urn:uuid:p1", RA), condition("c2", "urn:uuid:p2", RA)
    )
    listed, _ = records(write(tmp_path / "b.json", data), lib)
    assert listed.rows == ()
    assert [p.message for p in listed.problems] == [
        "the record says the patient has died", "the record is marked inactive (active: false)"]  # fmt: skip


def test_each_bundle_has_its_own_medications_and_absolute_references_are_read(lib, tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    for pid, drug in (("alice", METHOTREXATE), ("bob", NAPROXEN)):
        med = {
            "resourceType": "Medication",
            "id": "med1",
            "code": {"coding": [{"system": drug[0], "code": drug[1], "display": drug[2]}]},
        }
        request = prescription(f"m-{pid}", f"https://ehr.example/fhir/Patient/{pid}", drug)
        del request["medicationCodeableConcept"]
        request["medicationReference"] = {"reference": "Medication/med1"}
        data = bundle(patient(pid), condition(f"c-{pid}", f"Patient/{pid}", RA), med, request)
        write(folder / f"{pid}.json", data)  # fmt: skip
    listed, _ = records(folder, lib)
    assert {r.id: r.medicines for r in listed.rows} == {
        "alice": ("methotrexate",), "bob": ("nsaids",)}  # fmt: skip


def test_free_text_is_never_copied_and_only_conditions_are_named_as_unmapped(cli, tmp_path):
    note = condition("c1", "Patient/A1", HYPERTENSION)
    note["code"] = {"text": "Pt Jane Roe (12 Elm St) reports HTN"}
    lines = [patient("A1"), note, prescription("m1", "Patient/A1", LISINOPRIL)]
    path = ndjson(tmp_path / "a.ndjson", lines)
    run = cli("batch", path, "--out", tmp_path / "out")
    assert run.err.endswith(
        f"  {path}:1: Patient/A1: conditions: no active condition in the record is one this "
        "content covers (not mapped: Condition/c1: no code)\n"
    )
    assert "Roe" not in run.err and "Elm" not in run.err


def test_a_patient_given_twice_only_a_meta_apart_is_one_and_text_maps_every_group(lib, tmp_path):
    folder = tmp_path / "visits"
    folder.mkdir()
    first, again = patient("p1"), patient("p1")
    first["meta"], again["meta"] = {"lastUpdated": "2026-01-01T00:00:00Z"}, {"versionId": "2"}
    write(folder / "a.json", bundle(first, condition("c1", "urn:uuid:p1", MIGRAINE)))
    codeine = prescription("m1", "Patient/p1", METHOTREXATE)
    codeine["medicationCodeableConcept"] = {"text": "Tylenol with Codeine #3"}
    write(folder / "b.json", bundle(again, codeine))
    listed, _ = records(folder, lib)
    (row,) = listed.rows
    assert set(row.medicines) == {"paracetamol", "opioids-butalbital"}


def test_an_unreadable_resource_spoils_its_patient_and_a_patient_only_it_names(cli, tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    write(folder / "a.json", bundle(patient("p1"), condition("c1", "urn:uuid:p1", RA)))
    bad = prescription("m1", "Patient/p1", METHOTREXATE)
    bad["status"] = 7
    write(folder / "b.json", bundle(bad, dict(patient("p3"), birthDate="not a date")))
    run = cli("batch", folder, "--out", tmp_path / "out", "--skip-invalid")
    data = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted((r["id"], r["status"]) for r in data["rows"]) == [
        ("b.json", "skipped"), ("p1", "skipped"), ("p3", "skipped")]  # fmt: skip
    assert run.code == 1


def test_the_fhir_models_are_imported_only_when_a_fhir_file_is_read():
    """Every command loads the FHIR models' quarter of a second only when it reads FHIR."""
    import subprocess
    import sys

    code = ("import sys, handouts.cli, handouts.web.app\n"
            "print(*(m in sys.modules for m in ('fhir.resources', 'pydantic')))")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False False"


@pytest.mark.parametrize(
    ("codes", "medicines"),
    [
        ([("243670", "aspirin 81 MG Oral Tablet")], ("methotrexate",)),
        ([("1191", "aspirin"), ("243670", "aspirin 81 MG Oral Tablet")], ("methotrexate",)),
        ([("212033", "Aspirin 325 MG Oral Tablet")], ("methotrexate", "nsaids")),
        ([("", "aspirin 81 MG Delayed Release Oral Tablet [Ecotrin]")], ("methotrexate",)),
        ([("", "aspirin + codeine 30 MG")], ("methotrexate", "nsaids", "opioids-butalbital")),
        ([("1191", "aspirin")], ("methotrexate", "nsaids")),  # no dose: as for pain
        ([("", "Aspirin (81 mg) daily")], ("methotrexate",)),  # as clinicians write it
        ([("", "ASA 81")], ("methotrexate",)),
        ([("", "Hydrocodone/APAP 5/325")], ("methotrexate", "opioids-butalbital", "paracetamol")),
    ],
)
def test_low_dose_aspirin_in_a_record_is_no_painkiller(lib, tmp_path, codes, medicines):
    """A review: a record's daily low-dose aspirin (to prevent clots) was read as an NSAID,
    and a patient with lupus was told to take it on fewer than 15 days a month. Aspirin of
    162 mg or less is left out (listed as not used), by its words and by aspirin's code
    beside them; aspirin for pain (325 mg), or of no dose said, is an NSAID."""
    aspirin = prescription("m2", "urn:uuid:p1", ("", "", ""))
    aspirin["medicationCodeableConcept"] = {
        "coding": [{"system": METHOTREXATE[0], **({"code": c} if c else {}), "display": d}
                   for c, d in codes]  # (words alone: a record may code it so)
    }  # fmt: skip
    data = bundle(patient("p1"), condition("c1", "urn:uuid:p1", RA),
                  prescription("m1", "urn:uuid:p1", METHOTREXATE), aspirin)  # fmt: skip
    listed, _ = records(write(tmp_path / "b.json", data), lib)
    assert listed.rows[0].medicines == medicines
