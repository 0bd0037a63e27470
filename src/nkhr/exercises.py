"""Exercise widgets: a form per question, instant feedback, and the answer kept in the notebook.

Each question cell shows an ipywidgets form and, below it, an output with the MIME type
``application/vnd.nkhr.answer+json`` (plus a readable line). Submit updates that output in place
(``display_id``), so saving the notebook saves the answer: the saved notebook is the submission.
When a cell runs again, its last answer comes back from the saved notebook file, this session, or a
local crash backup, whichever is newest (see :mod:`nkhr.record`).
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace
from typing import Any, Callable

import ipywidgets as w
from IPython.display import Markdown, display

from . import ANSWER_MIME, record, ui
from .bank import Bank, BankError, load_bank, load_public
from .questions import (
    SCALE_MAX, SCALE_MIN, Question, answer_items, answer_text, length_note, score, validate, word_count,
)
from .record import STUDENT_QID, Journal

# answers submitted in this kernel, by notebook identity then question (survive re-running the setup cell)
_SESSION: dict[str, dict[str, dict]] = {}
# notebook path -> (identity given in this kernel, the file's stamp then): reused only for the same file
_IDENTITIES: dict[str, tuple[str, str | None]] = {}


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def _bundle(p: dict | None, q: Question | None, qid: str, origin: str | None = None) -> dict:
    """The output kept in the notebook: our MIME type (what the grader reads) plus readable text.

    JupyterLab shows the Markdown (it wraps like prose); other viewers fall back to plain text.
    """
    label = "your name or student ID" if qid == STUDENT_QID else qid
    if p is None:
        return {"text/plain": f"No answer recorded yet for {label}.",
                "text/markdown": f"*No answer recorded yet for {_md_escape(label)}.*"}
    shown = answer_text(q, p["answer"]) if q else str(p["answer"])
    note = length_note(q, p["answer"]) if q else None
    extra = f" ({note})" if note else ""
    where = f" *(restored from {origin})*" if origin else ""
    return {ANSWER_MIME: p, "text/plain": f"Recorded answer for {label}{extra}: {shown}",
            "text/markdown": f"**Recorded answer for {_md_escape(label)}**{_md_escape(extra)}: {_md_escape(shown)}{where}"}


# ---------------------------------------------------------------- forms

_WIDE = w.Layout(width="100%")


def _name(q: Question) -> str:
    """The question's prompt as plain text, short enough to name its controls for a screen reader."""
    text = " ".join(re.sub(r"[*_`#>]|\[([^\]]*)\]\([^)]*\)", r"\1", q.prompt).split())
    return text if len(text) <= 240 else text[:240].rsplit(" ", 1)[0] + "…"


CHOOSE = ("— choose —", "")  # not None: ipywidgets turns a None value into a blank, stuck drop-down


def _choose(drop: w.Dropdown, value: Any, allowed) -> None:
    """Show ``value`` in ``drop`` when it is allowed, else "— choose —" (never a blank box)."""
    drop.value = value if value is not None and value in allowed else ""


