"""Accessibility in the real browser (issue 18): axe-core on every page, keyboard-only answering, themes.

1. axe-core (the pinned npm copy ``make setup`` installs; nothing is downloaded here) runs on every
   lesson and exercise set after Run All, every cell attached. Critical or serious violations inside
   the workbook's own outputs and Markdown fail the test; JupyterLab's own chrome is written to
   ``test-artifacts/a11y/<page>.json`` and printed, not counted.
2. Every question type is answered with the keyboard only (focus is put on the first control, then
   only key presses): arrows and letters must act on the control, never move JupyterLab's cell
   selection; the focused Submit button shows a ring of at least 3 : 1.
3. In JupyterLab's dark and high-contrast themes, axe's colour-contrast rule finds nothing in the
   workbook's widgets and feedback boxes; screenshots go to ``test-artifacts/a11y/``.

Self-contained on purpose (its own server and browser fixtures), so it moves easily into a shared
browser harness. Runs with ``pytest -m browser``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from browser_support import (
    ARTIFACTS, CELLS, ROOT, LabServer, clear_all_outputs, copy_workbook, in_ci,
    missing_prerequisite, open_notebook, run_all, wait_run_finished, wait_widgets_settled,
)
from nkhr.paths import exercise_notebook

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"  # keep in step with the Makefile (AXE_VERSION there)
AXE = Path(os.environ.get("NKHR_AXE", ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
OUT = ARTIFACTS / "a11y"
PAGES = [f"notebooks/{p.name}" for p in sorted((ROOT / "notebooks").glob("*.ipynb"))] + \
        [f"exercises/{p.name}" for p in sorted((ROOT / "exercises").glob("*.ipynb"))]
VIEWPORT = {"width": 1366, "height": 768}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
THEMES = {"dark": "JupyterLab Dark", "high-contrast": "JupyterLab Dark High Contrast"}
THEME_SETTINGS = "@jupyterlab/apputils-extension/themes.jupyterlab-settings"

# Runs axe and sorts each failing node: inside a cell's output or rendered Markdown = the workbook's.
AXE_RUN_JS = """
async ([tags, rules]) => {
  const options = rules ? {runOnly: {type: 'rule', values: rules}} : {runOnly: {type: 'tag', values: tags}};
  options.resultTypes = ['violations'];
  const result = await axe.run(document, options);
  const out = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const sel = node.target[node.target.length - 1];
      let el = null;
      try { el = document.querySelector(Array.isArray(sel) ? sel[sel.length - 1] : sel); } catch (e) {}
      const own = !!(el && el.closest('.jp-OutputArea-output, .jp-MarkdownOutput, .jp-RenderedMarkdown'));
      out.push({rule: v.id, impact: v.impact, own: own, target: JSON.stringify(node.target),
                html: node.html.slice(0, 200), summary: (node.failureSummary || '').slice(0, 300)});
    }
  }
  return out;
}
"""


# ---------------------------------------------------------------- fixtures (self-contained)

@pytest.fixture(scope="module")
def ready():
    reason = missing_prerequisite()
    if reason is None and not AXE.is_file():
        reason = (f"axe-core {AXE_VERSION} is not installed at {AXE}: run 'make setup' "
                  f"(it runs npm install axe-core@{AXE_VERSION})")
    if reason:
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == AXE_VERSION, f"axe-core {installed} installed, {AXE_VERSION} pinned: run 'make setup'"


@pytest.fixture(scope="module")
def lab(ready, tmp_path_factory):
    home = tmp_path_factory.mktemp("lab-a11y")
    server = LabServer(copy_workbook(home / "workbook"), home)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser, ready):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


# ---------------------------------------------------------------- helpers

def run_page(page, lab: LabServer, rel: str) -> nbformat.NotebookNode:
    nb = nbformat.read(lab.workbook / rel, as_version=4)
    open_notebook(page, lab, rel)
    clear_all_outputs(page)
    run_all(page)
    wait_run_finished(page, [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()])
    wait_widgets_settled(page)
    page.wait_for_timeout(500)  # widget views finish attaching (paint only)
    return nb


def axe(page, rules: list[str] | None = None) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN_JS, [WCAG_TAGS, rules])


def report(stem: str, found: list[dict]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{stem}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")


def severe(found: list[dict], own: bool) -> list[dict]:
    return [v for v in found if v["own"] == own and v["impact"] in ("critical", "serious")]


def summary(found: list[dict]) -> str:
    counts: dict[str, int] = {}
    for v in found:
        key = f"{v['impact']} {v['rule']}"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} ×{n}" for k, n in sorted(counts.items())) or "none"


def cell_of(page, nb, call: str):
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and call in c.source:
            return page.locator(CELLS).nth(i)
    raise AssertionError(f"no cell calls {call}")


def active_cell(page) -> int:
    return page.evaluate("() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')]"
                         ".findIndex(c => c.classList.contains('jp-mod-active'))")


def focus_inside(cell) -> bool:
    return cell.evaluate("el => el.contains(document.activeElement)")


# ---------------------------------------------------------------- 1. axe on every page

@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_no_serious_violation_in_the_workbook(lab, page, rel):
    run_page(page, lab, rel)
    try:
        found = axe(page)
        report(Path(rel).parent.name + "-" + Path(rel).stem, found)
        print(f"\n{rel}: workbook: {summary([v for v in found if v['own']])}; "
              f"JupyterLab chrome (not counted): {summary([v for v in found if not v['own']])}")
        own = severe(found, own=True)
        assert not own, f"{rel}: {len(own)} critical/serious in the workbook's content: " + "; ".join(
            f"{v['impact']} {v['rule']} at {v['target']}: {v['html'][:100]}" for v in own[:8])
    finally:
        lab.shutdown_sessions(rel)


# ---------------------------------------------------------------- 2. the keyboard only

def _answer_with_keys(page, cell, q, answer) -> None:
    """Give ``answer`` to ``q`` by keyboard: focus the first control once, then press keys only."""
    kb = page.keyboard
    if q.type == "single":
        radios = cell.locator("input[type=radio]")
        radios.first.focus()
        kb.press("Space")
        for _ in range(len(q.options)):
            page.wait_for_timeout(150)  # the kernel echoes each step; a person is slower than this
            if cell.get_by_role("radio", name=answer, exact=True).is_checked():
                break
            kb.press("ArrowDown")
    elif q.type == "multi":
        cell.locator("input[type=checkbox]").first.focus()
        for k, o in enumerate(q.options):
            if o in answer:
                kb.press("Space")
            page.wait_for_timeout(100)
            if k < len(q.options) - 1:
                kb.press("Tab")
    elif q.type in ("order", "match"):
        choices = q.options if q.type == "order" else q.choices
        selects = cell.locator("select")
        rows = selects.evaluate_all("ss => ss.map(s => s.labels[0].textContent.trim())")  # a match row's label
        values = answer if q.type == "order" else [answer[row] for row in rows]
        selects.first.focus()
        for k, v in enumerate(values):
            assert selects.nth(k).evaluate("s => s === document.activeElement"), \
                f"{q.id}: Tab went to {page.evaluate('() => document.activeElement.outerHTML.slice(0, 120)')}"
            for _ in range(len(choices) + 1):  # ↓ until the row shows the answer, as a student would
                shown = selects.nth(k).evaluate("s => s.value")  # the option's label (its text has no-break spaces)
                if shown == v:
                    break
                kb.press("ArrowDown")  # (the student copy may list the choices in another order)
                page.wait_for_timeout(150)  # a person's pace: each step goes to the kernel and back
            if k < len(values) - 1:
                kb.press("Tab")
    elif q.type == "scale":
        cell.locator(".noUi-handle").focus()
        target = int(answer[0]) if isinstance(answer, list) else int(answer)
        kb.press("Home")
        for _ in range(target):
            kb.press("ArrowRight")
            page.wait_for_timeout(100)
    elif q.type == "numeric":
        cell.locator(".widget-text input").focus()
        kb.type(str(answer))
    else:
        cell.locator("textarea").focus()
        kb.type(answer if isinstance(answer, str) else str(answer))
    page.wait_for_timeout(300)
    for _ in range(12):  # Tab on to the Submit button, then Enter
        if page.evaluate("() => (document.activeElement.textContent || '').includes('Submit answer')"):
            break
        kb.press("Tab")
    assert page.evaluate("() => (document.activeElement.textContent || '').includes('Submit answer')"), \
        f"{q.id}: Tab did not reach Submit"


def _ring_contrast(page) -> float:
    """Contrast of the focused element's outline against the page background behind it."""
    return page.evaluate("""() => {
      const el = document.activeElement, s = getComputedStyle(el);
      if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return 0;
      const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
      let bg = null;
      for (let n = el.parentElement; n && !bg; n = n.parentElement) {
        const b = getComputedStyle(n).backgroundColor;
        if (b && !b.startsWith('rgba(0, 0, 0, 0)') && b !== 'transparent') bg = b;
      }
      const lum = c => { const v = rgb(c).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
                         return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
      const a = lum(s.outlineColor), b = lum(bg || 'rgb(255,255,255)');
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""")


