"""Exercise widgets: a form per question, instant feedback, and the answer kept in the notebook.

Each question cell shows an ipywidgets form and, below it, an output with the MIME type
``application/vnd.nkhr.answer+json`` (plus a plain-text line). Submit updates that output in
place (``display_id``), so JupyterLab writes the answer into the ``.ipynb`` on save: the saved
notebook is the submission. A small local journal restores the last answer when a cell runs
again; ``NKHR_JOURNAL=off`` turns it off, ``NKHR_JOURNAL=/some/folder`` moves it.
"""

from __future__ import annotations

import html
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import ipywidgets as w
from IPython.display import Markdown, display

from . import ANSWER_MIME, ui
from .bank import Bank, BankError, load_bank, load_public
from .paths import project_root
from .questions import (
    SCALE_MAX, SCALE_MIN, Question, answer_items, answer_text, score, validate, word_count,
)

STUDENT_QID = "_student"  # the pseudo-question that records the student's name or id
PAYLOAD_FORMAT = 1


# ---------------------------------------------------------------- the journal

class Journal:
    """Last answer per (set, question) in a local JSON file. Losing it loses nothing submitted."""

    _warned = False

    def __init__(self, folder: Path | None):
        self.folder = folder

    @classmethod
    def default(cls) -> "Journal":
        setting = os.environ.get("NKHR_JOURNAL", "")
        if setting.lower() in ("off", "0", "no", "false"):
            return cls(None)
        if setting:
            return cls(Path(setting))
        try:
            return cls(project_root() / ".nkhr-journal")
        except FileNotFoundError:
            return cls(None)

    def _file(self, set_id: str) -> Path:
        return self.folder / f"{set_id}.json"

    def _read(self, set_id: str) -> dict:
        try:
            data = json.loads(self._file(set_id).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, set_id: str, qid: str) -> dict | None:
        """The last recorded payload for this question, or None."""
        if self.folder is None:
            return None
        entry = self._read(set_id).get(qid)
        return entry if isinstance(entry, dict) and "answer" in entry else None

    def put(self, set_id: str, qid: str, payload: dict) -> None:
        """Remember a payload; on failure warn once and carry on."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = self._read(set_id)
            data[qid] = payload
            tmp = self._file(set_id).with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(self._file(set_id))
        except OSError as exc:
            if not Journal._warned:
                Journal._warned = True
                print(
                    f"Note: answers cannot be backed up to {self.folder} ({exc.strerror or exc}). "
                    "Your answers are still saved in this notebook when you save it."
                )


# ---------------------------------------------------------------- payloads

def payload(set_id: str, q: Question | None, answer: Any, *, submitted: bool, attempts: int) -> dict:
    """The record written into the notebook for one answer."""
    return {
        "format": PAYLOAD_FORMAT,
        "set": set_id,
        "question": q.id if q else STUDENT_QID,
        "type": q.type if q else "identity",
        "answer": answer,
        "submitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds") if submitted else None,
        "attempts": attempts,
    }


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def _bundle(p: dict | None, q: Question | None, qid: str) -> dict:
    """The output kept in the notebook: our MIME type (what the grader reads) plus readable text.

    JupyterLab shows the Markdown (it wraps like prose); other viewers fall back to plain text.
    """
    label = "your name or student ID" if qid == STUDENT_QID else qid
    if p is None:
        return {"text/plain": f"No answer recorded yet for {label}.",
                "text/markdown": f"*No answer recorded yet for {_md_escape(label)}.*"}
    shown = answer_text(q, p["answer"]) if q else str(p["answer"])
    return {ANSWER_MIME: p, "text/plain": f"Recorded answer for {label}: {shown}",
            "text/markdown": f"**Recorded answer for {_md_escape(label)}:** {_md_escape(shown)}"}


# ---------------------------------------------------------------- forms

_WIDE = w.Layout(width="100%")


def _form(q: Question) -> tuple[w.Widget, Callable[[], Any], Callable[[Any], None]]:
    """A widget for ``q`` with functions to read and set its value."""
    if q.type == "single":
        box = w.RadioButtons(options=q.options, value=None, layout=_WIDE)
        return box, lambda: box.value, lambda v: setattr(box, "value", v if v in q.options else None)
    if q.type == "multi":
        boxes = [w.Checkbox(description=o, value=False, indent=False, layout=_WIDE) for o in q.options]

        def set_multi(v: Any) -> None:
            for b in boxes:
                b.value = isinstance(v, list) and b.description in v
        return w.VBox(boxes), lambda: [b.description for b in boxes if b.value], set_multi
    if q.type == "order":
        choices = [("— choose —", None)] + [(o, o) for o in q.options]
        drops = [w.Dropdown(options=choices, value=None, layout=w.Layout(width="100%")) for _ in q.options]
        rows = [w.HBox([w.HTML(f"<b>{i + 1}.</b>&nbsp;", layout=w.Layout(width="2.5em", flex="none")), d],
                       layout=_WIDE) for i, d in enumerate(drops)]

        def set_order(v: Any) -> None:
            for d, item in zip(drops, v if isinstance(v, list) else []):
                d.value = item if item in q.options else None
        header = w.HTML("<i>First (earliest / first step) at the top.</i>")
        return w.VBox([header, *rows]), lambda: [d.value for d in drops], set_order
    if q.type == "match":
        choices = [("— choose —", None)] + [(c, c) for c in q.choices]
        drops = {o: w.Dropdown(options=choices, value=None, layout=w.Layout(width="45%")) for o in q.options}
        rows = [w.HBox([w.HTML(html.escape(o), layout=w.Layout(width="55%", padding="0 8px 0 0")), d], layout=_WIDE)
                for o, d in drops.items()]

        def set_match(v: Any) -> None:
            for o, d in drops.items():
                d.value = v.get(o) if isinstance(v, dict) and v.get(o) in q.choices else None
        return w.VBox(rows), lambda: {o: d.value for o, d in drops.items() if d.value}, set_match
    if q.type == "numeric":
        box = w.Text(placeholder="type a number", layout=w.Layout(width="14em"))
        unit = w.HTML(f"&nbsp;{html.escape(q.unit)}")
        return w.HBox([box, unit]), lambda: box.value.strip(), lambda v: setattr(box, "value", "" if v is None else str(v))
    if q.type == "scale":
        # continuous_update: every step reaches the kernel at once, so Submit never reads a stale value
        slider = w.IntSlider(value=5, min=SCALE_MIN, max=SCALE_MAX, step=1, continuous_update=True,
                             layout=w.Layout(width="24em"))
        left, right = (w.HTML(f"<b>{html.escape(t)}</b>", layout=w.Layout(margin="0 12px")) for t in q.scale_labels)
        return w.HBox([left, slider, right]), lambda: int(slider.value), lambda v: setattr(
            slider, "value", v if isinstance(v, int) and SCALE_MIN <= v <= SCALE_MAX else 5)
    # text and essay
    rows = 12 if q.type == "essay" else 4
    area = w.Textarea(placeholder="Write your answer here.", rows=rows, continuous_update=True, layout=_WIDE)
    count = w.HTML()

    def recount(_: Any = None) -> None:
        n = word_count(area.value)
        target = f" (aim for {q.min_words}–{q.max_words})" if q.max_words else ""
        count.value = f"<small>{n} words{target}</small>"
    area.observe(recount, names="value")
    recount()

    def set_text(v: Any) -> None:
        area.value = v if isinstance(v, str) else ""
    return w.VBox([area, count]), lambda: area.value, set_text


def _box(kind: str, body: str) -> str:
    colours = {"good": ("#e8f5e9", "#1b5e20"), "part": ("#fff8e1", "#8a5a00"),
               "bad": ("#fdecea", "#8b1a1a"), "info": ("#e8f0fe", "#1a3d7c")}
    bg, fg = colours[kind]
    return (f'<div class="nkhr-feedback nkhr-{kind}" style="background:{bg};color:{fg};padding:6px 10px;'
            f'border-radius:4px;line-height:1.45">{body}</div>')


def _para(text: str) -> str:
    """Escape text for HTML, keeping line breaks and Markdown *italics* / **bold**."""
    out = html.escape(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", out)
    return "<br>".join(out.split("\n"))


def _accepts_any(q: Question, key) -> bool:
    """A scale question whose key accepts every position (a personal view): feedback says 'Recorded'."""
    return q.type == "scale" and all(key.accepts(q.id, "value", str(v)) for v in range(SCALE_MIN, SCALE_MAX + 1))


def feedback_html(q: Question, answer: Any, bank: Bank) -> str:
    """The feedback a student sees after pressing Submit."""
    problem = validate(q, answer)
    if problem:
        return _box("info", html.escape(problem))
    if bank.mode == "assessed" and not q.manual:  # no right/wrong until the grader's feedback
        return _box("info", "Recorded — you can change it until you hand in.")
    if q.manual:
        return _box("info", f"Recorded ({word_count(answer)} words) — your instructor will read this. "
                            "Check it against the rubric above.")
    result = score(q, answer, bank.key)
    if result.status == "correct":
        expl = bank.key.explanation(q.id, answer_items(q, answer)) or ""
        if _accepts_any(q, bank.key):
            return _box("info", _para(expl) or "Recorded.")
        return _box("good", f"<b>Correct.</b> {_para(expl)}")
    hint = f" Hint: {_para(q.hint)}" if q.hint else ""
    if result.status == "partial":
        return _box("part", f"<b>Partly right:</b> {html.escape(result.detail)}{hint}")
    return _box("bad", f"<b>Not quite.</b>{hint}")


# ---------------------------------------------------------------- the set a notebook uses

class ExerciseSet:
    """The questions of one exercise set, as a notebook shows them."""

    def __init__(self, bank: Bank, *, show_answers: bool, journal: Journal | None = None):
        self.bank = bank
        self.show_answers = show_answers  # the instructor build: pre-fill and record the key's answers
        # the instructor build never reads or writes the journal: its outputs must be the key's answers
        self.journal = journal or (Journal(None) if show_answers else Journal.default())
        self.forms: dict[str, SimpleNamespace] = {}  # qid -> get/put/submit/feedback, for tests and demos

    def student(self) -> None:
        """Show the name / student ID box (recorded like an answer)."""
        self._show(None, STUDENT_QID)

    def ask(self, qid: str, *, show_prompt: bool = False) -> None:
        """Show question ``qid``'s form, its feedback area and its recorded answer.

        Exercise notebooks show the prompt in a Markdown cell above; ``show_prompt=True`` shows it
        here too, for a question embedded in a lesson.
        """
        try:
            q = self.bank.question(qid)
        except KeyError as exc:
            display(Markdown(f"**This question cannot be shown:** {exc.args[0]}"))
            return
        if show_prompt:
            display(Markdown(f"**{q.prompt.strip()}**"))
        self._show(q, qid)

    def _show(self, q: Question | None, qid: str) -> None:
        set_id = self.bank.set_id
        if q is None:
            name = w.Text(placeholder="e.g. Kim Min-ji, s1234567", layout=w.Layout(width="24em"))
            form, get, put = w.HBox([w.HTML("<b>Your name or student ID:</b>&nbsp;"), name]), (lambda: name.value.strip()), (
                lambda v: setattr(name, "value", v if isinstance(v, str) else ""))
        else:
            form, get, put = _form(q)
        state = {"attempts": 0, "last": None}
        if self.show_answers and q is not None and self.bank.answers.get(qid) is not None:
            answer = self.bank.answers[qid]
            answer = answer[0] if q.type == "scale" else answer
            state["last"] = payload(set_id, q, answer, submitted=False, attempts=0)
            put(answer)
        elif (restored := self.journal.get(set_id, qid)) is not None:
            state["last"], state["attempts"] = restored, int(restored.get("attempts", 0) or 0)
            put(restored["answer"])
        feedback = w.HTML()
        if state["last"] is not None and q is not None:
            feedback.value = feedback_html(q, state["last"]["answer"], self.bank)
        button = w.Button(description="Save" if q is None else "Submit answer", button_style="primary",
                          icon="check", tooltip="Record this answer in the notebook")

        def on_submit(_: Any) -> None:
            answer = get()
            if q is None:
                if not answer:
                    feedback.value = _box("info", "Type your name or student ID first.")
                    return
            else:
                feedback.value = feedback_html(q, answer, self.bank)
                if validate(q, answer):
                    return  # nothing recorded: the message asks for a complete answer
            state["attempts"] += 1
            state["last"] = payload(set_id, q, answer, submitted=True, attempts=state["attempts"])
            handle.update(_bundle(state["last"], q, qid), raw=True)
            if q is None:
                feedback.value = _box("good", "Saved. Remember to save the notebook (Ctrl+S / Cmd+S).")
            self.journal.put(set_id, qid, state["last"])

        button.on_click(on_submit)
        self.forms[qid] = SimpleNamespace(get=get, put=put, submit=lambda: on_submit(None), feedback=feedback)
        display(ui.panel([form, w.HBox([button]), feedback], margin="4px 0 8px 0"))
        handle = display(_bundle(state["last"], q, qid), raw=True, display_id=True)


class _Unavailable:
    """Stands in when a set cannot be loaded: every call shows the reason, never a traceback."""

    def __init__(self, reason: str):
        self.reason = reason

    def student(self) -> None:
        display(Markdown(f"**The exercises cannot start:** {self.reason}"))

    def ask(self, qid: str, *, show_prompt: bool = False) -> None:
        self.student()


def open_set(set_id: str, *, key: str = "student") -> ExerciseSet | _Unavailable:
    """Load an exercise set for a notebook: ``key="student"`` (hashed) or ``"solutions"``."""
    try:
        if key == "solutions":
            return ExerciseSet(load_bank(set_id), show_answers=True)
        return ExerciseSet(load_public(set_id), show_answers=False)
    except (BankError, FileNotFoundError) as exc:
        return _Unavailable(str(exc))
