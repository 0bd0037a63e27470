"""``workbook grade`` outputs: atomic writes, review sheets, feedback, LMS uploads, class report, next steps."""

from __future__ import annotations

import csv
import errno
import html
import io
from pathlib import Path
from statistics import correlation

import pytest

import nkhr.gradeio
from nkhr.bank import load_bank
from nkhr.cli import main
from nkhr.grade import grade_paths, import_manual
from test_grade import SET, _class, _fill, grades, key_answers, notebook, save, wrong

REVIEW = f"review-{SET}-camps-reconcile"
FULL = f"{load_bank(SET).possible:g}"  # every point of the set: the objective ones and the written one


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV output, below its '#' comment lines."""
    old = csv.field_size_limit(10 ** 9)
    try:
        rows = [r for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
                if r and not r[0].startswith("#")]
    finally:
        csv.field_size_limit(old)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


# ---------------------------------------------------------------- disk full, unwritable files

def test_disk_full_mid_run_keeps_the_old_file_and_exits_non_zero(tmp_path: Path, monkeypatch, capsys) -> None:
    out = tmp_path / "out"
    subs = _class(tmp_path)
    assert main(["grade", str(subs), "--out", str(out)]) == 0
    before = (out / "class-report.html").read_bytes()
    real = nkhr.gradeio.os.replace

    def full(src, dst):
        if str(dst).endswith("class-report.html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(nkhr.gradeio.os, "replace", full)
    save(notebook(key_answers(), student="new"), subs / "new.ipynb")
    assert main(["grade", str(subs), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "class-report.html" in err and "No space left" in err and "Traceback" not in err
    assert (out / "class-report.html").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no half-written leftovers


def test_an_unwritable_output_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    (out / "grades.csv").mkdir(parents=True)  # something in the way
    assert main(["grade", str(_class(tmp_path)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Could not write" in err and "grades.csv" in err and "Traceback" not in err


# ---------------------------------------------------------------- review sheets

def test_answers_of_any_length_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out"
    long = ('He said "yes", then; no\n' + "word, " * 30_000 + "\n=SUM(A1)")  # beyond csv's 131,072 default
    answers = key_answers()
    answers["camps-reconcile"] = long
    grade_paths([save(notebook(answers, student="kim"), tmp_path / "k.ipynb")], out=out)
    sheet = out / f"{REVIEW}.csv"
    [row] = _rows(sheet)
    assert row["answer"] == long
    _fill(sheet, {"kim": "3"})
    assert import_manual([sheet], out=out).imported == 1


def test_two_rows_for_one_student_are_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    grade_paths([_class(tmp_path)], out=out)
    sheet = tmp_path / "two.csv"
    sheet.write_text(f"set,question,student,points\n{SET},camps-reconcile,kim,1\n{SET},camps-reconcile,KIM,3\n"
                     f"{SET},camps-reconcile,lee,2\n", encoding="utf-8")
    report = import_manual([sheet], out=out)
    assert report.imported == 1  # lee
    assert sorted(f.rsplit(", ", 1)[1] for f, _ in report.problems) == ["row 2", "row 3"]
    assert all("differently" in why for _, why in report.problems)
    assert "rows were NOT imported" in report.summary()


def test_short_and_long_written_answers_are_flagged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = tmp_path / "subs"
    for who, words in (("short", 8), ("ok", 60), ("long", 170)):
        answers = key_answers()
        answers["camps-reconcile"] = " ".join(["word"] * words)
        save(notebook(answers, student=who), subs / f"{who}.ipynb")
    report = grade_paths([subs], out=out)
    flags = {r["student"]: r["flag"] for r in _rows(out / f"{REVIEW}.csv")}
    assert flags == {"short": "below the 40-word minimum", "ok": "", "long": "above the 150-word maximum"}
    assert report.pending[SET] == {"camps-reconcile": 3}  # all three wait for a score: none is refused
    assert "below the 40-word minimum" in (out / f"{REVIEW}.html").read_text(encoding="utf-8")


def test_review_page_renders_the_rubric_and_keeps_answers_as_text(tmp_path: Path) -> None:
    out = tmp_path / "out"
    evil = "<script>alert(1)</script> ![x](http://evil.example/p.png) <img src=x onerror=alert(1)> **bold** " * 8
    answers = key_answers()
    answers["camps-reconcile"] = evil
    grade_paths([save(notebook(answers, student="kim"), tmp_path / "k.ipynb")], out=out)
    page = (out / f"{REVIEW}.html").read_text(encoding="utf-8")
    assert "<html lang='en'>" in page and "<main>" in page and "<pre>" not in page
    assert "<strong>" in page and "**" not in page.split("<table>")[0]  # rubric Markdown rendered
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
    report_page = (out / "class-report.html").read_text(encoding="utf-8")
    assert "<script" not in report_page and "<img" not in report_page


def test_anonymous_sheets_hide_names_and_map_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = tmp_path / "subs"
    for who in ("Kim Min-ji", "Lee Jin", "Park Su"):
        answers = key_answers()
        answers["camps-reconcile"] = f"{who} wrote this " * 12
        save(notebook(answers, student=who), subs / f"{who}.ipynb")
    grade_paths([subs], out=out, anonymous=True)
    text = (out / f"{REVIEW}.csv").read_text(encoding="utf-8-sig")
    rows = _rows(out / f"{REVIEW}.csv")
    assert all(r["student"].startswith("anon-") and r["name"] == "" for r in rows)
    assert "kim min-ji" not in text.split("Kim Min-ji wrote")[0]  # no id column gives it away
    assert [r["student"] for r in rows] == sorted(r["student"] for r in rows)  # shuffled by code
    code = next(r["student"] for r in rows if r["answer"].startswith("Lee Jin"))
    _fill(out / f"{REVIEW}.csv", {code: "2"})
    assert import_manual([out / f"{REVIEW}.csv"], out=out).imported == 1
    assert {r["student"]: r["camps-reconcile"] for r in grades(out)}["lee jin"] == "2"


# ---------------------------------------------------------------- feedback

def test_feedback_only_with_final_and_only_once_scored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    essay = 'The "human rights" question & the Commission\'s report <b>matter</b>. ' * 20
    answers = key_answers()
    answers["camps-reconcile"] = essay
    report = grade_paths([save(notebook(answers, student="kim"), tmp_path / "k.ipynb")], out=out, final=True)
    assert not (out / "feedback").exists() and report.held_back
    assert "still unscored" in report.summary() and "--manual" in report.summary()
    _fill(out / f"{REVIEW}.csv", {"kim": "2"}, comment="Clear & fair.")
    import_manual([out / f"{REVIEW}.csv"], out=out, final=True)
    text = (out / "feedback" / SET / "kim.txt").read_text(encoding="utf-8")
    assert essay.strip() in text  # the whole answer, exactly as written
    assert "&quot;" not in text and "&#x27;" not in text and "&amp;" not in text
    assert "Instructor's comment: Clear & fair." in text and "2 of 3" in text


# ---------------------------------------------------------------- LMS uploads

def _lms_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    answers = key_answers()
    answers["camps-reconcile"] = "An answer of enough words to be read by the instructor. " * 6
    save(notebook(answers, student="Jane Smith"), subs / "smithjane_12345_67890_01-the-record.ipynb")
    save(notebook(answers), subs / "Jin Lee_555_assignsubmission_file_01-the-record.ipynb")
    save(notebook(answers), subs / "Ex 1_jsmith_attempt_2026-11-20-10-00-00_01-the-record.ipynb")
    save(notebook(answers, student="Walk In"), subs / "walkin.ipynb")
    return subs


def _score_all(out: Path, points: str = "3") -> None:
    sheet = out / f"{REVIEW}.csv"
    _fill(sheet, {r["student"]: points for r in _rows(sheet)})
    import_manual([sheet], out=out)


def test_pending_written_answers_block_the_lms_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["grade", str(_lms_class(tmp_path)), "--out", str(out), "--lms", "canvas"]) == 0
    said = capsys.readouterr().out
    assert not (out / f"lms-{SET}.csv").exists()
    assert "canvas upload" in said and "4 written answer(s) unscored" in said
    assert f"workbook grade --out {out} --manual {out / (REVIEW + '.csv')}" in said
    assert {r["pending"] for r in grades(out)} == {"1"}
    _score_all(out)
    assert main(["grade", "--out", str(out), "--lms", "canvas"]) == 0
    assert (out / f"lms-{SET}.csv").exists()
    assert {r["pending"] for r in grades(out)} == {"0"}


@pytest.mark.parametrize("lms, header, row", [
    ("canvas", ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"], ["smithjane", "12345", "", "", ""]),
    ("moodle", ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"],
     ["Participant 555", "Jin Lee", "", "", FULL, FULL, "Yes", "", "", ""]),
    ("blackboard", ["Last Name", "First Name", "Username"], ["", "", "jsmith"]),
])
def test_lms_upload_shapes(tmp_path: Path, lms: str, header: list[str], row: list[str], capsys) -> None:
    out = tmp_path / "out"
    grade_paths([_lms_class(tmp_path)], out=out)
    _score_all(out)
    assert main(["grade", "--out", str(out), "--lms", lms]) == 0
    raw = (out / f"lms-{SET}.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    title = load_bank(SET).title
    if lms == "canvas":
        assert rows[0] == header + [title] and rows[1:] == [row + [FULL]]
    elif lms == "moodle":
        assert rows[0] == header and rows[1:] == [row]
    else:
        assert rows[0] == header + [f"{title} [Total Pts: {FULL} Score]"] and rows[1:] == [row + [FULL]]
        assert raw.decode("utf-8-sig").startswith('"Last Name","First Name"')  # every value quoted
    assert "not in it" in capsys.readouterr().out  # the others are listed, not silently dropped


# ---------------------------------------------------------------- class report, item analysis

def test_item_analysis_flags_a_planted_wrong_key(tmp_path: Path) -> None:
    """Strong students all pick one wrong option on a single-choice question: the signature of a wrong key."""
    bank = load_bank(SET)
    planted, numeric = "camps-origin", "abductees-derived"  # a single-choice and a numeric question
    right = key_answers()
    others = [q.id for q in bank.questions if not q.manual and q.id != planted]  # bank order
    misread = wrong(planted)  # the option the strong half takes for the key
    subs = tmp_path / "subs"
    for i in range(20):  # student i answers question j right when i >= 2 * j + 3: a spread of abilities
        answers = {}
        for j, qid in enumerate(others):
            answers[qid] = right[qid] if i >= 2 * j + 3 else wrong(qid)
        answers[planted] = misread if i >= 10 else right[planted]  # the strong half "disagree"
        save(notebook(answers, student=f"s{i:02d}"), subs / f"s{i:02d}.ipynb")
    out = tmp_path / "out"
    grade_paths([subs], out=out)
    items = {r["question"]: r for r in _rows(out / "item-analysis.csv")}
    assert list(items[planted]) == ["set", "question", "type", "points", "scored", "difficulty",
                                    "discrimination", "flag"]
    assert f"'{misread}'" in items[planted]["flag"] and "check the key" in items[planted]["flag"]
    assert float(items[planted]["discrimination"]) < 0
    assert items[numeric]["flag"] == "" and float(items[numeric]["discrimination"]) > 0.3
    assert float(items[planted]["difficulty"]) == 0.5
    # discrimination is the *corrected* item-total correlation: the item against the total of the others
    rows = grades(out)
    for qid in (planted, numeric, "record-order"):
        item = [float(r[qid]) for r in rows]
        rest = [float(r["total"]) - x for r, x in zip(rows, item)]
        assert float(items[qid]["discrimination"]) == pytest.approx(correlation(item, rest), abs=0.006)
    page = (out / "class-report.html").read_text(encoding="utf-8")
    assert "check the key" in page and "Most missed" in page and 'role="img" aria-label="Students by total' in page
    assert f"<li>{html.escape(misread)}: 10</li>" in page  # how often each option was chosen


def test_report_is_written_on_every_run_and_lists_unscored_and_late(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = tmp_path / "subs"
    answers = key_answers()
    answers["camps-reconcile"] = "enough words here " * 20
    save(notebook(answers), subs / "smithjane_LATE_12345_67890_01-the-record.ipynb")
    report = grade_paths([subs], out=out)
    page = (out / "class-report.html").read_text(encoding="utf-8")
    assert "smithjane" in page.split("Late submissions")[1] and "not scored yet" in page
    assert "camps-reconcile              not scored yet, of 3  (1 awaiting your score)" in report.summary()
    assert "mean 1.00 of 1  (100 %)" in report.summary()  # per-question figures show their maximum
    assert "Next:" in report.summary() and "class-report.html" in report.summary()


def test_an_imported_sheet_typed_with_a_decimal_comma_is_not_set_aside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = _class(tmp_path)
    grade_paths([subs], out=out)
    sheet = out / f"{REVIEW}.csv"
    _fill(sheet, {"kim": "2,5"})
    assert import_manual([sheet], out=out).imported == 1
    _fill(sheet, {"kim": "2,5"})  # the instructor's file, as they saved it
    report = grade_paths([subs], out=out)
    assert not list(out.glob("*.bak.csv")) and not report.attention
