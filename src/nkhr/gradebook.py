"""The gradebook: one SQLite file (``gradebook.sqlite``) in the grading output folder.

Three tables. ``submissions`` has one row per (set, student): the file graded last, when, and
where the student's id came from (an LMS file name or the notebook). Student ids are stored in
the compared form (:func:`nkhr.gradeio.student_key`).
``auto_scores`` has the recorded answer and its score for every question; regrading a student
replaces these rows. ``manual_scores`` holds the instructor's points and comments for free-text
questions; regrading never touches it, so a corrected submission keeps its manual scores.
"""

from __future__ import annotations

import json
import sqlite3
from json.encoder import encode_basestring
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

GRADEBOOK_NAME = "gradebook.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    set_id TEXT NOT NULL, student TEXT NOT NULL, name TEXT NOT NULL, file TEXT NOT NULL,
    sha256 TEXT NOT NULL, submitted_at TEXT, graded_at TEXT NOT NULL,
    id_source TEXT NOT NULL DEFAULT '', late INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (set_id, student));
CREATE TABLE IF NOT EXISTS auto_scores (
    set_id TEXT NOT NULL, student TEXT NOT NULL, qid TEXT NOT NULL, answer TEXT NOT NULL,
    points REAL NOT NULL, possible REAL NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL,
    PRIMARY KEY (set_id, student, qid));
