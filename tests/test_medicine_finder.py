"""Which medicines a clinician's typed words name (a plan's medicine slots)."""

from __future__ import annotations

import pytest

from handouts.content.medicine_finder import SLOT_MOST, finder_for, named
from handouts.document.request import Request
from handouts.pipeline import in_language, load_inputs

from .conftest import CONTENT

LIB, BRAND = load_inputs(CONTENT, None)
SPANISH = in_language(LIB, BRAND, Request(("migraine",), language="es"))
BOTH = [SPANISH.medicine_finder, LIB.medicine_finder]


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("Sumatriptan 50 mg, 1 tablet", ("triptans",)),
        ("SUMATRIPTAN 50 MG", ("triptans",)),
        ("Sumatriptán 50 mg", ("triptans",)),  # accents or none
        ("Ibuprofeno 400 mg si lo necesita", ("nsaids",)),  # the Spanish name
        ("ibuprofen or paracetamol", ("nsaids", "paracetamol")),  # in the order named
        ("paracetamol, then ibuprofen, then paracetamol", ("paracetamol", "nsaids")),
        ("Treximet", ("nsaids", "triptans")),  # a combination's brand: all it holds
        ("Interferon beta-1a weekly", ("interferon-beta",)),
        ("Valproic  acid", ("valproate",)),  # any spacing between a name's words
        ("valproic\nacid", ("valproate",)),
        ("a triptan", ("triptans",)),  # one or many
        ("SNRIs", ("snri",)),
        ("beta blockers", ("beta-blockers",)),  # a space for a hyphen
        ("Sumatriptan/Naproxen", ("triptans", "nsaids")),
        ("Maxalt-MLT 10 mg", ("triptans",)),
        ("betabloqueador", ("beta-blockers",)),  # one or many in Spanish too
        ("contraceptive patches", ("estrogen-contraception",)),
        # what a name says on its own: each side of its bracket, a class's letters
        ("AINE si lo necesita", ("nsaids",)),  # "Analgésicos antiinflamatorios (AINE)"
        ("AINEs", ("nsaids",)),
        ("IRSN por la mañana", ("snri",)),  # "Medicamentos IRSN"
        ("Corticosteroides 20 mg", ("corticosteroids",)),
        ("Steroid tablets", ("corticosteroids",)),  # "Steroid tablets (corticosteroids)"
        ("anti-CGRP monthly", ("cgrp-medicines",)),  # "Medicamentos anti-CGRP"
        ("TNF inhibitor", ("tnf-inhibitors",)),
        # a class's letters as letters are typed, not as a name is (review: "Aine")
        ("Sumatriptán; pregunte a Áine, la enfermera", ("triptans",)),
        ("call Aine on 555", ()),
        ("cgrp monthly", ("cgrp-medicines",)),  # (found before the capitals rule)
        ("irsn", ("snri",)),
        ("Tylenol #3, 1 tablet", ("opioids-butalbital", "paracetamol")),  # codeine in it
        ("Tylenol 3 times a day", ("paracetamol",)),  # not "Tylenol #3"
        # a combination's own name, however it is typed: all it holds (a red team: the
        # painkiller days of co-codamol were those of paracetamol alone)
        ("co-codamol 30/500 mg, 2 tablets", ("opioids-butalbital", "paracetamol")),
        ("Co-Codamol 8/500", ("opioids-butalbital", "paracetamol")),
        ("co codamol", ("opioids-butalbital", "paracetamol")),
        ("co-dydramol", ("opioids-butalbital", "paracetamol")),
        ("co-codaprin", ("nsaids", "opioids-butalbital")),
        # an ingredient no card names (a red team: hydrocodone was missed)
        ("Hydrocodone/acetaminophen 5/325", ("opioids-butalbital", "paracetamol")),
        ("tapentadol 50 mg", ("opioids-butalbital",)),
        ("Meloxicam 7.5 mg", ("nsaids",)),
        # low-dose aspirin is no painkiller (a review: daily aspirin for lupus was counted
        # in painkiller days); aspirin for pain is an NSAID
        ("Aspirin 81 mg daily", ()),
        ("low-dose aspirin; sumatriptan 50 mg", ("triptans",)),
        ("Baby aspirin", ()),
        ("Aspirina 100 mg al día", ()),
        ("AAS a dosis bajas", ()),
        ("aspirin 75mg + sumatriptan", ("triptans",)),  # the aspirin is no NSAID
        ("81 mg aspirin daily", ()),
        ("Ecotrin 81 mg", ()),
        ("aspirina (ácido acetilsalicílico) 100 mg", ()),
        # as clinicians write it too (a red team): no unit, in brackets, after a comma, a
        # range; a bare number only of a low-dose strength, and never a count of days
        ("aspirin 81", ()),
        ("ASA 81 daily; sumatriptan 50 mg", ("triptans",)),
        ("Aspirin (81 mg)", ()),
        ("aspirin, 81 mg", ()),
        ("aspirin 81 mgs", ()),
        ("Aspirin EC 81", ()),
        ("aspirin 75-150 mg", ()),
        ("aspirina 100", ()),
        ("aspirin 300-900 mg", ("nsaids",)),
        ("aspirin 325", ("nsaids",)),
        ("aspirin (900 mg)", ("nsaids",)),
        ("aspirin 10 days", ("nsaids",)),
        ("aspirin 100 days", ("nsaids",)),
        ("aspirin 81.5", ("nsaids",)),
        ("aspirin, codeine 30 mg", ("nsaids", "opioids-butalbital")),
        ("ASA 325", ("nsaids",)),
        # a review: a low number before a painkiller's, and the next medicine's dose after
        # a comma, were taken for low-dose aspirin
        ("aspirina 100 a 500 mg", ("nsaids",)),
        ("aspirin 81 (325 mg)", ("nsaids",)),
        ("aspirin 81 or 325 mg", ("nsaids",)),
        ("aspirin 81 & 325", ("nsaids",)),
        ("aspirin 75 mg - 300 mg", ("nsaids",)),
        ("aspirin, 50 mg sumatriptan", ("nsaids", "triptans")),
        ("aspirina, 100 mg de sumatriptán", ("nsaids", "triptans")),
        ("aspirin 100 tablets", ("nsaids",)),  # a pack's size, perhaps: as before
        ("aspirin 81 ml", ("nsaids",)),
        # a second review: a painkiller's dose or use after low-dose aspirin's is aspirin
        # for pain after all (a dose over 162 mg, 3 tablets or more, as needed, for pain)
        ("ASA 81 EC daily + 900 mg prn migraine", ("nsaids",)),
        ("aspirina 100 al día, 500 mg si dolor", ("nsaids",)),
        ("aspirin (81 mg), 900 mg", ("nsaids",)),
        ("aspirin 81 mg, 325 mg", ("nsaids",)),
        ("aspirin 81 mg/325 mg", ("nsaids",)),
        ("Aspirin 81 mg plus 300 mg", ("nsaids",)),
        ("ASA 81 po 4 tabs", ("nsaids",)),
        ("ASA 81 every 4 hours as needed for headache", ("nsaids",)),
        ("aspirin 81 mg for headache", ("nsaids",)),
        ("aspirin 300-81 mg", ("nsaids",)),  # each end of a range
        ("low-dose aspirin 1 g", ("nsaids",)),
        ("aspirina 100 mg; 1.000 mg", ("nsaids",)),  # a thousand, not one
        ("aspirin 81 mg, then 1,000 mg", ("nsaids",)),
        ("aspirin 81 mg, 1.5 tablets", ()),
        ("Aspirin 81 mg daily for heart protection", ()),
        ("aspirin 81 mg + paracetamol 500 mg", ("paracetamol",)),  # the next one's dose
        ("aspirina 100 mg para el corazón", ()),
        # a brand written in capitals is found only so written (a second review: a name)
        ("Sumatriptan 50 mg; Asa at the clinic will check in", ("triptans",)),
        ("Rizatriptán 10 mg; llame a Asa en la clínica", ("triptans",)),
        ("apap 500", ()),
        # APAP, as US prescriptions write acetaminophen (a red team)
        ("Hydrocodone/APAP 5/325", ("opioids-butalbital", "paracetamol")),
        ("APAP 500 mg", ("paracetamol",)),
        # a dose after other words may be another medicine's (a review: both were lost)
        ("Aspirin + codeine 30 mg", ("nsaids", "opioids-butalbital")),
        ("Aspirin or sumatriptan 50 mg", ("nsaids", "triptans")),
        ("aspirina y sumatriptán 50 mg", ("nsaids", "triptans")),
        ("aspirin 81 mg x 4 tablets", ("nsaids",)),  # 324 mg
        # a dose before aspirin only where an item starts (a second review: the dose
        # before was sumatriptan's, and aspirin for pain was lost)
        ("Sumatriptan 50 mg\nAspirin 900 mg", ("triptans", "nsaids")),
        ("Metoclopramide 10 mg aspirin 900 mg", ("nsaids",)),
        ("codeine 30 mg aspirin 300 mg", ("opioids-butalbital", "nsaids")),
        ("Sumatriptan 50 mg; 81 mg aspirin", ("triptans",)),
        ("Aspirin 900 mg", ("nsaids",)),
        ("aspirin", ("nsaids",)),
        ("Aspirin 1000 mg", ("nsaids",)),
        # read up to the first word that says not: a medicine refused is never taken,
        # one named after such a word is missed, as it was before
        ("Rizatriptan 10 mg; never with ergotamine, DHE or ibuprofen", ("triptans",)),
        ("Sumatriptan 50 mg (no NSAIDs: kidneys)", ("triptans",)),
        ("Sumatriptan 50 mg, no more than 2 a day", ("triptans",)),
        ("Take naproxen, not on an empty stomach", ("nsaids",)),
        ("Sumatriptan 50 mg + naproxen 500 mg", ("triptans", "nsaids")),
        ("Paracetamol 1 g; if no relief take sumatriptan", ("paracetamol",)),
        ("none \u2014 stop propranolol", ()),
        ("Ninguno por ahora", ()),
        ("Don\u2019t take ibuprofen", ()),
        ("Don\u00b4t take ibuprofen", ()),
        ("non-NSAID painkiller", ()),
        ("Avoid ergots e.g. DHE", ()),
        ("Sin ibuprofeno", ()),
        ("Do not stop propranolol suddenly", ()),  # missed, not wrong
        ("Anything but ibuprofen", ()),
        ("Sumatriptan; skip ibuprofen", ("triptans",)),
        ("Todo excepto ibuprofeno", ()),
        ("Sumatriptán, salvo en el embarazo; ibuprofeno", ("triptans",)),
        ("Suspender propranolol", ("beta-blockers",)),  # stopping it: its card says how
    ],
)
def test_typed_words_name_our_medicines(typed, ids):
    assert named([typed], BOTH) == ids


