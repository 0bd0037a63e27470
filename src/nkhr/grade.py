"""``workbook grade``: from a folder or zip of saved notebooks to a gradebook, a class report and an LMS upload.

Nothing in a submission is executed and no submission is written to: each notebook is read as
plain JSON (nbformat is imported only for the old formats 1–3), the recorded answer payloads (MIME
``application/vnd.nkhr.answer+json``) are picked out of its outputs, and only their ``answer`` is
trusted (a recorded ``"correct": true`` or ``"points"`` is ignored). Answers are scored with
:func:`nkhr.questions.score`, the same code as the self-check, against the plain key in
``solutions/<set>.toml``. No path or set id from a submission is used to open or write a file:
a set id is used only if it names a known set.

**Who is the student?** In this order:

1. an LMS download name, from the part of the name the LMS controls: a Moodle folder
   ``Jane Smith_123456_assignsubmission_file_`` (id 123456), else a Moodle file name, Canvas
   ``smithjane_12345_67890_x.ipynb`` (also ``_LATE_``; id 12345), Blackboard
   ``Assignment_jsmith_attempt_2026-11-20-10-00-00_x.ipynb`` (id jsmith);
2. else the name or ID the student recorded in the notebook (the ``_student`` box);
3. else the folder the notebook sits in (when the file keeps the exercise set's own name, as in a
   folder per student), else the file name without ``.ipynb``.

Ids are compared after Unicode normalisation and case-folding. **Two files for one student:** the
time inside a notebook is written by the student's computer, so it never decides. A later
Blackboard attempt wins, then a later place in the same LMS zip; otherwise neither file is graded
and both are reported, with what to do.

**Output** (``--out``, default ``./grading-output``), every file written whole or not at all:
``gradebook.sqlite``, ``grades.csv`` (one row per student: each question, ``total``, ``possible``,
``pending``), ``review-<set>-<qid>.csv`` and ``.html`` per free-text question,
``class-report.html`` and ``item-analysis.csv``; with ``--final``, ``feedback/<set>/<student>.txt``;
with ``--lms canvas|moodle|blackboard``, ``lms-<set>.csv``. The last two are written only when no
written answer is waiting for a score.

**Exit codes**: 0 if at least one notebook was graded (or one manual score imported, or an export
asked for was written), even when others had problems; 1 if nothing was; 2 if grading could not
start or an output could not be written (unknown ``--set``, output folder not writable, disk full).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import io
import json
import os
import re
import sys
import zipfile
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, TextIO

from .record import STUDENT_QID, recorded_payloads
from .bank import Bank, BankError, list_sets, load_bank
from .gradebook import Gradebook, GradebookError, Row
from .gradeio import OutputError, atomic_write, clean, say, student_key, unbroken
from .questions import Question, Score, answer_text, score, word_count

MAX_BYTES = 20 * 1024 * 1024  # a notebook (or a filled review sheet) larger than this is refused
MAX_DEPTH = 64  # an answer nested deeper than this is not read
ZIP_MAX_NOTEBOOKS = 5000  # notebooks read from one zip
ZIP_MAX_TOTAL = 2 * 1024 ** 3  # bytes a zip may expand to, all notebooks together
DEFAULT_OUT = Path("grading-output")
LMS_NAMES = ("canvas", "moodle", "blackboard")


class GradeError(Exception):
    """Grading cannot start or finish (unknown set, no key, an output that cannot be written)."""


class SubmissionError(Exception):
    """One submission cannot be graded; the message is the reason shown to the instructor."""


# ---------------------------------------------------------------- results

@dataclass
class Submission:
    """One graded notebook."""

    file: str
    set_id: str
    student: str  # the compared form of the id (see gradeio.student_key)
    name: str
    id_source: str
    answers: dict[str, Any]
    scores: dict[str, Score]
    sha256: str
    submitted_at: str | None = None
    late: bool = False
    attempt: float = 0.0  # an attempt time the LMS gives (Blackboard), else 0
    zip_order: tuple[str, int] | None = None  # (zip, place in it) when read from a zip

    @property
    def points(self) -> float:
        return sum(s.points for s in self.scores.values())


@dataclass
class Report:
    """What a run did: graded submissions, problems (not graded), notes, and what to do next."""

    out: Path
    graded: list[Submission] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # graded, for information
    attention: list[tuple[str, str]] = field(default_factory=list)  # graded, but look before you upload
    imported: int = 0  # manual scores read from review sheets
    rows_problems: bool = False  # problems are sheet rows, not submission files
    totals: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # (set, student) -> points, possible
    question_means: dict[str, dict[str, tuple[float | None, float]]] = field(default_factory=dict)  # set -> qid -> (mean, max)
    pending: dict[str, dict[str, int]] = field(default_factory=dict)  # set -> qid -> answers awaiting a score
    sheets: dict[str, list[Path]] = field(default_factory=dict)  # set -> review sheets written
    written: list[Path] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # outputs asked for but not written (pending scores)
    exported: bool = False

    @property
    def exit_code(self) -> int:
        return 0 if self.graded or self.imported or self.exported else 1

    def summary(self) -> str:
        """Plain-English summary for the terminal, ending with the next steps."""
        lines = []
        if self.graded:
            lines.append(f"Graded {len(self.graded)} submission(s).")
        if self.imported:
            lines.append(f"Imported {self.imported} manual score(s).")
        if self.problems:
            what = "rows were NOT imported" if self.rows_problems else "files were NOT graded"
            lines.append(f"\nProblems ({len(self.problems)}; these {what}):")
            lines += [f"  {f}: {why}" for f, why in self.problems]
        if self.attention:
            lines.append(f"\n*** Look at these before you upload ({len(self.attention)}) ***")
            lines += [f"  !! {f}: {why}" for f, why in self.attention]
        if self.notes:
            lines.append(f"\nNotes ({len(self.notes)}; graded, for information):")
            lines += [f"  {f}: {why}" for f, why in self.notes]
        for set_id in sorted(self.question_means):
            rows = [v for (s, _), v in self.totals.items() if s == set_id]
            if rows:
                possible = rows[0][1]
                mean = sum(p for p, _ in rows) / len(rows)
                pct = f" ({100 * mean / possible:.0f} %)" if possible else ""
                lines.append(f"\n{set_id}: {len(rows)} student(s), mean {mean:.2f} of {possible:g}{pct}"
                             + (" so far: written answers count once scored" if self.pending.get(set_id) else ""))
            for qid, (m, top) in self.question_means[set_id].items():
                waiting = self.pending.get(set_id, {}).get(qid)
                tail = f"  ({waiting} awaiting your score)" if waiting else (f"  ({100 * m / top:.0f} %)" if top and m is not None else "")
                figure = f"mean {m:.2f} of {top:g}" if m is not None else f"not scored yet, of {top:g}"
                lines.append(f"  {qid:<28} {figure}{tail}")
        if not (self.graded or self.imported or self.problems or self.exported):
            lines.append("No notebooks found.")
        lines.append(f"\nOutput: {self.out}")
        lines += self.next_steps()
        return "\n".join(lines)

    def next_steps(self) -> list[str]:
        """What the instructor does next, with the exact commands."""
        out = _quote(self.out)
        waiting = {s: sum(v.values()) for s, v in self.pending.items() if sum(v.values())}
        steps: list[str] = []  # a step's command goes on the next line, indented
        if waiting:
            sheets = [p for s in waiting for p in self.sheets.get(s, [])]
            steps.append(f"Score the written answers ({sum(waiting.values())} waiting): fill 'points' and "
                         "'comment' in " + ", ".join(p.name for p in sheets) + " (the .html beside each "
                         "shows the rubric), save as CSV, then run:\n"
                         f"       workbook grade --out {out} --manual " + " ".join(_quote(p) for p in sheets))
        if self.held_back:
            steps.append("Not written yet, because written answers are still unscored: "
                         + "; ".join(self.held_back) + ". Run the same command again once they are scored.")
        if self.graded or self.imported:
            steps.append(f"Read {_quote(self.out / 'class-report.html')} (score spread, item analysis, "
                         "questions that need a look).")
            if not waiting:
                steps.append("Then write the students' feedback and the LMS upload:\n"
                             f"       workbook grade --out {out} --final --lms canvas   (or moodle, blackboard)")
        return ["\nNext:"] + [f"  {n}. {s}" for n, s in enumerate(steps, start=1)] if steps else []


def _quote(path: Path | str) -> str:
    text = clean(path)
    return text if re.fullmatch(r"[\w./:@%+=,-]+", text) else "'" + text.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- reading submissions

@dataclass
class _Source:
    label: str  # what the instructor sees (cleaned)
    parts: tuple[str, ...]  # path inside the folder or zip given, ending with the file name
    parent: str  # the folder the file sits in (a Moodle folder name carries the student)
    read: Callable[[], bytes]
    zip_order: tuple[str, int] | None = None


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
    return _Source(clean(path), tuple(map(clean, parts)), clean(path.parent.name), _read_file(path))


def _zip_sources(path: Path, stack: ExitStack, problems: list[tuple[str, str]]) -> list[_Source]:
    """Notebooks inside a zip, read in memory (never extracted); size and count capped."""
    try:
        zf = stack.enter_context(zipfile.ZipFile(path))
        infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001 - zipfile raises anything on a crafted file (bad names: UnicodeDecodeError)
        problems.append((clean(path), f"not a readable zip file ({type(exc).__name__}: {clean(exc)})"))
        return []
    out: list[_Source] = []
    total = 0
    for info in infos:
        raw = info.orig_filename  # zipfile cuts a name at a NUL byte; the whole name is kept here
        parts = tuple(clean(p) for p in PurePosixPath(raw.replace("\\", "/")).parts
                      if p not in ("", ".", "..", "/") and not p.endswith(":"))  # labels only: nothing is extracted
        if raw.endswith("/") or any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        if not parts or "\x00" in raw:
            if raw.lower().endswith(".ipynb") or not parts:
                problems.append((f"{clean(path)}:{'/'.join(parts) or '(no name)'}",
                                 "a member whose name is empty or holds a NUL byte; not read"))
            continue
        label = f"{clean(path)}:{'/'.join(parts)}"
        if parts[-1].lower().endswith(".zip"):
            problems.append((label, "a zip inside a zip is not read; unzip the outer one first"))
            continue
        if not parts[-1].lower().endswith(".ipynb"):
            continue
        if len(out) >= ZIP_MAX_NOTEBOOKS:
            problems.append((clean(path), f"holds more than {ZIP_MAX_NOTEBOOKS} notebooks; only the first were read"))
            break
        if info.file_size > MAX_BYTES:
            problems.append((label, f"larger than {MAX_BYTES // 2**20} MB, too large to be a saved exercise notebook"))
            continue
        total += info.file_size
        if total > ZIP_MAX_TOTAL:
            problems.append((clean(path), "expands to more than 2 GB; the rest of it was not read"))
            break

        def read(info: zipfile.ZipInfo = info) -> bytes:
            declared = info.file_size
            try:
                with zf.open(info) as fh:
                    data = fh.read(declared + 1)  # the header's size may lie: read at most what it declares
            except Exception as exc:  # noqa: BLE001 - zipfile raises anything on a crafted member
                raise SubmissionError(f"cannot be read from the zip ({type(exc).__name__}: {clean(exc)})") from None
            if len(data) > declared:
                raise SubmissionError("its size in the zip's header is wrong (the zip is damaged or crafted)")
            return data
        out.append(_Source(label, parts, parts[-2] if len(parts) > 1 else "", read, (clean(path), len(out))))
    return out


def _sources(paths: Iterable[Path | str], stack: ExitStack, problems: list[tuple[str, str]]) -> list[_Source]:
    out: list[_Source] = []
    for p in map(Path, paths):
        if p.is_dir():
            for folder, dirs, files in os.walk(p):  # does not follow links to folders
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
                for name in sorted(files):
                    f = Path(folder) / name
                    low = name.lower()
                    if name.startswith(".") or not low.endswith((".ipynb", ".zip")):
                        continue
                    if f.is_symlink():
                        problems.append((clean(f), "a symbolic link; links in a submissions folder are not followed"))
                    elif not f.is_file():  # no pipes or devices
                        problems.append((clean(f), "not a regular file"))
                    elif low.endswith(".ipynb"):
                        out.append(_file_source(f, p))
                    else:
                        out += _zip_sources(f, stack, problems)
        elif p.is_file() and p.suffix.lower() == ".zip":
            out += _zip_sources(p, stack, problems)
        elif p.is_file():
            out.append(_file_source(p, None))
        else:
            problems.append((clean(p), "not a file or folder" if p.exists() else "no such file or folder"))
    return out


def _old_format(raw: dict) -> dict:
    """Convert an nbformat 1–3 notebook to version 4 (the only place nbformat is imported)."""
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.convert(nbformat.from_dict(raw), 4)
            return json.loads(json.dumps(nb))
    except Exception as exc:  # noqa: BLE001 - nbformat's converters raise anything on odd input
        raise SubmissionError(f"a notebook in an old format (v{raw['nbformat']}) that cannot be read "
                              f"({type(exc).__name__})") from None


def read_notebook(data: bytes) -> dict:
    """Parse notebook bytes without running anything; raise :class:`SubmissionError` with the reason.

    Returns the notebook as plain JSON (version 4 layout). Only the structure the grader reads is
    checked (a dict with ``nbformat`` and a list of ``cells``); the rest of the schema is not.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError("not a notebook (not a UTF-8 text file)") from None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise SubmissionError("not a notebook (JSON nested too deeply)") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"not a notebook (not valid JSON: {exc.msg}, line {exc.lineno})") from None
    except ValueError as exc:
        raise SubmissionError(f"not a notebook (not valid JSON: {clean(exc)})") from None
    if not isinstance(raw, dict) or isinstance(raw.get("nbformat"), bool) or not isinstance(raw.get("nbformat"), int) or not (
            isinstance(raw.get("cells"), list) or isinstance(raw.get("worksheets"), list)):
        raise SubmissionError("not a notebook (JSON, but without the 'nbformat' and 'cells' a notebook has)")
    if raw["nbformat"] < 4:
        raw = _old_format(raw)
    if not isinstance(raw.get("cells"), list):
        raise SubmissionError("not a notebook (no list of cells)")
    if not isinstance(raw.get("metadata"), dict):
        raw["metadata"] = {}
    return raw