CREATE TABLE IF NOT EXISTS manual_scores (
    set_id TEXT NOT NULL, student TEXT NOT NULL, qid TEXT NOT NULL, points REAL NOT NULL,
    comment TEXT NOT NULL, answer TEXT NOT NULL, scored_at TEXT NOT NULL,
    PRIMARY KEY (set_id, student, qid));
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class GradebookError(Exception):
    """The gradebook cannot be opened or written; the message says where and why."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _dump(answer: Any) -> str:
    if isinstance(answer, str):
        return encode_basestring(answer)  # what json.dumps gives for a string, without its overhead
    return json.dumps(answer, ensure_ascii=False, sort_keys=True)


class Gradebook:
    """A thin wrapper over the SQLite file. Submissions are saved in one transaction per batch."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / GRADEBOOK_NAME
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=10)
            self.db.executescript(_SCHEMA)
            have = {r[1] for r in self.db.execute("PRAGMA table_info(submissions)")}
            for column, decl in (("id_source", "TEXT NOT NULL DEFAULT ''"), ("late", "INTEGER NOT NULL DEFAULT 0")):
                if column not in have:  # a gradebook from an earlier version
                    self.db.execute(f"ALTER TABLE submissions ADD COLUMN {column} {decl}")
        except (OSError, sqlite3.Error) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise GradebookError(f"Cannot write the gradebook in {folder}: {reason}. "
                                 "Choose another folder with --out.") from None

    def close(self) -> None:
        self.db.close()

    def save_submission(self, *, set_id: str, student: str, name: str, file: str, sha256: str,
                        submitted_at: str | None, scores: dict[str, tuple[Any, float, float, str, str]],
                        id_source: str = "", late: bool = False) -> list[str]:
        """Replace the auto scores of one student (call :meth:`commit` after a batch).

        Returns the manual questions whose answer changed since they were scored by hand.
        """
        changed = []
        try:
            self.db.execute("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?)",
                            (set_id, student, name, file, sha256, submitted_at, _now(), id_source, int(late)))
            self.db.execute("DELETE FROM auto_scores WHERE set_id=? AND student=?", (set_id, student))
            self.db.executemany(
                "INSERT INTO auto_scores VALUES (?,?,?,?,?,?,?,?)",
                [(set_id, student, qid, _dump(a), p, pos, st, d) for qid, (a, p, pos, st, d) in scores.items()])
            for qid, old in self.db.execute(
                    "SELECT qid, answer FROM manual_scores WHERE set_id=? AND student=?", (set_id, student)):
                if qid in scores and old != _dump(scores[qid][0]):
                    changed.append(qid)
        except sqlite3.Error as exc:
            self.db.rollback()
            raise GradebookError(f"Cannot write the gradebook {self.path}: {exc}.") from None
        return changed

    def save_submissions(self, subs: list[dict]) -> list[tuple[int, str]]:
        """Replace the auto scores of many students at once (each dict: the keyword arguments of
        :meth:`save_submission`); return (index, qid) for manual scores whose answer changed since."""
        now = _now()
        try:
            self.db.executemany("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?)", [
                (s["set_id"], s["student"], s["name"], s["file"], s["sha256"], s["submitted_at"], now,
                 s.get("id_source", ""), int(s.get("late", False))) for s in subs])
            known = set(self.db.execute("SELECT set_id, student FROM auto_scores GROUP BY set_id, student"))
            self.db.executemany("DELETE FROM auto_scores WHERE set_id=? AND student=?",
                                [k for k in ((s["set_id"], s["student"]) for s in subs) if k in known])
            dumped = [{qid: (_dump(a), p, pos, st, d) for qid, (a, p, pos, st, d) in s["scores"].items()} for s in subs]
            self.db.executemany("INSERT INTO auto_scores VALUES (?,?,?,?,?,?,?,?)", [
                (s["set_id"], s["student"], qid, *row) for s, rows in zip(subs, dumped) for qid, row in rows.items()])
            where = {(s["set_id"], s["student"]): n for n, s in enumerate(subs)}
            changed = []
            for set_id, student, qid, old in self.db.execute("SELECT set_id, student, qid, answer FROM manual_scores"):
                n = where.get((set_id, student))
                if n is not None and qid in dumped[n] and dumped[n][qid][0] != old:
                    changed.append((n, qid))
        except sqlite3.Error as exc:
            self.db.rollback()
            raise GradebookError(f"Cannot write the gradebook {self.path}: {exc}.") from None
        return changed

    def commit(self) -> None:
        try:
            self.db.commit()
        except sqlite3.Error as exc:
            raise GradebookError(f"Cannot write the gradebook {self.path}: {exc}.") from None

    def save_manual(self, *, set_id: str, student: str, qid: str, points: float, comment: str) -> None:
        """Store the instructor's score for one free-text answer (kept across regrades)."""
        row = self.db.execute("SELECT answer FROM auto_scores WHERE set_id=? AND student=? AND qid=?",
                              (set_id, student, qid)).fetchone()
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO manual_scores VALUES (?,?,?,?,?,?,?)",
                                (set_id, student, qid, points, comment, row[0] if row else "null", _now()))
        except sqlite3.Error as exc:
            raise GradebookError(f"Cannot write the gradebook {self.path}: {exc}.") from None

    def has_student(self, set_id: str, student: str) -> bool:
        return self.db.execute("SELECT 1 FROM submissions WHERE set_id=? AND student=?",
                               (set_id, student)).fetchone() is not None

    def sets(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT set_id FROM submissions ORDER BY set_id")]

    def students(self, set_id: str) -> Iterator[tuple[str, str, str]]:
        """(student, name, file) for every student graded in ``set_id``."""
        yield from self.db.execute("SELECT student, name, file FROM submissions WHERE set_id=? ORDER BY student",
                                   (set_id,))

    def answers(self, set_id: str, student: str) -> dict[str, dict]:
        """qid -> answer, points, possible, status, detail, and manual points/comment when scored."""
        out: dict[str, dict] = {}
        for qid, answer, points, possible, status, detail in self.db.execute(
                "SELECT qid, answer, points, possible, status, detail FROM auto_scores WHERE set_id=? AND student=?",
                (set_id, student)):
            out[qid] = {"answer": json.loads(answer), "points": points, "possible": possible,
                        "status": status, "detail": detail, "manual": None, "comment": ""}
        for qid, points, comment in self.db.execute(
                "SELECT qid, points, comment FROM manual_scores WHERE set_id=? AND student=?", (set_id, student)):
            if qid in out:
                out[qid]["manual"], out[qid]["comment"] = points, comment
        return out

    def secret(self) -> str:
        """A random value kept in the gradebook (anonymous codes on review sheets are derived from it)."""
        row = self.db.execute("SELECT value FROM settings WHERE name='secret'").fetchone()
        if row:
            return row[0]
        import secrets

        value = secrets.token_hex(16)
        try:
            with self.db:
                self.db.execute("INSERT INTO settings VALUES ('secret', ?)", (value,))
        except sqlite3.Error as exc:
            raise GradebookError(f"Cannot write the gradebook {self.path}: {exc}.") from None
        return value

    def roster(self, set_id: str) -> list[dict]:
        """Every graded student of ``set_id``: student, name, file, submitted_at, id_source, late."""
        return [{"student": s, "name": n, "file": f, "submitted_at": t, "id_source": src, "late": bool(late)}
                for s, n, f, t, src, late in self.db.execute(
                    "SELECT student, name, file, submitted_at, id_source, late FROM submissions "
                    "WHERE set_id=? ORDER BY student", (set_id,))]

    def all_answers(self, set_id: str, known: dict[str, dict[str, "Row"]] | None = None
                    ) -> dict[str, dict[str, "Row"]]:
        """student -> qid -> :class:`Row` for every student of ``set_id``, with manual scores.

        ``known``: rows already in memory (the students just graded), not read again."""
        out: dict[str, dict[str, Row]] = dict(known or {})
        words: dict[str, str] = {}  # statuses and details repeat: keep one copy of each
        query = "SELECT student, qid, answer, points, possible, status, detail FROM auto_scores WHERE set_id=?"
        if known:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS fresh (student TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.fresh")
            self.db.executemany("INSERT OR IGNORE INTO temp.fresh VALUES (?)", ((s,) for s in known))
            query += " AND student NOT IN (SELECT student FROM temp.fresh)"
        for student, qid, answer, points, possible, status, detail in self.db.execute(query, (set_id,)):
            out.setdefault(student, {})[qid] = Row(
                answer, points, possible, words.setdefault(status, status), words.setdefault(detail, detail))
        for student, qid, points, comment in self.db.execute(
                "SELECT student, qid, points, comment FROM manual_scores WHERE set_id=?", (set_id,)):
            row = out.get(student, {}).get(qid)
            if row is not None:
                row.manual, row.comment = points, comment
        if known:
            self.db.execute("DELETE FROM temp.fresh")
        return out


def _load(text: str) -> Any:
    """A stored answer; a plain string (most answers) without going through the JSON parser."""
    if len(text) > 1 and text[0] == '"' and text[-1] == '"' and "\\" not in text and '"' not in text[1:-1]:
        return text[1:-1]
    return json.loads(text)


_UNREAD = object()


class Row:
    """One stored answer and its score; read like a dict (``row["points"]``) but much smaller.

    The answer's JSON is parsed only when something reads it."""

    __slots__ = ("raw", "_answer", "points", "possible", "status", "detail", "manual", "comment")

    def __init__(self, raw: str | None, points: float, possible: float, status: str, detail: str,
                 manual: float | None = None, comment: str = "", answer: Any = _UNREAD):
        self.raw, self._answer = raw, answer
        self.points, self.possible, self.status, self.detail = points, possible, status, detail
        self.manual, self.comment = manual, comment

    @property
    def answer(self) -> Any:
        if self._answer is _UNREAD:
            self._answer = _load(self.raw)
        return self._answer

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)
