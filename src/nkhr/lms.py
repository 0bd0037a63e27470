"""LMS uploads: one total per student for one exercise set, in the LMS's own grade-import shape.

- **Canvas** (Gradebook → Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column named after the assignment. Canvas matches rows by ``ID`` (the number in Canvas's
  submission file names); a column whose name matches no assignment becomes a new one.
- **Moodle** (Assignment → "Upload grading worksheet", the offline grading worksheet):
  ``Identifier`` (``Participant <n>``, the number in Moodle's download names), ``Full name``,
  ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be changed``,
  ``Last modified (submission)``, ``Last modified (grade)``, ``Feedback comments``.
- **Blackboard** (Grade Center → Work Offline → Upload): ``Last Name``, ``First Name``,
  ``Username`` (the id in Blackboard's file names), then ``<assignment> [Total Pts: N Score]``;
  every value quoted. A column without a Blackboard column id becomes a new column.

Only students whose id came from that LMS's file names can be matched; the others are listed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .gradeio import atomic_write, clean

if TYPE_CHECKING:  # pragma: no cover
    from .grade import SetData

SOURCE = {"canvas": "Canvas file name", "moodle": "Moodle file name", "blackboard": "Blackboard file name"}


def _cell(text: object) -> str:
    text = clean(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _total(d: "SetData", student: str) -> float:
    return d.total(student)


def lms_rows(lms: str, d: "SetData") -> tuple[list[list[str]], list[str], dict]:
    """(rows including the header, students left out, csv writer options) for ``lms``."""
    bank, title = d.bank, clean(d.bank.title)
    rows: list[list[str]] = []
    missing = [r["student"] for r in d.roster if r.get("id_source") != SOURCE[lms]]
    mine = [r for r in d.roster if r.get("id_source") == SOURCE[lms]]
    if lms == "canvas":
        rows.append(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title])
        rows += [[_cell(r["name"]), _cell(r["student"]), "", "", "", f"{_total(d, r['student']):g}"] for r in mine]
        return rows, missing, {}
    if lms == "moodle":
        rows.append(["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                     "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"])
        rows += [[f"Participant {_cell(r['student'])}", _cell(r["name"]), "", "", f"{_total(d, r['student']):g}",
                  f"{bank.possible:g}", "Yes", "", "", ""] for r in mine]
        return rows, missing, {}
    rows.append(["Last Name", "First Name", "Username", f"{title} [Total Pts: {bank.possible:g} Score]"])
    rows += [["", "", _cell(r["student"]), f"{_total(d, r['student']):g}"] for r in mine]
    return rows, missing, {"quoting": csv.QUOTE_ALL}


def write_lms(out: Path, lms: str, d: "SetData") -> tuple[Path, list[str]]:
    """Write ``OUT/lms-<set>.csv``; return its path and the students it could not include."""
    rows, missing, opts = lms_rows(lms, d)
    buf = io.StringIO()
    csv.writer(buf, **opts).writerows(rows)
    path = out / f"lms-{d.bank.set_id}.csv"
    atomic_write(path, buf.getvalue(), bom=(lms != "moodle"))
    return path, missing