def _form(q: Question) -> tuple[w.Widget, Callable[[], Any], Callable[[Any], None]]:
    """A widget for ``q`` with functions to read and set its value.

    Every control is named for assistive technology: the form is a group named by the question
    (:func:`ui.group`), drop-downs carry their row as a label, and empty drop-downs show "— choose —".
    """
    name = _name(q)
    if q.type == "single":
        box = w.RadioButtons(options=q.options, value=None, layout=_WIDE)
        return ui.group([box], name), lambda: box.value, lambda v: setattr(box, "value", v if v in q.options else None)
    if q.type == "multi":
        boxes = [w.Checkbox(description=o, value=False, indent=False, layout=_WIDE) for o in q.options]

        def set_multi(v: Any) -> None:
            for b in boxes:
                b.value = isinstance(v, list) and b.description in v
        return ui.group(boxes, name), lambda: [b.description for b in boxes if b.value], set_multi
    if q.type == "order":
        choices = [CHOOSE] + [(o, o) for o in q.options]
        n = len(q.options)
        drops = [w.Dropdown(options=choices, index=0, description_allow_html=True, layout=_WIDE,
                            description=f'<b aria-hidden="true">{i + 1}.</b><span class="nkhr-sr">Position {i + 1} of {n}'
                                        f'{" (first)" if i == 0 else " (last)" if i == n - 1 else ""}</span>',
                            style={"description_width": "2.5em"}) for i in range(n)]

        def set_order(v: Any) -> None:
            items = v if isinstance(v, list) else []
            for k, d in enumerate(drops):
                _choose(d, items[k] if k < len(items) else None, q.options)
        header = w.HTML("<i>First (earliest / first step) at the top.</i>")
        return ui.group([header, *drops], name), lambda: [d.value or None for d in drops], set_order
    if q.type == "match":
        choices = [CHOOSE] + [(c, c) for c in q.choices]
        # the row's text is the drop-down's own label, above it, so both read in full
        drops = {o: w.Dropdown(options=choices, index=0, description=o, layout=_WIDE) for o in q.options}
        form = ui.group(list(drops.values()), name)
        form.add_class("nkhr-stack")

        def set_match(v: Any) -> None:
            for o, d in drops.items():
                _choose(d, v.get(o) if isinstance(v, dict) else None, q.choices)
        return form, lambda: {o: d.value for o, d in drops.items() if d.value}, set_match
    if q.type == "numeric":
        box = w.Text(placeholder="type a number", layout=w.Layout(width="14em"))
        unit = w.HTML(f"&nbsp;{html.escape(q.unit)}")
        return ui.group([w.HBox([box, unit])], name), lambda: box.value.strip(), lambda v: setattr(
            box, "value", "" if v is None else str(v))
    if q.type == "scale":
        # continuous_update: every step reaches the kernel at once, so Submit never reads a stale value
        slider = w.IntSlider(value=5, min=SCALE_MIN, max=SCALE_MAX, step=1, continuous_update=True,
                             layout=w.Layout(width="24em"))
        left, right = (w.HTML(f"<b>{html.escape(t)}</b>", layout=w.Layout(margin="0 12px")) for t in q.scale_labels)
        ends = f"{SCALE_MIN} = {q.scale_labels[0]}, {SCALE_MAX} = {q.scale_labels[1]}"
        return ui.group([w.HBox([left, slider, right])], f"{name} ({ends})"), lambda: int(slider.value), lambda v: setattr(
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
    return ui.group([area, count], name), lambda: area.value, set_text


def _box(kind: str, body: str) -> str:
    """A feedback box: dark text on a light tint (5.6–9.2 : 1), a left bar and a word (never colour alone)."""
    colours = {"good": ("#e8f5e9", "#1b5e20"), "part": ("#fff8e1", "#8a5a00"),
               "bad": ("#fdecea", "#8b1a1a"), "info": ("#e8f0fe", "#1a3d7c")}
    bg, fg = colours[kind]
    return (f'<div class="nkhr-feedback nkhr-{kind}" style="background:{bg};color:{fg};padding:6px 10px;'
            f'border-left:5px solid {fg};border-radius:4px;line-height:1.45">{body}</div>')


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
        note = length_note(q, answer)
        if note:
            return _box("part", f"<b>Recorded, with a warning:</b> {html.escape(note)}. Your instructor will see "
                                "this answer and the warning; you can revise it and submit again.")
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


# ---------------------------------------------------------------- what Submit reads

class ScreenSync:
    """Run a callback only after every change the student made on screen has reached the kernel.

    ipywidgets throttles a widget's updates: while one is unanswered, the next is held back in the
    browser, and a Submit click (another widget) can overtake it, so a slow kernel would record an
    older value than the one shown. A Submit therefore sends a token to the browser (``ping``); a
    browser-side link (``jsdlink``) copies it into ``pong``, whose update is sent back *after* any
    held-back update. When ``pong`` returns with the token, the kernel has the value on screen.
    """

    def __init__(self) -> None:
        self.ping = w.IntText(value=0, layout=w.Layout(display="none"))
        self.pong = w.IntText(value=0, layout=w.Layout(display="none"))
        self.link = w.jsdlink((self.ping, "value"), (self.pong, "value"))
        self.waiting: dict[int, Callable[[], None]] = {}
        self.pong.observe(self._arrived, names="value")

    def then(self, callback: Callable[[], None], rounds: int = 2) -> None:
        """Call ``callback`` once the browser has caught up (two round trips, for held-back updates
        the browser sends only when it hears of the first one)."""
        token = self.ping.value + 1
        self.waiting[token] = callback if rounds <= 1 else (lambda: self.then(callback, rounds - 1))
        self.ping.value = token

    def _arrived(self, change: dict) -> None:
        for token in sorted(t for t in self.waiting if t <= change["new"]):
            self.waiting.pop(token)()


def _value_widgets(widget: w.Widget) -> list[w.Widget]:
    """The input widgets inside a form (anything with a value the student sets)."""
    if isinstance(widget, w.Box):
        return [v for child in widget.children for v in _value_widgets(child)]
    return [widget] if isinstance(widget, w.ValueWidget) and not isinstance(widget, (w.HTML, w.Label)) else []


# ---------------------------------------------------------------- the set a notebook uses

class ExerciseSet:
    """The questions of one exercise set, as a notebook shows them.

    ``identity`` names the notebook (recorded in its setup cell) so the backup journal never
    crosses notebooks; ``saved`` is what the notebook file on disk holds.
    """

    def __init__(self, bank: Bank, *, show_answers: bool, journal: Journal | None = None,
                 identity: str | None = None, saved: record.Saved | None = None):
        self.bank = bank
        self.show_answers = show_answers  # the instructor build: pre-fill and record the key's answers
        # the instructor build never reads or writes the journal: its outputs must be the key's answers
        self.journal = journal or (Journal(None) if show_answers else Journal.default())
        self.identity = identity or record.new_identity()
        self.saved = saved or record.Saved(None)
        self.session = _SESSION.setdefault(self.identity, {})
        self.latest: dict[str, dict | None] = {}  # qid -> the payload shown as recorded
        self.sync = ScreenSync()
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

    def restored(self, qid: str) -> tuple[str, dict] | None:
        """(where from, payload) of this question's newest recorded answer, or None."""
        return record.newest([
            (record.FROM_SESSION, self.session.get(qid)),
            (record.FROM_FILE, self.saved.answers.get(qid)),
            (record.FROM_JOURNAL, self.journal.answers(self.identity, self.saved.path).get(qid)),
        ])

    def _show(self, q: Question | None, qid: str) -> None:
        set_id = self.bank.set_id
        if q is None:
            name = w.Text(placeholder="e.g. Kim Min-ji, s1234567", layout=w.Layout(width="24em"))
            form, get, put = w.HBox([w.HTML("<b>Your name or student ID:</b>&nbsp;"), name]), (lambda: name.value.strip()), (
                lambda v: setattr(name, "value", v if isinstance(v, str) else ""))
        else:
            form, get, put = _form(q)
        qtype = q.type if q else "identity"
        origin = None
        if self.show_answers and q is not None and self.bank.answers.get(qid) is not None:
            answer = self.bank.answers[qid]
            answer = answer[0] if q.type == "scale" else answer
            self.latest[qid] = record.payload(set_id, qid, qtype, answer, submitted=False, attempts=0)
            put(answer)
        elif (found := self.restored(qid)) is not None:
            where, self.latest[qid] = found
            origin = None if where == record.FROM_SESSION else where
            put(self.latest[qid]["answer"])
        else:
            self.latest[qid] = None
        feedback, status = w.HTML(), w.HTML()
        feedback.add_class("nkhr-feedback-area")
        if self.latest[qid] is not None and q is not None:
            feedback.value = feedback_html(q, self.latest[qid]["answer"], self.bank)
        button = w.Button(description="Record my name" if q is None else "Submit answer", button_style="primary",
                          icon="check", tooltip="Record this answer in the notebook")

        touched = {"yes": False}  # set by the student's own changes (observers start after the restore)

        def show_status(change: Any = None) -> None:
            """Say so while what is on screen differs from what is recorded."""
            touched["yes"] = touched["yes"] or change is not None
            last = self.latest.get(qid)
            differs = get() != (last["answer"] if last else None) and get() not in (None, "", [], {})
            status.value = ("<small class='nkhr-unsubmitted'>⚠ Not submitted yet: press "
                            f"<b>{html.escape(button.description)}</b> to record what you see.</small>"
                            if touched["yes"] and differs else "")

        def record_now() -> None:
            answer = get()
            if q is None:
                if not answer:
                    feedback.value = _box("info", "Type your name or student ID first.")
                    return
            else:
                feedback.value = feedback_html(q, answer, self.bank)
                if validate(q, answer):
                    return  # nothing recorded: the message asks for a complete answer
            last = self.latest.get(qid)
            attempts = int(last.get("attempts", 0) or 0) + 1 if last else 1
            p = record.payload(set_id, qid, qtype, answer, submitted=True, attempts=attempts)
            self.latest[qid] = self.session[qid] = p
            handle.update(_bundle(p, q, qid), raw=True)
            if q is None:
                feedback.value = _box("good", "Recorded. Save the notebook (Ctrl+S / Cmd+S) to keep it.")
            self.journal.put(self.identity, self.saved.path, qid, p, stamp=self.saved.stamp)
            show_status(None)

        def on_click(_: Any) -> None:
            feedback.value = "<div class='nkhr-pending' role='status'>Recording…</div>"
            self.sync.then(record_now)

        button.on_click(on_click)
        for v in _value_widgets(form):
            v.observe(show_status, names="value")
        self.forms[qid] = SimpleNamespace(get=get, put=put, submit=record_now, feedback=feedback, status=status)
        display(ui.panel([form, w.HBox([button]), status, feedback], margin="4px 0 8px 0", form=True, placeholder=(
            "▶ Run this cell (Shift+Enter) to answer or change your answer; what is recorded is shown below.")))
        handle = display(_bundle(self.latest[qid], q, qid, origin), raw=True, display_id=True)

    # ------------------------------------------------------------ the set's own lines

    def header(self) -> None:
        """The setup cell's output: where answers came from, and this notebook's identity."""
        lines = []
        if not self.show_answers:
            counts: dict[str, int] = {}
            for q in [None, *self.bank.questions]:
                found = self.restored(q.id if q else STUDENT_QID)
                if found is not None:
                    counts[found[0]] = counts.get(found[0], 0) + 1
            if counts:
                parts = [f"{n} from {where}" for where, n in counts.items()]
                lines.append("Answers restored: " + ", ".join(parts) + ".")
            if self.saved.problem:
                lines.append(f"**Note:** {self.saved.problem}")
            elif self.saved.path is None:
                lines.append("This notebook's file is not known here, so answers come back only from this session.")
        text = " ".join(lines) or "Ready: answer each question below and press **Submit answer**."
        bundle = {"text/plain": text.replace("**", ""), "text/markdown": text}
        if not self.show_answers:
            bundle[record.NOTEBOOK_MIME] = {"id": self.identity, "set": self.bank.set_id}
        display(bundle, raw=True)

    def summary(self) -> None:
        """A 'check my submission' table: what is recorded, what is not, word counts; with a refresh button."""
        table = w.HTML()

        def refresh(_: Any = None) -> None:
            table.value = self._summary_html()
        button = w.Button(description="Check my submission", icon="list-check", tooltip="Refresh this summary")
        button.on_click(refresh)
        refresh()
        display(ui.panel([w.HBox([button]), table], margin="4px 0 8px 0",
                         placeholder="▶ Run this cell (Shift+Enter) to check what your notebook has recorded."))

    def _summary_html(self) -> str:
        rows, missing = [], 0
        for n, q in enumerate([None, *self.bank.questions]):
            qid = q.id if q else STUDENT_QID
            p = self.latest.get(qid)
            label = "Your name or student ID" if q is None else f"Question {n} ({html.escape(q.id)})"
            if p is None:
                missing += 1
                state = "<b>not recorded</b>"
            elif q is not None and q.manual:
                note = length_note(q, p["answer"])
                state = f"recorded, {word_count(p['answer'])} words" + (f" — ⚠ {html.escape(note)}" if note else "")
            else:
                state = "recorded"
            rows.append(f"<tr><td>{label}</td><td>{state}</td></tr>")
        total = len(self.bank.questions) + 1
        head = (f"<p><b>{total - missing} of {total}</b> recorded." +
                (" Answer the ones marked <b>not recorded</b>, then save (Ctrl+S)." if missing else
                 " Save the notebook (Ctrl+S) and hand in the file.") + "</p>")
        return head + "<table class='nkhr-summary'><tr><th>Item</th><th>Status</th></tr>" + "".join(rows) + "</table>"


class _Unavailable:
    """Stands in when a set cannot be loaded: every call shows the reason, never a traceback."""

    def __init__(self, reason: str):
        self.reason = reason

    def student(self) -> None:
        display(Markdown(f"**The exercises cannot start:** {self.reason}"))

    def ask(self, qid: str, *, show_prompt: bool = False) -> None:
        self.student()

    def summary(self) -> None:
        self.student()


def _identity_for(saved: record.Saved, journal: Journal) -> str:
    """This notebook's identity: from its file; else the one given earlier in this kernel (or, after
    a restart, in its backup) while the file is unchanged; else a new one. A file copied over the
    notebook (a blank set for the next student) is a new file, so it gets a new identity."""
    key = str(saved.path)
    earlier, stamp = _IDENTITIES.get(key, (None, None))
    ident = (saved.identity or (earlier if stamp == saved.stamp else None)
             or journal.adopt(saved.path, record.kernel_id(), saved.stamp) or record.new_identity())
    _IDENTITIES[key] = (ident, saved.stamp)
    return ident


def open_set(set_id: str, *, key: str = "student", header: bool = True) -> ExerciseSet | _Unavailable:
    """Load an exercise set for a notebook: ``key="student"`` (hashed) or ``"solutions"``.

    The student build reads the notebook's own file so its last answers come back on any computer.
    """
    try:
        if key == "solutions":
            ex = ExerciseSet(load_bank(set_id), show_answers=True, identity="instructor")
        else:
            bank = load_public(set_id)
            saved = record.read_saved(record.notebook_path(), set_id)
            journal = Journal.default()
            ex = ExerciseSet(bank, show_answers=False, journal=journal, saved=saved,
                             identity=_identity_for(saved, journal))
    except (BankError, FileNotFoundError) as exc:
        return _Unavailable(str(exc))
    if header:
        ex.header()
    return ex
