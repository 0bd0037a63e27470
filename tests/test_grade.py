"""``workbook grade``: scores, identities, bad input, the gradebook, review sheets and feedback."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nkhr import ANSWER_MIME
from nkhr.bank import list_sets, load_bank
from nkhr.paths import exercise_notebook
from nkhr.cli import main
from nkhr.grade import (
    MAX_BYTES, GradeError, extract_answers, grade_paths, identify, import_manual, read_notebook,
)

SET = "01-the-record"
SETS = list_sets()


# ---------------------------------------------------------------- helpers

def notebook(answers: dict[str, Any], *, set_id: str = SET, student: str | None = None,
             extra: dict | None = None, meta: bool = True) -> nbformat.NotebookNode:
    """A saved student notebook with these recorded answers (one cell per answer)."""
    nb = nbformat.v4.new_notebook()
    if meta:
        nb.metadata["nkhr"] = {"set": set_id, "build": "student"}
    bank = load_bank(set_id) if set_id in SETS else None
    items = ([("_student", student)] if student is not None else []) + list(answers.items())
    for qid, answer in items:
        qtype = "identity" if qid == "_student" else (bank.question(qid).type if bank else "single")
        payload = {"format": 1, "set": set_id, "question": qid, "type": qtype, "answer": answer,
                   "submitted_at": "2026-11-20T10:00:00+00:00", "attempts": 1, **(extra or {})}
        cell = nbformat.v4.new_code_cell(f'ex.ask("{qid}")')
        cell.outputs = [nbformat.v4.new_output("display_data", data={ANSWER_MIME: payload, "text/plain": "x"})]
        nb.cells.append(cell)
    return nb


def save(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def key_answers(set_id: str = SET) -> dict[str, Any]:
    bank = load_bank(set_id)
    return {q.id: (bank.answers[q.id][0] if q.type == "scale" else bank.answers[q.id]) for q in bank.questions}


def right(qid: str, set_id: str = SET) -> Any:
    """The key's answer to one question, in the shape a student's notebook records it."""
    return key_answers(set_id)[qid]


def wrong(qid: str, set_id: str = SET) -> Any:
    """An answer the key marks wrong, in the question's own shape: another option, another number,
    another order. Read from the bank, so a reworded question needs no change here."""
    bank = load_bank(set_id)
    q, key = bank.question(qid), bank.answers[qid]
    if q.type == "single":
        return next(o for o in q.options if o != key)
    if q.type == "multi":
        return [next(o for o in q.options if o not in key)]
    if q.type == "match":
        return {o: next(c for c in q.choices if c != key[o]) for o in q.options}
    if q.type == "order":
        return list(reversed(key))
    if q.type == "numeric":
        return str(key * 10 + 7)
    raise ValueError(f"no wrong answer for a {q.type} question ({qid})")


def grades(out: Path) -> list[dict[str, str]]:
    with (out / "grades.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def auto_possible(set_id: str) -> float:
    return sum(q.points for q in load_bank(set_id).questions if not q.manual)


# ---------------------------------------------------------------- the key and the blank build

@pytest.mark.parametrize("set_id", SETS)
def test_solution_notebook_gets_full_marks(set_id: str, root: Path, tmp_path: Path) -> None:
    report = grade_paths([root / "solutions" / f"{set_id}.ipynb"], out=tmp_path)
    assert not report.problems and len(report.graded) == 1
    sub = report.graded[0]
    for q in load_bank(set_id).questions:
        s = sub.scores[q.id]
        if not q.manual:
            assert s.status == "correct" and s.points == s.possible, (q.id, s)
    assert sub.points == auto_possible(set_id)


@pytest.mark.parametrize("set_id", SETS)
def test_blank_student_build_gets_zero(set_id: str, root: Path, tmp_path: Path) -> None:
    report = grade_paths([exercise_notebook(set_id, root / "exercises")], out=tmp_path)
    assert len(report.graded) == 1 and report.graded[0].points == 0
    assert any("no answers recorded" in why for _, why in report.notes)
    row = grades(tmp_path)[0]
    assert float(row["total"]) == 0


def test_partial_credit_and_wrong_answers(tmp_path: Path) -> None:
    answers = key_answers()
    answers["treaties-why"] = answers["treaties-why"][:1]  # 3 of 4 options right
    answers["abductees-derived"] = f"{answers['abductees-derived']:,}"  # typed as students type it, with a thousands separator
    answers["fh-2022"] = wrong("fh-2022")
    report = grade_paths([save(notebook(answers), tmp_path / "s" / "kim.ipynb")], out=tmp_path / "out")
    s = report.graded[0].scores
    assert s["treaties-why"].status == "partial" and 0 < s["treaties-why"].points < 2
    assert s["abductees-derived"].status == "correct"
    assert s["fh-2022"].points == 0


# ---------------------------------------------------------------- reading payloads

def test_forged_flags_are_ignored(tmp_path: Path) -> None:
    nb = notebook({"camps-origin": wrong("camps-origin")}, extra={"correct": True, "points": 99, "score": 1, "status": "correct"})
    report = grade_paths([save(nb, tmp_path / "forger.ipynb")], out=tmp_path / "out")
    s = report.graded[0].scores["camps-origin"]
    assert s.points == 0 and s.status == "incorrect"
    assert report.graded[0].points == 0


def test_last_answer_in_cell_order_wins() -> None:
    nb = notebook({"camps-origin": wrong("camps-origin")})
    nb.cells += notebook({"camps-origin": right("camps-origin")}).cells
    assert extract_answers(nb)["camps-origin"]["answer"] == right("camps-origin")


def test_wrong_type_answer_scores_zero_with_reason(tmp_path: Path) -> None:
    nb = notebook({"camps-origin": [right("camps-origin")], "figure-kinds": "Cohen 2010", "pow-label": {"x": 1},
                   "record-order": 7, "abductees-derived": str(10 ** 400)})
    report = grade_paths([save(nb, tmp_path / "odd.ipynb")], out=tmp_path / "out")
    sub = report.graded[0]
    assert sub.points == 0
    assert sub.scores["camps-origin"].detail == "Pick one of the options."
    assert sub.scores["abductees-derived"].points == 0  # a number too large to be read
    assert any("do not fit their question" in why for _, why in report.notes)


def test_answers_from_another_set_are_ignored(tmp_path: Path) -> None:
    nb = notebook(key_answers())
    nb.cells += notebook({"camps-origin": wrong("camps-origin")}, set_id="99-other").cells
    report = grade_paths([save(nb, tmp_path / "mixed.ipynb")], out=tmp_path / "out")
    assert report.graded[0].scores["camps-origin"].status == "correct"
    assert any("another exercise set" in why for _, why in report.notes)


# ---------------------------------------------------------------- bad input

def test_bad_inputs_are_reported_and_the_rest_graded(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    save(notebook(key_answers(), student="good student"), subs / "good.ipynb")
    (subs / "notjson.ipynb").write_text("this is not json", encoding="utf-8")
    (subs / "binary.ipynb").write_bytes(b"\xff\xfe\x00garbage")
    (subs / "list.ipynb").write_text("[1, 2, 3]", encoding="utf-8")
    (subs / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (subs / "deep2.ipynb").write_text(json.dumps({"nbformat": 4, "cells": [], "x": json.loads("[" * 80 + "]" * 80)}))
    (subs / "huge.ipynb").write_bytes(b" " * (MAX_BYTES + 1))
    save(notebook({}, meta=False), subs / "plain-notebook.ipynb")
    save(notebook({"camps-origin": wrong("camps-origin")}, set_id="02-other"), subs / "other-set.ipynb")
    report = grade_paths([subs, tmp_path / "missing.ipynb"], set_id=SET, out=tmp_path / "out")
    assert [s.file for s in report.graded] == [str(subs / "good.ipynb")]
    why = {Path(f).name: reason for f, reason in report.problems}
    assert "not valid JSON" in why["notjson.ipynb"]
    assert "UTF-8" in why["binary.ipynb"]
    assert "not a notebook" in why["list.ipynb"]
    assert "nested" in why["deep.ipynb"] and "deep2.ipynb" in why  # deep metadata is not read, but no answers
    assert "MB" in why["huge.ipynb"]
    assert "exercise set" in why["plain-notebook.ipynb"]
    assert "'02-other'" in why["other-set.ipynb"]
    assert "no such file" in why["missing.ipynb"]
    assert report.exit_code == 0


def test_payload_set_mismatch_without_metadata(tmp_path: Path) -> None:
    nb = notebook({"camps-origin": wrong("camps-origin")}, set_id="02-other", meta=False)
    report = grade_paths([save(nb, tmp_path / "x.ipynb")], set_id=SET, out=tmp_path / "out")
    assert not report.graded and "02-other" in report.problems[0][1]
    assert report.exit_code == 1


def test_read_notebook_rejects_without_raising_anything_else() -> None:
    from nkhr.grade import SubmissionError
    for data in (b"", b"null", b'{"nbformat": "4", "cells": []}', b'{"nbformat": 4}', b"[" * 5000):
        with pytest.raises(SubmissionError):
            read_notebook(data)


def test_duplicate_student_without_lms_order_grades_neither(tmp_path: Path) -> None:
    """submitted_at is written by the student's kernel: it never decides which file counts."""
    early = notebook({"camps-origin": wrong("camps-origin")}, student="S1234567")
    late = notebook(key_answers(), student="s1234567")  # the same id, other case: the same student
    for cell in late.cells:
        cell.outputs[0]["data"][ANSWER_MIME]["submitted_at"] = "2099-11-21T09:00:00+00:00"
    save(late, tmp_path / "subs" / "a-second.ipynb")
    save(early, tmp_path / "subs" / "b-first.ipynb")
    report = grade_paths([tmp_path / "subs"], out=tmp_path / "out")
    assert not report.graded
    why = {Path(f).name: w for f, w in report.problems}
    assert set(why) == {"a-second.ipynb", "b-first.ipynb"}
    assert all("None was graded" in w and "workbook grade FILE --out" in w for w in why.values())


