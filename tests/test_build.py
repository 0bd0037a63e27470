"""The student build is generated from solutions/: regenerate it and fail on any drift."""

from __future__ import annotations

import nbformat
import pytest

from nkhr.bank import list_sets, load_bank
from nkhr.build import notebook, sources_of, student_files
from nkhr.paths import exercise_notebook

SETS = list_sets()


def test_there_are_exercise_sets() -> None:
    assert SETS, "no solutions/*.toml found"


@pytest.mark.parametrize("set_id", SETS)
def test_student_build_is_up_to_date(set_id: str, root) -> None:
    for path, text in student_files(load_bank(set_id), root / "exercises").items():
        assert path.exists(), f"{path.relative_to(root)} is missing: run `make build`"
        assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(root)} has drifted: run `make build`"


@pytest.mark.parametrize("set_id", SETS)
def test_instructor_notebook_is_up_to_date_and_executed(set_id: str, root) -> None:
    committed = nbformat.read(root / "solutions" / f"{set_id}.ipynb", as_version=4)
    assert sources_of(committed) == sources_of(notebook(load_bank(set_id), instructor=True)), "run `make build`"
    asks = [c for c in committed.cells if c.cell_type == "code" and c.source.startswith("ex.ask(")]
    assert asks and all(c.outputs for c in asks), "the instructor notebook must be committed executed"


def test_no_stray_notebooks_in_exercises(root) -> None:
    expected = {exercise_notebook(s, root / "exercises").name for s in SETS}
    found = {p.name for p in (root / "exercises").glob("*.ipynb")}
    assert found == expected, f"exercises/ should hold exactly the generated notebooks: {sorted(found ^ expected)}"
    for name in found:
        nb = nbformat.read(root / "exercises" / name, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name} has stored outputs"
