"""Headless: run a student notebook, simulate Submit, and find the answers in the notebook's outputs.

Runs in a temporary copy of the workbook so the journal never touches the working tree.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nkhr import ANSWER_MIME
from nkhr.bank import load_bank

ROOT = Path(__file__).resolve().parents[1]
from nkhr.paths import exercise_notebook

SET = "01-the-record"


@pytest.fixture
def workbook_copy(tmp_path, root, monkeypatch):
    for folder in ("readings", "solutions", "exercises"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.ipynb_checkpoints"))
    monkeypatch.setenv("NKHR_ROOT", str(tmp_path))
    return tmp_path


def run(nb, cwd, *, journal: str, session: Path | None = None) -> nbformat.NotebookNode:
    """Run ``nb`` in a fresh kernel; ``session`` is the notebook file the kernel is told it runs
    (as JupyterLab does with JPY_SESSION_NAME)."""
    os.environ["NKHR_JOURNAL"] = journal
    if session is not None:
        os.environ["JPY_SESSION_NAME"] = str(session)
    try:
        NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ["NKHR_JOURNAL"] = "off"
        os.environ.pop("JPY_SESSION_NAME", None)
    return nb


def recorded(nb) -> dict[str, dict]:
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            p = o.get("data", {}).get(ANSWER_MIME)
            if p:
                out[p["question"]] = p
    return out


def submit_cell(answers: dict) -> nbformat.NotebookNode:
    lines = [f"ex.forms[{qid!r}].put({answer!r}); ex.forms[{qid!r}].submit()" for qid, answer in answers.items()]
    lines.append("print({q: ex.forms[q].feedback.value for q in %r})" % list(answers))
    return nbformat.v4.new_code_cell("\n".join(lines))


def test_submit_records_answers_in_the_notebook_and_the_journal_restores_them(workbook_copy) -> None:
    bank = load_bank(SET)
    answers = {q.id: (bank.answers[q.id][0] if q.type == "scale" else bank.answers[q.id]) for q in bank.questions}
    answers.update({q.id: f"{answers[q.id]:,}" for q in bank.questions if q.type == "numeric"})  # typed as text
    answers["camps-origin"] = "It is the same estimate Cohen gave in 2010."  # one wrong answer on purpose
    answers["_student"] = "Test Student"
    nb = nbformat.read(exercise_notebook(SET, workbook_copy / "exercises"), as_version=4)
    nb.cells.append(submit_cell(answers))
    run(nb, workbook_copy / "exercises", journal=str(workbook_copy / ".journal"))

    got = recorded(nb)
    assert set(got) == set(answers)
    for qid, answer in answers.items():
        assert got[qid]["answer"] == answer and got[qid]["submitted_at"], qid
        assert got[qid]["set"] == SET and got[qid]["attempts"] == 1
    feedback = nb.cells[-1].outputs[0]["text"]
    assert "Not quite" in feedback and "Correct." in feedback and "your instructor will read this" in feedback


def answered_set(workbook_copy: Path, journal: str) -> tuple[dict, Path]:
    """Answer every question of the set in ``exercises/``, save it there; return the answers and the file."""
    bank = load_bank(SET)
    answers = {q.id: (bank.answers[q.id][0] if q.type == "scale" else bank.answers[q.id]) for q in bank.questions}
    answers.update({q.id: str(answers[q.id]) for q in bank.questions if q.type == "numeric"})  # typed as text
    answers["_student"] = "Test Student"
    path = exercise_notebook(SET, workbook_copy / "exercises")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(submit_cell(answers))
    run(nb, path.parent, journal=journal, session=path)
    nb.cells.pop()  # the simulated clicks are not part of the student's notebook
    nbformat.write(nb, path)
    return answers, path


def test_saved_notebook_restores_itself_on_another_computer(workbook_copy, tmp_path_factory, monkeypatch) -> None:
    answers, path = answered_set(workbook_copy, journal=str(workbook_copy / ".journal"))
    # another computer: a fresh copy of the workbook, no journal; the saved file is copied in
    other = tmp_path_factory.mktemp("other-computer")
    for folder in ("readings", "exercises"):
        shutil.copytree(workbook_copy / folder, other / folder)
    target = other / "exercises" / "handed-in.ipynb"
    shutil.copy(path, target)
    monkeypatch.setenv("NKHR_ROOT", str(other))
    rerun = run(nbformat.read(target, as_version=4), target.parent, journal=str(other / ".journal"), session=target)
    assert {q: p["answer"] for q, p in recorded(rerun).items()} == answers
    shown = json.dumps([o.get("data", {}) for c in rerun.cells for o in c.get("outputs", [])])
    assert "restored from the saved notebook" in shown


def test_blank_copy_never_inherits_another_students_answers(workbook_copy) -> None:
    journal = str(workbook_copy / ".journal")
    answered_set(workbook_copy, journal=journal)
    assert list((workbook_copy / ".journal").glob("*.json")), "the first student's answers are backed up"
    blank = exercise_notebook(SET, workbook_copy / "exercises")
    shutil.copy(exercise_notebook(SET, ROOT / "exercises"), blank)  # the next student: a blank copy, same path
    rerun = run(nbformat.read(blank, as_version=4), blank.parent, journal=journal, session=blank)
    assert recorded(rerun) == {}


def test_newer_backup_wins_over_the_file_and_says_so(workbook_copy) -> None:
    journal = workbook_copy / ".journal"
    answers, path = answered_set(workbook_copy, journal=str(journal))
    [backup] = journal.glob("*.json")
    data = json.loads(backup.read_text())
    data["answers"]["abductees-derived"] = dict(data["answers"]["abductees-derived"], answer="99",
                                         submitted_at="2999-01-01T00:00:00.000+00:00")
    backup.write_text(json.dumps(data))
    rerun = run(nbformat.read(path, as_version=4), path.parent, journal=str(journal), session=path)
    got = recorded(rerun)
    assert got["abductees-derived"]["answer"] == "99" and got["figure-kinds"]["answer"] == answers["figure-kinds"]
    assert "restored from this computer's backup" in json.dumps([c.get("outputs") for c in rerun.cells])


@pytest.mark.parametrize("content, expected", [
    (b"{not json", "could not be read"),
    (None, "was not found"),
])
def test_unreadable_notebook_file_gives_one_line_and_no_traceback(workbook_copy, content, expected) -> None:
    path = exercise_notebook(SET, workbook_copy / "exercises")
    nb = nbformat.read(path, as_version=4)
    target = path.parent / "elsewhere.ipynb"
    if content is not None:
        target.write_bytes(content)
    run(nb, path.parent, journal="off", session=target)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not any(o["output_type"] == "error" for o in outputs)
    assert sum(expected in json.dumps(o.get("data", {})) for o in outputs) == 1


def test_answers_of_another_set_are_not_restored(workbook_copy) -> None:
    _, path = answered_set(workbook_copy, journal="off")
    other = exercise_notebook("03-un-mechanisms", workbook_copy / "exercises")
    shutil.copy(path, other)  # set 01's answers saved under set 03's name
    nb = nbformat.read(exercise_notebook("03-un-mechanisms", ROOT / "exercises"), as_version=4)
    run(nb, other.parent, journal="off", session=other)
    assert recorded(nb) == {}
    assert "another exercise set (01-the-record)" in json.dumps([c.get("outputs") for c in nb.cells])


def test_short_written_answer_is_recorded_with_a_warning(workbook_copy) -> None:
    bank = load_bank(SET)
    q = next(q for q in bank.questions if q.manual and q.min_words)
    nb = nbformat.read(exercise_notebook(SET, workbook_copy / "exercises"), as_version=4)
    nb.cells.append(submit_cell({q.id: "Too short to count."}))
    run(nb, workbook_copy / "exercises", journal="off")
    assert recorded(nb)[q.id]["answer"] == "Too short to count."
    assert f"below the {q.min_words}-word minimum" in nb.cells[-1].outputs[0]["text"]


def test_incomplete_answer_gets_a_prompt_and_records_nothing(workbook_copy) -> None:
    nb = nbformat.read(exercise_notebook(SET, workbook_copy / "exercises"), as_version=4)
    bank = load_bank(SET)
    first_event = bank.answers["record-order"][0]
    first_figure = bank.question("figure-kinds").options[0]
    nb.cells.append(submit_cell({"record-order": [first_event], "figure-kinds": {first_figure: bank.question("figure-kinds").choices[0]}, "fh-2022": None}))
    run(nb, workbook_copy / "exercises", journal="off")
    text = nb.cells[-1].outputs[0]["text"]
    assert "Give every position a choice" in text and "Choose a match for each line (2 still open)" in text
    assert "Choose or write an answer first" in text
    assert recorded(nb) == {}


def test_unwritable_journal_warns_once_and_still_records(workbook_copy) -> None:
    blocker = workbook_copy / "not-a-folder"
    blocker.write_text("a file where the journal folder should be")
    nb = nbformat.read(exercise_notebook(SET, workbook_copy / "exercises"), as_version=4)
    nb.cells.append(submit_cell({"camps-origin": "It is the same estimate Cohen gave in 2010.", "fh-2022": "Lee dates both scores to the 2022 index."}))
    run(nb, workbook_copy / "exercises", journal=str(blocker))
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert text.count("cannot be backed up") == 1
    assert set(recorded(nb)) == {"camps-origin", "fh-2022"}


def test_key_file_missing_shows_a_message_not_a_traceback(workbook_copy) -> None:
    (workbook_copy / "exercises" / "keys" / f"{SET}.json").unlink()
    nb = nbformat.read(exercise_notebook(SET, workbook_copy / "exercises"), as_version=4)
    run(nb, workbook_copy / "exercises", journal="off")
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not any(o["output_type"] == "error" for o in outputs)
    assert any("cannot start" in json.dumps(o.get("data", {})) for o in outputs)


def test_unknown_notebook_path_says_so_once_and_still_records(workbook_copy) -> None:
    nb = nbformat.read(exercise_notebook(SET, workbook_copy / "exercises"), as_version=4)
    nb.cells.append(submit_cell({"fh-2022": "Lee dates both scores to the 2022 index."}))
    run(nb, workbook_copy / "exercises", journal="off")  # no JPY_SESSION_NAME: as under nbclient
    outputs = [json.dumps(o) for c in nb.cells for o in c.get("outputs", [])]
    assert sum("file is not known here" in o for o in outputs) == 1
    assert not any('"output_type": "error"' in o for o in outputs)
    assert set(recorded(nb)) == {"fh-2022"}
