"""Helpers for the real-browser test: a JupyterLab server on a copy of the workbook, and page actions.

Kept apart from ``test_browser.py`` so the test reads as what a student does. Nothing here
touches the working tree: the server runs on a temporary copy, with its own settings,
workspaces, runtime and data folders, so a developer's own JupyterLab set-up cannot leak in.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WORKBOOK_FOLDERS = ("notebooks", "readings", "exercises", "solutions")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
MISSING_CHROMIUM = "Chromium not found: install Debian's chromium (apt-get install chromium) to run the browser tests"
MISSING_PLAYWRIGHT = ("The playwright Python package is missing: pip install -e '.[test]' "
                      "(and apt-get install chromium) to run the browser tests")

# JupyterLab user settings for the test server: no news toast, no update check, every cell in
# the DOM (so charts and widgets below the fold can be checked), nothing else changed.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none", "autoStartDefaultKernel": True, "scrollPastEnd": False,
    },
}


# ---------------------------------------------------------------- prerequisites

def chromium_path() -> str | None:
    """Debian's Chromium, or a ``chromium`` on PATH; None when there is none."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_prerequisite() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return MISSING_PLAYWRIGHT
    if chromium_path() is None:
        return MISSING_CHROMIUM
    return None


# ---------------------------------------------------------------- the workbook copy and the server

def copy_workbook(dest: Path) -> Path:
    """Copy the workbook's folders (never the working tree itself) into ``dest``."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".nkhr-journal")
    for folder in WORKBOOK_FOLDERS:
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``python -m jupyterlab`` on 127.0.0.1, a free port and a known token, in its own process group."""

    def __init__(self, workbook: Path, home: Path, *, user_settings: bool = True):
        self.workbook = workbook
        self.user_settings = user_settings  # False: only what the installation gives (as `make lab`)
        self.extra_args: list[str] = []
        self.home = home
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = home / "jupyterlab.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        settings = self.home / "lab-settings"
        for rel, values in LAB_SETTINGS.items() if self.user_settings else ():
            f = settings / rel
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(values, indent=1), encoding="utf-8")
        for name, sub in (("JUPYTERLAB_SETTINGS_DIR", "lab-settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                          ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                          ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
            env[name] = str(self.home / sub)
        env["NKHR_ROOT"] = str(self.workbook)
        env["NKHR_JOURNAL"] = str(self.workbook / ".nkhr-journal")
        # The kernel must be this interpreter with this checkout's package (kernel.json says "python").
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p)
        env.pop("JUPYTER_PATH", None)
        return env

    def start(self, timeout: float = 90) -> None:
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.workbook}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers run as root
        cmd += self.extra_args
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=self.workbook, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                # the lab page itself (extensions, settings) must be served too
                with urllib.request.urlopen(self.url("/lab"), timeout=5) as r:
                    if r.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)  # polling interval while the server boots
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = os.getpgid(self.proc.pid)
        os.killpg(pgid, signal.SIGTERM)  # the server and the kernels it started
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        try:  # kernels left behind in the group
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def api(self, method: str, path: str) -> Any:
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self, path: str | None = None) -> None:
        """End the kernels of notebooks at ``path`` (all when None), so they do not pile up."""
        for s in self.api("GET", "/api/sessions") or []:
            if path is None or s.get("path") == path:
                self.api("DELETE", f"/api/sessions/{s['id']}")


# ---------------------------------------------------------------- page actions

_workspace_counter = 0

NOTEBOOK = ".jp-NotebookPanel"
CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"


def open_notebook(page, server: LabServer, rel: str, timeout: float = 90_000) -> None:
    """Open ``rel`` in a fresh, empty workspace (no tabs restored from earlier pages)."""
    global _workspace_counter
    _workspace_counter += 1
    if server.proc is None or server.proc.poll() is not None:
        raise RuntimeError(f"the JupyterLab server is not running any more:\n{server.log_tail(8)}")
    page.goto(server.url(f"/lab/workspaces/t{_workspace_counter}/tree/{rel}"), timeout=timeout)
    page.wait_for_selector(f"{NOTEBOOK} .jp-Notebook .jp-Cell", timeout=timeout)
    wait_kernel_idle(page, server, rel, timeout)