KEYBOARD_SETS = ["00-start-here", "03-un-mechanisms"]  # together: every question type


@pytest.mark.parametrize("set_id", KEYBOARD_SETS)
def test_every_question_type_answered_with_the_keyboard_only(lab, page, set_id):
    from nkhr.bank import load_bank

    rel = f"exercises/{exercise_notebook(set_id).name}"
    nb = run_page(page, lab, rel)
    bank = load_bank(set_id)
    source = "".join(c.source for c in nb.cells)
    seen: set[str] = set()
    try:
        for q in bank.questions:
            if q.type in seen or f'ex.ask("{q.id}")' not in source:
                continue
            seen.add(q.type)
            cell = cell_of(page, nb, f'ex.ask("{q.id}")')
            cell.scroll_into_view_if_needed()
            answer = bank.answers[q.id]
            answer = answer[0] if q.type == "scale" else answer
            before = None
            _answer_with_keys(page, cell, q, answer)
            before = active_cell(page)
            assert focus_inside(cell), f"{q.id} ({q.type}): focus left the question while answering"
            ring = _ring_contrast(page)
            assert ring >= 3, f"{q.id}: the focused Submit button's ring is {ring:.2f} : 1"
            page.keyboard.press("Enter")
            cell.locator(".nkhr-feedback").first.wait_for(state="visible", timeout=15_000)
            text = cell.locator(".nkhr-feedback").first.inner_text()
            shown = cell.locator("select").evaluate_all("ss => ss.map(s => s.selectedIndex + ':' + s.value)")
            assert text.startswith(("Correct", "Recorded")), f"{q.id} ({q.type}): {text[:120]} {shown}"
            assert active_cell(page) == before, f"{q.id}: a key moved JupyterLab's cell selection"
            live = cell.locator(".nkhr-feedback").first.evaluate(
                "el => !!el.closest('[aria-live]') || el.getAttribute('role') === 'status'")
            assert live, f"{q.id}: the feedback is not in a live region (screen readers would not hear it)"
        print(f"\n{set_id}: answered by keyboard: {sorted(seen)}")
        assert seen, f"{set_id}: no questions found"
    finally:
        lab.shutdown_sessions(rel)