def test_a_class_s_letters_in_its_name_are_a_name_in_that_language_only():
    """ "AINE" is in the Spanish name of the NSAIDs, not in the English one."""
    assert named(["AINE"], [SPANISH.medicine_finder]) == ("nsaids",)
    assert named(["AINE"], [LIB.medicine_finder]) == ()
    assert named(["NSAIDs"], [LIB.medicine_finder]) == ("nsaids",)


def test_each_slot_is_read_in_order_and_only_so_far():
    assert named(["Maxalt", None, "Advil", "Maxalt"], BOTH) == ("triptans", "nsaids")
    assert named(["x" * SLOT_MOST + " ibuprofen"], BOTH) == ()
    assert named(["x" * (SLOT_MOST - 9) + " ibuprofen"], BOTH) == ()  # cut inside it
    assert named(["x" * (SLOT_MOST - 10) + " ibuprofen"], BOTH) == ("nsaids",)


def test_accents_are_taken_off_and_a_brand_s_capital_is_found_where_it_was_typed():
    english = [LIB.medicine_finder]  # its names have no accents
    assert named(["Sumatriptán 50 mg"], english) == ("triptans",)
    assert named(["IBUPROFÈN"], english) == ("nsaids",)
    # letters that fold to two, and marks typed on their own, before the brand
    assert named(["İİ ß 1\u0301\u0301 Advil"], english) == ("nsaids",)
    assert named(["İİ ß 1\u0301\u0301 advil"], english) == ()
    assert named(["\u00e9\u0301 x Maxalt"], english) == ("triptans",)