class _TooDeep(Exception):
    pass


def _tidy(value: Any, depth: int = 0) -> Any:
    """An answer with lone surrogates replaced; :class:`_TooDeep` past ``MAX_DEPTH`` levels."""
    if isinstance(value, str):
        return unbroken(value)
    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(value, list):
        return [_tidy(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {unbroken(k): _tidy(v, depth + 1) for k, v in value.items()}
    return value


def _payloads(nb: Any) -> list[tuple[str, dict]]:
    """(question id, {"answer", "set", "submitted_at"}) for each recorded payload, in cell order.

    The notebook is walked by :func:`nkhr.record.recorded_payloads`, the same reader the exercise
    sets use to restore answers; here each field is cleaned for output.
    """
    found = []
    for p in recorded_payloads(nb):
        try:
            answer = _tidy(p["answer"])
        except (_TooDeep, RecursionError):
            answer = "(an answer nested too deeply to read)"
        found.append((unbroken(p["question"]), {
            "answer": answer,
            "set": unbroken(p["set"]) if isinstance(p.get("set"), str) else None,
            "submitted_at": unbroken(p["submitted_at"]) if isinstance(p.get("submitted_at"), str) else None,
        }))
    return found


def extract_answers(nb: Any, *, set_id: str | None = None) -> dict[str, dict]:
    """Recorded answers by question id: ``{"answer", "set", "submitted_at"}`` from each payload.

    Only those three keys are read (anything else in a payload, such as a forged ``"correct"``,
    is ignored). When a question appears several times, the last one in cell order wins. With
    ``set_id``, payloads that name another exercise set are skipped.
    """
    return {qid: p for qid, p in _payloads(nb) if set_id is None or p["set"] in (None, set_id)}


# ---------------------------------------------------------------- who is the student

_CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<id>\d+)_\d+_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?:file|onlinetext)_?(?P<file>.*)$")
_BLACKBOARD = re.compile(r"^(?P<assignment>.+?)_(?P<id>[^_\s]+)_attempt_(?P<ts>\d{4}(?:-\d\d){5})(?:_(?P<file>.*))?$")


