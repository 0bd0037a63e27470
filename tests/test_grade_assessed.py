"""Assessed mode: no key, no explanations and no right/wrong feedback in the student build; the grader still scores."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import nbformat
import pytest

from nkhr.bank import BankError, load_bank, load_public, public_key
from nkhr.build import HOW_TO, HOW_TO_ASSESSED, student_files
from nkhr.exercises import feedback_html
from nkhr.paths import exercise_notebook, solutions_dir

SET = "01-the-record"


def _bank(tmp_path: Path, mode: str):
    text = (solutions_dir() / f"{SET}.toml").read_text(encoding="utf-8")
    path = tmp_path / f"{SET}.toml"
    path.write_text(f'mode = "{mode}"\n' + text, encoding="utf-8")
    return load_bank(SET, path)


def test_practice_is_the_default(tmp_path: Path) -> None:
    assert load_bank(SET).mode == "practice"
    with pytest.raises(BankError, match="mode"):
        _bank(tmp_path, "exam")


def test_assessed_student_build_holds_no_key_and_no_explanations(tmp_path: Path) -> None:
    bank = _bank(tmp_path, "assessed")
    files = student_files(bank, tmp_path / "build")
    key_text = files[tmp_path / "build" / "keys" / f"{SET}.json"]
    key = json.loads(key_text)
    assert key["meta"]["mode"] == "assessed"
    assert all("accept" not in q and "locked_explanation" not in q for q in key["questions"])
    nb = nbformat.reads(files[exercise_notebook(SET, tmp_path / "build")], as_version=4)
    text = key_text + "".join(c.source for c in nb.cells)
    explained = [bank.solutions[q.id]["explanation"].strip() for q in bank.questions if not q.manual]
    assert explained and not [e for e in explained if e[:60] in text]
    assert HOW_TO_ASSESSED in nb.cells[0].source and HOW_TO not in nb.cells[0].source
    practice = json.loads(json.dumps(public_key(load_bank(SET))))  # the practice build keeps its self-check
    assert all("accept" in q for q in practice["questions"] if q["type"] not in ("text", "essay"))


def test_assessed_feedback_says_recorded_not_right_or_wrong(tmp_path: Path) -> None:
    from test_grade import wrong

    bank = _bank(tmp_path, "assessed")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(public_key(bank)), encoding="utf-8")
    student = load_public(SET, keys)
    q = student.question("camps-origin")
    for answer in q.options:
        shown = feedback_html(q, answer, student)
        assert "Recorded — you can change it until you hand in" in shown
        assert "Correct" not in shown and "Not quite" not in shown
    practice = load_public(SET)
    assert "Not quite" in feedback_html(q, wrong("camps-origin"), practice)


def test_grader_scores_an_assessed_set_from_the_instructor_key(tmp_path: Path, monkeypatch) -> None:
    import nkhr.grade as grade
    from test_grade import key_answers, notebook, save

    bank = _bank(tmp_path, "assessed")
    monkeypatch.setattr(grade, "load_bank", lambda set_id: bank)
    report = grade.grade_paths([save(notebook(key_answers(), student="kim"), tmp_path / "k.ipynb")],
                               out=tmp_path / "out")
    assert report.graded[0].points == sum(q.points for q in bank.questions if not q.manual)


def test_each_bank_scores_with_its_own_key(tmp_path: Path) -> None:
    """Scores are cached per distinct answer: a new bank (a corrected key) is never answered from an old one."""
    from nkhr.grade import grade_notebook
    from test_grade import notebook, right, wrong

    text = (solutions_dir() / f"{SET}.toml").read_text(encoding="utf-8")
    keyed = f"answer = {json.dumps(right('camps-origin'), ensure_ascii=False)}"  # the key's line in the TOML (a basic string)
    assert text.count(keyed) == 1
    nb = notebook({"camps-origin": wrong("camps-origin")})
    for n in range(12):  # banks come and go, as in a long session: their ids get reused
        key = wrong("camps-origin") if n % 2 else right("camps-origin")
        path = tmp_path / f"{SET}.toml"
        path.write_text(text.replace(keyed, f"answer = {json.dumps(key, ensure_ascii=False)}", 1), encoding="utf-8")
        bank = load_bank(SET, path)
        assert grade_notebook(nb, bank=bank)[1]["camps-origin"].status == ("correct" if n % 2 else "incorrect")
        del bank
        gc.collect()
