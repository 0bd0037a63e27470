"""`workbook release`: the student copy has no answers, and every lesson and set runs in it."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from nkhr.release import FOLDERS, ReleaseError, leaks, release, secrets


@pytest.fixture(scope="module")
def student_copy(tmp_path_factory):
    return release(tmp_path_factory.mktemp("release") / "workbook")


def test_release_holds_what_students_get_and_nothing_else(student_copy) -> None:
    present = {p.name for p in student_copy.iterdir()}
    assert set(FOLDERS) <= present and "README.md" in present and "Makefile" in present
    assert not {"solutions", "tests", "benchmarks", ".ci", ".git"} & present
    assert list((student_copy / "exercises" / "keys").glob("*.json")), "the hashed keys ship with the sets"


def test_release_holds_no_explanation_or_sample_answer(student_copy) -> None:
    texts = secrets()
    assert len(texts) > 50, "every bank's explanations and sample answers are checked"
    assert leaks(student_copy, texts) == []


def test_a_leak_is_caught_and_nothing_is_kept(tmp_path, monkeypatch) -> None:
    planted = secrets()[0]
    monkeypatch.setattr("nkhr.release.README", "{title}\n\n" + planted.replace("{", "{{").replace("}", "}}"))
    with pytest.raises(ReleaseError, match="README.md"):
        release(tmp_path / "leaky")
    assert not (tmp_path / "leaky").exists()


def test_release_refuses_a_folder_that_is_not_empty(tmp_path) -> None:
    (tmp_path / "keep.txt").write_text("an instructor's file")
    with pytest.raises(ReleaseError, match="not empty"):
        release(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "an instructor's file"


def test_release_command_reports_a_clear_error(tmp_path) -> None:
    (tmp_path / "x").write_text("")
    done = subprocess.run([sys.executable, "-m", "nkhr.cli", "release", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "not empty" in done.stderr and "Traceback" not in done.stderr


def test_every_lesson_and_set_runs_in_the_release(student_copy, monkeypatch) -> None:
    # the kernels import the release's own package and find the workbook from their folder
    monkeypatch.delenv("NKHR_ROOT", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(student_copy / "src"))
    notebooks = sorted((student_copy / "notebooks").glob("*.ipynb")) + sorted((student_copy / "exercises").glob("*.ipynb"))
    assert len(notebooks) == 14
    problems = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell("import nkhr, nkhr.paths; print(nkhr.__file__, nkhr.paths.project_root())"))
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                       allow_errors=True).execute()
        outputs = json.dumps([o for c in nb.cells for o in c.get("outputs", [])])
        if '"output_type": "error"' in outputs or "cannot start" in outputs or "Traceback" in outputs:
            problems.append(path.name)
        where = nb.cells[-1].outputs[0]["text"].split()
        if not (where[0].startswith(str(student_copy)) and where[1] == str(student_copy)):
            problems.append(f"{path.name} used {where}")
    assert problems == []