@dataclass
class Identity:
    """Who submitted a notebook, and how we know."""

    student: str  # the id as given (LMS id, recorded id, or file/folder name)
    name: str
    source: str
    time: float = 0.0  # an attempt time in the file name (Blackboard), else 0
    late: bool = False
    conflict: str = ""


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", student_key(text))


def _agrees(recorded: str, *candidates: str) -> bool:
    """Does a recorded name fit the LMS's? Words with digits (student numbers) are left out."""
    cands = [c for c in map(_norm, candidates) if c]
    whole = _norm(recorded)
    if any(c in whole for c in cands):
        return True
    words = [w for w in map(_norm, re.split(r"[\s,;/()]+", recorded)) if len(w) >= 2]
    names = [w for w in words if not any(ch.isdigit() for ch in w)]
    if names:
        return all(any(w in c for c in cands) for w in names)
    return True  # only a number: the LMS's number is not the student number, so nothing to compare


_KNOWN_SETS: list[str] | None = None


def _known_sets() -> list[str]:
    global _KNOWN_SETS
    if _KNOWN_SETS is None:
        _KNOWN_SETS = list_sets()
    return _KNOWN_SETS


def identify(parts: tuple[str, ...], *, parent: str = "", recorded: str | None = None) -> Identity:
    """Identify the student from the file's path (LMS patterns) and the recorded name/ID."""
    fname = parts[-1] if parts else ""
    stem = fname[:-6] if fname.lower().endswith(".ipynb") else fname
    ident = None
    if m := _MOODLE.match(parent) or _MOODLE.match(fname):  # the LMS's folder first: the file name is the student's
        ident = Identity(m["id"], m["name"], "Moodle file name")
    elif m := _CANVAS.match(fname):
        ident = Identity(m["id"], m["name"], "Canvas file name", late=bool(m["late"]))
    elif m := _BLACKBOARD.match(fname):
        try:
            t = datetime.strptime(m["ts"], "%Y-%m-%d-%H-%M-%S").timestamp()
        except (ValueError, OverflowError):
            t = 0.0
        ident = Identity(m["id"], m["id"], "Blackboard file name", time=t)
    if ident:
        if recorded and not _agrees(recorded, ident.student, ident.name):
            ident.conflict = (f"the file name says {ident.name} ({ident.student}) but the notebook records "
                              f"{recorded!r}; graded as {ident.student}")
        return ident
    if recorded:
        return Identity(recorded, recorded, "name/ID recorded in the notebook")
    generic = stem.casefold().startswith(("untitled", "submission")) or any(s in stem for s in _known_sets())
    if len(parts) > 1 and generic:
        return Identity(parts[-2], parts[-2], "folder name")
    return Identity(stem, stem, "file name")


# ---------------------------------------------------------------- grading one notebook

def _frozen(answer: Any) -> Any:
    """A hashable stand-in for an auto-scored answer (None when it has no cheap one)."""
    if isinstance(answer, str) or answer is None:
        return answer
    if isinstance(answer, list) and all(isinstance(a, str) for a in answer):
        return ("list",) + tuple(answer)
    if isinstance(answer, dict) and all(isinstance(v, str) for v in answer.values()):
        return ("dict",) + tuple(answer.items())
    if isinstance(answer, int) and not isinstance(answer, bool):
        return ("int", answer)
    return None


