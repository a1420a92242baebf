"""The web page in-process (Starlette's test client): forms checked in the CLI's words
beside their fields, the PDF and preview read back, and the page's safety: form tokens,
headers, size limits, the access token, nothing written or logged."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import logging
import os
import re
import socket
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from handouts.cli import main as real_main
from handouts.intake.plan import FIELD_LIMIT
from handouts.pipeline import TOO_LONG_WHY
from handouts.web.app import EXPIRED, Settings, create_app
from handouts.web.security import CSP, LOCAL_NAMES, WRONG_HOST, host_name
from handouts.web.serve import answered_at
from tests.conftest import TODAY

SETTINGS = Settings(today=dt.date.fromisoformat(TODAY))
NAME = "Ana Zoë O'Brien-Testpatient"


@pytest.fixture(scope="module")
def app():
    return create_app(SETTINGS)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def token(client: TestClient) -> str:
    page = client.get("/")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def post(client: TestClient, url: str, **fields):
    data = {"csrf": token(client), "format": "visit", **fields}
    return client.post(url, data=data)


def errors(page: str) -> dict[str, str]:
    """Each field's problems as the page shows them beside the field (joined by " | ")."""
    found = {}
    for field, box in re.findall(
        r'<div class="error" id="([a-z_]+)-error">(.*?)</div>', page, re.S
    ):
        said = re.findall(r'<p><span class="visually-hidden">Problem: </span>(.*?)</p>', box)
        found[field] = " | ".join(html.unescape(s) for s in said)
    return found


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_form_page_offers_the_library_and_sets_a_private_cookie(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "<h1>Print a handout</h1>" in page.text
    assert 'value="migraine" id="conditions-migraine"' in page.text
    assert "migraine with aura, migraine without aura, G43" in page.text  # found by code
    assert 'value="triptans" id="medicines-triptans"' in page.text
    assert '<option value="migraine-attack-triptan">' in page.text
    assert f'value="{dt.date.today().isoformat()}"' in page.text  # dated today
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("handouts_csrf=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/static/style.css"), post(client, "/pdf")):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
    assert client.get("/").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("cache-control", "")


def test_a_page_the_form_posts_to_opened_in_the_address_bar_goes_to_the_form(client):
    for page in ("/preview", "/pdf", "/batch", "/applies"):
        opened = client.get(page, follow_redirects=False)
        assert (opened.status_code, opened.headers["location"]) == (303, "/")
    put = client.put("/pdf")
    assert (put.status_code, put.headers["allow"]) == (405, "POST")  # what it takes


