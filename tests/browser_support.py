"""Shared set-up for every real-browser test: one JupyterLab server, one Chromium per process, pages.

Kept apart from the tests so they read as what a student does. Nothing here touches the working
tree: the server serves a temporary folder holding copies of the workbook, with its own settings,
workspaces, runtime and data folders, so a developer's own JupyterLab set-up cannot leak in.

Fixtures for browser tests in any ``tests/test_browser*.py`` file (registered by ``conftest.py``;
mark the module ``pytestmark = pytest.mark.browser``):

``lab_server`` (session)
    The one :class:`LabServer` of the whole run, shared by every pytest-xdist worker (the first
    worker that needs it starts it under a file lock; the main pytest process stops it at the
    end). Its ``root`` holds one or more workbook copies; ``lab_server.url(path)`` and
    ``lab_server.api(method, path)`` talk to it.
``workbook`` (session)
    This process's own copy of the workbook (a :class:`Workbook`) in the server's root. Tests may
    write into it (answers, saved notebooks); each exercise set is answered by one test only.
``fresh_workbook`` (function)
    A factory: ``fresh_workbook()`` copies the committed workbook into a new folder of the same
    server's root and returns it: a second student's copy, never touched before, with its own
    journal (kernels find their copy from the notebook's folder; the server sets no NKHR_ROOT).
``browser`` (session)
    Chromium (Debian's), headless, one per process.
``new_page`` (function)
    A factory: ``new_page()`` opens a page in a fresh browser context (own storage). Every page is
    closed after the test; when the test failed, a screenshot series of each open page goes to
    ``test-artifacts/screenshots/<test>-<n>-NN.png``.
``page`` (function)
    ``new_page()`` once, for the common case.
``lab_page`` (function)
    One page per process, kept from test to test so JupyterLab's front end boots once; open a
    notebook in it with :func:`open_notebook`. After a failed test it is screenshotted and replaced.

Page actions: :func:`open_notebook` (boots JupyterLab on the first call; later calls open the
notebook inside the same running app, closing what was open, which saves the ~4 s front-end boot),
:func:`run_all`, :func:`wait_run_finished`, :func:`wait_kernel_caught_up` (before pressing a button
after moving widgets) and the others below. Every wait is on a condition, never a fixed sleep.

Without Chromium or the playwright package the browser tests skip with one line saying how to
enable them, and fail instead under ``CI=true`` (fixture ``browser_prerequisites``).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WORKBOOK_FOLDERS = ("notebooks", "readings", "exercises", "solutions")
VIEWPORT = {"width": 1280, "height": 1000}
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


# ---------------------------------------------------------------- the workbook copies and the server

SHARED_ENV = "NKHR_TEST_LAB_DIR"  # set by conftest.py in the main pytest process, inherited by workers


@dataclass
class Workbook:
    """One copy of the workbook inside the server's root: ``path`` on disk, ``prefix`` in the server."""

    path: Path
    prefix: str

    def rel(self, *parts: str) -> str:
        """The server path of a file in this copy, e.g. ``wb.rel("exercises", "01-the-record.ipynb")``."""
        return "/".join((self.prefix, *parts))


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
    """``python -m jupyterlab`` on 127.0.0.1, a free port and a known token, in its own process group.

    ``home`` holds its settings and log. ``LabServer(None, home)`` serves ``home/root``: one folder
    per workbook copy, made with :meth:`new_workbook` (the shared server). ``LabServer(workbook,
    home)`` serves one copy at the top, as ``workbook/notebooks/…`` (a test module's own server).
    """

    def __init__(self, workbook: Path | None, home: Path, *, root: Path | None = None,
                 port: int | None = None, token: str | None = None, pid: int | None = None,
                 user_settings: bool = True):
        self.workbook = workbook
        self.user_settings = user_settings  # False: only what the installation gives (as `make lab`)
        self.extra_args: list[str] = []
        self.home = home
        self.root = root or workbook or home / "root"
        self.port = port or free_port()
        self.token = token or secrets.token_hex(16)
        self.pid = pid
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = home / "jupyterlab.log"

    # -- state shared between processes (pytest-xdist workers)

    def state(self) -> dict[str, Any]:
        return {"home": str(self.home), "root": str(self.root), "port": self.port, "token": self.token,
                "pid": self.pid}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "LabServer":
        return cls(None, Path(state["home"]), root=Path(state["root"]), port=state["port"], token=state["token"],
                   pid=state["pid"])

    def alive(self) -> bool:
        try:
            self.api("GET", "/api/status")
            return True
        except (OSError, urllib.error.URLError):
            return False

    def new_workbook(self, name: str | None = None) -> Workbook:
        """A fresh copy of the committed workbook in a new folder of this server's root."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{name or 'wb'}-", dir=self.root))
        copy_workbook(folder)
        return Workbook(folder, folder.name)

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
        # Each kernel finds its own copy from the notebook's folder, and keeps its journal there
        # (<copy>/.nkhr-journal), as on a student's machine: no NKHR_ROOT, no NKHR_JOURNAL.
        env.pop("NKHR_ROOT", None)
        env.pop("NKHR_JOURNAL", None)
        env.pop(SHARED_ENV, None)
        # The kernel must be this interpreter with this checkout's package (kernel.json says "python").
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p)
        env.pop("JUPYTER_PATH", None)
        return env

    def start(self, timeout: float = 90) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            # window.jupyterapp: open notebooks in the running app, and see the kernel's open requests
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers run as root
        cmd += self.extra_args
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pid = self.proc.pid
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
        """End the server and the kernels it started (works from any process, not only its parent)."""
        if self.pid is None:
            return
        try:
            self.shutdown_sessions()
        except (OSError, urllib.error.URLError, ValueError):
            pass
        try:
            os.killpg(self.pid, signal.SIGTERM)  # start_new_session: its group id is its pid
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _running(self.pid):
            time.sleep(0.1)  # polling interval while the server shuts down
        try:  # whatever is left in the group
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _running(self.pid)

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


def _running(pid: int) -> bool:
    """True while ``pid`` runs; reaps it when it is our own child that has exited."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:  # not our child: ask the kernel whether it exists
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def shared_dir() -> Path:
    """The folder every process of this run shares (made by conftest.py), or a new one."""
    folder = os.environ.get(SHARED_ENV)
    if not folder:
        folder = tempfile.mkdtemp(prefix="nkhr-lab-")
        os.environ[SHARED_ENV] = folder
    return Path(folder)