# answers repeat across a class: each distinct answer is scored once. The entry holds its bank, so the
# bank's id cannot be reused by another bank while the entry exists.
_SCORES: dict[tuple[int, str, Any], tuple[Bank, Score]] = {}


def _score(q: Question, answer: Any, bank: Bank) -> Score:
    if not q.manual and (frozen := _frozen(answer)) is not None:
        key = (id(bank), q.id, frozen)
        hit = _SCORES.get(key)
        if hit is None or hit[0] is not bank:
            if len(_SCORES) > 200_000:
                _SCORES.clear()
            hit = _SCORES[key] = (bank, _score_now(q, answer, bank))
        return hit[1]
    return _score_now(q, answer, bank)


def _score_now(q: Question, answer: Any, bank: Bank) -> Score:
    if q.manual and isinstance(answer, str) and answer.strip():
        # any written answer goes to the instructor, too short or too long included (the sheet flags it)
        return Score(0.0, q.points, "manual", "Scored by your instructor against the rubric.")
    try:
        return score(q, answer, bank.key)
    except (TypeError, ValueError, OverflowError, AttributeError, RecursionError) as exc:  # an answer the checks let through
        return Score(0.0, q.points, "incorrect", f"This answer could not be read ({type(exc).__name__}).")


def grade_notebook(nb: Any, *, bank: Bank, payloads: list[tuple[str, dict]] | None = None
                   ) -> tuple[dict[str, Any], dict[str, Score], list[str]]:
    """Score one parsed notebook against ``bank``: (answers, scores, notes). Never raises on bad answers."""
    notes = []
    payloads = _payloads(nb) if payloads is None else payloads
    foreign = sorted({p["set"] for _, p in payloads if p["set"] and p["set"] != bank.set_id})
    if foreign:
        notes.append(f"ignored answers recorded for another exercise set ({', '.join(map(clean, foreign[:5]))})")
    ours = [(qid, p) for qid, p in payloads if p["set"] in (None, bank.set_id)]
    found = dict(ours)
    qids = {q.id for q in bank.questions}
    unknown = sorted(set(found) - qids - {STUDENT_QID})
    if unknown:
        notes.append(f"ignored answers to questions this set does not have: {', '.join(map(clean, unknown[:5]))}")
    twice = Counter(qid for qid, _ in ours if qid in qids)
    for qid, n in sorted(twice.items()):
        if n > 1:
            notes.append(f"{qid} was answered {n} times in this notebook; the last one in the notebook "
                         "(lowest on the page) was graded")
    answers = {q.id: found[q.id]["answer"] for q in bank.questions if q.id in found}
    scores = {q.id: _score(q, answers.get(q.id), bank) for q in bank.questions}
    if not answers:
        notes.append("no answers recorded, so every question scores 0 (was the notebook saved after Submit?)")
    bad = [f"{qid} ({s.detail})" for qid, s in scores.items()
           if qid in answers and s.status in ("incorrect", "unanswered") and s.detail and not bank.question(qid).manual]
    if bad:
        notes.append("answer(s) that do not fit their question, scored 0: " + "; ".join(bad))
    return answers, scores, notes


def _recorded_id(found: dict[str, dict]) -> str | None:
    value = found.get(STUDENT_QID, {}).get("answer")
    if isinstance(value, str) and value.strip():
        return clean(" ".join(value.split())[:100]) or None
    return None


class _Banks:
    def __init__(self) -> None:
        self.cache: dict[str, Bank | str] = {}

    def get(self, set_id: str) -> Bank:
        if set_id not in self.cache:
            if set_id not in _known_sets():  # never a path from a submission
                self.cache[set_id] = "this workbook has no such set"
            else:
                try:
                    self.cache[set_id] = load_bank(set_id)
                except (BankError, FileNotFoundError) as exc:
                    self.cache[set_id] = str(exc)
        bank = self.cache[set_id]
        if isinstance(bank, str):
            raise SubmissionError(f"no answer key for exercise set {clean(set_id)!r}: {bank}")
        return bank


def _grade_source(src: _Source, *, set_id: str | None, banks: _Banks, notes: list[tuple[str, str]]) -> Submission:
    data = src.read()
    nb = read_notebook(data)
    meta = nb["metadata"].get("nkhr")
    meta_set = unbroken(meta["set"]) if isinstance(meta, dict) and isinstance(meta.get("set"), str) else None
    payloads = _payloads(nb)
    payload_sets = Counter(p["set"] for q, p in payloads if p["set"] and q != STUDENT_QID)
    target = set_id or meta_set or (payload_sets.most_common(1)[0][0] if payload_sets else None)
    if target is None or not (meta_set or payload_sets):
        raise SubmissionError("not a workbook exercise notebook (it names no exercise set and records no answers)")
    if meta_set and meta_set != target:
        raise SubmissionError(f"a notebook for exercise set {clean(meta_set)!r}, not {target!r}")
    if not meta_set and payload_sets and target not in payload_sets:
        raise SubmissionError(f"its answers are for exercise set {', '.join(sorted(map(clean, payload_sets)))[:200]}, "
                              f"not {target!r}")
    bank = banks.get(target)
    answers, scores, more = grade_notebook(nb, bank=bank, payloads=payloads)
    found = {qid: p for qid, p in payloads if p["set"] in (None, target)}
    ident = identify(src.parts, parent=src.parent, recorded=_recorded_id(found))
    notes += [(src.label, n) for n in more]
    if ident.conflict:
        notes.append((src.label, ident.conflict))
    if ident.late:
        notes.append((src.label, "marked LATE by Canvas"))
    stamps = sorted(p["submitted_at"] for p in found.values() if p["submitted_at"])
    return Submission(src.label, target, student_key(ident.student) or "(no id)", clean(ident.name), ident.source,
                      answers, scores, hashlib.sha256(data).hexdigest(), stamps[-1][:40] if stamps else None,
                      ident.late, ident.time, src.zip_order)


