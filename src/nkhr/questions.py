"""Questions, answer checks and scoring: pure functions shared by the widgets and the grader.

A question's answer is broken into scored *items* (an option, a position, a pair, a value);
a key says which (item, value) pairs are right. The same :func:`score` serves the self-check
in the student build (hashed key) and the grader (plain key from ``solutions/``), so the two
can never disagree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

TYPES = ("single", "multi", "order", "match", "numeric", "scale", "text", "essay")
MANUAL = frozenset({"text", "essay"})  # scored by the instructor against a rubric
TYPE_NAMES = {
    "single": "Single choice", "multi": "Select all that apply", "order": "Put in order",
    "match": "Matching", "numeric": "Number", "scale": "Place on the scale",
    "text": "Short answer", "essay": "Essay",
}
SCALE_MIN, SCALE_MAX = 0, 10  # 0 = engagement first, 10 = pressure first


class QuestionError(ValueError):
    """A question bank entry is malformed (raised at build time, with the question id)."""


@dataclass
class Question:
    """One question as students see it (no answer here; answers live in a key)."""

    id: str
    type: str
    prompt: str
    points: float = 1.0
    options: list[str] = field(default_factory=list)  # single, multi: choices; order: items; match: left side
    choices: list[str] = field(default_factory=list)  # match: the right side to pick from
    unit: str = ""  # numeric
    step: float = 1.0  # numeric: answers are read to this precision
    scale_labels: tuple[str, str] = ("Engagement first", "Pressure first")
    min_words: int = 0  # essay / text
    max_words: int = 0
    hint: str = ""  # shown after a wrong answer; must not give the answer away
    source: str = ""  # the reading and passage the question rests on
    rubric: str = ""  # text / essay: what a good answer does (students see it too)

    @property
    def manual(self) -> bool:
        return self.type in MANUAL


@dataclass(frozen=True)
class Score:
    """Points for one answer. ``status`` is correct, partial, incorrect, unanswered or manual."""

    points: float
    possible: float
    status: str
    detail: str = ""


class Key(Protocol):
    """What scoring needs from an answer key (plain or hashed)."""

    def accepts(self, qid: str, item: str, value: str) -> bool: ...


def canon(text: Any) -> str:
    """Normalise text for comparison: fold case and runs of white space."""
    return " ".join(str(text).split()).casefold()


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(raw: Any) -> float | None:
    """Read a number as students type it: '120,000', '120 000', ' 345 ', '3.5%'. None if not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    text = re.sub(r"[\s,_%]", "", str(raw))
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None  # '9' * 400 overflows to inf


def grid(value: float, step: float) -> int:
    """The numeric answer on its grid of ``step``-sized units (keys store these, not floats)."""
    return round(value / step)


def item_names(q: Question) -> list[str]:
    """The scored items of a question, in display order."""
    if q.type == "multi":
        return [canon(o) for o in q.options]
    if q.type == "order":
        return [str(i + 1) for i in range(len(q.options))]
    if q.type == "match":
        return [canon(o) for o in q.options]
    if q.type in ("single",):
        return ["choice"]
    if q.type in ("numeric", "scale"):
        return ["value"]
    return []


def validate(q: Question, answer: Any) -> str | None:
    """Return a friendly message if ``answer`` is empty, partial or of the wrong shape; else None."""
    if answer is None or answer == "" or answer == [] or answer == {}:
        return "Choose or write an answer first, then press Submit."
    if q.type == "single":
        if not isinstance(answer, str) or canon(answer) not in {canon(o) for o in q.options}:
            return "Pick one of the options."
    elif q.type == "multi":
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            return "Tick the boxes that apply."
        if not {canon(a) for a in answer} <= {canon(o) for o in q.options}:
            return "That answer names an option this question does not have."
    elif q.type == "order":
        if not isinstance(answer, list) or len(answer) != len(q.options) or any(a in (None, "") for a in answer):
            return f"Give every position a choice: {len(q.options)} in all."
        if sorted(canon(a) for a in answer) != sorted(canon(o) for o in q.options):
            return "Use each item exactly once."
    elif q.type == "match":
        if not isinstance(answer, dict):
            return "Choose a match for each line."
        missing = [o for o in q.options if not answer.get(o)]
        if missing:
            return f"Choose a match for each line ({len(missing)} still open)."
        if not {canon(v) for v in answer.values()} <= {canon(c) for c in q.choices}:
            return "That answer uses a match this question does not offer."
    elif q.type == "numeric":
        if parse_number(answer) is None:
            return "Type a number, e.g. 120000 or 120,000."
    elif q.type == "scale":
        if isinstance(answer, bool) or not isinstance(answer, int) or not SCALE_MIN <= answer <= SCALE_MAX:
            return f"Place the marker on the scale ({SCALE_MIN}–{SCALE_MAX})."
    elif q.type in MANUAL:
        if not isinstance(answer, str) or not answer.strip():
            return "Write your answer in the box first."
    return None