def test_pdf_is_the_visit_handout_for_the_form(client):
    response = post(
        client,
        "/pdf",
        conditions=["migraine", "fibromyalgia"],
        medicines=["triptans", "snri", "nsaids"],
        name=NAME,
        clinician="Dr Sam Okafor",
        date="2026-12-03",
        plan_template="migraine-attack-triptan",
        attack_medicine="Sumatriptan 50 mg",
        calming="slow-breathing",
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="handout-visit-migraine-fibromyalgia.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    text = pdf_text(response.content)
    assert NAME in text and "Dr Sam Okafor" in text and "3 December 2026" in text
    assert "Sumatriptan 50 mg" in text
    assert "Slow breathing" in text
    assert "Triptans with an SNRI" in text


def test_the_page_offers_spanish_and_prints_it(client):
    assert '<option value="es">Español (Spanish)</option>' in client.get("/").text
    response = post(client, "/pdf", conditions=["migraine", "fibromyalgia"],
                    medicines=["triptans"], name="José Peña", date="2026-12-03", language="es",
                    plan_template="migraine-attack-triptan")  # fmt: skip
    assert response.status_code == 200, response.text[:500]
    text = pdf_text(response.content)
    assert "Para: José Peña" in text and "3 de diciembre de 2026" in text
    assert "Cuándo pedir ayuda" in text and "When to get help" not in text


def test_open_to_print_sends_the_pdf_inline(client):
    data = {"csrf": token(client), "conditions": "lupus", "format": "full"}
    response = client.post("/pdf?open=1", data=data)
    assert response.headers["content-disposition"] == 'inline; filename="handout-full-lupus.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 2


def test_a_pack_prints_from_the_form(client):
    response = post(client, "/pdf", format="pack", pack="migraine-autoimmune-clinic")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('"pack-migraine-autoimmune-clinic.pdf"')


def test_preview_shows_every_page_and_what_applies(client):
    page = post(
        client,
        "/preview",
        conditions=["migraine", "fibromyalgia"],
        medicines=["triptans", "snri"],
        name=NAME,
    )
    assert page.status_code == 200
    assert "Preview: 2 pages" in page.text
    pictures = re.findall(r'src="data:image/png;base64,([^"]+)"', page.text)
    assert len(pictures) == 2
    assert base64.b64decode(pictures[0]).startswith(b"\x89PNG")
    assert "Migraine and fibromyalgia often happen together." in page.text
    assert "<li>Triptans with an SNRI (duloxetine, milnacipran or venlafaxine)</li>" in page.text
    # the form comes back filled in, ready to download
    assert re.search(r'value="snri" id="medicines-snri"\s+checked>', page.text)
    assert not re.search(r'value="nsaids" id="medicines-nsaids"\s+checked>', page.text)
    assert 'value="Ana Zoë O&#39;Brien-Testpatient"' in page.text  # escaped, as typed
    assert 'formaction="/pdf"' in page.text
    assert "the plan names" not in page.text.split('id="applies-body"')[1].split("</section>")[0]
    page = post(client, "/preview", conditions=["migraine", "lupus"],
                plan_template="migraine-attack-simple-painkiller")  # fmt: skip
    panel = page.text.split('id="applies-body"')[1].split("</section>")[0]
    assert (
        '<li>NSAIDs in lupus <span class="from-plan">(for a medicine the plan '
        "names)</span></li>" in panel
    )
    assert (
        "The plan names Paracetamol, NSAIDs (anti-inflammatory painkillers): their "
        "cautions print too." in panel
    )
    # a medicine typed in a plan slot counts too, as in the PDF
    page = post(client, "/preview", conditions=["migraine", "lupus"],
                attack_medicine="Rizatriptan 10 mg")  # fmt: skip
    panel = page.text.split('id="applies-body"')[1].split("</section>")[0]
    assert '<li>Triptans in lupus <span class="from-plan">' in panel
    assert "The plan names Triptans: their cautions print too." in panel


def test_applies_answers_as_the_clinician_picks(client):
    data = {"csrf": token(client), "conditions": ["migraine", "lupus"],
            "medicines": ["triptans", "snri"]}  # fmt: skip
    answer = client.post("/applies", data=data).json()
    assert answer == {
        "links": ["Some studies found more migraine in people with lupus, but others did not."],
        "combos": [
            "Triptans with an SNRI (duloxetine, milnacipran or venlafaxine)",
            "Triptans in lupus",
        ],
        "from_plan": [],
        "plan_medicines": [],
    }
    data["conditions"] = ["lupus", "sjogrens"]
    data["medicines"] = ["hydroxychloroquine"]
    none = {"links": [], "combos": [], "from_plan": [], "plan_medicines": []}
    assert client.post("/applies", data=data).json() == none
    # review: a plan template's medicines count, as in the preview and the PDF, and the
    # panel says which cautions come from them (a clinician who ticked no NSAID wonders)
    data = {"csrf": token(client), "conditions": ["migraine", "lupus"],
            "plan_template": "migraine-attack-simple-painkiller"}  # fmt: skip
    answer = client.post("/applies", data=data).json()
    assert answer["combos"] == answer["from_plan"] == ["NSAIDs in lupus"]
    assert answer["plan_medicines"] == ["Paracetamol", "NSAIDs (anti-inflammatory painkillers)"]
    data["medicines"] = ["nsaids"]  # ticked too: the caution is the clinician's own
    answer = client.post("/applies", data=data).json()
    assert (answer["combos"], answer["from_plan"]) == (["NSAIDs in lupus"], [])
    assert answer["plan_medicines"] == ["Paracetamol"]
    data["plan_template"] = "no-such-template"
    del data["medicines"]
    assert client.post("/applies", data=data).json()["combos"] == []
    # the words of the slots that say which medicine name medicines too (a brand with its
    # capital; not what to add, where what not to take is written too), and what the
    # clinician ticked is theirs
    data = {"csrf": token(client), "conditions": ["migraine", "lupus"],
            "attack_medicine": "  Maxalt 10 mg", "attack_add": "Ibuprofen, if we say so",
            "daily_medicine": "Ibuprofeno 400 mg", "language": "es"}  # fmt: skip
    answer = client.post("/applies", data=data).json()
    assert answer["plan_medicines"] == ["Triptans", "NSAIDs (anti-inflammatory painkillers)"]
    assert answer["combos"] == answer["from_plan"] == ["Triptans in lupus", "NSAIDs in lupus"]
    data["medicines"] = ["triptans"]
    answer = client.post("/applies", data=data).json()
    assert answer["plan_medicines"] == ["NSAIDs (anti-inflammatory painkillers)"]
    assert answer["from_plan"] == ["NSAIDs in lupus"]
    data["language"] = "en"  # the Spanish name is read only for a handout in Spanish
    answer = client.post("/applies", data=data).json()
    assert answer["plan_medicines"] == []
    del data["medicines"], data["daily_medicine"]
    data["attack_medicine"] = " " * 296 + "Advil"  # read as the preview reads it: trimmed
    assert client.post("/applies", data=data).json()["plan_medicines"] == [
        "NSAIDs (anti-inflammatory painkillers)"
    ]
    data["attack_medicine"] = "maxalt"  # a brand in lower case is a word, not named
    assert client.post("/applies", data=data).json() == {
        "links": ["Some studies found more migraine in people with lupus, but others did not."],
        "combos": [], "from_plan": [], "plan_medicines": [],
    }  # fmt: skip


def test_problems_are_said_beside_their_fields_in_the_lists_words(client):
    page = post(
        client,
        "/preview",
        conditions=["migraine", "not-a-condition"],
        medicines=["aspirinn"],
        paper="b5",
        date="2026-02-30",
        language="xx",
        name="Ana\x07",
        notes="n" * 4_001,
        attack_limit="x" * 500,
    )
    assert page.status_code == 422
    said = errors(page.text)
    assert said == {
        "conditions": "unknown condition 'not-a-condition'",
        "medicines": "unknown medicine 'aspirinn' (did you mean 'aspirin'?)",
        "paper": "unknown paper 'b5'; use letter or a4, or leave it blank",
        "date": "not a date written YYYY-MM-DD (e.g. 2026-11-21)",
        "language": "no content in language 'xx'; use en or es, or leave it blank",
        "name": said["name"],
        "notes": "too long: at most 4,000 characters (about a page)",
        "attack_limit": f"too long: at most {FIELD_LIMIT} characters",
    }
    assert said["name"] == (
        "1 character that no bundled font can print (1 other character; not shown: patient "
        "details stay out of messages); spell it with letters the handout's fonts have, or "
        "leave it out"
    )
    assert 'aria-invalid="true"' in page.text
    assert '<a href="#f-paper">' in page.text  # the summary links to the field
    assert "<title>Problem: Print a handout" in page.text


def test_a_plan_with_the_full_version_is_refused_at_the_plan(client):
    page = post(client, "/pdf", conditions="migraine", format="full", attack_when="At the start")
    assert errors(page.text) == {
        "attack_when": "a plan prints on the visit handout, not format full: leave the plan "
        "blank, or format blank (visit)"
    }


def test_a_pack_must_be_chosen(client):
    page = post(client, "/pdf", format="pack")
    assert errors(page.text) == {
        "pack": "choose a pack, or print a visit handout or the full version"
    }
    page = post(
        client, "/pdf", format="pack", pack="migraine-autoimmune-clinic", conditions="lupus"
    )
    assert errors(page.text) == {"pack": "give conditions or a pack, not both"}


def test_nothing_picked_says_so(client):
    page = post(client, "/preview")
    assert errors(page.text) == {
        "conditions": "give conditions (ids or ICD-10 codes) or a pack; found neither"
    }


def test_a_visit_handout_too_long_to_fit_is_said_at_what_to_print(client):
    page = post(client, "/pdf", conditions="migraine", notes="Call us.\n" * 380)
    assert page.status_code == 422
    assert errors(page.text) == {"format": TOO_LONG_WHY}  # no command-line option named


def test_draft_content_is_said_at_its_box(client):
    page = post(client, "/pdf", conditions="me-cfs", format="full")
    said = errors(page.text)
    assert list(said) == ["allow_draft"]
    assert said["allow_draft"].startswith(
        "content that still needs clinical sign-off (content/conditions/me-cfs.yaml:"
    )
    assert said["allow_draft"].endswith(
        "have a clinician review it, or tick this box to print it marked as a draft"
    )
    assert "<details open>" in page.text
    drafted = post(client, "/pdf", conditions="me-cfs", format="full", allow_draft="yes")
    assert drafted.status_code == 200


def test_a_pack_chosen_with_another_format_is_said_at_the_pack(client):
    page = post(client, "/pdf", pack="migraine-autoimmune-clinic", conditions="lupus")
    assert errors(page.text) == {
        "pack": "a pack prints when 'A pack of handouts' is chosen under What to print: "
        "choose it, or leave the pack blank"
    }


def test_a_long_pack_previews_its_first_pages(client):
    page = post(client, "/preview", format="pack", pack="migraine-autoimmune-clinic")
    assert re.search(r"Preview: the first 30 of \d+ pages", page.text)
    assert page.text.count("data:image/png") == 30


def test_previews_at_the_same_time_all_come_back(app):
    """PDFium draws one preview at a time in a process: at once, they would crash it."""
    answers: list[int] = []

    def one(n: int) -> None:
        with TestClient(app) as c:
            answers.append(post(c, "/preview", conditions="lupus", name=f"P{n}").status_code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 6


def test_a_form_without_its_token_is_refused(client):
    for data in ({"conditions": "migraine"}, {"conditions": "migraine", "csrf": "forged"}):
        response = client.post("/pdf", data=data)
        assert response.status_code == 403
        assert response.text == EXPIRED
    other = TestClient(create_app(SETTINGS))  # another browser: its own cookie
    response = other.post("/pdf", data={"csrf": token(client), "conditions": "migraine"})
    assert response.status_code == 403


def test_a_form_from_another_site_is_refused(client):
    data = {"csrf": token(client), "conditions": "migraine"}
    for headers in (
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
    ):
        response = client.post("/pdf", data=data, headers=headers)
        assert (response.status_code, response.text) == (403, EXPIRED)
    for same in (
        {"origin": "http://testserver", "sec-fetch-site": "same-origin"},
        {"origin": "https://h.example:8443", "sec-fetch-site": "same-origin"},  # a proxy
        {"origin": "http://testserver:80"},  # an older browser: the Origin is checked
        {},
    ):
        assert client.post("/pdf", data=data, headers=same).status_code == 200, same


def test_a_planted_cookie_is_not_taken(app):
    with TestClient(app) as c:
        c.cookies.set("handouts_csrf", "attacker-chosen")
        page = c.get("/")
        assert "handouts_csrf=" in page.headers["set-cookie"]  # a cookie of our own instead
        planted = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    with TestClient(app) as other:
        other.cookies.set("handouts_csrf", "attacker-chosen")
        data = {"csrf": planted, "conditions": "migraine"}
        assert other.post("/pdf", data=data).status_code == 403


def test_a_token_in_any_characters_is_refused_not_a_crash(client):
    data = {"csrf": "é", "conditions": "migraine"}
    response = client.post("/pdf", data=data)
    assert (response.status_code, response.text) == (403, EXPIRED)
    assert response.headers["content-security-policy"] == CSP


def test_a_token_from_another_server_is_refused(client):
    fresh = TestClient(create_app(Settings(today=SETTINGS.today)))  # another secret
    data = {"csrf": token(client), "conditions": "migraine"}
    fresh.cookies = client.cookies
    response = fresh.post("/pdf", data=data)
    assert response.status_code == 403


def test_a_large_request_is_refused(client):
    data = {"csrf": token(client), "conditions": "migraine", "notes": "n" * 300_000}
    response = client.post("/pdf", data=data)
    assert response.status_code == 413
    assert response.text == "The form or file is too large: the limit is 256 KB."


def test_an_access_token_is_asked_for_when_set():
    secured = TestClient(
        create_app(Settings(token="a-long-clinic-secret-token", today=SETTINGS.today))
    )
    refused = secured.get("/")
    assert refused.status_code == 401
    assert refused.text == "This page needs the clinic's access token."
    assert refused.headers["www-authenticate"] == 'Basic realm="handouts", charset="UTF-8"'
    assert secured.get("/", auth=("anyone", "wrong-token-wrong")).status_code == 401
    assert secured.get("/static/style.css").status_code == 401
    assert secured.get("/", auth=("anyone", "a-long-clinic-secret-token")).status_code == 200
    bearer = {"authorization": "Bearer a-long-clinic-secret-token"}
    assert secured.get("/", headers=bearer).status_code == 200


def test_the_page_answers_only_at_its_own_names():
    """DNS rebinding: a page on another site that points its own name at this machine
    makes the browser send that name as the host; the page answers 421, before it asks
    for a token (else the browser would offer that site a place to type it). A form or a
    static file the same."""
    proxied = "handouts.clinic.example"
    for token in (None, "a-long-clinic-secret-token"):
        settings = Settings(today=SETTINGS.today, token=token, hosts=(*LOCAL_NAMES, proxied))
        web = TestClient(create_app(settings), base_url="http://localhost:8000")
        auth = ("anyone", token) if token else None
        for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LocalHost",
                     "localhost.:8000", proxied, f"{proxied}:443"):  # fmt: skip
            assert web.get("/", headers={"host": host}, auth=auth).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "localhost.evil.example",
                     "127.0.0.1.nip.io:8000", "[::2]:8000", "[::1]x", "localhost:80:80",
                     "localhost:http", "handouts.clinic.example.evil", "evillocalhost",
                     "x.handouts.clinic.example", "evil127.0.0.1:8000", "localhost.."):  # fmt: skip
            for answer in (web.get("/", headers={"host": host}),
                           web.get("/static/style.css", headers={"host": host}),
                           web.post("/pdf", headers={"host": host}, data={"name": NAME})):  # fmt: skip
                assert (answer.status_code, answer.text) == (421, WRONG_HOST), host
                assert answer.headers["cache-control"] == "no-store"
                assert "www-authenticate" not in answer.headers
    # without names (a server beyond this machine, its token its guard), any host
    assert TestClient(create_app(SETTINGS), base_url="http://evil.example").get("/").is_success