def _progress(done: int, total: int, stream: TextIO) -> None:
    """'Grading n/N' about every tenth of a large batch (every 1,000 at most), and at the end."""
    if total < 20:
        return
    step = min(1000, max(1, total // 10))
    if done == total or done % step == 0:
        say(f"Grading {done}/{total}", stream)


def _choose(group: list[Submission]) -> tuple[Submission | None, str]:
    """Which of several files for one student counts, by what the LMS gives; None if it gives nothing."""
    if len({s.sha256 for s in group}) == 1:
        return group[-1], "the same file twice"
    if all(s.attempt for s in group) and len({s.attempt for s in group}) == len(group):
        return max(group, key=lambda s: s.attempt), "a later attempt by the LMS's attempt time"
    zips = {s.zip_order[0] if s.zip_order else None for s in group}
    if len(zips) == 1 and None not in zips:
        return max(group, key=lambda s: s.zip_order[1]), "later in the LMS's zip"
    return None, ""


def _resolve(subs: list[Submission], report: Report, out: Path) -> list[Submission]:
    groups: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for s in subs:
        groups[(s.set_id, s.student)].append(s)
    chosen = []
    for (set_id, student), group in groups.items():
        if len(group) == 1:
            chosen.append(group[0])
            continue
        keep, why = _choose(group)
        if keep is not None:
            chosen.append(keep)
            report.problems += [(s.file, f"another file for student {student} counts ({keep.file}: {why}); "
                                         "this one was not graded") for s in group if s is not keep]
            continue
        files = ", ".join(s.file for s in group)
        for s in group:
            report.problems.append((s.file, f"{len(group)} files for student {student} in {set_id} ({files}), and the "
                                            "LMS gives no order (the time inside a notebook is set by the student's "
                                            "computer, so it does not decide). None was graded: choose the one that "
                                            f"counts and grade it alone: workbook grade FILE --out {_quote(out)}"))
    return chosen


def _look_twice(subs: list[Submission], banks: _Banks, report: Report, sets_given: bool) -> None:
    """Notes that stand out: the same work under two names, a set handed in to the wrong assignment."""
    by_hash: dict[str, list[Submission]] = defaultdict(list)
    for s in subs:
        by_hash[s.sha256].append(s)
    for group in by_hash.values():
        if len({s.student for s in group}) > 1:
            report.attention.append((group[0].file, "the same file was handed in as " + ", ".join(
                f"{s.student} ({s.file})" for s in group)))
    texts: dict[tuple[str, str, str], list[Submission]] = defaultdict(list)
    for s in subs:
        bank = banks.get(s.set_id)
        for q in bank.questions:
            a = s.answers.get(q.id)
            if q.manual and isinstance(a, str) and word_count(a) >= 10:
                texts[(s.set_id, q.id, " ".join(a.casefold().split()))].append(s)
    for (set_id, qid, _), group in texts.items():
        if len({s.student for s in group}) > 1 and len({s.sha256 for s in group}) > 1:
            report.attention.append((group[0].file, f"identical written answers to {qid} from " + ", ".join(
                f"{s.student} ({s.file})" for s in group)))
    if not sets_given:
        counts = Counter(s.set_id for s in subs)
        if len(counts) > 1 and len(subs) >= 3:
            main_set, n = counts.most_common(1)[0]
            if n > len(subs) / 2:
                for s in subs:
                    if s.set_id != main_set:
                        report.attention.append((s.file, f"a notebook for {s.set_id} among {n} notebooks for "
                                                         f"{main_set}: handed in to the wrong assignment? (graded "
                                                         f"as {s.set_id}; use --set {main_set} to refuse it)"))


PARALLEL_MIN = 2000  # from this many notebook files on, a second process grades half of them


def _grade_one(src: _Source, set_id: str | None, banks: _Banks) -> tuple[Submission | None, str, list]:
    notes: list[tuple[str, str]] = []
    try:
        return _grade_source(src, set_id=set_id, banks=banks, notes=notes), "", notes
    except SubmissionError as exc:
        return None, str(exc), notes


def _child(sources: list[_Source], mine: list[int], set_id: str | None, banks: _Banks, conn: Any) -> None:
    """The second process: grade ``mine`` and send the results back in one message."""
    try:
        conn.send([(i, *_grade_one(sources[i], set_id, banks)) for i in mine])
    finally:
        conn.close()


def _fork_context() -> Any:
    if (os.cpu_count() or 1) < 2:
        return None
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")  # not on Windows: there, one process does it all
    except ValueError:
        return None


def _grade_all(sources: list[_Source], set_id: str | None, banks: _Banks, report: Report,
               progress: TextIO | None) -> list[Submission]:
    """Grade every source, in order; with many plain files, both cores share the work."""
    results: dict[int, tuple[Submission | None, str, list]] = {}
    files = [i for i, s in enumerate(sources) if s.zip_order is None]  # zip readers cannot be shared
    ctx = _fork_context() if len(files) >= PARALLEL_MIN else None
    theirs: list[int] = files[len(files) // 2:] if ctx else []
    child = conn = None
    if theirs:
        try:
            conn, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child, args=(sources, theirs, set_id, banks, send), daemon=True)
            child.start()
            send.close()
        except OSError:
            theirs, child = [], None
    skip = set(theirs)
    mine = [i for i in range(len(sources)) if i not in skip]
    for n, i in enumerate(mine, start=1):
        results[i] = _grade_one(sources[i], set_id, banks)
        if progress is not None:
            _progress(n * len(sources) // len(mine), len(sources), progress)
    if child is not None:
        try:
            for i, *result in conn.recv():
                results[i] = tuple(result)
        except (EOFError, OSError):
            pass  # the second process failed: grade its share here
        child.join()
        for i in theirs:
            if i not in results:
                results[i] = _grade_one(sources[i], set_id, banks)
    subs = []
    for i in range(len(sources)):
        sub, problem, notes = results[i]
        report.notes += notes
        if sub is None:
            report.problems.append((sources[i].label, problem))
        else:
            subs.append(sub)
    return subs


def grade_paths(paths: Iterable[Path | str], *, set_id: str | None = None, out: Path | str = DEFAULT_OUT,
                progress: TextIO | None = None, final: bool = False, lms: str | None = None,
                anonymous: bool = False) -> Report:
    """Grade every notebook in ``paths`` (files, folders, zips) and write the gradebook and reports to ``out``.

    ``set_id`` forces the exercise set (notebooks of another set are reported); by default each
    notebook's own set is used. ``final`` writes feedback files and ``lms`` the LMS upload, both
    only when no written answer awaits a score. Raises :class:`GradeError` only when grading
    cannot start or an output cannot be written.
    """
    out = Path(out)
    banks = _Banks()
    if set_id is not None:
        if set_id not in _known_sets():
            raise GradeError(f"No exercise set {set_id!r}. Known sets: {', '.join(_known_sets()) or 'none'}.")
        try:
            banks.get(set_id)
        except SubmissionError as exc:
            raise GradeError(str(exc)) from None
    report = Report(out)
    gradebook = _open(out)
    try:
        with ExitStack() as stack:
            sources = _sources(paths, stack, report.problems)
            subs = _grade_all(sources, set_id, banks, report, progress)
        report.graded = _resolve(subs, report, out)
        _look_twice(report.graded, banks, report, set_id is not None)
        rows = [{"set_id": sub.set_id, "student": sub.student, "name": sub.name, "file": sub.file,
                 "sha256": sub.sha256, "submitted_at": sub.submitted_at, "id_source": sub.id_source, "late": sub.late,
                 "scores": {qid: (sub.answers.get(qid), s.points, s.possible, s.status, s.detail)
                            for qid, s in sub.scores.items()}} for sub in report.graded]
        for n, qid in gradebook.save_submissions(rows):
            report.attention.append((report.graded[n].file, f"the answer to {qid} changed since it was scored by "
                                                             "hand; the manual score was kept, check it in the review "
                                                             "sheet"))
        gradebook.commit()
        fresh: dict[str, dict[str, dict[str, Row]]] = defaultdict(dict)
        for sub in report.graded:
            fresh[sub.set_id][sub.student] = {qid: Row(None, s.points, s.possible, s.status, s.detail,
                                                       answer=sub.answers.get(qid)) for qid, s in sub.scores.items()}
        _export(gradebook, out, banks, report, sets={s.set_id for s in report.graded}, final=final, lms=lms,
                anonymous=anonymous, fresh=fresh)
    except (GradebookError, OutputError) as exc:
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
    """A spreadsheet cell that is never read as a formula, with control characters removed."""
    text = clean(text) if not isinstance(text, (int, float)) else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _long_cell(text: str) -> str:
    """An answer cell: line breaks kept (the CSV quotes them), never a formula."""
    text = "\n".join(clean(line) for line in unbroken(text).replace("\r\n", "\n").split("\n"))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _uncell(text: str) -> str:
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def _safe_name(text: str) -> str:
    safe = re.sub(r"[^\w.-]+", "_", text, flags=re.ASCII).strip("._")[:80] or "student"
    return safe if safe == text else f"{safe}-{hashlib.sha1(text.encode('utf-8', 'replace')).hexdigest()[:6]}"


def _effective(row: dict | None, q: Question) -> tuple[float | None, str]:
    """Points that count (None: a written answer not yet scored) and a status word."""
    if row is None:
        return 0.0, "unanswered"
    if q.manual:
        if row["manual"] is not None:
            return row["manual"], "scored by hand"
        return (None, "awaiting review") if row["status"] == "manual" else (0.0, row["status"])
    return row["points"], row["status"]


def word_flag(q: Question, answer: Any, words: int | None = None) -> str:
    """'below the 60-word minimum' / 'above the 200-word maximum' for a written answer, else ''."""
    if not q.manual or not isinstance(answer, str) or not answer.strip():
        return ""
    words = word_count(answer) if words is None else words
    if q.min_words and words < q.min_words:
        return f"below the {q.min_words}-word minimum"
    if q.max_words and words > q.max_words:
        return f"above the {q.max_words}-word maximum"
    return ""


@dataclass
class SetData:
    """Everything the outputs need about one set, read from the gradebook once."""

    bank: Bank
    roster: list[dict]
    answers: dict[str, dict[str, Any]]
    points: dict[str, list[float | None]] = field(default_factory=dict)  # student -> points per question

    def __post_init__(self) -> None:
        qs = self.bank.questions
        for r in self.roster:
            rows = self.answers.get(r["student"], {})
            self.points[r["student"]] = [_effective(rows.get(q.id), q)[0] for q in qs]

    def effective(self, student: str, q: Question) -> tuple[float | None, str]:
        return _effective(self.answers.get(student, {}).get(q.id), q)

    def pending(self, student: str) -> int:
        return sum(1 for p in self.points.get(student, ()) if p is None)

    def total(self, student: str) -> float:
        return sum(p for p in self.points.get(student, ()) if p is not None)


def _export(gb: Gradebook, out: Path, banks: _Banks, report: Report, *, sets: set[str], final: bool = False,
            lms: str | None = None, anonymous: bool = False, fresh: dict | None = None) -> None:
    from .report import write_class_report

    data: list[SetData] = []
    for s in gb.sets():
        try:
            bank = banks.get(s)
        except SubmissionError as exc:
            report.notes.append((str(out / "grades.csv"), f"set {s} left out: {exc}"))
            continue
        data.append(SetData(bank, gb.roster(s), gb.all_answers(s, (fresh or {}).get(s))))
    _grades_csv(out, data, report, sets)
    secret = gb.secret() if anonymous else ""
    for d in data:
        if d.bank.set_id in sets:
            for q in d.bank.questions:
                if q.manual:
                    _review_sheet(out, d, q, report, secret)
    report.written.append(write_class_report(out, [d for d in data if d.bank.set_id in sets] or data))
    for d in data:
        if d.bank.set_id not in sets and not (final or lms):
            continue
        waiting = sum(d.pending(r["student"]) for r in d.roster)
        if final:
            if waiting:
                report.held_back.append(f"feedback for {d.bank.set_id} ({waiting} written answer(s) unscored)")
            else:
                for r in d.roster:
                    path = out / "feedback" / d.bank.set_id / f"{_safe_name(r['student'])}.txt"
                    atomic_write(path, feedback_text(bank=d.bank, student=r["student"], name=r["name"],
                                                     file=r["file"], answers=d.answers.get(r["student"], {})))
                report.written.append(out / "feedback" / d.bank.set_id)
                report.exported = True
        if lms:
            from .lms import write_lms

            if waiting:
                report.held_back.append(f"the {lms} upload for {d.bank.set_id} ({waiting} written answer(s) unscored)")
            else:
                path, missing = write_lms(out, lms, d)
                report.written.append(path)
                report.exported = True
                if missing:
                    report.attention.append((str(path), f"{len(missing)} student(s) are not in it (their id did not "
                                                        f"come from a {lms} download): " + ", ".join(missing[:10])))


def _grades_csv(out: Path, data: list[SetData], report: Report, sets: set[str]) -> None:
    prefix = len(data) > 1
    header = ["student", "name"]
    for d in data:
        p = f"{d.bank.set_id}:" if prefix else ""
        header += [p + q.id for q in d.bank.questions] + [p + "total", p + "possible", p + "pending"]
    rows: dict[str, list] = {}
    at = 2
    for d in data:
        bank = d.bank
        sums: dict[str, list[float]] = {q.id: [] for q in bank.questions}
        waiting = {q.id: 0 for q in bank.questions if q.manual}
        for r in d.roster:
            student = r["student"]
            row = rows.setdefault(student, [_cell(student), _cell(r["name"])] + [""] * (len(header) - 2))
            cells, total, pending = [], 0.0, 0
            for q, pts in zip(bank.questions, d.points[student]):
                cells.append("" if pts is None else f"{pts:g}")
                total += pts or 0.0
                if pts is None:
                    pending += 1
                    waiting[q.id] += 1
                else:
                    sums[q.id].append(pts)
            row[at:at + len(cells) + 3] = cells + [f"{total:g}", f"{bank.possible:g}", str(pending)]
            if bank.set_id in sets:
                report.totals[(bank.set_id, student)] = (total, bank.possible)
        if bank.set_id in sets:
            report.question_means[bank.set_id] = {q.id: (sum(sums[q.id]) / len(sums[q.id]) if sums[q.id] else None,
                                                         q.points) for q in bank.questions}
            report.pending[bank.set_id] = {k: v for k, v in waiting.items() if v}
        at += len(bank.questions) + 3
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows.values())
    atomic_write(out / "grades.csv", buf.getvalue(), bom=True)
    report.written.append(out / "grades.csv")


def feedback_text(*, bank: Bank, student: str, name: str, file: str, answers: dict[str, dict]) -> str:
    """One student's feedback as plain text (pastes cleanly into an LMS comment box).

    Each question, the student's full answer exactly as written (Markdown or HTML in it stays
    text), points, status and the key's explanation or the rubric and the instructor's comment.
    """
    total = sum(_effective(answers.get(q.id), q)[0] or 0.0 for q in bank.questions)
    rule = "-" * 60
    lines = [bank.title, "=" * min(len(bank.title), 60), "", f"Student: {clean(name)} ({clean(student)})",
             f"File: {clean(Path(file).name)}", f"Total: {total:g} of {bank.possible:g}", ""]
    for n, q in enumerate(bank.questions, start=1):
        row = answers.get(q.id)
        pts, status = _effective(row, q)
        if row and row["answer"] is not None:
            shown = unbroken(row["answer"]) if isinstance(row["answer"], str) else answer_text(q, row["answer"])
        else:
            shown = "(no answer)"
        lines += [rule, f"{n}. {q.id}: {'not yet scored' if pts is None else f'{pts:g}'} of {q.points:g} ({status})",
                  "", _plain(q.prompt), "", "Your answer:", shown.strip(), ""]
        if q.manual:
            if flag := word_flag(q, row["answer"] if row else None):
                lines += [f"(Your answer is {flag}.)", ""]
            lines += ["Rubric:", _plain(q.rubric), ""]
            if row and row["comment"]:
                lines += [f"Instructor's comment: {row['comment']}", ""]
        else:
            if row and row["detail"]:
                lines += [row["detail"], ""]
            if bank.solutions.get(q.id, {}).get("explanation"):
                lines += ["Explanation: " + _plain(bank.solutions[q.id]["explanation"]), ""]
    return "\n".join(lines)


def _plain(markdown: str) -> str:
    """Markdown from the question bank as plain text: emphasis marks and backticks dropped."""
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m[1] or m[2], markdown.strip())
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text.replace("`", ""))