def length_note(q: Question, answer: Any) -> str | None:
    """For a written answer outside ``min_words``–``max_words``: a warning (the answer is still recorded)."""
    if q.type not in MANUAL or not isinstance(answer, str) or not answer.strip():
        return None
    words = word_count(answer)
    if q.min_words and words < q.min_words:
        return f"{words} words: below the {q.min_words}-word minimum"
    if q.max_words and words > q.max_words:
        return f"{words} words: above the {q.max_words}-word maximum"
    return None


def answer_items(q: Question, answer: Any) -> dict[str, str]:
    """Break a *valid* answer into canonical (item, value) pairs for the key to judge."""
    if q.type == "single":
        return {"choice": canon(answer)}
    if q.type == "multi":
        chosen = {canon(a) for a in answer}
        return {canon(o): "1" if canon(o) in chosen else "0" for o in q.options}
    if q.type == "order":
        return {str(i + 1): canon(a) for i, a in enumerate(answer)}
    if q.type == "match":
        given = {canon(k): canon(v) for k, v in answer.items()}
        return {canon(o): given.get(canon(o), "") for o in q.options}
    if q.type == "numeric":
        return {"value": str(grid(parse_number(answer), q.step))}
    if q.type == "scale":
        return {"value": str(int(answer))}
    return {}


def full_answer(items: dict[str, str]) -> str:
    """One string for a whole answer (unlocks the explanation in the student build)."""
    return "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(items.items()))


def score(q: Question, answer: Any, key: Key) -> Score:
    """Score ``answer`` against ``key``. Partial credit is the share of items right."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return Score(0.0, q.points, "unanswered", "No answer recorded.")
    problem = validate(q, answer)
    if problem:
        return Score(0.0, q.points, "incorrect" if not q.manual else "unanswered", problem)
    if q.manual:
        return Score(0.0, q.points, "manual", "Scored by your instructor against the rubric.")
    items = answer_items(q, answer)
    right = sum(key.accepts(q.id, item, value) for item, value in items.items())
    total = len(item_names(q))
    if right == total:
        return Score(q.points, q.points, "correct", "")
    status = "partial" if right and q.type in ("multi", "order", "match") else "incorrect"
    points = round(q.points * right / total, 2) if status == "partial" else 0.0
    noun = {"multi": "options", "order": "positions", "match": "matches"}.get(q.type, "items")
    return Score(points, q.points, status, f"{right} of {total} {noun} right." if status == "partial" else "")


def word_count(text: str) -> int:
    """Words as a reader counts them (runs of letters/digits, apostrophes and hyphens kept)."""
    return len(re.findall(r"[\w'’-]+", text or ""))


def answer_text(q: Question, answer: Any) -> str:
    """A one-line human reading of an answer (for the saved notebook and feedback reports)."""
    if answer is None or answer == "":
        return "(no answer)"
    if q.type == "multi" and isinstance(answer, list):
        return "; ".join(map(str, answer)) or "(none ticked)"
    if q.type == "order" and isinstance(answer, list):
        return " → ".join(map(str, answer))
    if q.type == "match" and isinstance(answer, dict):
        # in the question's order: a saved notebook stores the pairs with their keys sorted
        keys = [o for o in q.options if o in answer] + [k for k in answer if k not in q.options]
        return "; ".join(f"{k} = {answer[k]}" for k in keys)
    if q.type == "numeric":
        return f"{answer} {q.unit}".strip()
    if q.type == "scale":
        return f"{answer} on a scale from {SCALE_MIN} ({q.scale_labels[0]}) to {SCALE_MAX} ({q.scale_labels[1]})"
    text = " ".join(str(answer).split())
    return text if len(text) <= 160 else text[:157] + "…"