def test_no_names_finds_nothing():
    empty = finder_for({}, [])
    assert empty.pattern is None
    assert named(["Rest, then water"], [empty]) == ()


def test_a_name_that_is_also_a_brand_is_found_in_lower_case():
    found = finder_for({"naproxen": ("nsaids",), "aleve": ("nsaids",), "x": ("x",)}, ["aleve"])
    assert found.brands == frozenset({"aleve"})
    assert named(["aleve"], [found]) == ()
    assert named(["Aleve"], [found]) == ("nsaids",)
    both = finder_for({"naproxen": ("nsaids",)}, ["naproxen"])
    assert both.brands == frozenset({"naproxen"})  # a brand only: given as one


def test_a_listed_low_dose_aspirin_brings_nothing_but_a_medicine_named_beside_it():
    """``--medicines`` and a clinic list: low-dose aspirin is no painkiller, but a medicine
    of ours named in the same term is still found (a re-read: "aspirin 81 mg + naproxen"
    lost the naproxen); "aspirin" of no dose is an NSAID."""
    from handouts.errors import PatientError
    from handouts.intake.patient import resolve_medicines

    def listed(*terms: str) -> tuple[str, ...]:
        return resolve_medicines(LIB, terms, "--medicines")

    assert listed("low-dose aspirin") == ()
    assert listed("Aspirin 81 mg", "sumatriptan") == ("triptans",)
    assert listed("aspirin 81 mg + naproxen") == ("nsaids",)
    assert listed("Low dose aspirin 75 mg daily") == ()
    assert listed("aspirin") == ("nsaids",)
    assert listed("ASA 81 daily") == () and listed("asa") == ("nsaids",)  # a list's is a medicine
    # a painkiller's dose after it: not low-dose aspirin, and no name (a second review: it
    # was taken for low-dose aspirin alone, and dropped)
    for term in ("ASA 81 daily + 900 mg prn", "aspirin 81 daily 900 mg"):
        with pytest.raises(PatientError) as raised:
            listed(term)
        assert [p.message for p in raised.value.problems] == [f"unknown medicine '{term}'"]
    # another medicine beside it, none of ours: said, as any unknown medicine is
    with pytest.raises(PatientError) as raised:
        listed("aspirin 81 mg + clopidogrel")
    assert [p.message for p in raised.value.problems] == [
        "unknown medicine 'aspirin 81 mg + clopidogrel'"
    ]