def shared_server() -> LabServer:
    """The run's one JupyterLab server: started by the first process that asks, under a file lock."""
    folder = shared_dir()
    state_file = folder / "server.json"
    with (folder / "server.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if state_file.exists():
            server = LabServer.from_state(json.loads(state_file.read_text()))
            if server.alive():
                return server
            raise RuntimeError(f"the shared JupyterLab server is not running any more:\n{server.log_tail(20)}")
        server = LabServer(None, folder / "lab")
        server.home.mkdir(parents=True, exist_ok=True)
        server.start()
        state_file.write_text(json.dumps(server.state()))
        return server


def stop_shared_server() -> None:
    """Stop the run's server, if one was started (called once, by the main pytest process)."""
    folder = os.environ.get(SHARED_ENV)
    if not folder:
        return
    state_file = Path(folder) / "server.json"
    if state_file.exists():
        LabServer.from_state(json.loads(state_file.read_text())).stop()
    shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- fixtures (registered in conftest.py)

def worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    reason = missing_prerequisite()
    if reason:
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def lab_server(browser_prerequisites) -> LabServer:
    server = shared_server()
    yield server
    # stopped by the main process at the end of the run (conftest.py: pytest_unconfigure)


@pytest.fixture(scope="session")
def workbook(lab_server) -> Workbook:
    return lab_server.new_workbook(f"wb-{worker_name()}")


@pytest.fixture
def fresh_workbook(lab_server) -> Callable[[], Workbook]:
    made: list[Workbook] = []

    def make() -> Workbook:
        made.append(lab_server.new_workbook(f"fresh-{worker_name()}"))
        return made[-1]
    yield make
    for wb in made:
        for s in lab_server.api("GET", "/api/sessions") or []:
            if s.get("path", "").startswith(wb.prefix + "/"):
                lab_server.api("DELETE", f"/api/sessions/{s['id']}")


@pytest.fixture(scope="session")
def browser(browser_prerequisites) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser, request) -> Iterator[Callable[[], Any]]:
    contexts = []

    def make(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(viewport=viewport or VIEWPORT)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()
    yield make
    report = getattr(request.node, "rep_call", None)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    for n, context in enumerate(contexts, 1):
        try:
            if report is not None and report.failed:
                for pg in context.pages:
                    if not pg.is_closed():
                        screenshots(pg, f"{stem}-{n}")
        finally:
            context.close()


@pytest.fixture
def page(new_page) -> Any:
    return new_page()


@pytest.fixture(scope="session")
def _kept_page(browser) -> Iterator[dict[str, Any]]:
    holder: dict[str, Any] = {}
    yield holder
    if holder.get("context"):
        holder["context"].close()


@pytest.fixture
def lab_page(_kept_page, request) -> Iterator[Any]:
    """A page kept across this process's tests, so JupyterLab boots once: open notebooks in it with
    :func:`open_notebook`, which closes what the last test left open. After a failure it gets
    screenshots and is thrown away, so the next test starts on a fresh page."""
    if _kept_page.get("context") is None:
        context = request.getfixturevalue("browser").new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        _kept_page.update(context=context, page=context.new_page())
    yield _kept_page["page"]
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed or _kept_page["page"].is_closed():
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
        try:
            if report is not None and report.failed and not _kept_page["page"].is_closed():
                screenshots(_kept_page["page"], stem)
        finally:
            _kept_page.pop("context").close()


# ---------------------------------------------------------------- page actions

_workspace_counter = 0

NOTEBOOK = ".jp-NotebookPanel"
CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"

_APP_READY_JS = "() => !!(window.jupyterapp && window.jupyterapp.shell && window.jupyterapp.commands)"

# Close every document in the main area without the "unsaved changes" dialog (a test's run of a
# lesson leaves it modified; an exercise notebook has been saved with Ctrl+S before it is closed).
_CLOSE_ALL_JS = """
() => {
  const app = window.jupyterapp;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.dispose();
  }
  return document.querySelectorAll('.jp-NotebookPanel').length === 0;
}
"""


def open_notebook(page, server: LabServer, rel: str, timeout: float = 90_000, *, reuse: bool = True) -> None:
    """Open ``rel`` and wait for its kernel.

    The first call on a page boots JupyterLab in a fresh, empty workspace (no tabs restored from
    earlier pages). Later calls, with ``reuse`` (the default), close what is open and open ``rel``
    in the same running app, as a student does from the file browser; ``reuse=False`` reloads.
    """
    global _workspace_counter
    if not server.alive():
        raise RuntimeError(f"the JupyterLab server is not running any more:\n{server.log_tail(8)}")
    if reuse and page.url.startswith(server.base) and page.evaluate(_APP_READY_JS):
        page.wait_for_function(_CLOSE_ALL_JS, timeout=timeout)
        page.evaluate("(p) => { window.jupyterapp.commands.execute('docmanager:open', {path: p}); }", rel)
    else:
        _workspace_counter += 1
        page.goto(server.url(f"/lab/workspaces/t{worker_name()}-{_workspace_counter}/tree/{rel}"), timeout=timeout)
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


# Every widget message the page has sent to the notebook's kernel has been answered (reply and
# idle). A widget buffers a value change while an earlier one is unanswered and sends it when the
# kernel goes idle; a button press sent in between would reach the kernel before the value. Reads
# the kernel connection's open requests (``_futures``, @jupyterlab/services 7) and counts the
# comm messages among them (cell executions keep theirs for their outputs); fails loudly if renamed.
_KERNEL_CAUGHT_UP_JS = """
() => {
  const w = window.jupyterapp.shell.currentWidget;
  const kernel = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!kernel) return false;
  if (!(kernel._futures instanceof Map)) throw new Error('KernelConnection._futures is gone: update wait_kernel_caught_up');
  return ![...kernel._futures.values()].some(f => !f.isDisposed && f.msg.header.msg_type === 'comm_msg');
}
"""


def wait_kernel_caught_up(page, timeout: float = 30_000) -> None:
    """Wait until the kernel has answered every message the page sent (widget values included)."""
    page.wait_for_function(_KERNEL_CAUGHT_UP_JS, timeout=timeout, polling=50)


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
    if page.locator(scroller).count() != 1:  # no notebook open (or several): the one screen
        path = SCREENSHOTS / f"{stem}-01.png"
        page.screenshot(path=str(path))
        return [path]
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