def wait_kernel_idle(page, server: LabServer, rel: str, timeout: float = 90_000) -> None:
    """Wait until the server has a kernel for ``rel`` and the page shows it idle.

    The page's indicator can read "idle" before the session exists; commands sent then open a
    "Select Kernel" dialog, so the server's word is needed too.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        sessions = [s for s in server.api("GET", "/api/sessions") or [] if s.get("path") == rel and s.get("kernel")]
        if sessions and sessions[0]["kernel"].get("execution_state") == "idle":
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"no idle kernel for {rel} after {timeout / 1000:.0f} s")
        page.wait_for_timeout(200)  # polling interval
    page.wait_for_selector(f'{NOTEBOOK} .jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=timeout)
    page.wait_for_function("() => document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator')"
                           " && !document.querySelector('.jp-Dialog')", timeout=timeout)


def open_dialog_text(page) -> str | None:
    """The text of a dialog left open (none should be), for a clear failure message."""
    dlg = page.locator(".jp-Dialog")
    return dlg.first.inner_text() if dlg.count() else None


def menu(page, label: str, command: str) -> None:
    """Open a main-menu entry (``Edit``, ``Run``, ``Kernel``…) and click the item for ``command``."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(label)}$")).first.click()
    item = page.locator(f'.lm-Menu li[data-command="{command}"]').first
    item.wait_for(state="visible")
    item.click()
    page.locator(".lm-Menu").first.wait_for(state="hidden")


def clear_all_outputs(page) -> None:
    menu(page, "Edit", "editmenu:clear-all")
    page.wait_for_function(
        """(sel) => [...document.querySelectorAll(sel + ' .jp-CodeCell .jp-OutputArea-output')].length === 0""",
        arg=NOTEBOOK)


def run_all(page) -> None:
    menu(page, "Run", "runmenu:run-all")


def restart_and_run_all(page) -> None:
    menu(page, "Kernel", "runmenu:restart-and-run-all")
    accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    accept.wait_for(state="visible")
    accept.click()


_RUN_DONE_JS = """
([sel, indices]) => {
  const cells = [...document.querySelectorAll(sel)];
  if (cells.length === 0) return false;
  const prompts = indices.map(i => cells[i] ? (cells[i].querySelector('.jp-InputPrompt') || {}).textContent || '' : '');
  if (prompts.some(p => p.includes('*'))) return false;
  const status = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  if (status && status.dataset.status !== 'idle') return false;
  if (prompts.every(p => /\\[\\d+\\]/.test(p))) return true;
  // "Run all" stops at an error: done when an error is showing and nothing runs any more
  return document.querySelectorAll(sel + ' .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length > 0;
}
"""


def wait_run_finished(page, code_cell_indices: list[int], timeout: float = 300_000) -> None:
    """Wait until every non-empty code cell has a number in its prompt (and none shows ``[*]``)."""
    page.wait_for_function(_RUN_DONE_JS, arg=[CELLS, code_cell_indices], timeout=timeout, polling=250)


def wait_widgets_settled(page, timeout: float = 60_000) -> None:
    page.wait_for_function(
        """(sel) => ![...document.querySelectorAll(sel + ' .jp-OutputArea-output')]
                 .some(o => (o.textContent || '').includes('Loading widget'))""",
        arg=NOTEBOOK, timeout=timeout, polling=250)


def errors_shown(page) -> list[str]:
    """Text of every traceback or error line shown in the notebook's outputs."""
    texts = page.eval_on_selector_all(
        f'{NOTEBOOK} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        f'{NOTEBOOK} .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]',
        "els => els.map(e => e.textContent || '')")
    return [t for t in texts if re.search(r"Traceback|Error", t)]


def widget_problems(page) -> list[str]:
    return page.eval_on_selector_all(
        f"{NOTEBOOK} .jp-OutputArea-output",
        """els => els.map(e => e.textContent || '')
                  .filter(t => t.includes('Error displaying widget') || t.includes('Loading widget'))""")


def save_with_keyboard(page) -> None:
    """Leave any input, select a cell (command mode) and press Ctrl+S, as a student does."""
    page.locator(CELLS).first.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty').length === 0",
        polling=100, timeout=30_000)


def screenshots(page, stem: str, max_shots: int = 40) -> list[Path]:
    """Scroll the notebook from top to bottom and save one viewport shot per screen.

    JupyterLab scrolls inside the notebook panel, so a browser "full page" shot only shows the
    first screen; this writes ``<stem>-01.png``, ``-02.png``… instead (older shots are removed).
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{stem}-*.png"):
        old.unlink()
    scroller = f"{NOTEBOOK} .jp-WindowedPanel-outer"
    page.eval_on_selector(scroller, "el => el.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    paths = []
    for n in range(1, max_shots + 1):
        path = SCREENSHOTS / f"{stem}-{n:02d}.png"
        page.wait_for_timeout(150) if n > 1 else None  # let images decode after a scroll (paint only)
        page.screenshot(path=str(path))
        paths.append(path)
        moved = page.eval_on_selector(
            scroller,
            "el => { const before = el.scrollTop; el.scrollBy(0, el.clientHeight - 60); return el.scrollTop !== before; }")
        if not moved:
            break
    return paths