def test_a_host_header_is_read_as_a_name_and_a_port_only():
    """As a server's socket gives it: bytes, any case, spaces around it."""
    for raw, name in ((b" LocalHost:8000 ", "localhost"), (b"localhost.:", "localhost"),
                      (b"[::1]", "[::1]"), (b"[::1]:", "[::1]"), (b"localhost..", "localhost."),
                      (b"localhost:\xb2", None), (b"localhost:80:80", None), (b"[::1]x", None),
                      (b"[evil]", None), (b"", None), (None, None)):  # fmt: skip
        assert host_name(raw) == name, raw


def test_serve_answers_at_this_machines_names_and_the_allowed_ones(monkeypatch):
    proxied = ("handouts.clinic.example",)
    assert answered_at("127.0.0.1", ()) == LOCAL_NAMES
    assert answered_at("::1", ()) == LOCAL_NAMES
    assert answered_at("localhost", proxied) == (*LOCAL_NAMES, *proxied)
    assert answered_at("127.0.0.2", proxied) == (*LOCAL_NAMES, "127.0.0.2", *proxied)
    assert answered_at("::1%1", ()) == LOCAL_NAMES  # a zone no browser asks for
    assert answered_at("0.0.0.0", ()) is None  # the token guards it
    assert answered_at("10.0.0.5", ()) is None
    # the workers read them from their environment
    for hosts in (None, (*LOCAL_NAMES, *proxied)):
        for name, value in Settings(hosts=hosts).to_env().items():
            monkeypatch.setenv(name, value)
        assert Settings.from_env().hosts == hosts
        monkeypatch.delenv("HANDOUTS_WEB_HOSTS", raising=False)


