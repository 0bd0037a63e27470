"""Generate the two builds of every exercise set from ``solutions/<set>.toml``.

- ``solutions/<set>.ipynb``: the instructor version (answers, explanations, rubrics, sample
  answers), committed executed so it shows and records the key's answers.
- ``exercises/<set>-exercises.ipynb`` and ``exercises/keys/<set>.json``: the student version, no outputs,
  no readable answers. A test regenerates both and fails on any drift.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .bank import Bank, load_bank, public_key, student_source
from .paths import exercise_notebook, exercises_dir, solutions_dir
from .questions import SCALE_MAX, SCALE_MIN, TYPE_NAMES, Question, answer_text

HAND_IN = (
    "## Before you hand in\n\n"
    "1. Press **Check my submission** below: it lists what is recorded and what is not.\n"
    "2. Save the notebook: **File → Save Notebook** (or Ctrl+S / Cmd+S).\n"
    "3. Hand in this `.ipynb` file as your instructor asks (for example, upload it to the LMS).\n\n"
    "Your answers live in the saved file, so they travel with it: open it on another computer and run "
    "the cells, and every recorded answer comes back."
)
# Time estimate when a bank gives no ``minutes``: a stated rule, shown to nobody as a fact.
MINUTES_PER = {"text": 10, "essay": 45}
MINUTES_DEFAULT = 2
HOW_TO = (
    "**How to answer.** Run the cells from the top (**Run → Run All Cells**). For each question, "
    "answer in the form and press **Submit answer**: you get feedback at once, and the answer is "
    "recorded under the question. You can change an answer and submit again; the last one counts. "
    "No Python is needed."
)


HOW_TO_ASSESSED = (
    "**How to answer.** Run the cells from the top (**Run → Run All Cells**). For each question, "
    "answer in the form and press **Submit answer**: the answer is recorded under the question, "
    "without saying whether it is right. This set is assessed: you can change any answer and submit "
    "again until you hand in, and the last one counts. Your instructor's feedback comes after grading. "
    "No Python is needed."
)


def _plural(n: float) -> str:
    return f"{n:g} point" + ("" if n == 1 else "s")


def question_markdown(q: Question, number: int, bank: Bank | None = None) -> str:
    """The prompt as Markdown (readable in any viewer); with ``bank``, the instructor's notes too."""
    parts = [f"### Question {number} · {TYPE_NAMES[q.type]} · {_plural(q.points)}", "", q.prompt.strip(), ""]
    if q.type in ("single", "multi", "order"):
        parts += [f"- {o}" for o in q.options] + [""]
    elif q.type == "match":
        parts += [f"- {o}" for o in q.options] + ["", "Choose from: " + "; ".join(q.choices) + "", ""]
    elif q.type == "numeric" and q.unit:
        parts += [f"Answer in {q.unit}.", ""]
    elif q.type == "scale":
        parts += [f"{SCALE_MIN} = {q.scale_labels[0]}, {SCALE_MAX} = {q.scale_labels[1]}.", ""]
    elif q.type in ("text", "essay"):
        if q.min_words or q.max_words:
            parts += [f"Length: {q.min_words}–{q.max_words} words." if q.max_words else f"At least {q.min_words} words.", ""]
        parts += ["**What a good answer does (rubric):**", "", q.rubric.strip(), ""]
    shown = q.source if bank is not None else student_source(q)
    if shown:
        parts += [f"*Based on: {shown}*", ""]
    if bank is not None:
        parts += _instructor_notes(q, bank)
    return "\n".join(parts).rstrip() + "\n"


def _instructor_notes(q: Question, bank: Bank) -> list[str]:
    extra = bank.solutions[q.id]
    answer = bank.answers.get(q.id)
    notes = ["---", "", "**Instructor notes**", ""]
    if q.manual:
        if answer:
            notes += ["*Sample answer:*", "", str(answer).strip(), ""]
    else:
        shown = f"{answer[0]}–{answer[1]}" if q.type == "scale" else answer_text(q, answer)
        tol = f" (accepted within ±{extra['tolerance']:g})" if extra.get("tolerance") else ""
        notes += [f"*Answer:* {shown}{tol}", "", f"*Explanation:* {extra['explanation'].strip()}", ""]
    return notes


def minutes(bank: Bank) -> int:
    """The set's time: the bank's ``minutes``, else 2 per objective question, 10 per short text, 45 per essay."""
    given = bank.meta.get("minutes")
    if isinstance(given, int) and given > 0:
        return given
    return sum(MINUTES_PER.get(q.type, MINUTES_DEFAULT) for q in bank.questions)


