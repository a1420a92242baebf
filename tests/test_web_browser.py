"""The web page in a real browser: Debian's Chromium, driven by Playwright, against
`handouts serve` started as a clinic would start it. A clinician's way through the form,
the preview and the download; problems shown beside their fields; the page without
JavaScript; no request leaving 127.0.0.1; and axe-core finding no accessibility
violation on any kind of page the server shows.

`make test` installs Chromium (Debian's package) and axe-core (npm, from
tests/browser/package-lock.json) before the tests run."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pypdf import PdfReader

from tests.conftest import ROOT, TODAY

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
NAME = "Ana O'Brien"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _served(said: list[str], *options: str) -> Iterator[str]:
    """`handouts serve` on a free port (with ``options``), until the block ends; then
    what it printed (its output and errors together) goes into ``said``."""
    port = _free_port()
    command = [sys.executable, "-m", "handouts", "serve", "--port", str(port),
               "--workers", "1", "--today", TODAY, *options]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOUTS_")}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)  # fmt: skip
    address = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(address, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        else:
            process.terminate()
            raise AssertionError(f"the server did not answer: {process.communicate()[0]!r}")
        yield address
    finally:
        process.terminate()
        said.append(process.communicate(timeout=10)[0].decode())


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with _served([]) as address:
        yield address


def test_the_server_prints_only_its_address_whatever_it_is_sent():
    """Not a word of a broken request (a form's body, a header) reaches its output."""
    said: list[str] = []
    with _served(said) as address:
        host, port = urlsplit(address).hostname, urlsplit(address).port
        with socket.create_connection((host, port)) as raw:  # not HTTP at all
            raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nBad\x01Header: Ana\r\n\r\n")
            raw.recv(1000)
        broken = urllib.request.Request(
            address + "preview", data=b"Ana O'Brien garbage", method="POST",
            headers={"Content-Type": "multipart/form-data; boundary=zz"},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(broken, timeout=5)
    assert said[0].splitlines() == [
        f"handouts: the web page is at {address} (1 worker; Ctrl-C to stop)"
    ]


def _status(address: str, host: str) -> bytes:
    """The status line the server at ``address`` answers a page asked for at ``host``."""
    with socket.create_connection((urlsplit(address).hostname, urlsplit(address).port)) as raw:
        raw.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return raw.recv(200).split(b"\r\n")[0]


def test_the_server_answers_only_at_its_own_names(server):
    """A page elsewhere that points its own name at this machine (DNS rebinding) is
    refused; the names the server printed, and this machine's, are answered; and a name
    given with --allowed-host (the one the clinic's proxy passes on)."""
    port = urlsplit(server).port
    assert _status(server, f"evil.example:{port}") == b"HTTP/1.1 421 Misdirected Request"
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert _status(server, host) == b"HTTP/1.1 200 OK", host
    with _served([], "--allowed-host", "Handouts.Clinic.Example") as proxied:
        assert _status(proxied, "handouts.clinic.example") == b"HTTP/1.1 200 OK"
        assert _status(proxied, f"127.0.0.1:{port}") == b"HTTP/1.1 200 OK"
        assert _status(proxied, "clinic.example") == b"HTTP/1.1 421 Misdirected Request"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is not installed: `make test` installs it (apt-get install chromium)"
    assert AXE.is_file(), "axe-core is not installed: `make test` installs it (npm ci)"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


class Visit:
    """A page in its own browser context, with every request and console error it saw."""

    def __init__(self, browser: Browser, address: str, **options) -> None:
        self.context = browser.new_context(accept_downloads=True, **options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.goto(address)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server) -> Iterator[Visit]:
    v = Visit(browser, server)
    yield v
    v.close()


def pick(page: Page, finder: str, typed: str, label: str) -> None:
    """Type in a list's find box, then tick the one shown with ``label``."""
    page.get_by_label(finder).fill(typed)
    page.get_by_label(label, exact=False).check()


def test_what_applies_follows_the_plan(visit: Visit):
    """Review: the panel asked only with the conditions and medicines, so a plan whose
    medicines bring a caution (an NSAID in lupus) showed none, though the preview and the
    PDF print it."""
    page = visit.page
    pick(page, "Find a condition", "G43", "Migraine")
    pick(page, "Find a condition", "lupus", "Lupus")
    applies = page.locator("#applies-body")
    expect(applies).to_contain_text("No combination caution applies.")
    template = page.get_by_label("Start from a plan template")
    template.select_option("migraine-attack-simple-painkiller")
    expect(applies).to_contain_text("NSAIDs in lupus (for a medicine the plan names)")
    expect(applies).to_contain_text(
        "The plan names Paracetamol, NSAIDs (anti-inflammatory painkillers): their "
        "cautions print too."
    )
    template.select_option("")
    expect(applies).to_contain_text("No combination caution applies.")
    # a medicine typed in a plan slot brings its cautions too, once the slot is left
    for label, typed, said in (
        ("Which medicine and dose", "Sumatriptan 50 mg",
         "Triptans in lupus (for a medicine the plan names)"),
        ("Which medicine and dose", "", "No combination caution applies."),
        ("A preventive medicine and dose", "Propranolol 80 mg",
         "The plan names Beta-blockers: their cautions print too."),
    ):  # fmt: skip
        page.get_by_label(label).fill(typed)
        page.get_by_label(label).press("Tab")
        expect(applies).to_contain_text(said)


def test_a_clinician_makes_a_visit_handout(visit: Visit):
    page = visit.page
    pick(page, "Find a condition", "G43", "Migraine")
    shown = page.locator("#list-conditions li:not([hidden])")
    expect(shown).to_have_count(1)  # found by its ICD-10 code
    pick(page, "Find a condition", "M79.7", "Fibromyalgia")
    expect(page.locator("#find-conditions-count")).to_have_text("2 shown (ticked ones stay shown)")
    pick(page, "Find a medicine", "sumatriptan", "Triptans")
    pick(page, "Find a medicine", "duloxetine", "SNRI medicines")
    pick(page, "Find a medicine", "Advil", "NSAIDs")  # a brand finds its medicine too
    applies = page.locator("#applies-body")
    expect(applies).to_contain_text("Migraine and fibromyalgia often happen together.")
    expect(applies).to_contain_text("Triptans with an SNRI")
    page.get_by_label("Patient's name").fill(NAME)
    page.get_by_label("Clinician's name").fill("Dr Sam Okafor")
    page.get_by_label("Start from a plan template").select_option("migraine-attack-triptan")
    page.get_by_label("Which medicine and dose").fill("Sumatriptan 50 mg")
    page.get_by_label("A calming practice").select_option("slow-breathing")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 2 pages")).to_be_focused()
    expect(page.locator(".pages img")).to_have_count(2)
    expect(page.get_by_label("Patient's name")).to_have_value(NAME)  # the form is kept
    with page.expect_download() as downloaded:
        page.locator(".preview").get_by_role("button", name="Download the PDF").click()
    download = downloaded.value
    assert download.suggested_filename == "handout-visit-fibromyalgia-migraine.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 2
    assert NAME in text and "Dr Sam Okafor" in text and "Sumatriptan 50 mg" in text
    assert "Triptans with an SNRI" in text
    assert visit.console == []  # no script error, nothing the security policy blocked
    assert {urlsplit(u).hostname for u in visit.requests if not u.startswith("data:")} == {
        "127.0.0.1"
    }


def test_problems_show_beside_their_fields(visit: Visit):
    page = visit.page
    page.get_by_label("A pack of handouts").check()
    page.get_by_role("button", name="Preview").click()
    summary = page.locator("#problems")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem: nothing was printed")
    message = "choose a pack, or print a visit handout or the full version"
    expect(page.locator("#pack-error")).to_have_text(f"Problem: {message}")
    expect(page.get_by_label("Pack (when printing a pack)")).to_have_attribute(
        "aria-invalid", "true"
    )
    summary.get_by_role("link", name=message).click()
    expect(page.get_by_label("Pack (when printing a pack)")).to_be_focused()


LIST = (
    "id,name,conditions,medicines\n"
    "A1,Ana O'Brien,migraine;fibromyalgia,triptans;snri\n"
    "B2,Łukasz Nowak,lupus,hydroxychloroquine\n"
    "C3,Zoë Müller,M79.7,\n"
)


def test_a_clinic_list_uploads_with_a_progress_bar(visit: Visit, tmp_path):
    page = visit.page
    listed = tmp_path / "clinic.csv"
    listed.write_text(LIST, encoding="utf-8")
    page.get_by_label("Clinic list (.csv").set_input_files(listed)
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Make every handout (zip)").click()
    download = downloaded.value
    assert download.suggested_filename == f"handouts-{date.today().isoformat()}.zip"
    status = page.get_by_role("status")
    expect(status).to_have_text(f"Done: 3 rows. The zip is saved ({download.suggested_filename}).")
    expect(page.get_by_label("Handouts made")).to_have_attribute("value", "3")
    z = zipfile.ZipFile(download.path())
    assert z.namelist() == ["A1.pdf", "B2.pdf", "C3.pdf", "manifest.csv", "manifest.json"]
    # a list with a problem: said beside the upload, nothing made
    listed.write_text(LIST + "D4,Sam Smith,not-a-condition,\n", encoding="utf-8")
    page.get_by_label("Clinic list (.csv").set_input_files(listed)
    page.get_by_role("button", name="Make every handout (zip)").click()
    expect(page.locator("#list-error")).to_have_text(
        "list.csv:5: row 4: conditions: unknown condition 'not-a-condition'"
    )
    expect(page.locator("#list-error")).to_be_focused()
    expect(status).to_have_text("Nothing was made: the list has problems.")
    # a date half typed is said at the date, not taken for no date (red team)
    listed.write_text(LIST, encoding="utf-8")
    page.get_by_label("Clinic list (.csv").set_input_files(listed)
    half_type(page.get_by_label("Date to print on rows that give none"))
    page.get_by_role("button", name="Make every handout (zip)").click()
    expect(page.locator("#list_date-error")).to_have_text(NOT_A_DATE)
    expect(page.locator("#list-error")).to_have_count(0)  # the list's box is gone
    expect(status).to_have_text("Nothing was made.")
    # the browser notes the refusal itself; no script error, nothing the policy blocked
    assert (
        visit.console
        == [
            "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
        ]
        * 2
    )


NOT_A_DATE = "not a date written YYYY-MM-DD (e.g. 2026-11-21)"


def half_type(date_field) -> None:
    """Clear a date field and type its month only: the browser then holds a date it
    cannot read, and would post it as no date."""
    date_field.fill("")
    date_field.press_sequentially("02")
    assert date_field.evaluate("input => input.validity.badInput")


def test_a_date_half_typed_is_said_at_the_date(visit: Visit):
    page = visit.page
    pick(page, "Find a condition", "G43", "Migraine")
    half_type(page.get_by_label("Date to print", exact=True))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#date-error")).to_have_text("Problem: " + NOT_A_DATE)


def test_the_page_works_without_javascript(browser, server):
    v = Visit(browser, server, java_script_enabled=False)
    try:
        page = v.page
        expect(page.get_by_label("Find a condition")).to_be_hidden()  # nothing to type in
        page.get_by_label("Lupus", exact=False).check()
        page.get_by_label("Full version").check()
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Preview:")).to_be_visible()
        expect(page.locator("#applies-body")).to_contain_text("No combination caution applies.")
        with page.expect_download() as downloaded:
            page.locator(".preview").get_by_role("button", name="Download the PDF").click()
        assert downloaded.value.suggested_filename == "handout-full-lupus.pdf"
    finally:
        v.close()


@pytest.mark.parametrize("kind", ["form", "problems", "preview", "phone"])
def test_axe_finds_no_violation(browser, server, kind):
    """axe-core in the browser, on each kind of page the server shows (its script goes in
    past the page's own security policy, which would rightly refuse it)."""
    size = {"width": 390, "height": 844} if kind == "phone" else {"width": 1200, "height": 900}
    v = Visit(browser, server, bypass_csp=True, viewport=size)
    try:
        page = v.page
        if kind == "problems":
            page.get_by_role("button", name="Preview").click()
            expect(page.locator("#problems")).to_be_visible()
        elif kind in ("preview", "phone"):
            pick(page, "Find a condition", "lupus", "Lupus")
            pick(page, "Find a medicine", "hydroxy", "Hydroxychloroquine")
            page.get_by_role("button", name="Preview").click()
            expect(page.locator(".pages img")).to_have_count(2)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "axe.run().then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.html)]))"
        )
        assert found == []
    finally:
        v.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    from tests.conftest import main

    assert main(["site", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    ("page", "size"),
    [
        ("h/index.html", (1200, 900)),
        ("h/g43-m797/index.html", (1200, 900)),
        ("h/g43-m797/index.html", (390, 844)),
        ("h/g35-g43-m05-m32/index.html", (390, 844)),
    ],
)
def test_axe_finds_no_violation_on_the_site(browser, site, page, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        tab = context.new_page()
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto((site / page).as_uri())
        tab.add_script_tag(path=str(AXE))
        found = tab.evaluate(
            "axe.run().then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.html)]))"
        )
        assert found == []
        # the page and its stylesheet, from the folder: nothing from anywhere else
        assert {urlsplit(u).scheme for u in requests} == {"file"}
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= size[0]  # no sideways scrolling on a phone
    finally:
        context.close()


SPLIT_NUMBERS = r"""() => {
  // each number (a word that starts and ends with a digit, after any opening mark) and
  // the word after it: the first letters' lines compared, as the reader sees them
  const next = /(\d)([ \u00a0]+)(\p{L})/gu;
  const number = /^\d(?:[\d.,:\u2013-]*\d)?$/;
  let pairs = 0;
  const split = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    for (const m of text.matchAll(next)) {
      const word = text.slice(0, m.index + 1).split(/[ \u00a0\t\n\u2014]/).pop()
        .replace(/^[(\[{<"'\u201c\u2018\u00ab\u00bf\u00a1\u2264\u2265~+\u00b1\u2248]+/, "");
      if (!number.test(word)) continue;
      pairs += 1;
      const at = (i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().top;
      };
      const letter = m.index + 1 + m[2].length;
      if (Math.abs(at(m.index) - at(letter)) > 1)
        split.push(text.slice(Math.max(0, m.index - 15), letter + 10));
    }
  }
  return [pairs, split];
}"""


@pytest.mark.parametrize("page", ["h/g43-m797/index.html", "es/h/g43-m797/index.html",
                                  "h/g35-g43-m05-m32/index.html"])  # fmt: skip
def test_a_number_keeps_its_word_on_the_sites_pages_at_every_width(browser, site, page):
    """As in the PDF: "up to 60" never ends a line with "mg" on the next, on a phone or a
    wide screen (the page's text is laid out by the browser at each width)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        tab = context.new_page()
        tab.goto((site / page).as_uri())
        seen, split = 0, []
        for width in range(280, 1000, 12):
            tab.set_viewport_size({"width": width, "height": 900})
            pairs, found = tab.evaluate(SPLIT_NUMBERS)
            seen = max(seen, pairs)
            split += [(width, words) for words in found]
        assert seen > 20  # the page has numbers with words after them to keep
        assert split == []
    finally:
        context.close()


def test_an_upload_says_after_done_which_rows_take_a_second_sheet(visit: Visit, tmp_path):
    page = visit.page
    listed = tmp_path / "clinic.csv"
    listed.write_text(
        "id,name,conditions,medicines,plan_template,language,paper\n"
        "M4,Ana O'Brien,migraine;lupus;multiple-sclerosis,gabapentinoids;estrogen-contraception;"
        "interferon-beta;valproate;opioids-butalbital;topiramate,"
        "migraine-attack-simple-painkiller,es,letter\n"
        "F5,Zoë Müller,migraine;fibromyalgia,triptans,,,\n",
        encoding="utf-8",
    )
    page.get_by_label("Clinic list (.csv").set_input_files(listed)
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Make every handout (zip)").click()
    name = downloaded.value.suggested_filename
    expect(page.get_by_role("status")).to_have_text(
        f"Done: 2 rows. The zip is saved ({name}). 1 row (M4): its visit handout takes more "
        "pages: what is never left out (such as the plan, the notes, the red flags and the "
        "combination cautions) does not fit on one sheet (two in large print), even with "
        "everything else left out; the manifest gives its pages."
    )
