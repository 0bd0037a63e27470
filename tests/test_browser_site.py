"""The web edition in a real Chromium: the reading site and the browser app, served on 127.0.0.1.

A student opens an exercise set in the browser app, answers two questions through the widgets,
saves, downloads the notebook, and the download grades with ``workbook grade``. No request may
leave the loopback address, on the reading pages or in the app.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser_support import CELLS, NOTEBOOK, errors_shown, missing_prerequisite
from site_support import BUILD_SECONDS, SiteServer, built_site, missing_tools

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SET = "00-start-here"
STUDENT_ID = "lite-student-7"


@pytest.fixture(scope="module")
def served():
    why = missing_prerequisite() or missing_tools()
    if why:
        pytest.fail(why)
    with SiteServer(built_site()) as server:
        yield server


def _watch(page, served) -> list[str]:
    """Every URL the page requests that is not on the local server."""
    outside: list[str] = []

    def note(request) -> None:
        u = urlparse(request.url)
        if u.scheme in ("data", "blob", "about"):
            return
        if u.hostname not in ("127.0.0.1", "localhost", "::1") or u.port != served.port:
            outside.append(request.url)
    page.on("request", note)
    return outside


def test_reading_site_every_lesson_reachable_with_alt_text_and_nothing_from_outside(served, browser) -> None:
    page = browser.new_page()
    outside = _watch(page, served)
    page.goto(served.url("index.html"))
    hrefs = page.eval_on_selector_all("a[href^='lessons/']", "els => els.map(e => e.getAttribute('href'))")
    lessons = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert [Path(h).stem for h in hrefs] == lessons
    charts = 0
    for href in hrefs:
        page.goto(served.url(href))
        page.wait_for_load_state("load")
        imgs = page.eval_on_selector_all("main img", "els => els.map(e => [e.alt || '', e.naturalWidth])")
        assert all(len(alt.strip()) >= 10 and "No description" not in alt for alt, _ in imgs), (
            f"{href}: an image has no text description")
        assert all(width > 0 for _, width in imgs), f"{href}: an image did not load"
        charts += len(imgs)
    assert charts > 0
    page.close()
    assert outside == [], f"the reading site asked other hosts for: {outside[:10]}"


def _cell(page, nb: dict, call: str):
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code" and call in "".join(c["source"]):
            return page.locator(CELLS).nth(i)
    raise AssertionError(f"no cell calls {call}")


def test_lite_set_answered_saved_downloaded_and_graded(served, browser, tmp_path) -> None:
    from nkhr.bank import load_bank

    rel = f"exercises/{SET}-exercises.ipynb"
    nb = json.loads((built_site() / "lite" / "files" / rel).read_text(encoding="utf-8"))
    bank = load_bank(SET)
    source = "".join("".join(c["source"]) for c in nb["cells"])
    singles = [q for q in bank.questions if q.type == "single" and f'ex.ask("{q.id}")' in source][:2]
    assert len(singles) == 2, "set 00 needs two single-choice questions for this test"

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    outside = _watch(page, served)
    t0 = time.perf_counter()
    page.goto(served.url(f"lite/lab/index.html?path={rel}"))
    page.locator(NOTEBOOK).wait_for(timeout=120_000)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu li[data-command="runmenu:run-all"]').first.click()
    first_form = _cell(page, nb, f'ex.ask("{singles[0].id}")')
    first_form.get_by_role("radio").first.wait_for(timeout=240_000)
    cold = time.perf_counter() - t0
    print(f"\n[lite: cold open of {SET} to its first form: {cold:.1f} s; site build: {BUILD_SECONDS}]")

    who = _cell(page, nb, "ex.student()")
    who.locator(".widget-text input").fill(STUDENT_ID)
    who.locator("button.jupyter-button", has_text="Record my name").click()
    who.locator(".nkhr-feedback.nkhr-good").wait_for(state="visible", timeout=30_000)
    for q in singles:
        cell = _cell(page, nb, f'ex.ask("{q.id}")')
        cell.get_by_role("radio", name=bank.answers[q.id], exact=True).check()
        cell.locator("button.jupyter-button", has_text="Submit answer").click()
        cell.locator(".nkhr-feedback.nkhr-good").wait_for(state="visible", timeout=30_000)
        cell.locator(".jp-OutputArea-output", has_text=f"Recorded answer for {q.id}:").first.wait_for(timeout=30_000)
    assert errors_shown(page) == []

    page.locator(CELLS).first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-DockPanel-tabBar .jp-mod-dirty')", timeout=30_000)
    with page.expect_download(timeout=60_000) as dl:
        page.locator(".lm-MenuBar-item", has_text="File").first.click()
        page.locator('.lm-Menu li[data-command="docmanager:download"]').first.click()
    hand_in = tmp_path / "hand-in" / dl.value.suggested_filename
    hand_in.parent.mkdir()
    dl.value.save_as(hand_in)
    context.close()
    assert outside == [], f"the browser app asked other hosts for: {outside[:10]}"

    env = {**os.environ, "NKHR_JOURNAL": "off", "PYTHONPATH": str(ROOT / "src"), "NKHR_ROOT": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "nkhr.cli", "grade", str(hand_in), "--out", str(tmp_path / "graded")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, f"workbook grade failed:\n{result.stdout}\n{result.stderr}"
    rows = []
    for f in sorted((tmp_path / "graded").rglob("*.csv")):
        with f.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            cols = {q.id: next((h for h in reader.fieldnames or [] if h == q.id or h.endswith(f":{q.id}")), None)
                    for q in singles}
            if all(cols.values()):
                rows += [(r, cols) for r in reader]
    assert len(rows) == 1, f"expected one graded student in {tmp_path / 'graded'}, got {len(rows)}"
    row, cols = rows[0]
    assert STUDENT_ID in " ".join(row.values()), row
    assert {q.id: float(row[cols[q.id]]) for q in singles} == {q.id: float(q.points) for q in singles}