def _next_link(bank: Bank) -> str:
    """A link to the lesson after this set's lesson (empty for the last one)."""
    from .toc import lesson_title

    lessons = sorted((exercises_dir().parent / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    names = [p.stem for p in lessons]
    here = bank.meta.get("lesson", bank.set_id)
    if here not in names or names.index(here) + 1 >= len(names):
        return ""
    after = lessons[names.index(here) + 1]
    return f"**Open next:** [{lesson_title(after)}](../notebooks/{after.name})"


def _setup_source(set_id: str, key: str) -> str:
    return f'from nkhr.exercises import open_set\n\nex = open_set("{set_id}", key="{key}")'


def notebook(bank: Bank, *, instructor: bool) -> nbformat.NotebookNode:
    """One build of an exercise set as a notebook (no outputs)."""
    meta = bank.meta
    title = f"# {bank.title}" + (" — instructor version" if instructor else "")
    intro = [title, "", meta.get("intro", "").strip(), ""]
    if instructor:
        intro += [f"*Generated from `solutions/{bank.set_id}.toml` by `workbook build`: edit the TOML, not this "
                  "notebook. It shows and records the key's answers, so grading it gives full marks on every "
                  "automatically scored question.*", ""]
    n = len(bank.questions)
    intro += [f"**Time:** about {minutes(bank)} minutes · **Points:** {bank.possible:g} in all, "
              f"{n} question{'s' if n != 1 else ''}.", "",
              HOW_TO_ASSESSED if bank.mode == "assessed" and not instructor else HOW_TO]
    cells = [
        new_markdown_cell("\n".join(intro).strip() + "\n", id="intro"),
        new_code_cell(_setup_source(bank.set_id, "solutions" if instructor else "student"), id="setup"),
        new_markdown_cell("First, tell your instructor whose answers these are:", id="student-md"),
        new_code_cell("ex.student()", id="student"),
    ]
    for n, q in enumerate(bank.questions, start=1):
        section = bank.solutions.get(q.id, {}).get("section") if bank.solutions else None
        if section:
            cells.append(new_markdown_cell(section.strip() + "\n", id=f"{q.id}-section"))
        cells.append(new_markdown_cell(question_markdown(q, n, bank if instructor else None), id=f"{q.id}-prompt"))
        cells.append(new_code_cell(f'ex.ask("{q.id}")', id=f"{q.id}-ask"))
    cells.append(new_markdown_cell(HAND_IN, id="hand-in"))
    cells.append(new_code_cell("ex.summary()", id="summary"))
    outro = [meta.get("outro", "").strip(), _next_link(bank)]
    if any(outro):
        cells.append(new_markdown_cell("\n\n".join(t for t in outro if t) + "\n", id="outro"))
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "nkhr": {"set": bank.set_id, "build": "instructor" if instructor else "student"},
    }
    return nb


def _dump_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def student_files(bank: Bank, out: Path) -> dict[Path, str]:
    """The student build of one set: {path: text}."""
    return {
        exercise_notebook(bank.set_id, out): nbformat.writes(notebook(bank, instructor=False)) + "\n",
        out / "keys" / f"{bank.set_id}.json": _dump_json(public_key(bank)),
    }


def sources_of(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(cell type, source) pairs: what must match between a build and the committed notebook."""
    return [(c.cell_type, c.source) for c in nb.cells]


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel (journal off, so outputs depend only on the key)."""
    from nbclient import NotebookClient  # a test/build dependency, imported only here

    os.environ["NKHR_JOURNAL"] = "off"
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def build(set_ids: list[str] | None = None, *, run: bool = True, force: bool = False, log=print) -> list[Path]:
    """Write the student builds; (re)write and execute instructor notebooks whose cells changed
    (all of them with ``force``, e.g. after a change to the package changes their outputs)."""
    from .bank import list_sets

    written = []
    for set_id in set_ids or list_sets():
        bank = load_bank(set_id)
        for path, text in student_files(bank, exercises_dir()).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                written.append(path)
        sol_path = solutions_dir() / f"{set_id}.ipynb"
        fresh = notebook(bank, instructor=True)
        current = nbformat.read(sol_path, as_version=4) if sol_path.exists() else None
        if force or current is None or sources_of(current) != sources_of(fresh) or not _has_outputs(current):
            if run:
                log(f"executing {sol_path.name} …")
                fresh = execute(fresh, sol_path.parent)
            nbformat.write(fresh, sol_path)
            written.append(sol_path)
    for path in written:
        log(f"wrote {path.relative_to(exercises_dir().parent)}")
    return written


def execute_lessons(*, log=print) -> list[Path]:
    """Re-run every lesson in notebooks/ in place (after a package change alters their outputs)."""
    done = []
    for path in sorted((exercises_dir().parent / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        log(f"executing {path.name} …")
        nbformat.write(execute(nbformat.read(path, as_version=4), path.parent), path)
        done.append(path)
    return done


def _has_outputs(nb: nbformat.NotebookNode) -> bool:
    return any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
