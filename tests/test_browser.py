"""The workbook as a student uses it: JupyterLab in Debian's Chromium, driven by Playwright.

For every lesson: clear outputs, run all, and check that no cell shows an error, every chart
that the committed lesson shows is drawn, and every widget renders. For every exercise set:
answer every question through the widgets (one wrong first), check the feedback, save with
Ctrl+S, read the saved ``.ipynb`` from disk, close and reopen it, restart and run all, and check
the journal restores every answer; then grade the saved file with ``workbook grade``.

Runs with ``pytest -m browser``; without Chromium or playwright it skips with one line saying how
to enable it (and fails when ``CI=true``). The server, browser and pages are the shared fixtures
of ``browser_support.py``; a failing test leaves screenshots in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from browser_support import (
    CELLS, ROOT, SCREENSHOTS, LabServer, clear_all_outputs, errors_shown, open_dialog_text, open_notebook,
    restart_and_run_all, run_all, save_with_keyboard, wait_kernel_caught_up, wait_run_finished,
    wait_widgets_settled, widget_problems,
)
from nkhr import ANSWER_MIME
from nkhr.questions import SCALE_MAX, SCALE_MIN, answer_text

pytestmark = pytest.mark.browser

LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
STUDENT_ID = "Browser Tester s0000001"
SAVED: dict[str, tuple[Path, str, list[str]]] = {}  # exercise notebook -> (saved file, set, question ids)


def _params(names: list[str], what: str) -> list:
    return names or [pytest.param(None, marks=pytest.mark.skip(reason=f"no {what} found"))]


# ---------------------------------------------------------------- helpers

def code_cells(nb) -> list[int]:
    """Indices (among all cells) of the code cells that run: empty ones never get a number."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]


def run_fresh(page, lab: LabServer, rel: str, nb) -> None:
    open_notebook(page, lab, rel)
    clear_all_outputs(page)
    run_all(page)
    wait_run_finished(page, code_cells(nb))
    assert open_dialog_text(page) is None, f"{rel}: a dialog is open: {open_dialog_text(page)}"
    wait_widgets_settled(page)


def recorded(nb) -> dict[str, dict]:
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            p = o.get("data", {}).get(ANSWER_MIME)
            if isinstance(p, dict):
                out[p.get("question")] = p
    return out


def as_entered(q, answer):
    """The answer in the form the widgets produce and the notebook records."""
    if q.type == "numeric":
        return f"{answer:,}" if isinstance(answer, int) or float(answer).is_integer() else str(answer)
    if q.type == "scale":
        return int(answer[0])
    return answer


def wrong_answer(q, right):
    """A clearly wrong answer of the right shape, for the one deliberate mistake."""
    if q.type == "single":
        return next(o for o in q.options if o != right)
    if q.type == "numeric":
        return "-999,999"
    if q.type == "order":
        return list(reversed(right))
    if q.type == "match":
        return {o: next(c for c in q.choices if c != right[o]) for o in q.options}
    if q.type == "multi":
        return [o for o in q.options if o not in right] or []
    if q.type == "scale":
        return SCALE_MAX if right[0] > (SCALE_MIN + SCALE_MAX) / 2 else SCALE_MIN if right[1] < SCALE_MAX else None
    raise AssertionError(q.type)


def fill(page, cell, q, answer) -> None:
    """Enter ``answer`` into question ``q``'s form, through the widgets only."""
    if q.type == "single":
        try:
            cell.get_by_role("radio", name=answer, exact=True).check(timeout=5_000)
        except Exception:  # playwright's TimeoutError: show the student's problem, with a picture
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"cannot-click-{q.id}.png"
            cell.screenshot(path=str(shot))
            raise AssertionError(
                f"{q.id}: the radio button for {answer!r} cannot be clicked: another option's label lies "
                f"over it (long option text overflowing its row?). See {shot.relative_to(ROOT)}") from None
    elif q.type == "multi":
        for o in q.options:
            box = cell.get_by_role("checkbox", name=o, exact=True)
            box.set_checked(o in answer)
    elif q.type in ("order", "match"):
        selects = cell.locator(".widget-dropdown select")
        assert selects.count() == len(q.options), f"{q.id}: expected {len(q.options)} dropdowns"
        values = answer if q.type == "order" else [answer.get(o) for o in q.options]
        for k, v in enumerate(values):
            selects.nth(k).select_option(label=v if v is not None else "— choose —")
    elif q.type == "numeric":
        cell.locator(".widget-text input").fill(str(answer))
    elif q.type == "scale":
        set_slider(page, cell, int(answer))
    elif q.type in ("text", "essay"):
        cell.locator(".widget-textarea textarea").fill(answer)
    else:
        raise AssertionError(q.type)


