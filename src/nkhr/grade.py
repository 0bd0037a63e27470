"""``workbook grade``: from a folder or zip of saved notebooks to an LMS-ready gradebook.

Nothing in a submission is executed and no submission is written to: each notebook is read as
JSON with nbformat, the recorded answer payloads (MIME ``application/vnd.nkhr.answer+json``) are
picked out of its outputs, and only their ``answer`` is trusted (a recorded ``"correct": true`` or
``"points"`` is ignored). Answers are scored with :func:`nkhr.questions.score`, the same code as
the self-check, against the plain key in ``solutions/<set>.toml``.

**Who is the student?** In this order:

1. an LMS download name: Canvas ``smithjane_12345_67890_x.ipynb`` (also ``_LATE_``; id 12345),
   Moodle ``Jane Smith_123456_assignsubmission_file_x.ipynb`` or such a folder (id 123456),
   Blackboard ``Assignment_jsmith_attempt_2026-11-20-10-00-00_x.ipynb`` (id jsmith);
2. else the name or ID the student recorded in the notebook (the ``_student`` box);
3. else the folder the notebook sits in (when the file keeps the exercise set's own name, as in a
   folder per student), else the file name without ``.ipynb``.

When an LMS name and a recorded name disagree, the LMS wins and a note says so. Two files for
the same student: the one with the latest ``submitted_at`` (then the latest file time) is graded
and the other reported.

**Output** (``--out``, default ``./grading-output``): ``gradebook.sqlite``, ``grades.csv`` (one row
per student, one column per question, ``total`` and ``possible``), ``review-<set>-<qid>.csv`` and
``.html`` per free-text question, and ``feedback/<set>/<student>.md``.

**Exit codes**: 0 if at least one notebook was graded (or one manual score imported), even when
others had problems; 1 if nothing was graded; 2 if grading could not start (unknown ``--set``,
output folder not writable).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import os
import re
import sys
import warnings
import zipfile
import zlib
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator, TextIO

import nbformat

from . import ANSWER_MIME
from .bank import Bank, BankError, list_sets, load_bank
from .gradebook import Gradebook, GradebookError
from .questions import Question, Score, answer_text, score, word_count

MAX_BYTES = 20 * 1024 * 1024  # a notebook (or a filled review sheet) larger than this is refused
MAX_DEPTH = 64  # JSON nested deeper than this is not a notebook
ZIP_MAX_NOTEBOOKS = 5000  # notebooks read from one zip
ZIP_MAX_TOTAL = 2 * 1024 ** 3  # bytes a zip may expand to, all notebooks together
STUDENT_QID = "_student"
DEFAULT_OUT = Path("grading-output")


class GradeError(Exception):
    """Grading cannot start (unknown set, no key, output folder not writable)."""


class SubmissionError(Exception):
    """One submission cannot be graded; the message is the reason shown to the instructor."""


# ---------------------------------------------------------------- results

@dataclass
class Submission:
    """One graded notebook."""

    file: str
    set_id: str
    student: str
    name: str
    id_source: str
    answers: dict[str, Any]
    scores: dict[str, Score]
    sha256: str
    submitted_at: str | None = None
    when: tuple[float, float, int] = (0.0, 0.0, 0)  # (submitted_at, file time, order): latest wins

    @property
    def points(self) -> float:
        return sum(s.points for s in self.scores.values())


@dataclass
class Report:
    """What a grading run did: graded submissions, problems (not graded) and notes (graded, worth a look)."""

    out: Path
    graded: list[Submission] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    imported: int = 0  # manual scores read from review sheets
    totals: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # (set, student) -> (points, possible)
    question_means: dict[str, dict[str, float]] = field(default_factory=dict)  # set -> qid -> mean points

    @property
    def exit_code(self) -> int:
        return 0 if self.graded or self.imported else 1

    def summary(self) -> str:
        """Plain-English summary for the terminal."""
        lines = []
        if self.graded:
            lines.append(f"Graded {len(self.graded)} submission(s).")
        if self.imported:
            lines.append(f"Imported {self.imported} manual score(s).")
        if self.problems:
            lines.append(f"\nProblems ({len(self.problems)}; these files were NOT graded):")
            lines += [f"  {f}: {why}" for f, why in self.problems]
        if self.notes:
            lines.append(f"\nNotes ({len(self.notes)}; graded, but worth a look):")
            lines += [f"  {f}: {why}" for f, why in self.notes]
        for set_id in sorted(self.question_means):
            rows = [v for (s, _), v in self.totals.items() if s == set_id]
            if rows:
                mean = sum(p for p, _ in rows) / len(rows)
                lines.append(f"\n{set_id}: {len(rows)} student(s), mean {mean:.2f} of {rows[0][1]:g} "
                             "(free-text answers count once scored)")
            lines += [f"  {qid:<28} mean {m:.2f}" for qid, m in self.question_means[set_id].items()]
        if not (self.graded or self.imported or self.problems):
            lines.append("No notebooks found.")
        lines.append(f"\nOutput: {self.out}")
        return "\n".join(lines)


# ---------------------------------------------------------------- reading submissions

@dataclass
class _Source:
    label: str  # what the instructor sees
    parts: tuple[str, ...]  # path inside the folder or zip given, ending with the file name
    parent: str  # the folder the file sits in (a Moodle folder name carries the student)
    mtime: float
    read: Callable[[], bytes]


def _read_file(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with path.open("rb") as fh:  # read only; a submission is never written
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise SubmissionError(f"cannot be read ({exc.strerror or exc})") from None
        if len(data) > MAX_BYTES:
            raise SubmissionError(f"larger than {MAX_BYTES // 2**20} MB, too large to be a saved exercise notebook")
        return data
    return read


def _file_source(path: Path, root: Path | None) -> _Source:
    parts = path.relative_to(root).parts if root else (path.name,)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _Source(str(path), parts, path.parent.name, mtime, _read_file(path))


def _zip_sources(path: Path, stack: ExitStack, problems: list[tuple[str, str]]) -> list[_Source]:
    """Notebooks inside a zip, read in memory (never extracted); size and count capped."""
    try:
        zf = stack.enter_context(zipfile.ZipFile(path))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        problems.append((str(path), f"not a readable zip file ({exc})"))
        return []
    out: list[_Source] = []
    total = 0
    for info in infos:
        parts = tuple(p for p in PurePosixPath(info.filename.replace("\\", "/")).parts
                      if p not in ("", ".", "..", "/") and not p.endswith(":"))  # no zip-slip: labels only
        if info.is_dir() or not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        label = f"{path}:{'/'.join(parts)}"
        if parts[-1].lower().endswith(".zip"):
            problems.append((label, "a zip inside a zip is not read; unzip the outer one first"))
            continue
        if not parts[-1].lower().endswith(".ipynb"):
            continue
        if len(out) >= ZIP_MAX_NOTEBOOKS:
            problems.append((str(path), f"holds more than {ZIP_MAX_NOTEBOOKS} notebooks; only the first were read"))
            break
        if info.file_size > MAX_BYTES:
            problems.append((label, f"larger than {MAX_BYTES // 2**20} MB, too large to be a saved exercise notebook"))
            continue
        total += info.file_size
        if total > ZIP_MAX_TOTAL:
            problems.append((str(path), "expands to more than 2 GB; the rest of it was not read"))
            break
        try:
            mtime = datetime(*info.date_time).timestamp()
        except (ValueError, OverflowError):
            mtime = 0.0

        def read(info: zipfile.ZipInfo = info) -> bytes:
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_BYTES + 1)  # the header's size may lie: cap what is inflated
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as exc:
                raise SubmissionError(f"cannot be read from the zip ({exc})") from None
            if len(data) > MAX_BYTES:
                raise SubmissionError(f"larger than {MAX_BYTES // 2**20} MB, too large to be a saved exercise notebook")
            return data
        out.append(_Source(label, parts, parts[-2] if len(parts) > 1 else "", mtime, read))
    return out


def _sources(paths: Iterable[Path | str], stack: ExitStack, problems: list[tuple[str, str]]) -> list[_Source]:
    out: list[_Source] = []
    for p in map(Path, paths):
        if p.is_dir():
            for folder, dirs, files in os.walk(p):  # does not follow links to folders
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
                for name in sorted(files):
                    f = Path(folder) / name
                    if name.startswith(".") or not f.is_file():  # no pipes or devices
                        continue
                    if name.lower().endswith(".ipynb"):
                        out.append(_file_source(f, p))
                    elif name.lower().endswith(".zip"):
                        out += _zip_sources(f, stack, problems)
        elif p.is_file() and p.suffix.lower() == ".zip":
            out += _zip_sources(p, stack, problems)
        elif p.is_file():
            out.append(_file_source(p, None))
        else:
            problems.append((str(p), "not a file or folder" if p.exists() else "no such file or folder"))
    return out


def _depth(obj: Any) -> int:
    stack, deepest = [(obj, 1)], 0
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack += [(v, d + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, d + 1) for v in node]
    return deepest


def read_notebook(data: bytes) -> nbformat.NotebookNode:
    """Parse notebook bytes without running anything; raise :class:`SubmissionError` with the reason.

    Validation is loose: a notebook that breaks the schema in small ways is still read.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError("not a notebook (not a UTF-8 text file)") from None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise SubmissionError(f"not a notebook (JSON nested more than {MAX_DEPTH} levels deep)") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"not a notebook (not valid JSON: {exc.msg}, line {exc.lineno})") from None
    except ValueError as exc:
        raise SubmissionError(f"not a notebook (not valid JSON: {exc})") from None
    if _depth(raw) > MAX_DEPTH:
        raise SubmissionError(f"not a notebook (JSON nested more than {MAX_DEPTH} levels deep)")
    if not isinstance(raw, dict) or not isinstance(raw.get("nbformat"), int) or not (
            isinstance(raw.get("cells"), list) or isinstance(raw.get("worksheets"), list)):
        raise SubmissionError("not a notebook (JSON, but without the 'nbformat' and 'cells' a notebook has)")
    nb = nbformat.from_dict(raw)
    if nb.nbformat != 4:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = nbformat.convert(nb, 4)
        except (ValueError, KeyError, TypeError, AttributeError, nbformat.ValidationError) as exc:
            raise SubmissionError(f"a notebook in an old format (v{raw['nbformat']}) that cannot be read ({exc})") from None
    if not isinstance(nb.get("metadata"), dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError("not a notebook (no list of cells)")
    return nb


def _payloads(nb: dict) -> Iterator[tuple[str, dict]]:
    """(question id, {"answer", "set", "submitted_at"}) for each recorded payload, in cell order."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or not isinstance(cell.get("outputs"), list):
            continue
        for output in cell["outputs"]:
            data = output.get("data") if isinstance(output, dict) else None
            p = data.get(ANSWER_MIME) if isinstance(data, dict) else None
            if isinstance(p, str):
                try:
                    p = json.loads(p)
                except (ValueError, RecursionError):
                    continue
            if isinstance(p, dict) and isinstance(p.get("question"), str) and "answer" in p:
                yield p["question"], {
                    "answer": p["answer"],
                    "set": p["set"] if isinstance(p.get("set"), str) else None,
                    "submitted_at": p["submitted_at"] if isinstance(p.get("submitted_at"), str) else None,
                }


def extract_answers(nb: dict, *, set_id: str | None = None) -> dict[str, dict]:
    """Recorded answers by question id: ``{"answer", "set", "submitted_at"}`` from each payload.

    Only those three keys are read (anything else in a payload, such as a forged ``"correct"``,
    is ignored). When a question appears several times, the last one in cell order wins. With
    ``set_id``, payloads that name another exercise set are skipped.
    """
    return {qid: p for qid, p in _payloads(nb) if set_id is None or p["set"] in (None, set_id)}


# ---------------------------------------------------------------- who is the student

_CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<id>\d+)_\d+_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?:file|onlinetext)_?(?P<file>.*)$")
_BLACKBOARD = re.compile(r"^(?P<assignment>.+)_(?P<id>[^_\s]+)_attempt_(?P<ts>\d{4}(?:-\d\d){5})(?:_(?P<file>.*))?$")


@dataclass
class Identity:
    """Who submitted a notebook, and how we know."""

    student: str  # the key (LMS id, recorded id, or file/folder name)
    name: str
    source: str
    time: float = 0.0  # a time in the file name (Blackboard), else 0
    late: bool = False
    conflict: str = ""


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _agrees(recorded: str, *candidates: str) -> bool:
    cands = [_norm(c) for c in candidates if _norm(c)]
    words = [_norm(w) for w in re.split(r"[\s,;/]+", recorded) if len(_norm(w)) >= 2]
    return any(_norm(recorded) == c or c in _norm(recorded) for c in cands) or bool(
        words and all(any(w in c for c in cands) for w in words))


def identify(parts: tuple[str, ...], *, parent: str = "", recorded: str | None = None) -> Identity:
    """Identify the student from the file's path (LMS patterns) and the recorded name/ID."""
    fname = parts[-1] if parts else ""
    stem = fname[:-6] if fname.lower().endswith(".ipynb") else fname
    ident = None
    if m := _MOODLE.match(fname) or _MOODLE.match(parent):
        ident = Identity(m["id"], m["name"], "Moodle file name")
    elif m := _CANVAS.match(fname):
        ident = Identity(m["id"], m["name"], "Canvas file name", late=bool(m["late"]))
    elif m := _BLACKBOARD.match(fname):
        try:
            t = datetime.strptime(m["ts"], "%Y-%m-%d-%H-%M-%S").timestamp()
        except ValueError:
            t = 0.0
        ident = Identity(m["id"], m["id"], "Blackboard file name", time=t)
    if ident:
        if recorded and not _agrees(recorded, ident.student, ident.name):
            ident.conflict = (f"the file name says {ident.name} ({ident.student}) but the notebook records "
                              f"{recorded!r}; graded as {ident.student}")
        return ident
    if recorded:
        return Identity(recorded, recorded, "name/ID recorded in the notebook")
    generic = stem.casefold().startswith(("untitled", "submission")) or any(s in stem for s in list_sets())
    if len(parts) > 1 and generic:
        return Identity(parts[-2], parts[-2], "folder name")
    return Identity(stem, stem, "file name")


# ---------------------------------------------------------------- grading one notebook

def _timestamp(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return 0.0
    try:
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
    except (OverflowError, ValueError, OSError):
        return 0.0


def _score(q: Question, answer: Any, bank: Bank) -> Score:
    try:
        return score(q, answer, bank.key)
    except (TypeError, ValueError, OverflowError, AttributeError) as exc:  # an answer the checks let through
        return Score(0.0, q.points, "incorrect", f"This answer could not be read ({type(exc).__name__}).")


def grade_notebook(nb: dict, *, bank: Bank) -> tuple[dict[str, Any], dict[str, Score], list[str]]:
    """Score one parsed notebook against ``bank``: (answers, scores, notes). Never raises on bad answers."""
    notes = []
    foreign = sorted({p["set"] for _, p in _payloads(nb) if p["set"] and p["set"] != bank.set_id})
    if foreign:
        notes.append(f"ignored answers recorded for another exercise set ({', '.join(foreign)})")
    found = extract_answers(nb, set_id=bank.set_id)
    qids = {q.id for q in bank.questions}
    unknown = sorted(set(found) - qids - {STUDENT_QID})
    if unknown:
        notes.append(f"ignored answers to questions this set does not have: {', '.join(unknown[:5])}")
    answers = {q.id: found[q.id]["answer"] for q in bank.questions if q.id in found}
    scores = {q.id: _score(q, answers.get(q.id), bank) for q in bank.questions}
    if not answers:
        notes.append("no answers recorded, so every question scores 0 (was the notebook saved after Submit?)")
    bad = [f"{qid} ({s.detail})" for qid, s in scores.items()
           if qid in answers and s.status in ("incorrect", "unanswered") and s.detail]
    if bad:
        notes.append("answer(s) that do not fit their question, scored 0: " + "; ".join(bad))
    return answers, scores, notes


def _recorded_id(found: dict[str, dict]) -> str | None:
    value = found.get(STUDENT_QID, {}).get("answer")
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())[:100]
    return None


class _Banks:
    def __init__(self) -> None:
        self.cache: dict[str, Bank | str] = {}

    def get(self, set_id: str) -> Bank:
        if set_id not in self.cache:
            try:
                self.cache[set_id] = load_bank(set_id)
            except (BankError, FileNotFoundError) as exc:
                self.cache[set_id] = str(exc)
        bank = self.cache[set_id]
        if isinstance(bank, str):
            raise SubmissionError(f"no answer key for exercise set {set_id!r}: {bank}")
        return bank


def _grade_source(src: _Source, order: int, *, set_id: str | None, banks: _Banks,
                  notes: list[tuple[str, str]]) -> Submission:
    data = src.read()
    nb = read_notebook(data)
    meta = nb.metadata.get("nkhr")
    meta_set = meta.get("set") if isinstance(meta, dict) and isinstance(meta.get("set"), str) else None
    payload_sets = Counter(p["set"] for q, p in _payloads(nb) if p["set"] and q != STUDENT_QID)
    target = set_id or meta_set or (payload_sets.most_common(1)[0][0] if payload_sets else None)
    if target is None or not (meta_set or payload_sets):
        raise SubmissionError("not a workbook exercise notebook (it names no exercise set and records no answers)")
    if meta_set and meta_set != target:
        raise SubmissionError(f"a notebook for exercise set {meta_set!r}, not {target!r}")
    if not meta_set and payload_sets and target not in payload_sets:
        raise SubmissionError(f"its answers are for exercise set {', '.join(sorted(payload_sets))}, not {target!r}")
    bank = banks.get(target)
    found = extract_answers(nb, set_id=target)
    answers, scores, more = grade_notebook(nb, bank=bank)
    ident = identify(src.parts, parent=src.parent, recorded=_recorded_id(found))
    notes += [(src.label, n) for n in more]
    if ident.conflict:
        notes.append((src.label, ident.conflict))
    if ident.late:
        notes.append((src.label, "marked LATE by Canvas"))
    stamps = [p["submitted_at"] for p in found.values() if p["submitted_at"]]
    latest = max(stamps, key=_timestamp) if stamps else None
    return Submission(src.label, target, ident.student, ident.name, ident.source, answers, scores,
                      hashlib.sha256(data).hexdigest(), latest,
                      (_timestamp(latest), ident.time or src.mtime, order))


def _progress(done: int, total: int, stream: TextIO) -> None:
    if total < 20:
        return
    if stream.isatty():
        print(f"\rGrading {done}/{total}…", end="" if done < total else "\n", file=stream, flush=True)
    elif done == total or done % 100 == 0:
        print(f"Grading {done}/{total}", file=stream, flush=True)


def grade_paths(paths: Iterable[Path | str], *, set_id: str | None = None, out: Path | str = DEFAULT_OUT,
                progress: TextIO | None = None) -> Report:
    """Grade every notebook in ``paths`` (files, folders, zips) and write the gradebook and reports to ``out``.

    ``set_id`` forces the exercise set (notebooks of another set are reported); by default each
    notebook's own set is used. Raises :class:`GradeError` only when grading cannot start.
    """
    out = Path(out)
    banks = _Banks()
    if set_id is not None:
        if set_id not in list_sets():
            raise GradeError(f"No exercise set {set_id!r}. Known sets: {', '.join(list_sets()) or 'none'}.")
        try:
            banks.get(set_id)
        except SubmissionError as exc:
            raise GradeError(str(exc)) from None
    report = Report(out)
    gradebook = _open(out)
    with ExitStack() as stack:
        sources = _sources(paths, stack, report.problems)
        graded: dict[tuple[str, str], Submission] = {}
        for n, src in enumerate(sources, start=1):
            try:
                sub = _grade_source(src, n, set_id=set_id, banks=banks, notes=report.notes)
            except SubmissionError as exc:
                report.problems.append((src.label, str(exc)))
            else:
                key = (sub.set_id, sub.student.casefold())
                old = graded.get(key)
                if old is None or sub.when > old.when:
                    graded[key] = sub
                keep, drop = graded[key], (old if old is not None and graded[key] is sub else sub)
                if old is not None:
                    report.problems.append((drop.file, f"another submission for student {keep.student} is newer "
                                                       f"({keep.file}); only that one was graded"))
            if progress is not None:
                _progress(n, len(sources), progress)
    report.graded = list(graded.values())
    try:
        for sub in report.graded:
            scores = {qid: (sub.answers.get(qid), s.points, s.possible, s.status, s.detail)
                      for qid, s in sub.scores.items()}
            for qid in gradebook.save_submission(set_id=sub.set_id, student=sub.student, name=sub.name,
                                                 file=sub.file, sha256=sub.sha256,
                                                 submitted_at=sub.submitted_at, scores=scores):
                report.notes.append((sub.file, f"the answer to {qid} changed since it was scored by hand; "
                                               "the manual score was kept, check it in the review sheet"))
        gradebook.commit()
        _export(gradebook, out, banks, report, sets={s.set_id for s in report.graded})
    except GradebookError as exc:
        raise GradeError(str(exc)) from None
    finally:
        gradebook.close()
    return report


def _open(out: Path) -> Gradebook:
    try:
        return Gradebook(out)
    except GradebookError as exc:
        raise GradeError(str(exc)) from None


# ---------------------------------------------------------------- outputs

def _cell(text: Any) -> str:
    """A spreadsheet cell that is never read as a formula."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _uncell(text: str) -> str:
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def _safe_name(text: str) -> str:
    safe = re.sub(r"[^\w.-]+", "_", text).strip("._")[:80] or "student"
    return safe if safe == text else f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:6]}"


def _write(path: Path, text: str, report: Report, *, bom: bool = False) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        report.notes.append((str(path), f"could not be written ({exc.strerror or exc}); is it open in another program?"))


def _effective(row: dict | None, q: Question) -> tuple[float | None, str]:
    """Points that count (None: free text not yet scored) and a status word."""
    if row is None:
        return 0.0, "unanswered"
    if q.manual:
        if row["manual"] is not None:
            return row["manual"], "scored by hand"
        return (None, "awaiting review") if row["status"] == "manual" else (None, row["status"] + ", awaiting review")
    return row["points"], row["status"]


def _export(gb: Gradebook, out: Path, banks: _Banks, report: Report, *, sets: set[str]) -> None:
    all_sets = []
    for s in gb.sets():
        try:
            all_sets.append(banks.get(s))
        except SubmissionError as exc:
            report.notes.append((str(out / "grades.csv"), f"set {s} left out: {exc}"))
    prefix = len(all_sets) > 1
    buf = io.StringIO()
    w = csv.writer(buf)
    header = ["student", "name"]
    for bank in all_sets:
        p = f"{bank.set_id}:" if prefix else ""
        header += [p + q.id for q in bank.questions] + [p + "total", p + "possible"]
    w.writerow(header)
    rows: dict[str, list] = {}
    for bank in all_sets:
        at = 2 + sum(len(b.questions) + 2 for b in all_sets[:all_sets.index(bank)])
        means: dict[str, list[float]] = {q.id: [] for q in bank.questions}
        for student, name, file in gb.students(bank.set_id):
            row = rows.setdefault(student.casefold(), [_cell(student), _cell(name)] + [""] * (len(header) - 2))
            answers = gb.answers(bank.set_id, student)
            cells, total = [], 0.0
            for q in bank.questions:
                pts, _ = _effective(answers.get(q.id), q)
                cells.append("" if pts is None else f"{pts:g}")
                total += pts or 0.0
                means[q.id].append(pts or 0.0)
            row[at:at + len(cells) + 2] = cells + [f"{total:g}", f"{bank.possible:g}"]
            if bank.set_id in sets:
                report.totals[(bank.set_id, student)] = (total, bank.possible)
                _write(out / "feedback" / bank.set_id / f"{_safe_name(student)}.md",
                       feedback_markdown(bank=bank, student=student, name=name, file=file, answers=answers), report)
        if bank.set_id in sets:
            report.question_means[bank.set_id] = {q: sum(v) / len(v) for q, v in means.items() if v}
            for q in bank.questions:
                if q.manual:
                    _review_sheet(gb, out, bank, q, report)
    for row in rows.values():
        w.writerow(row)
    _write(out / "grades.csv", buf.getvalue(), report, bom=True)


def feedback_markdown(*, bank: Bank, student: str, name: str, file: str, answers: dict[str, dict]) -> str:
    """One student's feedback: each question, their answer, points, status and the key's explanation."""
    total = sum(_effective(answers.get(q.id), q)[0] or 0.0 for q in bank.questions)
    pending = sum(1 for q in bank.questions if _effective(answers.get(q.id), q)[0] is None)
    lines = [f"# {bank.title}", "", f"**Student:** {html.escape(name)} ({html.escape(student)})  ",
             f"**File:** {html.escape(Path(file).name)}  ",
             f"**Total:** {total:g} of {bank.possible:g}" + (f" ({pending} answer(s) still to be read by your "
                                                              "instructor)" if pending else ""), ""]
    for n, q in enumerate(bank.questions, start=1):
        row = answers.get(q.id)
        pts, status = _effective(row, q)
        shown = answer_text(q, row["answer"]) if row and row["answer"] is not None else "(no answer)"
        lines += [f"## {n}. {q.id} — {'…' if pts is None else f'{pts:g}'} of {q.points:g} ({status})", "",
                  q.prompt.strip(), "", "**Your answer:** " + html.escape(shown), ""]
        if row and row["detail"] and not q.manual:
            lines += [f"*{html.escape(row['detail'])}*", ""]
        if q.manual:
            lines += ["**Rubric:**", "", q.rubric.strip(), ""]
            if row and row["comment"]:
                lines += [f"**Instructor's comment:** {html.escape(row['comment'])}", ""]
        elif bank.solutions.get(q.id, {}).get("explanation"):
            lines += [f"**Explanation:** {bank.solutions[q.id]['explanation'].strip()}", ""]
    return "\n".join(lines)


SHEET_COLUMNS = ["set", "question", "student", "name", "words", "answer", "points", "comment"]


def _review_sheet(gb: Gradebook, out: Path, bank: Bank, q: Question, report: Report) -> None:
    path = out / f"review-{bank.set_id}-{q.id}.csv"
    rows = []
    for student, name, _ in gb.students(bank.set_id):
        row = gb.answers(bank.set_id, student).get(q.id)
        answer = row["answer"] if row else None
        text = answer if isinstance(answer, str) else ("(no answer)" if answer is None else json.dumps(answer))
        manual = "" if not row or row["manual"] is None else f"{row['manual']:g}"
        rows.append([bank.set_id, q.id, student, name, word_count(text) if isinstance(answer, str) else 0,
                     text, manual, row["comment"] if row else ""])
    if path.exists():  # keep an edited sheet whose scores were never imported
        entries, _ = _parse_sheet(path)
        saved = {(r[2], r[6], r[7]) for r in rows}
        if any((e["student"], e["raw_points"], e["comment"]) not in saved for e in entries if e["raw_points"]):
            backup = path.with_name(f"{path.stem}.{datetime.now():%Y%m%d-%H%M%S}.bak.csv")
            try:
                path.replace(backup)
                report.notes.append((str(path), f"had scores not yet imported; kept it as {backup.name}"))
            except OSError as exc:
                report.notes.append((str(path), f"has scores not yet imported and was not replaced ({exc})"))
                return
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([f"# Review sheet: {bank.set_id}, question {q.id} ({q.points:g} points)"])
    w.writerow(["# Question: " + " ".join(q.prompt.split())])
    w.writerow(["# Rubric:"])
    for line in q.rubric.strip().splitlines():
        w.writerow(["#   " + line.strip()])
    w.writerow([f"# Fill in 'points' (0 to {q.points:g}) and 'comment', save as CSV, then run: "
                f"workbook grade --out {out} --manual {path}"])
    w.writerow(SHEET_COLUMNS)
    for r in rows:
        w.writerow([_cell(c) for c in r])
    _write(path, buf.getvalue(), report, bom=True)
    page = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(path.stem)}</title>",
            "<style>body{font-family:sans-serif;max-width:60em;margin:auto}td{vertical-align:top;border-top:1px solid #ccc;padding:4px}"
            ".a{white-space:pre-wrap}</style>",
            f"<h1>{html.escape(bank.set_id)}: {html.escape(q.id)} ({q.points:g} points)</h1>",
            f"<p>{html.escape(q.prompt)}</p><h2>Rubric</h2><pre>{html.escape(q.rubric.strip())}</pre>",
            "<p>Score in the CSV sheet beside this page.</p><table><tr><th>Student</th><th>Words</th><th>Answer</th></tr>"]
    page += [f"<tr><td>{html.escape(str(r[3]))}<br><small>{html.escape(str(r[2]))}</small></td><td>{r[4]}</td>"
             f"<td class='a'>{html.escape(str(r[5]))}</td></tr>" for r in rows]
    _write(path.with_suffix(".html"), "\n".join(page) + "</table>\n", report)


# ---------------------------------------------------------------- manual scores

def _parse_number(raw: str) -> float | None:
    text = raw.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _parse_sheet(path: Path) -> tuple[list[dict], list[str]]:
    """Rows of a filled review sheet (with their spreadsheet row numbers) and problems found."""
    try:
        data = path.read_bytes()[:MAX_BYTES + 1]
    except OSError as exc:
        return [], [f"cannot be read ({exc.strerror or exc})"]
    if len(data) > MAX_BYTES:
        return [], ["too large to be a review sheet"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # saved by a spreadsheet as "CSV" in a Windows code page
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip('"').startswith("#")), "")
    delimiter = max(",;\t", key=first.count)
    entries, problems, header = [], [], None
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip().casefold() for c in row]
                missing = [c for c in ("set", "question", "student", "points") if c not in header]
                if missing:
                    return [], [f"not a review sheet (row {n} lacks the column(s) {', '.join(missing)})"]
                continue
            cell = dict(zip(header, (c.strip() for c in row)))
            entries.append({"row": n, "set": cell.get("set", ""), "question": cell.get("question", ""),
                            "student": _uncell(cell.get("student", "")), "raw_points": cell.get("points", ""),
                            "comment": _uncell(cell.get("comment", ""))})
    except csv.Error as exc:
        problems.append(f"is not a readable CSV file ({exc})")
    if header is None and not problems:
        problems.append("not a review sheet (no header row)")
    return entries, problems


def import_manual(sheets: Iterable[Path | str], *, out: Path | str = DEFAULT_OUT) -> Report:
    """Read filled review sheets into the gradebook; bad rows are reported by row, good rows kept."""
    out = Path(out)
    report = Report(out)
    gradebook = _open(out)
    banks = _Banks()
    touched: set[str] = set()
    try:
        for sheet in map(Path, sheets):
            entries, problems = _parse_sheet(sheet)
            report.problems += [(str(sheet), p) for p in problems]
            for e in entries:
                where = f"{sheet}, row {e['row']}"
                if not e["raw_points"]:
                    continue  # not scored yet
                try:
                    bank = banks.get(e["set"])
                    q = bank.question(e["question"])
                except (SubmissionError, KeyError):
                    report.problems.append((where, f"unknown exercise set or question ({e['set']}, {e['question']})"))
                    continue
                points = _parse_number(e["raw_points"])
                if not q.manual:
                    report.problems.append((where, f"{q.id} is scored automatically, not by hand"))
                elif points is None or not 0 <= points <= q.points:
                    report.problems.append((where, f"points {e['raw_points']!r} must be a number from 0 to {q.points:g}"))
                elif not gradebook.has_student(bank.set_id, e["student"]):
                    report.problems.append((where, f"no graded submission for student {e['student']!r} in {bank.set_id}"))
                else:
                    gradebook.save_manual(set_id=bank.set_id, student=e["student"], qid=q.id,
                                          points=points, comment=e["comment"])
                    report.imported += 1
                    touched.add(bank.set_id)
        _export(gradebook, out, banks, report, sets=touched)
    except GradebookError as exc:
        raise GradeError(str(exc)) from None
    finally:
        gradebook.close()
    return report


# ---------------------------------------------------------------- the command

def _run(args: argparse.Namespace) -> int:
    if not args.submissions and not args.manual:
        print("workbook grade: name the submissions (files, folders or zips) or --manual SHEET.", file=sys.stderr)
        return 2
    codes = []
    try:
        if args.submissions:
            report = grade_paths(args.submissions, set_id=args.set_id, out=args.out, progress=sys.stderr)
            print(report.summary())
            codes.append(report.exit_code)
        if args.manual:
            report = import_manual(args.manual, out=args.out)
            print(report.summary())
            codes.append(report.exit_code)
    except (GradeError, GradebookError) as exc:
        print(f"workbook grade: {exc}", file=sys.stderr)
        return 2
    return min(codes)


def add_parser(sub: Any) -> None:
    """Add ``workbook grade`` to the command's subparsers."""
    p = sub.add_parser(
        "grade", help="grade saved exercise notebooks (files, folders or zips) into a gradebook",
        description="Grade saved exercise notebooks without running them. Writes gradebook.sqlite, grades.csv, "
                    "review sheets for free-text questions and feedback per student to the output folder. "
                    "Exit code 0 if anything was graded, 1 if nothing was, 2 if grading could not start.")
    p.add_argument("submissions", nargs="*", type=Path, help="notebooks, folders of notebooks, or zip files")
    p.add_argument("--set", dest="set_id", metavar="NAME", help="the exercise set (default: each notebook's own)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: ./grading-output)")
    p.add_argument("--manual", nargs="+", type=Path, default=[], metavar="SHEET",
                   help="filled review sheets to read back into the gradebook")
    p.set_defaults(func=_run)
