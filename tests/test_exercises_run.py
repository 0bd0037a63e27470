"""Headless: run a student notebook, simulate Submit, and find the answers in the notebook's outputs.

Runs in a temporary copy of the workbook so the journal never touches the working tree.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from nkhr import ANSWER_MIME
from nkhr.bank import load_bank

SET = "01-the-record"


@pytest.fixture
def workbook_copy(tmp_path, root, monkeypatch):
    for folder in ("readings", "solutions", "exercises"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.ipynb_checkpoints"))
    monkeypatch.setenv("NKHR_ROOT", str(tmp_path))
    return tmp_path


def run(nb, cwd, *, journal: str) -> nbformat.NotebookNode:
    import os

    os.environ["NKHR_JOURNAL"] = journal
    try:
        NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ["NKHR_JOURNAL"] = "off"
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
    nb = nbformat.read(workbook_copy / "exercises" / f"{SET}.ipynb", as_version=4)
    nb.cells.append(submit_cell(answers))
    run(nb, workbook_copy / "exercises", journal=str(workbook_copy / ".journal"))

    got = recorded(nb)
    assert set(got) == set(answers)
    for qid, answer in answers.items():
        assert got[qid]["answer"] == answer and got[qid]["submitted_at"], qid
        assert got[qid]["set"] == SET and got[qid]["attempts"] == 1
    feedback = nb.cells[-1].outputs[0]["text"]
    assert "Not quite" in feedback and "Correct." in feedback and "your instructor will read this" in feedback

    # A fresh run of the untouched notebook (cells re-run / kernel restarted) restores every answer.
    fresh = run(nbformat.read(workbook_copy / "exercises" / f"{SET}.ipynb", as_version=4),
                workbook_copy / "exercises", journal=str(workbook_copy / ".journal"))
    assert {q: p["answer"] for q, p in recorded(fresh).items()} == answers


def test_incomplete_answer_gets_a_prompt_and_records_nothing(workbook_copy) -> None:
    nb = nbformat.read(workbook_copy / "exercises" / f"{SET}.ipynb", as_version=4)
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
    nb = nbformat.read(workbook_copy / "exercises" / f"{SET}.ipynb", as_version=4)
    nb.cells.append(submit_cell({"camps-origin": "It is the same estimate Cohen gave in 2010.", "fh-2022": "Lee dates both scores to the 2022 index."}))
    run(nb, workbook_copy / "exercises", journal=str(blocker))
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert text.count("cannot be backed up") == 1
    assert set(recorded(nb)) == {"camps-origin", "fh-2022"}


def test_key_file_missing_shows_a_message_not_a_traceback(workbook_copy) -> None:
    (workbook_copy / "exercises" / "keys" / f"{SET}.json").unlink()
    nb = nbformat.read(workbook_copy / "exercises" / f"{SET}.ipynb", as_version=4)
    run(nb, workbook_copy / "exercises", journal="off")
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not any(o["output_type"] == "error" for o in outputs)
    assert any("cannot start" in json.dumps(o.get("data", {})) for o in outputs)
