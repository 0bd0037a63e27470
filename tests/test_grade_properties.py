"""Property-based tests (hypothesis==6.170.15): broken notebooks and payloads never crash the grader.

Whatever is fed in, no exception escapes, and every file ends up either graded or reported
with a reason.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import nbformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nkhr import ANSWER_MIME
from nkhr.bank import load_bank
from nkhr.grade import extract_answers, grade_notebook, grade_paths, import_manual

SET = "01-the-record"
BANK = load_bank(SET)
QIDS = [q.id for q in BANK.questions]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
answers = json_values | st.sampled_from([o for q in BANK.questions for o in q.options]) | st.lists(
    st.sampled_from([o for q in BANK.questions for o in q.options]), max_size=6) | st.text(
    alphabet="0123456789,. e+-", max_size=400)
payloads = st.fixed_dictionaries(
    {"question": st.sampled_from(QIDS + ["_student", "nope"]) | json_values, "answer": answers},
    optional={"set": st.sampled_from([SET, "02-other"]) | json_values, "submitted_at": st.text(max_size=30) | json_values,
              "correct": st.just(True), "points": st.integers(), "type": json_values},
)


def _notebook(items: list, meta: object) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["nkhr"] = meta
    for p in items:
        cell = nbformat.v4.new_code_cell("ex.ask()")
        cell.outputs = [{"output_type": "display_data", "metadata": {}, "data": {ANSWER_MIME: p, "text/plain": "x"}}]
        nb.cells.append(cell)
    return nb


notebooks = st.builds(_notebook, st.lists(payloads | json_values, max_size=8),
                      st.sampled_from([{"set": SET}, {"set": "02-other"}, None, {"set": 5}]) | json_values)
file_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    notebooks.map(lambda nb: json.dumps(nb).encode()),
    notebooks.map(lambda nb: json.dumps(nb)[: len(json.dumps(nb)) // 2].encode()),  # cut short
)


def _accounted(report, files: list[Path]) -> None:
    graded = {s.file for s in report.graded}
    problems = {f for f, _ in report.problems}
    for f in files:
        assert (str(f) in graded) != (str(f) in problems), f"{f.name}: graded and reported, or neither"


@SETTINGS
@given(st.lists(file_bodies, min_size=1, max_size=5))
def test_every_file_is_graded_or_reported(bodies: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        files = []
        for n, body in enumerate(bodies):
            files.append(subs / f"student{n}.ipynb")
            files[-1].write_bytes(body)
        report = grade_paths([subs], out=Path(tmp) / "out")
        _accounted(report, files)
        for sub in report.graded:
            assert all(0 <= s.points <= s.possible for s in sub.scores.values())
        report = grade_paths([subs], set_id=SET, out=Path(tmp) / "out")  # again, forced set, same gradebook
        _accounted(report, files)


@SETTINGS
@given(notebooks)
def test_scores_stay_in_range_and_forged_flags_do_nothing(nb: dict) -> None:
    answers, scores, notes = grade_notebook(nb, bank=BANK)
    assert set(scores) == set(QIDS)
    for q in BANK.questions:
        assert 0 <= scores[q.id].points <= q.points
    cleaned = json.loads(json.dumps(nb))
    for cell in cleaned["cells"]:
        for out in cell["outputs"]:
            p = out["data"][ANSWER_MIME]
            if isinstance(p, dict):
                for flag in ("correct", "points", "type"):
                    p.pop(flag, None)
    assert {k: v.points for k, v in grade_notebook(cleaned, bank=BANK)[1].items()} == {
        k: v.points for k, v in scores.items()}


@SETTINGS
@given(json_values)
def test_extract_answers_accepts_any_json(value: object) -> None:
    found = extract_answers(value if isinstance(value, dict) else {"cells": value})
    assert all(set(p) == {"answer", "set", "submitted_at"} for p in found.values())


@SETTINGS
@given(st.text(max_size=400))
def test_any_sheet_text_is_read_or_reported(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "sheet.csv"
        sheet.write_text(text, encoding="utf-8")
        report = import_manual([sheet], out=Path(tmp) / "out")
        assert report.imported == 0