def set_slider(page, cell, target: int) -> None:
    """Move the noUiSlider handle with the arrow keys until the readout shows ``target``."""
    handle = cell.locator(".noUi-handle")
    readout = cell.locator(".widget-readout")
    handle.focus()
    for _ in range(SCALE_MAX - SCALE_MIN + 1):
        current = int(readout.inner_text().strip())
        if current == target:
            break
        page.keyboard.press("ArrowLeft" if current > target else "ArrowRight")
    assert int(readout.inner_text().strip()) == target


def expected_feedback(q, bank) -> str:
    """The feedback box a right answer gets: 'good', or 'info' for written answers and for a scale
    that accepts every position (a personal view, answered with 'Recorded')."""
    if q.manual or (q.type == "scale" and bank.answers[q.id] == [0, 10]):
        return "nkhr-info"
    return "nkhr-good"


def submit(page, cell, q, expect_class: str | tuple[str, ...]) -> None:
    wait_kernel_caught_up(page)  # every value the widgets sent has reached the kernel
    cell.locator("button.jupyter-button", has_text="Submit answer").click()
    classes = (expect_class,) if isinstance(expect_class, str) else expect_class
    sel = ", ".join(f".nkhr-feedback.{c}" for c in classes)
    cell.locator(sel).first.wait_for(state="visible", timeout=15_000)


_LINE_SHOWN_JS = """
([cell, want]) => [...cell.querySelectorAll('.jp-OutputArea-output')]
  .some(o => (o.innerText || '').split(/\\s+/).join(' ').trim() === want)
"""


def recorded_line(cell, qid: str, want: str | None = None, timeout: float = 15_000) -> str:
    """The "Recorded answer for <qid>: …" line under a question, waiting for it to appear.

    With ``want``, waits (up to ``timeout``) for the line to read ``want``: after a second
    submission the earlier line stays on screen until the kernel's update arrives. Returns what
    the line shows either way; the caller compares."""
    line = cell.locator(".jp-OutputArea-output", has_text=f"Recorded answer for {qid}:")
    try:
        line.first.wait_for(state="visible", timeout=timeout)
    except Exception:  # playwright's TimeoutError: say what the student sees instead
        shown = " | ".join(" ".join(t.split()) for t in cell.locator(".jp-OutputArea-output").all_inner_texts())
        raise AssertionError(f"{qid}: no 'Recorded answer for {qid}' line; the cell shows: {shown[:400]}") from None
    if want is not None:
        try:
            cell.page.wait_for_function(_LINE_SHOWN_JS, arg=[cell.element_handle(), want], timeout=timeout, polling=100)
        except Exception:  # playwright's TimeoutError: the caller's comparison says what is shown
            pass
    return " ".join(line.first.inner_text().split())


def cell_for(page, nb, call: str):
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and call in c.source:
            return page.locator(CELLS).nth(i)
    raise AssertionError(f"no cell calls {call}")


# ---------------------------------------------------------------- lessons