def test_keyboard_covers_every_question_type():
    from nkhr.bank import load_bank

    types = {q.type for s in KEYBOARD_SETS for q in load_bank(s).questions}
    everywhere = {q.type for p in (ROOT / "solutions").glob("*.toml") for q in load_bank(p.stem).questions}
    assert everywhere <= types | {"essay"}, f"question types not tried by keyboard: {everywhere - types}"


def test_arrow_keys_on_a_radio_stay_in_the_question(lab, page):
    """The review's bug: ↓ on a radio moved JupyterLab's cell selection and focus left the question."""
    rel = "exercises/00-start-here-exercises.ipynb"
    nb = run_page(page, lab, rel)
    try:
        from nkhr.bank import load_bank

        q = next(q for q in load_bank("00-start-here").questions if q.type == "single")
        cell = cell_of(page, nb, f'ex.ask("{q.id}")')
        cell.locator("input[type=radio]").first.focus()
        before = active_cell(page)
        for key in ("ArrowDown", "ArrowDown", "j", "k", "c", "a"):
            page.keyboard.press(key)
        assert focus_inside(cell) and active_cell(page) == before
        assert cell.locator("input[type=radio]:checked").count() == 1  # the arrows chose an option
        assert len(page.locator(CELLS).all()) == len(nb.cells), "a letter key inserted or removed a cell"
    finally:
        lab.shutdown_sessions(rel)


# ---------------------------------------------------------------- 3. themes

@pytest.mark.parametrize("theme", sorted(THEMES))
def test_widgets_and_feedback_readable_in_dark_themes(lab, page, theme):
    settings = lab.home / "lab-settings" / THEME_SETTINGS
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"theme": THEMES[theme]}), encoding="utf-8")
    rel = "exercises/00-start-here-exercises.ipynb"
    try:
        nb = run_page(page, lab, rel)
        page.wait_for_function("(name) => document.body.dataset.jpThemeName === name", arg=THEMES[theme])
        from nkhr.bank import load_bank

        bank = load_bank("00-start-here")
        shots = []
        for q in [q for q in bank.questions if q.type in ("single", "order", "multi")][:3]:
            cell = cell_of(page, nb, f'ex.ask("{q.id}")')
            cell.locator("button.jupyter-button", has_text="Submit answer").click()  # empty: the info box
            cell.locator(".nkhr-feedback").first.wait_for(state="visible")
            OUT.mkdir(parents=True, exist_ok=True)
            shot = OUT / f"theme-{theme}-{q.id}.png"
            cell.screenshot(path=str(shot))
            shots.append(shot)
        found = [v for v in axe(page, ["color-contrast"]) if v["own"]]
        report(f"theme-{theme}", found)
        assert not found, f"{theme}: low contrast in the workbook: " + "; ".join(
            f"{v['html'][:80]} ({v['summary'][:120]})" for v in found[:6])
        assert shots
    finally:
        settings.unlink(missing_ok=True)
        lab.shutdown_sessions(rel)
