"""A clinic list uploaded on the web page: each row's handout in one zip, with a manifest,
made in memory (nothing written to disk) by the worker's renderer, a row at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handouts.content.language import CONTENT_LANGUAGES
from handouts.content.model import Library
from handouts.delivery.batch import scrub
from handouts.document.request import Allow, Request
from handouts.errors import (
    HandoutsError,
    InternalError,
    PatientError,
    Problem,
    unexpected,
)
from handouts.intake.clinic_list import (
    ClinicList,
    Row,
    blanked,
    cell_parts,
    read_list_data,
    request,
)
from handouts.pipeline import PRINTER, Rendered, past_a_sheet, past_a_sheet_rows
from handouts.web.security import bug

MAX_UPLOAD = 1_000_000
"""The largest list the page takes (about 5,000 rows), in bytes. A request carrying one
stays under the size at which Starlette would spool an uploaded file to disk."""
TOO_LARGE = (
    f"is more than 1 MB ({MAX_UPLOAD:,} bytes): the page takes lists up to that size (use "
    "handouts batch for a larger one)"
)
"""What a list too large is, wherever it is found (by the app, or by its size limit)."""
MAX_ROWS = 2_000
"""The most rows one upload makes (a bigger list is for `handouts batch`)."""
MAX_ZIP = 200 * 1024 * 1024
"""The largest zip the page makes in memory (2,000 visit handouts take about 170 MB; a
list of packs reaches it sooner, and is for `handouts batch`)."""
FIELDS = ("id", "file", "conditions", "pack", "medicines", "pages", "bytes", "status")
"""The manifest's columns: ids and counts only, never a patient's name, clinician or notes."""
_WHEN = (1980, 1, 1, 0, 0, 0)
TOO_BIG = (
    f"the handouts would make a zip of more than {MAX_ZIP // 1024 // 1024} MB: split the "
    "list, or use handouts batch"
)
"""Every file in the zip is dated alike, so the same list makes the same zip."""


@dataclass(frozen=True)
class Upload:
    """A checked list, ready to make: its good rows (and the bad ones, when skipped)."""

    listed: ClinicList
    date: dt.date | None
    allow: Allow


def check_upload(
    data: bytes, name: str, lib: Library, skip_invalid: bool, date: dt.date | None, allow: Allow
) -> Upload:
    """The uploaded list checked as `handouts batch` checks one; its problems all at once
    (unless ``skip_invalid``, when the good rows are made and the bad ones listed)."""
    # messages name the list by its kind only: a file's name may be a patient's
    kind = Path(name).suffix.lower()
    label = f"list{kind}" if kind else "the list"
    if not data:
        message = "choose a clinic list to upload (.csv, .yaml or .yml)"
        raise PatientError([Problem("the list", None, "", message)])
    if len(data) > MAX_UPLOAD:
        raise PatientError([Problem(label, None, "", f"the file {TOO_LARGE}")])
    listed = read_list_data(
        data, label, lib, PRINTER, lib.packs, CONTENT_LANGUAGES, most_rows=MAX_ROWS
    )
    if listed.problems and not skip_invalid:
        raise PatientError(listed.problems)
    if not listed.rows:
        raise PatientError([Problem(listed.file, None, "", "no row of the list can be made")])
    return Upload(listed, date, allow)


class Bundle:
    """The zip being made: each row's PDF added as it is made, then the manifest."""

    def __init__(self, upload: Upload):
        self.upload = upload
        self.records: list[dict[str, Any]] = []
        self.longer: list[str] = []  # the ids of the rows whose visit handout takes more
        self.size = 0
        self.out = io.BytesIO()
        self.zip = zipfile.ZipFile(self.out, "w")

    def add(self, row: Row, make: Callable[[Request], Rendered]) -> None:
        """Make ``row``'s handout and add it (or, when it cannot be made, why not)."""
        record: dict[str, Any] = {
            "id": row.id, "file": f"{row.stem}.pdf", "conditions": ";".join(row.conditions),
            "pack": row.pack or "", "medicines": ";".join(row.medicines), "pages": None,
            "bytes": None, "status": "written",
        }  # fmt: skip
        try:
            made = make(req := request(row, self.upload.date, self.upload.allow))
        except HandoutsError as exc:
            record |= {"file": "", "status": "failed", "errors": [scrub(str(exc), row)]}
            if isinstance(exc, InternalError):
                bug(exc)
        except Exception as exc:  # a bug must not stop the other rows
            bug(exc)  # and the row says it without its words, which may quote the row
            record |= {"file": "", "status": "failed", "errors": [unexpected(exc)]}
        else:
            self.size += len(made.pdf)
            if self.size > MAX_ZIP:
                raise HandoutsError(TOO_BIG)
            _add(self.zip, record["file"], made.pdf, zipfile.ZIP_STORED)  # a PDF is compressed
            record |= {"pages": made.pages, "bytes": len(made.pdf)}
            if past_a_sheet(req, made.pages):  # than a sheet (said when the zip is made)
                self.longer.append(row.id)
        self.records.append(record)

    def close(self) -> None:
        """Let the zip go unfinished (its list stopped, or the page went away)."""
        self.zip.close()

    def finish(self) -> bytes:
        """The zip, with ``manifest.csv`` and ``manifest.json`` (the rows not made too)."""
        listed = self.upload.listed
        records = [*self.records, *_skipped(listed)]
        _add(self.zip, "manifest.csv", _csv(records), zipfile.ZIP_DEFLATED)
        summary: dict[str, Any] = {"list": listed.file, "rows_total": len(records)}  # its kind
        for status in ("written", "failed", "skipped"):
            summary[status] = sum(r["status"] == status for r in records)
        if self.longer:  # said on the page with JavaScript; here for a page without it
            summary["note"] = past_a_sheet_rows(self.longer) + "."
        text = json.dumps(summary | {"rows": records}, indent=2, ensure_ascii=False)
        _add(self.zip, "manifest.json", text.encode(), zipfile.ZIP_DEFLATED)
        self.zip.close()
        return self.out.getvalue()


def _skipped(listed: ClinicList) -> Iterator[dict[str, Any]]:
    """The rows not made, with their problems, every cell of the row but its id (and each
    part of a cell, in any case) blanked out of them: a name in the wrong column, or among
    the medicines, would otherwise be quoted in a file that is kept."""
    cells = listed.invalid_cells or ((),) * len(listed.invalid)
    for number, rid, row in zip(listed.invalid, listed.invalid_ids, cells, strict=True):
        mine = [str(p) for p in listed.problems if p.path.split(":")[0] == f"row {number}"]
        quoted = [part for text in row if text != rid for part in cell_parts(text)]
        yield dict.fromkeys(FIELDS, "") | {
            "id": rid, "pages": None, "bytes": None, "status": "skipped",
            "errors": [blanked(m, quoted) for m in mine],
        }  # fmt: skip


def _csv(records: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, FIELDS, extrasaction="ignore")
    writer.writeheader()
    for r in records:  # an id starting =, +, - or @ is not a formula when opened in Excel
        unsafe = r["id"].startswith(("=", "+", "-", "@", "\t", "\r"))
        writer.writerow(r | {"id": f"'{r['id']}" if unsafe else r["id"]})
    return text.getvalue().encode("utf-8-sig")


def _add(z: zipfile.ZipFile, name: str, data: bytes, how: int) -> None:
    info = zipfile.ZipInfo(name, _WHEN)
    info.compress_type = how
    info.external_attr = 0o600 << 16  # private once unpacked, as handouts' own files are
    z.writestr(info, data)