# ---------------------------------------------------------------- review sheets

SHEET_COLUMNS = ["set", "question", "student", "name", "words", "flag", "answer", "points", "comment"]


def anon_code(secret: str, set_id: str, qid: str, student: str) -> str:
    """The code that stands for a student on an anonymous review sheet (stable; opaque without the gradebook)."""
    return "anon-" + hmac.new(secret.encode(), f"{set_id}|{qid}|{student}".encode("utf-8", "replace"),
                              hashlib.sha256).hexdigest()[:10]


def _review_sheet(out: Path, d: SetData, q: Question, report: Report, secret: str) -> None:
    bank = d.bank
    path = out / f"review-{bank.set_id}-{q.id}.csv"
    rows = []
    for r in d.roster:
        row = d.answers.get(r["student"], {}).get(q.id)
        answer = row["answer"] if row else None
        text = answer if isinstance(answer, str) else ("(no answer)" if answer is None else json.dumps(answer))
        manual = "" if not row or row["manual"] is None else f"{row['manual']:g}"
        who, name = (anon_code(secret, bank.set_id, q.id, r["student"]), "") if secret else (r["student"], r["name"])
        words = word_count(text) if isinstance(answer, str) else 0
        rows.append([bank.set_id, q.id, who, name, words, word_flag(q, answer, words), text, manual,
                     row["comment"] if row else ""])
    if secret:
        rows.sort(key=lambda r: r[2])  # the codes are random-looking: a shuffled order
    if path.exists():
        _keep_unimported(path, rows, report)
    report.sheets.setdefault(bank.set_id, []).append(path)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([f"# Review sheet: {bank.set_id}, question {q.id} ({q.points:g} points)"])
    w.writerow(["# Question: " + " ".join(q.prompt.split())])
    w.writerow(["# Rubric:"])
    for line in q.rubric.strip().splitlines():
        w.writerow(["#   " + line.strip()])
    w.writerow([f"# Fill in 'points' (0 to {q.points:g}) and 'comment', save as CSV, then run: "
                f"workbook grade --out {_quote(out)} --manual {_quote(path)}"])
    w.writerow(SHEET_COLUMNS)
    for r in rows:
        w.writerow([_cell(c) for c in r[:6]] + [_long_cell(r[6]), _cell(r[7]), _long_cell(r[8])])
    atomic_write(path, buf.getvalue(), bom=True)
    from .report import review_page

    atomic_write(path.with_suffix(".html"), review_page(bank, q, rows, path.name))