@pytest.mark.parametrize("name", _params(LESSONS, "lessons in notebooks/"))
def test_lesson_runs_in_the_browser(lab_server, workbook, lab_page, name):
    page, lab = lab_page, lab_server
    rel = workbook.rel("notebooks", name)
    committed = nbformat.read(workbook.path / "notebooks" / name, as_version=4)
    run_fresh(page, lab, rel, committed)
    try:
        assert errors_shown(page) == [], f"{name}: a cell shows an error"
        cells = page.locator(CELLS)
        assert cells.count() == len(committed.cells)
        missing = []
        for i, c in enumerate(committed.cells):
            had_png = c.cell_type == "code" and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))
            if had_png and cells.nth(i).locator(".jp-OutputArea-output img").count() == 0:
                missing.append(i)
        assert not missing, f"{name}: cells {missing} had a chart in the committed lesson but draw none now"
        assert widget_problems(page) == [], f"{name}: a widget did not render"
        had_widget = any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                         for c in committed.cells if c.cell_type == "code" for o in c.get("outputs", []))
        if had_widget:
            assert page.locator(f"{CELLS} .jupyter-widgets").count() > 0, f"{name}: no widget rendered"
    finally:
        lab.shutdown_sessions(rel)


# ---------------------------------------------------------------- exercise sets

@pytest.mark.parametrize("name", _params(EXERCISES, "exercise notebooks in exercises/"))
def test_exercises_answered_saved_and_restored(lab_server, workbook, lab_page, name):
    from nkhr.bank import load_bank

    page, lab = lab_page, lab_server
    rel = workbook.rel("exercises", name)
    path = workbook.path / "exercises" / name
    student_nb = nbformat.read(path, as_version=4)
    set_id = student_nb.metadata.get("nkhr", {}).get("set") or Path(name).stem
    bank = load_bank(set_id)  # the instructor's bank: the right answers
    questions = [q for q in bank.questions if f'ex.ask("{q.id}")' in "".join(c.source for c in student_nb.cells)]
    assert questions, f"{name}: no questions found"
    entered = {q.id: as_entered(q, bank.answers[q.id]) for q in questions}

    run_fresh(page, lab, rel, student_nb)
    assert errors_shown(page) == [] and widget_problems(page) == []

    # whose answers these are
    who = cell_for(page, student_nb, "ex.student()")
    who.locator(".widget-text input").fill(STUDENT_ID)
    who.locator("button.jupyter-button", has_text="Record my name").click()
    who.locator(".nkhr-feedback.nkhr-good").wait_for(state="visible")

    # one deliberate mistake first, on the first auto-scored question that has a clear wrong answer
    wrong_q = next((q for t in ("single", "numeric", "match", "order", "multi")
                    for q in questions if q.type == t), None)
    if wrong_q is not None:
        cell = cell_for(page, student_nb, f'ex.ask("{wrong_q.id}")')
        fill(page, cell, wrong_q, wrong_answer(wrong_q, bank.answers[wrong_q.id]))
        submit(page, cell, wrong_q, ("nkhr-bad",) if wrong_q.type in ("single", "numeric") else ("nkhr-bad", "nkhr-part"))
        if wrong_q.type in ("single", "numeric"):
            assert "Not quite" in cell.locator(".nkhr-feedback").inner_text()

    for q in questions:
        cell = cell_for(page, student_nb, f'ex.ask("{q.id}")')
        fill(page, cell, q, entered[q.id])
        submit(page, cell, q, expected_feedback(q, bank))
        feedback = cell.locator(".nkhr-feedback").inner_text()
        if q.manual:
            assert "your instructor will read this" in feedback
        elif expected_feedback(q, bank) == "nkhr-info":
            assert feedback.startswith("Recorded"), f"{q.id}: {feedback}"
        else:
            assert feedback.startswith("Correct"), f"{q.id}: {feedback}"
        want = " ".join(f"Recorded answer for {q.id}: {answer_text(q, entered[q.id])}".split())
        got = recorded_line(cell, q.id, want)
        assert got == want, f"{q.id}: the notebook shows {got!r}"

    save_with_keyboard(page)

    # the saved file on disk is the submission
    saved = nbformat.read(path, as_version=4)
    answers = recorded(saved)
    assert answers.get("_student", {}).get("answer") == STUDENT_ID
    for q in questions:
        assert q.id in answers, f"{q.id}: no recorded answer in the saved notebook"
        assert answers[q.id]["answer"] == entered[q.id], f"{q.id}: saved {answers[q.id]['answer']!r}"
        assert answers[q.id]["set"] == set_id
    if wrong_q is not None:
        tries = answers[wrong_q.id]["attempts"]
        assert tries == 2, f"{wrong_q.id}: {tries} attempt(s) saved, not 2 (one wrong, then right)"

    # close it, reopen it, restart and run all: the journal brings every answer back
    again = page
    try:
        open_notebook(again, lab, rel)  # closes the open tab first
        clear_all_outputs(again)  # not saved: the file on disk still holds every answer, and brings it back
        restart_and_run_all(again)
        wait_run_finished(again, code_cells(saved))
        wait_widgets_settled(again)
        assert errors_shown(again) == []
        for q in questions:
            cell = cell_for(again, saved, f'ex.ask("{q.id}")')
            want = " ".join(f"Recorded answer for {q.id}: {answer_text(q, entered[q.id])}".split())
            got = recorded_line(cell, q.id, want, timeout=5_000)  # the run has finished: it is there or not
            assert got == f"{want} (restored from the saved notebook)", f"{q.id}: not restored: {got!r}"
            expected = expected_feedback(q, bank)
            assert cell.locator(f".nkhr-feedback.{expected}").count() == 1, f"{q.id}: feedback not restored"
    finally:
        lab.shutdown_sessions(rel)

    SAVED[name] = (path, set_id, [q.id for q in questions])


