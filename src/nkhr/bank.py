"""Question banks: ``solutions/<set>.toml`` (the single source) and the public key built from it.

The instructor's bank holds answers, explanations, sample answers and rubrics. The student
build gets ``exercises/keys/<set>.json``: the questions, salted hashes of the right
(item, value) pairs, and each explanation encrypted under the right answer, so the file
holds no readable answer key and the self-check still works offline.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .paths import exercises_dir, solutions_dir
from .questions import (
    MANUAL, SCALE_MAX, SCALE_MIN, TYPES, Question, QuestionError, answer_items,
    full_answer, grid, item_names, length_note, validate,
)

MAX_ACCEPTED = 1001  # numeric answers: values accepted within the tolerance, on the step grid
SCALE_SPREAD = 2  # a placement of a reading is accepted within this many points of readings/positions.csv
READING = re.compile(r"\b(?:Cohen|Wertz|Son|Lee) (?:19|20)\d\d\b")  # how students see a reading named
FILE_REF = re.compile(
    r"[\w./-]+\.(?:csv|md|toml|py|json|ipynb)\b|\breadings/|\b[a-z0-9]+_[a-z0-9_]+\b|\b[a-z]+(?:19|20)\d\d\b"
)  # file names and data-row ids: for the instructor's eyes only
_QFIELDS = {f.name for f in fields(Question)}


MODES = ("practice", "assessed")


class BankError(ValueError):
    """A question bank or public key is missing or malformed; the message says which and why."""


@dataclass
class Bank:
    """An exercise set: its questions, a key, and (instructor side only) the answers."""

    set_id: str
    title: str
    questions: list[Question]
    key: "PlainKey | HashedKey"
    meta: dict = field(default_factory=dict)  # intro, outro, lesson, reading list
    answers: dict[str, Any] = field(default_factory=dict)  # qid -> correct / sample answer (solutions only)
    solutions: dict[str, dict] = field(default_factory=dict)  # qid -> explanation, tolerance, ... (solutions only)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(f"Exercise set {self.set_id} has no question {qid!r}.")

    @property
    def possible(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def mode(self) -> str:
        """``"practice"`` (instant right/wrong feedback, the default) or ``"assessed"`` (answers recorded,
        no feedback, no key in the student build; the grader's feedback comes after hand-in)."""
        return self.meta.get("mode", "practice")


# ---------------------------------------------------------------- hashing and unlocking

def _h(salt: str, qid: str, item: str, value: str) -> str:
    return hashlib.sha256(f"{salt}|{qid}|{item}|{value}".encode()).hexdigest()[:16]


def _stream(key: bytes, n: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(key + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:n]


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


class PlainKey:
    """Answers in the clear (instructor side)."""

    def __init__(self, accepted: dict[str, dict[str, set[str]]], explanations: dict[str, str]):
        self.accepted = accepted
        self.explanations = explanations

    def accepts(self, qid: str, item: str, value: str) -> bool:
        return value in self.accepted.get(qid, {}).get(item, set())

    def explanation(self, qid: str, items: dict[str, str]) -> str | None:
        return self.explanations.get(qid)


class HashedKey:
    """Salted hashes of the right answers; explanations open only for a fully right answer."""

    def __init__(self, salt: str, accepted: dict[str, set[str]], locked: dict[str, dict]):
        self.salt = salt
        self.accepted = accepted
        self.locked = locked

    def accepts(self, qid: str, item: str, value: str) -> bool:
        return _h(self.salt, qid, item, value) in self.accepted.get(qid, set())

    def explanation(self, qid: str, items: dict[str, str]) -> str | None:
        box = self.locked.get(qid)
        if not box:
            return None
        probe = hashlib.sha256(f"wrap|{self.salt}|{qid}|{full_answer(items)}".encode()).digest()
        for wrapped in box["wraps"]:
            k = _xor(bytes.fromhex(wrapped), probe)
            if hashlib.sha256(k).hexdigest()[:16] == box["check"]:
                cipher = bytes.fromhex(box["cipher"])
                return _xor(cipher, _stream(k, len(cipher))).decode()
        return None


def _lock(salt: str, qid: str, text: str, right_answers: list[dict[str, str]]) -> dict:
    """Encrypt ``text`` under a key that each fully right answer can unwrap."""
    k = hashlib.sha256(f"explain|{salt}|{qid}|{full_answer(right_answers[0])}|{text}".encode()).digest()
    wraps = sorted(
        _xor(k, hashlib.sha256(f"wrap|{salt}|{qid}|{full_answer(a)}".encode()).digest()).hex()
        for a in right_answers
    )
    data = text.encode()
    return {"cipher": _xor(data, _stream(k, len(data))).hex(), "check": hashlib.sha256(k).hexdigest()[:16], "wraps": wraps}


# ---------------------------------------------------------------- the instructor's bank

def bank_path(set_id: str) -> Path:
    return solutions_dir() / f"{set_id}.toml"


def public_key_path(set_id: str) -> Path:
    return exercises_dir() / "keys" / f"{set_id}.json"


def list_sets() -> list[str]:
    """Exercise sets defined in ``solutions/``, in order."""
    return sorted(p.stem for p in solutions_dir().glob("*.toml"))


def load_bank(set_id: str, path: Path | None = None) -> Bank:
    """Read and check ``solutions/<set_id>.toml``; errors name the file and question."""
    path = path or bank_path(set_id)
    if not path.is_file():
        raise BankError(f"No question bank for exercise set {set_id!r} (looked for {path}).")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BankError(f"{path.name}: not valid TOML: {exc}") from None
    salt = hashlib.sha256(set_id.encode() + b"|" + raw).hexdigest()[:16]
    questions, answers, solutions, accepted, explanations = [], {}, {}, {}, {}
    seen: set[str] = set()
    for n, entry in enumerate(data.get("questions", []), start=1):
        where = f"{path.name}, question {entry.get('id', f'#{n}')}"
        try:
            q, answer, extra = _read_question(entry, set_id)
            if not q.manual:
                accepted[q.id] = _accepted_pairs(q, answer, extra)
        except (QuestionError, TypeError, ValueError) as exc:
            raise BankError(f"{where}: {exc}") from None
        if q.id in seen:
            raise BankError(f"{where}: the id is used twice.")
        seen.add(q.id)
        questions.append(q)
        answers[q.id] = answer
        solutions[q.id] = extra
        explanations[q.id] = extra.get("explanation", "")
    if not questions:
        raise BankError(f"{path.name}: defines no [[questions]].")
    if data.get("mode", "practice") not in MODES:
        raise BankError(f"{path.name}: mode = {data.get('mode')!r}; use one of {', '.join(map(repr, MODES))}.")
    meta = {k: v for k, v in data.items() if k != "questions"}
    meta["salt"] = salt
    return Bank(set_id, data.get("title", set_id), questions, PlainKey(accepted, explanations), meta, answers, solutions)


def _read_question(entry: dict, set_id: str) -> tuple[Question, Any, dict]:
    entry = dict(entry)
    qtype = entry.get("type")
    if qtype not in TYPES:
        raise QuestionError(f"type must be one of {', '.join(TYPES)}, not {qtype!r}.")
    for required in ("id", "prompt"):
        if not entry.get(required):
            raise QuestionError(f"'{required}' is missing.")
    answer = entry.pop("answer", None)
    extra = {k: entry.pop(k) for k in ("explanation", "tolerance", "sample_answer", "section", "after", "position")
             if k in entry}
    if "position" in extra:
        answer, extra = _placement(qtype, answer, extra)
    if qtype == "order":
        if not isinstance(answer, list) or len(answer) < 2:
            raise QuestionError("an ordering question needs 'answer', the items in the right order.")
        entry.setdefault("options", _shuffled(answer, f"{set_id}|{entry['id']}"))
    if qtype == "scale" and "scale_labels" in entry:
        entry["scale_labels"] = tuple(entry["scale_labels"])
    unknown = set(entry) - _QFIELDS
    if unknown:
        raise QuestionError(f"unknown field(s): {', '.join(sorted(unknown))}.")
    q = Question(**entry)
    if qtype in MANUAL:
        if not q.rubric:
            raise QuestionError("a written question needs a 'rubric'.")
        sample = extra.get("sample_answer", answer)
        if sample is not None and (problem := validate(q, sample) or length_note(q, sample)):
            raise QuestionError(f"the sample answer does not pass the question's own check: {problem}")
        return q, sample, extra
    if not extra.get("explanation"):
        raise QuestionError("'explanation' is missing (students see it once they answer right).")
    if qtype == "match":
        if not isinstance(answer, list) or len(answer) != len(q.options):
            raise QuestionError("'answer' must list one choice for each option, in order.")
        answer = dict(zip(q.options, answer))
    if qtype == "scale":
        if not (isinstance(answer, list) and len(answer) == 2 and SCALE_MIN <= answer[0] <= answer[1] <= SCALE_MAX):
            raise QuestionError(f"'answer' must be [low, high] within {SCALE_MIN}–{SCALE_MAX}.")
        check = answer[0]
    else:
        check = answer
    problem = validate(q, check)
    if problem:
        raise QuestionError(f"the answer does not fit the question: {problem}")
    return q, answer, extra


def placement_range(position_id: str) -> tuple[int, int, int]:
    """(placement, lowest accepted, highest accepted) for a row of ``readings/positions.csv``.

    The one definition of where a reading stands: every scale question about a reading takes its
    accepted range from here (the placement, give or take :data:`SCALE_SPREAD`).
    """
    from .data import DataError, by_id

    try:
        rows = by_id("positions.csv")
    except DataError as exc:
        raise QuestionError(str(exc)) from None
    if position_id not in rows:
        raise QuestionError(f"position {position_id!r} is not a row of readings/positions.csv "
                            f"(rows: {', '.join(rows)}).")
    placed = int(round(float(rows[position_id]["position"])))
    return placed, max(SCALE_MIN, placed - SCALE_SPREAD), min(SCALE_MAX, placed + SCALE_SPREAD)


def _placement(qtype: str, answer: Any, extra: dict) -> tuple[list[int], dict]:
    """Resolve a scale question's ``position`` to its accepted range; fill {placement} and {accepted}."""
    if qtype != "scale":
        raise QuestionError("'position' belongs only on a scale question.")
    if answer is not None:
        raise QuestionError("give either 'position' (a row of readings/positions.csv) or 'answer', not both: "
                            "a reading's accepted range is defined once, in positions.csv.")
    placed, lo, hi = placement_range(str(extra["position"]))
    extra = dict(extra)
    if "explanation" in extra:
        extra["explanation"] = extra["explanation"].replace("{placement}", str(placed)).replace("{accepted}", f"{lo}–{hi}")
    return [lo, hi], extra


def student_source(q: Question) -> str:
    """The "Based on" line students see before answering: readings and paragraphs, nothing that gives
    the answer away. Matching and ordering questions name only the readings, in alphabetical order;
    file names and data-row ids (instructor material) are left out of every question."""
    if q.type in ("order", "match"):
        return "; ".join(sorted(set(READING.findall(q.source))))
    kept = []
    for part in q.source.split(";"):
        part = re.sub(r"\s*\([^()]*\)", lambda m: "" if FILE_REF.search(m.group()) else m.group(), part).strip()
        if part and not FILE_REF.search(part):
            kept.append(part)
    return "; ".join(kept)


def _shuffled(items: list[str], seed: str) -> list[str]:
    """A fixed shuffle (same every build) that never shows the right order."""
    rng = random.Random(seed)
    out = list(items)
    while out == items:
        rng.shuffle(out)
    return out


def _right_answers(q: Question, answer: Any, extra: dict) -> list[dict[str, str]]:
    """Every fully right answer, as canonical items (several for numeric and scale ranges)."""
    if q.type == "numeric":
        tol = float(extra.get("tolerance", 0))
        lo, hi = grid(float(answer) - tol, q.step), grid(float(answer) + tol, q.step)
        if hi - lo + 1 > MAX_ACCEPTED:
            raise QuestionError(f"tolerance/step accept {hi - lo + 1} values; at most {MAX_ACCEPTED}.")
        return [{"value": str(g)} for g in range(lo, hi + 1)]
    if q.type == "scale":
        return [{"value": str(v)} for v in range(answer[0], answer[1] + 1)]
    return [answer_items(q, answer)]


def _accepted_pairs(q: Question, answer: Any, extra: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {item: set() for item in item_names(q)}
    for right in _right_answers(q, answer, extra):
        for item, value in right.items():
            out[item].add(value)
    return out


# ---------------------------------------------------------------- the public (student) key

def public_key(bank: Bank) -> dict:
    """The student build's key: questions, hashed accepted pairs, locked explanations.

    For an assessed set, only the questions: nothing a student could try answers against."""
    salt = bank.meta["salt"]
    out = []
    for q in bank.questions:
        entry = {k: v for k, v in asdict(q).items() if v not in ("", [], 0) or k in ("id", "type", "points")}
        if "source" in entry:
            entry["source"] = student_source(q)
        if not q.manual and bank.mode != "assessed":  # an assessed set ships no key and no explanations
            pairs = bank.key.accepted[q.id]
            entry["accept"] = sorted(_h(salt, q.id, item, v) for item, values in pairs.items() for v in values)
            right = _right_answers(q, bank.answers[q.id], bank.solutions[q.id])
            entry["locked_explanation"] = _lock(salt, q.id, bank.solutions[q.id]["explanation"], right)
        out.append(entry)
    meta = {k: v for k, v in bank.meta.items() if k != "salt"}
    return {"format": 1, "set": bank.set_id, "title": bank.title, "salt": salt, "meta": meta, "questions": out}


def load_public(set_id: str, path: Path | None = None) -> Bank:
    """Read ``exercises/keys/<set_id>.json`` (the student build's key)."""
    path = path or public_key_path(set_id)
    if not path.is_file():
        raise BankError(
            f"The answer checks for exercise set {set_id!r} are missing ({path.name}). "
            "Open the notebook from inside the workbook folder, or ask your instructor."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        questions, accepted, locked = [], {}, {}
        for entry in data["questions"]:
            entry = dict(entry)
            accepted[entry["id"]] = set(entry.pop("accept", []))
            box = entry.pop("locked_explanation", None)
            if box:
                locked[entry["id"]] = box
            if "scale_labels" in entry:
                entry["scale_labels"] = tuple(entry["scale_labels"])
            questions.append(Question(**entry))
    except (ValueError, KeyError, TypeError) as exc:
        raise BankError(f"{path.name} is damaged ({exc}); regenerate it with `workbook build`.") from None
    return Bank(data["set"], data["title"], questions, HashedKey(data["salt"], accepted, locked), data.get("meta", {}))

