"""Shared test setup: the workbook root, the answer journal off so stored outputs never vary, and the
browser fixtures (``browser_support.py``) with their one JupyterLab server for the whole run.

Under pytest-xdist (``make test`` runs ``pytest -n 3``) each notebook's nbval cells stay on one worker,
in order, in one kernel; an exercise set's browser test and the grading of the notebook it saved stay
together (``work_unit``); browser tests are handed out first, as they take longest.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

import browser_support
from browser_support import (  # noqa: F401  (fixtures, registered by being imported here)
    _kept_page, browser, browser_prerequisites, fresh_workbook, lab_page, lab_server, new_page, page, workbook,
)

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # Kernels started by nbval inherit this: lessons and solutions must not restore a journal.
    os.environ["NKHR_JOURNAL"] = "off"
    os.environ.setdefault("NKHR_ROOT", str(ROOT))
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if not hasattr(config, "workerinput"):  # the main process: a folder every xdist worker inherits
        os.environ[browser_support.SHARED_ENV] = tempfile.mkdtemp(prefix="nkhr-lab-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        browser_support.stop_shared_server()


# Tests that must run on one xdist worker, in collection order, when they share a parameter:
# answering an exercise set in the browser, then grading the notebook that test saved.
RUN_TOGETHER = {
    "test_exercises_answered_saved_and_restored": "exercise",
    "test_browser_saved_submission_grades_full_marks": "exercise",
}


def work_unit(nodeid: str) -> str:
    """The xdist work unit of a test: a notebook's nbval cells share one kernel, in order; the tests
    of RUN_TOGETHER share their parameter; every other test goes where a worker is free."""
    path, _, rest = nodeid.partition("::")
    if path.endswith(".ipynb"):
        return path
    m = re.fullmatch(r"(?:.*::)?(\w+)\[(.*)\]", rest)
    if m and m.group(1) in RUN_TOGETHER:
        return f"{path}::{RUN_TOGETHER[m.group(1)]}[{m.group(2)}]"
    return nodeid


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: no error where it is not installed
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's own ``--dist loadgroup`` cannot mark tests under pytest 9 (node ids are
    read-only there), so the units are named here, from the node ids the workers report."""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False  # keep collection order: the long browser tests first
    return WorkUnitScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long browser tests first, so each worker starts on one while the short tests fill in."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)  # stable


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item, so ``new_page`` can take screenshots of a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def root() -> Path:
    return ROOT


def require_sources() -> Path:
    """The folder of source texts; skip with the reason when absent, but fail under CI=true."""
    from nkhr import paths

    folder = paths.sources_dir()
    if folder is None:
        where = os.environ.get("NKHR_SOURCES") or str(ROOT.parent / "shared" / "sources")
        reason = f"source texts not found at {where}; set NKHR_SOURCES to check quotations"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: the texts must be present in CI)")
        pytest.skip(reason)
    return folder
