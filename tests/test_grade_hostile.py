"""``workbook grade`` on hostile input: identity rules, no path from a submission, pipes and encodings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from nkhr.cli import main
from nkhr.grade import grade_paths, identify, import_manual
from nkhr.gradeio import clean, student_key
from test_grade import SET, _fill, grades, key_answers, notebook, right, save, wrong


# ---------------------------------------------------------------- identity

def test_lms_folder_wins_over_a_file_name_inside_it() -> None:
    folder = "Jane Smith_123456_assignsubmission_file_"
    ident = identify((folder, "Kim Lee_999999_assignsubmission_file_x.ipynb"), parent=folder)
    assert ident.student == "123456"


@pytest.mark.parametrize("fname, expected", [
    ("smithjane_12345_67890_kimlee_999_1_01-the-record.ipynb", "12345"),
    ("Ex 1_jsmith_attempt_2026-11-20-10-00-00_x_evil_attempt_2026-12-01-00-00-00_y.ipynb", "jsmith"),
    ("Ex_01_jsmith_attempt_2026-11-20-10-00-00_01-the-record.ipynb", "jsmith"),
])
def test_id_only_from_the_lms_controlled_part(fname: str, expected: str) -> None:
    assert identify((fname,)).student == expected


def test_lms_identity_beats_the_notebook(tmp_path: Path) -> None:
    path = save(notebook(key_answers(), student="12345"), tmp_path / "leejin_777_1_01-the-record.ipynb")
    report = grade_paths([path], out=tmp_path / "out")
    assert report.graded[0].student == "777"


def test_ids_compare_after_normalisation_and_case_folding(tmp_path: Path) -> None:
    assert student_key("ＫＩＭ  Min-ji") == student_key("kim min-ji") == "kim min-ji"
    assert student_key("STRASSE") == student_key("straße")
    out = tmp_path / "out"
    answers = key_answers()
    answers["camps-reconcile"] = "word " * 50
    grade_paths([save(notebook(answers, student="Ｋim"), tmp_path / "a" / "x.ipynb")], out=out)
    sheet = out / f"review-{SET}-camps-reconcile.csv"
    _fill(sheet, {"kim": "2"})
    text = sheet.read_text(encoding="utf-8-sig").replace(f"{SET},camps-reconcile,kim,", f"{SET},camps-reconcile,KIM,")
    sheet.write_text(text, encoding="utf-8-sig")
    assert import_manual([sheet], out=out).imported == 1
    # the same student, typed another way, regraded: still one row, manual score kept
    grade_paths([save(notebook(answers, student="KIM"), tmp_path / "b" / "x.ipynb")], out=out)
    rows = grades(out)
    assert len(rows) == 1 and rows[0]["camps-reconcile"] == "2"


def test_name_note_is_quiet_for_an_added_student_number() -> None:
    assert not identify(("okaforamara_11111_90001_01-the-record.ipynb",), recorded="Amara Okafor 20231111").conflict
    assert not identify(("okaforamara_11111_90001_01-the-record.ipynb",), recorded="s20231111").conflict
    assert identify(("okaforamara_11111_90001_01-the-record.ipynb",), recorded="Kim Min-ji s1").conflict


def test_copies_and_wrong_sets_stand_out(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    answers = key_answers()
    answers["camps-reconcile"] = "A long and careful answer about the estimates and their sources " * 3
    save(notebook(answers, student="a"), subs / "kimminji_1_1_01-the-record.ipynb")
    save(notebook(answers, student="b"), subs / "leejin_2_2_01-the-record.ipynb")  # same text, other student
    save(notebook({"camps-origin": wrong("camps-origin")}), subs / "parkmin_3_3_01-the-record.ipynb")
    save(notebook({}, set_id="03-un-mechanisms"), subs / "choiyu_4_4_03-un-mechanisms.ipynb")
    report = grade_paths([subs], out=tmp_path / "out")
    loud = " ".join(why for _, why in report.attention)
    assert "identical written answers to camps-reconcile" in loud
    assert "03-un-mechanisms among 3 notebooks for 01-the-record" in loud
    assert "Look at these before you upload" in report.summary()


def test_duplicate_answers_in_one_notebook_get_a_note(tmp_path: Path) -> None:
    nb = notebook({"camps-origin": wrong("camps-origin")})
    nb.cells += notebook({"camps-origin": right("camps-origin")}).cells
    report = grade_paths([save(nb, tmp_path / "x.ipynb")], out=tmp_path / "out")
    assert report.graded[0].scores["camps-origin"].status == "correct"
    assert any("camps-origin was answered 2 times" in why for _, why in report.notes)


# ---------------------------------------------------------------- no path from a submission

def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_set_ids_from_a_notebook_are_never_paths(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    for n, bad in enumerate(["../../../etc/passwd", "../solutions/01-the-record", "/tmp/x", "01-the-record/../01"]):
        nb = notebook({"camps-origin": wrong("camps-origin")}, set_id=bad)
        save(nb, subs / f"s{n}.ipynb")
    before = _all_files(tmp_path)
    report = grade_paths([subs], out=tmp_path / "out")
    assert not report.graded and len(report.problems) == 4
    assert all("no answer key" in why or "exercise set" in why for _, why in report.problems)
    assert {p for p in _all_files(tmp_path) - before if "out" not in p.relative_to(tmp_path).parts} == set()


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = save(notebook(key_answers(), student="outsider"), tmp_path / "elsewhere" / "x.ipynb")
    subs = tmp_path / "subs"
    save(notebook(key_answers(), student="kim"), subs / "kim.ipynb")
    (subs / "link.ipynb").symlink_to(outside)
    (subs / "dirlink").symlink_to(outside.parent, target_is_directory=True)
    report = grade_paths([subs], out=tmp_path / "out")
    assert [s.student for s in report.graded] == ["kim"]
    assert any("link.ipynb" in f and "symbolic link" in why for f, why in report.problems)


def test_nothing_is_written_outside_out(tmp_path: Path) -> None:
    base = tmp_path / "a" / "b" / "c"  # room above, so an escape would land where we look
    subs = base / "subs"
    save(notebook(key_answers(), student="../../../../evil"), subs / "a.ipynb")
    save(notebook(key_answers(), student="x/../../../../../evil2"), subs / "b.ipynb")
    zpath = subs / "z.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("../../zip_evil_1_1_01-the-record.ipynb", nbformat.writes(notebook(key_answers())))
    before = _all_files(tmp_path)
    out = base / "out"
    report = grade_paths([subs], out=out)
    _fill(out / f"review-{SET}-camps-reconcile.csv", {s.student: "1" for s in report.graded})
    import_manual([out / f"review-{SET}-camps-reconcile.csv"], out=out, final=True, lms="canvas")
    new = _all_files(tmp_path) - before
    assert len(list((out / "feedback" / SET).iterdir())) == 3
    assert new and all(out in p.parents or p == out for p in new), sorted(new)


# ---------------------------------------------------------------- output never crashes

def test_control_characters_never_reach_the_terminal_or_csv(tmp_path: Path, capsys) -> None:
    subs = tmp_path / "subs"
    save(notebook(key_answers(), student="Kim\x1b[2J\u202eevil\x07"), subs / "bell\x07\x1b[31m.ipynb")
    assert main(["grade", str(subs), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
    text = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8-sig")
    assert not any(c in text for c in "\x1b\x07\u202e")
    assert clean("a\x00b\x9bc\u2066d") == "abcd"


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_closed_pipe_and_strict_ascii_terminal(tmp_path: Path, root: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    nb = json.dumps(notebook(key_answers(), student="Kim Min-ji 김민지")).encode()
    for n in range(30):
        with open(os.fsencode(subs) + b"/caf\xe9-\xff%d.ipynb" % n, "wb") as fh:  # not UTF-8
            fh.write(nb)
    (subs / "김민지\x1b.ipynb").write_bytes(b"{not json")
    env = {**os.environ, "PYTHONIOENCODING": "ascii:strict", "LC_ALL": "C", "NKHR_JOURNAL": "off"}
    cmd = [sys.executable, "-m", "nkhr.cli", "grade", str(subs), "--out", str(tmp_path / "out")]
    done = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert b"?" in done.stdout and b"not valid JSON" in done.stdout
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader goes away at once (like `| head -0`)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1) and b"Traceback" not in err and b"BrokenPipe" not in err, err


def test_an_nbformat_3_notebook_is_graded(tmp_path: Path) -> None:
    """Old formats are converted (the only place nbformat is imported) and their answers read."""
    from nkhr import ANSWER_MIME

    v4 = notebook(key_answers(), student="kim")
    cells = [{"cell_type": "code", "input": c.source, "language": "python", "metadata": {},
              "outputs": [{"output_type": "display_data", "metadata": {}, ANSWER_MIME: o["data"][ANSWER_MIME]}
                          for o in c.outputs]} for c in v4.cells]
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"nkhr": {"set": SET}},
          "worksheets": [{"cells": cells, "metadata": {}}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3), encoding="utf-8")
    report = grade_paths([path], out=tmp_path / "out")
    assert report.graded and report.graded[0].student == "kim"
    assert report.graded[0].scores["camps-origin"].status == "correct"


def test_a_zip_header_that_lies_is_read_no_further_than_it_declares(tmp_path: Path) -> None:
    zpath = tmp_path / "liar.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a_1_1_01-the-record.ipynb", json.dumps(notebook(key_answers())))
    data = bytearray(zpath.read_bytes())
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig)
        data[i + off:i + off + 4] = (10).to_bytes(4, "little")  # claims 10 bytes; holds thousands
    zpath.write_bytes(bytes(data))
    report = grade_paths([zpath], out=tmp_path / "out")
    assert not report.graded and "zip" in report.problems[0][1]  # stops at 10 bytes: the check fails, reported


def test_v4_notebooks_are_read_without_importing_nbformat(tmp_path: Path) -> None:
    """nbformat (and the jsonschema it pulls in) is imported only for the old formats 1-3."""
    path = save(notebook(key_answers(), student="kim"), tmp_path / "k.ipynb")
    code = ("import sys; from nkhr.grade import grade_paths; "
            f"r = grade_paths([{str(path)!r}], out={str(tmp_path / 'out')!r}); "
            "print(len(r.graded), 'nbformat' in sys.modules, 'jsonschema' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NKHR_JOURNAL": "off"})
    assert done.stdout.split() == ["1", "False", "False"], done.stderr
