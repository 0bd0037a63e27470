"""Property-based tests (hypothesis==6.170.15): broken notebooks and payloads never crash the grader.

Whatever is fed in, no exception escapes, and every file ends up either graded or reported
with a reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import nbformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nkhr import ANSWER_MIME
from nkhr.bank import load_bank
from nkhr.grade import extract_answers, grade_notebook, grade_paths, import_manual
from nkhr.gradeio import say
from test_grade import notebook, save, wrong

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


# ---------------------------------------------------------------- hostile input (issue 16)

surrogates = st.integers(min_value=0xD800, max_value=0xDFFF).map(chr)  # st.characters() leaves these out
hostile_text = st.text(alphabet=surrogates | st.characters(max_codepoint=0x2070) | st.sampled_from("\x1b\x07\u202e"),
                       max_size=20)


def _strict_ascii_summary(report) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    assert say(report.summary(), stream)


def _no_controls(out: Path) -> None:
    for f in out.glob("*.csv"):
        text = f.read_text(encoding="utf-8-sig")
        assert not any(c in text for c in "\x1b\x07\u202e\x00"), f.name


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(QIDS + ["_student"]) | hostile_text, hostile_text | answers), max_size=6),
       hostile_text, st.sampled_from([SET, None]) | hostile_text)
def test_lone_surrogates_and_control_characters_anywhere(items, student, set_id) -> None:
    """JSON escapes for lone surrogates, in names, answers, question and set ids: graded or reported."""
    nb = _notebook([{"question": q, "answer": a, "set": set_id} for q, a in items]
                   + [{"question": "_student", "answer": student, "set": SET}], {"set": set_id})
    body = json.dumps(nb, ensure_ascii=True).encode()  # lone surrogates become \\udXXX escapes
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        (subs / "x.ipynb").write_bytes(body)
        save(notebook({"camps-origin": wrong("camps-origin")}, student="good"), subs / "good.ipynb")
        report = grade_paths([subs], out=Path(tmp) / "out")
        assert len(report.graded) + len(report.problems) == 2
        assert any(s.file.endswith("good.ipynb") for s in report.graded)
        _strict_ascii_summary(report)
        _no_controls(Path(tmp) / "out")


@SETTINGS
@given(st.lists(st.binary(min_size=1, max_size=12).filter(  # hidden files (".x") are skipped by design
    lambda b: b"/" not in b and b"\x00" not in b and not b.startswith(b".")),
                min_size=1, max_size=4, unique=True))
def test_any_file_name_bytes(names: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subs = os.fsencode(tmp) + b"/subs"
        os.mkdir(subs)
        body = json.dumps(notebook({"camps-origin": wrong("camps-origin")}, student="kim")).encode()
        made = 0
        for n, name in enumerate(names):
            try:
                with open(subs + b"/" + name + b"%d.ipynb" % n, "wb") as fh:
                    fh.write(body)
                made += 1
            except OSError:  # a name this file system refuses
                continue
        report = grade_paths([os.fsdecode(subs)], out=Path(tmp) / "out")
        assert len(report.graded) + len(report.problems) >= made  # each file graded, or reported by name
        assert len(report.graded) <= 1  # one student (kim): several files are reported, not guessed
        _strict_ascii_summary(report)
        _no_controls(Path(tmp) / "out")


old_notebooks = st.fixed_dictionaries(
    {"nbformat": st.integers(min_value=1, max_value=3)},
    optional={"nbformat_minor": json_values, "worksheets": st.lists(
        st.fixed_dictionaries({"cells": st.lists(st.dictionaries(
            st.sampled_from(["cell_type", "outputs", "input", "source", "metadata", "prompt_number"]),
            json_values | st.just("code") | st.just([{"output_type": "display_data",
                                                        ANSWER_MIME: {"question": QIDS[0], "answer": "x"}}])),
            max_size=3)}), max_size=2) | json_values, "cells": json_values, "metadata": json_values})


@SETTINGS
@given(old_notebooks)
def test_old_notebook_formats_are_read_or_reported(nb: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "old.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        report = grade_paths([path], set_id=SET, out=Path(tmp) / "out")
        assert len(report.graded) + len(report.problems) == 1


@SETTINGS
@given(st.binary(min_size=5, max_size=5), st.integers(min_value=0, max_value=2 ** 32 - 1),
       st.integers(min_value=0, max_value=2 ** 32 - 1), st.booleans())
def test_zips_with_bad_names_and_lying_sizes(name: bytes, local_size: int, central_size: int, deflate: bool) -> None:
    """Member names with any bytes (UTF-8 flag set) and size headers that lie: the zip is read or reported,
    and a good file beside it is graded."""
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        zpath = subs / "class.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
            zf.writestr("\u00e9AAA_1_1_01-the-record.ipynb", json.dumps(notebook({"camps-origin": wrong("camps-origin")})))
        data = bytearray(zpath.read_bytes())
        data = bytearray(bytes(data).replace("\u00e9AAA".encode(), name))
        for sig, off, size in ((b"PK\x03\x04", 22, local_size), (b"PK\x01\x02", 24, central_size)):
            i = data.find(sig)
            data[i + off:i + off + 4] = size.to_bytes(4, "little")
        zpath.write_bytes(bytes(data))
        save(notebook({"camps-origin": wrong("camps-origin")}, student="good"), subs / "good.ipynb")
        report = grade_paths([subs], out=Path(tmp) / "out")
        assert any(s.file.endswith("good.ipynb") for s in report.graded)
        assert len(report.graded) + len(report.problems) >= 2
        _strict_ascii_summary(report)


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\",;'="),
               min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_review_sheet_round_trips_any_answer(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        answers = {"camps-reconcile": text}
        grade_paths([save(notebook(answers, student="kim"), Path(tmp) / "k.ipynb")], out=out)
        sheet = out / f"review-{SET}-camps-reconcile.csv"
        rows = [r for r in csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"), newline=""))
                if r and not r[0].startswith("#")]
        row = dict(zip(rows[0], rows[1]))
        shown = row["answer"][1:] if row["answer"][:2] in ("'=", "'+", "'-", "'@") else row["answer"]
        assert shown == text.replace("\r\n", "\n")
        rows[1][rows[0].index("points")] = "1"
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        sheet.write_text(buf.getvalue(), encoding="utf-8-sig")
        assert import_manual([sheet], out=out).imported == 1