def _keep_unimported(path: Path, rows: list[list], report: Report) -> None:
    """A sheet the instructor filled is never lost: its unimported scores move into the new sheet, and
    the old file is kept beside it."""
    entries, _ = _parse_sheet(path)
    mine = {student_key(r[2]): r for r in rows}
    carried = 0
    for e in entries:
        r = mine.get(student_key(e["student"]))
        if r is None or not (e["raw_points"] or e["comment"]):
            if e["raw_points"] and r is None:
                carried = -10 ** 9  # a scored row for a student no longer on the sheet: keep the file
            continue
        same_points = _parse_number(e["raw_points"] or "x") == _parse_number(r[7] or "y") or e["raw_points"] == r[7]
        if not same_points or e["comment"] != r[8]:
            r[7], r[8] = e["raw_points"] or r[7], e["comment"] or r[8]
            carried += 1
    if carried:
        backup = path.with_name(f"{path.stem}.{datetime.now():%Y%m%d-%H%M%S}.bak.csv")
        n = 1
        while backup.exists():
            backup = path.with_name(f"{path.stem}.{datetime.now():%Y%m%d-%H%M%S}-{n}.bak.csv")
            n += 1
        try:
            os.replace(path, backup)
        except OSError as exc:
            raise OutputError(f"{clean(path)} has scores not yet imported and could not be set aside "
                              f"({exc.strerror or exc}); import it first with --manual") from None
        report.attention.append((clean(path), "had scores not yet imported: they were copied into the new sheet "
                                              f"and the old file was kept as {backup.name}"))


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
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
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
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_BYTES)  # an answer of any length round-trips
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
    finally:
        csv.field_size_limit(old_limit)
    if header is None and not problems:
        problems.append("not a review sheet (no header row)")
    return entries, problems


