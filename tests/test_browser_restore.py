"""A student's answers in the real browser: they travel with the saved file, never leak into a blank
copy, and Submit records what the screen shows even when the kernel is slow; `make lab` opens
Lesson 00.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess

import nbformat
import pytest

from browser_support import (
    CELLS, ROOT, LabServer, Workbook, copy_workbook, errors_shown, open_notebook, restart_and_run_all, run_all,
    save_with_keyboard, wait_run_finished, wait_widgets_settled,
)
from nkhr.bank import load_bank
from nkhr.paths import exercise_notebook
from nkhr.questions import answer_text
from test_browser import STUDENT_ID, as_entered, cell_for, code_cells, fill, recorded, recorded_line, set_slider

pytestmark = pytest.mark.browser
SET = "00-start-here"
NAME = exercise_notebook(SET).name


def answer_everything(page, server: LabServer, wb: Workbook) -> dict:
    """Run the set, answer every question through the widgets, save; return what was entered."""
    bank = load_bank(SET)
    rel = wb.rel("exercises", NAME)
    nb = nbformat.read(wb.path / "exercises" / NAME, as_version=4)
    open_notebook(page, server, rel)
    run_all(page)
    wait_run_finished(page, code_cells(nb))
    wait_widgets_settled(page)
    entered = {q.id: as_entered(q, bank.answers[q.id]) for q in bank.questions}
    who = cell_for(page, nb, "ex.student()")
    who.locator(".widget-text input").fill(STUDENT_ID)
    who.locator("button.jupyter-button", has_text="Record my name").click()
    who.locator(".nkhr-feedback.nkhr-good").wait_for(state="visible")
    for q in bank.questions:
        cell = cell_for(page, nb, f'ex.ask("{q.id}")')
        fill(page, cell, q, entered[q.id])
        cell.locator("button.jupyter-button", has_text="Submit answer").click()
        recorded_line(cell, q.id)
    save_with_keyboard(page)
    entered["_student"] = STUDENT_ID
    return entered


def test_saved_notebook_keeps_every_answer_on_another_computer(lab_server, fresh_workbook, new_page):
    lab_pc, home = fresh_workbook(), fresh_workbook()  # two computers: each copy has its own journal
    entered = answer_everything(new_page(), lab_server, lab_pc)
    saved = lab_pc.path / "exercises" / NAME
    assert {q: p["answer"] for q, p in recorded(nbformat.read(saved, as_version=4)).items()} == entered

    # at home: a fresh copy of the workbook, no journal at all; the handed-in file copied in
    assert not (home.path / ".nkhr-journal").exists()
    shutil.copy(saved, home.path / "exercises" / "my-submission.ipynb")
    rel = home.rel("exercises", "my-submission.ipynb")
    page = new_page()
    open_notebook(page, lab_server, rel)
    restart_and_run_all(page)
    nb = nbformat.read(home.path / "exercises" / "my-submission.ipynb", as_version=4)
    wait_run_finished(page, code_cells(nb))
    wait_widgets_settled(page)
    assert errors_shown(page) == []
    n = len(load_bank(SET).questions) + 1  # and the name
    assert f"restored: {n} from the saved notebook" in page.locator(CELLS).nth(1).inner_text()
    for q in load_bank(SET).questions:
        got = recorded_line(cell_for(page, nb, f'ex.ask("{q.id}")'), q.id, timeout=5_000)
        assert got.startswith(f"Recorded answer for {q.id}: {answer_text(q, entered[q.id])}"), got
    save_with_keyboard(page)
    after = recorded(nbformat.read(home.path / "exercises" / "my-submission.ipynb", as_version=4))
    assert {q: p["answer"] for q, p in after.items()} == entered, "the re-saved file lost answers"


def test_blank_copy_on_a_used_computer_stays_blank(lab_server, fresh_workbook, new_page):
    lab_pc = fresh_workbook()
    answer_everything(new_page(), lab_server, lab_pc)
    assert list((lab_pc.path / ".nkhr-journal").glob("*.json")), "the first student's answers are backed up"
    # the next student: the blank set at the same path, on the same computer
    path = lab_pc.path / "exercises" / NAME
    shutil.copy(exercise_notebook(SET, ROOT / "exercises"), path)
    page = new_page()
    nb = nbformat.read(path, as_version=4)
    open_notebook(page, lab_server, lab_pc.rel("exercises", NAME))
    run_all(page)
    wait_run_finished(page, code_cells(nb))
    wait_widgets_settled(page)
    text = page.locator(CELLS).all_inner_texts()
    assert not any("Recorded answer for" in t for t in text), "a blank copy shows someone's answers"
    assert cell_for(page, nb, "ex.student()").locator(".widget-text input").input_value() == ""
    save_with_keyboard(page)
    assert recorded(nbformat.read(path, as_version=4)) == {}


def test_submit_records_the_value_on_screen_when_the_kernel_is_slow(lab_server, fresh_workbook, new_page):
    """The kernel is busy while the student moves the slider and presses Submit."""
    wb = fresh_workbook()
    q = next(q for q in load_bank(SET).questions if q.type == "scale")
    nb = nbformat.read(wb.path / "exercises" / NAME, as_version=4)
    page = new_page()
    open_notebook(page, lab_server, wb.rel("exercises", NAME))
    run_all(page)
    wait_run_finished(page, code_cells(nb))
    wait_widgets_settled(page)
    cell = cell_for(page, nb, f'ex.ask("{q.id}")')
    set_slider(page, cell, 5)
    # keep the kernel busy for a few seconds: a cell of its own at the end, run without waiting
    page.locator(CELLS).last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("import time; time.sleep(4)")
    page.keyboard.press("Shift+Enter")
    page.wait_for_selector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="busy"]')
    set_slider(page, cell, 8)  # three steps: the first goes out, the rest are held back in the browser
    cell.locator("button.jupyter-button", has_text="Submit answer").click()
    got = recorded_line(cell, q.id, timeout=30_000)
    assert got.startswith(f"Recorded answer for {q.id}: 8 on a scale"), got
    assert cell.locator(".nkhr-unsubmitted").count() == 0


def test_make_lab_opens_lesson_00(browser, tmp_path):
    """The command `make lab` runs, with a browser of our own: the first page is Lesson 00, no news."""
    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in dry.splitlines() if " lab " in f"{ln} " and "jupyter" in ln)
    flags = [f for f in shlex.split(line)[2:] if f != "--allow-root"]
    server = LabServer(copy_workbook(tmp_path / "workbook"), tmp_path, user_settings=False)
    server.extra_args = [f for f in flags if not f.startswith("--ServerApp.root_dir")]  # the copy is the root
    server.start()
    # what `make lab` installed for students (overrides.json), with no test settings on top
    news = server.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    widgets = server.api("GET", "/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin")
    # overrides.json changes the defaults in each plugin's schema
    assert news["schema"]["properties"]["fetchNews"]["default"] == "false"
    assert widgets["schema"]["properties"]["saveState"]["default"] is True
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(server.url("/"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=30_000)
        assert page.url.split("?")[0].endswith("/lab/tree/notebooks/00-start-here.ipynb"), page.url
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
        assert tab.inner_text() == "00-start-here.ipynb"
        page.locator(".jp-NotebookPanel .jp-MarkdownCell h1", has_text="Start here").wait_for(timeout=30_000)
    finally:
        context.close()
        server.stop()