def test_duplicate_student_lms_order_decides(tmp_path: Path) -> None:
    zpath = tmp_path / "download.zip"
    first = nbformat.writes(notebook({"camps-origin": wrong("camps-origin")}))
    second = nbformat.writes(notebook(key_answers()))
    with zipfile.ZipFile(zpath, "w") as zf:  # later in the LMS's zip wins, whatever the notebooks say
        zf.writestr("kimminji_123_1_01-the-record.ipynb", second.replace("2026-11-20", "2001-01-01"))
        zf.writestr("kimminji_123_2_01-the-record-1.ipynb", first.replace("2026-11-20", "2099-01-01"))
    report = grade_paths([zpath], out=tmp_path / "out")
    assert [s.file.endswith("01-the-record-1.ipynb") for s in report.graded] == [True]
    subs = tmp_path / "bb"
    save(notebook(key_answers()), subs / "Ex 1_jsmith_attempt_2026-11-21-10-00-00_01-the-record.ipynb")
    save(notebook({}), subs / "Ex 1_jsmith_attempt_2026-11-20-10-00-00_01-the-record.ipynb")
    report = grade_paths([subs], out=tmp_path / "out2")
    assert len(report.graded) == 1 and "2026-11-21" in report.graded[0].file
    assert "later attempt" in report.problems[0][1]