def test_serve_leaves_no_setting_from_before_for_its_workers(monkeypatch, tmp_path):
    """A worker reads its settings from the environment: one left there by an earlier
    run (another brand, other names) is not read as this server's."""
    import uvicorn

    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve's settings go with it
    monkeypatch.setenv("HANDOUTS_WEB_BRAND", str(tmp_path / "old-brand.yaml"))
    monkeypatch.setenv("HANDOUTS_WEB_HOSTS", "old.example")
    monkeypatch.setenv("HANDOUTS_WEB_TODAY", "2020-01-01")
    monkeypatch.delenv("HANDOUTS_TOKEN", raising=False)
    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(Settings.from_env()))
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    assert real_main(["serve", "--port", str(port), "--workers", "1"]) == 0
    assert [(s.brand, s.hosts, s.today, s.token) for s in started] == [
        (None, LOCAL_NAMES, None, None)
    ]


def test_an_allowed_host_is_only_for_a_page_on_this_machine(capsys, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("served"))
    monkeypatch.setenv("HANDOUTS_TOKEN", "a-long-clinic-secret-token")
    assert real_main(["serve", "--host", "0.0.0.0", "--allowed-host", "h.example"]) == 2
    assert capsys.readouterr().err == (
        "handouts: error: --allowed-host is for a page served on this machine (127.0.0.1) "
        "behind the clinic's proxy; served at 0.0.0.0, the access token guards every "
        "request, at any name\n"
    )


def test_an_allowed_host_is_a_name_not_an_address(capsys, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("served"))
    for written in ("https://handouts.clinic.example", "handouts.clinic.example:443",
                    "handouts.clinic.example/", "clinic_pc", "", "x-.example", "127.1",
                    "2130706433", "fe80::1%eth0", "::ffff:127.0.0.1", "0x7f000001",
                    "clinic.0x10"):  # fmt: skip
        with pytest.raises(SystemExit) as stopped:  # argparse's usage error
            real_main(["serve", "--allowed-host", written])
        assert stopped.value.code == 2
        assert capsys.readouterr().err.endswith(
            "error: argument --allowed-host: expected a host name as a browser's address bar "
            "shows it, without https:// or a port (handouts.clinic.example), got "
            f"'{written}'\n"
        )