def import_manual(sheets: Iterable[Path | str], *, out: Path | str = DEFAULT_OUT, final: bool = False,
                  lms: str | None = None) -> Report:
    """Read filled review sheets into the gradebook; bad rows are reported by row, good rows kept.

    Two scored rows for one student and question (in one sheet or across sheets) that disagree
    are both reported and neither is imported.
    """
    out = Path(out)
    report = Report(out, rows_problems=True)
    gradebook = _open(out)
    banks = _Banks()
    touched: set[str] = set()
    try:
        codes: dict[tuple[str, str], dict[str, str]] = {}
        chosen: dict[tuple[str, str, str], list[tuple[str, float, str]]] = defaultdict(list)
        for sheet in map(Path, sheets):
            entries, problems = _parse_sheet(sheet)
            report.problems += [(clean(sheet), p) for p in problems]
            for e in entries:
                where = f"{clean(sheet)}, row {e['row']}"
                if not e["raw_points"]:
                    continue  # not scored yet
                try:
                    bank = banks.get(e["set"])
                    q = bank.question(e["question"])
                except (SubmissionError, KeyError):
                    report.problems.append((where, f"unknown exercise set or question ({clean(e['set'])}, "
                                                   f"{clean(e['question'])})"))
                    continue
                points = _parse_number(e["raw_points"])
                student = student_key(e["student"])
                if student.startswith("anon-"):
                    if (bank.set_id, q.id) not in codes:
                        secret = gradebook.secret()
                        codes[(bank.set_id, q.id)] = {anon_code(secret, bank.set_id, q.id, r["student"]): r["student"]
                                                      for r in gradebook.roster(bank.set_id)}
                    student = codes[(bank.set_id, q.id)].get(student, student)
                if not q.manual:
                    report.problems.append((where, f"{q.id} is scored automatically, not by hand"))
                elif points is None or not 0 <= points <= q.points:
                    report.problems.append((where, f"points {clean(e['raw_points'])!r} must be a number from 0 "
                                                   f"to {q.points:g}"))
                elif not gradebook.has_student(bank.set_id, student):
                    report.problems.append((where, f"no graded submission for student {clean(e['student'])!r} "
                                                   f"in {bank.set_id}"))
                else:
                    chosen[(bank.set_id, student, q.id)].append((where, points, e["comment"]))
        for (set_id, student, qid), rows in chosen.items():
            if len({(p, c) for _, p, c in rows}) > 1:
                report.problems += [(where, f"{len(rows)} rows score student {student} on {qid} differently; "
                                            "none was imported, keep one row and import again")
                                    for where, _, _ in rows]
                continue
            _, points, comment = rows[-1]
            gradebook.save_manual(set_id=set_id, student=student, qid=qid, points=points, comment=comment)
            report.imported += 1
            touched.add(set_id)
        _export(gradebook, out, banks, report, sets=touched or set(gradebook.sets()), final=final, lms=lms)
    except (GradebookError, OutputError) as exc:
        raise GradeError(str(exc)) from None
    finally:
        gradebook.close()
    return report


def export_only(*, out: Path | str = DEFAULT_OUT, final: bool = False, lms: str | None = None,
                anonymous: bool = False) -> Report:
    """Rewrite the outputs from the gradebook alone (e.g. ``--final`` or ``--lms`` after manual scoring)."""
    out = Path(out)
    if not (out / "gradebook.sqlite").is_file():
        raise GradeError(f"No gradebook in {out}: grade the submissions first (workbook grade FOLDER --out {out}).")
    report = Report(out)
    gradebook = _open(out)
    try:
        _export(gradebook, out, _Banks(), report, sets=set(gradebook.sets()), final=final, lms=lms,
                anonymous=anonymous)
    except (GradebookError, OutputError) as exc:
        raise GradeError(str(exc)) from None
    finally:
        gradebook.close()
    if not report.exported and not report.held_back:
        report.exported = True  # the reports themselves were rewritten
    return report


# ---------------------------------------------------------------- the command

def _run(args: argparse.Namespace) -> int:
    if not args.submissions and not args.manual and not (args.final or args.lms or args.anonymous):
        say("workbook grade: name the submissions (files, folders or zips), or --manual SHEET, "
            "or --final / --lms to write the outputs from the gradebook.", sys.stderr)
        return 2
    codes = []
    try:
        if args.submissions:
            report = grade_paths(args.submissions, set_id=args.set_id, out=args.out, progress=sys.stderr,
                                 final=args.final and not args.manual, lms=None if args.manual else args.lms,
                                 anonymous=args.anonymous)
            say(report.summary())
            codes.append(report.exit_code)
        if args.manual:
            report = import_manual(args.manual, out=args.out, final=args.final, lms=args.lms)
            say(report.summary())
            codes.append(report.exit_code)
        if not args.submissions and not args.manual:
            report = export_only(out=args.out, final=args.final, lms=args.lms, anonymous=args.anonymous)
            say(report.summary())
            codes.append(0 if report.exported else 1)
    except (GradeError, GradebookError) as exc:
        say(f"workbook grade: {exc}", sys.stderr)
        return 2
    return min(codes)


def add_parser(sub: Any) -> None:
    """Add ``workbook grade`` to the command's subparsers."""
    p = sub.add_parser(
        "grade", help="grade saved exercise notebooks (files, folders or zips) into a gradebook",
        description="Grade saved exercise notebooks without running them. Writes gradebook.sqlite, grades.csv, "
                    "review sheets for written answers, class-report.html and item-analysis.csv to the output "
                    "folder; with --final, feedback per student; with --lms, the LMS upload. Exit code 0 if "
                    "anything was graded, 1 if nothing was, 2 if grading could not start or finish.")
    p.add_argument("submissions", nargs="*", type=Path, help="notebooks, folders of notebooks, or zip files")
    p.add_argument("--set", dest="set_id", metavar="NAME", help="the exercise set (default: each notebook's own)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: ./grading-output)")
    p.add_argument("--manual", nargs="+", type=Path, default=[], metavar="SHEET",
                   help="filled review sheets to read back into the gradebook")
    p.add_argument("--final", action="store_true",
                   help="write feedback for each student (only once every written answer is scored)")
    p.add_argument("--lms", choices=LMS_NAMES, help="write OUT/lms-<set>.csv in this LMS's grade-import format "
                                                    "(only once every written answer is scored)")
    p.add_argument("--anonymous", action="store_true",
                   help="review sheets without names, in a shuffled order (codes map back on --manual)")
    p.set_defaults(func=_run)