@pytest.mark.parametrize("name", _params(EXERCISES, "exercise notebooks in exercises/"))
def test_browser_saved_submission_grades_full_marks(workbook, name, tmp_path, monkeypatch, capsys):
    """Grade the notebook the browser saved with ``workbook grade``: full automatic points.

    The command runs in this process (``nkhr.cli.main``, as the ``workbook`` script does), so the
    test does not pay a new interpreter and its imports for every set."""
    from nkhr.bank import load_bank
    from nkhr.cli import main

    if name not in SAVED:
        pytest.skip(f"{name} was not answered and saved in the browser (see the test above)")
    path, set_id, qids = SAVED[name]
    bank = load_bank(set_id)
    questions = [bank.question(q) for q in qids]
    out = tmp_path
    monkeypatch.setenv("NKHR_ROOT", str(workbook.path))
    monkeypatch.setenv("NKHR_JOURNAL", "off")
    code = main(["grade", str(path), "--out", str(out / "graded")])
    printed = capsys.readouterr()
    assert code == 0, f"workbook grade failed:\n{printed.out}\n{printed.err}"
    auto = [q for q in questions if not q.manual]
    rows = []
    for f in sorted((out / "graded").rglob("*.csv")):
        with f.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            cols = {q.id: next((h for h in reader.fieldnames or [] if h == q.id or h.endswith(f":{q.id}")), None)
                    for q in auto}
            if all(cols.values()):
                rows += [(f, r, cols) for r in reader]
    assert rows, f"no CSV in {out / 'graded'} has a column for each question {[q.id for q in auto]}"
    assert len(rows) == 1, f"expected one graded student, got {len(rows)}"
    f, row, cols = rows[0]
    assert STUDENT_ID in " ".join(row.values()) or Path(name).stem in " ".join(row.values()), row
    got = {q.id: float(row[cols[q.id]]) for q in auto}
    assert got == {q.id: float(q.points) for q in auto}, f"{f.name}: {got}"


# ---------------------------------------------------------------- the shared fixtures themselves

def test_fresh_workbook_is_a_new_untouched_copy_served_by_the_same_server(lab_server, workbook, fresh_workbook):
    """A second student's copy: its own folder in the one server's root, with the committed files."""
    copy = fresh_workbook()
    assert copy.prefix != workbook.prefix and copy.path.parent == workbook.path.parent == lab_server.root
    served = lab_server.api("GET", f"/api/contents/{copy.rel('exercises')}")
    assert {c["name"] for c in served["content"]} >= set(EXERCISES)
    for name in EXERCISES:
        assert (copy.path / "exercises" / name).read_bytes() == (ROOT / "exercises" / name).read_bytes(), name
    assert not (copy.path / ".nkhr-journal").exists()