def test_nothing_is_written_or_logged(client, tmp_path, monkeypatch, caplog):
    """The PDF and its preview are made in memory: no file in the working folder or the
    temporary folder, and no log line with the patient's name or notes."""
    monkeypatch.chdir(tmp_path)
    spare = tmp_path / "tmp"
    spare.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    caplog.set_level(logging.DEBUG)
    for url in ("/preview", "/pdf"):
        post(client, url, conditions="migraine", name=NAME, notes="Private note 4471")
    listed = LIST.replace("Ana O'Brien", NAME) + "E5,Private Name 4471," + "n" * 990_000 + ",,,\n"
    assert upload(client, listed.encode(), skip_invalid="yes").status_code == 200  # near the limit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert list(spare.iterdir()) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert NAME not in logged and "4471" not in logged


def test_a_bug_is_answered_500_and_logged_in_one_line_without_its_words(
    client, monkeypatch, capsys, caplog
):
    """An error that is not one of ours (a bug) is answered with a plain 500, with the
    headers every response carries, and said on stderr in one line: its kind and the line
    of handouts it came from, never its words, which here quote the form."""
    from handouts.web import app as web

    def broken(self, req):
        raise ValueError(f"cannot draw {req.personal.patient} ({req.notes})")

    monkeypatch.setattr(web.Page, "_make", broken)
    caplog.set_level(logging.DEBUG)
    capsys.readouterr()
    response = post(client, "/pdf", conditions="migraine", name=NAME, notes="Private note 4471")
    assert response.status_code == 500
    assert response.text == (
        "Something went wrong: a bug in handouts stopped this page. Nothing about the patient "
        "was kept. Please tell whoever runs this page what you did just before."
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == CSP
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"handouts serve: internal error: ValueError at handouts/web/app\.py:\d+ "
        r"\(a bug in handouts: please report it with the command you ran\)\n",
        err,
    ), err
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert NAME not in err + logged and "4471" not in err + logged


def test_an_internal_error_is_a_bug_not_a_problem_with_the_form(client, monkeypatch, capsys):
    """What the code itself got wrong (``internal``) is not shown beside the form as if
    the clinician could fix it: it is answered 500 and said on stderr in its own words
    (ours: never patient text), with where it was."""
    from handouts.errors import internal
    from handouts.web import app as web

    def broken(self, req):
        raise internal("a visit handout measured to fit and drawn did not")

    monkeypatch.setattr(web.Page, "_make", broken)
    capsys.readouterr()
    response = post(client, "/pdf", conditions="migraine", name=NAME)
    assert response.status_code == 500 and response.text.startswith("Something went wrong")
    assert re.fullmatch(
        r"handouts serve: internal: a visit handout measured to fit and drawn did not at "
        r"handouts/web/app\.py:\d+ \(a bug in handouts: please report it with the command "
        r"you ran\)\n",
        capsys.readouterr().err,
    )


def bug_line(module: str) -> str:
    """The line a ValueError in ``module`` (a path in handouts) is said by, as a pattern."""
    return (rf"internal error: ValueError at handouts/{re.escape(module)}:\d+ "
            r"\(a bug in handouts: please report it with the command you ran\)")  # fmt: skip


def test_a_bug_in_one_row_of_an_upload_fails_that_row_only(client, monkeypatch, capsys):
    """As in ``handouts batch``: the row a bug stopped is failed in the manifest, said by
    its kind and where (on stderr too, for whoever runs the server), never by its words;
    the other rows are made, streamed or not."""
    from handouts.web import app as web

    real = web.Page._make

    def broken(self, req):
        if req.personal.patient == "Łukasz Nowak":
            raise ValueError(f"cannot draw {req.personal.patient}")
        return real(self, req)

    monkeypatch.setattr(web.Page, "_make", broken)
    for url in ("/batch", "/batch?stream=1"):
        capsys.readouterr()
        response = upload(client, LIST.encode(), url=url)
        assert response.status_code == 200
        packed = response.content.split(b"\nZIP\n", 1)[-1]
        z = zipfile.ZipFile(io.BytesIO(packed))
        assert z.namelist() == ["A1.pdf", "C3.pdf", "manifest.csv", "manifest.json"]
        manifest = json.loads(z.read("manifest.json"))
        assert (manifest["written"], manifest["failed"]) == (2, 1)
        (failed,) = [r for r in manifest["rows"] if r["status"] == "failed"]
        assert failed["id"] == "B2" and len(failed["errors"]) == 1
        assert re.fullmatch(bug_line("web/upload.py"), failed["errors"][0])  # where it made it
        err = capsys.readouterr().err
        assert re.fullmatch(f"handouts serve: {bug_line('web/upload.py')}\n", err), err
        text = err + z.read("manifest.csv").decode("utf-8-sig") + json.dumps(manifest)
        assert "Łukasz" not in text and "Nowak" not in text


def test_a_bug_making_the_zip_is_said_as_one(client, monkeypatch, capsys):
    """A bug after the rows (making the zip) answers 500, or, streamed, a line that says
    so; and is said on stderr by its kind and where."""
    from handouts.web import upload as up

    def broken(self):
        raise ValueError("Ana O'Brien")

    monkeypatch.setattr(up.Bundle, "finish", broken)
    capsys.readouterr()
    page = upload(client, LIST.encode())
    assert page.status_code == 500 and page.text.startswith("Something went wrong: a bug")
    streamed = upload(client, LIST.encode(), url="/batch?stream=1")
    said = json.loads(streamed.text.splitlines()[-1])["problems"]
    assert said == [page.text]
    lines = capsys.readouterr().err.splitlines()
    pattern = f"handouts serve: {bug_line('web/app.py')}"
    assert len(lines) == 2 and all(re.fullmatch(pattern, line) for line in lines), lines
    assert "Ana" not in streamed.text + page.text