def test_nothing_graded_exit_code_and_message(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{", encoding="utf-8")
    assert main(["grade", str(bad), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "bad.ipynb" in out and "not valid JSON" in out and "Traceback" not in out


def test_unknown_set_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["grade", str(tmp_path), "--set", "no-such-set", "--out", str(tmp_path / "o")]) == 2
    assert "No exercise set 'no-such-set'" in capsys.readouterr().err


def test_unwritable_output_folder(tmp_path: Path, root: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    args = ["grade", str(root / "solutions" / f"{SET}.ipynb"), "--out", str(blocker / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Cannot write the gradebook" in err and "--out" in err and "Traceback" not in err
    with pytest.raises(GradeError):
        grade_paths([root / "solutions" / f"{SET}.ipynb"], out=blocker)


def test_submissions_are_never_modified(tmp_path: Path, root: Path) -> None:
    subs = tmp_path / "subs"
    save(notebook(key_answers(), student="kim"), subs / "kim.ipynb")
    (subs / "junk.ipynb").write_text("{]", encoding="utf-8")
    zpath = subs / "class.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("lee/01-the-record.ipynb", nbformat.writes(notebook({"camps-origin": wrong("camps-origin")})))
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in subs.rglob("*")}
    grade_paths([subs], out=tmp_path / "out")
    import_manual([], out=tmp_path / "out")
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in subs.rglob("*")}
    assert before == after


# ---------------------------------------------------------------- zips

def test_zip_input_read_in_memory(tmp_path: Path) -> None:
    zpath = tmp_path / "download.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("smithjane_12345_67890_01-the-record.ipynb", nbformat.writes(notebook(key_answers())))
        zf.writestr("../../evil/parkmin_222_333_01-the-record.ipynb", nbformat.writes(notebook({})))
        zf.writestr("__MACOSX/._smithjane_12345_67890_01-the-record.ipynb", b"\x00\x01")
        zf.writestr("inner.zip", b"PK")
        zf.writestr("notes.txt", "hello")
    report = grade_paths([zpath], out=tmp_path / "out")
    assert sorted(s.student for s in report.graded) == ["12345", "222"]
    assert any("zip inside a zip" in why for _, why in report.problems)
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()
    assert all(".." not in s.file for s in report.graded)


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.ipynb", b"0" * (MAX_BYTES + 10))  # compresses to a few KB
        zf.writestr("ok_1_2_01-the-record.ipynb", nbformat.writes(notebook(key_answers())))
    assert zpath.stat().st_size < 100_000
    report = grade_paths([zpath], out=tmp_path / "out")
    assert len(report.graded) == 1
    assert any("bomb.ipynb" in f and "MB" in why for f, why in report.problems)


def test_lying_zip_header_is_capped(tmp_path: Path, monkeypatch) -> None:
    import nkhr.grade as g
    monkeypatch.setattr(g, "MAX_BYTES", 1000)
    zpath = tmp_path / "liar.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.ipynb", b"{}" + b" " * 5000)
    data = bytearray(zpath.read_bytes())
    # make both headers claim 10 bytes: the reader must still stop at the cap
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig)
        data[i + off:i + off + 4] = (10).to_bytes(4, "little")
    zpath.write_bytes(bytes(data))
    report = grade_paths([zpath], out=tmp_path / "out")
    assert not report.graded and report.problems  # refused, read error or too large: never a crash


def test_bad_zip_file(tmp_path: Path) -> None:
    z = tmp_path / "broken.zip"
    z.write_bytes(b"PK\x03\x04 not really")
    report = grade_paths([z], out=tmp_path / "out")
    assert "zip" in report.problems[0][1] and report.exit_code == 1


# ---------------------------------------------------------------- who is the student

@pytest.mark.parametrize("parts, parent, expected", [
    (("smithjane_12345_67890_01-the-record.ipynb",), "", ("12345", "smithjane", "Canvas")),
    (("smithjane_LATE_12345_67890_01-the-record-1.ipynb",), "", ("12345", "smithjane", "Canvas")),
    (("Jane Smith_123456_assignsubmission_file_01-the-record.ipynb",), "", ("123456", "Jane Smith", "Moodle")),
    (("Jane Smith_123456_assignsubmission_file_", "01-the-record.ipynb"), "Jane Smith_123456_assignsubmission_file_",
     ("123456", "Jane Smith", "Moodle")),
    (("Exercise 01_jsmith_attempt_2026-11-20-10-00-00_01-the-record.ipynb",), "", ("jsmith", "jsmith", "Blackboard")),
    (("jsmith.ipynb",), "", ("jsmith", "jsmith", "file name")),
    (("jsmith", "01-the-record.ipynb"), "jsmith", ("jsmith", "jsmith", "folder name")),
    (("01-the-record.ipynb",), "", ("01-the-record", "01-the-record", "file name")),
])
def test_lms_file_names(parts, parent, expected) -> None:
    ident = identify(parts, parent=parent)
    assert (ident.student, ident.name) == expected[:2] and expected[2] in ident.source


def test_identity_precedence_and_conflicts() -> None:
    assert identify(("jsmith.ipynb",), recorded="Jane Smith s99").student == "Jane Smith s99"
    agree = identify(("smithjane_12345_67890_x.ipynb",), recorded="Jane Smith")
    assert agree.student == "12345" and not agree.conflict
    clash = identify(("smithjane_12345_67890_x.ipynb",), recorded="Kim Min-ji")
    assert clash.student == "12345" and "Kim Min-ji" in clash.conflict
    late = identify(("smithjane_LATE_12345_67890_x.ipynb",))
    assert late.late


def test_conflict_and_late_are_reported(tmp_path: Path) -> None:
    path = save(notebook(key_answers(), student="Kim Min-ji"), tmp_path / "smithjane_LATE_12345_67890_01-the-record.ipynb")
    report = grade_paths([path], out=tmp_path / "out")
    assert report.graded[0].student == "12345"
    reasons = " ".join(why for _, why in report.notes)
    assert "Kim Min-ji" in reasons and "LATE" in reasons


# ---------------------------------------------------------------- gradebook, sheets, feedback

def _class(tmp_path: Path, reconcile: str = "An answer " * 50) -> Path:
    subs = tmp_path / "subs"
    for who in ("kim", "lee"):
        answers = key_answers()
        answers["camps-reconcile"] = f"{who}: {reconcile}"
        save(notebook(answers, student=who), subs / f"{who}.ipynb")
    return subs


def _fill(sheet: Path, scores: dict[str, str], comment: str = "Good.") -> None:
    text = sheet.read_text(encoding="utf-8-sig")
    limit = csv.field_size_limit(10 ** 9)  # answers of any length
    rows = list(csv.reader(io.StringIO(text, newline="")))
    csv.field_size_limit(limit)
    head = next(i for i, r in enumerate(rows) if r and r[0] == "set")
    col = {c: n for n, c in enumerate(rows[head])}
    for r in rows[head + 1:]:
        if r[col["student"]] in scores:
            r[col["points"]], r[col["comment"]] = scores[r[col["student"]]], comment
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    sheet.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")


def test_manual_sheet_round_trip_and_regrade_keeps_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = _class(tmp_path)
    grade_paths([subs], out=out)
    sheet = out / f"review-{SET}-camps-reconcile.csv"
    text = sheet.read_text(encoding="utf-8-sig")
    assert text.startswith("\"# Review sheet") and "Rubric" in text and "kim: An answer" in text
    assert (out / f"review-{SET}-camps-reconcile.html").is_file()
    _fill(sheet, {"kim": "2.5", "lee": "7"})
    report = import_manual([sheet], out=out)
    assert report.imported == 1
    assert len(report.problems) == 1 and "row" in report.problems[0][0] and "from 0 to 3" in report.problems[0][1]
    row = {r["student"]: r for r in grades(out)}
    assert row["kim"]["camps-reconcile"] == "2.5" and float(row["kim"]["total"]) == auto_possible(SET) + 2.5
    assert row["lee"]["camps-reconcile"] == "" and row["kim"]["possible"] == f"{load_bank(SET).possible:g}"
    assert not (out / "feedback").exists()  # feedback only with --final
    _fill(sheet, {"lee": "3"})
    import_manual([sheet], out=out, final=True)
    feedback = (out / "feedback" / SET / "kim.txt").read_text(encoding="utf-8")
    assert "Good." in feedback and "Rubric" in feedback and "Explanation" in feedback

    # kim corrects a mistake and is regraded: manual score stays
    answers = key_answers()
    answers["camps-reconcile"] = "kim: " + "An answer " * 50
    answers["camps-origin"] = wrong("camps-origin")
    save(notebook(answers, student="kim"), subs / "kim.ipynb")
    report = grade_paths([subs / "kim.ipynb"], out=out)
    row = {r["student"]: r for r in grades(out)}
    assert row["kim"]["camps-reconcile"] == "2.5" and row["kim"]["camps-origin"] == "0"
    assert "lee" in row  # others stay in the gradebook
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT points, comment FROM manual_scores WHERE student='kim'").fetchall() == [(2.5, "Good.")]


def test_changed_free_text_after_manual_score_is_noted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    grade_paths([_class(tmp_path)], out=out)
    sheet = out / f"review-{SET}-camps-reconcile.csv"
    _fill(sheet, {"kim": "3"})
    import_manual([sheet], out=out)
    report = grade_paths([_class(tmp_path, reconcile="A rewritten answer " * 20)], out=out)
    assert any("changed since it was scored by hand" in why for _, why in report.attention)


def test_unimported_sheet_is_backed_up_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = _class(tmp_path)
    grade_paths([subs], out=out)
    sheet = out / f"review-{SET}-camps-reconcile.csv"
    _fill(sheet, {"kim": "1"})
    report = grade_paths([subs], out=out)  # regrade before importing
    backups = list(out.glob("review-*.bak.csv"))
    assert len(backups) == 1 and any("not yet imported" in why for _, why in report.attention)
    assert import_manual([sheet], out=out).imported == 1  # the new sheet kept the score
    assert grades(out)[0]["camps-reconcile"] == "1"


def test_manual_sheet_bad_rows(tmp_path: Path) -> None:
    out = tmp_path / "out"
    grade_paths([_class(tmp_path)], out=out)
    sheet = tmp_path / "filled.csv"
    sheet.write_text("# my notes\nset;question;student;points;comment\n"
                     f"{SET};camps-reconcile;kim;2,5;semicolons and a decimal comma\n"
                     f"{SET};camps-reconcile;lee;lots;\n"
                     f"{SET};camps-reconcile;nobody;1;\n"
                     f"{SET};camps-origin;kim;1;\n"
                     f"{SET};no-such-q;kim;1;\n", encoding="cp1252")
    report = import_manual([sheet, tmp_path / "missing.csv"], out=out)
    assert report.imported == 1
    rows = sorted(f for f, _ in report.problems)
    assert [r.rsplit(", ", 1)[-1] for r in rows if "filled" in r] == ["row 4", "row 5", "row 6", "row 7"]
    assert any("missing.csv" in f for f, _ in report.problems)
    not_sheet = tmp_path / "not.csv"
    not_sheet.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "not a review sheet" in import_manual([not_sheet], out=out).problems[0][1]


def test_csv_cells_are_not_formulas(tmp_path: Path) -> None:
    out = tmp_path / "out"
    answers = key_answers()
    answers["camps-reconcile"] = "=HYPERLINK(\"http://x\") " + "word " * 50
    grade_paths([save(notebook(answers, student="=cmd|' /C calc'!A0"), tmp_path / "x.ipynb")], out=out)
    for f in out.glob("*.csv"):
        for row in csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"))):
            assert not any(c[:1] and c[0] in "=+@" for c in row), (f.name, row)
    sheet = out / f"review-{SET}-camps-reconcile.csv"
    _fill(sheet, {"'=cmd|' /c calc'!a0": "1"})  # ids are stored case-folded
    assert import_manual([sheet], out=out).imported == 1


def test_feedback_has_every_question(tmp_path: Path) -> None:
    answers = key_answers()
    answers["camps-origin"] = wrong("camps-origin")
    out = tmp_path / "out"
    grade_paths([save(notebook(answers, student="Kim Min-ji / s1"), tmp_path / "x.ipynb")], out=out)
    sheet = out / f"review-{SET}-camps-reconcile.csv"
    _fill(sheet, {"kim min-ji / s1": "2"})
    import_manual([sheet], out=out, final=True)
    files = list((out / "feedback" / SET).glob("*.txt"))
    assert len(files) == 1 and "/" not in files[0].name
    text = files[0].read_text(encoding="utf-8")
    bank = load_bank(SET)
    for q in bank.questions:
        assert q.id in text
    assert "camps-origin: 0 of 1 (incorrect)" in text and wrong("camps-origin") in text
    explanation = bank.solutions["camps-origin"]["explanation"].replace("*", "").replace("`", "")  # no Markdown
    assert "Explanation: " + explanation in text
    assert "&quot;" not in text and "&#x27;" not in text and "**" not in text  # plain text, no entities


def test_cli_summary_and_progress(tmp_path: Path, capsys) -> None:
    subs = tmp_path / "subs"
    for n in range(25):
        save(notebook(key_answers(), student=f"s{n}"), subs / f"s{n}.ipynb")
    assert main(["grade", str(subs), "--set", SET, "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "Graded 25 submission(s)" in captured.out and "mean" in captured.out
    assert "Grading 25/25" in captured.err
    assert len(grades(tmp_path / "out")) == 25


def test_checkpoints_and_hidden_folders_are_skipped(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    save(notebook(key_answers(), student="kim"), subs / "kim.ipynb")
    save(notebook({}, student="kim"), subs / ".ipynb_checkpoints" / "kim-checkpoint.ipynb")
    report = grade_paths([subs], out=tmp_path / "out")
    assert len(report.graded) == 1 and not report.problems


def test_old_and_odd_notebook_formats(tmp_path: Path) -> None:
    nb = notebook(key_answers(), student="kim")
    del nb.cells[0]["id"]
    nb.nbformat_minor = 4
    nb.cells.append({"cell_type": "code", "outputs": "not a list", "source": ""})
    nb.cells.append("not a cell")
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    report = grade_paths([path], out=tmp_path / "out")
    assert report.graded and report.graded[0].points == auto_possible(SET)