def test_a_browser_that_went_away_is_no_bug(client, monkeypatch, capsys):
    """A request whose browser went away while it was read (a tab closed mid-upload) is
    not said as a bug."""
    from starlette.requests import ClientDisconnect

    from handouts.web import app as web

    def gone(self, req):
        raise ClientDisconnect()

    monkeypatch.setattr(web.Page, "_make", gone)
    capsys.readouterr()
    post(client, "/pdf", conditions="migraine", name=NAME)
    assert capsys.readouterr().err == ""


def test_serve_needs_a_token_off_this_machine(capsys, monkeypatch):
    monkeypatch.delenv("HANDOUTS_TOKEN", raising=False)
    assert real_main(["serve", "--host", "0.0.0.0"]) == 2
    assert capsys.readouterr().err == (
        "handouts: error: the web page would be reachable from other machines at 0.0.0.0, so "
        "it needs an access token: set HANDOUTS_TOKEN (or --token-file FILE) to a long random "
        "secret, or serve on 127.0.0.1 behind the clinic's HTTPS reverse proxy (README: 'The "
        "web page')\n"
    )


def test_serve_refuses_a_short_token(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOUTS_TOKEN", "short")
    assert real_main(["serve", "--host", "0.0.0.0"]) == 2
    assert capsys.readouterr().err == (
        "handouts: error: the access token is too short: use at least 16 characters\n"
    )
    empty = tmp_path / "token"
    empty.write_text("\n")
    assert real_main(["serve", "--token-file", str(empty)]) == 2
    assert capsys.readouterr().err == (
        f"handouts: error: --token-file {empty} is empty; put the token on its first line\n"
    )


def test_serve_says_when_the_port_is_taken(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert real_main(["serve", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"handouts: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


def test_templates_and_static_files_travel_in_the_package():
    import handouts.web

    here = Path(handouts.web.__file__).parent
    assert (here / "templates" / "form.html").is_file()
    assert (here / "static" / "page.js").is_file()


LIST = (
    "id,name,conditions,medicines,format,notes\n"
    "A1,Ana O'Brien,migraine;fibromyalgia,triptans;snri,,Walk daily\n"
    "B2,Łukasz Nowak,lupus,hydroxychloroquine,full,\n"
    "C3,Zoë Müller,M79.7,,,\n"
)


def upload(
    client: TestClient, data: bytes, name: str = "clinic.csv", url: str = "/batch", **fields
):
    form = {"csrf": token(client), "list_date": "2026-12-03", **fields}
    return client.post(url, data=form, files={"list": (name, data, "text/csv")})


def test_a_clinic_list_comes_back_as_a_zip_with_its_manifest(client):
    response = upload(client, LIST.encode())
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"] == 'attachment; filename="handouts-2026-12-03.zip"'
    )
    z = zipfile.ZipFile(io.BytesIO(response.content))
    assert z.namelist() == ["A1.pdf", "B2.pdf", "C3.pdf", "manifest.csv", "manifest.json"]
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in z.infolist()} == {0o600}
    a1 = z.read("A1.pdf")
    assert len(PdfReader(io.BytesIO(a1)).pages) == 2  # the visit handout by default
    assert "Ana O'Brien" in pdf_text(a1) and "3 December 2026" in pdf_text(a1)
    assert len(PdfReader(io.BytesIO(z.read("B2.pdf"))).pages) > 2  # format full
    manifest = json.loads(z.read("manifest.json"))
    assert {k: manifest[k] for k in ("rows_total", "written", "failed", "skipped")} == {
        "rows_total": 3,
        "written": 3,
        "failed": 0,
        "skipped": 0,
    }
    text = z.read("manifest.csv").decode("utf-8-sig") + z.read("manifest.json").decode()
    assert "Ana" not in text and "Walk daily" not in text  # ids and counts only
    again = upload(client, LIST.encode())
    assert again.content == response.content  # the same list makes the same zip


def test_a_list_with_problems_makes_nothing_unless_told_to_skip_them(client):
    bad = LIST + "D4,Sam Smith,not-a-condition,,,\n"
    page = upload(client, bad.encode())
    assert page.status_code == 422
    assert errors(page.text) == {
        "list": "list.csv:5: row 4: conditions: unknown condition 'not-a-condition'"
    }
    response = upload(client, bad.encode(), skip_invalid="yes")
    z = zipfile.ZipFile(io.BytesIO(response.content))
    assert "D4.pdf" not in z.namelist()
    rows = json.loads(z.read("manifest.json"))["rows"]
    assert rows[-1] == {
        "id": "D4",
        "file": "",
        "conditions": "",
        "pack": "",
        "medicines": "",
        "pages": None,
        "bytes": None,
        "status": "skipped",
        "errors": ["list.csv:5: row 4: conditions: unknown condition '[…]'"],
    }  # fmt: skip  (a cell of a skipped row is never quoted: it may be a name)
    assert json.loads(z.read("manifest.json"))["list"] == "list.csv"


def test_a_name_in_the_wrong_column_never_reaches_the_manifest(client):
    shifted = LIST + "D4,O'Brien, Zelda,lupus\n"  # a comma not in quotes: cells shifted
    response = upload(client, shifted.encode(), name="Zelda OBrien.csv", skip_invalid="yes")
    z = zipfile.ZipFile(io.BytesIO(response.content))
    text = z.read("manifest.json").decode() + z.read("manifest.csv").decode("utf-8-sig")
    assert "Zelda" not in text and "zelda" not in text and "OBrien" not in text
    assert "O'Brien" not in text


def test_a_wrong_date_for_a_list_is_said_at_the_date(client):
    page = upload(client, LIST.encode(), list_date="unreadable")
    assert page.status_code == 422
    assert errors(page.text) == {"list_date": "not a date written YYYY-MM-DD (e.g. 2026-11-21)"}
    assert 'aria-describedby="list_date-error"' in page.text
    streamed = upload(client, LIST.encode(), url="/batch?stream=1", list_date="2026-02-30")
    assert (streamed.status_code, streamed.json()) == (
        422,
        {"problems": ["not a date written YYYY-MM-DD (e.g. 2026-11-21)"], "field": "list_date"},
    )


def test_a_skipped_row_s_messages_quote_no_part_of_a_cell(client):
    """A message may quote one of a cell's names, or a cell in lower case: blanked too."""
    bad = LIST + (
        "D4,x,migraine,Ana Smith;ibuprofen\nD5,Bob,migraine; SECRETCOND,\n"
        "D6,Cy,migrane,Ana 'Nan' Smith\n"  # review: a quote inside a quote
    )
    response = upload(client, bad.encode(), skip_invalid="yes")
    z = zipfile.ZipFile(io.BytesIO(response.content))
    rows = json.loads(z.read("manifest.json"))["rows"]
    assert [r["errors"] for r in rows[-3:]] == [
        ["list.csv:5: row 4: medicines: unknown medicine '[…]'"],
        ["list.csv:6: row 5: conditions: unknown condition '[…]'"],
        [  # what it suggests stays
            "list.csv:7: row 6: conditions: unknown condition '[…]' (did you mean 'migraine'?)",
            "list.csv:7: row 6: medicines: unknown medicine '[…]'",
        ],
    ]
    text = z.read("manifest.json").decode()
    assert "Ana" not in text and "secretcond" not in text.lower() and "Nan" not in text


def test_a_zip_too_large_for_memory_is_refused(client, monkeypatch):
    from handouts.web import upload as up

    monkeypatch.setattr(up, "MAX_ZIP", 100_000)
    page = upload(client, LIST.encode())
    assert errors(page.text) == {
        "list": "the handouts would make a zip of more than 200 MB: split the list, or use "
        "handouts batch"
    }
    streamed = upload(client, LIST.encode(), url="/batch?stream=1")
    assert streamed.text.splitlines()[-1] == json.dumps({"problems": [up.TOO_BIG]})


def test_the_page_streams_progress_then_the_zip(client):
    response = upload(client, LIST.encode(), url="/batch?stream=1")
    head, packed = response.content.split(b"\nZIP\n", 1)
    lines = [json.loads(line) for line in head.decode().splitlines()]
    assert lines == [*({"done": n, "total": 3} for n in (1, 2, 3)),
                     {"name": "handouts-2026-12-03.zip", "bytes": len(packed)}]  # fmt: skip
    z = zipfile.ZipFile(io.BytesIO(packed))
    assert z.namelist()[:3] == ["A1.pdf", "B2.pdf", "C3.pdf"]
    problems = upload(client, b"id,name\n1,x\n", url="/batch?stream=1")
    assert problems.status_code == 422
    assert problems.json() == {"problems": [
        "list.csv:2: row 1: conditions: give conditions (ids or ICD-10 codes) or a pack; found neither"
    ]}  # fmt: skip


def test_an_upload_must_be_a_list(client):
    assert errors(upload(client, b"x", name="Ana Smith notes.txt").text) == {
        "list": "list.txt: expected a .csv, .yaml or .yml file, not 'list.txt'"
    }  # a file's name may be a patient's: it is never shown
    page = client.post("/batch", data={"csrf": token(client)})
    assert errors(page.text) == {
        "list": "the list: choose a clinic list to upload (.csv, .yaml or .yml)"
    }
    too_big = upload(client, b"id,name\n" + b"x" * (1024 * 1024))
    assert too_big.status_code == 413
    assert too_big.text == (
        "The clinic list is more than 1 MB (1,000,000 bytes): the page takes lists up to that "
        "size (use handouts batch for a larger one)."
    )  # the same limit, in the same words, as one the page reads and refuses:
    nearly = upload(client, b"id,name\n" + b"x" * 1_000_000)
    assert errors(nearly.text) == {
        "list": "list.csv: the file is more than 1 MB (1,000,000 bytes): the page takes lists "
        "up to that size (use handouts batch for a larger one)"
    }


LOOSE_WEB = """
import datetime as dt, json, re
from starlette.testclient import TestClient
from handouts.web.app import Settings, create_app
from tests.conftest import TODAY, garbage_holding
MARK = "".join(["Qz", "Plan", "Xy"])  # made at run time: in no compiled constant
app = create_app(Settings(today=dt.date.fromisoformat(TODAY)))
ROWS = ("id,name,conditions,medicines,format,notes\\n"
        f"A1,{MARK} Ana,migraine;fibromyalgia,triptans;snri,,{MARK} walk daily\\n"
        f"B2,{MARK} Lukasz,lupus,hydroxychloroquine,full,\\n")
BAD = ROWS + f"C3,{MARK} Zoe,{MARK}-nosuch,,,\\n"
FHIR = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": {"resourceType": "Patient", "id": "p1", "name": [{"text": MARK + " Ana"}]}},
    {"resource": {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"},
                  "code": {"text": MARK + " migraine"}}}]})

with TestClient(app) as client:
    def token():
        return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)

    def form(url, **fields):
        data = {"csrf": token(), "format": "visit", "conditions": ["migraine", "lupus"],
                "medicines": ["triptans"], "name": MARK + " name", "notes": MARK + " note",
                "clinician": MARK + " doc", "attack_medicine": MARK + " 50 mg", **fields}
        return client.post(url, data=data).status_code

    def upload(text, name="clinic.csv", url="/batch", **fields):
        data = {"csrf": token(), "list_date": "2026-12-03", **fields}
        return client.post(url, data=data, files={"list": (name, text.encode())}).status_code

    cases = {
        "preview": lambda: form("/preview"),
        "pdf": lambda: form("/pdf", conditions=["migraine"]),
        "unknown condition": lambda: form("/preview", conditions=["no-such-condition"]),
        "draft content": lambda: form("/preview", conditions=["me-cfs"], format="full"),
        "too long": lambda: form("/preview", notes=(MARK + " call us.\\n") * 380),
        "applies": lambda: form("/applies", conditions=["migraine", MARK]),
        "list": lambda: upload(ROWS),
        "bad list": lambda: upload(BAD),
        "bad list, streamed": lambda: upload(BAD, url="/batch?stream=1"),
        "bad list, skipped": lambda: upload(BAD, skip_invalid="on"),
        "bad FHIR": lambda: upload(FHIR, "export.json"),
    }
    for name, run in cases.items():
        status = run()
        # the test client's own request (its body is the form) is not the server's
        kinds = [k for k in garbage_holding(MARK, run)
                 if not k.startswith(("httpx", "frame of testclient.py:"))]
        print(f"{name}: {status} {kinds}")
"""


def test_the_web_page_leaves_no_patient_text_for_the_garbage_collector():
    """A preview, a PDF, a form shown again with its problems (unknown, draft, too long),
    what applies, and a clinic list or FHIR export made or refused leave nothing in
    reference loops that holds what the clinician typed or uploaded (a worker may wait
    long for the garbage collector): the form's template keeps its macros in its
    context, which refer back to it (handouts.html.render.rendered clears them), and an
    error raised through the thread pool's worker would be held with the worker's frame
    (app._in_thread hands it over as a value)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", LOOSE_WEB], capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "preview: 200 []", "pdf: 200 []", "unknown condition: 422 []", "draft content: 422 []",
        "too long: 422 []", "applies: 200 []", "list: 200 []", "bad list: 422 []",
        "bad list, streamed: 422 []", "bad list, skipped: 200 []", "bad FHIR: 422 []"]  # fmt: skip


def test_a_preview_says_when_a_visit_handout_takes_a_second_sheet(client):
    page = post(client, "/preview", conditions=["migraine", "me-cfs", "fibromyalgia"],
                medicines=["triptans", "methotrexate", "snri", "opioids-butalbital", "ergots",
                           "gabapentinoids"],
                plan_template="migraine-attack-simple-painkiller", language="es",
                paper="letter", allow_draft="yes")  # fmt: skip
    assert page.status_code == 200, errors(page.text)
    assert "Preview: 4 pages" in page.text
    warnings = re.findall(r'<p class="warning">(.*?)</p>', page.text, re.S)
    assert html.unescape(warnings[0]) == (
        "This visit handout takes 4 pages, not 2: what is never left out (such as the plan, "
        "the notes, the red flags and the combination cautions) does not fit on one sheet, "
        "even with everything else left out; print it on 2 sheets, both sides."
    )
    usual = post(client, "/preview", conditions=["migraine", "fibromyalgia"])
    assert "Preview: 2 pages" in usual.text and "does not fit on one sheet" not in usual.text


def test_an_upload_says_which_rows_take_a_second_sheet(client):
    """A clinic list whose row's visit handout needs a second sheet: the zip holds it on
    4 pages (its manifest says so), and the streamed answer's last line says which row
    (by its id, never its name), for the page to show after "Done"."""
    crowded = (
        "id,name,conditions,medicines,plan_template,language,paper\n"
        "M4,Ana O'Brien,migraine;lupus;multiple-sclerosis,gabapentinoids;estrogen-contraception;"
        "interferon-beta;valproate;opioids-butalbital;topiramate,"
        "migraine-attack-simple-painkiller,es,letter\n"
        "F5,Zoë Müller,migraine;fibromyalgia,triptans,,,\n"
    )
    response = upload(client, crowded.encode(), url="/batch?stream=1")
    head, packed = response.content.split(b"\nZIP\n", 1)
    last = json.loads(head.decode().splitlines()[-1])
    assert last == {
        "name": "handouts-2026-12-03.zip",
        "bytes": len(packed),
        "note": "1 row (M4): its visit handout takes more pages: what is never left out (such "
        "as the plan, the notes, the red flags and the combination cautions) does not fit on "
        "one sheet (two in large print), even with everything else left out; the manifest "
        "gives its pages.",
    }
    z = zipfile.ZipFile(io.BytesIO(packed))
    assert len(PdfReader(io.BytesIO(z.read("M4.pdf"))).pages) == 4
    manifest = json.loads(z.read("manifest.json"))
    assert {r["id"]: r["pages"] for r in manifest["rows"]} == {"M4": 4, "F5": 2}
    assert manifest["note"] == last["note"]  # for a page without JavaScript, that gets the zip
    plain_zip = zipfile.ZipFile(io.BytesIO(upload(client, crowded.encode()).content))
    assert json.loads(plain_zip.read("manifest.json"))["note"] == last["note"]
    assert "O'Brien" not in head.decode() and "Müller" not in head.decode()
    plain = upload(client, LIST.encode(), url="/batch?stream=1")
    head, packed = plain.content.split(b"\nZIP\n", 1)
    assert b'"note"' not in head
    assert "note" not in json.loads(zipfile.ZipFile(io.BytesIO(packed)).read("manifest.json"))
